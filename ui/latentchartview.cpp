#include "latentchartview.h"

#include "chartexport.h"

#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace uai {

namespace {

// Legend and marker kinds, in drawing order of the point layers.
enum MarkerKind {
    MarkerUnlabeled = 0,
    MarkerNormal,
    MarkerUnsure,
    MarkerAnomaly,
    MarkerTruth,
    MarkerBoundary,
    MarkerCount
};

constexpr qreal kMargin = 8.0;
constexpr qreal kTickLength = 5.0;
constexpr qreal kLegendMarkerWidth = 16.0;

const QColor kUnlabeledFill(110, 110, 110, 80);
const QColor kNormalFill(31, 119, 180);
const QColor kNormalPen(16, 70, 110);
const QColor kAnomalyFill(220, 30, 30);
const QColor kAnomalyPen(130, 10, 10);
const QColor kUnsurePen(105, 105, 105);
const QColor kTruthPen(20, 20, 20, 210);
const QColor kBoundaryPen(40, 40, 40);
const QColor kSelectionPen(200, 0, 200);

constexpr qreal kUnlabeledRadius = 1.7;
constexpr qreal kVerdictRadius = 3.4;
constexpr qreal kTruthRadius = 4.8;
constexpr qreal kSelectionRadius = 9.0;

int markerOf(PointCategory category)
{
    switch (category) {
    case PointCategory::Unlabeled:
        return MarkerUnlabeled;
    case PointCategory::Normal:
        return MarkerNormal;
    case PointCategory::Unsure:
        return MarkerUnsure;
    case PointCategory::Anomaly:
        return MarkerAnomaly;
    }
    return MarkerUnlabeled;
}

/// Sets the pen and brush of a marker kind.
void setMarkerStyle(QPainter &painter, int kind)
{
    switch (kind) {
    case MarkerUnlabeled:
        painter.setPen(Qt::NoPen);
        painter.setBrush(kUnlabeledFill);
        break;
    case MarkerNormal:
        painter.setPen(QPen(kNormalPen, 0.8));
        painter.setBrush(kNormalFill);
        break;
    case MarkerAnomaly:
        painter.setPen(QPen(kAnomalyPen, 0.8));
        painter.setBrush(kAnomalyFill);
        break;
    case MarkerUnsure:
        painter.setPen(QPen(kUnsurePen, 1.4));
        painter.setBrush(Qt::NoBrush);
        break;
    case MarkerTruth:
        painter.setPen(QPen(kTruthPen, 1.1));
        painter.setBrush(Qt::NoBrush);
        break;
    default:
        break;
    }
}

qreal markerRadius(int kind)
{
    switch (kind) {
    case MarkerUnlabeled:
        return kUnlabeledRadius;
    case MarkerUnsure:
        return kVerdictRadius - 0.4;
    case MarkerTruth:
        return kTruthRadius;
    default:
        return kVerdictRadius;
    }
}

/// Draws one marker centred on `centre` with the painter's current pen and brush. Unsure
/// verdicts are hollow squares, so they differ from the hollow rings of true anomalies.
void drawMarkerGeometry(QPainter &painter, int kind, QPointF centre)
{
    const qreal radius = markerRadius(kind);
    if (kind == MarkerUnsure)
        painter.drawRect(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius));
    else
        painter.drawEllipse(centre, radius, radius);
}

void drawMarkerShape(QPainter &painter, int kind, QPointF centre)
{
    setMarkerStyle(painter, kind);
    drawMarkerGeometry(painter, kind, centre);
}

/// A pre-rendered marker for raster devices: blitting it is several times faster than
/// rasterising an antialiased ellipse per point.
struct Sprite {
    QImage image;
    QPointF offset; ///< Added to the point's pixel to get the image's top-left corner.
};

Sprite makeSprite(int kind, qreal dpr)
{
    const int half = int(std::ceil(kTruthRadius + 1.5));
    const int side = 2 * half + 1;
    Sprite sprite;
    sprite.image = QImage(int(std::ceil(side * dpr)),
                          int(std::ceil(side * dpr)),
                          QImage::Format_ARGB32_Premultiplied);
    sprite.image.setDevicePixelRatio(dpr);
    sprite.image.fill(Qt::transparent);
    QPainter painter(&sprite.image);
    painter.setRenderHint(QPainter::Antialiasing);
    drawMarkerShape(painter, kind, QPointF(half + 0.5, half + 0.5));
    painter.end();
    sprite.offset = QPointF(-(half + 0.5), -(half + 0.5));
    return sprite;
}

/// Ticks at 1, 2 or 5 times a power of ten, about `target` of them, inside [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int target)
{
    std::vector<double> ticks;
    const double range = hi - lo;
    if (!(range > 0.0) || !std::isfinite(range))
        return ticks;
    const double rough = range / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    const double normalised = rough / magnitude;
    // Steps of 1, 2 or 5 times a power of ten, the one nearest the rough step.
    double step = 10.0;
    if (normalised < 1.5)
        step = 1.0;
    else if (normalised < 3.0)
        step = 2.0;
    else if (normalised < 7.0)
        step = 5.0;
    step *= magnitude;
    const double first = std::ceil(lo / step - 1e-9);
    const double last = std::floor(hi / step + 1e-9);
    for (double k = first; k <= last && ticks.size() < 200; k += 1.0) {
        double value = k * step;
        if (std::abs(value) < step * 1e-9)
            value = 0.0;
        ticks.push_back(value);
    }
    return ticks;
}

QString linearLabel(double value)
{
    return QString::number(value, 'g', 6);
}

QString decadeLabel(int exponent)
{
    if (exponent >= -3 && exponent <= 4)
        return QString::number(std::pow(10.0, exponent), 'g', 6);
    return QStringLiteral("1e%1").arg(exponent);
}

/// Clips the segment p-q to `rect` (Liang-Barsky, in double so that far-away ends do not
/// overflow). Returns false when nothing is left.
bool clipSegment(QPointF &p, QPointF &q, const QRectF &rect)
{
    double t0 = 0.0, t1 = 1.0;
    const double dx = q.x() - p.x(), dy = q.y() - p.y();
    const double checks[4][2] = {{-dx, p.x() - rect.left()},
                                 {dx, rect.right() - p.x()},
                                 {-dy, p.y() - rect.top()},
                                 {dy, rect.bottom() - p.y()}};
    for (const auto &check : checks) {
        const double pp = check[0], qq = check[1];
        if (pp == 0.0) {
            if (qq < 0.0)
                return false;
            continue;
        }
        const double t = qq / pp;
        if (pp < 0.0) {
            if (t > t1)
                return false;
            t0 = std::max(t0, t);
        } else {
            if (t < t0)
                return false;
            t1 = std::min(t1, t);
        }
    }
    const QPointF start = p;
    p = QPointF(start.x() + t0 * dx, start.y() + t0 * dy);
    q = QPointF(start.x() + t1 * dx, start.y() + t1 * dy);
    return true;
}

QString categoryName(PointCategory category)
{
    switch (category) {
    case PointCategory::Unlabeled:
        return QStringLiteral("none");
    case PointCategory::Normal:
        return QStringLiteral("normal");
    case PointCategory::Anomaly:
        return QStringLiteral("anomaly");
    case PointCategory::Unsure:
        return QStringLiteral("unsure");
    }
    return {};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Layout

double LatentChartView::Layout::mapX(double x) const
{
    return plot.left() + (x - xMin) / (xMax - xMin) * plot.width();
}

double LatentChartView::Layout::mapY(double y) const
{
    double t;
    if (logY) {
        const double clamped = y > yMin ? y : yMin;
        t = (std::log10(clamped) - std::log10(yMin)) / (std::log10(yMax) - std::log10(yMin));
    } else {
        t = (y - yMin) / (yMax - yMin);
    }
    return plot.bottom() - t * plot.height();
}

QPointF LatentChartView::Layout::map(double x, double y) const
{
    return QPointF(mapX(x), mapY(y));
}

QPointF LatentChartView::Layout::unmap(QPointF pixel) const
{
    const double x = xMin + (pixel.x() - plot.left()) / plot.width() * (xMax - xMin);
    const double t = (plot.bottom() - pixel.y()) / plot.height();
    double y;
    if (logY)
        y = std::pow(10.0, std::log10(yMin) + t * (std::log10(yMax) - std::log10(yMin)));
    else
        y = yMin + t * (yMax - yMin);
    return QPointF(x, y);
}

// ---------------------------------------------------------------------------------------------
// LatentChartView

LatentChartView::LatentChartView(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
}

LatentChartView::~LatentChartView() = default;

QSize LatentChartView::sizeHint() const
{
    return QSize(640, 480);
}

QSize LatentChartView::minimumSizeHint() const
{
    return QSize(240, 180);
}

QString LatentChartView::boundaryLegend(const LatentChartData &data)
{
    return data.boundaryRanksQueue
               ? QStringLiteral("UAI boundary (logit 0)")
               : QStringLiteral("UAI boundary (logit 0, not ranking the queue)");
}

void LatentChartView::setData(const LatentChartData &data)
{
    m_data = data;
    dataChanged();
}

void LatentChartView::setData(LatentChartData &&data)
{
    m_data = std::move(data);
    dataChanged();
}

void LatentChartView::clear()
{
    setData(LatentChartData{});
}

void LatentChartView::dataChanged()
{
    const size_t n = std::min({m_data.x.size(), m_data.y.size()});
    // Keep the per-point vectors consistent whatever the caller passed.
    m_data.x.resize(n);
    m_data.y.resize(n);
    m_data.category.resize(n, PointCategory::Unlabeled);
    if (!m_data.trueAnomaly.empty())
        m_data.trueAnomaly.resize(n, false);
    if (m_data.item.size() != n) {
        m_data.item.resize(n);
        for (size_t i = 0; i < n; ++i)
            m_data.item[i] = qsizetype(i);
    }

    qsizetype maxItem = -1;
    for (qsizetype item : m_data.item)
        maxItem = std::max(maxItem, item);
    m_pointOfItem.assign(size_t(maxItem + 1), -1);
    for (size_t i = 0; i < n; ++i) {
        if (m_data.item[i] >= 0)
            m_pointOfItem[size_t(m_data.item[i])] = qint32(i);
    }

    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin;
    double yMin = xMin, yMax = -xMin, minPositive = xMin;
    for (size_t i = 0; i < n; ++i) {
        const double x = m_data.x[i], y = m_data.y[i];
        if (!std::isfinite(x) || !std::isfinite(y))
            continue;
        xMin = std::min(xMin, x);
        xMax = std::max(xMax, x);
        yMin = std::min(yMin, y);
        yMax = std::max(yMax, y);
        if (y > 0.0)
            minPositive = std::min(minPositive, y);
    }
    if (!(xMin <= xMax)) {
        xMin = 0.0;
        xMax = 1.0;
        yMin = 0.0;
        yMax = 1.0;
    }
    m_dataXMin = xMin;
    m_dataXMax = xMax;
    m_dataYMin = yMin;
    m_dataYMax = yMax;
    m_minPositiveY = std::isfinite(minPositive) ? minPositive : 0.0;
    invalidate();
}

void LatentChartView::invalidate()
{
    m_layoutValid = false;
    m_cacheValid = false;
    m_gridValid = false;
    update();
}

void LatentChartView::setSelectedItem(qsizetype item)
{
    if (item < 0 || item >= qsizetype(m_pointOfItem.size()) || m_pointOfItem[size_t(item)] < 0)
        item = -1;
    if (item == m_selectedItem)
        return;
    m_selectedItem = item;
    update();
}

void LatentChartView::setLogScale(bool on)
{
    if (on == m_logScale)
        return;
    m_logScale = on;
    invalidate();
}

LatentChartView::Layout LatentChartView::computeLayout(QSizeF size,
                                                       const QPaintDevice *device) const
{
    Layout layout;
    layout.size = size;
    layout.logY = m_logScale;

    // Data ranges with a little room so that no point sits on the frame.
    auto pad = [](double &lo, double &hi) {
        if (!(hi > lo)) {
            const double spread = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
            lo -= spread;
            hi += spread;
            return;
        }
        const double margin = (hi - lo) * 0.04;
        lo -= margin;
        hi += margin;
    };
    layout.xMin = m_dataXMin;
    layout.xMax = m_dataXMax;
    pad(layout.xMin, layout.xMax);
    if (m_logScale) {
        double lo = m_minPositiveY > 0.0 ? std::log10(m_minPositiveY) : -3.0;
        double hi = m_dataYMax > 0.0 ? std::log10(m_dataYMax) : lo + 1.0;
        if (!(hi > lo)) {
            lo -= 0.5;
            hi += 0.5;
        } else {
            const double margin = (hi - lo) * 0.04;
            lo -= margin;
            hi += margin;
        }
        layout.yMin = std::pow(10.0, lo);
        layout.yMax = std::pow(10.0, hi);
    } else {
        layout.yMin = m_dataYMin;
        layout.yMax = m_dataYMax;
        pad(layout.yMin, layout.yMax);
    }

    QFontMetricsF metrics(font(), const_cast<QPaintDevice *>(device));
    const qreal lineHeight = metrics.height();
    layout.lineHeight = lineHeight;

    // Legend: a flow of entries above the plot.
    std::vector<std::pair<int, QString>> entries;
    entries.emplace_back(MarkerUnlabeled, QStringLiteral("No verdict"));
    entries.emplace_back(MarkerNormal, QStringLiteral("Normal verdict"));
    entries.emplace_back(MarkerAnomaly, QStringLiteral("Anomaly verdict"));
    entries.emplace_back(MarkerUnsure, QStringLiteral("Unsure"));
    if (m_data.hasTruth())
        entries.emplace_back(MarkerTruth, QStringLiteral("True anomaly"));
    if (m_data.hasBoundary)
        entries.emplace_back(MarkerBoundary, boundaryLegend(m_data));
    qreal cursorX = kMargin, cursorY = kMargin;
    const qreal rowHeight = lineHeight + 4.0;
    for (const auto &[kind, text] : entries) {
        const qreal width = kLegendMarkerWidth + 4.0 + metrics.horizontalAdvance(text) + 14.0;
        if (cursorX > kMargin && cursorX + width > size.width() - kMargin) {
            cursorX = kMargin;
            cursorY += rowHeight;
        }
        layout.legend.push_back({kind, text, QPointF(cursorX, cursorY)});
        cursorX += width;
    }
    const qreal top = cursorY + rowHeight + 6.0;

    const qreal bottomMargin = kTickLength + 3.0 + lineHeight + 4.0 + lineHeight + kMargin;
    qreal plotTop = top;
    qreal plotBottom = std::max(plotTop + 20.0, size.height() - bottomMargin);

    // Vertical ticks first: the widest label decides the left margin.
    const int yTarget = std::max(2, int((plotBottom - plotTop) / 45.0));
    if (m_logScale) {
        const double lo = std::log10(layout.yMin), hi = std::log10(layout.yMax);
        const int firstDecade = int(std::ceil(lo - 1e-9));
        const int lastDecade = int(std::floor(hi + 1e-9));
        const int decades = lastDecade - firstDecade + 1;
        if (decades >= 2) {
            const int stride = std::max(1, (decades + yTarget - 1) / yTarget);
            for (int k = firstDecade; k <= lastDecade; ++k) {
                if ((k - firstDecade) % stride != 0)
                    continue;
                layout.yTicks.push_back(std::pow(10.0, k));
                layout.yLabels.push_back(decadeLabel(k));
            }
            if (decades <= 8 && stride == 1) {
                for (int k = firstDecade - 1; k <= lastDecade; ++k) {
                    for (int m = 2; m <= 9; ++m) {
                        const double value = m * std::pow(10.0, k);
                        if (value > layout.yMin && value < layout.yMax)
                            layout.yMinorTicks.push_back(value);
                    }
                }
            }
        } else {
            // Less than two decades in view: 1-2-5 steps, else plain linear steps.
            std::vector<double> ticks;
            for (int k = int(std::floor(lo)) - 1; k <= int(std::ceil(hi)); ++k) {
                for (double m : {1.0, 2.0, 5.0}) {
                    const double value = m * std::pow(10.0, k);
                    if (value >= layout.yMin && value <= layout.yMax)
                        ticks.push_back(value);
                }
            }
            if (ticks.size() < 3)
                ticks = niceTicks(layout.yMin, layout.yMax, yTarget);
            for (double value : ticks) {
                if (value <= 0.0)
                    continue;
                layout.yTicks.push_back(value);
                layout.yLabels.push_back(QString::number(value, 'g', 4));
            }
        }
    } else {
        layout.yTicks = niceTicks(layout.yMin, layout.yMax, yTarget);
        for (double value : layout.yTicks)
            layout.yLabels.push_back(linearLabel(value));
    }
    qreal widestYLabel = 0.0;
    for (const QString &label : layout.yLabels)
        widestYLabel = std::max(widestYLabel, metrics.horizontalAdvance(label));

    const qreal left = kMargin + lineHeight + 6.0 + widestYLabel + 4.0 + kTickLength;
    const qreal right = std::max(left + 20.0, size.width() - 24.0);
    layout.plot = QRectF(QPointF(left, plotTop), QPointF(right, plotBottom));

    const int xTarget = std::max(2, int(layout.plot.width() / 90.0));
    layout.xTicks = niceTicks(layout.xMin, layout.xMax, xTarget);
    for (double value : layout.xTicks)
        layout.xLabels.push_back(linearLabel(value));
    return layout;
}

const LatentChartView::Layout &LatentChartView::widgetLayout() const
{
    if (!m_layoutValid) {
        m_layout = computeLayout(QSizeF(size()), this);
        m_layoutValid = true;
    }
    return m_layout;
}

void LatentChartView::paintScene(QPainter &painter, const Layout &layout, bool raster) const
{
    const QPalette pal = palette();
    const QColor background = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    QColor gridColour = text;
    gridColour.setAlphaF(0.10f);
    QColor frameColour = text;
    frameColour.setAlphaF(0.55f);

    painter.save();
    painter.setFont(font());
    painter.fillRect(QRectF(QPointF(0, 0), layout.size), background);
    const QRectF plot = layout.plot;

    // Grid.
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(QPen(gridColour, 0));
    for (double tick : layout.xTicks) {
        const qreal px = layout.mapX(tick);
        painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
    }
    for (double tick : layout.yTicks) {
        const qreal py = layout.mapY(tick);
        painter.drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py));
    }

    // Points, layer by layer.
    const size_t n = m_data.x.size();
    std::vector<QPointF> pixels(n);
    std::vector<qint32> order[4];
    for (size_t i = 0; i < n; ++i) {
        pixels[i] = layout.map(m_data.x[i], m_data.y[i]);
        order[markerOf(m_data.category[i])].push_back(qint32(i));
    }
    painter.save();
    painter.setClipRect(plot.adjusted(-kTruthRadius, -kTruthRadius, kTruthRadius, kTruthRadius));
    painter.setRenderHint(QPainter::Antialiasing, true);
    const qreal dpr = painter.device() ? painter.device()->devicePixelRatioF() : 1.0;
    auto drawLayer = [&](int kind, const std::vector<qint32> &points) {
        if (points.empty())
            return;
        if (raster) {
            const Sprite sprite = makeSprite(kind, dpr);
            for (qint32 i : points) {
                const QPointF at = pixels[size_t(i)] + sprite.offset;
                painter.drawImage(
                    QPointF(std::round(at.x() * dpr) / dpr, std::round(at.y() * dpr) / dpr),
                    sprite.image);
            }
        } else {
            // Vector devices: one style per layer, so that an SVG contains one group per layer
            // rather than one per point.
            setMarkerStyle(painter, kind);
            for (qint32 i : points)
                drawMarkerGeometry(painter, kind, pixels[size_t(i)]);
        }
    };
    for (int kind : {MarkerUnlabeled, MarkerNormal, MarkerUnsure, MarkerAnomaly})
        drawLayer(kind, order[kind]);
    if (m_data.hasTruth()) {
        std::vector<qint32> truthPoints;
        for (size_t i = 0; i < n; ++i) {
            if (m_data.trueAnomaly[i])
                truthPoints.push_back(qint32(i));
        }
        drawLayer(MarkerTruth, truthPoints);
    }

    // The UAI boundary a*x + b*y + c = 0, traced along the score axis so that it bends
    // correctly under the log scale.
    if (m_data.hasBoundary) {
        const LatentBoundary &line = m_data.boundary;
        QPainterPath path;
        if (line.a != 0.0) {
            const int samples = layout.logY ? std::max(2, int(plot.height() / 2.0)) : 2;
            QPointF previous;
            bool havePrevious = false;
            bool penDown = false;
            for (int s = 0; s < samples; ++s) {
                const qreal py = plot.bottom() - plot.height() * s / (samples - 1);
                const double y = layout.unmap(QPointF(plot.left(), py)).y();
                const double x = -(line.b * y + line.c) / line.a;
                if (!std::isfinite(x)) {
                    havePrevious = false;
                    penDown = false;
                    continue;
                }
                // Keep far-away ends within a range doubles clip reliably.
                const double px = std::clamp(layout.mapX(x), -1e9, 1e9);
                const QPointF current(px, py);
                if (havePrevious) {
                    QPointF p = previous, q = current;
                    if (clipSegment(p, q, plot)) {
                        if (!penDown || path.currentPosition() != p)
                            path.moveTo(p);
                        path.lineTo(q);
                        penDown = true;
                    } else {
                        penDown = false;
                    }
                }
                previous = current;
                havePrevious = true;
            }
        } else if (line.b != 0.0) {
            const double y = -line.c / line.b;
            if (y >= layout.yMin && y <= layout.yMax && (!layout.logY || y > 0.0)) {
                const qreal py = layout.mapY(y);
                path.moveTo(plot.left(), py);
                path.lineTo(plot.right(), py);
            }
        }
        QPen pen(kBoundaryPen, 1.6, Qt::DashLine);
        pen.setCapStyle(Qt::FlatCap);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
    }
    painter.restore();

    // Frame, ticks and labels.
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(QPen(frameColour, 0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(plot);
    painter.setPen(QPen(text, 0));
    const QFontMetricsF metrics(painter.font(), painter.device());
    const qreal lineHeight = layout.lineHeight;
    for (size_t t = 0; t < layout.xTicks.size(); ++t) {
        const qreal px = layout.mapX(layout.xTicks[t]);
        painter.drawLine(QPointF(px, plot.bottom()), QPointF(px, plot.bottom() + kTickLength));
        const QRectF box(px - 60.0, plot.bottom() + kTickLength + 2.0, 120.0, lineHeight);
        painter.drawText(box, Qt::AlignHCenter | Qt::AlignTop, layout.xLabels.value(qsizetype(t)));
    }
    for (double tick : layout.yMinorTicks) {
        const qreal py = layout.mapY(tick);
        painter.drawLine(QPointF(plot.left() - kTickLength * 0.6, py), QPointF(plot.left(), py));
    }
    for (size_t t = 0; t < layout.yTicks.size(); ++t) {
        const qreal py = layout.mapY(layout.yTicks[t]);
        painter.drawLine(QPointF(plot.left() - kTickLength, py), QPointF(plot.left(), py));
        const QRectF box(0.0, py - lineHeight / 2.0, plot.left() - kTickLength - 3.0, lineHeight);
        painter.drawText(
            box, Qt::AlignRight | Qt::AlignVCenter, layout.yLabels.value(qsizetype(t)));
    }

    // Axis titles.
    const QString xTitle = m_data.xTitle.isEmpty() ? QStringLiteral("Latent value") : m_data.xTitle;
    QString yTitle = m_data.yTitle.isEmpty() ? QStringLiteral("Base anomaly score") : m_data.yTitle;
    if (layout.logY)
        yTitle += QStringLiteral(" (log scale)");
    const QRectF xTitleBox(plot.left(),
                           plot.bottom() + kTickLength + 2.0 + lineHeight + 4.0,
                           plot.width(),
                           lineHeight);
    painter.drawText(xTitleBox,
                     Qt::AlignHCenter | Qt::AlignTop,
                     metrics.elidedText(xTitle, Qt::ElideRight, plot.width()));
    painter.save();
    painter.translate(kMargin, plot.center().y());
    painter.rotate(-90.0);
    const QRectF yTitleBox(-plot.height() / 2.0, 0.0, plot.height(), lineHeight);
    painter.drawText(yTitleBox,
                     Qt::AlignHCenter | Qt::AlignTop,
                     metrics.elidedText(yTitle, Qt::ElideRight, plot.height()));
    painter.restore();

    // Legend.
    painter.setRenderHint(QPainter::Antialiasing, true);
    for (const Layout::LegendEntry &entry : layout.legend) {
        const QPointF centre(entry.at.x() + kLegendMarkerWidth / 2.0,
                             entry.at.y() + lineHeight / 2.0);
        if (entry.kind == MarkerBoundary) {
            QPen pen(kBoundaryPen, 1.6, Qt::DashLine);
            painter.setPen(pen);
            painter.drawLine(QPointF(entry.at.x(), centre.y()),
                             QPointF(entry.at.x() + kLegendMarkerWidth, centre.y()));
        } else if (entry.kind == MarkerUnlabeled) {
            // The real marker is tiny; show a slightly larger sample.
            painter.setPen(Qt::NoPen);
            QColor fill = kUnlabeledFill;
            fill.setAlpha(160);
            painter.setBrush(fill);
            painter.drawEllipse(centre, 2.5, 2.5);
        } else {
            drawMarkerShape(painter, entry.kind, centre);
        }
        painter.setPen(text);
        painter.drawText(
            QRectF(entry.at.x() + kLegendMarkerWidth + 4.0, entry.at.y(), 1000.0, lineHeight),
            Qt::AlignLeft | Qt::AlignVCenter,
            entry.text);
    }

    // Notes: an empty chart, items left out.
    if (n == 0) {
        painter.setPen(text);
        painter.drawText(plot, Qt::AlignCenter, QStringLiteral("No points to show"));
    }
    if (m_data.skippedNonFinite > 0) {
        QColor note = text;
        note.setAlphaF(0.7f);
        painter.setPen(note);
        painter.drawText(plot.adjusted(4.0, 4.0, -4.0, -4.0),
                         Qt::AlignRight | Qt::AlignBottom,
                         QStringLiteral("%1 items with non-finite values not shown")
                             .arg(m_data.skippedNonFinite));
    }
    painter.restore();
}

void LatentChartView::paintSelection(QPainter &painter, const Layout &layout) const
{
    if (m_selectedItem < 0 || m_selectedItem >= qsizetype(m_pointOfItem.size()))
        return;
    const qint32 point = m_pointOfItem[size_t(m_selectedItem)];
    if (point < 0)
        return;
    const QPointF centre = layout.map(m_data.x[size_t(point)], m_data.y[size_t(point)]);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(255, 255, 255, 220), 4.5));
    painter.drawEllipse(centre, kSelectionRadius, kSelectionRadius);
    painter.setPen(QPen(kSelectionPen, 2.2));
    painter.drawEllipse(centre, kSelectionRadius, kSelectionRadius);
    const qreal inner = kSelectionRadius + 2.0, outer = kSelectionRadius + 7.0;
    painter.drawLine(QPointF(centre.x() - outer, centre.y()),
                     QPointF(centre.x() - inner, centre.y()));
    painter.drawLine(QPointF(centre.x() + inner, centre.y()),
                     QPointF(centre.x() + outer, centre.y()));
    painter.drawLine(QPointF(centre.x(), centre.y() - outer),
                     QPointF(centre.x(), centre.y() - inner));
    painter.drawLine(QPointF(centre.x(), centre.y() + inner),
                     QPointF(centre.x(), centre.y() + outer));
    painter.restore();
}

void LatentChartView::ensureCache() const
{
    const qreal dpr = devicePixelRatioF();
    const QSize pixelSize = (QSizeF(size()) * dpr).toSize();
    if (m_cacheValid && m_cache.size() == pixelSize && m_cache.devicePixelRatio() == dpr)
        return;
    QElapsedTimer timer;
    timer.start();
    m_cache = QImage(pixelSize, QImage::Format_ARGB32_Premultiplied);
    m_cache.setDevicePixelRatio(dpr);
    m_cache.setDotsPerMeterX(qRound(logicalDpiX() / 0.0254));
    m_cache.setDotsPerMeterY(qRound(logicalDpiY() / 0.0254));
    QPainter painter(&m_cache);
    paintScene(painter, widgetLayout(), true);
    painter.end();
    m_cacheValid = true;
    m_lastRenderMs = double(timer.nsecsElapsed()) / 1e6;
}

void LatentChartView::paintEvent(QPaintEvent *)
{
    ensureCache();
    QPainter painter(this);
    painter.drawImage(QPointF(0, 0), m_cache);
    paintSelection(painter, widgetLayout());
}

void LatentChartView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_layoutValid = false;
    m_cacheValid = false;
    m_gridValid = false;
}

void LatentChartView::changeEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::PaletteChange:
    case QEvent::FontChange:
    case QEvent::StyleChange:
        invalidate();
        break;
    default:
        break;
    }
    QWidget::changeEvent(event);
}

QPointF LatentChartView::mapToPixel(float x, float y) const
{
    return widgetLayout().map(x, y);
}

QPointF LatentChartView::mapFromPixel(QPointF pixel) const
{
    return widgetLayout().unmap(pixel);
}

QRectF LatentChartView::plotArea() const
{
    return widgetLayout().plot;
}

void LatentChartView::ensureGrid() const
{
    if (m_gridValid)
        return;
    const Layout &layout = widgetLayout();
    const size_t n = m_data.x.size();
    m_pixels.resize(n);
    m_gridColumns = std::max(1, int(std::ceil(layout.size.width() / m_gridCell)));
    m_gridRows = std::max(1, int(std::ceil(layout.size.height() / m_gridCell)));
    const size_t cells = size_t(m_gridColumns) * size_t(m_gridRows);
    std::vector<qint32> cellOf(n, -1);
    m_gridStart.assign(cells + 1, 0);
    for (size_t i = 0; i < n; ++i) {
        const QPointF pixel = layout.map(m_data.x[i], m_data.y[i]);
        m_pixels[i] = pixel;
        const int column = int(std::floor(pixel.x() / m_gridCell));
        const int row = int(std::floor(pixel.y() / m_gridCell));
        if (column < 0 || row < 0 || column >= m_gridColumns || row >= m_gridRows)
            continue;
        cellOf[i] = qint32(row * m_gridColumns + column);
        ++m_gridStart[size_t(cellOf[i]) + 1];
    }
    for (size_t c = 0; c < cells; ++c)
        m_gridStart[c + 1] += m_gridStart[c];
    m_gridPoints.assign(size_t(m_gridStart[cells]), 0);
    std::vector<qint32> fill(m_gridStart.begin(), m_gridStart.end() - 1);
    for (size_t i = 0; i < n; ++i) {
        if (cellOf[i] >= 0)
            m_gridPoints[size_t(fill[size_t(cellOf[i])]++)] = qint32(i);
    }
    m_gridValid = true;
}

qsizetype LatentChartView::pointAt(QPointF pixel, qreal radius) const
{
    if (m_data.x.empty())
        return -1;
    ensureGrid();
    const int c0 = std::max(0, int(std::floor((pixel.x() - radius) / m_gridCell)));
    const int c1 = std::min(m_gridColumns - 1, int(std::floor((pixel.x() + radius) / m_gridCell)));
    const int r0 = std::max(0, int(std::floor((pixel.y() - radius) / m_gridCell)));
    const int r1 = std::min(m_gridRows - 1, int(std::floor((pixel.y() + radius) / m_gridCell)));
    qsizetype best = -1;
    double bestDistance = double(radius) * double(radius);
    int bestLayer = -1;
    for (int r = r0; r <= r1; ++r) {
        for (int c = c0; c <= c1; ++c) {
            const size_t cell = size_t(r) * size_t(m_gridColumns) + size_t(c);
            for (qint32 k = m_gridStart[cell]; k < m_gridStart[cell + 1]; ++k) {
                const qint32 i = m_gridPoints[size_t(k)];
                const QPointF delta = m_pixels[size_t(i)] - pixel;
                const double distance = delta.x() * delta.x() + delta.y() * delta.y();
                if (distance > bestDistance)
                    continue;
                const int layer = markerOf(m_data.category[size_t(i)]);
                // Nearer wins; at equal distance the point drawn later (on top) wins.
                if (distance < bestDistance || layer > bestLayer
                    || (layer == bestLayer && i > best)) {
                    best = i;
                    bestDistance = distance;
                    bestLayer = layer;
                }
            }
        }
    }
    return best;
}

qsizetype LatentChartView::itemAt(QPointF pixel, qreal radius) const
{
    const qsizetype point = pointAt(pixel, radius);
    return point < 0 ? -1 : m_data.item[size_t(point)];
}

void LatentChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_pressed = true;
        m_pressPos = event->position();
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void LatentChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_pressed) {
        m_pressed = false;
        const QPointF delta = event->position() - m_pressPos;
        if (delta.manhattanLength() <= 6.0) {
            const qsizetype item = itemAt(event->position());
            if (item >= 0) {
                setSelectedItem(item);
                Q_EMIT itemActivated(item);
            }
        }
        event->accept();
        return;
    }
    QWidget::mouseReleaseEvent(event);
}

QString LatentChartView::toolTipFor(qsizetype point) const
{
    const auto i = size_t(point);
    QString text = QStringLiteral("Item %1\nLatent: %2\nScore: %3\nVerdict: %4")
                       .arg(m_data.item[i])
                       .arg(double(m_data.x[i]), 0, 'g', 5)
                       .arg(double(m_data.y[i]), 0, 'g', 5)
                       .arg(categoryName(m_data.category[i]));
    if (m_data.hasTruth()) {
        text +=
            QStringLiteral("\nGround truth: %1")
                .arg(m_data.trueAnomaly[i] ? QStringLiteral("anomaly") : QStringLiteral("normal"));
    }
    if (m_data.hasBoundary) {
        text += QStringLiteral("\nUAI logit: %1")
                    .arg(m_data.boundary.value(m_data.x[i], m_data.y[i]), 0, 'g', 4);
    }
    return text;
}

bool LatentChartView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const qsizetype point = pointAt(QPointF(help->pos()));
        if (point >= 0) {
            const QPoint centre = m_pixels[size_t(point)].toPoint();
            QToolTip::showText(help->globalPos(),
                               toolTipFor(point),
                               this,
                               QRect(centre - QPoint(4, 4), QSize(9, 9)));
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

QSize LatentChartView::exportSize(QSize requested) const
{
    if (requested.isValid() && !requested.isEmpty())
        return requested;
    if (width() >= 50 && height() >= 50)
        return size();
    return QSize(800, 600);
}

QImage LatentChartView::renderImage(QSize size) const
{
    size = exportSize(size);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.setDotsPerMeterX(qRound(logicalDpiX() / 0.0254));
    image.setDotsPerMeterY(qRound(logicalDpiY() / 0.0254));
    QPainter painter(&image);
    const Layout layout = computeLayout(QSizeF(size), &image);
    paintScene(painter, layout, true);
    paintSelection(painter, layout);
    painter.end();
    return image;
}

bool LatentChartView::exportPng(const QString &path, QString *error, QSize size) const
{
    return writeChartPng(renderImage(size), path, error);
}

bool LatentChartView::exportSvg(const QString &path, QString *error, QSize size) const
{
    size = exportSize(size);
    return writeChartSvg(
        path,
        size,
        logicalDpiY(),
        QStringLiteral("Latent value against anomaly score"),
        [this, size](QPainter &painter, QPaintDevice &device) {
            const Layout layout = computeLayout(QSizeF(size), &device);
            paintScene(painter, layout, false);
            paintSelection(painter, layout);
        },
        error);
}

} // namespace uai
