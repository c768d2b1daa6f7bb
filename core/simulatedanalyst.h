#pragma once

#include "dataset.h"
#include "loopsettings.h"
#include "result.h"
#include "roundreport.h"

#include <atomic>
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
    qsizetype anomalies = 0;
    qsizetype itemCount = 0;
    double pretrainSeconds = 0.0;
    double roundSeconds = 0.0; ///< All rounds together: training, scoring and selection.
    /// The reason the run ended before the budget was spent, or empty.
    QString endedEarly;
};

struct SimulationOptions {
    /// Verdicts to spend.
    qsizetype budget = 1000;
    /// Receives pretraining progress (steps done and total) and each finished round.
    std::function<void(int done, int total)> pretrainProgress;
    std::function<void(const DiscoveryPoint &, const RoundReport &)> roundFinished;
    const std::atomic_bool *stop = nullptr;
};

/// Runs the active-learning loop with an analyst who answers every query from the ground truth,
/// until the budget is spent or every item has a verdict. Fails when the dataset has no ground
/// truth or the loop fails.
Result<SimulationResult> simulateAnalyst(std::shared_ptr<const Dataset> dataset,
                                         const LoopSettings &settings,
                                         const SimulationOptions &options);

} // namespace uai
