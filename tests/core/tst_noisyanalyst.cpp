#include "simulatedanalyst.h"
#include "torchruntime.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace {

/// 300 normal points around the origin in 4 dimensions and 15 anomalies near (5, 5, 5, 5); the
/// last 15 items are the anomalies.
std::shared_ptr<const uai::Dataset> makeBlobs()
{
    auto data = std::make_shared<uai::Dataset>();
    std::mt19937 engine(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int normals = 300;
    const int anomalies = 15;
    data->name = QStringLiteral("blobs");
    data->itemCount = normals + anomalies;
    data->featureCount = 4;
    for (int i = 0; i < data->itemCount; ++i) {
        const float centre = i < normals ? 0.0f : 5.0f;
        for (int j = 0; j < 4; ++j)
            data->features.push_back(centre + (i < normals ? 1.0f : 0.3f) * normal(engine));
        data->itemIds.append(QStringLiteral("item %1").arg(i));
        data->truth.push_back(i < normals ? uai::Truth::Normal : uai::Truth::Anomaly);
    }
    data->featureNames = {
        QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
    return data;
}

uai::LoopSettings smallSettings()
{
    uai::LoopSettings settings;
    settings.hiddenSizes = {16, 8, 2};
    settings.pretrainSteps = 60;
    settings.roundSteps = 10;
    settings.batchSize = 64;
    settings.queueSize = 5;
    settings.seed = 3;
    return settings;
}

/// What one round of a simulation reported, recorded by the roundFinished callback.
struct RoundRecord {
    qsizetype verdictsAfter = 0;
    qsizetype foundAfter = 0;
    qsizetype anomalyVerdictsTrained = 0;
    qsizetype normalVerdictsTrained = 0;
    std::vector<qsizetype> queue;
};

struct RecordedRun {
    uai::SimulationResult result;
    std::vector<RoundRecord> rounds;
};

RecordedRun simulate(double flipFraction, std::uint64_t flipSeed, qsizetype budget)
{
    uai::SimulationOptions options;
    options.budget = budget;
    options.flipFraction = flipFraction;
    options.flipSeed = flipSeed;
    RecordedRun run;
    options.roundFinished = [&run](const uai::DiscoveryPoint &point,
                                   const uai::RoundReport &report) {
        run.rounds.push_back({point.verdicts,
                              point.found,
                              report.anomalyVerdicts,
                              report.normalVerdicts,
                              report.queue});
    };
    auto result = uai::simulateAnalyst(makeBlobs(), smallSettings(), options);
    if (!result.ok())
        qFatal("%s", qPrintable(result.error()));
    run.result = std::move(result).value();
    return run;
}

/// Returns the items that received a verdict, in the order given, from the recorded queues.
std::vector<qsizetype> answeredItems(const RecordedRun &run)
{
    std::vector<qsizetype> items;
    qsizetype before = 0;
    for (const RoundRecord &round : run.rounds) {
        const qsizetype givenThisRound = round.verdictsAfter - before;
        items.insert(items.end(), round.queue.begin(), round.queue.begin() + givenThisRound);
        before = round.verdictsAfter;
    }
    return items;
}

} // namespace

class tst_NoisyAnalyst : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loopTrainsOnFlippedVerdicts();
    void curveCountsTrueAnomalies();
    void fullFlipWrongsEveryVerdict();
    void flipShareNearFraction();
    void flipSeedDecidesFlips();
    void rejectsFractionOutsideRange_data();
    void rejectsFractionOutsideRange();
};

void tst_NoisyAnalyst::initTestCase()
{
    uai::configureTorchThreads(1);
}

void tst_NoisyAnalyst::loopTrainsOnFlippedVerdicts()
{
    const RecordedRun run = simulate(0.3, 11, 40);
    const auto truth = makeBlobs()->truth;
    const std::vector<qsizetype> answered = answeredItems(run);
    QCOMPARE(answered.size(), size_t(40));
    QVERIFY(!run.result.flippedItems.empty());
    const std::set<qsizetype> flipped(run.result.flippedItems.begin(),
                                      run.result.flippedItems.end());

    // Each round trains on the verdicts of the earlier rounds' queues as given: the ground
    // truth, inverted for the flipped items.
    qsizetype anomalyVerdicts = 0;
    qsizetype normalVerdicts = 0;
    size_t next = 0;
    for (const RoundRecord &round : run.rounds) {
        QCOMPARE(round.anomalyVerdictsTrained, anomalyVerdicts);
        QCOMPARE(round.normalVerdictsTrained, normalVerdicts);
        for (; next < size_t(round.verdictsAfter); ++next) {
            const qsizetype item = answered[next];
            const bool anomaly = truth[size_t(item)] == uai::Truth::Anomaly;
            const bool answeredAnomaly = anomaly != (flipped.count(item) == 1);
            anomalyVerdicts += answeredAnomaly ? 1 : 0;
            normalVerdicts += answeredAnomaly ? 0 : 1;
        }
    }
}

void tst_NoisyAnalyst::curveCountsTrueAnomalies()
{
    const RecordedRun run = simulate(0.3, 11, 40);
    const auto truth = makeBlobs()->truth;
    const std::vector<qsizetype> answered = answeredItems(run);
    QCOMPARE(run.result.uaiCurve.size(), run.rounds.size());
    qsizetype trueFound = 0;
    size_t next = 0;
    for (size_t i = 0; i < run.rounds.size(); ++i) {
        for (; next < size_t(run.rounds[i].verdictsAfter); ++next)
            trueFound += truth[size_t(answered[next])] == uai::Truth::Anomaly ? 1 : 0;
        QCOMPARE(run.result.uaiCurve[i].found, trueFound);
    }
}

void tst_NoisyAnalyst::fullFlipWrongsEveryVerdict()
{
    const RecordedRun run = simulate(1.0, 11, 20);
    QCOMPARE(run.result.flippedItems, answeredItems(run));
}

void tst_NoisyAnalyst::flipShareNearFraction()
{
    // 200 verdicts wrong with probability 0.2 each: 40 expected, standard deviation about 5.7,
    // so [20, 60] contains the count with probability above 0.999 for a fair generator.
    const RecordedRun run = simulate(0.2, 5, 200);
    const auto flips = qsizetype(run.result.flippedItems.size());
    QVERIFY2(flips >= 20, qPrintable(QString::number(flips)));
    QVERIFY2(flips <= 60, qPrintable(QString::number(flips)));
}

void tst_NoisyAnalyst::flipSeedDecidesFlips()
{
    const RecordedRun first = simulate(0.3, 11, 40);
    const RecordedRun again = simulate(0.3, 11, 40);
    const RecordedRun other = simulate(0.3, 12, 40);
    QCOMPARE(again.result.flippedItems, first.result.flippedItems);
    QCOMPARE(answeredItems(again), answeredItems(first));
    QVERIFY(other.result.flippedItems != first.result.flippedItems);
}

void tst_NoisyAnalyst::rejectsFractionOutsideRange_data()
{
    QTest::addColumn<double>("fraction");
    QTest::newRow("negative") << -0.1;
    QTest::newRow("above one") << 1.5;
    QTest::newRow("not a number") << std::numeric_limits<double>::quiet_NaN();
}

void tst_NoisyAnalyst::rejectsFractionOutsideRange()
{
    QFETCH(double, fraction);
    uai::SimulationOptions options;
    options.budget = 10;
    options.flipFraction = fraction;
    const auto result = uai::simulateAnalyst(makeBlobs(), smallSettings(), options);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QLatin1String("flip fraction")), qPrintable(result.error()));
}

QTEST_GUILESS_MAIN(tst_NoisyAnalyst)
#include "tst_noisyanalyst.moc"
