#pragma once

#include <QString>
#include <QStringList>

namespace uai {
struct LoopSettings;
struct SimulationOptions;
} // namespace uai

/// The discovery curve of a simulation that a method reports.
enum class MethodCurve {
    Uai,  ///< The loop with the UAI layer, as the analyst experienced it.
    Base, ///< The pretrained base model's own ranking at the same verdict counts.
    /// The extra score's own ranking (the isolation-forest score) at the same verdict counts.
    ExtraScore,
};

/// Returns the names applyMethod() accepts, in the order tables list them.
QStringList methodNames();

/// Returns one sentence describing what the named method changes, for the markdown tables; empty
/// for an unknown name.
QString describeMethod(const QString &name);

/// Applies the named method's changes to settings and options, which hold an experiment's
/// defaults on entry, and sets which curve the method reports. Returns false with a message
/// naming the method and listing the known ones when the name is unknown.
bool applyMethod(const QString &name,
                 uai::LoopSettings *settings,
                 uai::SimulationOptions *options,
                 MethodCurve *curve,
                 QString *error);
