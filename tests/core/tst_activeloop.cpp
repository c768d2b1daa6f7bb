#include "activeloop.h"
#include "csvreader.h"
#include "forestlayer.h"
#include "simulatedanalyst.h"
#include "torchruntime.h"

#include <QTest>

#include <algorithm>
#include <numeric>
#include <random>
#include <thread>

namespace {

/// 300 normal points from a standard normal in 4 dimensions and 15 anomalies near (5, 5, 5, 5),
/// standardised loosely by construction; the last 15 items are the anomalies.
std::shared_ptr<const uai::Dataset> makeBlobs()
{
    auto data = std::make_shared<uai::Dataset>();
    std::mt19937 engine(11);
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
        data->classes.push_back(i % 2);
    }
    data->classNames = {QStringLiteral("even"), QStringLiteral("odd")};
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
    settings.seed = 5;
    // The published ranking; automaticRankingFollowsData covers the default.
    settings.baseRanking = uai::BaseRanking::AnomalyScore;
    return settings;
}

std::unique_ptr<uai::ActiveLoop> makeLoop(std::shared_ptr<const uai::Dataset> data,
                                          const uai::LoopSettings &settings)
{
    auto created = uai::ActiveLoop::create(std::move(data), settings);
    if (!created.ok())
        qFatal("%s", qPrintable(created.error()));
    return std::move(created).value();
}

/// Returns the unlabeled items ranked by a score, highest first, ties by index: computed here
/// independently of the loop's own selection.
std::vector<qsizetype>
topUnlabeled(const std::vector<float> &score, const uai::ActiveLoop &loop, size_t count)
{
    std::vector<qsizetype> items;
    for (qsizetype i = 0; i < static_cast<qsizetype>(score.size()); ++i) {
        if (!loop.verdictFor(i))
            items.push_back(i);
    }
    std::stable_sort(items.begin(), items.end(), [&score](qsizetype a, qsizetype b) {
        return score[a] > score[b];
    });
    items.resize(std::min(count, items.size()));
    return items;
}

} // namespace

class tst_ActiveLoop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rejectsInvalidSettings_data();
    void rejectsInvalidSettings();
    void baseScoreRanksUntilBothVerdicts();
    void queueSkipsItemsWithVerdicts();
    void sameSeedReproducesRun();
    void verdictDuringTrainingWaitsForNextRound();
    void stopRestoresWeightsBeforeRound();
    void stopInterruptsPretraining();
    void poolRunsOut();
    void savedStateRestoresScores();
    void restoreRejectsOtherShape();
    void reconstructionMatchesScore();
    void uaiBeatsBaseOnShuttle();
    void baseScoreStartKeepsBaseRanking();
    void confidenceRuleFollowsHits();
    void confidenceRuleSurvivesRestore();
    void olderStatesStillLoad();
    void versionTwoStateStillLoads();
    void extraScoreKeepsBaseModel();
    void extraScoreEntersLayer();
    void extraScoreStateRoundTrip();
    void forestRankingFillsFirstQueues();
    void mixedRankingAveragesPercentiles();
    void automaticRankingFollowsData();
    void scoreForestLayerStartsFromScore();
    void interleavedRankingTakesTurns();
    void adaptiveRankingFollowsHits();
};

void tst_ActiveLoop::initTestCase()
{
    uai::configureTorchThreads(1);
}

void tst_ActiveLoop::rejectsInvalidSettings_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("expectedWord");
    QTest::newRow("empty hidden sizes") << 0 << QStringLiteral("hidden");
    QTest::newRow("queue size zero") << 1 << QStringLiteral("queue size");
    QTest::newRow("negative learning rate") << 2 << QStringLiteral("learning rate");
    QTest::newRow("classifier without classes") << 3 << QStringLiteral("class column");
}

void tst_ActiveLoop::rejectsInvalidSettings()
{
    QFETCH(int, field);
    QFETCH(QString, expectedWord);
    auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    if (field == 0)
        settings.hiddenSizes.clear();
    else if (field == 1)
        settings.queueSize = 0;
    else if (field == 2)
        settings.learningRate = -1.0;
    else {
        auto withoutClasses = std::make_shared<uai::Dataset>(*data);
        withoutClasses->classes.clear();
        withoutClasses->classNames.clear();
        data = withoutClasses;
        settings.model = uai::ModelKind::Classifier;
    }
    const auto created = uai::ActiveLoop::create(data, settings);
    QVERIFY(!created.ok());
    QVERIFY2(created.error().contains(expectedWord), qPrintable(created.error()));
}

void tst_ActiveLoop::baseScoreRanksUntilBothVerdicts()
{
    auto loop = makeLoop(makeBlobs(), smallSettings());
    QVERIFY(loop->pretrain().ok());

    auto first = loop->runRound();
    QVERIFY(first.ok());
    QVERIFY(!first.value().rankedByUai);
    QCOMPARE(first.value().queue, topUnlabeled(first.value().baseScore, *loop, 5));

    loop->submitVerdict(310, uai::Verdict::Anomaly);
    loop->submitVerdict(311, uai::Verdict::Anomaly);
    auto onlyAnomalies = loop->runRound();
    QVERIFY(onlyAnomalies.ok());
    QVERIFY(!onlyAnomalies.value().rankedByUai);
    QCOMPARE(onlyAnomalies.value().queue, topUnlabeled(onlyAnomalies.value().baseScore, *loop, 5));

    loop->submitVerdict(0, uai::Verdict::Normal);
    auto both = loop->runRound();
    QVERIFY(both.ok());
    QVERIFY(both.value().rankedByUai);
    QCOMPARE(both.value().anomalyVerdicts, 2);
    QCOMPARE(both.value().normalVerdicts, 1);
    QCOMPARE(both.value().queue, topUnlabeled(both.value().uaiLogit, *loop, 5));
}

void tst_ActiveLoop::queueSkipsItemsWithVerdicts()
{
    auto loop = makeLoop(makeBlobs(), smallSettings());
    QVERIFY(loop->pretrain().ok());
    const auto first = loop->runRound();
    QVERIFY(first.ok());
    for (const qsizetype item : first.value().queue)
        loop->submitVerdict(item, uai::Verdict::Unsure);
    const auto second = loop->runRound();
    QVERIFY(second.ok());
    QCOMPARE(second.value().queue.size(), size_t(5));
    for (const qsizetype item : second.value().queue) {
        QVERIFY(std::find(first.value().queue.begin(), first.value().queue.end(), item)
                == first.value().queue.end());
    }
    QCOMPARE(loop->verdictCount(), 5);
    // Unsure verdicts do not train the layer.
    QCOMPARE(second.value().anomalyVerdicts + second.value().normalVerdicts, 0);
}

void tst_ActiveLoop::sameSeedReproducesRun()
{
    const auto data = makeBlobs();
    auto run = [&data](std::uint64_t seed) {
        uai::LoopSettings settings = smallSettings();
        settings.seed = seed;
        auto loop = makeLoop(data, settings);
        if (!loop->pretrain().ok())
            return uai::RoundReport{};
        loop->submitVerdict(305, uai::Verdict::Anomaly);
        loop->submitVerdict(3, uai::Verdict::Normal);
        auto report = loop->runRound();
        return report.ok() ? report.value() : uai::RoundReport{};
    };
    const auto a = run(21);
    const auto b = run(21);
    const auto c = run(22);
    QVERIFY(!a.baseScore.empty());
    QCOMPARE(a.baseScore, b.baseScore);
    QCOMPARE(a.uaiLogit, b.uaiLogit);
    QCOMPARE(a.queue, b.queue);
    QVERIFY(a.baseScore != c.baseScore);
}

void tst_ActiveLoop::verdictDuringTrainingWaitsForNextRound()
{
    uai::LoopSettings settings = smallSettings();
    settings.roundSteps = 20;
    auto loop = makeLoop(makeBlobs(), settings);
    QVERIFY(loop->pretrain().ok());
    const auto before = loop->rankWithoutTraining();
    QVERIFY(before.ok());
    const qsizetype late = before.value().queue.front();

    // The verdict arrives from another thread halfway through the round's training.
    std::thread analyst;
    auto progress = [&](int done, int) {
        if (done == 10)
            analyst = std::thread([&] { loop->submitVerdict(late, uai::Verdict::Anomaly); });
    };
    const auto round = loop->runRound(progress);
    analyst.join();
    QVERIFY(round.ok());
    QCOMPARE(round.value().anomalyVerdicts, 0);
    QVERIFY(std::find(round.value().queue.begin(), round.value().queue.end(), late)
            == round.value().queue.end());
    const auto next = loop->runRound();
    QVERIFY(next.ok());
    QCOMPARE(next.value().anomalyVerdicts, 1);
}

void tst_ActiveLoop::stopRestoresWeightsBeforeRound()
{
    auto loop = makeLoop(makeBlobs(), smallSettings());
    QVERIFY(loop->pretrain().ok());
    const auto before = loop->rankWithoutTraining();
    QVERIFY(before.ok());

    std::atomic_bool stop = false;
    const auto stopped = loop->runRound([&stop](int done, int) { stop = done >= 3; }, &stop);
    QVERIFY(!stopped.ok());
    QVERIFY2(stopped.error().contains(QLatin1String("stopped")), qPrintable(stopped.error()));
    QCOMPARE(loop->roundsDone(), 0);

    const auto after = loop->rankWithoutTraining();
    QVERIFY(after.ok());
    QCOMPARE(after.value().baseScore, before.value().baseScore);
}

void tst_ActiveLoop::stopInterruptsPretraining()
{
    uai::LoopSettings settings = smallSettings();
    settings.pretrainSteps = 100000;
    auto loop = makeLoop(makeBlobs(), settings);
    std::atomic_bool stop = false;
    int lastStep = 0;
    const auto status = loop->pretrain(
        [&](int done, int) {
            lastStep = done;
            stop = done >= 25;
        },
        &stop);
    QVERIFY(!status.ok());
    QCOMPARE(lastStep, 25);
    QVERIFY(!loop->isPretrained());
}

void tst_ActiveLoop::poolRunsOut()
{
    auto data = std::make_shared<uai::Dataset>(*makeBlobs());
    // Keep 7 items: the queue offers 5, then 2, then nothing.
    data->itemCount = 7;
    data->features.resize(7 * 4);
    data->itemIds = data->itemIds.mid(0, 7);
    data->truth.resize(7);
    data->classes.resize(7);
    auto loop = makeLoop(data, smallSettings());
    QVERIFY(loop->pretrain().ok());
    std::vector<size_t> sizes;
    for (int round = 0; round < 3; ++round) {
        const auto report = loop->runRound();
        QVERIFY(report.ok());
        sizes.push_back(report.value().queue.size());
        for (const qsizetype item : report.value().queue)
            loop->submitVerdict(item, uai::Verdict::Normal);
    }
    QCOMPARE(sizes, (std::vector<size_t>{5, 2, 0}));
    QCOMPARE(loop->unlabeledCount(), 0);
}

void tst_ActiveLoop::savedStateRestoresScores()
{
    const auto data = makeBlobs();
    auto trained = makeLoop(data, smallSettings());
    QVERIFY(trained->pretrain().ok());
    trained->submitVerdict(312, uai::Verdict::Anomaly);
    trained->submitVerdict(1, uai::Verdict::Normal);
    QVERIFY(trained->runRound().ok());
    const auto expected = trained->rankWithoutTraining();
    QVERIFY(expected.ok());

    uai::LoopSettings otherSeed = smallSettings();
    otherSeed.seed = 99;
    auto fresh = makeLoop(data, otherSeed);
    const auto status = fresh->restoreState(trained->saveState());
    QVERIFY2(status.ok(), qPrintable(status.error()));
    QCOMPARE(fresh->roundsDone(), 1);
    QVERIFY(fresh->isPretrained());
    const auto restored = fresh->rankWithoutTraining();
    QVERIFY(restored.ok());
    QCOMPARE(restored.value().baseScore, expected.value().baseScore);
    QCOMPARE(restored.value().uaiLogit, expected.value().uaiLogit);
}

void tst_ActiveLoop::restoreRejectsOtherShape()
{
    const auto data = makeBlobs();
    auto small = makeLoop(data, smallSettings());
    uai::LoopSettings wider = smallSettings();
    wider.hiddenSizes = {32, 8, 2};
    auto wide = makeLoop(data, wider);
    const auto before = wide->rankWithoutTraining();

    const auto status = wide->restoreState(small->saveState());
    QVERIFY(!status.ok());
    QVERIFY2(status.error().contains(QLatin1String("does not fit")), qPrintable(status.error()));
    const auto damaged = wide->restoreState(QByteArray("not a state"));
    QVERIFY(!damaged.ok());
    QCOMPARE(wide->rankWithoutTraining().value().baseScore, before.value().baseScore);
}

void tst_ActiveLoop::reconstructionMatchesScore()
{
    const auto data = makeBlobs();
    auto loop = makeLoop(data, smallSettings());
    QVERIFY(loop->pretrain().ok());
    const auto report = loop->rankWithoutTraining();
    QVERIFY(report.ok());
    const std::vector<qsizetype> items{0, 7, 314};
    const std::vector<float> reconstruction = loop->reconstruct(items);
    QCOMPARE(reconstruction.size(), size_t(3 * 4));
    // The autoencoder's score is the squared reconstruction error summed over features.
    for (size_t row = 0; row < items.size(); ++row) {
        double error = 0.0;
        for (size_t j = 0; j < 4; ++j) {
            const double diff =
                reconstruction[row * 4 + j] - data->features[size_t(items[row]) * 4 + j];
            error += diff * diff;
        }
        QVERIFY(std::abs(error - report.value().baseScore[size_t(items[row])])
                < 1e-4 * (1 + error));
    }
}

void tst_ActiveLoop::uaiBeatsBaseOnShuttle()
{
    const QString path = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_1v23567.csv");
    auto loaded = uai::readCsv(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    auto data = std::make_shared<const uai::Dataset>(std::move(loaded).value());

    uai::LoopSettings settings;
    settings.pretrainSteps = 1000;
    settings.roundSteps = 30;
    settings.seed = 1;
    uai::SimulationOptions options;
    options.budget = data->anomalyCount();
    const auto result = uai::simulateAnalyst(data, settings, options);
    QVERIFY2(result.ok(), qPrintable(result.error()));
    const qsizetype uaiFound = result.value().uaiCurve.back().found;
    const qsizetype baseFound = result.value().baseCurve.back().found;
    qInfo("shuttle, 867 verdicts: UAI network found %lld, base model alone %lld",
          static_cast<long long>(uaiFound),
          static_cast<long long>(baseFound));
    QCOMPARE(result.value().anomalies, 867);
    QVERIFY(uaiFound >= baseFound + 80);
    QVERIFY(uaiFound >= 780);
}

void tst_ActiveLoop::baseScoreStartKeepsBaseRanking()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.layerStart = uai::UaiLayerStart::BaseScore;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY(ranked.ok());
    const uai::RoundReport &report = ranked.value();

    // Before any verdict the layer's logit orders the items as the anomaly score does.
    std::vector<qsizetype> byScore(report.baseScore.size());
    std::iota(byScore.begin(), byScore.end(), 0);
    std::vector<qsizetype> byLogit = byScore;
    std::stable_sort(byScore.begin(), byScore.end(), [&report](qsizetype a, qsizetype b) {
        return report.baseScore[size_t(a)] > report.baseScore[size_t(b)];
    });
    std::stable_sort(byLogit.begin(), byLogit.end(), [&report](qsizetype a, qsizetype b) {
        return report.uaiLogit[size_t(a)] > report.uaiLogit[size_t(b)];
    });
    QCOMPARE(byLogit, byScore);

    // The reported weights act on the raw latent vector and score, as the charts use them.
    const int latent = report.latentSize;
    QCOMPARE(report.uaiWeights.size(), size_t(latent + 1));
    for (const size_t item : {size_t(0), size_t(150), size_t(314)}) {
        double logit = report.uaiBias;
        for (int j = 0; j < latent; ++j)
            logit += double(report.uaiWeights[size_t(j)]) * report.latent[item * latent + j];
        logit += double(report.uaiWeights[size_t(latent)]) * report.baseScore[item];
        QVERIFY2(std::abs(logit - report.uaiLogit[item]) < 1e-3 * (1 + std::abs(logit)),
                 qPrintable(QStringLiteral("item %1: %2 against %3")
                                .arg(item)
                                .arg(logit)
                                .arg(report.uaiLogit[item])));
    }
}

void tst_ActiveLoop::confidenceRuleFollowsHits()
{
    // An analyst who calls every item of a UAI-ranked queue normal and every item of a
    // base-ranked queue an anomaly: the confidence rule must learn to pick the base ranking.
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.switchRule = uai::SwitchRule::Confidence;
    settings.queueSize = 3;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    int baseRounds = 0;
    int uaiRounds = 0;
    for (int round = 1; round <= 16; ++round) {
        const auto report = loop->runRound();
        QVERIFY2(report.ok(), qPrintable(report.error()));
        if (round == 1)
            QVERIFY(!report.value().rankedByUai);
        if (round > 4)
            ++(report.value().rankedByUai ? uaiRounds : baseRounds);
        for (const qsizetype item : report.value().queue) {
            loop->submitVerdict(
                item, report.value().rankedByUai ? uai::Verdict::Normal : uai::Verdict::Anomaly);
        }
    }
    qInfo(
        "rounds 5 to 16: %d ranked by the base score, %d by the UAI layer", baseRounds, uaiRounds);
    QVERIFY(baseRounds >= 9);
}

void tst_ActiveLoop::confidenceRuleSurvivesRestore()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.switchRule = uai::SwitchRule::Confidence;
    settings.layerStart = uai::UaiLayerStart::BaseScore;
    auto trained = makeLoop(data, settings);
    QVERIFY(trained->pretrain().ok());
    for (int round = 0; round < 3; ++round) {
        const auto report = trained->runRound();
        QVERIFY(report.ok());
        for (const qsizetype item : report.value().queue) {
            trained->submitVerdict(item,
                                   data->truth[size_t(item)] == uai::Truth::Anomaly
                                       ? uai::Verdict::Anomaly
                                       : uai::Verdict::Normal);
        }
    }
    const QByteArray state = trained->saveState();
    auto restored = makeLoop(data, settings);
    for (qsizetype item = 0; item < data->itemCount; ++item) {
        if (const auto verdict = trained->verdictFor(item))
            restored->submitVerdict(item, *verdict);
    }
    const auto status = restored->restoreState(state);
    QVERIFY2(status.ok(), qPrintable(status.error()));
    // Saving again gives the same bytes: weights, standardisation, records and queue came back.
    QCOMPARE(restored->saveState(), state);
    const auto expected = trained->rankWithoutTraining();
    const auto again = restored->rankWithoutTraining();
    QVERIFY(expected.ok() && again.ok());
    QCOMPARE(again.value().rankedByUai, expected.value().rankedByUai);
    QCOMPARE(again.value().uaiLogit, expected.value().uaiLogit);
}

namespace {

/// Offset of the extra score count in a state of version 3 or later: magic, version and round
/// count (4 bytes each) and the pretrained flag (1 byte) come first.
constexpr qsizetype kExtraCountOffset = 13;
/// The end of a version 4 state without cross-fitted scores: one bool.
constexpr qsizetype kCrossFitTrailer = 1;
/// The end of a version 2 state with empty records: four doubles, an empty queue (count 0) and
/// no standardisation (one bool).
constexpr qsizetype kRecordTrailer = 4 * 8 + 4 + 1;

/// Rewrites a current state without extra or cross-fitted scores in the layout of version 1, 2
/// or 3.
QByteArray asVersion(QByteArray state, int version)
{
    if (state.right(kCrossFitTrailer) != QByteArray(kCrossFitTrailer, '\0'))
        qFatal("the state has cross-fitted scores, which older versions cannot hold");
    state.chop(kCrossFitTrailer);
    if (version <= 2) {
        if (state.mid(kExtraCountOffset, 4) != QByteArray(4, '\0'))
            qFatal("the state has extra scores, which version 2 cannot hold");
        state.remove(kExtraCountOffset, 4);
    }
    if (version <= 1)
        state.chop(kRecordTrailer);
    const char versionBytes[4] = {0, 0, 0, char(version)};
    state.replace(4, 4, QByteArray(versionBytes, 4));
    return state;
}

} // namespace

void tst_ActiveLoop::olderStatesStillLoad()
{
    // 315 items are above the cross-fitting limit, so the state ends with one bool (none).
    const auto data = makeBlobs();
    auto trained = makeLoop(data, smallSettings());
    QVERIFY(trained->pretrain().ok());
    QVERIFY(!trained->scoresAreCrossFitted());
    const QByteArray state = trained->saveState();
    QCOMPARE(state.right(kCrossFitTrailer + kRecordTrailer),
             QByteArray(kCrossFitTrailer + kRecordTrailer, '\0'));
    const auto expected = trained->rankWithoutTraining().value().baseScore;

    for (const int version : {3, 2, 1}) {
        auto restored = makeLoop(data, smallSettings());
        const auto status = restored->restoreState(asVersion(state, version));
        QVERIFY2(status.ok(),
                 qPrintable(QStringLiteral("version %1: %2").arg(version).arg(status.error())));
        QCOMPARE(restored->rankWithoutTraining().value().baseScore, expected);
    }

    QByteArray newer = state;
    newer.replace(4, 4, QByteArray("\0\0\0\5", 4));
    auto restored = makeLoop(data, smallSettings());
    const auto rejected = restored->restoreState(newer);
    QVERIFY(!rejected.ok());
    QVERIFY2(rejected.error().contains(QLatin1String("version 5")), qPrintable(rejected.error()));
}

void tst_ActiveLoop::versionTwoStateStillLoads()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.layerStart = uai::UaiLayerStart::BaseScore;
    auto trained = makeLoop(data, settings);
    QVERIFY(trained->pretrain().ok());
    trained->submitVerdict(312, uai::Verdict::Anomaly);
    trained->submitVerdict(1, uai::Verdict::Normal);
    QVERIFY(trained->runRound().ok());
    const QByteArray state = trained->saveState();

    auto restored = makeLoop(data, settings);
    const auto status = restored->restoreState(asVersion(state, 2));
    QVERIFY2(status.ok(), qPrintable(status.error()));
    // Saved again, it is the current state it came from.
    QCOMPARE(restored->saveState(), state);
}

void tst_ActiveLoop::extraScoreKeepsBaseModel()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    auto plain = makeLoop(data, settings);
    settings.extraScore = uai::ExtraScore::IsolationForest;
    auto extra = makeLoop(data, settings);
    QVERIFY(plain->pretrain().ok());
    QVERIFY(extra->pretrain().ok());
    const auto plainRanking = plain->rankWithoutTraining();
    const auto extraRanking = extra->rankWithoutTraining();
    QVERIFY(plainRanking.ok());
    QVERIFY(extraRanking.ok());

    // The extra weight starts at 0 and nothing else draws differently, so the base model and the
    // first UAI logits match the loop without the extra score.
    QCOMPARE(extraRanking.value().baseScore, plainRanking.value().baseScore);
    QCOMPARE(extraRanking.value().uaiLogit, plainRanking.value().uaiLogit);
    QVERIFY(plainRanking.value().extraScore.empty());

    // The 15 anomalies (the last items) form a tight cluster far from the normal cloud, so
    // most of them rank among the isolation forest's top 15.
    const std::vector<float> &score = extraRanking.value().extraScore;
    QCOMPARE(score.size(), size_t(data->itemCount));
    std::vector<qsizetype> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&score](qsizetype a, qsizetype b) {
        return score[size_t(a)] > score[size_t(b)];
    });
    const auto anomaliesOnTop = std::count_if(
        order.begin(), order.begin() + 15, [](qsizetype item) { return item >= 300; });
    qInfo("isolation forest: %d of the 15 anomalies among its top 15", int(anomaliesOnTop));
    QVERIFY(anomaliesOnTop >= 10);
}

void tst_ActiveLoop::extraScoreEntersLayer()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.extraScore = uai::ExtraScore::IsolationForest;
    settings.layerStart = uai::UaiLayerStart::BaseScore;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    for (int round = 0; round < 4; ++round) {
        const auto report = loop->runRound();
        QVERIFY2(report.ok(), qPrintable(report.error()));
        for (const qsizetype item : report.value().queue) {
            loop->submitVerdict(item,
                                data->truth[size_t(item)] == uai::Truth::Anomaly
                                    ? uai::Verdict::Anomaly
                                    : uai::Verdict::Normal);
        }
    }
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY(ranked.ok());
    const uai::RoundReport &report = ranked.value();

    // Raw weights: latent, base score, then the extra score; together they give the logit.
    const int latent = report.latentSize;
    QCOMPARE(report.uaiWeights.size(), size_t(latent + 2));
    QVERIFY(report.uaiWeights[size_t(latent + 1)] != 0.0f);
    for (const size_t item : {size_t(0), size_t(150), size_t(314)}) {
        double logit = report.uaiBias;
        for (int j = 0; j < latent; ++j)
            logit += double(report.uaiWeights[size_t(j)]) * report.latent[item * latent + j];
        logit += double(report.uaiWeights[size_t(latent)]) * report.baseScore[item];
        logit += double(report.uaiWeights[size_t(latent + 1)]) * report.extraScore[item];
        QVERIFY2(std::abs(logit - report.uaiLogit[item]) < 1e-3 * (1 + std::abs(logit)),
                 qPrintable(QStringLiteral("item %1: %2 against %3")
                                .arg(item)
                                .arg(logit)
                                .arg(report.uaiLogit[item])));
    }
}

void tst_ActiveLoop::extraScoreStateRoundTrip()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.extraScore = uai::ExtraScore::IsolationForest;
    settings.layerStart = uai::UaiLayerStart::BaseScore;
    auto trained = makeLoop(data, settings);
    QVERIFY(trained->pretrain().ok());
    trained->submitVerdict(312, uai::Verdict::Anomaly);
    trained->submitVerdict(1, uai::Verdict::Normal);
    QVERIFY(trained->runRound().ok());
    const QByteArray state = trained->saveState();

    auto restored = makeLoop(data, settings);
    const auto status = restored->restoreState(state);
    QVERIFY2(status.ok(), qPrintable(status.error()));
    QCOMPARE(restored->saveState(), state);
    QCOMPARE(restored->rankWithoutTraining().value().uaiLogit,
             trained->rankWithoutTraining().value().uaiLogit);

    // A loop without the extra score rejects the state, and the other way round.
    uai::LoopSettings plainSettings = settings;
    plainSettings.extraScore = uai::ExtraScore::None;
    auto plain = makeLoop(data, plainSettings);
    const auto mismatch = plain->restoreState(state);
    QVERIFY(!mismatch.ok());
    QVERIFY2(mismatch.error().contains(QLatin1String("has 1 extra-score input and")),
             qPrintable(mismatch.error()));
    QVERIFY(plain->pretrain().ok());
    const auto reverse = restored->restoreState(plain->saveState());
    QVERIFY(!reverse.ok());
    QVERIFY2(reverse.error().contains(QLatin1String("--extra-score")), qPrintable(reverse.error()));
}

void tst_ActiveLoop::forestRankingFillsFirstQueues()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.baseRanking = uai::BaseRanking::IsolationForest;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY(ranked.ok());
    QVERIFY(!ranked.value().rankedByUai);
    // The layer does not read the forest's score unless the extra-score setting requests it.
    QCOMPARE(ranked.value().uaiWeights.size(), size_t(ranked.value().latentSize + 1));
    QCOMPARE(ranked.value().extraScore.size(), size_t(data->itemCount));
    QCOMPARE(ranked.value().queue, topUnlabeled(ranked.value().extraScore, *loop, 5));
    // The report names the key the base side sorted by, so that the window can follow it.
    QCOMPARE(ranked.value().baseRankingKey, ranked.value().extraScore);

    // Only normal verdicts: the layer does not rank yet, so the forest ranks the next queue.
    for (const qsizetype item : ranked.value().queue)
        loop->submitVerdict(item, uai::Verdict::Normal);
    const auto round = loop->runRound();
    QVERIFY2(round.ok(), qPrintable(round.error()));
    QVERIFY(!round.value().rankedByUai);
    QCOMPARE(round.value().queue, topUnlabeled(round.value().extraScore, *loop, 5));
}

void tst_ActiveLoop::automaticRankingFollowsData()
{
    const auto table = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.baseRanking = uai::BaseRanking::Automatic;

    // A feature table with the autoencoder: the forest layer ranks every queue, and its first
    // queue, without verdicts, is the isolation forest's.
    auto forestFirst = makeLoop(table, settings);
    QCOMPARE(forestFirst->settings().baseRanking, uai::BaseRanking::ForestLayer);
    QCOMPARE(forestFirst->settings().switchRule, uai::SwitchRule::Never);
    QVERIFY(forestFirst->pretrain().ok());
    const auto byForest = forestFirst->rankWithoutTraining();
    QVERIFY(byForest.ok());
    QCOMPARE(byForest.value().queue, topUnlabeled(byForest.value().extraScore, *forestFirst, 5));

    // The classifier keeps its own score, which uses the class labels that the forest ignores.
    uai::LoopSettings classifier = settings;
    classifier.model = uai::ModelKind::Classifier;
    QCOMPARE(makeLoop(table, classifier)->settings().baseRanking, uai::BaseRanking::AnomalyScore);

    // Image pixels with the autoencoder: the forest layer anchored on the autoencoder's score
    // ranks every queue, and its first queue, without verdicts, is the score's.
    auto images = std::make_shared<uai::Dataset>(*table);
    images->kind = uai::DatasetKind::Images;
    images->imageWidth = 2;
    images->imageHeight = 2;
    auto scoreFirst = makeLoop(images, settings);
    QCOMPARE(scoreFirst->settings().baseRanking, uai::BaseRanking::ScoreForestLayer);
    QCOMPARE(scoreFirst->settings().switchRule, uai::SwitchRule::Never);
    QVERIFY(scoreFirst->pretrain().ok());
    const auto scored = scoreFirst->rankWithoutTraining();
    QVERIFY(scored.ok());
    QCOMPARE(scored.value().queue, topUnlabeled(scored.value().baseScore, *scoreFirst, 5));

    // A single item is too few for a forest: the autoencoder's score ranks it.
    auto single = std::make_shared<uai::Dataset>(*images);
    single->itemCount = 1;
    QCOMPARE(settings.resolvedBaseRanking(*single), uai::BaseRanking::AnomalyScore);
    QCOMPARE(settings.resolvedBaseRanking(uai::DatasetKind::Table, 1),
             uai::BaseRanking::AnomalyScore);

    // The classifier on images keeps its own score and the published switch.
    auto classified = makeLoop(images, classifier);
    QCOMPARE(classified->settings().baseRanking, uai::BaseRanking::AnomalyScore);
    QCOMPARE(classified->settings().switchRule, uai::SwitchRule::BothVerdicts);
}

void tst_ActiveLoop::scoreForestLayerStartsFromScore()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.baseRanking = uai::BaseRanking::ScoreForestLayer;
    auto loop = makeLoop(data, settings);
    QCOMPARE(loop->settings().switchRule, uai::SwitchRule::Never);
    QVERIFY(loop->pretrain().ok());

    // Without verdicts the key is the anchor made from the anomaly score, which orders the items
    // as the score does.
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY2(ranked.ok(), qPrintable(ranked.error()));
    QVERIFY(!ranked.value().rankedByUai);
    QCOMPARE(ranked.value().baseRankingKey,
             uai::ForestLayer::scoreAnchor(ranked.value().baseScore));
    QCOMPARE(ranked.value().queue, topUnlabeled(ranked.value().baseScore, *loop, 5));

    // With an anomaly and a normal verdict the key moves away from the anchor, the UAI layer
    // still does not rank, and the queue follows the key.
    const std::vector<qsizetype> first = ranked.value().queue;
    loop->submitVerdict(first[0], uai::Verdict::Anomaly);
    for (size_t i = 1; i < first.size(); ++i)
        loop->submitVerdict(first[i], uai::Verdict::Normal);
    const auto round = loop->runRound();
    QVERIFY2(round.ok(), qPrintable(round.error()));
    QVERIFY(!round.value().rankedByUai);
    const std::vector<float> anchor = uai::ForestLayer::scoreAnchor(round.value().baseScore);
    QVERIFY(round.value().baseRankingKey != anchor);
    QCOMPARE(round.value().queue, topUnlabeled(round.value().baseRankingKey, *loop, 5));
    for (const float value : round.value().baseRankingKey)
        QVERIFY(std::isfinite(value));
}

void tst_ActiveLoop::mixedRankingAveragesPercentiles()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.extraScore = uai::ExtraScore::IsolationForest;
    settings.baseRanking = uai::BaseRanking::Mixed;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY(ranked.ok());
    const uai::RoundReport &report = ranked.value();

    // An item's rank: the items below it, where equal values count below when their index is
    // smaller, counted pair by pair. The sum of both ranks orders as the mean percentile does.
    const size_t n = report.baseScore.size();
    const auto rank = [n](const std::vector<float> &score, size_t item) {
        size_t below = 0;
        for (size_t other = 0; other < n; ++other) {
            if (score[other] < score[item] || (score[other] == score[item] && other < item))
                ++below;
        }
        return below;
    };
    std::vector<float> mixed(n);
    for (size_t item = 0; item < n; ++item)
        mixed[item] = float(rank(report.baseScore, item) + rank(report.extraScore, item));
    QCOMPARE(report.queue, topUnlabeled(mixed, *loop, 5));
    QVERIFY(report.queue != topUnlabeled(report.baseScore, *loop, 5)
            || report.queue != topUnlabeled(report.extraScore, *loop, 5));
}

void tst_ActiveLoop::interleavedRankingTakesTurns()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.baseRanking = uai::BaseRanking::Interleaved;
    settings.queueSize = 6;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());
    const auto ranked = loop->rankWithoutTraining();
    QVERIFY(ranked.ok());
    const uai::RoundReport &report = ranked.value();

    // The forest's best item, the score's best, the forest's second, and so on, each item
    // taken once.
    const std::vector<qsizetype> byForest = topUnlabeled(report.extraScore, *loop, 6);
    const std::vector<qsizetype> byScore = topUnlabeled(report.baseScore, *loop, 6);
    std::vector<qsizetype> expected;
    for (size_t rank = 0; rank < 6; ++rank) {
        for (const qsizetype item : {byForest[rank], byScore[rank]}) {
            if (expected.size() < 6
                && std::find(expected.begin(), expected.end(), item) == expected.end())
                expected.push_back(item);
        }
    }
    QCOMPARE(report.queue, expected);
    QCOMPARE(report.queue.front(), byForest.front());
    QVERIFY(std::find(report.queue.begin(), report.queue.end(), byScore.front())
            != report.queue.end());
}

void tst_ActiveLoop::adaptiveRankingFollowsHits()
{
    const auto data = makeBlobs();
    uai::LoopSettings settings = smallSettings();
    settings.baseRanking = uai::BaseRanking::Adaptive;
    auto loop = makeLoop(data, settings);
    QVERIFY(loop->pretrain().ok());

    // Without verdicts both rankings count one half, and the forest wins the tie.
    const auto first = loop->rankWithoutTraining();
    QVERIFY(first.ok());
    QCOMPARE(first.value().queue, topUnlabeled(first.value().extraScore, *loop, 5));
    QCOMPARE(first.value().baseRankingKey, first.value().extraScore);

    // Normal verdicts on the forest's top 10: its share is 1 / 12. The score's top 10 has
    // fewer of them, so its share is higher and the score ranks the next queue.
    const std::vector<qsizetype> forestTop = topUnlabeled(first.value().extraScore, *loop, 10);
    const std::vector<qsizetype> scoreTop = topUnlabeled(first.value().baseScore, *loop, 10);
    const auto shared = std::count_if(scoreTop.begin(), scoreTop.end(), [&](qsizetype item) {
        return std::find(forestTop.begin(), forestTop.end(), item) != forestTop.end();
    });
    QVERIFY2(shared < 10, "the test needs rankings whose top 10 items differ");
    for (const qsizetype item : forestTop)
        loop->submitVerdict(item, uai::Verdict::Normal);
    const auto second = loop->rankWithoutTraining();
    QVERIFY(second.ok());
    QVERIFY(!second.value().rankedByUai);
    QCOMPARE(second.value().queue, topUnlabeled(second.value().baseScore, *loop, 5));
    QCOMPARE(second.value().baseRankingKey, second.value().baseScore);

    // Anomaly verdicts on those ten instead: the forest's share, 11 / 12, wins again.
    for (const qsizetype item : forestTop)
        loop->submitVerdict(item, uai::Verdict::Anomaly);
    const auto third = loop->rankWithoutTraining();
    QVERIFY(third.ok());
    QCOMPARE(third.value().baseRankingKey, third.value().extraScore);
}

QTEST_GUILESS_MAIN(tst_ActiveLoop)
#include "tst_activeloop.moc"
