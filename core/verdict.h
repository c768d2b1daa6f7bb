#pragma once

#include <QString>

#include <cstdint>
#include <optional>

namespace uai {

/// The analyst's answer for one queued item. Unsure removes the item from the queue without
/// training on it; it still counts against the budget because it cost the analyst a look.
enum class Verdict : std::uint8_t { Anomaly, Normal, Unsure };

/// Returns "anomaly", "normal" or "unsure", the spelling used in files and the command line.
QString verdictName(Verdict verdict);

/// Parses the spelling of verdictName(), case-insensitively; nullopt for anything else.
std::optional<Verdict> parseVerdict(const QString &text);

} // namespace uai
