#pragma once

#include "latentprojection.h"

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QPaintDevice;
class QPainter;

namespace uai {

/// Scatter chart of latent value against base anomaly score for every item of a round, painted
/// by hand so that 60,000 points redraw in a few milliseconds.
///
/// The points, axes, legend and boundary are painted once into a cached image, rebuilt only when
/// the data, the size, the scale or the palette/font change; a repaint blits it and draws the
/// selection on top. renderImage(), exportPng() and exportSvg() use the same painting routine.
///
/// Drawing order: unlabeled points (small, translucent grey) first, then normal verdicts (blue),
/// unsure verdicts (grey outline) and anomaly verdicts (red), then a dark ring around every true
/// anomaly when ground truth is known, so unlabeled real anomalies stand out.
///
/// Clicking a point selects it and emits itemActivated(); hovering shows a tooltip.
class LatentChartView : public QWidget
{
    Q_OBJECT

public:
    explicit LatentChartView(QWidget *parent = nullptr);
    ~LatentChartView() override;

    /// Returns the legend entry of the boundary line. It notes when the UAI layer did not rank the
    /// queue.
    static QString boundaryLegend(const LatentChartData &data);

    void setData(const LatentChartData &data);
    void setData(LatentChartData &&data);
    const LatentChartData &data() const { return m_data; }
    void clear();

    /// Highlights the point of `item` (a report item index, as in LatentChartData::item); -1 or
    /// an item without a point clears the highlight.
    void setSelectedItem(qsizetype item);
    qsizetype selectedItem() const { return m_selectedItem; }

    /// Logarithmic score axis. Scores <= 0 cannot be placed on it: they are drawn on the bottom
    /// edge, at the axis minimum (a little below the smallest positive score).
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    /// Widget pixel of the data point (x, y) at the current size; points outside the data range
    /// map outside the plot area. Under the log scale y <= 0 maps to the bottom edge.
    QPointF mapToPixel(float x, float y) const;
    /// Data coordinates of a widget pixel (inverse of mapToPixel inside the plot area).
    QPointF mapFromPixel(QPointF pixel) const;
    /// The plot area in widget pixels.
    QRectF plotArea() const;

    /// The point index (into data().x) nearest to `pixel` within `radius` pixels, -1 if none. On
    /// ties the point drawn last (the one on top) wins.
    qsizetype pointAt(QPointF pixel, qreal radius = 6.0) const;
    /// Like pointAt but returns the report item index, -1 if none.
    qsizetype itemAt(QPointF pixel, qreal radius = 6.0) const;

    /// The chart as it would look in a widget of `size`, selection included.
    QImage renderImage(QSize size) const;
    /// Writes renderImage(size) as PNG; an empty size means the widget's size (800x600 when the
    /// widget is smaller than 50x50). Returns false and sets *error on failure.
    bool exportPng(const QString &path, QString *error = nullptr, QSize size = QSize()) const;
    /// Writes the chart as SVG through the same painting routine (points as vector shapes).
    bool exportSvg(const QString &path, QString *error = nullptr, QSize size = QSize()) const;

    /// Milliseconds the last rebuild of the cached image took; for diagnostics.
    double lastRenderMilliseconds() const { return m_lastRenderMs; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /// The user clicked the point of `item` (a report item index).
    void itemActivated(qsizetype item);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool event(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

public:
    /// Geometry of one rendering: the plot area, the data ranges and the ticks. Public only so
    /// the implementation's helpers can use it.
    struct Layout {
        QSizeF size;
        QRectF plot;
        double xMin = 0.0, xMax = 1.0;
        double yMin = 0.0, yMax = 1.0; ///< Data units; under the log scale both are > 0.
        bool logY = false;
        std::vector<double> xTicks, yTicks, yMinorTicks;
        QStringList xLabels, yLabels;
        struct LegendEntry {
            int kind = 0;
            QString text;
            QPointF at; ///< Left end of the marker's cell.
        };
        std::vector<LegendEntry> legend;
        qreal lineHeight = 12.0;

        QPointF map(double x, double y) const;
        double mapX(double x) const;
        double mapY(double y) const;
        QPointF unmap(QPointF pixel) const;
    };

private:
    Layout computeLayout(QSizeF size, const QPaintDevice *device) const;
    void paintScene(QPainter &painter, const Layout &layout, bool raster) const;
    void paintSelection(QPainter &painter, const Layout &layout) const;
    const Layout &widgetLayout() const;
    void ensureCache() const;
    void ensureGrid() const;
    void dataChanged();
    void invalidate();
    QSize exportSize(QSize requested) const;
    QString toolTipFor(qsizetype point) const;

    LatentChartData m_data;
    std::vector<qint32> m_pointOfItem; ///< Report item index -> point index, -1 when none.
    double m_dataXMin = 0.0, m_dataXMax = 1.0, m_dataYMin = 0.0, m_dataYMax = 1.0;
    double m_minPositiveY = 0.0; ///< Smallest y > 0, 0 when none.

    qsizetype m_selectedItem = -1;
    bool m_logScale = false;

    // Cached for the widget's current size; mutable because mapping functions are const.
    mutable Layout m_layout;
    mutable bool m_layoutValid = false;
    mutable QImage m_cache;
    mutable bool m_cacheValid = false;
    mutable double m_lastRenderMs = 0.0;

    // Spatial grid over the points' widget pixels for hit tests.
    mutable bool m_gridValid = false;
    mutable int m_gridColumns = 0, m_gridRows = 0;
    mutable qreal m_gridCell = 8.0;
    mutable std::vector<qint32> m_gridStart; ///< Per cell, start into m_gridPoints; size cells+1.
    mutable std::vector<qint32> m_gridPoints;
    mutable std::vector<QPointF> m_pixels;  ///< Widget pixel of each point.
    mutable std::vector<qint32> m_drawRank; ///< Higher = drawn later (on top).

    QPointF m_pressPos;
    bool m_pressed = false;
};

} // namespace uai
