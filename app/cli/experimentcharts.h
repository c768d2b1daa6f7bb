#pragma once

#include <QColor>
#include <QImage>
#include <QSize>
#include <QString>

#include <vector>

/// One method's discovery curves over several seeds, summarised per verdict count.
struct CurveBand {
    QString name;
    QColor colour;
    std::vector<double> verdicts; ///< Increasing, starting at 0.
    std::vector<double> mean;     ///< Mean anomalies found over the seeds.
    std::vector<double> minimum;
    std::vector<double> maximum;
};

/// Renders the bands as a Qt Charts image: each mean as a line, the range between the minimum
/// and maximum as a translucent area, and the bound "every verdict an anomaly" dashed when
/// anomalyTotal > 0. Needs a QApplication; draws without showing a window.
QImage renderBandChart(const QString &title,
                       const std::vector<CurveBand> &bands,
                       qsizetype anomalyTotal,
                       QSize size = QSize(900, 600));
