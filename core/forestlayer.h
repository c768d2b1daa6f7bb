#pragma once

#include "isolationforest.h"
#include "result.h"

#include <QtGlobal>

#include <cstdint>
#include <vector>

namespace uai {

struct Dataset;

/// A logistic layer on an isolation forest, refitted on all verdicts whenever it ranks.
///
/// Each item is described by the leaf it reaches in every tree. The layer's logit is the item's
/// anchor plus a bias plus the mean, over the trees, of a weight per leaf:
///
///     z(x) = s(x) + b + (1 / T) sum_t v[leaf_t(x)]
///
/// The anchor s is the standardised forest score, or any other standardised score passed to
/// rank(), such as scoreAnchor() of the base model's anomaly score.
///
/// The leaf weights start at 0, so before any verdict the layer ranks as the forest does. The fit
/// minimises the binary cross-entropy of the verdicts, with anomalies and normal items weighted
/// to equal shares, plus a ridge penalty that pulls the leaf weights back to 0. An anomaly verdict
/// raises every item that shares leaves with it, in proportion to the number of trees where it
/// does, and a normal verdict lowers them, so the ranking follows the regions where verdicts found
/// anomalies. The forest score's weight stays 1, so few verdicts adjust the forest's ranking
/// instead of replacing it.
class ForestLayer
{
public:
    /// Ridge penalty on the leaf weights, per tree. Smaller values follow the verdicts more
    /// closely. On six benchmark tables, a ridge of 1 found fewer anomalies than 0.25 on five
    /// (cardiotocography 0.60 against 0.68 recall over 5 seeds).
    static constexpr double kRidge = 0.25;
    /// Full-batch gradient steps (heavy-ball momentum 0.9) per fit.
    static constexpr int kIterations = 500;

    /// Grows the forest on the dataset's features and records every item's leaves. Fails as
    /// IsolationForest::fit() does.
    static Result<ForestLayer> grow(const Dataset &dataset,
                                    const IsolationForestSettings &settings);

    /// The forest's scores, standardised to zero mean and unit variance over the dataset.
    const std::vector<float> &forestScores() const { return m_scores; }

    /// Fits the layer on the verdicts and returns every item's logit less the bias, which
    /// shifts all items alike and so does not change the ranking. Item indices must be
    /// below itemCount(). The anchor, when given, has itemCount() values and replaces
    /// forestScores() as s(x). Without verdicts, returns the anchor. Deterministic: the same
    /// verdicts in the same order give the same logits.
    std::vector<float> rank(const std::vector<qsizetype> &anomalies,
                            const std::vector<qsizetype> &normals,
                            const std::vector<float> *anchor = nullptr) const;

    /// Returns the anchor for a base model's anomaly scores: the logarithm of each score, floored
    /// at 1e-12 and standardised. Without the logarithm, a few huge reconstruction errors would
    /// squeeze the other items' anchors together. Non-finite scores come out at 0.
    static std::vector<float> scoreAnchor(const std::vector<float> &scores);

    qsizetype itemCount() const { return qsizetype(m_scores.size()); }
    int treeCount() const { return m_treeCount; }

    /// Bytes the recorded leaves of itemCount items take with treeCount trees.
    static qint64 leafBytes(qsizetype itemCount, int treeCount);

private:
    std::vector<float> m_scores;
    /// Leaf index per item and tree, row-major (items x trees).
    std::vector<std::int32_t> m_leaves;
    int m_treeCount = 0;
    qsizetype m_nodeCount = 0;
};

} // namespace uai
