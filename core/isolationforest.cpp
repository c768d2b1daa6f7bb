#include "isolationforest.h"

#include "dataset.h"

#include <QLoggingCategory>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

Q_LOGGING_CATEGORY(lcForest, "uai.core.isolationforest", QtWarningMsg)

namespace uai {

namespace {

constexpr int kMaxTreeCount = 10000;
/// Keeps the node count, at most trees x (2 x subsample - 1), within int32 node indices.
constexpr int kMaxSubsampleSize = 65536;
constexpr double kEulerGamma = 0.57721566490153286;

/// Random draws whose values depend only on the seed, not on the standard library's
/// distributions (which differ between implementations).
class Draws
{
public:
    explicit Draws(std::uint64_t seed)
        : m_engine(seed)
    {}

    /// Returns a double in [0, 1) from 53 random bits.
    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; }

    /// Returns an integer in [0, n) without modulo bias; n > 0.
    std::uint64_t below(std::uint64_t n)
    {
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t value = m_engine();
            if (value >= threshold)
                return value % n;
        }
    }

private:
    std::mt19937_64 m_engine;
};

} // namespace

QString IsolationForestSettings::validate() const
{
    if (treeCount < 1 || treeCount > kMaxTreeCount)
        return QStringLiteral("tree count = %1 is outside 1..%2").arg(treeCount).arg(kMaxTreeCount);
    if (subsampleSize < 2 || subsampleSize > kMaxSubsampleSize)
        return QStringLiteral("subsample size = %1 is outside 2..%2")
            .arg(subsampleSize)
            .arg(kMaxSubsampleSize);
    return {};
}

double IsolationForest::averagePathLength(qsizetype n)
{
    if (n <= 1)
        return 0.0;
    if (n == 2)
        return 1.0;
    // H(m) is summed term by term for the subsample sizes a forest uses. Beyond them the
    // asymptotic expansion's first omitted term, 1 / (120 m^4), is below 1e-16.
    const qsizetype m = n - 1;
    double harmonic = 0.0;
    if (m <= 4096) {
        for (qsizetype i = m; i >= 1; --i)
            harmonic += 1.0 / double(i);
    } else {
        const double md = double(m);
        harmonic = std::log(md) + kEulerGamma + 0.5 / md - 1.0 / (12.0 * md * md);
    }
    return 2.0 * harmonic - 2.0 * double(m) / double(n);
}

Result<IsolationForest> IsolationForest::fit(const float *rows,
                                             qsizetype itemCount,
                                             qsizetype featureCount,
                                             const IsolationForestSettings &settings)
{
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return fail(QStringLiteral("Invalid isolation forest settings: %1.").arg(problem));
    if (itemCount < 2)
        return fail(
            QStringLiteral("The isolation forest needs at least 2 items, got %1.").arg(itemCount));
    if (featureCount < 1)
        return fail(QStringLiteral("The isolation forest needs at least 1 feature, got 0."));
    if (featureCount > std::numeric_limits<std::int32_t>::max())
        return fail(QStringLiteral("The isolation forest takes at most %1 features, got %2.")
                        .arg(std::numeric_limits<std::int32_t>::max())
                        .arg(featureCount));
    const qsizetype valueCount = itemCount * featureCount;
    for (qsizetype i = 0; i < valueCount; ++i) {
        if (!std::isfinite(rows[i])) {
            return fail(QStringLiteral("The isolation forest got a non-finite value in item %1, "
                                       "feature %2.")
                            .arg(i / featureCount)
                            .arg(i % featureCount));
        }
    }

    const auto start = std::chrono::steady_clock::now();
    IsolationForest forest;
    forest.m_featureCount = featureCount;
    forest.m_subsampleSize = int(std::min<qsizetype>(settings.subsampleSize, itemCount));
    const int depthLimit = int(std::ceil(std::log2(double(forest.m_subsampleSize))));
    Draws draws(settings.seed);

    // Both pools stay permutations, so each partial shuffle draws without replacement.
    std::vector<qsizetype> itemPool(static_cast<size_t>(itemCount));
    std::iota(itemPool.begin(), itemPool.end(), qsizetype(0));
    std::vector<std::int32_t> featurePool(static_cast<size_t>(featureCount));
    std::iota(featurePool.begin(), featurePool.end(), 0);
    const auto value = [rows, featureCount](qsizetype item, std::int32_t feature) {
        return double(rows[item * featureCount + feature]);
    };

    // A pending node: its slot in m_nodes, its items as [begin, end) of `items`, its depth.
    struct Pending {
        std::int32_t node;
        size_t begin;
        size_t end;
        int depth;
    };
    std::vector<qsizetype> items(size_t(forest.m_subsampleSize));
    std::vector<Pending> pending;
    forest.m_nodes.reserve(size_t(settings.treeCount) * (2 * size_t(forest.m_subsampleSize) - 1));
    for (int tree = 0; tree < settings.treeCount; ++tree) {
        for (size_t i = 0; i < items.size(); ++i) {
            const auto pick = i + size_t(draws.below(std::uint64_t(itemCount - qsizetype(i))));
            std::swap(itemPool[i], itemPool[pick]);
            items[i] = itemPool[i];
        }
        forest.m_roots.push_back(std::int32_t(forest.m_nodes.size()));
        forest.m_nodes.emplace_back();
        pending.push_back({forest.m_roots.back(), 0, items.size(), 0});
        while (!pending.empty()) {
            const Pending current = pending.back();
            pending.pop_back();
            Node split;
            split.size = std::int32_t(current.end - current.begin);
            double low = 0.0;
            double high = 0.0;
            if (split.size > 1 && current.depth < depthLimit) {
                // Features in a random order until one varies on this node's items.
                for (size_t tried = 0; tried < featurePool.size(); ++tried) {
                    const auto pick =
                        tried + size_t(draws.below(std::uint64_t(featurePool.size() - tried)));
                    std::swap(featurePool[tried], featurePool[pick]);
                    const std::int32_t feature = featurePool[tried];
                    low = high = value(items[current.begin], feature);
                    for (size_t i = current.begin + 1; i < current.end; ++i) {
                        const double v = value(items[i], feature);
                        low = std::min(low, v);
                        high = std::max(high, v);
                    }
                    if (high > low) {
                        split.feature = feature;
                        break;
                    }
                }
            }
            if (split.feature < 0) {
                forest.m_nodes[size_t(current.node)] = split;
                continue;
            }
            // In (low, high], so the minimum goes left and the maximum right.
            split.threshold = low + (1.0 - draws.uniform()) * (high - low);
            const auto middle = std::partition(
                items.begin() + std::ptrdiff_t(current.begin),
                items.begin() + std::ptrdiff_t(current.end),
                [&](qsizetype item) { return value(item, split.feature) < split.threshold; });
            const auto middleIndex = size_t(middle - items.begin());
            split.left = std::int32_t(forest.m_nodes.size());
            split.right = split.left + 1;
            forest.m_nodes[size_t(current.node)] = split;
            forest.m_nodes.emplace_back();
            forest.m_nodes.emplace_back();
            pending.push_back({split.right, middleIndex, current.end, current.depth + 1});
            pending.push_back({split.left, current.begin, middleIndex, current.depth + 1});
        }
    }
    qCDebug(lcForest)
        << "grew" << settings.treeCount << "trees on" << forest.m_subsampleSize << "of" << itemCount
        << "items," << featureCount << "features," << forest.m_nodes.size() << "nodes in"
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << "s";
    return forest;
}

std::vector<float> IsolationForest::score(const float *rows, qsizetype itemCount) const
{
    // Leaves hold at most the subsample size, so c(size) comes from a table.
    std::vector<double> leafTerm(size_t(m_subsampleSize) + 1);
    for (size_t n = 0; n < leafTerm.size(); ++n)
        leafTerm[n] = averagePathLength(qsizetype(n));
    const double normaliser = averagePathLength(m_subsampleSize);

    std::vector<float> scores(size_t(std::max<qsizetype>(itemCount, 0)));
    for (qsizetype item = 0; item < itemCount; ++item) {
        const float *row = rows + item * m_featureCount;
        double total = 0.0;
        for (const std::int32_t root : m_roots) {
            const Node *node = &m_nodes[size_t(root)];
            int depth = 0;
            while (node->feature >= 0) {
                const double v = double(row[node->feature]);
                node = &m_nodes[size_t(v < node->threshold ? node->left : node->right)];
                ++depth;
            }
            total += double(depth) + leafTerm[size_t(node->size)];
        }
        const double meanPath = total / double(m_roots.size());
        scores[size_t(item)] = float(std::exp2(-meanPath / normaliser));
    }
    return scores;
}

std::vector<std::int32_t> IsolationForest::leafIndices(const float *rows, qsizetype itemCount) const
{
    const size_t trees = m_roots.size();
    std::vector<std::int32_t> leaves(size_t(std::max<qsizetype>(itemCount, 0)) * trees);
    for (qsizetype item = 0; item < itemCount; ++item) {
        const float *row = rows + item * m_featureCount;
        for (size_t tree = 0; tree < trees; ++tree) {
            std::int32_t index = m_roots[tree];
            while (m_nodes[size_t(index)].feature >= 0) {
                const Node &node = m_nodes[size_t(index)];
                index = double(row[node.feature]) < node.threshold ? node.left : node.right;
            }
            leaves[size_t(item) * trees + tree] = index;
        }
    }
    return leaves;
}

void standardiseScores(std::vector<float> &scores)
{
    if (scores.empty())
        return;
    double sum = 0.0;
    double squares = 0.0;
    for (const float s : scores) {
        sum += s;
        squares += double(s) * s;
    }
    const double mean = sum / double(scores.size());
    const double deviation =
        std::sqrt(std::max(0.0, squares / double(scores.size()) - mean * mean));
    for (float &s : scores)
        s = deviation > 1e-12 ? float((s - mean) / deviation) : 0.0f;
}

Result<std::vector<float>> standardisedIsolationScores(const Dataset &dataset,
                                                       const IsolationForestSettings &settings)
{
    const auto start = std::chrono::steady_clock::now();
    auto forest = IsolationForest::fit(
        dataset.features.data(), dataset.itemCount, dataset.featureCount, settings);
    if (!forest.ok())
        return fail(QStringLiteral("Cannot compute the isolation-forest score of \"%1\": %2")
                        .arg(dataset.name, forest.error()));
    std::vector<float> scores = forest.value().score(dataset.features.data(), dataset.itemCount);
    standardiseScores(scores);
    qCDebug(lcForest)
        << "isolation-forest scores of" << dataset.name << "in"
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << "s";
    return scores;
}

} // namespace uai
