#pragma once

#include "dataset.h"
#include "result.h"
#include "roundreport.h"
#include "verdict.h"

#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <optional>
#include <vector>

namespace uai {

/// The quantity on the horizontal axis of the "latent value against anomaly score" chart.
enum class LatentAxis {
    /// w_l . l(x): the latent projected onto the UAI layer's latent weights. The layer's decision
    /// boundary is then a straight line in the chart.
    UaiProjection,
    /// The centred latent projected onto its first principal component.
    PrincipalComponent,
    /// The latent's only unit; available only when the latent has one dimension.
    SingleUnit,
};

/// The verdict state of one point, which decides its colour.
enum class PointCategory : quint8 { Unlabeled, Normal, Anomaly, Unsure };

/// Short name of an axis for menus, such as "UAI projection".
QString latentAxisName(LatentAxis axis);

/// Returns PointCategory::Unlabeled for nullopt, otherwise the verdict's category.
PointCategory pointCategory(const std::optional<Verdict> &verdict);

/// The straight line a*x + b*y + c = 0 in the chart's data space (x = latent value,
/// y = base anomaly score). a and b are never both zero.
struct LatentBoundary {
    double a = 0.0;
    double b = 0.0;
    double c = 0.0;

    /// Signed value a*x + b*y + c; for the UAI projection this is the UAI layer's logit.
    double value(double x, double y) const { return a * x + b * y + c; }
    /// True when the line is vertical in (x, y), that is, x is the same all along it.
    bool isVertical() const { return b == 0.0; }
};

/// Chart data for one round: one entry per plotted point, in item order. Items whose latent
/// value or score is not finite are left out (counted in skippedNonFinite), so point i shows the
/// item item[i], not item i.
struct LatentChartData {
    LatentAxis axis = LatentAxis::UaiProjection;

    std::vector<qsizetype> item; ///< The report's item index of each point, increasing.
    std::vector<float> x;        ///< Latent value of each point (see axis); always finite.
    std::vector<float> y;        ///< Base anomaly score of each point; always finite.
    std::vector<PointCategory> category;
    /// Ground truth per point (true = real anomaly); empty when no ground truth was given.
    std::vector<bool> trueAnomaly;

    /// True when the UAI layer's decision boundary is a line in this chart (UaiProjection and
    /// SingleUnit axes with finite weights); the points with boundary.value(x, y) > 0 are those
    /// the layer calls more likely anomalous than not.
    bool hasBoundary = false;
    LatentBoundary boundary;
    /// True when the UAI layer ranked the report's queue. Otherwise the boundary is that of a
    /// layer that trains but does not choose the suspects (before the switch, or while the forest
    /// layer ranks).
    bool boundaryRanksQueue = false;

    QString xTitle;
    QString yTitle;

    /// PrincipalComponent only: the unit direction in latent space (latentSize values) and the
    /// share of the latent's variance along it, in [0, 1]. Empty and 0 for the other axes.
    std::vector<double> direction;
    double explainedVariance = 0.0;

    /// Items left out because their latent value or score was NaN or infinite.
    qsizetype skippedNonFinite = 0;

    qsizetype size() const { return qsizetype(x.size()); }
    bool hasTruth() const { return !trueAnomaly.empty(); }
};

/// Whether one axis can be drawn for a report, and if not, why not.
struct LatentAxisAvailability {
    LatentAxis axis = LatentAxis::UaiProjection;
    bool available = false;
    QString reason; ///< Empty when available; otherwise a sentence for the user.
};

/// Returns an empty string when `axis` can be drawn for `report`, otherwise why not (no latent,
/// no UAI weights yet, more than one latent unit, inconsistent sizes).
QString latentAxisUnavailableReason(const RoundReport &report, LatentAxis axis);

/// Returns the three axes in enum order, each with its availability for `report`.
std::vector<LatentAxisAvailability> latentAxisAvailability(const RoundReport &report);

/// Returns the axes that can be drawn for `report`, in enum order.
std::vector<LatentAxis> availableLatentAxes(const RoundReport &report);

/// Turns one round's report into chart points.
///
/// `verdicts` has one entry per item of the report (nullopt = no verdict yet), or is empty when
/// no item has a verdict. `truth` has one entry per item, or is empty when the data has no
/// ground truth. The item count is report.baseScore.size().
///
/// PrincipalComponent: the covariance of the latent rows that are finite (and whose score is
/// finite) is formed in double precision, and its top eigenvector is found by power iteration from
/// a fixed start. Sign convention: the direction's component of largest magnitude is positive
/// (the first such component on ties), so the chart does not flip between rounds for no reason.
///
/// Fails when the axis is unavailable (see latentAxisUnavailableReason) or when `verdicts` or
/// `truth` have the wrong size.
Result<LatentChartData> projectLatent(const RoundReport &report,
                                      LatentAxis axis,
                                      const std::vector<std::optional<Verdict>> &verdicts,
                                      const std::vector<Truth> &truth = {});

/// The top eigenvector of the symmetric d x d matrix `matrix` (row-major) by power iteration from
/// a fixed start, with the sign convention of projectLatent, and its eigenvalue. Exposed for tests.
std::vector<double>
topEigenvector(const std::vector<double> &matrix, int d, double *eigenvalue = nullptr);

} // namespace uai
