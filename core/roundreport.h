#pragma once

#include <QtGlobal>

#include <cmath>
#include <cstdint>
#include <vector>

namespace uai {

/// Everything one round of the loop produced, as plain values that any thread may read.
struct RoundReport {
    /// 0 for the ranking right after pretraining, then 1, 2, ... for each training round.
    int round = 0;
    /// Indices of the queued items, most suspicious first; never holds an item with a verdict.
    std::vector<qsizetype> queue;
    /// True when the queue was ranked by the UAI layer, false when by the base anomaly score.
    bool rankedByUai = false;
    /// True for a ranking taken part-way through pretraining, so that the analyst can start
    /// while pretraining goes on; the ranking after pretraining replaces it.
    bool preliminary = false;

    int latentSize = 0;
    std::vector<float> latent;    ///< itemCount x latentSize, row-major.
    std::vector<float> baseScore; ///< Base model's anomaly score per item (unitless, >= 0).
    std::vector<float> uaiLogit;  ///< UAI layer's logit per item; its sigmoid is the UAI score.
    /// The standardised isolation-forest score per item when the UAI layer reads it or the base
    /// ranking uses it (LoopSettings::extraScore, LoopSettings::baseRanking); otherwise empty.
    std::vector<float> extraScore;
    /// The value per item that the queue sorts by when the UAI layer does not rank, when it is
    /// not baseScore (LoopSettings::baseRanking); otherwise empty.
    std::vector<float> baseRankingKey;

    /// Returns the UAI score of an item: the sigmoid of its logit, in [0, 1].
    double uaiScore(qsizetype item) const
    {
        return 1.0 / (1.0 + std::exp(-double(uaiLogit[size_t(item)])));
    }

    /// UAI layer parameters: latentSize weights for the latent, one for the base score, one for
    /// each extra score, then the bias (held separately). Without extra scores, projecting the
    /// latent onto the first latentSize weights makes the layer's decision boundary a straight
    /// line in (projection, base score) space.
    std::vector<float> uaiWeights;
    float uaiBias = 0.0f;

    /// Verdicts the round trained on.
    qsizetype anomalyVerdicts = 0;
    qsizetype normalVerdicts = 0;

    /// Mean losses over the round's last tenth of steps; 0 when the round did not train.
    double baseLoss = 0.0;
    double uaiLoss = 0.0;

    double trainSeconds = 0.0;
    double scoreSeconds = 0.0;
    double selectSeconds = 0.0;
};

} // namespace uai
