#include "discoverychartview.h"

#include "chartexport.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace uai {

namespace {

const QColor kUaiColour(31, 119, 180);
const QColor kBaseColour(230, 120, 20);
const QColor kBoundColour(110, 110, 110);

/// A step of 1, 2 or 5 times a power of ten (at least 1) that splits [0, top] into about five.
double niceStep(double top)
{
    const double rough = std::max(1.0, top / 5.0);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    const double normalised = rough / magnitude;
    const double step = normalised <= 1.0   ? 1.0
                        : normalised <= 2.0 ? 2.0
                        : normalised <= 5.0 ? 5.0
                                            : 10.0;
    return std::max(1.0, step * magnitude);
}

/// Sets the axis to [0, a round number >= top] with ticks on round numbers.
void setNiceRange(QValueAxis *axis, double top)
{
    top = std::max(1.0, top);
    const double step = niceStep(top);
    const double end = std::ceil(top / step - 1e-9) * step;
    axis->setRange(0.0, end);
    axis->setTickCount(int(std::lround(end / step)) + 1);
}

QList<QPointF> toPoints(const std::vector<DiscoveryPoint> &curve)
{
    QList<QPointF> points;
    points.reserve(qsizetype(curve.size()));
    for (const DiscoveryPoint &point : curve)
        points.append(QPointF(double(point.verdicts), double(point.found)));
    return points;
}

} // namespace

DiscoveryChartView::DiscoveryChartView(QWidget *parent)
    : QChartView(new QChart(), parent) // the view owns the chart
{
    QChart *chart = this->chart();
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(6, 6, 6, 6));

    m_verdictAxis = new QValueAxis(chart);
    m_verdictAxis->setTitleText(QStringLiteral("Verdicts"));
    m_verdictAxis->setLabelFormat(QStringLiteral("%d"));
    m_foundAxis = new QValueAxis(chart);
    m_foundAxis->setTitleText(QStringLiteral("Anomalies found"));
    m_foundAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_verdictAxis, Qt::AlignBottom);
    chart->addAxis(m_foundAxis, Qt::AlignLeft);

    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 180);
    rebuildSeries();
}

DiscoveryChartView::~DiscoveryChartView() = default;

QLineSeries *DiscoveryChartView::addSeries(const QString &name, const QPen &pen)
{
    auto *series = new QLineSeries();
    series->setName(name);
    series->setPen(pen);
    chart()->addSeries(series);
    series->attachAxis(m_verdictAxis);
    series->attachAxis(m_foundAxis);
    return series;
}

void DiscoveryChartView::rebuildSeries()
{
    chart()->removeAllSeries();
    m_uaiSeries = addSeries(QStringLiteral("UAI network"), QPen(kUaiColour, 2.4));
    m_uaiSeries->replace(toPoints(m_uaiCurve));
    m_baseSeries = nullptr;
    if (!m_baseCurve.empty()) {
        m_baseSeries = addSeries(QStringLiteral("Base model alone"), QPen(kBaseColour, 2.0));
        m_baseSeries->replace(toPoints(m_baseCurve));
    }
    m_boundSeries = nullptr;
    if (m_anomalyTotal > 0) {
        QPen pen(kBoundColour, 1.6, Qt::DashLine);
        m_boundSeries = addSeries(QStringLiteral("Every verdict an anomaly"), pen);
    }
    updateBound();
    updateAxes();
}

void DiscoveryChartView::updateBound()
{
    if (!m_boundSeries)
        return;
    qsizetype lastVerdicts = 0;
    for (const auto *curve : {&m_uaiCurve, &m_baseCurve}) {
        for (const DiscoveryPoint &point : *curve)
            lastVerdicts = std::max(lastVerdicts, point.verdicts);
    }
    QList<QPointF> points{QPointF(0.0, 0.0)};
    const qsizetype corner = std::min(lastVerdicts, m_anomalyTotal);
    if (corner > 0)
        points.append(QPointF(double(corner), double(corner)));
    if (lastVerdicts > corner)
        points.append(QPointF(double(lastVerdicts), double(m_anomalyTotal)));
    m_boundSeries->replace(points);
}

void DiscoveryChartView::updateAxes()
{
    double maxVerdicts = 0.0, maxFound = 0.0;
    for (const auto *curve : {&m_uaiCurve, &m_baseCurve}) {
        for (const DiscoveryPoint &point : *curve) {
            maxVerdicts = std::max(maxVerdicts, double(point.verdicts));
            maxFound = std::max(maxFound, double(point.found));
        }
    }
    if (m_anomalyTotal > 0)
        maxFound = std::max(maxFound, std::min(maxVerdicts, double(m_anomalyTotal)));
    setNiceRange(m_verdictAxis, maxVerdicts);
    // A little headroom so that a curve or the bound's plateau does not run along the frame.
    setNiceRange(m_foundAxis, maxFound * 1.04);
}

void DiscoveryChartView::setCurves(const std::vector<DiscoveryPoint> &uaiCurve,
                                   const std::vector<DiscoveryPoint> &baseCurve,
                                   qsizetype anomalyTotal)
{
    m_uaiCurve = uaiCurve;
    m_baseCurve = baseCurve;
    m_anomalyTotal = std::max<qsizetype>(0, anomalyTotal);
    rebuildSeries();
}

void DiscoveryChartView::appendPoint(const DiscoveryPoint &point)
{
    m_uaiCurve.push_back(point);
    m_uaiSeries->append(QPointF(double(point.verdicts), double(point.found)));
    updateBound();
    updateAxes();
}

void DiscoveryChartView::appendBasePoint(const DiscoveryPoint &point)
{
    m_baseCurve.push_back(point);
    if (!m_baseSeries) {
        rebuildSeries();
        return;
    }
    m_baseSeries->append(QPointF(double(point.verdicts), double(point.found)));
    updateBound();
    updateAxes();
}

void DiscoveryChartView::setAnomalyTotal(qsizetype anomalyTotal)
{
    anomalyTotal = std::max<qsizetype>(0, anomalyTotal);
    if (anomalyTotal == m_anomalyTotal)
        return;
    const bool rebuild = (anomalyTotal > 0) != (m_anomalyTotal > 0);
    m_anomalyTotal = anomalyTotal;
    if (rebuild) {
        rebuildSeries();
        return;
    }
    updateBound();
    updateAxes();
}

void DiscoveryChartView::clear()
{
    setCurves({}, {}, 0);
}

QSize DiscoveryChartView::exportSize(QSize requested) const
{
    if (requested.isValid() && !requested.isEmpty())
        return requested;
    if (width() >= 50 && height() >= 50)
        return size();
    return QSize(800, 600);
}

void DiscoveryChartView::renderTo(QPainter &painter, QSize size) const
{
    // An offscreen copy laid out at the export size: the visible view keeps its geometry, and
    // the export does not depend on whether the view was ever shown.
    DiscoveryChartView copy;
    copy.setAttribute(Qt::WA_DontShowOnScreen);
    copy.setFont(font());
    copy.setPalette(palette());
    copy.chart()->setTheme(chart()->theme()); // before the series, so their pens are kept
    copy.setCurves(m_uaiCurve, m_baseCurve, m_anomalyTotal);
    copy.setFrameShape(QFrame::NoFrame);
    copy.resize(size);
    // Never shown: lay the chart out for the size now instead of waiting for the event loop.
    // QWidget::render (hidden by QGraphicsView::render) delivers the pending resize first.
    copy.chart()->resize(QSizeF(size));
    copy.chart()->layout()->activate();
    static_cast<QWidget &>(copy).render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
}

QImage DiscoveryChartView::renderImage(QSize size) const
{
    size = exportSize(size);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    image.setDotsPerMeterX(qRound(logicalDpiX() / 0.0254));
    image.setDotsPerMeterY(qRound(logicalDpiY() / 0.0254));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderTo(painter, size);
    painter.end();
    return image;
}

bool DiscoveryChartView::exportPng(const QString &path, QString *error, QSize size) const
{
    return writeChartPng(renderImage(size), path, error);
}

bool DiscoveryChartView::exportSvg(const QString &path, QString *error, QSize size) const
{
    size = exportSize(size);
    return writeChartSvg(
        path,
        size,
        logicalDpiY(),
        QStringLiteral("Anomalies found against verdicts"),
        [this, size](QPainter &painter, QPaintDevice &) {
            painter.setRenderHint(QPainter::Antialiasing);
            renderTo(painter, size);
        },
        error);
}

} // namespace uai
