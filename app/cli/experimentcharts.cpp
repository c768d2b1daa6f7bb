#include "experimentcharts.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QValueAxis>

#include <algorithm>

namespace {

QLineSeries *makeLine(const std::vector<double> &x, const std::vector<double> &y)
{
    auto *series = new QLineSeries;
    for (size_t i = 0; i < x.size(); ++i)
        series->append(x[i], y[i]);
    return series;
}

void attach(QChart *chart, QAbstractSeries *series, QValueAxis *xAxis, QValueAxis *yAxis)
{
    chart->addSeries(series);
    series->attachAxis(xAxis);
    series->attachAxis(yAxis);
}

} // namespace

QImage renderBandChart(const QString &title,
                       const std::vector<CurveBand> &bands,
                       qsizetype anomalyTotal,
                       QSize size)
{
    auto *chart = new QChart; // owned by the view
    QChartView view(chart);
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setRenderHint(QPainter::Antialiasing);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTitle(title + QStringLiteral("; lines: mean over the seeds, bands: min to max"));
    // A row at the bottom elides the names of more than five curves, so longer lists go right.
    chart->legend()->setAlignment(bands.size() > 5 ? Qt::AlignRight : Qt::AlignBottom);

    auto *xAxis = new QValueAxis;
    xAxis->setTitleText(QStringLiteral("Verdicts"));
    xAxis->setLabelFormat(QStringLiteral("%d"));
    auto *yAxis = new QValueAxis;
    yAxis->setTitleText(QStringLiteral("Anomalies found"));
    yAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);

    double xMax = 1.0;
    double yMax = 1.0;
    for (const CurveBand &band : bands) {
        if (band.verdicts.empty())
            continue;
        xMax = std::max(xMax, band.verdicts.back());
        yMax = std::max(yMax, *std::max_element(band.maximum.begin(), band.maximum.end()));

        QColor fill = band.colour;
        fill.setAlpha(60);
        auto *area = new QAreaSeries(makeLine(band.verdicts, band.maximum),
                                     makeLine(band.verdicts, band.minimum));
        area->setBrush(fill);
        area->setPen(Qt::NoPen);
        attach(chart, area, xAxis, yAxis);
        for (QLegendMarker *marker : chart->legend()->markers(area))
            marker->setVisible(false);

        QLineSeries *mean = makeLine(band.verdicts, band.mean);
        mean->setName(band.name);
        mean->setPen(QPen(band.colour, 2.0));
        attach(chart, mean, xAxis, yAxis);
    }
    if (anomalyTotal > 0) {
        const double corner = std::min(xMax, double(anomalyTotal));
        auto *bound = makeLine({0.0, corner, xMax}, {0.0, corner, corner});
        bound->setName(QStringLiteral("Every verdict an anomaly"));
        bound->setPen(QPen(QColor(110, 110, 110), 1.5, Qt::DashLine));
        attach(chart, bound, xAxis, yAxis);
        yMax = std::max(yMax, corner);
    }
    xAxis->setRange(0.0, xMax);
    yAxis->setRange(0.0, yMax * 1.05);
    xAxis->applyNiceNumbers();
    yAxis->applyNiceNumbers();

    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    view.resize(size);
    chart->resize(QSizeF(size));
    chart->layout()->activate();
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    static_cast<QWidget &>(view).render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    painter.end();
    return image;
}
