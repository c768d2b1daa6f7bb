#include "datasource.h"
#include "hardconstruction.h"
#include "idxreader.h"
#include "rareclassconstruction.h"
#include "torchruntime.h"

#include <QTest>

#include <set>

namespace {

const QString kMnistImages =
    QStringLiteral(UAI_SHARED_DIR "/data/mnist10k/t10k-images-idx3-ubyte.gz");
const QString kMnistLabels =
    QStringLiteral(UAI_SHARED_DIR "/data/mnist10k/t10k-labels-idx1-ubyte.gz");

/// Digit counts of the 10,000 MNIST digits, from the data's documentation.
const int kDigitCounts[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

} // namespace

class tst_Constructions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rareClassKeepsTenPercent_data();
    void rareClassKeepsTenPercent();
    void rareClassIsDeterministic();
    void hardSetMarksMisclassified();
    void dataSourceSpecs_data();
    void dataSourceSpecs();

private:
    uai::Dataset m_mnist;
};

void tst_Constructions::initTestCase()
{
    uai::configureTorchThreads(1);
    auto loaded = uai::readIdxDataset(kMnistImages, kMnistLabels);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    m_mnist = std::move(loaded).value();
    QCOMPARE(m_mnist.itemCount, 10000);
}

void tst_Constructions::rareClassKeepsTenPercent_data()
{
    QTest::addColumn<QList<int>>("rare");
    QTest::addColumn<int>("firstCommon");
    QTest::newRow("digit 0") << QList<int>{0} << 1;
    QTest::newRow("digits 0 to 2") << QList<int>{0, 1, 2} << 3;
}

void tst_Constructions::rareClassKeepsTenPercent()
{
    QFETCH(QList<int>, rare);
    QFETCH(int, firstCommon);

    const auto built = uai::makeRareClassSet(m_mnist, rare, 0.1, 4, QStringLiteral("mnist:x"));
    QVERIFY2(built.ok(), qPrintable(built.error()));
    const uai::Dataset &data = built.value();
    QVERIFY2(data.checkConsistency().isEmpty(), qPrintable(data.checkConsistency()));

    int expectedAnomalies = 0;
    int removed = 0;
    for (const int digit : rare) {
        const int kept = int(std::lround(0.1 * kDigitCounts[digit]));
        expectedAnomalies += kept;
        removed += kDigitCounts[digit] - kept;
    }
    QCOMPARE(data.anomalyCount(), expectedAnomalies);
    QCOMPARE(data.itemCount, 10000 - removed);

    // Every anomaly is an image of a rare digit carrying a common digit's label; ids are the
    // source indices, whose digit the sorted label file gives by range.
    for (qsizetype i = 0; i < data.itemCount; ++i) {
        const int sourceIndex = data.itemIds[i].section(QLatin1Char(' '), 1).toInt();
        const int sourceDigit = m_mnist.classes[size_t(sourceIndex)];
        const bool anomaly = data.truth[size_t(i)] == uai::Truth::Anomaly;
        QCOMPARE(anomaly, rare.contains(sourceDigit));
        if (anomaly)
            QVERIFY(data.classes[size_t(i)] >= firstCommon);
        else
            QCOMPARE(data.classes[size_t(i)], sourceDigit);
    }
}

void tst_Constructions::rareClassIsDeterministic()
{
    const auto a = uai::makeRareClassSet(m_mnist, {0}, 0.1, 9, QStringLiteral("a"));
    const auto b = uai::makeRareClassSet(m_mnist, {0}, 0.1, 9, QStringLiteral("b"));
    const auto c = uai::makeRareClassSet(m_mnist, {0}, 0.1, 10, QStringLiteral("c"));
    QVERIFY(a.ok() && b.ok() && c.ok());
    QCOMPARE(a.value().itemIds, b.value().itemIds);
    QCOMPARE(a.value().classes, b.value().classes);
    QVERIFY(a.value().itemIds != c.value().itemIds);
}

void tst_Constructions::hardSetMarksMisclassified()
{
    const auto built = uai::makeHardSet(m_mnist, 1, QStringLiteral("mnist:hard"));
    QVERIFY2(built.ok(), qPrintable(built.error()));
    const uai::Dataset &data = built.value();
    QCOMPARE(data.itemCount, m_mnist.itemCount);
    QCOMPARE(data.classes, m_mnist.classes);
    // A weak classifier gets most digits right and some wrong.
    const double rate = double(data.anomalyCount()) / double(data.itemCount);
    QVERIFY2(rate > 0.005 && rate < 0.3, qPrintable(QString::number(rate)));
    std::set<int> anomalyDigits;
    for (qsizetype i = 0; i < data.itemCount; ++i) {
        if (data.truth[size_t(i)] == uai::Truth::Anomaly)
            anomalyDigits.insert(data.classes[size_t(i)]);
    }
    QVERIFY(anomalyDigits.size() >= 5);
}

void tst_Constructions::dataSourceSpecs_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<QString>("expected");
    const QString mnistDir = QStringLiteral(UAI_SHARED_DIR "/data/mnist10k");
    QTest::newRow("folder with IDX pair, digit 0 rare")
        << mnistDir + QStringLiteral(":0") << true << QStringLiteral("100 anomalies");
    QTest::newRow("explicit IDX pair")
        << kMnistImages + QLatin1Char(',') + kMnistLabels << true << QStringLiteral("0 anomalies");
    QTest::newRow("CSV file") << QStringLiteral(UAI_SHARED_DIR "/data/tabular/yeast.csv") << true
                              << QStringLiteral("55 anomalies");
    QTest::newRow("unknown construction") << mnistDir + QStringLiteral(":7") << false
                                          << QStringLiteral("Unknown anomaly construction");
    QTest::newRow("missing file") << QStringLiteral("/nonexistent/data.csv") << false
                                  << QStringLiteral("no such file");
    QTest::newRow("construction without labels")
        << QStringLiteral(UAI_SHARED_DIR "/data/tabular/yeast.csv:0") << false
        << QStringLiteral("no labels");
    QTest::newRow("empty spec") << QString() << false << QStringLiteral("No dataset given");
}

void tst_Constructions::dataSourceSpecs()
{
    QFETCH(QString, spec);
    QFETCH(bool, loads);
    QFETCH(QString, expected);
    const auto loaded = uai::loadDataSource(spec);
    QCOMPARE(loaded.ok(), loads);
    if (loads) {
        QCOMPARE(QStringLiteral("%1 anomalies").arg(loaded.value().anomalyCount()), expected);
    } else {
        QVERIFY2(loaded.error().contains(expected), qPrintable(loaded.error()));
    }
}

QTEST_GUILESS_MAIN(tst_Constructions)
#include "tst_constructions.moc"
