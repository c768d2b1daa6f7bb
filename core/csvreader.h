#pragma once

#include "dataset.h"
#include "result.h"

#include <QByteArray>
#include <QString>

namespace uai {

/// What the CSV reader does with a feature cell that is empty, not a number, or not finite as a
/// 32-bit float (NA, ?, NaN, inf, 1e309, 3.5e38 ...).
enum class MissingCellPolicy {
    Reject,       ///< Refuse the file, naming the first such cells and the total count.
    ImputeMedian, ///< Replace each such cell by its column's median and report how many.
};

/// Largest CSV file, in bytes, that the reader accepts (1 GiB): the file is read into memory
/// whole, and its parsed features take about as much again.
inline constexpr qint64 kMaxCsvBytes = qint64(1) << 30;

struct CsvOptions {
    /// Ground-truth column, matched case-insensitively; used only by the simulated analyst and
    /// the metrics. A file without it loads without ground truth.
    QString truthColumn = QStringLiteral("label");
    /// Optional categorical column predicted by the classifier model; empty means none.
    QString classColumn;
    MissingCellPolicy missingCells = MissingCellPolicy::Reject;
};

/// Reads a feature table: a header row, then one item per row.
///
/// The delimiter (comma, semicolon or tab) is detected from the header; fields may be quoted
/// as in RFC 4180; a UTF-8 byte-order mark and CRLF line ends are accepted. Numbers parse with
/// the C locale whatever the user's locale. Ground-truth values are matched case-insensitively:
/// anomaly, anomalous, outlier, abnormal, 1, true, yes mark an anomaly; nominal, normal,
/// inlier, 0, false, no mark a normal item. Every column other than the ground-truth and class
/// columns is a feature. Features are standardised; a constant column is centred and kept with
/// scale 1 and reported in the import notes. Item ids are "line N" (physical line, header = 1).
///
/// Fails with a message naming the file, line, column and offending text for: an unreadable or
/// empty file, no data rows, no feature columns, a row with the wrong number of fields, an
/// unknown ground-truth value, a missing class column, and bad cells under the Reject policy.
Result<Dataset> readCsv(const QString &path, const CsvOptions &options = {});

/// Largest first line, in bytes, that readCsvColumnNames() reads (16 MiB).
inline constexpr qint64 kMaxCsvHeaderBytes = qint64(16) << 20;

/// Reads only the column names of a CSV file, named as readCsv() names them (quotes removed,
/// blanks trimmed, an empty name becomes "column N"), from the first non-blank record. Fails
/// when the file cannot be opened, has no header line, or its first line is longer than
/// kMaxCsvHeaderBytes.
Result<QStringList> readCsvColumnNames(const QString &path);

/// Same as readCsv() on bytes already in memory; fileName is used only in messages.
Result<Dataset>
parseCsv(const QByteArray &bytes, const QString &fileName, const CsvOptions &options = {});

} // namespace uai
