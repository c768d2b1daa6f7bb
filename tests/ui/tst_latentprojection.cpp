#include "latentchartview.h"
#include "latentprojection.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>

using namespace uai;

namespace {

/// A report with `items` random latent rows of size `d`, random scores and UAI weights, and the
/// logit computed here, independently of the code under test.
RoundReport randomReport(qsizetype items, int d, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::exponential_distribution<float> exponential(2.0f);
    RoundReport report;
    report.latentSize = d;
    report.latent.resize(size_t(items) * size_t(d));
    for (float &value : report.latent)
        value = normal(rng);
    report.baseScore.resize(size_t(items));
    for (float &value : report.baseScore)
        value = exponential(rng);
    report.uaiWeights.resize(size_t(d) + 1);
    for (float &value : report.uaiWeights)
        value = normal(rng);
    report.uaiBias = 0.3f;
    report.uaiLogit.resize(size_t(items));
    for (qsizetype i = 0; i < items; ++i) {
        double logit = report.uaiBias;
        for (int j = 0; j < d; ++j)
            logit += double(report.uaiWeights[size_t(j)]) * report.latent[size_t(i) * d + j];
        logit += double(report.uaiWeights[size_t(d)]) * report.baseScore[size_t(i)];
        report.uaiLogit[size_t(i)] = float(logit);
    }
    return report;
}

} // namespace

class tst_LatentProjection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uaiProjectionIsDotProduct();
    void yIsBaseScore();
    void boundarySignMatchesLogit();
    void boundaryRanksQueueFollowsReport();
    void boundaryCoefficients();
    void boundaryVerticalWithoutScoreWeight();
    void pcaRecoversDominantDirection();
    void pcaSignConvention();
    void pcaIsCentred();
    void singleUnitUnavailableForWideLatent();
    void singleUnitAvailableForOneUnit();
    void availabilityList();
    void uaiProjectionNeedsWeights();
    void extraScoreInputHidesBoundary();
    void nonFiniteSkippedAndCounted();
    void categoriesFromVerdicts();
    void trueAnomalyFromTruth();
    void noTruthMeansEmpty();
    void wrongVerdictSizeFails();
};

void tst_LatentProjection::uaiProjectionIsDotProduct()
{
    const RoundReport report = randomReport(200, 5, 1);
    const auto data = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY2(data.ok(), qPrintable(data.error()));
    QCOMPARE(data.value().size(), qsizetype(200));
    for (qsizetype i = 0; i < 200; ++i) {
        double dot = 0.0;
        for (int j = 0; j < 5; ++j)
            dot += double(report.uaiWeights[size_t(j)]) * report.latent[size_t(i) * 5 + j];
        QVERIFY2(std::abs(data.value().x[size_t(i)] - dot) < 1e-5 * std::max(1.0, std::abs(dot)),
                 qPrintable(QStringLiteral("item %1: %2 vs %3")
                                .arg(i)
                                .arg(data.value().x[size_t(i)])
                                .arg(dot)));
    }
}

void tst_LatentProjection::yIsBaseScore()
{
    const RoundReport report = randomReport(50, 3, 2);
    const auto data = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(data.ok());
    for (qsizetype i = 0; i < 50; ++i)
        QCOMPARE(data.value().y[size_t(i)], report.baseScore[size_t(i)]);
    for (qsizetype i = 0; i < 50; ++i)
        QCOMPARE(data.value().item[size_t(i)], i);
}

void tst_LatentProjection::boundarySignMatchesLogit()
{
    const RoundReport report = randomReport(2000, 8, 3);
    const auto result = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(result.ok());
    const LatentChartData &data = result.value();
    QVERIFY(data.hasBoundary);
    const double ws = report.uaiWeights[8];
    const double b = report.uaiBias;
    int checked = 0;
    for (qsizetype i = 0; i < data.size(); ++i) {
        const double logit = report.uaiLogit[size_t(i)];
        if (std::abs(logit) < 1e-3)
            continue; // Float rounding could flip the sign right on the boundary.
        const double side = data.x[size_t(i)] + ws * data.y[size_t(i)] + b;
        QVERIFY2(
            (side > 0.0) == (logit > 0.0),
            qPrintable(QStringLiteral("item %1: side %2, logit %3").arg(i).arg(side).arg(logit)));
        QVERIFY((data.boundary.value(data.x[size_t(i)], data.y[size_t(i)]) > 0.0) == (logit > 0.0));
        ++checked;
    }
    QVERIFY(checked > 1900);
}

void tst_LatentProjection::boundaryRanksQueueFollowsReport()
{
    RoundReport report = randomReport(50, 3, 4);
    report.rankedByUai = false;
    const auto before = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(before.ok());
    QVERIFY(before.value().hasBoundary);
    QVERIFY(!before.value().boundaryRanksQueue);
    QCOMPARE(LatentChartView::boundaryLegend(before.value()),
             QStringLiteral("UAI boundary (logit 0, not ranking the queue)"));

    report.rankedByUai = true;
    const auto after = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(after.ok());
    QVERIFY(after.value().boundaryRanksQueue);
    QCOMPARE(LatentChartView::boundaryLegend(after.value()),
             QStringLiteral("UAI boundary (logit 0)"));
}

void tst_LatentProjection::boundaryCoefficients()
{
    const RoundReport report = randomReport(10, 4, 4);
    const auto data = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(data.ok());
    QCOMPARE(data.value().boundary.a, 1.0);
    QCOMPARE(data.value().boundary.b, double(report.uaiWeights[4]));
    QCOMPARE(data.value().boundary.c, double(report.uaiBias));
}

void tst_LatentProjection::boundaryVerticalWithoutScoreWeight()
{
    RoundReport report = randomReport(10, 4, 5);
    report.uaiWeights[4] = 0.0f;
    const auto data = projectLatent(report, LatentAxis::UaiProjection, {});
    QVERIFY(data.ok());
    QVERIFY(data.value().hasBoundary);
    QVERIFY(data.value().boundary.isVertical());
}

void tst_LatentProjection::pcaRecoversDominantDirection()
{
    // Latent = t * u + small noise, with u a known unit direction; t has variance 9, noise 0.01.
    const int d = 6;
    std::vector<double> u{0.1, -0.5, 0.3, 0.7, -0.2, 0.35};
    double length = 0.0;
    for (double value : u)
        length += value * value;
    length = std::sqrt(length);
    for (double &value : u)
        value /= length;

    std::mt19937 rng(6);
    std::normal_distribution<double> normal(0.0, 1.0);
    RoundReport report;
    report.latentSize = d;
    const qsizetype items = 5000;
    report.baseScore.assign(size_t(items), 1.0f);
    report.latent.resize(size_t(items) * d);
    for (qsizetype i = 0; i < items; ++i) {
        const double t = 3.0 * normal(rng) + 4.0;
        for (int j = 0; j < d; ++j)
            report.latent[size_t(i) * d + j] = float(t * u[size_t(j)] + 0.1 * normal(rng) + j);
    }
    const auto result = projectLatent(report, LatentAxis::PrincipalComponent, {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    const LatentChartData &data = result.value();
    QCOMPARE(data.direction.size(), size_t(d));
    double dot = 0.0;
    for (int j = 0; j < d; ++j)
        dot += data.direction[size_t(j)] * u[size_t(j)];
    QVERIFY2(std::abs(std::abs(dot) - 1.0) < 1e-3, qPrintable(QString::number(dot)));
    QVERIFY(data.explainedVariance > 0.95);
}

void tst_LatentProjection::pcaSignConvention()
{
    // The dominant direction (0.6, -0.8): its largest-magnitude component is the second, so the
    // convention makes that component positive: (-0.6, 0.8).
    std::mt19937 rng(7);
    std::normal_distribution<double> normal(0.0, 1.0);
    RoundReport report;
    report.latentSize = 2;
    const qsizetype items = 3000;
    report.baseScore.assign(size_t(items), 0.5f);
    for (qsizetype i = 0; i < items; ++i) {
        const double t = 2.0 * normal(rng);
        report.latent.push_back(float(0.6 * t + 0.05 * normal(rng)));
        report.latent.push_back(float(-0.8 * t + 0.05 * normal(rng)));
    }
    const auto result = projectLatent(report, LatentAxis::PrincipalComponent, {});
    QVERIFY(result.ok());
    QVERIFY(result.value().direction[1] > 0.0);
    QVERIFY(std::abs(result.value().direction[0] + 0.6) < 1e-2);
    QVERIFY(std::abs(result.value().direction[1] - 0.8) < 1e-2);

    // Negating every latent row leaves the direction (and so the chart's orientation of the
    // axis) unchanged: the convention does not depend on the eigen solver's start.
    RoundReport negated = report;
    for (float &value : negated.latent)
        value = -value;
    const auto again = projectLatent(negated, LatentAxis::PrincipalComponent, {});
    QVERIFY(again.ok());
    QVERIFY(std::abs(again.value().direction[0] - result.value().direction[0]) < 1e-9);
    QVERIFY(std::abs(again.value().direction[1] - result.value().direction[1]) < 1e-9);
}

void tst_LatentProjection::pcaIsCentred()
{
    const RoundReport report = randomReport(1000, 4, 8);
    const auto result = projectLatent(report, LatentAxis::PrincipalComponent, {});
    QVERIFY(result.ok());
    double mean = 0.0;
    for (float x : result.value().x)
        mean += x;
    mean /= double(result.value().size());
    QVERIFY(std::abs(mean) < 1e-4);
    QVERIFY(!result.value().hasBoundary);
}

void tst_LatentProjection::singleUnitUnavailableForWideLatent()
{
    const RoundReport report = randomReport(10, 3, 9);
    const QString reason = latentAxisUnavailableReason(report, LatentAxis::SingleUnit);
    QVERIFY(!reason.isEmpty());
    QVERIFY(reason.contains(QStringLiteral("3 units")));
    const auto result = projectLatent(report, LatentAxis::SingleUnit, {});
    QVERIFY(!result.ok());
    QCOMPARE(result.error(), reason);
}

void tst_LatentProjection::singleUnitAvailableForOneUnit()
{
    const RoundReport report = randomReport(30, 1, 10);
    QVERIFY(latentAxisUnavailableReason(report, LatentAxis::SingleUnit).isEmpty());
    const auto result = projectLatent(report, LatentAxis::SingleUnit, {});
    QVERIFY(result.ok());
    for (qsizetype i = 0; i < 30; ++i)
        QCOMPARE(result.value().x[size_t(i)], report.latent[size_t(i)]);
    // The layer's boundary w*l + w_s*s + b = 0 is a line here too.
    QVERIFY(result.value().hasBoundary);
    QCOMPARE(result.value().boundary.a, double(report.uaiWeights[0]));
}

void tst_LatentProjection::availabilityList()
{
    const auto wide = availableLatentAxes(randomReport(10, 3, 11));
    QCOMPARE(wide.size(), size_t(2));
    QCOMPARE(wide[0], LatentAxis::UaiProjection);
    QCOMPARE(wide[1], LatentAxis::PrincipalComponent);
    QCOMPARE(availableLatentAxes(randomReport(10, 1, 12)).size(), size_t(3));
    const auto all = latentAxisAvailability(randomReport(10, 3, 13));
    QCOMPARE(all.size(), size_t(3));
    QVERIFY(!all[2].available);
    QVERIFY(!all[2].reason.isEmpty());
}

void tst_LatentProjection::uaiProjectionNeedsWeights()
{
    RoundReport report = randomReport(10, 3, 14);
    report.uaiWeights.clear();
    QVERIFY(!latentAxisUnavailableReason(report, LatentAxis::UaiProjection).isEmpty());
    QVERIFY(!projectLatent(report, LatentAxis::UaiProjection, {}).ok());
    QVERIFY(projectLatent(report, LatentAxis::PrincipalComponent, {}).ok());
}

void tst_LatentProjection::extraScoreInputHidesBoundary()
{
    // A layer that also reads the isolation-forest score has one weight more, and its boundary
    // depends on that score too, so no single line in (projection, base score) exists.
    RoundReport report = randomReport(10, 3, 16);
    report.uaiWeights.push_back(0.5f);
    report.extraScore.assign(10, 0.0f);
    const QString reason = latentAxisUnavailableReason(report, LatentAxis::UaiProjection);
    QVERIFY2(reason.contains(QLatin1String("isolation-forest")), qPrintable(reason));
    QVERIFY(!projectLatent(report, LatentAxis::UaiProjection, {}).ok());
    QVERIFY(projectLatent(report, LatentAxis::PrincipalComponent, {}).ok());
}

void tst_LatentProjection::nonFiniteSkippedAndCounted()
{
    RoundReport report = randomReport(20, 3, 15);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    report.latent[size_t(2) * 3 + 1] = nan;   // item 2
    report.baseScore[5] = inf;                // item 5
    report.latent[size_t(11) * 3 + 0] = -inf; // item 11
    for (LatentAxis axis : {LatentAxis::UaiProjection, LatentAxis::PrincipalComponent}) {
        const auto result = projectLatent(report, axis, {});
        QVERIFY(result.ok());
        const LatentChartData &data = result.value();
        QCOMPARE(data.skippedNonFinite, qsizetype(3));
        QCOMPARE(data.size(), qsizetype(17));
        QCOMPARE(data.item.size(), size_t(17));
        for (size_t i = 0; i < data.x.size(); ++i) {
            QVERIFY(std::isfinite(data.x[i]));
            QVERIFY(std::isfinite(data.y[i]));
            QVERIFY(data.item[i] != 2 && data.item[i] != 5 && data.item[i] != 11);
        }
        // Skipping keeps the mapping to items: point 2 is item 3.
        QCOMPARE(data.item[2], qsizetype(3));
        QCOMPARE(data.y[2], report.baseScore[3]);
    }
}

void tst_LatentProjection::categoriesFromVerdicts()
{
    const RoundReport report = randomReport(6, 2, 16);
    std::vector<std::optional<Verdict>> verdicts(6);
    verdicts[1] = Verdict::Anomaly;
    verdicts[2] = Verdict::Normal;
    verdicts[4] = Verdict::Unsure;
    const auto result = projectLatent(report, LatentAxis::UaiProjection, verdicts);
    QVERIFY(result.ok());
    const auto &category = result.value().category;
    QCOMPARE(category.size(), size_t(6));
    QCOMPARE(category[0], PointCategory::Unlabeled);
    QCOMPARE(category[1], PointCategory::Anomaly);
    QCOMPARE(category[2], PointCategory::Normal);
    QCOMPARE(category[3], PointCategory::Unlabeled);
    QCOMPARE(category[4], PointCategory::Unsure);
    QCOMPARE(category[5], PointCategory::Unlabeled);
}

void tst_LatentProjection::trueAnomalyFromTruth()
{
    const RoundReport report = randomReport(4, 2, 17);
    const std::vector<Truth> truth{Truth::Normal, Truth::Anomaly, Truth::Normal, Truth::Anomaly};
    const auto result = projectLatent(report, LatentAxis::UaiProjection, {}, truth);
    QVERIFY(result.ok());
    QVERIFY(result.value().hasTruth());
    const std::vector<bool> expected{false, true, false, true};
    QCOMPARE(result.value().trueAnomaly, expected);
}

void tst_LatentProjection::noTruthMeansEmpty()
{
    const auto result = projectLatent(randomReport(4, 2, 18), LatentAxis::UaiProjection, {});
    QVERIFY(result.ok());
    QVERIFY(result.value().trueAnomaly.empty());
    QVERIFY(!result.value().hasTruth());
}

void tst_LatentProjection::wrongVerdictSizeFails()
{
    const RoundReport report = randomReport(4, 2, 19);
    std::vector<std::optional<Verdict>> verdicts(3);
    QVERIFY(!projectLatent(report, LatentAxis::UaiProjection, verdicts).ok());
    const std::vector<Truth> truth(5, Truth::Normal);
    QVERIFY(!projectLatent(report, LatentAxis::UaiProjection, {}, truth).ok());
}

QTEST_MAIN(tst_LatentProjection)
#include "tst_latentprojection.moc"
