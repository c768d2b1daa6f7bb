#include "rareclassconstruction.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace uai {

namespace {

/// Returns a uniform integer in [0, bound) from the generator, the same on every platform
/// (std::uniform_int_distribution is implementation-defined).
std::uint64_t uniformBelow(std::mt19937_64 &engine, std::uint64_t bound)
{
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()
                                - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t value = engine();
    while (value >= limit)
        value = engine();
    return value % bound;
}

} // namespace

Result<Dataset> makeRareClassSet(const Dataset &labeled,
                                 const QList<int> &rareClasses,
                                 double keptFraction,
                                 std::uint64_t seed,
                                 const QString &name)
{
    if (!labeled.hasClasses())
        return fail(QStringLiteral("Cannot build \"%1\": \"%2\" has no class labels.")
                        .arg(name, labeled.name));
    if (!(keptFraction > 0.0 && keptFraction <= 1.0))
        return fail(QStringLiteral("Cannot build \"%1\": the kept fraction %2 is outside (0, 1].")
                        .arg(name)
                        .arg(keptFraction));
    const int classCount = static_cast<int>(labeled.classNames.size());
    QList<int> commonClasses;
    for (int c = 0; c < classCount; ++c) {
        if (!rareClasses.contains(c))
            commonClasses.append(c);
    }
    if (commonClasses.isEmpty())
        return fail(QStringLiteral("Cannot build \"%1\": every class is rare.").arg(name));

    std::mt19937_64 engine(seed);
    std::vector<bool> keep(static_cast<size_t>(labeled.itemCount), true);
    std::vector<bool> anomaly(static_cast<size_t>(labeled.itemCount), false);
    for (const int rare : rareClasses) {
        std::vector<qsizetype> members;
        for (qsizetype i = 0; i < labeled.itemCount; ++i) {
            if (labeled.classes[static_cast<size_t>(i)] == rare)
                members.push_back(i);
        }
        if (members.empty())
            return fail(QStringLiteral("Cannot build \"%1\": class %2 does not occur in \"%3\".")
                            .arg(name)
                            .arg(rare)
                            .arg(labeled.name));
        // Fisher-Yates shuffle, then keep the first kept items of the shuffled order.
        for (size_t i = members.size() - 1; i > 0; --i)
            std::swap(members[i], members[uniformBelow(engine, i + 1)]);
        const auto kept = std::max<size_t>(1, std::llround(keptFraction * double(members.size())));
        for (size_t i = 0; i < members.size(); ++i) {
            keep[static_cast<size_t>(members[i])] = i < kept;
            anomaly[static_cast<size_t>(members[i])] = i < kept;
        }
    }

    Dataset result;
    result.name = name;
    result.source = labeled.source;
    result.kind = labeled.kind;
    result.featureCount = labeled.featureCount;
    result.featureNames = labeled.featureNames;
    result.classNames = labeled.classNames;
    result.imageWidth = labeled.imageWidth;
    result.imageHeight = labeled.imageHeight;
    result.featureMean = labeled.featureMean;
    result.featureScale = labeled.featureScale;
    result.importNotes = labeled.importNotes;
    const auto width = static_cast<size_t>(labeled.featureCount);
    for (qsizetype i = 0; i < labeled.itemCount; ++i) {
        const auto index = static_cast<size_t>(i);
        if (!keep[index])
            continue;
        const float *row = labeled.features.data() + index * width;
        result.features.insert(result.features.end(), row, row + width);
        result.itemIds.append(labeled.itemIds[i]);
        int itemClass = labeled.classes[index];
        if (anomaly[index])
            itemClass = commonClasses[static_cast<qsizetype>(
                uniformBelow(engine, static_cast<std::uint64_t>(commonClasses.size())))];
        result.classes.push_back(itemClass);
        result.truth.push_back(anomaly[index] ? Truth::Anomaly : Truth::Normal);
    }
    result.itemCount = result.itemIds.size();
    result.importNotes.append(
        QStringLiteral("%1 of %2 items kept; the %3 kept items of the rare classes are the "
                       "anomalies, each relabeled to a random other class.")
            .arg(result.itemCount)
            .arg(labeled.itemCount)
            .arg(result.anomalyCount()));
    return result;
}

} // namespace uai
