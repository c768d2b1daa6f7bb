#include "csvreader.h"
#include "dataset.h"
#include "forestlayer.h"
#include "isolationforest.h"

#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <set>

namespace {

/// c(n) from its definition, with the harmonic number summed in long double: the test's own
/// computation, independent of the forest's.
double expectedPathLength(int n)
{
    if (n <= 1)
        return 0.0;
    long double harmonic = 0.0L;
    for (int i = 1; i <= n - 1; ++i)
        harmonic += 1.0L / i;
    return double(2.0L * harmonic - 2.0L * (n - 1) / n);
}

/// Returns count rows of 3 features drawn from a standard normal with the given seed.
std::vector<float> normalRows(int count, unsigned seed)
{
    std::mt19937 engine(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> rows(size_t(count) * 3);
    for (float &value : rows)
        value = normal(engine);
    return rows;
}

/// Returns the area under the ROC curve of a score against the ground truth, from the rank sum
/// of the anomalies (Mann-Whitney U), with tied scores given their mean rank.
double rocArea(const std::vector<float> &score, const std::vector<uai::Truth> &truth)
{
    std::vector<size_t> order(score.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(
        order.begin(), order.end(), [&score](size_t a, size_t b) { return score[a] < score[b]; });
    double anomalies = 0.0;
    double normals = 0.0;
    double rankSum = 0.0;
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j < order.size() && score[order[j]] == score[order[i]])
            ++j;
        const double meanRank = (double(i) + double(j - 1)) / 2.0 + 1.0;
        for (size_t t = i; t < j; ++t) {
            if (truth[order[t]] == uai::Truth::Anomaly) {
                rankSum += meanRank;
                anomalies += 1.0;
            } else {
                normals += 1.0;
            }
        }
        i = j;
    }
    return (rankSum - anomalies * (anomalies + 1.0) / 2.0) / (anomalies * normals);
}

} // namespace

class tst_IsolationForest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void averagePathLengthMatchesDefinition_data();
    void averagePathLengthMatchesDefinition();
    void loneDuplicateOutlierExactScores();
    void obviousOutlierScoresHighest();
    void sameSeedSameScores();
    void constantColumnsGiveFiniteScores();
    void allConstantRowsStandardiseToZero();
    void rejectsBadInput_data();
    void rejectsBadInput();
    void shuttleAnomaliesRankHigh();
    void leafIndicesAreLeaves();
    void forestLayerWithoutVerdictsIsTheForest();
    void forestLayerFollowsAnomalyVerdicts();
    void scoreAnchorIsStandardisedLogScore();
    void forestLayerStartsFromGivenAnchor();
    void forestLayerBeatsForestOnCardiotocography();
};

void tst_IsolationForest::averagePathLengthMatchesDefinition_data()
{
    QTest::addColumn<int>("n");
    for (const int n : {0, 1, 2, 3, 10, 255, 256, 4097, 5000})
        QTest::addRow("n = %d", n) << n;
}

void tst_IsolationForest::averagePathLengthMatchesDefinition()
{
    QFETCH(int, n);
    const double expected = expectedPathLength(n);
    QVERIFY2(std::abs(uai::IsolationForest::averagePathLength(n) - expected) < 1e-9,
             qPrintable(QStringLiteral("c(%1) = %2, expected %3")
                            .arg(n)
                            .arg(uai::IsolationForest::averagePathLength(n), 0, 'g', 15)
                            .arg(expected, 0, 'g', 15)));
}

void tst_IsolationForest::loneDuplicateOutlierExactScores()
{
    // Nine equal rows and one that differs in feature 1 only. Every tree's first split is on
    // feature 1 and isolates the odd row at depth 1; the nine equal rows end in one leaf of 9.
    std::vector<float> rows;
    for (int i = 0; i < 9; ++i)
        rows.insert(rows.end(), {1.0f, 2.0f, 3.0f});
    rows.insert(rows.end(), {1.0f, 7.0f, 3.0f});
    uai::IsolationForestSettings settings;
    settings.treeCount = 20;
    const auto forest = uai::IsolationForest::fit(rows.data(), 10, 3, settings);
    QVERIFY2(forest.ok(), qPrintable(forest.error()));
    QCOMPARE(forest.value().subsampleSize(), 10);
    const std::vector<float> scores = forest.value().score(rows.data(), 10);

    const double normaliser = expectedPathLength(10);
    const double outlier = std::exp2(-1.0 / normaliser);
    const double typical = std::exp2(-(1.0 + expectedPathLength(9)) / normaliser);
    for (int i = 0; i < 9; ++i)
        QVERIFY2(std::abs(scores[size_t(i)] - typical) < 1e-6,
                 qPrintable(QStringLiteral("row %1: %2, expected %3")
                                .arg(i)
                                .arg(scores[size_t(i)])
                                .arg(typical)));
    QVERIFY2(std::abs(scores[9] - outlier) < 1e-6,
             qPrintable(QStringLiteral("%1, expected %2").arg(scores[9]).arg(outlier)));
}

void tst_IsolationForest::obviousOutlierScoresHighest()
{
    std::vector<float> rows = normalRows(500, 3);
    // Item 137 moves far from the cloud of the others.
    for (int j = 0; j < 3; ++j)
        rows[137 * 3 + size_t(j)] = 8.0f;
    const auto forest = uai::IsolationForest::fit(rows.data(), 500, 3, {});
    QVERIFY2(forest.ok(), qPrintable(forest.error()));
    const std::vector<float> scores = forest.value().score(rows.data(), 500);

    const auto highest = std::max_element(scores.begin(), scores.end()) - scores.begin();
    QCOMPARE(highest, 137);
    QVERIFY2(scores[137] > 0.7f, qPrintable(QString::number(scores[137])));
    std::vector<float> sorted = scores;
    std::sort(sorted.begin(), sorted.end());
    const float median = sorted[250];
    QVERIFY2(median > 0.35f && median < 0.5f, qPrintable(QString::number(median)));
    for (const float s : scores) {
        QVERIFY(s > 0.0f);
        QVERIFY(s <= 1.0f);
    }
}

void tst_IsolationForest::sameSeedSameScores()
{
    const std::vector<float> rows = normalRows(400, 8);
    uai::IsolationForestSettings settings;
    settings.seed = 42;
    const auto first = uai::IsolationForest::fit(rows.data(), 400, 3, settings);
    const auto again = uai::IsolationForest::fit(rows.data(), 400, 3, settings);
    settings.seed = 43;
    const auto other = uai::IsolationForest::fit(rows.data(), 400, 3, settings);
    QVERIFY(first.ok());
    QVERIFY(again.ok());
    QVERIFY(other.ok());
    const auto scores = first.value().score(rows.data(), 400);
    QCOMPARE(again.value().score(rows.data(), 400), scores);
    QVERIFY(other.value().score(rows.data(), 400) != scores);
}

void tst_IsolationForest::constantColumnsGiveFiniteScores()
{
    // Columns 0 and 2 are constant, as blank image borders are; column 1 contains one outlier.
    std::vector<float> rows;
    for (int i = 0; i < 300; ++i)
        rows.insert(rows.end(), {0.0f, float(i % 17) / 17.0f, 5.0f});
    rows[42 * 3 + 1] = 9.0f;
    const auto forest = uai::IsolationForest::fit(rows.data(), 300, 3, {});
    QVERIFY2(forest.ok(), qPrintable(forest.error()));
    const std::vector<float> scores = forest.value().score(rows.data(), 300);
    for (const float s : scores)
        QVERIFY(std::isfinite(s));
    QCOMPARE(std::max_element(scores.begin(), scores.end()) - scores.begin(), 42);
}

void tst_IsolationForest::allConstantRowsStandardiseToZero()
{
    uai::Dataset data;
    data.name = QStringLiteral("flat");
    data.itemCount = 50;
    data.featureCount = 4;
    data.features.assign(200, 0.25f);
    const auto scores = uai::standardisedIsolationScores(data, {});
    QVERIFY2(scores.ok(), qPrintable(scores.error()));
    QCOMPARE(scores.value(), std::vector<float>(50, 0.0f));
}

void tst_IsolationForest::rejectsBadInput_data()
{
    QTest::addColumn<int>("items");
    QTest::addColumn<int>("trees");
    QTest::addColumn<int>("subsample");
    QTest::addColumn<bool>("withNaN");
    QTest::addColumn<QString>("expected");
    QTest::newRow("one item") << 1 << 100 << 256 << false << QStringLiteral("at least 2 items");
    QTest::newRow("zero trees") << 20 << 0 << 256 << false << QStringLiteral("tree count = 0");
    QTest::newRow("subsample of one")
        << 20 << 100 << 1 << false << QStringLiteral("subsample size = 1");
    QTest::newRow("not a number") << 20 << 100 << 256 << true << QStringLiteral("item 3");
}

void tst_IsolationForest::rejectsBadInput()
{
    QFETCH(int, items);
    QFETCH(int, trees);
    QFETCH(int, subsample);
    QFETCH(bool, withNaN);
    QFETCH(QString, expected);
    std::vector<float> rows = normalRows(items, 1);
    if (withNaN)
        rows[3 * 3 + 2] = std::nanf("");
    uai::IsolationForestSettings settings;
    settings.treeCount = trees;
    settings.subsampleSize = subsample;
    const auto forest = uai::IsolationForest::fit(rows.data(), items, 3, settings);
    QVERIFY(!forest.ok());
    QVERIFY2(forest.error().contains(expected), qPrintable(forest.error()));
}

void tst_IsolationForest::shuttleAnomaliesRankHigh()
{
    const QString path = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_1v23567.csv");
    auto loaded = uai::readCsv(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const uai::Dataset &data = loaded.value();
    const auto scores = uai::standardisedIsolationScores(data, {});
    QVERIFY2(scores.ok(), qPrintable(scores.error()));
    QCOMPARE(scores.value().size(), size_t(data.itemCount));

    double sum = 0.0;
    double squares = 0.0;
    for (const float s : scores.value()) {
        QVERIFY(std::isfinite(s));
        sum += s;
        squares += double(s) * s;
    }
    QVERIFY(std::abs(sum / data.itemCount) < 1e-4);
    QVERIFY(std::abs(squares / data.itemCount - 1.0) < 1e-3);
    // The shuttle anomalies (classes 2, 3, 5, 6, 7) lie away from the dense class 1, so an
    // isolation forest ranks them high. A random ranking would give 0.5.
    const double area = rocArea(scores.value(), data.truth);
    qInfo("shuttle: isolation-forest ROC area %.4f over %lld items",
          area,
          static_cast<long long>(data.itemCount));
    QVERIFY2(area > 0.9, qPrintable(QString::number(area)));
}

namespace {

/// 400 standard normal items in 3 features, then two clusters of 10 outliers: one around
/// (6, 0, 0) and one around (0, -6, 0), each with spread 0.3.
uai::Dataset twoClusters()
{
    uai::Dataset data;
    data.name = QStringLiteral("two clusters");
    data.featureCount = 3;
    data.features = normalRows(400, 11);
    std::mt19937 engine(12);
    std::normal_distribution<float> spread(0.0f, 0.3f);
    for (const auto &centre : {std::array<float, 3>{6, 0, 0}, std::array<float, 3>{0, -6, 0}}) {
        for (int i = 0; i < 10; ++i) {
            for (const float c : centre)
                data.features.push_back(c + spread(engine));
        }
    }
    data.itemCount = qsizetype(data.features.size() / 3);
    return data;
}

/// Returns the lowest key among items [first, first + count).
float lowest(const std::vector<float> &key, size_t first, size_t count)
{
    return *std::min_element(key.begin() + std::ptrdiff_t(first),
                             key.begin() + std::ptrdiff_t(first + count));
}

/// Returns the highest key among items [first, first + count).
float highest(const std::vector<float> &key, size_t first, size_t count)
{
    return *std::max_element(key.begin() + std::ptrdiff_t(first),
                             key.begin() + std::ptrdiff_t(first + count));
}

/// Plays the analyst on the ground truth: each round queues the k unlabeled items with the
/// highest key and returns the anomalies found after budget verdicts.
int anomaliesFound(const uai::Dataset &data,
                   int budget,
                   int k,
                   const std::function<std::vector<float>(const std::vector<qsizetype> &,
                                                          const std::vector<qsizetype> &)> &rank)
{
    std::vector<bool> judged(size_t(data.itemCount), false);
    std::vector<qsizetype> anomalies;
    std::vector<qsizetype> normals;
    int spent = 0;
    while (spent < budget) {
        const std::vector<float> key = rank(anomalies, normals);
        std::vector<qsizetype> order(size_t(data.itemCount));
        std::iota(order.begin(), order.end(), qsizetype(0));
        std::stable_sort(order.begin(), order.end(), [&key](qsizetype a, qsizetype b) {
            return key[size_t(a)] > key[size_t(b)];
        });
        int queued = 0;
        for (const qsizetype item : order) {
            if (judged[size_t(item)])
                continue;
            judged[size_t(item)] = true;
            if (data.truth[size_t(item)] == uai::Truth::Anomaly)
                anomalies.push_back(item);
            else
                normals.push_back(item);
            ++spent;
            if (++queued == k || spent >= budget)
                break;
        }
    }
    return int(anomalies.size());
}

} // namespace

void tst_IsolationForest::leafIndicesAreLeaves()
{
    const std::vector<float> rows = normalRows(300, 5);
    uai::IsolationForestSettings settings;
    settings.treeCount = 20;
    const auto forest = uai::IsolationForest::fit(rows.data(), 300, 3, settings);
    QVERIFY(forest.ok());
    const auto leaves = forest.value().leafIndices(rows.data(), 300);
    QCOMPARE(leaves.size(), size_t(300 * 20));
    std::set<std::int32_t> firstTree;
    for (size_t item = 0; item < 300; ++item) {
        for (size_t tree = 0; tree < 20; ++tree) {
            const std::int32_t leaf = leaves[item * 20 + tree];
            QVERIFY(leaf >= 0 && leaf < forest.value().nodeCount());
            if (tree == 0)
                firstTree.insert(leaf);
        }
    }
    // 300 items spread over more than one leaf of a tree.
    QVERIFY(firstTree.size() > 1);
    // Trees own disjoint nodes, so no other tree reaches a leaf of the first.
    for (size_t item = 0; item < 300; ++item) {
        for (size_t tree = 1; tree < 20; ++tree)
            QVERIFY(!firstTree.count(leaves[item * 20 + tree]));
    }
    // A row identical to item 7 reaches the same leaves.
    const std::vector<float> copy(rows.begin() + 21, rows.begin() + 24);
    const auto again = forest.value().leafIndices(copy.data(), 1);
    QVERIFY(std::equal(again.begin(), again.end(), leaves.begin() + 7 * 20));
}

void tst_IsolationForest::forestLayerWithoutVerdictsIsTheForest()
{
    const uai::Dataset data = twoClusters();
    const auto layer = uai::ForestLayer::grow(data, {});
    QVERIFY2(layer.ok(), qPrintable(layer.error()));
    const auto scores = uai::standardisedIsolationScores(data, {});
    QVERIFY(scores.ok());
    QCOMPARE(layer.value().forestScores(), scores.value());
    QCOMPARE(layer.value().rank({}, {}), scores.value());
    QCOMPARE(layer.value().treeCount(), 100);
}

void tst_IsolationForest::forestLayerFollowsAnomalyVerdicts()
{
    const uai::Dataset data = twoClusters();
    const auto layer = uai::ForestLayer::grow(data, {});
    QVERIFY(layer.ok());
    // Items 400..409 form the first cluster, 410..419 the second. Two anomaly verdicts in the
    // second and two normal verdicts in the first put the second's other eight items above the
    // first's, whatever the forest's own order.
    const std::vector<float> key = layer.value().rank({410, 411}, {400, 401});
    QVERIFY(lowest(key, 412, 8) > highest(key, 402, 8));
    // Each item of the second cluster rose above its forest score, and each of the first fell.
    const std::vector<float> &forest = layer.value().forestScores();
    for (size_t item = 0; item < 10; ++item) {
        QVERIFY(key[410 + item] > forest[410 + item]);
        QVERIFY(key[400 + item] < forest[400 + item]);
    }
    // Swapping the verdicts swaps the clusters.
    const std::vector<float> swapped = layer.value().rank({400, 401}, {410, 411});
    QVERIFY(lowest(swapped, 402, 8) > highest(swapped, 412, 8));
    // The fit is deterministic.
    QCOMPARE(layer.value().rank({410, 411}, {400, 401}), key);
    for (const float value : key)
        QVERIFY(std::isfinite(value));
}

void tst_IsolationForest::scoreAnchorIsStandardisedLogScore()
{
    // log(1e-3), log(1e-1), log(10) are equally spaced, so they standardise to -sqrt(1.5), 0 and
    // +sqrt(1.5). Zero is floored at 1e-12 and NaN takes the mean of the others' logarithms.
    const std::vector<float> anchor = uai::ForestLayer::scoreAnchor({1e-3f, 1e-1f, 10.0f});
    QCOMPARE(anchor.size(), size_t(3));
    QVERIFY(std::abs(anchor[0] + std::sqrt(1.5f)) < 1e-5f);
    QVERIFY(std::abs(anchor[1]) < 1e-5f);
    QVERIFY(std::abs(anchor[2] - std::sqrt(1.5f)) < 1e-5f);

    const std::vector<float> floored =
        uai::ForestLayer::scoreAnchor({0.0f, 1e-12f, 1.0f, qQNaN(), 1.0f});
    QCOMPARE(floored[0], floored[1]);
    QVERIFY(floored[0] < 0.0f && floored[2] > 0.0f);
    for (const float value : floored)
        QVERIFY(std::isfinite(value));
    // The NaN sits at the finite values' mean, which standardises to 0 for every item's mean.
    double sum = 0.0;
    for (const float value : floored)
        sum += value;
    QVERIFY(std::abs(sum) < 1e-5);
    QCOMPARE(uai::ForestLayer::scoreAnchor({2.0f, 2.0f}), (std::vector<float>{0.0f, 0.0f}));
}

void tst_IsolationForest::forestLayerStartsFromGivenAnchor()
{
    const uai::Dataset data = twoClusters();
    const auto layer = uai::ForestLayer::grow(data, {});
    QVERIFY(layer.ok());
    // An anchor that ranks the items in reverse order of their index.
    std::vector<float> anchor(size_t(data.itemCount));
    for (size_t item = 0; item < anchor.size(); ++item)
        anchor[item] = -float(item) / float(anchor.size());
    QCOMPARE(layer.value().rank({}, {}, &anchor), anchor);

    // The verdicts move the anchor as they move the forest's score: the leaf weights are the
    // same function of the verdicts, so the anchored logits differ from the anchor by what the
    // verdicts add.
    const std::vector<float> key = layer.value().rank({410, 411}, {400, 401}, &anchor);
    QVERIFY(lowest(key, 412, 8) > highest(key, 402, 8));
    for (size_t item = 0; item < 10; ++item) {
        QVERIFY(key[410 + item] > anchor[410 + item]);
        QVERIFY(key[400 + item] < anchor[400 + item]);
    }
    // The verdicts move their own cluster more than the normal cloud far from it.
    double cloudChange = 0.0;
    for (size_t item = 0; item < 400; ++item)
        cloudChange += std::abs(key[item] - anchor[item]) / 400.0;
    double clusterChange = 0.0;
    for (size_t item = 412; item < 420; ++item)
        clusterChange += std::abs(key[item] - anchor[item]) / 8.0;
    QVERIFY2(clusterChange > 4.0 * cloudChange,
             qPrintable(QStringLiteral("%1 vs %2").arg(clusterChange).arg(cloudChange)));
    QCOMPARE(layer.value().rank({410, 411}, {400, 401}, &anchor), key);
}

void tst_IsolationForest::forestLayerBeatsForestOnCardiotocography()
{
    const QString path = QStringLiteral(UAI_SHARED_DIR "/data/tabular/cardiotocography_1.csv");
    auto loaded = uai::readCsv(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const uai::Dataset &data = loaded.value();
    const auto layer = uai::ForestLayer::grow(data, {});
    QVERIFY(layer.ok());
    // Budget 45 (the anomaly count), 3 items per round, as in the recall table.
    const int withVerdicts = anomaliesFound(
        data, 45, 3, [&layer](const std::vector<qsizetype> &a, const std::vector<qsizetype> &n) {
            return layer.value().rank(a, n);
        });
    const int forestAlone = anomaliesFound(
        data, 45, 3, [&layer](const std::vector<qsizetype> &, const std::vector<qsizetype> &) {
            return layer.value().forestScores();
        });
    qInfo("cardiotocography: %d anomalies with the forest layer, %d with the forest alone",
          withVerdicts,
          forestAlone);
    QVERIFY2(withVerdicts > forestAlone + 5,
             qPrintable(QStringLiteral("%1 vs %2").arg(withVerdicts).arg(forestAlone)));
}

QTEST_GUILESS_MAIN(tst_IsolationForest)
#include "tst_isolationforest.moc"
