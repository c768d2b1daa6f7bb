#pragma once

#include "dataset.h"
#include "result.h"

#include <QList>

#include <cstdint>

namespace uai {

/// Builds a clustered-anomaly set from a labeled image set: the items of each rare class are
/// reduced to keptFraction of their count (rounded to the nearest item, at least one), the kept
/// ones become the anomalies, and each of them gets a class drawn uniformly from the classes
/// that are not rare, so that the classifier model sees a class that does not fit the image.
/// All other items keep their class and are normal. Items keep their ids and relative order.
///
/// With rare class {0} and 0.1 this is the "_0" construction; with {0, 1, 2} the "_0-2" one.
/// The same seed always selects and relabels the same items on every platform.
/// Fails when the source has no class column or a rare class is absent from it.
Result<Dataset> makeRareClassSet(const Dataset &labeled,
                                 const QList<int> &rareClasses,
                                 double keptFraction,
                                 std::uint64_t seed,
                                 const QString &name);

} // namespace uai
