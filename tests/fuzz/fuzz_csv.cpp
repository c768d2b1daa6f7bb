// libFuzzer target for the CSV reader. It parses each input with three option sets and checks
// that every result is either a consistent dataset or a message that names the file.

#include "csvreader.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

const QString kFileName = QStringLiteral("fuzz.csv");

void require(bool condition, const char *problem, const QString &detail)
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_csv: %s: %s\n", problem, qPrintable(detail));
    std::abort();
}

void parseAndCheck(const QByteArray &bytes, const uai::CsvOptions &options)
{
    const uai::Result<uai::Dataset> result = uai::parseCsv(bytes, kFileName, options);
    if (!result) {
        require(result.error().contains(kFileName),
                "the error message does not name the file",
                result.error());
        return;
    }
    const uai::Dataset &dataset = result.value();
    require(dataset.checkConsistency().isEmpty(),
            "the dataset breaks its invariants",
            dataset.checkConsistency());
    require(dataset.featureMean.size() == static_cast<size_t>(dataset.featureCount)
                && dataset.featureScale.size() == static_cast<size_t>(dataset.featureCount),
            "the mean and scale vectors do not match the feature count",
            QString::number(dataset.featureCount));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    // fromRawData does not copy, so reads past the end reach AddressSanitizer's redzone.
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    parseAndCheck(bytes, uai::CsvOptions{});

    uai::CsvOptions impute;
    impute.missingCells = uai::MissingCellPolicy::ImputeMedian;
    parseAndCheck(bytes, impute);

    // The seed files name their ground truth "label"; reading it as the class column instead
    // reaches the class path with realistic values.
    uai::CsvOptions classes;
    classes.truthColumn.clear();
    classes.classColumn = QStringLiteral("label");
    classes.missingCells = uai::MissingCellPolicy::ImputeMedian;
    parseAndCheck(bytes, classes);
    return 0;
}
