#include "dataset.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cmath>

namespace uai {

qsizetype Dataset::anomalyCount() const
{
    return std::count(truth.begin(), truth.end(), Truth::Anomaly);
}

double Dataset::rawValue(qsizetype item, qsizetype feature) const
{
    const double value = features[static_cast<size_t>(item * featureCount + feature)];
    if (kind == DatasetKind::Table && static_cast<size_t>(feature) < featureScale.size())
        return value * featureScale[feature] + featureMean[feature];
    return value;
}

QByteArray Dataset::fingerprint() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const qint64 shape[] = {itemCount, featureCount, imageWidth, imageHeight};
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(shape), sizeof(shape)));
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(features.data()),
                                qsizetype(features.size() * sizeof(float))));
    hash.addData(itemIds.join(QLatin1Char('\n')).toUtf8());
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(truth.data()),
                                qsizetype(truth.size() * sizeof(Truth))));
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(classes.data()),
                                qsizetype(classes.size() * sizeof(std::int32_t))));
    return hash.result().toHex();
}

QString Dataset::checkConsistency() const
{
    if (itemCount <= 0)
        return QStringLiteral("the dataset has no items");
    if (featureCount <= 0)
        return QStringLiteral("the dataset has no features");
    if (features.size() != static_cast<size_t>(itemCount * featureCount))
        return QStringLiteral("feature matrix has %1 values, expected %2")
            .arg(features.size())
            .arg(itemCount * featureCount);
    if (featureNames.size() != featureCount)
        return QStringLiteral("%1 feature names for %2 features")
            .arg(featureNames.size())
            .arg(featureCount);
    if (itemIds.size() != itemCount)
        return QStringLiteral("%1 item ids for %2 items").arg(itemIds.size()).arg(itemCount);
    if (!truth.empty() && truth.size() != static_cast<size_t>(itemCount))
        return QStringLiteral("%1 ground-truth values for %2 items")
            .arg(truth.size())
            .arg(itemCount);
    if (!classes.empty()) {
        if (classes.size() != static_cast<size_t>(itemCount))
            return QStringLiteral("%1 class values for %2 items")
                .arg(classes.size())
                .arg(itemCount);
        for (const auto c : classes) {
            if (c < 0 || c >= classNames.size())
                return QStringLiteral("class index %1 outside [0, %2)")
                    .arg(c)
                    .arg(classNames.size());
        }
    }
    const bool allFinite =
        std::all_of(features.begin(), features.end(), [](float v) { return std::isfinite(v); });
    if (!allFinite)
        return QStringLiteral("the feature matrix holds a non-finite value");
    return {};
}

} // namespace uai
