#include "forestlayer.h"

#include "dataset.h"

#include <algorithm>
#include <cmath>

namespace uai {

Result<ForestLayer> ForestLayer::grow(const Dataset &dataset,
                                      const IsolationForestSettings &settings)
{
    auto forest = IsolationForest::fit(
        dataset.features.data(), dataset.itemCount, dataset.featureCount, settings);
    if (!forest.ok())
        return fail(QStringLiteral("Cannot grow the isolation forest of \"%1\": %2")
                        .arg(dataset.name, forest.error()));
    ForestLayer layer;
    layer.m_scores = forest.value().score(dataset.features.data(), dataset.itemCount);
    standardiseScores(layer.m_scores);
    layer.m_leaves = forest.value().leafIndices(dataset.features.data(), dataset.itemCount);
    layer.m_treeCount = forest.value().treeCount();
    layer.m_nodeCount = forest.value().nodeCount();
    return layer;
}

qint64 ForestLayer::leafBytes(qsizetype itemCount, int treeCount)
{
    return qint64(itemCount) * treeCount * qint64(sizeof(std::int32_t));
}

std::vector<float> ForestLayer::scoreAnchor(const std::vector<float> &scores)
{
    std::vector<float> anchor(scores.size());
    std::vector<bool> finite(scores.size());
    for (size_t i = 0; i < scores.size(); ++i) {
        finite[i] = std::isfinite(scores[i]);
        anchor[i] = finite[i] ? float(std::log(std::max(double(scores[i]), 1e-12))) : 0.0f;
    }
    // The non-finite scores take the finite ones' mean, so they do not shift the standardised
    // values and come out at 0.
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < anchor.size(); ++i) {
        if (finite[i]) {
            sum += anchor[i];
            ++count;
        }
    }
    const float mean = count > 0 ? float(sum / double(count)) : 0.0f;
    for (size_t i = 0; i < anchor.size(); ++i) {
        if (!finite[i])
            anchor[i] = mean;
    }
    standardiseScores(anchor);
    return anchor;
}

std::vector<float> ForestLayer::rank(const std::vector<qsizetype> &anomalies,
                                     const std::vector<qsizetype> &normals,
                                     const std::vector<float> *anchor) const
{
    const std::vector<float> &start = anchor ? *anchor : m_scores;
    Q_ASSERT(start.size() == m_scores.size());
    const size_t labeled = anomalies.size() + normals.size();
    if (labeled == 0)
        return start;
    const auto trees = size_t(m_treeCount);

    // Only the leaves that hold a verdict get a nonzero weight, so the fit works on those,
    // numbered compactly in the order they are met.
    std::vector<std::int32_t> compact(size_t(m_nodeCount), -1);
    std::vector<std::int32_t> labeledLeaves(labeled * trees);
    std::vector<double> target(labeled);
    std::vector<double> prior(labeled);
    std::int32_t weightCount = 0;
    for (size_t j = 0; j < labeled; ++j) {
        const bool anomaly = j < anomalies.size();
        const qsizetype item = anomaly ? anomalies[j] : normals[j - anomalies.size()];
        target[j] = anomaly ? 1.0 : 0.0;
        prior[j] = start[size_t(item)];
        for (size_t t = 0; t < trees; ++t) {
            std::int32_t &slot = compact[size_t(m_leaves[size_t(item) * trees + t])];
            if (slot < 0)
                slot = weightCount++;
            labeledLeaves[j * trees + t] = slot;
        }
    }

    // Each class gets half of the total weight, so that a few anomalies among many normal
    // verdicts still move the ranking. With one class only, every verdict weighs 1.
    const double n = double(labeled);
    const double anomalyWeight =
        anomalies.empty() || normals.empty() ? 1.0 : n / (2.0 * double(anomalies.size()));
    const double normalWeight =
        anomalies.empty() || normals.empty() ? 1.0 : n / (2.0 * double(normals.size()));

    // Each step size is the inverse of a bound on the loss's curvature. In the leaf weights the
    // bound is n / (4 T) + ridge / T, because the verdict weights sum to n and each item reads
    // its T leaves with factor 1 / T. In the bias it is n / 4.
    const double perTree = 1.0 / double(trees);
    const double ridge = kRidge * perTree;
    const double weightStep = 1.0 / (0.25 * n * perTree + ridge);
    const double biasStep = 1.0 / (0.25 * n);
    constexpr double kMomentum = 0.9;

    std::vector<double> weight(size_t(weightCount), 0.0);
    std::vector<double> velocity(size_t(weightCount), 0.0);
    std::vector<double> gradient(size_t(weightCount), 0.0);
    double bias = 0.0;
    double biasVelocity = 0.0;
    for (int iteration = 0; iteration < kIterations; ++iteration) {
        std::fill(gradient.begin(), gradient.end(), 0.0);
        double biasGradient = 0.0;
        for (size_t j = 0; j < labeled; ++j) {
            const std::int32_t *leaves = &labeledLeaves[j * trees];
            double logit = prior[j] + bias;
            for (size_t t = 0; t < trees; ++t)
                logit += weight[size_t(leaves[t])] * perTree;
            const double probability = 1.0 / (1.0 + std::exp(-logit));
            const double residual =
                (probability - target[j]) * (target[j] > 0.5 ? anomalyWeight : normalWeight);
            biasGradient += residual;
            for (size_t t = 0; t < trees; ++t)
                gradient[size_t(leaves[t])] += residual * perTree;
        }
        for (size_t l = 0; l < weight.size(); ++l) {
            velocity[l] = kMomentum * velocity[l] - weightStep * (gradient[l] + ridge * weight[l]);
            weight[l] += velocity[l];
        }
        biasVelocity = kMomentum * biasVelocity - biasStep * biasGradient;
        bias += biasVelocity;
    }

    // The bias shifts every item alike, so the logits leave it out.
    std::vector<float> logits(m_scores.size());
    for (size_t item = 0; item < m_scores.size(); ++item) {
        double logit = start[item];
        for (size_t t = 0; t < trees; ++t) {
            const std::int32_t slot = compact[size_t(m_leaves[item * trees + t])];
            if (slot >= 0)
                logit += weight[size_t(slot)] * perTree;
        }
        logits[item] = float(logit);
    }
    return logits;
}

} // namespace uai
