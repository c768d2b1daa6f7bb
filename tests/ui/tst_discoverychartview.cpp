#include "discoverychartview.h"

#include <QChart>
#include <QFile>
#include <QImageReader>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>
#include <QXmlStreamReader>

using namespace uai;

namespace {

DiscoveryPoint point(int round, qsizetype verdicts, qsizetype found, bool byUai = true)
{
    DiscoveryPoint p;
    p.round = round;
    p.verdicts = verdicts;
    p.found = found;
    p.rankedByUai = byUai;
    return p;
}

const std::vector<DiscoveryPoint> kUai{point(0, 0, 0, false), point(1, 10, 4), point(2, 20, 11)};
const std::vector<DiscoveryPoint> kBase{point(0, 0, 0, false), point(1, 10, 3), point(2, 20, 6)};

bool validSvg(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray content = file.readAll();
    if (!content.contains("<svg"))
        return false;
    QXmlStreamReader xml(content);
    while (!xml.atEnd())
        xml.readNext();
    return !xml.hasError();
}

} // namespace

class tst_DiscoveryChartView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyHasUaiSeriesOnly();
    void seriesCountWithoutBase();
    void seriesCountWithBase();
    void seriesCountWithBound();
    void seriesNames();
    void pointValuesAfterSetCurves();
    void basePointValues();
    void appendPointAddsPoint();
    void appendBasePointAddsSeries();
    void axisTitles();
    void axisRangesCoverData();
    void axisRangesGrowOnAppend();
    void boundIsMinOfVerdictsAndTotal();
    void boundDashed();
    void boundFollowsAppend();
    void anomalyTotalZeroRemovesBound();
    void exportPng();
    void exportPngShownView();
    void exportSvg();
    void exportBadPathFails();
};

void tst_DiscoveryChartView::emptyHasUaiSeriesOnly()
{
    DiscoveryChartView view;
    QCOMPARE(view.chart()->series().size(), 1);
    QCOMPARE(view.uaiSeries()->count(), 0);
    QVERIFY(view.baseSeries() == nullptr);
    QVERIFY(view.boundSeries() == nullptr);
}

void tst_DiscoveryChartView::seriesCountWithoutBase()
{
    DiscoveryChartView view;
    view.setCurves(kUai);
    QCOMPARE(view.chart()->series().size(), 1);
    QVERIFY(view.baseSeries() == nullptr);
}

void tst_DiscoveryChartView::seriesCountWithBase()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase);
    QCOMPARE(view.chart()->series().size(), 2);
    QVERIFY(view.baseSeries() != nullptr);
    // And back to one when the base curve is dropped.
    view.setCurves(kUai, {});
    QCOMPARE(view.chart()->series().size(), 1);
}

void tst_DiscoveryChartView::seriesCountWithBound()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    QCOMPARE(view.chart()->series().size(), 3);
    view.setCurves(kUai, {}, 15);
    QCOMPARE(view.chart()->series().size(), 2);
}

void tst_DiscoveryChartView::seriesNames()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    QCOMPARE(view.uaiSeries()->name(), QStringLiteral("UAI network"));
    QCOMPARE(view.baseSeries()->name(), QStringLiteral("Base model alone"));
    QCOMPARE(view.boundSeries()->name(), QStringLiteral("Every verdict an anomaly"));
}

void tst_DiscoveryChartView::pointValuesAfterSetCurves()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    const QList<QPointF> points = view.uaiSeries()->points();
    QCOMPARE(points.size(), 3);
    QCOMPARE(points[0], QPointF(0, 0));
    QCOMPARE(points[1], QPointF(10, 4));
    QCOMPARE(points[2], QPointF(20, 11));
}

void tst_DiscoveryChartView::basePointValues()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase);
    const QList<QPointF> points = view.baseSeries()->points();
    QCOMPARE(points.size(), 3);
    QCOMPARE(points[1], QPointF(10, 3));
    QCOMPARE(points[2], QPointF(20, 6));
}

void tst_DiscoveryChartView::appendPointAddsPoint()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    view.appendPoint(point(3, 30, 14));
    QCOMPARE(view.uaiSeries()->count(), 4);
    QCOMPARE(view.uaiSeries()->at(3), QPointF(30, 14));
    QCOMPARE(view.uaiCurve().size(), size_t(4));
    // The base curve is untouched.
    QCOMPARE(view.baseSeries()->count(), 3);
}

void tst_DiscoveryChartView::appendBasePointAddsSeries()
{
    DiscoveryChartView view;
    view.setCurves(kUai);
    QCOMPARE(view.chart()->series().size(), 1);
    view.appendBasePoint(point(1, 10, 2));
    QCOMPARE(view.chart()->series().size(), 2);
    QCOMPARE(view.baseSeries()->at(0), QPointF(10, 2));
}

void tst_DiscoveryChartView::axisTitles()
{
    DiscoveryChartView view;
    QCOMPARE(view.verdictAxis()->titleText(), QStringLiteral("Verdicts"));
    QCOMPARE(view.foundAxis()->titleText(), QStringLiteral("Anomalies found"));
    QCOMPARE(view.uaiSeries()->attachedAxes().size(), 2);
}

void tst_DiscoveryChartView::axisRangesCoverData()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase);
    QVERIFY(view.verdictAxis()->min() <= 0.0);
    QVERIFY(view.verdictAxis()->max() >= 20.0);
    QVERIFY(view.foundAxis()->min() <= 0.0);
    QVERIFY(view.foundAxis()->max() >= 11.0);
}

void tst_DiscoveryChartView::axisRangesGrowOnAppend()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase);
    view.appendPoint(point(3, 250, 90));
    QVERIFY(view.verdictAxis()->max() >= 250.0);
    QVERIFY(view.foundAxis()->max() >= 90.0);
    // Not absurdly loose either.
    QVERIFY(view.verdictAxis()->max() <= 500.0);
}

void tst_DiscoveryChartView::boundIsMinOfVerdictsAndTotal()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    const QList<QPointF> bound = view.boundSeries()->points();
    // min(v, 15) from 0 to the last verdict count, 20: (0,0) (15,15) (20,15).
    QCOMPARE(bound.size(), 3);
    QCOMPARE(bound[0], QPointF(0, 0));
    QCOMPARE(bound[1], QPointF(15, 15));
    QCOMPARE(bound[2], QPointF(20, 15));
    QVERIFY(view.foundAxis()->max() >= 15.0);

    // More anomalies than verdicts: the bound is the diagonal.
    view.setCurves(kUai, kBase, 500);
    const QList<QPointF> diagonal = view.boundSeries()->points();
    QCOMPARE(diagonal.size(), 2);
    QCOMPARE(diagonal[1], QPointF(20, 20));
}

void tst_DiscoveryChartView::boundDashed()
{
    DiscoveryChartView view;
    view.setCurves(kUai, {}, 15);
    QCOMPARE(view.boundSeries()->pen().style(), Qt::DashLine);
    QCOMPARE(view.uaiSeries()->pen().style(), Qt::SolidLine);
}

void tst_DiscoveryChartView::boundFollowsAppend()
{
    DiscoveryChartView view;
    view.setCurves(kUai, {}, 15);
    view.appendPoint(point(3, 40, 15));
    QCOMPARE(view.boundSeries()->points().last(), QPointF(40, 15));
}

void tst_DiscoveryChartView::anomalyTotalZeroRemovesBound()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    view.setAnomalyTotal(0);
    QVERIFY(view.boundSeries() == nullptr);
    QCOMPARE(view.chart()->series().size(), 2);
    view.setAnomalyTotal(5);
    QCOMPARE(view.chart()->series().size(), 3);
}

void tst_DiscoveryChartView::exportPng()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("curve.png"));
    QString error;
    QVERIFY2(view.exportPng(path, &error, QSize(640, 480)), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QCOMPARE(QImageReader(path).size(), QSize(640, 480));
    // Something was drawn: the image is not one flat colour.
    const QImage image(path);
    bool varied = false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height() && !varied; y += 3) {
        for (int x = 0; x < image.width() && !varied; x += 3)
            varied = image.pixel(x, y) != first;
    }
    QVERIFY(varied);
}

void tst_DiscoveryChartView::exportPngShownView()
{
    DiscoveryChartView view;
    view.resize(500, 350);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setCurves(kUai, kBase, 15);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shown.png"));
    QString error;
    QVERIFY2(view.exportPng(path, &error), qPrintable(error));
    QCOMPARE(QImageReader(path).size(), QSize(500, 350));
    // Exporting at another size leaves the view as it was.
    QVERIFY(view.exportPng(dir.filePath(QStringLiteral("big.png")), &error, QSize(900, 700)));
    QCOMPARE(view.size(), QSize(500, 350));
    QCOMPARE(view.chart()->size(), QSizeF(500, 350));
}

void tst_DiscoveryChartView::exportSvg()
{
    DiscoveryChartView view;
    view.setCurves(kUai, kBase, 15);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("curve.svg"));
    QString error;
    QVERIFY2(view.exportSvg(path, &error, QSize(640, 480)), qPrintable(error));
    QVERIFY(validSvg(path));
}

void tst_DiscoveryChartView::exportBadPathFails()
{
    DiscoveryChartView view;
    QString error;
    QVERIFY(!view.exportSvg(QStringLiteral("/nonexistent-dir/x/curve.svg"), &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!view.exportPng(QStringLiteral("/nonexistent-dir/x/curve.png"), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_MAIN(tst_DiscoveryChartView)
#include "tst_discoverychartview.moc"
