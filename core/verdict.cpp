#include "verdict.h"

namespace uai {

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Anomaly:
        return QStringLiteral("anomaly");
    case Verdict::Normal:
        return QStringLiteral("normal");
    case Verdict::Unsure:
        return QStringLiteral("unsure");
    }
    return {};
}

std::optional<Verdict> parseVerdict(const QString &text)
{
    const QString word = text.trimmed().toLower();
    if (word == QLatin1String("anomaly"))
        return Verdict::Anomaly;
    if (word == QLatin1String("normal"))
        return Verdict::Normal;
    if (word == QLatin1String("unsure"))
        return Verdict::Unsure;
    return std::nullopt;
}

} // namespace uai
