#pragma once

#include "dataset.h"
#include "result.h"

#include <cstdint>

namespace uai {

/// Builds the low-density-anomaly set from a labeled set: a weak classifier (one hidden layer of
/// kHardHiddenUnits ReLU units, trained for kHardTrainingSteps steps) learns the classes, and the
/// items it misclassifies afterwards become the anomalies. All items are kept with their own
/// class. Deterministic for a seed with one intra-op thread.
/// Fails when the source has no class column or the classifier leaves nothing misclassified.
Result<Dataset> makeHardSet(const Dataset &labeled, std::uint64_t seed, const QString &name);

inline constexpr int kHardHiddenUnits = 16;
inline constexpr int kHardTrainingSteps = 400;

} // namespace uai
