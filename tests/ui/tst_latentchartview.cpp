#include "latentchartview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHelpEvent>
#include <QImageReader>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QXmlStreamReader>

#include <cmath>
#include <random>

using namespace uai;

namespace {

constexpr qsizetype kPoints = 60000;

/// 60,000 points in a Gaussian cloud in x in [-3, 3] and scores in (0, ~5], a few verdicts, a
/// few true anomalies, and three isolated points far from the cloud:
/// item 100 at (8, 9) unlabeled, item 200 at (-8, 9) anomaly verdict, item 300 at (8, 0.5)
/// normal verdict. Item indices are offset by 10 to check the point -> item mapping.
LatentChartData sampleData()
{
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::exponential_distribution<float> exponential(1.0f);
    LatentChartData data;
    data.axis = LatentAxis::UaiProjection;
    data.xTitle = QStringLiteral("Latent projected on the UAI weights");
    data.yTitle = QStringLiteral("Base anomaly score");
    for (qsizetype i = 0; i < kPoints; ++i) {
        data.item.push_back(i + 10);
        data.x.push_back(std::clamp(normal(rng), -3.0f, 3.0f));
        data.y.push_back(std::min(0.01f + exponential(rng), 5.0f));
        PointCategory category = PointCategory::Unlabeled;
        if (i % 500 == 1)
            category = PointCategory::Normal;
        else if (i % 700 == 3)
            category = PointCategory::Anomaly;
        else if (i % 900 == 5)
            category = PointCategory::Unsure;
        data.category.push_back(category);
        data.trueAnomaly.push_back(i % 97 == 0);
    }
    auto place = [&](qsizetype point, float x, float y, PointCategory category) {
        data.x[size_t(point)] = x;
        data.y[size_t(point)] = y;
        data.category[size_t(point)] = category;
        data.trueAnomaly[size_t(point)] = false;
    };
    place(100, 8.0f, 9.0f, PointCategory::Unlabeled);
    place(200, -8.0f, 9.0f, PointCategory::Anomaly);
    place(300, 8.0f, 0.5f, PointCategory::Normal);
    data.hasBoundary = true;
    data.boundary = LatentBoundary{1.0, -0.5, 0.2};
    return data;
}

} // namespace

class tst_LatentChartView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void grabWithManyPoints();
    void redrawTime();
    void mapToPixelInsidePlot();
    void clickEmitsItem();
    void clickOnEmptyEmitsNothing();
    void clickSelects();
    void hoverShowsTooltip();
    void anomalyPixelIsReddish();
    void normalPixelIsBluish();
    void selectionIsDrawn();
    void logScaleMapsOrder();
    void logScaleClampsNonPositive();
    void exportPngHasSize();
    void exportPngBadPathFails();
    void exportSvgIsXml();
    void emptyDataGrabs();

private:
    LatentChartView *m_view = nullptr;
    QImage m_grab;
};

void tst_LatentChartView::initTestCase()
{
    m_view = new LatentChartView();
    m_view->resize(800, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    m_view->setData(sampleData());
}

void tst_LatentChartView::cleanupTestCase()
{
    delete m_view;
    m_view = nullptr;
}

void tst_LatentChartView::grabWithManyPoints()
{
    m_grab = m_view->grab().toImage();
    QCOMPARE(m_grab.size(), QSize(800, 600) * m_view->devicePixelRatioF());
    QCOMPARE(m_view->data().size(), kPoints);
}

void tst_LatentChartView::redrawTime()
{
    // Not asserted: the machine's speed varies. Full rebuilds of the cached image.
    double best = 1e9, total = 0.0;
    const int runs = 5;
    for (int run = 0; run < runs; ++run) {
        m_view->setLogScale(run % 2 == 1); // invalidates the cache
        m_view->grab();
        best = std::min(best, m_view->lastRenderMilliseconds());
        total += m_view->lastRenderMilliseconds();
    }
    m_view->setLogScale(false);
    m_view->grab();
    m_view->setLogScale(true);
    QElapsedTimer timer;
    timer.start();
    m_view->grab(); // rebuild after the scale change
    const double grabMs = double(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    m_view->grab(); // cached: a blit
    const double cachedMs = double(timer.nsecsElapsed()) / 1e6;
    m_view->setLogScale(false);
    qInfo("Redraw of %lld points: best %.1f ms, mean %.1f ms; grab with rebuild %.1f ms, "
          "cached grab %.1f ms",
          static_cast<long long>(kPoints),
          best,
          total / runs,
          grabMs,
          cachedMs);
    QVERIFY(best > 0.0);
}

void tst_LatentChartView::mapToPixelInsidePlot()
{
    const QRectF plot = m_view->plotArea();
    QVERIFY(plot.width() > 400);
    QVERIFY(plot.height() > 300);
    const LatentChartData &data = m_view->data();
    for (qsizetype i = 0; i < data.size(); i += 997)
        QVERIFY(plot.contains(m_view->mapToPixel(data.x[size_t(i)], data.y[size_t(i)])));
    const QPointF pixel = m_view->mapToPixel(1.5f, 2.5f);
    const QPointF back = m_view->mapFromPixel(pixel);
    QVERIFY(std::abs(back.x() - 1.5) < 1e-6);
    QVERIFY(std::abs(back.y() - 2.5) < 1e-6);
}

void tst_LatentChartView::clickEmitsItem()
{
    QSignalSpy spy(m_view, &LatentChartView::itemActivated);
    const QPointF pixel = m_view->mapToPixel(8.0f, 9.0f); // point 100, item 110
    QTest::mouseClick(m_view, Qt::LeftButton, Qt::NoModifier, pixel.toPoint());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<qsizetype>(), qsizetype(110));

    // A click a few pixels off still finds it.
    const QPointF other = m_view->mapToPixel(8.0f, 0.5f) + QPointF(3, -2); // point 300
    QTest::mouseClick(m_view, Qt::LeftButton, Qt::NoModifier, other.toPoint());
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).value<qsizetype>(), qsizetype(310));
}

void tst_LatentChartView::clickOnEmptyEmitsNothing()
{
    QSignalSpy spy(m_view, &LatentChartView::itemActivated);
    // Between the isolated points on the right, far from the cloud.
    const QPointF pixel = m_view->mapToPixel(8.0f, 5.0f);
    QTest::mouseClick(m_view, Qt::LeftButton, Qt::NoModifier, pixel.toPoint());
    QCOMPARE(spy.count(), 0);
}

void tst_LatentChartView::clickSelects()
{
    const QPointF pixel = m_view->mapToPixel(-8.0f, 9.0f); // point 200, item 210
    QTest::mouseClick(m_view, Qt::LeftButton, Qt::NoModifier, pixel.toPoint());
    QCOMPARE(m_view->selectedItem(), qsizetype(210));
    m_view->setSelectedItem(-1);
    QCOMPARE(m_view->selectedItem(), qsizetype(-1));
}

void tst_LatentChartView::hoverShowsTooltip()
{
    const QPoint pixel = m_view->mapToPixel(8.0f, 9.0f).toPoint(); // item 110
    QHelpEvent help(QEvent::ToolTip, pixel, m_view->mapToGlobal(pixel));
    QApplication::sendEvent(m_view, &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains(QStringLiteral("Item 110")), qPrintable(QToolTip::text()));
    QVERIFY(QToolTip::text().contains(QStringLiteral("Score: 9")));
    QToolTip::hideText();
}

void tst_LatentChartView::anomalyPixelIsReddish()
{
    m_view->setSelectedItem(-1);
    const QImage image = m_view->grab().toImage();
    const qreal dpr = m_view->devicePixelRatioF();
    const QPointF pixel = m_view->mapToPixel(-8.0f, 9.0f) * dpr;
    const QColor colour = image.pixelColor(int(pixel.x()), int(pixel.y()));
    QVERIFY2(colour.red() > 150, qPrintable(colour.name()));
    QVERIFY2(colour.green() < 100, qPrintable(colour.name()));
    QVERIFY2(colour.blue() < 100, qPrintable(colour.name()));
}

void tst_LatentChartView::normalPixelIsBluish()
{
    const QImage image = m_view->grab().toImage();
    const qreal dpr = m_view->devicePixelRatioF();
    const QPointF pixel = m_view->mapToPixel(8.0f, 0.5f) * dpr;
    const QColor colour = image.pixelColor(int(pixel.x()), int(pixel.y()));
    QVERIFY2(colour.blue() > colour.red() + 60, qPrintable(colour.name()));
}

void tst_LatentChartView::selectionIsDrawn()
{
    m_view->setSelectedItem(-1);
    const QImage before = m_view->grab().toImage();
    m_view->setSelectedItem(110);
    QCOMPARE(m_view->selectedItem(), qsizetype(110));
    const QImage after = m_view->grab().toImage();
    QVERIFY(before != after);
    // A ring around the point: the pixel 9 px to its left changes from background.
    const QPoint ring = (m_view->mapToPixel(8.0f, 9.0f) - QPointF(9.0, 0.0)).toPoint();
    QVERIFY(before.pixelColor(ring) != after.pixelColor(ring));
    m_view->setSelectedItem(-1);
    // An item without a point clears the selection.
    m_view->setSelectedItem(5);
    QCOMPARE(m_view->selectedItem(), qsizetype(-1));
}

void tst_LatentChartView::logScaleMapsOrder()
{
    m_view->setLogScale(true);
    const qreal y1 = m_view->mapToPixel(0.0f, 0.1f).y();
    const qreal y2 = m_view->mapToPixel(0.0f, 1.0f).y();
    const qreal y3 = m_view->mapToPixel(0.0f, 10.0f).y();
    QVERIFY(y1 > y2);
    QVERIFY(y2 > y3);
    // Decades are evenly spaced.
    QVERIFY2(std::abs((y1 - y2) - (y2 - y3)) < 1e-3,
             qPrintable(QStringLiteral("%1 %2 %3").arg(y1).arg(y2).arg(y3)));
    m_view->setLogScale(false);
}

void tst_LatentChartView::logScaleClampsNonPositive()
{
    LatentChartView view;
    view.resize(400, 300);
    LatentChartData data;
    data.x = {0.0f, 1.0f, 2.0f, 3.0f};
    data.y = {0.0f, -1.0f, 0.01f, 100.0f};
    data.category.assign(4, PointCategory::Unlabeled);
    view.setData(data);
    view.setLogScale(true);
    const QRectF plot = view.plotArea();
    const QPointF zero = view.mapToPixel(0.0f, 0.0f);
    const QPointF negative = view.mapToPixel(1.0f, -1.0f);
    QVERIFY(std::isfinite(zero.y()));
    QCOMPARE(zero.y(), plot.bottom());
    QCOMPARE(negative.y(), plot.bottom());
    QVERIFY(view.mapToPixel(2.0f, 0.01f).y() < plot.bottom());
    QVERIFY(!view.grab().isNull());
}

void tst_LatentChartView::exportPngHasSize()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("latent.png"));
    QString error;
    QVERIFY2(m_view->exportPng(path, &error, QSize(1024, 700)), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QImageReader reader(path);
    QCOMPARE(reader.size(), QSize(1024, 700));
    QCOMPARE(reader.format(), QByteArray("png"));

    const QString defaultPath = dir.filePath(QStringLiteral("latent-default.png"));
    QVERIFY(m_view->exportPng(defaultPath, &error));
    QCOMPARE(QImageReader(defaultPath).size(), QSize(800, 600));
}

void tst_LatentChartView::exportPngBadPathFails()
{
    QString error;
    QVERIFY(!m_view->exportPng(QStringLiteral("/nonexistent-dir/x/latent.png"), &error));
    QVERIFY(!error.isEmpty());
}

void tst_LatentChartView::exportSvgIsXml()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("latent.svg"));
    QString error;
    QVERIFY2(m_view->exportSvg(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("<svg"));
    QXmlStreamReader xml(content);
    bool sawSvg = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("svg"))
            sawSvg = true;
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(sawSvg);
    QVERIFY(content.size() > 100000); // the points are in it as shapes
}

void tst_LatentChartView::emptyDataGrabs()
{
    LatentChartView view;
    view.resize(300, 200);
    QVERIFY(!view.grab().isNull());
    QCOMPARE(view.pointAt(QPointF(100, 100)), qsizetype(-1));
    QVERIFY(view.renderImage(QSize(320, 240)).size() == QSize(320, 240));
}

QTEST_MAIN(tst_LatentChartView)
#include "tst_latentchartview.moc"
