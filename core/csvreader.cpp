#include "csvreader.h"

#include "datalimits.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uai {

namespace {

/// How many offending rows or cells a message lists before it only gives the count.
constexpr int kMaxListed = 5;

/// A standard deviation at or below this fraction of the column's magnitude is rounding noise,
/// so the column counts as constant.
constexpr double kConstantRelativeStd = 1e-13;

const std::array<std::string_view, 7> kAnomalySpellings = {
    "anomaly", "anomalous", "outlier", "abnormal", "1", "true", "yes"};
const std::array<std::string_view, 6> kNormalSpellings = {
    "nominal", "normal", "inlier", "0", "false", "no"};

/// Texts that mean "no value" in common spreadsheet and statistics exports.
const std::array<std::string_view, 11> kMissingTokens = {
    "na", "n/a", "#n/a", "?", "-", "nan", "null", "none", "nil", "missing", "#value!"};

/// Maximum length, in characters, of text quoted in a message; longer text ends in an ellipsis.
constexpr qsizetype kMaxQuotedLength = 80;

/// Quotes text for a message: control characters (a NUL byte included) become \xNN, so the
/// message prints whole, and text longer than kMaxQuotedLength is cut.
QString quoted(const QString &text)
{
    QString shown;
    for (const QChar c : text) {
        if (shown.size() >= kMaxQuotedLength) {
            shown += QChar(0x2026);
            break;
        }
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            shown += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            shown += c;
    }
    return QLatin1Char('"') + shown + QLatin1Char('"');
}

QString quotedUtf8(std::string_view text)
{
    return quoted(QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())));
}

bool isBlankChar(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && isBlankChar(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isBlankChar(text.back()))
        text.remove_suffix(1);
    return text;
}

/// Trims blanks and one pair of surrounding double quotes, for a field whose quotes were not at
/// its very start (` "label"`), so the tokenizer kept them.
std::string_view trimmedUnquoted(std::string_view text)
{
    text = trimmed(text);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = trimmed(text.substr(1, text.size() - 2));
    return text;
}

std::string asciiLower(std::string_view text)
{
    std::string lower(text);
    for (char &c : lower) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return lower;
}

template<size_t N>
bool contains(const std::array<std::string_view, N> &list, std::string_view text)
{
    return std::find(list.begin(), list.end(), text) != list.end();
}

template<size_t N>
QString joined(const std::array<std::string_view, N> &list)
{
    QStringList parts;
    for (const auto word : list)
        parts.append(QString::fromLatin1(word.data(), static_cast<qsizetype>(word.size())));
    return parts.join(QStringLiteral(", "));
}

struct CsvRecord {
    qsizetype line = 0; ///< Physical line where the record starts; the header is line 1.
    bool blank = false; ///< The line holds nothing but blanks.
    std::vector<std::string> fields;
    qsizetype fieldCount = 0; ///< Fields in use; `fields` keeps spare strings for reuse.
};

/// Splits RFC 4180 text into records. Quoted fields may contain the delimiter, doubled quotes
/// and line breaks. Line ends are LF, CRLF or a lone CR. A quote inside an unquoted field is
/// kept as text.
class CsvTokenizer
{
public:
    CsvTokenizer(std::string_view text, char delimiter)
        : m_text(text)
        , m_delimiter(delimiter)
    {}

    /// Reads the next record. Returns false at the end of the text or on an unclosed quote.
    bool next(CsvRecord &record)
    {
        if (m_pos >= m_text.size())
            return false;
        record.line = m_line;
        record.fieldCount = 0;
        record.blank = isBlankLine();
        if (record.blank) {
            skipToNextLine();
            return true;
        }
        for (;;) {
            std::string &field = nextField(record);
            if (m_pos < m_text.size() && m_text[m_pos] == '"') {
                if (!readQuoted(field)) {
                    m_unclosedQuoteLine = record.line;
                    return false;
                }
            }
            readUnquoted(field);
            if (m_pos < m_text.size() && m_text[m_pos] == m_delimiter) {
                ++m_pos;
                continue;
            }
            consumeLineEnd();
            return true;
        }
    }

    /// Line of a quoted field that runs to the end of the text, or 0.
    qsizetype unclosedQuoteLine() const { return m_unclosedQuoteLine; }

private:
    static std::string &nextField(CsvRecord &record)
    {
        if (static_cast<size_t>(record.fieldCount) == record.fields.size())
            record.fields.emplace_back();
        std::string &field = record.fields[static_cast<size_t>(record.fieldCount++)];
        field.clear();
        return field;
    }

    bool isBlankLine() const
    {
        for (size_t i = m_pos; i < m_text.size(); ++i) {
            const char c = m_text[i];
            if (c == '\n' || c == '\r')
                return true;
            if (c != ' ' && !(c == '\t' && m_delimiter != '\t'))
                return false;
        }
        return true;
    }

    void skipToNextLine()
    {
        while (m_pos < m_text.size() && m_text[m_pos] != '\n' && m_text[m_pos] != '\r')
            ++m_pos;
        consumeLineEnd();
    }

    void consumeLineEnd()
    {
        if (m_pos >= m_text.size())
            return;
        if (m_text[m_pos] == '\r')
            ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '\n')
            ++m_pos;
        ++m_line;
    }

    bool readQuoted(std::string &field)
    {
        ++m_pos; // opening quote
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '"') {
                if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '"') {
                    field.push_back('"');
                    m_pos += 2;
                    continue;
                }
                ++m_pos; // closing quote
                return true;
            }
            if (c == '\r' || c == '\n') {
                // A line break inside quotes is kept as a single LF, so no CR reaches a value.
                if (c == '\r' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n')
                    ++m_pos;
                field.push_back('\n');
                ++m_line;
                ++m_pos;
                continue;
            }
            field.push_back(c);
            ++m_pos;
        }
        return false;
    }

    void readUnquoted(std::string &field)
    {
        const size_t start = m_pos;
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == m_delimiter || c == '\n' || c == '\r')
                break;
            ++m_pos;
        }
        field.append(m_text.substr(start, m_pos - start));
    }

    std::string_view m_text;
    char m_delimiter;
    size_t m_pos = 0;
    qsizetype m_line = 1;
    qsizetype m_unclosedQuoteLine = 0;
};

/// Picks the delimiter that occurs most often outside quotes in the first line. Ties, and a
/// line without any of them, give a comma.
char detectDelimiter(std::string_view text)
{
    int commas = 0;
    int semicolons = 0;
    int tabs = 0;
    bool inQuotes = false;
    for (const char c : text) {
        if (c == '"')
            inQuotes = !inQuotes;
        else if (!inQuotes && (c == '\n' || c == '\r'))
            break;
        else if (!inQuotes && c == ',')
            ++commas;
        else if (!inQuotes && c == ';')
            ++semicolons;
        else if (!inQuotes && c == '\t')
            ++tabs;
    }
    if (semicolons > commas && semicolons >= tabs)
        return ';';
    if (tabs > commas && tabs > semicolons)
        return '\t';
    return ',';
}

enum class CellProblem { None, Empty, Missing, NotANumber, NotFinite, OutOfFloatRange };

QString describeProblem(CellProblem problem)
{
    switch (problem) {
    case CellProblem::Empty:
        return QStringLiteral("empty");
    case CellProblem::Missing:
        return QStringLiteral("a missing-value marker");
    case CellProblem::NotANumber:
        return QStringLiteral("not a number");
    case CellProblem::NotFinite:
        return QStringLiteral("not finite");
    case CellProblem::OutOfFloatRange:
        return QStringLiteral("beyond the 32-bit float range");
    case CellProblem::None:
        break;
    }
    return {};
}

/// Returns true when a number that std::from_chars reported as out of range is too small
/// rather than too large, because the decimal exponent of its first significant digit is
/// negative.
bool underflows(std::string_view number)
{
    if (!number.empty() && (number.front() == '-' || number.front() == '+'))
        number.remove_prefix(1);
    long long exponent = 0;
    const size_t e = number.find_first_of("eE");
    if (e != std::string_view::npos) {
        const std::string_view expText = number.substr(e + 1);
        const bool negative = !expText.empty() && expText.front() == '-';
        const std::string_view digits = expText.substr(
            !expText.empty() && (expText.front() == '-' || expText.front() == '+') ? 1 : 0);
        for (const char c : digits)
            exponent = std::min<long long>(exponent * 10 + (c - '0'), 1'000'000'000);
        if (negative)
            exponent = -exponent;
        number = number.substr(0, e);
    }
    const size_t point = number.find('.');
    const size_t firstSignificant = number.find_first_of("123456789");
    if (firstSignificant == std::string_view::npos)
        return true;
    const long long integerDigits =
        static_cast<long long>(point == std::string_view::npos ? number.size() : point);
    const auto position = static_cast<long long>(firstSignificant);
    // Digits before the point count up from 0, and digits after it count down from -1.
    const long long magnitude =
        position < integerDigits ? integerDigits - position - 1 : integerDigits - position;
    return magnitude + exponent < 0;
}

/// Parses one feature cell with the C locale rules. A value too small for a double becomes 0.
CellProblem parseCell(std::string_view text, double &value, bool &underflowed)
{
    text = trimmedUnquoted(text);
    if (text.empty())
        return CellProblem::Empty;
    if (text.size() <= 8 && contains(kMissingTokens, asciiLower(text)))
        return CellProblem::Missing;
    std::string_view number = text;
    if (number.size() > 1 && number.front() == '+' && number[1] != '-' && number[1] != '+')
        number.remove_prefix(1);
    const char *end = number.data() + number.size();
    const auto [ptr, ec] = std::from_chars(number.data(), end, value);
    if (ptr != end || ec == std::errc::invalid_argument)
        return CellProblem::NotANumber;
    if (ec == std::errc::result_out_of_range) {
        if (!underflows(number))
            return CellProblem::NotFinite;
        value = number.front() == '-' ? -0.0 : 0.0;
        underflowed = true;
        return CellProblem::None;
    }
    if (!std::isfinite(value))
        return CellProblem::NotFinite;
    if (std::abs(value) > static_cast<double>(FLT_MAX))
        return CellProblem::OutOfFloatRange;
    return CellProblem::None;
}

struct BadCell {
    qsizetype line = 0;
    qsizetype column = 0; ///< Feature index.
    std::string text;
    CellProblem problem = CellProblem::None;
};

/// Columns of the header and the role of each.
struct CsvLayout {
    QStringList names;
    qsizetype truthIndex = -1;
    qsizetype classIndex = -1;
    std::vector<qsizetype> featureIndex; ///< Field index of each feature column.
};

/// Everything read from the data rows, before the features are standardised.
struct CsvContent {
    qsizetype rowCount = 0;
    std::vector<double> raw; ///< rowCount x featureCount, in the units of the file.
    QStringList itemIds;
    std::vector<Truth> truth;
    std::vector<std::int32_t> classes;
    QStringList classNames;
    std::vector<BadCell> badCells; ///< The first kMaxListed bad cells.
    std::vector<qsizetype> badCountPerColumn;
    std::vector<std::vector<qsizetype>> badPositions; ///< Row index of each bad cell, by column.
    qsizetype badCellCount = 0;
    qsizetype underflowCount = 0;
};

class CsvParser
{
public:
    CsvParser(const QString &fileName, const CsvOptions &options)
        : m_fileName(QFileInfo(fileName).fileName().isEmpty() ? fileName
                                                              : QFileInfo(fileName).fileName())
        , m_options(options)
    {}

    Result<Dataset> parse(const QByteArray &bytes, const QString &source);

private:
    Failure failure(const QString &what) const
    {
        return fail(QStringLiteral("Cannot read %1: %2").arg(quoted(m_fileName), what));
    }

    Failure unclosedQuote(qsizetype line) const
    {
        return failure(QStringLiteral("the quoted field that starts on line %1 is never closed. "
                                      "Add the missing double quote.")
                           .arg(line));
    }

    Result<CsvLayout> readHeader(const CsvRecord &header) const;
    std::optional<Failure>
    readRows(CsvTokenizer &tokenizer, const CsvLayout &layout, CsvContent &content) const;
    std::optional<Failure> checkBadCells(const CsvLayout &layout, CsvContent &content) const;
    static void imputeMedians(const QStringList &featureNames,
                              const QStringList &itemIds,
                              CsvContent &content,
                              QStringList &notes);
    static void
    standardise(const QStringList &featureNames, const CsvContent &content, Dataset &dataset);

    QString m_fileName;
    CsvOptions m_options;
};

/// Returns the column names of a header record: quotes removed, blanks trimmed, line breaks
/// turned into spaces, and an empty name replaced by "column N" (also listed in unnamed).
QStringList columnNames(const CsvRecord &header, QStringList *unnamed)
{
    QStringList names;
    for (qsizetype i = 0; i < header.fieldCount; ++i) {
        const std::string_view field = trimmedUnquoted(header.fields[static_cast<size_t>(i)]);
        QString name = QString::fromUtf8(field.data(), static_cast<qsizetype>(field.size()));
        name.replace(QLatin1Char('\n'), QLatin1Char(' '));
        if (name.isEmpty()) {
            name = QStringLiteral("column %1").arg(i + 1);
            if (unnamed)
                unnamed->append(name);
        }
        names.append(name);
    }
    return names;
}

Result<CsvLayout> CsvParser::readHeader(const CsvRecord &header) const
{
    CsvLayout layout;
    QStringList unnamed;
    layout.names = columnNames(header, &unnamed);

    const QString truthName = m_options.truthColumn.trimmed();
    const QString className = m_options.classColumn.trimmed();
    if (!className.isEmpty() && className.compare(truthName, Qt::CaseInsensitive) == 0) {
        return failure(QStringLiteral("column %1 is named as both the ground-truth and the class "
                                      "column. The classifier must not see the ground truth; "
                                      "choose another class column.")
                           .arg(quoted(className)));
    }
    for (qsizetype i = 0; i < layout.names.size(); ++i) {
        const QString &name = layout.names.at(i);
        const bool isTruth =
            !truthName.isEmpty() && name.compare(truthName, Qt::CaseInsensitive) == 0;
        const bool isClass =
            !className.isEmpty() && name.compare(className, Qt::CaseInsensitive) == 0;
        if (isTruth && layout.truthIndex >= 0) {
            return failure(QStringLiteral("the header names the ground-truth column %1 twice, "
                                          "as columns %2 and %3. Rename one of them.")
                               .arg(quoted(truthName),
                                    QString::number(layout.truthIndex + 1),
                                    QString::number(i + 1)));
        }
        if (isClass && layout.classIndex >= 0) {
            return failure(QStringLiteral("the header names the class column %1 twice, "
                                          "as columns %2 and %3. Rename one of them.")
                               .arg(quoted(className),
                                    QString::number(layout.classIndex + 1),
                                    QString::number(i + 1)));
        }
        if (isTruth)
            layout.truthIndex = i;
        if (isClass)
            layout.classIndex = i;
        if (!isTruth && !isClass)
            layout.featureIndex.push_back(i);
    }

    if (!className.isEmpty() && layout.classIndex < 0) {
        return failure(QStringLiteral("the class column %1 is not in the header. The columns "
                                      "are: %2. Choose one of them or no class column.")
                           .arg(quoted(className), layout.names.join(QStringLiteral(", "))));
    }
    if (const Status shape =
            checkDatasetShape(0, static_cast<qsizetype>(layout.featureIndex.size()), m_fileName);
        !shape.ok()) {
        return fail(shape.error());
    }
    if (layout.featureIndex.empty()) {
        return failure(QStringLiteral("no feature columns: the header (%1) has only the "
                                      "ground-truth or class column. Add at least one numeric "
                                      "column.")
                           .arg(layout.names.join(QStringLiteral(", "))));
    }
    return layout;
}

std::optional<Failure>
CsvParser::readRows(CsvTokenizer &tokenizer, const CsvLayout &layout, CsvContent &content) const
{
    const auto columnCount = layout.names.size();
    const auto featureCount = static_cast<qsizetype>(layout.featureIndex.size());
    content.badCountPerColumn.assign(static_cast<size_t>(featureCount), 0);
    content.badPositions.assign(static_cast<size_t>(featureCount), {});

    QStringList shapeProblems;
    qsizetype shapeProblemCount = 0;
    qsizetype pendingBlankLine = 0; // a blank line is an error only when data follows it
    QString truthProblem;
    QString classProblem;
    QHash<QString, std::int32_t> classIndexByName;
    CsvRecord record;

    while (tokenizer.next(record)) {
        if (record.blank) {
            if (pendingBlankLine == 0)
                pendingBlankLine = record.line;
            continue;
        }
        if (pendingBlankLine > 0) {
            if (++shapeProblemCount <= kMaxListed)
                shapeProblems.append(QStringLiteral("line %1 is blank").arg(pendingBlankLine));
            pendingBlankLine = 0;
        }
        if (record.fieldCount != columnCount) {
            if (++shapeProblemCount <= kMaxListed) {
                shapeProblems.append(QStringLiteral("line %1 has %2 fields, expected %3")
                                         .arg(record.line)
                                         .arg(record.fieldCount)
                                         .arg(columnCount));
            }
            continue;
        }
        if (shapeProblemCount > 0)
            continue; // the file is rejected anyway, so only shape problems are collected

        if (content.rowCount >= kMaxDatasetValues / std::max<qsizetype>(featureCount, 1)) {
            const Status shape = checkDatasetShape(content.rowCount + 1, featureCount, m_fileName);
            return fail(shape.error()
                        + QStringLiteral(" The limit is reached on line %1.").arg(record.line));
        }
        const qsizetype row = content.rowCount++;
        content.itemIds.append(QStringLiteral("line %1").arg(record.line));

        for (qsizetype j = 0; j < featureCount; ++j) {
            const std::string &text =
                record.fields[static_cast<size_t>(layout.featureIndex[static_cast<size_t>(j)])];
            double value = 0.0;
            bool underflowed = false;
            const CellProblem problem = parseCell(text, value, underflowed);
            if (underflowed)
                ++content.underflowCount;
            if (problem != CellProblem::None) {
                if (content.badCells.size() < kMaxListed)
                    content.badCells.push_back({record.line, j, text, problem});
                ++content.badCellCount;
                ++content.badCountPerColumn[static_cast<size_t>(j)];
                content.badPositions[static_cast<size_t>(j)].push_back(row);
                value = 0.0;
            }
            content.raw.push_back(value);
        }

        if (layout.truthIndex >= 0 && truthProblem.isEmpty()) {
            const std::string &field = record.fields[static_cast<size_t>(layout.truthIndex)];
            const std::string value = asciiLower(trimmedUnquoted(field));
            if (contains(kAnomalySpellings, value)) {
                content.truth.push_back(Truth::Anomaly);
            } else if (contains(kNormalSpellings, value)) {
                content.truth.push_back(Truth::Normal);
            } else {
                truthProblem =
                    QStringLiteral("line %1, column %2 has the ground-truth value %3, which is "
                                   "neither an anomaly (%4) nor a normal item (%5). Use one of "
                                   "these values.")
                        .arg(record.line)
                        .arg(quoted(layout.names.at(layout.truthIndex)),
                             quotedUtf8(field),
                             joined(kAnomalySpellings),
                             joined(kNormalSpellings));
            }
        }

        if (layout.classIndex >= 0 && classProblem.isEmpty()) {
            const std::string_view field =
                trimmedUnquoted(record.fields[static_cast<size_t>(layout.classIndex)]);
            const QString name =
                QString::fromUtf8(field.data(), static_cast<qsizetype>(field.size()));
            if (name.isEmpty()) {
                classProblem = QStringLiteral("line %1, column %2 has no class value. Give "
                                              "every row a class.")
                                   .arg(record.line)
                                   .arg(quoted(layout.names.at(layout.classIndex)));
            } else {
                auto it = classIndexByName.constFind(name);
                if (it == classIndexByName.cend()) {
                    it = classIndexByName.insert(
                        name, static_cast<std::int32_t>(content.classNames.size()));
                    content.classNames.append(name);
                }
                content.classes.push_back(it.value());
            }
        }
    }

    if (tokenizer.unclosedQuoteLine() > 0) {
        return unclosedQuote(tokenizer.unclosedQuoteLine());
    }
    if (shapeProblemCount > 0) {
        QString list = shapeProblems.join(QStringLiteral("; "));
        if (shapeProblemCount > kMaxListed)
            list += QStringLiteral("; and %1 more rows").arg(shapeProblemCount - kMaxListed);
        return failure(QStringLiteral("%1. Every row needs one field per header column (%2) "
                                      "and no blank lines between rows; fix these rows.")
                           .arg(list)
                           .arg(columnCount));
    }
    if (content.rowCount == 0) {
        return failure(QStringLiteral("no data rows below the header. Add at least one row of "
                                      "values."));
    }
    if (std::optional<Failure> bad = checkBadCells(layout, content))
        return bad;
    if (!truthProblem.isEmpty())
        return failure(truthProblem);
    if (!classProblem.isEmpty())
        return failure(classProblem);
    return std::nullopt;
}

/// Rejects the file when bad cells exist under the Reject policy, or when a column has no
/// valid number to take a median from.
std::optional<Failure> CsvParser::checkBadCells(const CsvLayout &layout, CsvContent &content) const
{
    if (content.badCellCount == 0)
        return std::nullopt;

    auto featureName = [&](qsizetype j) {
        return layout.names.at(layout.featureIndex[static_cast<size_t>(j)]);
    };

    if (m_options.missingCells == MissingCellPolicy::Reject) {
        QStringList examples;
        for (const BadCell &cell : content.badCells) {
            examples.append(QStringLiteral("line %1, column %2: %3 (%4)")
                                .arg(cell.line)
                                .arg(quoted(featureName(cell.column)),
                                     quotedUtf8(cell.text),
                                     describeProblem(cell.problem)));
        }
        return failure(QStringLiteral("%1 feature cells are missing or not finite 32-bit "
                                      "numbers. The first: %2. Fix these cells, or load the "
                                      "file with missing cells replaced by the column median.")
                           .arg(content.badCellCount)
                           .arg(examples.join(QStringLiteral("; "))));
    }

    for (qsizetype j = 0; j < static_cast<qsizetype>(content.badCountPerColumn.size()); ++j) {
        if (content.badCountPerColumn[static_cast<size_t>(j)] == content.rowCount) {
            return failure(QStringLiteral("column %1 holds no valid number in any of its %2 "
                                          "rows, so it has no median to fill in. Fix the column "
                                          "or remove it.")
                               .arg(quoted(featureName(j)), QString::number(content.rowCount)));
        }
    }
    return std::nullopt;
}

double medianOf(std::vector<double> values)
{
    const size_t middle = values.size() / 2;
    std::nth_element(
        values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
    const double upper = values[middle];
    if (values.size() % 2 == 1)
        return upper;
    const double lower =
        *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
    return lower + (upper - lower) / 2.0;
}

void CsvParser::imputeMedians(const QStringList &featureNames,
                              const QStringList &itemIds,
                              CsvContent &content,
                              QStringList &notes)
{
    const auto featureCount = featureNames.size();
    for (qsizetype j = 0; j < featureCount; ++j) {
        const std::vector<qsizetype> &badRows = content.badPositions[static_cast<size_t>(j)];
        if (badRows.empty())
            continue;

        std::vector<double> good;
        good.reserve(static_cast<size_t>(content.rowCount) - badRows.size());
        size_t nextBad = 0;
        for (qsizetype row = 0; row < content.rowCount; ++row) {
            if (nextBad < badRows.size() && badRows[nextBad] == row) {
                ++nextBad;
                continue;
            }
            good.push_back(content.raw[static_cast<size_t>(row * featureCount + j)]);
        }
        const double median = medianOf(std::move(good));
        for (const qsizetype row : badRows)
            content.raw[static_cast<size_t>(row * featureCount + j)] = median;

        QStringList lines;
        for (size_t k = 0; k < badRows.size() && k < kMaxListed; ++k)
            lines.append(itemIds.at(badRows[k]));
        if (badRows.size() > kMaxListed)
            lines.append(QStringLiteral("..."));
        notes.append(QStringLiteral("Column %1: %2 missing or invalid cells (%3) were replaced "
                                    "by the column median %4.")
                         .arg(quoted(featureNames.at(j)),
                              QString::number(badRows.size()),
                              lines.join(QStringLiteral(", ")),
                              QString::number(median, 'g', 10)));
    }
}

/// Standardises each column to zero mean and unit population variance, in double precision. A
/// constant column is centred and keeps scale 1.
void CsvParser::standardise(const QStringList &featureNames,
                            const CsvContent &content,
                            Dataset &dataset)
{
    const qsizetype rows = content.rowCount;
    const qsizetype cols = featureNames.size();
    dataset.featureMean.assign(static_cast<size_t>(cols), 0.0);
    dataset.featureScale.assign(static_cast<size_t>(cols), 1.0);
    dataset.features.resize(static_cast<size_t>(rows * cols));
    QStringList constantColumns;

    for (qsizetype j = 0; j < cols; ++j) {
        auto at = [&](qsizetype row) { return content.raw[static_cast<size_t>(row * cols + j)]; };
        // Sums are taken relative to the first value, so a constant column gives exactly zero
        // spread and a column around 5e11 keeps its small differences.
        const double shift = at(0);
        double sum = 0.0;
        for (qsizetype row = 0; row < rows; ++row)
            sum += at(row) - shift;
        const double mean = shift + sum / static_cast<double>(rows);
        double squares = 0.0;
        for (qsizetype row = 0; row < rows; ++row) {
            const double d = at(row) - mean;
            squares += d * d;
        }
        const double std = std::sqrt(squares / static_cast<double>(rows));
        const bool constant = !(std > kConstantRelativeStd * std::abs(mean)) || std == 0.0;
        const double scale = constant ? 1.0 : std;
        if (constant)
            constantColumns.append(featureNames.at(j));

        dataset.featureMean[static_cast<size_t>(j)] = mean;
        dataset.featureScale[static_cast<size_t>(j)] = scale;
        for (qsizetype row = 0; row < rows; ++row) {
            dataset.features[static_cast<size_t>(row * cols + j)] =
                static_cast<float>((at(row) - mean) / scale);
        }
    }

    if (!constantColumns.isEmpty()) {
        dataset.importNotes.append(
            QStringLiteral("%1 constant columns are centred and kept at scale 1: %2.")
                .arg(constantColumns.size())
                .arg(constantColumns.join(QStringLiteral(", "))));
    }
}

Result<Dataset> CsvParser::parse(const QByteArray &bytes, const QString &source)
{
    std::string_view text(bytes.constData(), static_cast<size_t>(bytes.size()));
    if (text.size() >= 2
        && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff'))) {
        return failure(QStringLiteral("the file is UTF-16 text. Save it as UTF-8 and load it "
                                      "again."));
    }
    if (text.substr(0, 3) == "\xef\xbb\xbf")
        text.remove_prefix(3);
    // UTF-16 without a byte-order mark: ASCII text then has a zero byte in every other position.
    const std::string_view head = text.substr(0, 512);
    if (head.size() >= 4
        && std::count(head.begin(), head.end(), '\0') * 3 >= qsizetype(head.size())) {
        return failure(QStringLiteral("the file looks like UTF-16 text (every other byte is zero). "
                                      "Save it as UTF-8 and load it again."));
    }

    const char delimiter = detectDelimiter(text);
    CsvTokenizer tokenizer(text, delimiter);
    CsvRecord header;
    bool haveRecord = tokenizer.next(header);
    while (haveRecord && header.blank)
        haveRecord = tokenizer.next(header);
    if (tokenizer.unclosedQuoteLine() > 0) {
        return unclosedQuote(tokenizer.unclosedQuoteLine());
    }
    if (!haveRecord) {
        return failure(QStringLiteral("the file is empty. Choose a file with a header row and "
                                      "data rows."));
    }

    Result<CsvLayout> layout = readHeader(header);
    if (!layout)
        return fail(layout.error());

    CsvContent content;
    if (std::optional<Failure> problem = readRows(tokenizer, layout.value(), content))
        return std::move(*problem);

    Dataset dataset;
    dataset.name = m_fileName;
    dataset.source = source;
    dataset.kind = DatasetKind::Table;
    dataset.itemCount = content.rowCount;
    dataset.featureCount = static_cast<qsizetype>(layout.value().featureIndex.size());
    for (const qsizetype index : layout.value().featureIndex)
        dataset.featureNames.append(layout.value().names.at(index));
    dataset.itemIds = std::move(content.itemIds);

    QStringList &notes = dataset.importNotes;
    notes.append(QStringLiteral("Read %1 rows and %2 feature columns from %3.")
                     .arg(dataset.itemCount)
                     .arg(dataset.featureCount)
                     .arg(quoted(m_fileName)));
    if (delimiter == ';')
        notes.append(QStringLiteral("Fields are separated by semicolons."));
    else if (delimiter == '\t')
        notes.append(QStringLiteral("Fields are separated by tabs."));
    for (qsizetype i = 0; i < layout.value().names.size(); ++i) {
        if (trimmedUnquoted(header.fields[static_cast<size_t>(i)]).empty()) {
            notes.append(QStringLiteral("Column %1 has no name in the header and is called %2.")
                             .arg(i + 1)
                             .arg(quoted(layout.value().names.at(i))));
        }
    }

    if (layout.value().truthIndex >= 0) {
        dataset.truth = std::move(content.truth);
        const qsizetype anomalies = dataset.anomalyCount();
        notes.append(QStringLiteral("Ground truth from column %1: %2 anomalies and %3 normal "
                                    "items.")
                         .arg(quoted(layout.value().names.at(layout.value().truthIndex)),
                              QString::number(anomalies),
                              QString::number(dataset.itemCount - anomalies)));
    } else if (!m_options.truthColumn.trimmed().isEmpty()) {
        notes.append(QStringLiteral("The file has no ground-truth column %1, so it loads "
                                    "without ground truth.")
                         .arg(quoted(m_options.truthColumn.trimmed())));
    }
    if (layout.value().classIndex >= 0) {
        dataset.classes = std::move(content.classes);
        dataset.classNames = std::move(content.classNames);
        notes.append(QStringLiteral("Classes from column %1: %2 distinct values.")
                         .arg(quoted(layout.value().names.at(layout.value().classIndex)),
                              QString::number(dataset.classNames.size())));
    }
    if (content.underflowCount > 0) {
        notes.append(QStringLiteral("%1 values too close to zero for a double were read as 0.")
                         .arg(content.underflowCount));
    }

    imputeMedians(dataset.featureNames, dataset.itemIds, content, notes);
    standardise(dataset.featureNames, content, dataset);
    return dataset;
}

} // namespace

Result<Dataset>
parseCsv(const QByteArray &bytes, const QString &fileName, const CsvOptions &options)
{
    CsvParser parser(fileName, options);
    return parser.parse(bytes, fileName);
}

Result<QStringList> readCsvColumnNames(const QString &path)
{
    const QString fileName = quoted(QFileInfo(path).fileName());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(QStringLiteral("Cannot read %1: the file could not be opened (%2).")
                        .arg(fileName, file.errorString()));
    }
    const QByteArray bytes = file.read(kMaxCsvHeaderBytes);
    std::string_view text(bytes.constData(), static_cast<size_t>(bytes.size()));
    if (text.substr(0, 3) == "\xef\xbb\xbf")
        text.remove_prefix(3);
    if (!file.atEnd() && text.find_first_of("\r\n") == std::string_view::npos) {
        return fail(QStringLiteral("Cannot read %1: the first line is longer than %2 MiB.")
                        .arg(fileName)
                        .arg(kMaxCsvHeaderBytes >> 20));
    }

    CsvTokenizer tokenizer(text, detectDelimiter(text));
    CsvRecord header;
    bool haveRecord = tokenizer.next(header);
    while (haveRecord && header.blank)
        haveRecord = tokenizer.next(header);
    if (!haveRecord)
        return fail(QStringLiteral("Cannot read %1: the file has no header line.").arg(fileName));
    return columnNames(header, nullptr);
}

Result<Dataset> readCsv(const QString &path, const CsvOptions &options)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        return fail(QStringLiteral("Cannot read %1: it is not a regular file. Give a CSV file.")
                        .arg(quoted(info.fileName())));
    }
    if (info.size() > kMaxCsvBytes) {
        return fail(QStringLiteral("Cannot read %1: the file has %2 bytes, more than the %3 bytes "
                                   "a feature table may have. Split it or sample its rows.")
                        .arg(quoted(info.fileName()))
                        .arg(info.size())
                        .arg(kMaxCsvBytes));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(QStringLiteral("Cannot read %1: the file could not be opened (%2). Check the "
                                   "path and the permissions.")
                        .arg(quoted(QFileInfo(path).fileName()), file.errorString()));
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return fail(QStringLiteral("Cannot read %1: reading failed (%2).")
                        .arg(quoted(QFileInfo(path).fileName()), file.errorString()));
    }
    CsvParser parser(path, options);
    return parser.parse(bytes, path);
}

} // namespace uai
