#include "settingsjson.h"

#include "dataset.h"

#include <QJsonArray>
#include <QTest>

class tst_SettingsJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsEveryField();
    void missingKeysTakeDefaults();
    void olderAutomaticRankingKeepsScoreOnImages();
    void invalidValueNamesKey_data();
    void invalidValueNamesKey();
};

void tst_SettingsJson::roundTripKeepsEveryField()
{
    uai::SessionSettings settings;
    settings.loop.model = uai::ModelKind::Classifier;
    settings.loop.hiddenSizes = {128, 32, 1};
    settings.loop.queueSize = 3;
    settings.loop.pretrainSteps = 777;
    settings.loop.roundSteps = 55;
    settings.loop.batchSize = 64;
    settings.loop.learningRate = 0.005;
    settings.loop.inputNoise = 0.25;
    settings.loop.switchRule = uai::SwitchRule::Confidence;
    settings.loop.layerStart = uai::UaiLayerStart::BaseScore;
    settings.loop.extraScore = uai::ExtraScore::IsolationForest;
    settings.loop.baseRanking = uai::BaseRanking::Mixed;
    settings.loop.seed = 18446744073709551615ULL;
    settings.budget = 4321;
    settings.source.csv.truthColumn = QStringLiteral("truth");
    settings.source.csv.classColumn = QStringLiteral("kind");
    settings.source.csv.missingCells = uai::MissingCellPolicy::ImputeMedian;
    settings.source.images.targetWidth = 16;
    settings.source.images.targetHeight = 12;

    const auto read = uai::sessionSettingsFromJson(uai::sessionSettingsToJson(settings));
    QVERIFY2(read.ok(), qPrintable(read.error()));
    const uai::SessionSettings &back = read.value();
    QCOMPARE(back.loop.model, uai::ModelKind::Classifier);
    QCOMPARE(back.loop.hiddenSizes, (std::vector<int>{128, 32, 1}));
    QCOMPARE(back.loop.queueSize, 3);
    QCOMPARE(back.loop.pretrainSteps, 777);
    QCOMPARE(back.loop.roundSteps, 55);
    QCOMPARE(back.loop.batchSize, 64);
    QCOMPARE(back.loop.learningRate, 0.005);
    QCOMPARE(back.loop.inputNoise, 0.25);
    QCOMPARE(back.loop.switchRule, uai::SwitchRule::Confidence);
    QCOMPARE(back.loop.layerStart, uai::UaiLayerStart::BaseScore);
    QCOMPARE(back.loop.extraScore, uai::ExtraScore::IsolationForest);
    QCOMPARE(back.loop.baseRanking, uai::BaseRanking::Mixed);
    QCOMPARE(back.loop.seed, 18446744073709551615ULL);
    QCOMPARE(back.source.seed, 18446744073709551615ULL);
    QCOMPARE(back.budget, 4321);
    QCOMPARE(back.source.csv.truthColumn, QStringLiteral("truth"));
    QCOMPARE(back.source.csv.classColumn, QStringLiteral("kind"));
    QCOMPARE(back.source.csv.missingCells, uai::MissingCellPolicy::ImputeMedian);
    QCOMPARE(back.source.images.targetWidth, 16);
    QCOMPARE(back.source.images.targetHeight, 12);
}

void tst_SettingsJson::missingKeysTakeDefaults()
{
    const auto read = uai::sessionSettingsFromJson(QJsonObject{});
    QVERIFY(read.ok());
    QCOMPARE(read.value().loop.hiddenSizes, (std::vector<int>{256, 64, 8}));
    QCOMPARE(read.value().loop.queueSize, 10);
    QCOMPARE(read.value().loop.extraScore, uai::ExtraScore::None);
    QCOMPARE(read.value().budget, 1000);
    // Sessions saved before the base ranking was a setting keep the score ranking they ran with.
    QCOMPARE(read.value().loop.baseRanking, uai::BaseRanking::AnomalyScore);

    uai::SessionSettings automatic;
    QCOMPARE(automatic.loop.baseRanking, uai::BaseRanking::Automatic);
    const auto back = uai::sessionSettingsFromJson(uai::sessionSettingsToJson(automatic));
    QVERIFY(back.ok());
    QCOMPARE(back.value().loop.baseRanking, uai::BaseRanking::Automatic);
    QCOMPARE(back.value().loop.switchRule, uai::SwitchRule::Automatic);

    // The forest layer and the rule that leaves every queue to it survive a round trip.
    uai::SessionSettings forest;
    forest.loop.baseRanking = uai::BaseRanking::ForestLayer;
    forest.loop.switchRule = uai::SwitchRule::Never;
    const QJsonObject json = uai::sessionSettingsToJson(forest);
    QCOMPARE(json[QStringLiteral("base_ranking")].toString(), QStringLiteral("forest-layer"));
    QCOMPARE(json[QStringLiteral("switch_rule")].toString(), QStringLiteral("never"));
    const auto forestBack = uai::sessionSettingsFromJson(json);
    QVERIFY(forestBack.ok());
    QCOMPARE(forestBack.value().loop.baseRanking, uai::BaseRanking::ForestLayer);
    QCOMPARE(forestBack.value().loop.switchRule, uai::SwitchRule::Never);

    forest.loop.baseRanking = uai::BaseRanking::ScoreForestLayer;
    const QJsonObject scoreJson = uai::sessionSettingsToJson(forest);
    QCOMPARE(scoreJson[QStringLiteral("base_ranking")].toString(),
             QStringLiteral("score-forest-layer"));
    const auto scoreBack = uai::sessionSettingsFromJson(scoreJson);
    QVERIFY(scoreBack.ok());
    QCOMPARE(scoreBack.value().loop.baseRanking, uai::BaseRanking::ScoreForestLayer);
}

void tst_SettingsJson::olderAutomaticRankingKeepsScoreOnImages()
{
    uai::SessionSettings automatic;
    const QJsonObject current = uai::sessionSettingsToJson(automatic);
    QJsonObject older = current;
    older.remove(QStringLiteral("automatic_ranking_version"));
    QVERIFY(older != current);
    uai::Dataset images;
    images.kind = uai::DatasetKind::Images;
    images.itemCount = 100;

    // Saved when "auto" meant the anomaly score on images: that session keeps the score there.
    uai::LoopSettings loop = automatic.loop;
    uai::keepSavedAutomaticRanking(older, uai::DatasetKind::Images, &loop);
    QCOMPARE(loop.baseRanking, uai::BaseRanking::AnomalyScore);
    QCOMPARE(loop.resolvedBaseRanking(images), uai::BaseRanking::AnomalyScore);
    QCOMPARE(loop.resolvedSwitchRule(images), uai::SwitchRule::BothVerdicts);

    // The automatic ranking of tables did not change, and neither do current files.
    loop = automatic.loop;
    uai::keepSavedAutomaticRanking(older, uai::DatasetKind::Table, &loop);
    QCOMPARE(loop.baseRanking, uai::BaseRanking::Automatic);
    uai::keepSavedAutomaticRanking(current, uai::DatasetKind::Images, &loop);
    QCOMPARE(loop.baseRanking, uai::BaseRanking::Automatic);
    QCOMPARE(loop.resolvedBaseRanking(images), uai::BaseRanking::ScoreForestLayer);
    QCOMPARE(loop.resolvedSwitchRule(images), uai::SwitchRule::Never);

    // A ranking chosen by name stays.
    loop.baseRanking = uai::BaseRanking::ForestLayer;
    uai::keepSavedAutomaticRanking(older, uai::DatasetKind::Images, &loop);
    QCOMPARE(loop.baseRanking, uai::BaseRanking::ForestLayer);
}

void tst_SettingsJson::invalidValueNamesKey_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("unknown model")
        << QStringLiteral("model") << QJsonValue(QStringLiteral("forest"));
    QTest::newRow("unknown switch rule")
        << QStringLiteral("switch_rule") << QJsonValue(QStringLiteral("sometimes"));
    QTest::newRow("unknown layer start")
        << QStringLiteral("layer_start") << QJsonValue(QStringLiteral("zeros"));
    QTest::newRow("unknown extra score")
        << QStringLiteral("extra_score") << QJsonValue(QStringLiteral("lof"));
    QTest::newRow("unknown base ranking")
        << QStringLiteral("base_ranking") << QJsonValue(QStringLiteral("best"));
    QTest::newRow("hidden sizes not array") << QStringLiteral("hidden_sizes") << QJsonValue(8);
    QTest::newRow("queue size as text")
        << QStringLiteral("queue_size") << QJsonValue(QStringLiteral("ten"));
    QTest::newRow("seed not a number")
        << QStringLiteral("seed") << QJsonValue(QStringLiteral("x1"));
    QTest::newRow("budget zero") << QStringLiteral("budget") << QJsonValue(0);
    QTest::newRow("ranking version as text")
        << QStringLiteral("automatic_ranking_version") << QJsonValue(QStringLiteral("two"));
    QTest::newRow("unknown policy")
        << QStringLiteral("missing_cells") << QJsonValue(QStringLiteral("drop"));
}

void tst_SettingsJson::invalidValueNamesKey()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    const auto read = uai::sessionSettingsFromJson(QJsonObject{{key, value}});
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(key), qPrintable(read.error()));
}

QTEST_GUILESS_MAIN(tst_SettingsJson)
#include "tst_settingsjson.moc"
