#include "csvreader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace uai;

namespace {

QString casePath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/") + name;
}

QString tabularPath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/data/tabular/") + name;
}

QByteArray utf8(const char *text)
{
    return QByteArray(text);
}

/// Mean and population standard deviation of one feature column, computed here in long double.
std::pair<double, double> columnStats(const Dataset &data, qsizetype column)
{
    long double sum = 0;
    for (qsizetype i = 0; i < data.itemCount; ++i)
        sum += data.features[static_cast<size_t>(i * data.featureCount + column)];
    const long double mean = sum / data.itemCount;
    long double squares = 0;
    for (qsizetype i = 0; i < data.itemCount; ++i) {
        const long double d =
            data.features[static_cast<size_t>(i * data.featureCount + column)] - mean;
        squares += d * d;
    }
    return {double(mean), double(std::sqrt(squares / data.itemCount))};
}

bool allFinite(const Dataset &data)
{
    return std::all_of(
        data.features.begin(), data.features.end(), [](float v) { return std::isfinite(v); });
}

QString noteContaining(const Dataset &data, const QString &fragment)
{
    for (const QString &note : data.importNotes) {
        if (note.contains(fragment))
            return note;
    }
    return {};
}

} // namespace

class tst_CsvReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void caseFiles_data();
    void caseFiles();
    void benchmarkTables_data();
    void benchmarkTables();
    void constantColumnsCentred();
    void hugeScaleColumnStandardised();
    void byteOrderMarkAndQuotedHeader();
    void standardisationValues();
    void numberFormats_data();
    void numberFormats();
    void badCellRejected_data();
    void badCellRejected();
    void badCellCountAndFirstFive();
    void medianImputation();
    void emptyColumnImputationRejected();
    void nonfiniteCellsImputed();
    void truthSpellings_data();
    void truthSpellings();
    void unknownTruthRejected();
    void truthColumnMatching_data();
    void truthColumnMatching();
    void noTruthColumnNoted();
    void classColumn();
    void classColumnMissing();
    void delimiters_data();
    void delimiters();
    void quotedFieldsAcrossLines();
    void shapeErrors_data();
    void shapeErrors();
    void manyRaggedRowsCounted();
    void trailingBlankLinesAccepted();
    void missingFileNamed();
};

void tst_CsvReader::caseFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("policy");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("features");
    QTest::addColumn<int>("anomalies"); // -1: no ground truth
    QTest::addColumn<QStringList>("messageParts");

    const int reject = int(MissingCellPolicy::Reject);
    const int impute = int(MissingCellPolicy::ImputeMedian);
    auto loads = [&](const char *row, const char *file, int rows, int features, int anomalies) {
        QTest::newRow(row) << QString::fromLatin1(file) << reject << true << rows << features
                           << anomalies << QStringList();
    };
    auto rejected = [&](const char *row, const char *file, int policy, QStringList parts) {
        parts.prepend(QStringLiteral("\"%1\"").arg(QString::fromLatin1(file)));
        QTest::newRow(row) << QString::fromLatin1(file) << policy << false << 0 << 0 << 0 << parts;
    };

    rejected("empty file", "csv-empty-0-bytes.csv", reject, {QStringLiteral("empty")});
    rejected("header only", "csv-header-only.csv", reject, {QStringLiteral("no data rows")});
    rejected("label column only",
             "csv-label-column-only.csv",
             reject,
             {QStringLiteral("no feature columns")});
    rejected("ragged rows rejected",
             "csv-ragged-rows.csv",
             reject,
             {QStringLiteral("line 4 has 3 fields, expected 4"),
              QStringLiteral("line 6 is blank"),
              QStringLiteral("line 7 has 5 fields, expected 4")});
    rejected("missing tokens rejected",
             "csv-missing-tokens.csv",
             reject,
             {QStringLiteral("8 feature cells"),
              QStringLiteral("line 3, column \"b\": \"\" (empty)"),
              QStringLiteral("line 4, column \"a\": \"NA\""),
              QStringLiteral("line 5, column \"b\": \"?\""),
              QStringLiteral("line 6, column \"c\": \"NaN\""),
              QStringLiteral("line 7, column \"a\": \"null\""),
              QStringLiteral("median")});
    rejected("missing tokens imputed, empty label rejected",
             "csv-missing-tokens.csv",
             impute,
             {QStringLiteral("line 13"),
              QStringLiteral("column \"label\""),
              QStringLiteral("anomaly"),
              QStringLiteral("nominal")});
    rejected("nonfinite and overflow rejected",
             "csv-nonfinite-and-overflow.csv",
             reject,
             {QStringLiteral("8 feature cells"),
              QStringLiteral("line 3, column \"a\": \"inf\""),
              QStringLiteral("line 4, column \"b\": \"-inf\""),
              QStringLiteral("line 5, column \"c\": \"Infinity\""),
              QStringLiteral("line 6, column \"a\": \"1e308\" (beyond the 32-bit float range)"),
              QStringLiteral("line 7, column \"b\": \"1e309\" (not finite)")});

    QTest::newRow("nonfinite and overflow imputed")
        << QStringLiteral("csv-nonfinite-and-overflow.csv") << impute << true << 12 << 3 << 0
        << QStringList();
    loads("single row", "csv-single-row.csv", 1, 3, 0);
    loads("two rows", "csv-two-rows.csv", 2, 3, 1);
    loads("tiny five rows", "csv-tiny-5-rows.csv", 5, 3, 1);
    loads("single feature without truth", "csv-single-feature.csv", 50, 1, -1);
    loads("wide table", "csv-wide-4rows-5000cols.csv", 4, 5000, 1);
    loads("medium table", "csv-medium-2000x32.csv", 2000, 32, 20);
    loads("huge-scale column", "csv-huge-scale-column.csv", 200, 3, 2);
    loads("byte-order mark, label first", "csv-utf8-bom-label-first.csv", 12, 3, 2);
    loads("byte-order mark, CRLF, quoted header", "csv-utf8-bom-crlf-quoted-header.csv", 10, 3, 1);
    loads("17 rows", "csv-rows-17.csv", 17, 4, 1);
    loads("18 rows", "csv-rows-18.csv", 18, 4, 1);
    loads("33 rows", "csv-rows-33.csv", 33, 4, 1);
    loads("65 rows", "csv-rows-65.csv", 65, 4, 1);
    loads("129 rows", "csv-rows-129.csv", 129, 4, 1);
}

void tst_CsvReader::caseFiles()
{
    QFETCH(QString, file);
    QFETCH(int, policy);
    QFETCH(bool, loads);
    QFETCH(int, rows);
    QFETCH(int, features);
    QFETCH(int, anomalies);
    QFETCH(QStringList, messageParts);

    CsvOptions options;
    options.missingCells = MissingCellPolicy(policy);
    const Result<Dataset> result = readCsv(casePath(file), options);

    if (!loads) {
        QVERIFY2(!result.ok(), "the file loaded but should be rejected");
        for (const QString &part : messageParts)
            QVERIFY2(result.error().contains(part), qPrintable(result.error()));
        return;
    }
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.itemCount, rows);
    QCOMPARE(data.featureCount, features);
    QCOMPARE(data.kind, DatasetKind::Table);
    QCOMPARE(data.name, file);
    QVERIFY(allFinite(data));
    QCOMPARE(data.featureMean.size(), size_t(features));
    QCOMPARE(data.featureScale.size(), size_t(features));
    QCOMPARE(data.hasTruth(), anomalies >= 0);
    if (anomalies >= 0)
        QCOMPARE(data.anomalyCount(), anomalies);
    QVERIFY(!data.importNotes.isEmpty());
}

void tst_CsvReader::benchmarkTables_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("features");
    QTest::addColumn<int>("anomalies");
    QTest::addColumn<int>("constantColumns");

    // Rows, features and anomalies as documented for the benchmark data; constant columns
    // counted with awk over the raw files.
    QTest::newRow("abalone") << QStringLiteral("abalone.csv") << 1920 << 9 << 29 << 0;
    QTest::newRow("ann_thyroid_1v3")
        << QStringLiteral("ann_thyroid_1v3.csv") << 3251 << 21 << 73 << 1;
    QTest::newRow("cardiotocography_1")
        << QStringLiteral("cardiotocography_1.csv") << 1700 << 21 << 45 << 0;
    QTest::newRow("covtype_sub") << QStringLiteral("covtype_sub.csv") << 2000 << 54 << 19 << 8;
    QTest::newRow("electricity") << QStringLiteral("electricity.csv") << 27447 << 13 << 1372 << 0;
    QTest::newRow("kddcup_sub") << QStringLiteral("kddcup_sub.csv") << 2000 << 91 << 77 << 37;
    QTest::newRow("mammography") << QStringLiteral("mammography.csv") << 11183 << 6 << 260 << 0;
    QTest::newRow("mammography_sub")
        << QStringLiteral("mammography_sub.csv") << 2000 << 6 << 46 << 0;
    QTest::newRow("shuttle_1v23567")
        << QStringLiteral("shuttle_1v23567.csv") << 12345 << 9 << 867 << 0;
    QTest::newRow("shuttle_sub") << QStringLiteral("shuttle_sub.csv") << 2000 << 9 << 140 << 0;
    QTest::newRow("toy") << QStringLiteral("toy.csv") << 485 << 2 << 20 << 0;
    QTest::newRow("toy2") << QStringLiteral("toy2.csv") << 485 << 2 << 35 << 0;
    QTest::newRow("toy_hard") << QStringLiteral("toy_hard.csv") << 484 << 2 << 34 << 0;
    QTest::newRow("weather") << QStringLiteral("weather.csv") << 13117 << 8 << 656 << 0;
    QTest::newRow("yeast") << QStringLiteral("yeast.csv") << 1191 << 8 << 55 << 0;
}

void tst_CsvReader::benchmarkTables()
{
    QFETCH(QString, file);
    QFETCH(int, rows);
    QFETCH(int, features);
    QFETCH(int, anomalies);
    QFETCH(int, constantColumns);

    const Result<Dataset> result = readCsv(tabularPath(file));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.itemCount, rows);
    QCOMPARE(data.featureCount, features);
    QCOMPARE(data.anomalyCount(), anomalies);
    QVERIFY(allFinite(data));
    QCOMPARE(data.itemIds.first(), QStringLiteral("line 2"));
    QCOMPARE(data.itemIds.last(), QStringLiteral("line %1").arg(rows + 1));
    QVERIFY(!data.featureNames.contains(QStringLiteral("label")));

    int constant = 0;
    for (qsizetype j = 0; j < data.featureCount; ++j) {
        const auto [mean, std] = columnStats(data, j);
        QVERIFY2(std::abs(mean) < 1e-5, qPrintable(data.featureNames.at(j)));
        if (std == 0.0) {
            ++constant;
            QCOMPARE(data.featureScale[size_t(j)], 1.0);
            continue;
        }
        QVERIFY2(std::abs(std - 1.0) < 1e-4,
                 qPrintable(QStringLiteral("%1: std %2").arg(data.featureNames.at(j)).arg(std)));
    }
    QCOMPARE(constant, constantColumns);
    if (constantColumns > 0)
        QVERIFY(
            !noteContaining(data, QStringLiteral("%1 constant columns").arg(constant)).isEmpty());
}

void tst_CsvReader::constantColumnsCentred()
{
    const Result<Dataset> result = readCsv(tabularPath(QStringLiteral("kddcup_sub.csv")));
    QVERIFY(result.ok());
    const Dataset &data = result.value();

    // The 37 constant columns of kddcup_sub, as documented with the data.
    const QStringList expected = {
        QStringLiteral("v4"),  QStringLiteral("v6"),  QStringLiteral("v7"),  QStringLiteral("v8"),
        QStringLiteral("v9"),  QStringLiteral("v11"), QStringLiteral("v17"), QStringLiteral("v19"),
        QStringLiteral("v20"), QStringLiteral("v21"), QStringLiteral("v22"), QStringLiteral("v23"),
        QStringLiteral("v24"), QStringLiteral("v25"), QStringLiteral("v26"), QStringLiteral("v27"),
        QStringLiteral("v28"), QStringLiteral("v30"), QStringLiteral("v31"), QStringLiteral("v32"),
        QStringLiteral("v34"), QStringLiteral("v35"), QStringLiteral("v37"), QStringLiteral("v38"),
        QStringLiteral("v39"), QStringLiteral("v41"), QStringLiteral("v42"), QStringLiteral("v45"),
        QStringLiteral("v47"), QStringLiteral("v48"), QStringLiteral("v50"), QStringLiteral("v51"),
        QStringLiteral("v53"), QStringLiteral("v59"), QStringLiteral("v68"), QStringLiteral("v70"),
        QStringLiteral("v71")};
    QCOMPARE(expected.size(), 37);

    for (const QString &name : expected) {
        const qsizetype j = data.featureNames.indexOf(name);
        QVERIFY2(j >= 0, qPrintable(name));
        QCOMPARE(data.featureScale[size_t(j)], 1.0);
        for (qsizetype i = 0; i < data.itemCount; ++i)
            QCOMPARE(data.features[size_t(i * data.featureCount + j)], 0.0f);
    }
    const QString note = noteContaining(data, QStringLiteral("37 constant columns"));
    QVERIFY2(note.contains(QStringLiteral("v71")), qPrintable(note));
}

void tst_CsvReader::hugeScaleColumnStandardised()
{
    const QString path = casePath(QStringLiteral("csv-huge-scale-column.csv"));
    const Result<Dataset> result = readCsv(path);
    QVERIFY(result.ok());
    const Dataset &data = result.value();
    QCOMPARE(data.featureNames,
             QStringList({QStringLiteral("x1"), QStringLiteral("x2_bytes"), QStringLiteral("x3")}));

    // Independent z-scores of column x2_bytes from the file text, in long double.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    std::vector<long double> raw;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (!lines.at(i).isEmpty())
            raw.push_back(lines.at(i).split(',').at(1).toDouble());
    }
    QCOMPARE(raw.size(), size_t(200));
    long double sum = 0;
    for (const auto v : raw)
        sum += v;
    const long double mean = sum / raw.size();
    long double squares = 0;
    for (const auto v : raw)
        squares += (v - mean) * (v - mean);
    const long double std = std::sqrt(squares / raw.size());

    QVERIFY(std::abs(data.featureMean[1] - double(mean)) < 1.0);
    QVERIFY(std::abs(data.featureScale[1] / double(std) - 1.0) < 1e-9);
    for (size_t i = 0; i < raw.size(); ++i) {
        const double expected = double((raw[i] - mean) / std);
        QVERIFY2(std::abs(data.features[i * 3 + 1] - expected) < 1e-5,
                 qPrintable(QStringLiteral("row %1").arg(i)));
    }
    // Line 39 contains 483668100479.0, and the raw value comes back within float precision.
    QVERIFY(std::abs(data.rawValue(37, 1) / 483668100479.0 - 1.0) < 1e-7);
}

void tst_CsvReader::byteOrderMarkAndQuotedHeader()
{
    const Result<Dataset> crlf =
        readCsv(casePath(QStringLiteral("csv-utf8-bom-crlf-quoted-header.csv")));
    QVERIFY(crlf.ok());
    QCOMPARE(crlf.value().featureNames,
             QStringList({QStringLiteral("x1"), QStringLiteral("x2"), QStringLiteral("x3")}));
    QCOMPARE(crlf.value().truth.at(6), Truth::Anomaly); // line 8
    QCOMPARE(crlf.value().itemIds.at(6), QStringLiteral("line 8"));
    QVERIFY(std::abs(crlf.value().rawValue(6, 0) - 8.8190) < 1e-6);
    QVERIFY(std::abs(crlf.value().rawValue(9, 2) - -0.9035) < 1e-6); // last cell before CRLF

    const Result<Dataset> labelFirst =
        readCsv(casePath(QStringLiteral("csv-utf8-bom-label-first.csv")));
    QVERIFY(labelFirst.ok());
    QCOMPARE(
        labelFirst.value().featureNames,
        QStringList(
            {QStringLiteral("temp"), QStringLiteral("pressure"), QStringLiteral("vibration")}));
    QCOMPARE(labelFirst.value().truth.at(3), Truth::Anomaly); // line 5
    QCOMPARE(labelFirst.value().truth.at(8), Truth::Anomaly); // line 10
    QCOMPARE(labelFirst.value().anomalyCount(), 2);
}

void tst_CsvReader::standardisationValues()
{
    // Column a = 1, 2, 3, 4: mean 2.5, population std sqrt(1.25).
    const Result<Dataset> result =
        parseCsv(utf8("a,b\n1,7\n2,7\n3,7\n4,7\n"), QStringLiteral("small.csv"));
    QVERIFY(result.ok());
    const Dataset &data = result.value();
    const double std = 1.118033988749895;
    QCOMPARE(data.featureMean[0], 2.5);
    QCOMPARE(data.featureScale[0], std);
    const float expected[] = {
        float(-1.5 / std), float(-0.5 / std), float(0.5 / std), float(1.5 / std)};
    for (int i = 0; i < 4; ++i)
        QCOMPARE(data.features[size_t(i * 2)], expected[i]);
    QCOMPARE(data.featureMean[1], 7.0);
    QCOMPARE(data.featureScale[1], 1.0);
    QCOMPARE(data.features[1], 0.0f);
    QVERIFY(!noteContaining(data, QStringLiteral("1 constant columns")).isEmpty());
    QVERIFY(!data.hasTruth());
}

void tst_CsvReader::numberFormats_data()
{
    QTest::addColumn<QByteArray>("cell");
    QTest::addColumn<double>("value");

    QTest::newRow("integer") << utf8("12") << 12.0;
    QTest::newRow("decimal") << utf8("0.465") << 0.465;
    QTest::newRow("scientific") << utf8("6e-05") << 6e-05;
    QTest::newRow("upper-case exponent") << utf8("1.5E3") << 1500.0;
    QTest::newRow("negative zero") << utf8("-0.0000") << 0.0;
    QTest::newRow("leading plus") << utf8("+2.5") << 2.5;
    QTest::newRow("surrounding spaces") << utf8("  3.25 ") << 3.25;
    QTest::newRow("quoted number") << utf8("\"4.5\"") << 4.5;
    QTest::newRow("underflow to zero") << utf8("1e-400") << 0.0;
    QTest::newRow("negative underflow to zero") << utf8("-0.001e-398") << 0.0;
    QTest::newRow("largest float") << utf8("3.4e38") << 3.4e38;
    QTest::newRow("leading point") << utf8(".5") << 0.5;
}

void tst_CsvReader::numberFormats()
{
    QFETCH(QByteArray, cell);
    QFETCH(double, value);

    // With one row the column is constant, so its mean is exactly the parsed value.
    const Result<Dataset> result =
        parseCsv("x,label\n" + cell + ",0\n", QStringLiteral("number.csv"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().featureMean.at(0), value);
}

void tst_CsvReader::badCellRejected_data()
{
    QTest::addColumn<QByteArray>("cell");
    QTest::addColumn<QString>("reason");

    QTest::newRow("empty") << utf8("") << QStringLiteral("empty");
    QTest::newRow("blank") << utf8("   ") << QStringLiteral("empty");
    QTest::newRow("NA") << utf8("NA") << QStringLiteral("missing-value marker");
    QTest::newRow("N/A") << utf8("N/A") << QStringLiteral("missing-value marker");
    QTest::newRow("#N/A") << utf8("#N/A") << QStringLiteral("missing-value marker");
    QTest::newRow("question mark") << utf8("?") << QStringLiteral("missing-value marker");
    QTest::newRow("dash") << utf8("-") << QStringLiteral("missing-value marker");
    QTest::newRow("null") << utf8("null") << QStringLiteral("missing-value marker");
    QTest::newRow("None") << utf8("None") << QStringLiteral("missing-value marker");
    QTest::newRow("NaN") << utf8("NaN") << QStringLiteral("missing-value marker");
    QTest::newRow("infinity") << utf8("-Infinity") << QStringLiteral("not finite");
    QTest::newRow("double overflow") << utf8("1e309") << QStringLiteral("not finite");
    QTest::newRow("beyond float32") << utf8("3.5e38") << QStringLiteral("32-bit float range");
    QTest::newRow("most negative double")
        << utf8("-1.7976931348623157e308") << QStringLiteral("32-bit float range");
    QTest::newRow("word") << utf8("abc") << QStringLiteral("not a number");
    QTest::newRow("decimal comma") << utf8("\"1,5\"") << QStringLiteral("not a number");
    QTest::newRow("hexadecimal") << utf8("0x10") << QStringLiteral("not a number");
    QTest::newRow("cut exponent") << utf8("1.5e") << QStringLiteral("not a number");
    QTest::newRow("double sign") << utf8("+-1") << QStringLiteral("not a number");
}

void tst_CsvReader::badCellRejected()
{
    QFETCH(QByteArray, cell);
    QFETCH(QString, reason);

    const QByteArray text = "x,weight,label\n1,2,0\n3," + cell + ",1\n5,6,0\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("/some/folder/cells.csv"));
    QVERIFY(!result.ok());
    const QString &message = result.error();
    QVERIFY2(message.startsWith(QStringLiteral("Cannot read \"cells.csv\"")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("1 feature cells")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("line 3, column \"weight\"")), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
}

void tst_CsvReader::badCellCountAndFirstFive()
{
    QByteArray text = "a,b\n";
    for (int i = 0; i < 8; ++i)
        text += "NA," + QByteArray::number(i) + "\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("many.csv"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("8 feature cells")),
             qPrintable(result.error()));
    for (int line = 2; line <= 6; ++line)
        QVERIFY(result.error().contains(QStringLiteral("line %1, column \"a\"").arg(line)));
    QVERIFY(!result.error().contains(QStringLiteral("line 7,")));
}

void tst_CsvReader::medianImputation()
{
    CsvOptions options;
    options.missingCells = MissingCellPolicy::ImputeMedian;
    // Column a: good cells 1, 2, 4, 10, median 3. Column b: good cells 5, 9, 7, median 7.
    const QByteArray text = "a,b,label\n1,5,0\n2,NA,0\n?,9,0\n4,,0\n10,7,1\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("gaps.csv"), options);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QVERIFY(std::abs(data.rawValue(2, 0) - 3.0) < 1e-6);
    QVERIFY(std::abs(data.rawValue(1, 1) - 7.0) < 1e-6);
    QVERIFY(std::abs(data.rawValue(3, 1) - 7.0) < 1e-6);
    QVERIFY(std::abs(data.rawValue(4, 0) - 10.0) < 1e-6);

    const QString noteA = noteContaining(data, QStringLiteral("Column \"a\""));
    QVERIFY2(noteA.contains(QStringLiteral("1 missing or invalid cells")), qPrintable(noteA));
    QVERIFY2(noteA.contains(QStringLiteral("line 4")), qPrintable(noteA));
    QVERIFY2(noteA.contains(QStringLiteral("median 3")), qPrintable(noteA));
    const QString noteB = noteContaining(data, QStringLiteral("Column \"b\""));
    QVERIFY2(noteB.contains(QStringLiteral("2 missing or invalid cells")), qPrintable(noteB));
    QVERIFY2(noteB.contains(QStringLiteral("median 7")), qPrintable(noteB));
}

void tst_CsvReader::emptyColumnImputationRejected()
{
    CsvOptions options;
    options.missingCells = MissingCellPolicy::ImputeMedian;
    const Result<Dataset> result =
        parseCsv(utf8("a,comment\n1,x\n2,NA\n"), QStringLiteral("text.csv"), options);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("column \"comment\"")),
             qPrintable(result.error()));
    QVERIFY2(result.error().contains(QStringLiteral("no valid number")),
             qPrintable(result.error()));
}

void tst_CsvReader::nonfiniteCellsImputed()
{
    CsvOptions options;
    options.missingCells = MissingCellPolicy::ImputeMedian;
    const Result<Dataset> result =
        readCsv(casePath(QStringLiteral("csv-nonfinite-and-overflow.csv")), options);
    QVERIFY(result.ok());
    const Dataset &data = result.value();
    QVERIFY(allFinite(data));
    // Column a keeps 0.51, 0.48, 0.50, 0.47, 0.49, 0.52, 0.46, 0.50: median 0.495.
    QVERIFY(std::abs(data.rawValue(1, 0) - 0.495) < 1e-6);
    // 1e-400 on line 10 is read as 0, not as a bad cell.
    QVERIFY(std::abs(data.rawValue(8, 1)) < 1e-6);
    QVERIFY(!noteContaining(data, QStringLiteral("Column \"a\": 4 missing")).isEmpty());
    QVERIFY(!noteContaining(data, QStringLiteral("Column \"b\": 2 missing")).isEmpty());
    QVERIFY(!noteContaining(data, QStringLiteral("Column \"c\": 2 missing")).isEmpty());
    QVERIFY(!noteContaining(data, QStringLiteral("1 values too close to zero")).isEmpty());
}

void tst_CsvReader::truthSpellings_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("anomaly");

    QTest::newRow("anomaly") << utf8("anomaly") << true;
    QTest::newRow("Anomalous") << utf8("Anomalous") << true;
    QTest::newRow("OUTLIER") << utf8("OUTLIER") << true;
    QTest::newRow("abnormal") << utf8("abnormal") << true;
    QTest::newRow("1") << utf8("1") << true;
    QTest::newRow("True") << utf8("True") << true;
    QTest::newRow("yes with spaces") << utf8("  yes ") << true;
    QTest::newRow("quoted anomaly") << utf8("\"anomaly\"") << true;
    QTest::newRow("nominal") << utf8("nominal") << false;
    QTest::newRow("Normal") << utf8("Normal") << false;
    QTest::newRow("inlier") << utf8("inlier") << false;
    QTest::newRow("0") << utf8("0") << false;
    QTest::newRow("FALSE") << utf8("FALSE") << false;
    QTest::newRow("no") << utf8("no") << false;
}

void tst_CsvReader::truthSpellings()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, anomaly);

    const Result<Dataset> result =
        parseCsv("x,label\n1," + value + "\n2,nominal\n", QStringLiteral("truth.csv"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().truth.at(0), anomaly ? Truth::Anomaly : Truth::Normal);
    QCOMPARE(result.value().truth.at(1), Truth::Normal);
}

void tst_CsvReader::unknownTruthRejected()
{
    const Result<Dataset> result =
        parseCsv(utf8("x,label\n1,0\n2,maybe\n3,1\n"), QStringLiteral("truth.csv"));
    QVERIFY(!result.ok());
    const QString &message = result.error();
    QVERIFY2(message.contains(QStringLiteral("line 3, column \"label\"")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("\"maybe\"")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("anomaly, anomalous, outlier, abnormal, 1, true, "
                                             "yes")),
             qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("nominal, normal, inlier, 0, false, no")),
             qPrintable(message));
}

void tst_CsvReader::truthColumnMatching_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("truthColumn");

    QTest::newRow("capitalised") << utf8("x,Label") << QStringLiteral("label");
    QTest::newRow("quoted with spaces") << utf8("x, \"LABEL\" ") << QStringLiteral("label");
    QTest::newRow("custom name") << utf8("x,ground.truth") << QStringLiteral("Ground.Truth");
    QTest::newRow("option with spaces") << utf8("x,label") << QStringLiteral(" label ");
}

void tst_CsvReader::truthColumnMatching()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, truthColumn);

    CsvOptions options;
    options.truthColumn = truthColumn;
    const Result<Dataset> result =
        parseCsv(header + "\n1,0\n2,1\n", QStringLiteral("t.csv"), options);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().featureNames, QStringList({QStringLiteral("x")}));
    QCOMPARE(result.value().anomalyCount(), 1);
}

void tst_CsvReader::noTruthColumnNoted()
{
    const Result<Dataset> result = parseCsv(utf8("x,y\n1,2\n3,5\n"), QStringLiteral("t.csv"));
    QVERIFY(result.ok());
    QVERIFY(!result.value().hasTruth());
    QCOMPARE(result.value().featureCount, 2);
    QVERIFY(!noteContaining(result.value(), QStringLiteral("without ground truth")).isEmpty());
}

void tst_CsvReader::classColumn()
{
    CsvOptions options;
    options.classColumn = QStringLiteral("Kind");
    const QByteArray text = "x,kind,label\n1,b,0\n2,\"a, quoted\",0\n3,b,1\n4,c,0\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("k.csv"), options);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.featureNames, QStringList({QStringLiteral("x")}));
    QCOMPARE(data.classNames,
             QStringList({QStringLiteral("b"), QStringLiteral("a, quoted"), QStringLiteral("c")}));
    QCOMPARE(data.classes, (std::vector<std::int32_t>{0, 1, 0, 2}));
    QCOMPARE(data.anomalyCount(), 1);
}

void tst_CsvReader::classColumnMissing()
{
    CsvOptions options;
    options.classColumn = QStringLiteral("species");
    const Result<Dataset> result =
        parseCsv(utf8("x,y,label\n1,2,0\n"), QStringLiteral("k.csv"), options);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("\"species\"")), qPrintable(result.error()));
    QVERIFY2(result.error().contains(QStringLiteral("x, y, label")), qPrintable(result.error()));
}

void tst_CsvReader::delimiters_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("comma") << utf8("a,b,label\n1.5,2,0\n3,4,1\n");
    QTest::newRow("semicolon") << utf8("a;b;label\n1.5;2;0\n3;4;1\n");
    QTest::newRow("tab") << utf8("a\tb\tlabel\n1.5\t2\t0\n3\t4\t1\n");
    QTest::newRow("semicolon with quoted comma in header")
        << utf8("\"a,1\";b;label\n1.5;2;0\n3;4;1\n");
    QTest::newRow("CRLF without final line end") << utf8("a,b,label\r\n1.5,2,0\r\n3,4,1");
}

void tst_CsvReader::delimiters()
{
    QFETCH(QByteArray, text);

    const Result<Dataset> result = parseCsv(text, QStringLiteral("d.csv"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.itemCount, 2);
    QCOMPARE(data.featureCount, 2);
    QCOMPARE(data.anomalyCount(), 1);
    QVERIFY(std::abs(data.rawValue(0, 0) - 1.5) < 1e-6);
    QVERIFY(std::abs(data.rawValue(1, 1) - 4.0) < 1e-6);
    for (const QString &name : data.featureNames)
        QVERIFY(!name.contains(QLatin1Char('\r')) && !name.contains(QLatin1Char('"')));
}

void tst_CsvReader::quotedFieldsAcrossLines()
{
    CsvOptions options;
    options.classColumn = QStringLiteral("note");
    // The quoted note on line 3 spans lines 3 and 4, so the next row starts on line 5.
    const QByteArray text =
        "x,note,label\n1,plain,0\n2,\"two\r\nlines, \"\"quoted\"\"\",1\n3,z,0\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("q.csv"), options);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.itemIds,
             QStringList(
                 {QStringLiteral("line 2"), QStringLiteral("line 3"), QStringLiteral("line 5")}));
    QCOMPARE(data.classNames.at(1), QStringLiteral("two\nlines, \"quoted\""));
}

void tst_CsvReader::shapeErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("messageParts");

    QTest::newRow("blank line between rows")
        << utf8("a,label\n1,0\n\n2,1\n") << QStringList{QStringLiteral("line 3 is blank")};
    QTest::newRow("whitespace line between rows")
        << utf8("a,label\n1,0\n   \n2,1\n") << QStringList{QStringLiteral("line 3 is blank")};
    QTest::newRow("short row") << utf8("a,b,label\n1,2,0\n1,0\n")
                               << QStringList{QStringLiteral("line 3 has 2 fields, expected 3")};
    QTest::newRow("long row") << utf8("a,b,label\n1,2,0,9\n")
                              << QStringList{QStringLiteral("line 2 has 4 fields, expected 3")};
    QTest::newRow("unclosed quote") << utf8("a,label\n1,0\n\"2,1\n3,0\n")
                                    << QStringList{QStringLiteral("line 3 is never closed")};
    QTest::newRow("unclosed quote in header")
        << utf8("\"a,label\n1,0\n") << QStringList{QStringLiteral("line 1 is never closed")};
    QTest::newRow("whitespace only file")
        << utf8("  \n\r\n\n") << QStringList{QStringLiteral("the file is empty")};
    QTest::newRow("UTF-16 file") << QByteArray("\xff\xfe"
                                               "a\0,\0",
                                               6)
                                 << QStringList{QStringLiteral("UTF-16")};
    QTest::newRow("truth column twice")
        << utf8("label,a,LABEL\n0,1,0\n") << QStringList{QStringLiteral("columns 1 and 3")};
}

void tst_CsvReader::shapeErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, messageParts);

    const Result<Dataset> result = parseCsv(text, QStringLiteral("shape.csv"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(QStringLiteral("Cannot read \"shape.csv\": ")),
             qPrintable(result.error()));
    for (const QString &part : messageParts)
        QVERIFY2(result.error().contains(part), qPrintable(result.error()));
}

void tst_CsvReader::manyRaggedRowsCounted()
{
    QByteArray text = "a,b,label\n";
    for (int i = 0; i < 9; ++i)
        text += "1,0\n";
    const Result<Dataset> result = parseCsv(text, QStringLiteral("r.csv"));
    QVERIFY(!result.ok());
    for (int line = 2; line <= 6; ++line) {
        QVERIFY2(result.error().contains(QStringLiteral("line %1 has 2 fields").arg(line)),
                 qPrintable(result.error()));
    }
    QVERIFY(!result.error().contains(QStringLiteral("line 7 has")));
    QVERIFY2(result.error().contains(QStringLiteral("and 4 more rows")),
             qPrintable(result.error()));
}

void tst_CsvReader::trailingBlankLinesAccepted()
{
    const Result<Dataset> result =
        parseCsv(utf8("a,label\n1,0\n2,1\n\n\r\n  \n"), QStringLiteral("t.csv"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().itemCount, 2);
}

void tst_CsvReader::missingFileNamed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<Dataset> result = readCsv(dir.filePath(QStringLiteral("absent.csv")));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(QStringLiteral("Cannot read \"absent.csv\"")),
             qPrintable(result.error()));
}

QTEST_GUILESS_MAIN(tst_CsvReader)
#include "tst_csvreader.moc"
