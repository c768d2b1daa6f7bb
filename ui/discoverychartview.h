#pragma once

#include "simulatedanalyst.h"

#include <QChartView>
#include <QImage>
#include <QSize>
#include <QString>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace uai {

/// Discovery curve: anomalies found against verdicts spent.
///
/// Series, in this order and only when they have something to show:
/// - "UAI network": the live curve, one point per DiscoveryPoint given (no implicit origin;
///   pass a point with 0 verdicts to start the curve there);
/// - "Base model alone": the base model's ranking for comparison, when a base curve is given;
/// - "Every verdict an anomaly": the upper bound min(verdicts, anomaly total), dashed, when the
///   anomaly total is known (> 0), drawn from 0 to the largest verdict count of the curves.
///
/// Axes: "Verdicts" (horizontal) and "Anomalies found" (vertical), both from 0, their maxima kept
/// at or above the largest value shown as points are appended.
class DiscoveryChartView : public QChartView
{
    Q_OBJECT

public:
    explicit DiscoveryChartView(QWidget *parent = nullptr);
    ~DiscoveryChartView() override;

    /// Replaces all curves. `anomalyTotal` is the number of anomalies in the data, 0 if unknown.
    void setCurves(const std::vector<DiscoveryPoint> &uaiCurve,
                   const std::vector<DiscoveryPoint> &baseCurve = {},
                   qsizetype anomalyTotal = 0);
    /// Appends one point to the "UAI network" curve.
    void appendPoint(const DiscoveryPoint &point);
    /// Appends one point to the "Base model alone" curve, adding that series if needed.
    void appendBasePoint(const DiscoveryPoint &point);
    /// Sets the anomaly total of the upper bound; 0 removes the bound.
    void setAnomalyTotal(qsizetype anomalyTotal);
    void clear();

    const std::vector<DiscoveryPoint> &uaiCurve() const { return m_uaiCurve; }
    const std::vector<DiscoveryPoint> &baseCurve() const { return m_baseCurve; }
    qsizetype anomalyTotal() const { return m_anomalyTotal; }

    /// The series as shown; nullptr for the base and bound series when they are not shown.
    /// setCurves() and changes of which series are shown replace them: do not keep them.
    QLineSeries *uaiSeries() const { return m_uaiSeries; }
    QLineSeries *baseSeries() const { return m_baseSeries; }
    QLineSeries *boundSeries() const { return m_boundSeries; }
    QValueAxis *verdictAxis() const { return m_verdictAxis; }
    QValueAxis *foundAxis() const { return m_foundAxis; }

    /// The chart laid out for `size` (the view's size when empty; 800x600 if that is tiny).
    QImage renderImage(QSize size = QSize()) const;
    /// Writes renderImage(size) as PNG. Returns false and sets *error on failure.
    bool exportPng(const QString &path, QString *error = nullptr, QSize size = QSize()) const;
    /// Writes the chart as SVG, laid out for `size` like renderImage().
    bool exportSvg(const QString &path, QString *error = nullptr, QSize size = QSize()) const;

private:
    void rebuildSeries();
    void updateBound();
    void updateAxes();
    QLineSeries *addSeries(const QString &name, const QPen &pen);
    QSize exportSize(QSize requested) const;
    /// Paints the chart laid out for `size` on `painter`, through an offscreen copy of this view
    /// so that the view itself is never resized.
    void renderTo(QPainter &painter, QSize size) const;

    std::vector<DiscoveryPoint> m_uaiCurve;
    std::vector<DiscoveryPoint> m_baseCurve;
    qsizetype m_anomalyTotal = 0;

    QLineSeries *m_uaiSeries = nullptr;
    QLineSeries *m_baseSeries = nullptr;
    QLineSeries *m_boundSeries = nullptr;
    QValueAxis *m_verdictAxis = nullptr;
    QValueAxis *m_foundAxis = nullptr;
};

} // namespace uai
