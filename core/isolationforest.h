#pragma once

#include "result.h"

#include <QtGlobal>

#include <cstdint>
#include <vector>

namespace uai {

struct Dataset;

/// Settings of an isolation forest. The defaults are the usual ones: 100 trees, each grown on
/// 256 items drawn without replacement, depth limited to ceil(log2(256)) = 8.
struct IsolationForestSettings {
    int treeCount = 100;
    /// Items per tree; datasets with fewer items use all of them.
    int subsampleSize = 256;
    std::uint64_t seed = 1;

    /// Returns an empty string when the settings are usable, otherwise which field is invalid.
    QString validate() const;
};

/// An isolation forest (Liu, Ting and Zhou, 2008): random axis-parallel splits isolate an
/// unusual item in fewer steps than a typical one, so a short mean path length means anomalous.
///
/// Each split picks a feature at random among those not constant on the node's items, and a
/// threshold uniform between their minimum and maximum. A node with constant items, or at the
/// depth limit, becomes a leaf. Draws come from std::mt19937_64 with our own conversions, so a
/// seed gives the same forest with every standard library. Single-threaded.
class IsolationForest
{
public:
    /// Grows the forest on the rows of a row-major itemCount x featureCount matrix. Fails when
    /// the settings are invalid, there are fewer than 2 items or no features, or a value is not
    /// finite.
    static Result<IsolationForest> fit(const float *rows,
                                       qsizetype itemCount,
                                       qsizetype featureCount,
                                       const IsolationForestSettings &settings);

    /// Returns the anomaly score 2^(-E[h(x)] / c(n)) of each row, in (0, 1]; higher is more
    /// anomalous and about 0.5 or below is typical. h(x) is the path length of row x in one tree,
    /// plus c(leaf size) for the items a depth-limited leaf left unseparated. c(n) is the mean
    /// path length of an unsuccessful search in a binary search tree of n items, with n the
    /// subsample size. rows must have the featureCount columns the forest was grown on.
    std::vector<float> score(const float *rows, qsizetype itemCount) const;

    /// Returns, for each row and tree, the index of the leaf the row reaches, row-major
    /// (itemCount x treeCount()). Indices are below nodeCount() and unique across trees.
    std::vector<std::int32_t> leafIndices(const float *rows, qsizetype itemCount) const;

    int treeCount() const { return int(m_roots.size()); }
    /// Number of nodes (splits and leaves) of all trees together.
    qsizetype nodeCount() const { return qsizetype(m_nodes.size()); }
    qsizetype featureCount() const { return m_featureCount; }
    int subsampleSize() const { return m_subsampleSize; }

    /// Mean path length c(n) of an unsuccessful search in a binary search tree of n items:
    /// 2 H(n - 1) - 2 (n - 1) / n, with c(0) = c(1) = 0 and c(2) = 1.
    static double averagePathLength(qsizetype n);

private:
    /// A split (feature >= 0) or a leaf (feature == -1) that stores its item count.
    struct Node {
        std::int32_t feature = -1;
        std::int32_t left = 0; ///< Index of the child for values below the threshold.
        std::int32_t right = 0;
        std::int32_t size = 0; ///< Leaves only: training items that ended here.
        double threshold = 0.0;
    };

    qsizetype m_featureCount = 0;
    int m_subsampleSize = 0;
    std::vector<Node> m_nodes;
    std::vector<std::int32_t> m_roots; ///< Index of each tree's root in m_nodes.
};

/// Shifts and scales scores to zero mean and unit variance. Equal scores become zeros.
void standardiseScores(std::vector<float> &scores);

/// Grows an isolation forest on a dataset's features (standardised for tables, pixels in [0, 1]
/// for images) and returns every item's score. The scores are standardised to zero mean and unit
/// variance over the dataset, so they share the scale of the UAI layer's other inputs. A dataset
/// whose scores are all equal gets zeros. Fails as IsolationForest::fit() does.
Result<std::vector<float>> standardisedIsolationScores(const Dataset &dataset,
                                                       const IsolationForestSettings &settings);

} // namespace uai
