#pragma once

#include "dataset.h"
#include "loopsettings.h"
#include "result.h"
#include "roundreport.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace uai {

/// One point of a discovery curve: after `verdicts` verdicts, `found` of them were anomalies.
struct DiscoveryPoint {
    int round = 0;
    qsizetype verdicts = 0;
    qsizetype found = 0;
    /// True when the UAI layer, not the base anomaly score, ranked the queue behind this point.
    bool rankedByUai = false;
};

struct SimulationResult {
    /// The UAI network's curve, one point per round.
    std::vector<DiscoveryPoint> uaiCurve;
    /// The pretrained base model alone: anomalies among its top `verdicts` items by anomaly
    /// score, at the same verdict counts as uaiCurve.
    std::vector<DiscoveryPoint> baseCurve;
    /// The isolation-forest score alone, ranked as baseCurve is; empty when the loop computes no
    /// isolation-forest score (see RoundReport::extraScore).
    std::vector<DiscoveryPoint> extraCurve;
    qsizetype anomalies = 0;
    qsizetype itemCount = 0;
    double pretrainSeconds = 0.0;
    double roundSeconds = 0.0; ///< All rounds together: training, scoring and selection.
    /// The reason the run ended before the budget was spent, or empty.
    QString endedEarly;
    /// Items whose verdict the noisy analyst gave wrong, in the order the verdicts were given;
    /// empty when SimulationOptions::flipFraction is 0.
    std::vector<qsizetype> flippedItems;
};

struct SimulationOptions {
    /// Verdicts to spend.
    qsizetype budget = 1000;
    /// Probability in [0, 1] that a verdict is wrong: a true anomaly gets a normal verdict and a
    /// true normal item an anomaly verdict. The loop trains on the verdict as given, while the
    /// discovery curves keep counting true anomalies.
    double flipFraction = 0.0;
    /// Seed of the generator that decides which verdicts are wrong. It is separate from the
    /// model's seed, so the same flipSeed flips the same verdicts regardless of the weights, as
    /// long as the queues agree.
    std::uint64_t flipSeed = 1;
    /// Receives pretraining progress (steps done and total) and each finished round.
    std::function<void(int done, int total)> pretrainProgress;
    std::function<void(const DiscoveryPoint &, const RoundReport &)> roundFinished;
    const std::atomic_bool *stop = nullptr;
};

/// Runs the active-learning loop with an analyst who answers every query from the ground truth,
/// wrong with probability options.flipFraction, until the budget is spent or every item has a
/// verdict. Fails when the dataset has no ground truth, the flip fraction is outside [0, 1] or
/// the loop fails.
Result<SimulationResult> simulateAnalyst(std::shared_ptr<const Dataset> dataset,
                                         const LoopSettings &settings,
                                         const SimulationOptions &options);

} // namespace uai
