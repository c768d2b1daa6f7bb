#include "latentprojection.h"

#include <algorithm>
#include <cmath>

namespace uai {

namespace {

qsizetype itemCountOf(const RoundReport &report)
{
    return qsizetype(report.baseScore.size());
}

/// Sizes every axis needs: a latent of the announced size for every scored item.
QString latentShapeProblem(const RoundReport &report)
{
    if (report.latentSize <= 0)
        return QStringLiteral("The round has no latent values.");
    const auto expected = size_t(itemCountOf(report)) * size_t(report.latentSize);
    if (report.latent.size() != expected) {
        return QStringLiteral("The round's latent holds %1 values, not %2 items x %3 units.")
            .arg(report.latent.size())
            .arg(itemCountOf(report))
            .arg(report.latentSize);
    }
    return {};
}

QString uaiWeightsProblem(const RoundReport &report)
{
    if (report.uaiWeights.empty())
        return QStringLiteral("The UAI layer has no weights yet.");
    if (report.uaiWeights.size() == size_t(report.latentSize) + 2) {
        return QStringLiteral("The UAI layer also reads the isolation-forest score, so its "
                              "boundary is not a line in this view.");
    }
    if (report.uaiWeights.size() != size_t(report.latentSize) + 1) {
        return QStringLiteral("The UAI layer has %1 weights, not %2 latent units plus the score.")
            .arg(report.uaiWeights.size())
            .arg(report.latentSize);
    }
    return {};
}

void applySignConvention(std::vector<double> &v)
{
    size_t largest = 0;
    for (size_t i = 1; i < v.size(); ++i) {
        if (std::abs(v[i]) > std::abs(v[largest]))
            largest = i;
    }
    if (!v.empty() && v[largest] < 0.0) {
        for (double &value : v)
            value = -value;
    }
}

double norm(const std::vector<double> &v)
{
    double sum = 0.0;
    for (double value : v)
        sum += value * value;
    return std::sqrt(sum);
}

std::vector<double> multiply(const std::vector<double> &matrix, int d, const std::vector<double> &v)
{
    std::vector<double> out(size_t(d), 0.0);
    for (int r = 0; r < d; ++r) {
        const double *row = matrix.data() + size_t(r) * size_t(d);
        double sum = 0.0;
        for (int c = 0; c < d; ++c)
            sum += row[c] * v[size_t(c)];
        out[size_t(r)] = sum;
    }
    return out;
}

} // namespace

QString latentAxisName(LatentAxis axis)
{
    switch (axis) {
    case LatentAxis::UaiProjection:
        return QStringLiteral("UAI projection");
    case LatentAxis::PrincipalComponent:
        return QStringLiteral("First principal component");
    case LatentAxis::SingleUnit:
        return QStringLiteral("Single latent unit");
    }
    return {};
}

PointCategory pointCategory(const std::optional<Verdict> &verdict)
{
    if (!verdict)
        return PointCategory::Unlabeled;
    switch (*verdict) {
    case Verdict::Anomaly:
        return PointCategory::Anomaly;
    case Verdict::Normal:
        return PointCategory::Normal;
    case Verdict::Unsure:
        return PointCategory::Unsure;
    }
    return PointCategory::Unlabeled;
}

QString latentAxisUnavailableReason(const RoundReport &report, LatentAxis axis)
{
    QString problem = latentShapeProblem(report);
    if (!problem.isEmpty())
        return problem;
    switch (axis) {
    case LatentAxis::UaiProjection:
        return uaiWeightsProblem(report);
    case LatentAxis::PrincipalComponent:
        return {};
    case LatentAxis::SingleUnit:
        if (report.latentSize != 1) {
            return QStringLiteral("The latent has %1 units; a single-unit axis needs exactly one.")
                .arg(report.latentSize);
        }
        return {};
    }
    return QStringLiteral("Unknown axis.");
}

std::vector<LatentAxisAvailability> latentAxisAvailability(const RoundReport &report)
{
    std::vector<LatentAxisAvailability> out;
    for (LatentAxis axis :
         {LatentAxis::UaiProjection, LatentAxis::PrincipalComponent, LatentAxis::SingleUnit}) {
        LatentAxisAvailability entry;
        entry.axis = axis;
        entry.reason = latentAxisUnavailableReason(report, axis);
        entry.available = entry.reason.isEmpty();
        out.push_back(std::move(entry));
    }
    return out;
}

std::vector<LatentAxis> availableLatentAxes(const RoundReport &report)
{
    std::vector<LatentAxis> out;
    for (const LatentAxisAvailability &entry : latentAxisAvailability(report)) {
        if (entry.available)
            out.push_back(entry.axis);
    }
    return out;
}

std::vector<double> topEigenvector(const std::vector<double> &matrix, int d, double *eigenvalue)
{
    if (eigenvalue)
        *eigenvalue = 0.0;
    if (d <= 0 || matrix.size() != size_t(d) * size_t(d))
        return {};

    // Repeated squaring makes every column of M = C^(2^k) nearly parallel to the top
    // eigenvector, whatever the gap to the second eigenvalue; the column of largest norm is then
    // a start that cannot be orthogonal to it. Plain power iteration on C refines it.
    std::vector<double> powered = matrix;
    const int squarings = d <= 128 ? 6 : (d <= 512 ? 2 : 0);
    std::vector<double> scratch(powered.size());
    for (int s = 0; s < squarings; ++s) {
        double largest = 0.0;
        for (int r = 0; r < d; ++r) {
            for (int c = 0; c < d; ++c) {
                double sum = 0.0;
                for (int k = 0; k < d; ++k)
                    sum += powered[size_t(r) * d + k] * powered[size_t(k) * d + c];
                scratch[size_t(r) * d + c] = sum;
                largest = std::max(largest, std::abs(sum));
            }
        }
        if (!(largest > 0.0) || !std::isfinite(largest))
            break;
        for (size_t i = 0; i < scratch.size(); ++i)
            powered[i] = scratch[i] / largest;
    }

    std::vector<double> v(size_t(d), 0.0);
    int bestColumn = -1;
    double bestNorm = 0.0;
    for (int c = 0; c < d; ++c) {
        double sum = 0.0;
        for (int r = 0; r < d; ++r)
            sum += powered[size_t(r) * d + c] * powered[size_t(r) * d + c];
        if (sum > bestNorm) {
            bestNorm = sum;
            bestColumn = c;
        }
    }
    if (bestColumn < 0) {
        // The zero matrix: every direction is an eigenvector; pick the first unit.
        v[0] = 1.0;
        return v;
    }
    for (int r = 0; r < d; ++r)
        v[size_t(r)] = powered[size_t(r) * d + bestColumn];
    double length = norm(v);
    for (double &value : v)
        value /= length;

    for (int iteration = 0; iteration < 2000; ++iteration) {
        std::vector<double> next = multiply(matrix, d, v);
        length = norm(next);
        if (!(length > 0.0) || !std::isfinite(length))
            break;
        double change = 0.0;
        // Compare up to sign so that a negative eigenvalue does not stall the test.
        double dot = 0.0;
        for (int i = 0; i < d; ++i) {
            next[size_t(i)] /= length;
            dot += next[size_t(i)] * v[size_t(i)];
        }
        const double sign = dot < 0.0 ? -1.0 : 1.0;
        for (int i = 0; i < d; ++i)
            change = std::max(change, std::abs(next[size_t(i)] * sign - v[size_t(i)]));
        v = std::move(next);
        if (change < 1e-13)
            break;
    }
    applySignConvention(v);
    if (eigenvalue) {
        const std::vector<double> image = multiply(matrix, d, v);
        double rayleigh = 0.0;
        for (int i = 0; i < d; ++i)
            rayleigh += v[size_t(i)] * image[size_t(i)];
        *eigenvalue = rayleigh;
    }
    return v;
}

Result<LatentChartData> projectLatent(const RoundReport &report,
                                      LatentAxis axis,
                                      const std::vector<std::optional<Verdict>> &verdicts,
                                      const std::vector<Truth> &truth)
{
    const QString problem = latentAxisUnavailableReason(report, axis);
    if (!problem.isEmpty())
        return fail(problem);
    const qsizetype items = itemCountOf(report);
    if (!verdicts.empty() && qsizetype(verdicts.size()) != items) {
        return fail(
            QStringLiteral("%1 verdict entries for %2 items.").arg(verdicts.size()).arg(items));
    }
    if (!truth.empty() && qsizetype(truth.size()) != items)
        return fail(
            QStringLiteral("%1 ground-truth entries for %2 items.").arg(truth.size()).arg(items));

    const int d = report.latentSize;
    const float *latent = report.latent.data();
    auto rowFinite = [&](qsizetype i) {
        if (!std::isfinite(report.baseScore[size_t(i)]))
            return false;
        const float *row = latent + size_t(i) * size_t(d);
        for (int j = 0; j < d; ++j) {
            if (!std::isfinite(row[j]))
                return false;
        }
        return true;
    };

    LatentChartData data;
    data.boundaryRanksQueue = report.rankedByUai;
    data.axis = axis;
    data.yTitle = QStringLiteral("Base anomaly score");

    // The horizontal value of item i as a linear map of its latent row: offset + coef . l.
    std::vector<double> coefficients(size_t(d), 0.0);
    double offset = 0.0;

    switch (axis) {
    case LatentAxis::UaiProjection: {
        for (int j = 0; j < d; ++j)
            coefficients[size_t(j)] = report.uaiWeights[size_t(j)];
        const double scoreWeight = report.uaiWeights[size_t(d)];
        const double bias = report.uaiBias;
        // x + w_s * y + b is the layer's logit.
        data.boundary = LatentBoundary{1.0, scoreWeight, bias};
        data.hasBoundary = std::isfinite(scoreWeight) && std::isfinite(bias);
        data.xTitle = QStringLiteral("Latent projected on the UAI weights (w\u00b7l)");
        break;
    }
    case LatentAxis::SingleUnit: {
        coefficients[0] = 1.0;
        data.xTitle = QStringLiteral("Latent unit");
        if (uaiWeightsProblem(report).isEmpty()) {
            const LatentBoundary line{report.uaiWeights[0], report.uaiWeights[1], report.uaiBias};
            data.boundary = line;
            data.hasBoundary = std::isfinite(line.a) && std::isfinite(line.b)
                               && std::isfinite(line.c) && (line.a != 0.0 || line.b != 0.0);
        }
        break;
    }
    case LatentAxis::PrincipalComponent: {
        std::vector<double> mean(size_t(d), 0.0);
        qsizetype used = 0;
        for (qsizetype i = 0; i < items; ++i) {
            if (!rowFinite(i))
                continue;
            const float *row = latent + size_t(i) * size_t(d);
            for (int j = 0; j < d; ++j)
                mean[size_t(j)] += row[j];
            ++used;
        }
        std::vector<double> covariance(size_t(d) * size_t(d), 0.0);
        if (used > 0) {
            for (double &value : mean)
                value /= double(used);
            std::vector<double> centred(static_cast<size_t>(d));
            for (qsizetype i = 0; i < items; ++i) {
                if (!rowFinite(i))
                    continue;
                const float *row = latent + size_t(i) * size_t(d);
                for (int j = 0; j < d; ++j)
                    centred[size_t(j)] = double(row[j]) - mean[size_t(j)];
                for (int r = 0; r < d; ++r) {
                    double *out = covariance.data() + size_t(r) * size_t(d);
                    const double cr = centred[size_t(r)];
                    for (int c = r; c < d; ++c)
                        out[c] += cr * centred[size_t(c)];
                }
            }
            for (int r = 0; r < d; ++r) {
                for (int c = r; c < d; ++c) {
                    double &value = covariance[size_t(r) * d + c];
                    value /= double(used);
                    covariance[size_t(c) * d + r] = value;
                }
            }
        }
        double trace = 0.0;
        for (int j = 0; j < d; ++j)
            trace += covariance[size_t(j) * d + j];
        double eigenvalue = 0.0;
        coefficients = topEigenvector(covariance, d, &eigenvalue);
        data.direction = coefficients;
        data.explainedVariance = trace > 0.0 ? std::clamp(eigenvalue / trace, 0.0, 1.0) : 0.0;
        for (int j = 0; j < d; ++j)
            offset -= coefficients[size_t(j)] * mean[size_t(j)];
        if (d == 1) {
            data.xTitle = QStringLiteral("Latent, centred");
        } else {
            data.xTitle = QStringLiteral("Latent, first principal component (%1% of variance)")
                              .arg(qRound(100.0 * data.explainedVariance));
        }
        break;
    }
    }

    data.item.reserve(size_t(items));
    data.x.reserve(size_t(items));
    data.y.reserve(size_t(items));
    data.category.reserve(size_t(items));
    if (!truth.empty())
        data.trueAnomaly.reserve(size_t(items));

    for (qsizetype i = 0; i < items; ++i) {
        const float score = report.baseScore[size_t(i)];
        const float *row = latent + size_t(i) * size_t(d);
        double value = offset;
        for (int j = 0; j < d; ++j)
            value += coefficients[size_t(j)] * double(row[j]);
        const auto x = float(value);
        if (!std::isfinite(x) || !std::isfinite(score)) {
            ++data.skippedNonFinite;
            continue;
        }
        data.item.push_back(i);
        data.x.push_back(x);
        data.y.push_back(score);
        data.category.push_back(verdicts.empty() ? PointCategory::Unlabeled
                                                 : pointCategory(verdicts[size_t(i)]));
        if (!truth.empty())
            data.trueAnomaly.push_back(truth[size_t(i)] == Truth::Anomaly);
    }
    return data;
}

} // namespace uai
