#include "suspectview.h"

#include "csvreader.h"
#include "dataset.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QShortcut>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <cmath>
#include <limits>
#include <vector>

using namespace uai;

namespace {

QString tabularPath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/data/tabular/") + name;
}

SuspectDetails imageDetails(int width, int height, std::vector<float> pixels)
{
    SuspectDetails details;
    details.item = 0;
    details.itemId = QStringLiteral("synthetic.png");
    details.isImage = true;
    details.width = width;
    details.height = height;
    details.pixels = std::move(pixels);
    return details;
}

/// Returns an 8 x 8 board of black and white pixels, white where x + y is odd.
SuspectDetails checkerboard()
{
    std::vector<float> pixels(64);
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x)
            pixels[static_cast<size_t>(y * 8 + x)] = float((x + y) % 2);
    }
    return imageDetails(8, 8, pixels);
}

int grayAt(const QImage &image, int x, int y)
{
    const QRgb pixel = image.pixel(x, y);
    return qRed(pixel);
}

/// Relative luminance (Rec. 709 weights) of a colour, for checking that the heatmap brightens
/// with the error.
double luminance(QRgb colour)
{
    return 0.2126 * qRed(colour) + 0.7152 * qGreen(colour) + 0.0722 * qBlue(colour);
}

QAbstractItemModel *tableModel(SuspectView &view)
{
    auto *table = view.findChild<QTableView *>(QStringLiteral("featureTable"));
    return table ? table->model() : nullptr;
}

QString cellText(QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data(Qt::DisplayRole).toString();
}

/// Five features with known values; contributions rank C, A, E, B, D.
SuspectDetails tableDetails()
{
    SuspectDetails details;
    details.item = 41;
    details.itemId = QStringLiteral("line 43");
    details.rank = 3;
    details.baseScore = 2.75;
    details.featureNames = {QStringLiteral("A"),
                            QStringLiteral("B"),
                            QStringLiteral("C"),
                            QStringLiteral("D"),
                            QStringLiteral("E")};
    details.rawValues = {1234.5678, 0.001, -7.0, 42.0, qQNaN()};
    details.standardised = {2.0f, -0.5f, -3.0f, 0.25f, 1.5f};
    details.contributions = {4.0f, 0.25f, 9.0f, 0.0625f, 2.25f};
    return details;
}

} // namespace

class tst_SuspectView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void grayLevelsExactAtIntegerZoom();
    void nearestNeighbourKeepsTwoLevels_data();
    void nearestNeighbourKeepsTwoLevels();
    void fitShowsWholeImage_data();
    void fitShowsWholeImage();
    void ctrlWheelAndButtonsZoom();
    void layersNeedReconstruction();
    void heatmapBrightensWithError();
    void nonFiniteReconstructionIsReported();
    void tableShowsFeatureRows();
    void tableSortsByColumn();
    void tableWithoutContributions();
    void headerShowsRankAndScores();
    void headerSplitsForestLayerScore();
    void tableRowIsNarrowerThanImageToolbar();
    void clearShowsPlaceholder();
    void detailsMatchCsvText_data();
    void detailsMatchCsvText();
    void detailsUseReconstruction();
    void detailsOfImageDataset();
    void verdictKeysReachWindow_data();
    void verdictKeysReachWindow();
};

void tst_SuspectView::grayLevelsExactAtIntegerZoom()
{
    // Values chosen so that v * 255 is clearly away from .5; out-of-range values clamp.
    const std::vector<float> pixels = {0.0f, 1.0f, 17.0f / 255.0f, 0.2f, -0.25f, 1.5f};
    const std::vector<int> expected = {0, 255, 17, 51, 0, 255};
    SuspectView view;
    view.resize(400, 300);
    view.setDetails(imageDetails(3, 2, pixels));
    view.setZoom(5);

    const QImage displayed = view.currentImage();
    QCOMPARE(view.zoom(), 5.0);
    QCOMPARE(displayed.size(), QSize(15, 10));
    for (int y = 0; y < displayed.height(); ++y) {
        for (int x = 0; x < displayed.width(); ++x) {
            const int source = (y / 5) * 3 + x / 5;
            QCOMPARE(grayAt(displayed, x, y), expected[static_cast<size_t>(source)]);
        }
    }
}

void tst_SuspectView::nearestNeighbourKeepsTwoLevels_data()
{
    QTest::addColumn<double>("zoom");
    QTest::newRow("zoom 3") << 3.0;
    QTest::newRow("zoom 7") << 7.0;
    QTest::newRow("zoom 1/2") << 0.5;
    QTest::newRow("zoom 2.5") << 2.5;
}

void tst_SuspectView::nearestNeighbourKeepsTwoLevels()
{
    QFETCH(double, zoom);
    SuspectView view;
    view.setDetails(checkerboard());
    view.setZoom(zoom);

    const QImage displayed = view.currentImage();
    QCOMPARE(displayed.width(), int(std::lround(8 * zoom)));
    // Every displayed pixel copies one image pixel, so only black and white appear. At 1/2 the
    // sampled pixels can all be black, which is still nearest-neighbour sampling.
    for (int y = 0; y < displayed.height(); ++y) {
        for (int x = 0; x < displayed.width(); ++x) {
            const int gray = grayAt(displayed, x, y);
            QVERIFY2(gray == 0 || gray == 255,
                     qPrintable(QStringLiteral("gray %1 at %2,%3").arg(gray).arg(x).arg(y)));
        }
    }

    if (zoom == std::floor(zoom)) {
        const int factor = int(zoom);
        for (int y = 0; y < displayed.height(); ++y) {
            for (int x = 0; x < displayed.width(); ++x)
                QCOMPARE(grayAt(displayed, x, y), ((x / factor + y / factor) % 2) * 255);
        }
    }
}

void tst_SuspectView::fitShowsWholeImage_data()
{
    QTest::addColumn<QSize>("imageSize");
    QTest::newRow("small image enlarged") << QSize(10, 10);
    QTest::newRow("wide image") << QSize(40, 7);
    QTest::newRow("image larger than view") << QSize(900, 700);
}

void tst_SuspectView::fitShowsWholeImage()
{
    QFETCH(QSize, imageSize);
    QWidget window;
    auto *view = new SuspectView(&window);
    auto *layout = new QVBoxLayout(&window);
    layout->addWidget(view);
    window.resize(420, 360);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    std::vector<float> pixels(size_t(imageSize.width()) * size_t(imageSize.height()), 0.5f);
    view->setDetails(imageDetails(imageSize.width(), imageSize.height(), pixels));
    QVERIFY(view->isFitting());

    auto *area = view->findChild<QScrollArea *>(QStringLiteral("imageScrollArea"));
    QVERIFY(area);
    const QSize available = area->viewport()->size();
    const QSize displayed = view->currentImage().size();
    QVERIFY2(displayed.width() <= available.width() && displayed.height() <= available.height(),
             qPrintable(QStringLiteral("%1x%2 displayed in %3x%4")
                            .arg(displayed.width())
                            .arg(displayed.height())
                            .arg(available.width())
                            .arg(available.height())));
    const double zoom = view->zoom();
    if (zoom >= 1.0) {
        QCOMPARE(zoom, std::floor(zoom));
        const bool nextFits = imageSize.width() * (zoom + 1) <= available.width()
                              && imageSize.height() * (zoom + 1) <= available.height();
        QVERIFY(!nextFits);
    } else {
        QCOMPARE(1.0 / zoom, std::round(1.0 / zoom));
    }

    window.resize(900, 800);
    QTRY_VERIFY(area->viewport()->width() > available.width());
    QTRY_VERIFY(view->zoom() >= zoom);
}

void tst_SuspectView::ctrlWheelAndButtonsZoom()
{
    SuspectView view;
    view.resize(300, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setDetails(checkerboard());
    view.setZoom(2);
    QSignalSpy zoomSpy(&view, &SuspectView::zoomChanged);

    auto *area = view.findChild<QScrollArea *>(QStringLiteral("imageScrollArea"));
    QVERIFY(area);
    QWidget *viewport = area->viewport();
    const QPointF centre(viewport->width() / 2.0, viewport->height() / 2.0);
    const auto wheel = [&](int delta, Qt::KeyboardModifiers modifiers) {
        QWheelEvent event(centre,
                          viewport->mapToGlobal(centre),
                          QPoint(),
                          QPoint(0, delta),
                          Qt::NoButton,
                          modifiers,
                          Qt::NoScrollPhase,
                          false);
        QApplication::sendEvent(viewport, &event);
    };

    wheel(120, Qt::ControlModifier);
    QCOMPARE(view.zoom(), 3.0);
    wheel(-120, Qt::ControlModifier);
    QCOMPARE(view.zoom(), 2.0);
    wheel(120, Qt::NoModifier);
    QCOMPARE(view.zoom(), 2.0);
    QCOMPARE(zoomSpy.count(), 2);

    auto *zoomIn = view.findChild<QToolButton *>(QStringLiteral("zoomInButton"));
    auto *zoomOut = view.findChild<QToolButton *>(QStringLiteral("zoomOutButton"));
    auto *fit = view.findChild<QToolButton *>(QStringLiteral("zoomToFitButton"));
    QVERIFY(zoomIn && zoomOut && fit);
    QTest::mouseClick(zoomIn, Qt::LeftButton);
    QCOMPARE(view.zoom(), 3.0);
    QVERIFY(!view.isFitting());
    QCOMPARE(view.currentImage().size(), QSize(24, 24));
    view.setZoom(1);
    QTest::mouseClick(zoomOut, Qt::LeftButton);
    QCOMPARE(view.zoom(), 0.5);
    QTest::mouseClick(zoomIn, Qt::LeftButton);
    QCOMPARE(view.zoom(), 1.0);
    QTest::mouseClick(fit, Qt::LeftButton);
    QVERIFY(view.isFitting());
    QVERIFY(view.zoom() > 1.0);
}

void tst_SuspectView::layersNeedReconstruction()
{
    SuspectView view;
    auto *reconstructionButton =
        view.findChild<QToolButton *>(QStringLiteral("reconstructionButton"));
    auto *errorButton = view.findChild<QToolButton *>(QStringLiteral("errorButton"));
    QVERIFY(reconstructionButton && errorButton);

    SuspectDetails plain = imageDetails(2, 2, {0.0f, 0.25f, 0.5f, 1.0f});
    view.setDetails(plain);
    QVERIFY(!reconstructionButton->isEnabled());
    QVERIFY(!errorButton->isEnabled());
    QVERIFY(!reconstructionButton->toolTip().isEmpty());
    QVERIFY(!errorButton->toolTip().isEmpty());
    QVERIFY(!view.isLayerAvailable(SuspectView::ImageLayer::Error));

    SuspectDetails withReconstruction = plain;
    withReconstruction.reconstruction = {0.2f, 0.2f, 0.6f, 0.4f};
    view.setDetails(withReconstruction);
    view.setZoom(1);
    QVERIFY(reconstructionButton->isEnabled());
    QVERIFY(errorButton->isEnabled());

    QTest::mouseClick(reconstructionButton, Qt::LeftButton);
    QCOMPARE(view.imageLayer(), SuspectView::ImageLayer::Reconstruction);
    // 0.2 * 255 = 51, 0.6 * 255 = 153, 0.4 * 255 = 102.
    QCOMPARE(grayAt(view.currentImage(), 0, 0), 51);
    QCOMPARE(grayAt(view.currentImage(), 0, 1), 153);
    QCOMPARE(grayAt(view.currentImage(), 1, 1), 102);

    QTest::mouseClick(errorButton, Qt::LeftButton);
    QCOMPARE(view.imageLayer(), SuspectView::ImageLayer::Error);
    QVERIFY(view.findChild<QWidget *>(QStringLiteral("errorLegend"))->isVisibleTo(&view));

    view.setDetails(plain);
    QCOMPARE(view.imageLayer(), SuspectView::ImageLayer::Original);
    QVERIFY(!errorButton->isEnabled());
    QCOMPARE(grayAt(view.currentImage(), 1, 0), 64); // 0.25 * 255 = 63.75

    view.setDetails(withReconstruction);
    QCOMPARE(view.imageLayer(), SuspectView::ImageLayer::Error);
}

void tst_SuspectView::heatmapBrightensWithError()
{
    // Squared errors, left to right: 0, 0.01, 0.09, 0.25, 0.64, 1.
    SuspectDetails details = imageDetails(6, 1, {0.0f, 0.5f, 0.5f, 0.0f, 1.0f, 0.0f});
    details.reconstruction = {0.0f, 0.6f, 0.2f, 0.5f, 0.2f, 1.0f};
    SuspectView view;
    view.setDetails(details);
    view.setZoom(1);
    view.setImageLayer(SuspectView::ImageLayer::Error);
    QCOMPARE(view.imageLayer(), SuspectView::ImageLayer::Error);

    const QImage heatmap = view.currentImage();
    QCOMPARE(heatmap.size(), QSize(6, 1));
    for (int x = 1; x < 6; ++x) {
        QVERIFY2(
            luminance(heatmap.pixel(x, 0)) > luminance(heatmap.pixel(x - 1, 0)),
            qPrintable(QStringLiteral("pixel %1 is not brighter than pixel %2").arg(x).arg(x - 1)));
    }
    // The ends of the map: dark purple for no error, yellow for the largest.
    const QColor none = heatmap.pixelColor(0, 0);
    const QColor largest = heatmap.pixelColor(5, 0);
    QVERIFY(none.blue() > none.green());
    QVERIFY(largest.red() > 200 && largest.green() > 200 && largest.blue() < 100);
    const QSet<QRgb> grays = {qRgb(0, 0, 0), qRgb(255, 255, 255)};
    QVERIFY(!grays.contains(heatmap.pixel(3, 0)));
}

void tst_SuspectView::nonFiniteReconstructionIsReported()
{
    SuspectDetails details = imageDetails(2, 1, {0.5f, 0.5f});
    details.reconstruction = {std::numeric_limits<float>::quiet_NaN(), 0.5f};
    SuspectView view;
    view.setDetails(details);
    view.setZoom(1);
    auto *notice = view.findChild<QLabel *>(QStringLiteral("suspectNotice"));
    QVERIFY(notice);
    QVERIFY(notice->isVisibleTo(&view));
    QVERIFY(notice->text().contains(QLatin1String("not finite")));

    view.setImageLayer(SuspectView::ImageLayer::Error);
    QCOMPARE(view.currentImage().pixelColor(0, 0), QColor(255, 0, 0));
}

void tst_SuspectView::tableShowsFeatureRows()
{
    SuspectView view;
    view.setDetails(tableDetails());
    QVERIFY(view.currentImage().isNull());
    QAbstractItemModel *model = tableModel(view);
    QVERIFY(model);
    QCOMPARE(model->rowCount(), 5);
    QCOMPARE(model->columnCount(), 4);

    // Offered sorted by contribution, largest first.
    const QStringList expectedOrder = {QStringLiteral("C"),
                                       QStringLiteral("A"),
                                       QStringLiteral("E"),
                                       QStringLiteral("B"),
                                       QStringLiteral("D")};
    for (int row = 0; row < 5; ++row)
        QCOMPARE(cellText(model, row, 0), expectedOrder.at(row));

    // Row of A: raw 1234.5678 to 6 significant digits, z 2, contribution 4.
    QCOMPARE(cellText(model, 1, 1), QStringLiteral("1234.57"));
    QCOMPARE(cellText(model, 1, 2), QStringLiteral("2"));
    QCOMPARE(cellText(model, 1, 3), QStringLiteral("4"));
    QCOMPARE(cellText(model, 0, 1), QStringLiteral("-7"));
    QCOMPARE(cellText(model, 0, 2), QStringLiteral("-3"));
    QCOMPARE(cellText(model, 3, 1), QStringLiteral("0.001"));
    QCOMPARE(cellText(model, 4, 3), QStringLiteral("0.0625"));
    // E's raw value is NaN: displayed as n/a, never as "nan".
    QCOMPARE(cellText(model, 2, 1), QStringLiteral("n/a"));

    for (int row = 0; row < 5; ++row) {
        const bool top = row < SuspectView::kHighlightedFeatures;
        for (int column = 0; column < 4; ++column) {
            const QModelIndex index = model->index(row, column);
            const QFont font = index.data(Qt::FontRole).value<QFont>();
            QCOMPARE(font.bold(), top);
            QCOMPARE(index.data(Qt::BackgroundRole).isValid(), top);
        }
    }
}

void tst_SuspectView::tableSortsByColumn()
{
    SuspectView view;
    view.setDetails(tableDetails());
    auto *table = view.findChild<QTableView *>(QStringLiteral("featureTable"));
    QVERIFY(table);
    QVERIFY(table->isSortingEnabled());

    table->sortByColumn(2, Qt::AscendingOrder);
    QCOMPARE(cellText(table->model(), 0, 0), QStringLiteral("C")); // z = -3
    QCOMPARE(cellText(table->model(), 4, 0), QStringLiteral("A")); // z = 2
    table->sortByColumn(1, Qt::DescendingOrder);
    QCOMPARE(cellText(table->model(), 0, 0), QStringLiteral("A")); // 1234.57 > 42
    QCOMPARE(cellText(table->model(), 1, 0), QStringLiteral("D"));
}

void tst_SuspectView::tableWithoutContributions()
{
    SuspectDetails details = tableDetails();
    details.contributions.clear();
    SuspectView view;
    view.setDetails(details);
    auto *table = view.findChild<QTableView *>(QStringLiteral("featureTable"));
    QVERIFY(table);
    QVERIFY(table->isColumnHidden(3));
    QCOMPARE(cellText(table->model(), 0, 0), QStringLiteral("A"));
    QCOMPARE(cellText(table->model(), 4, 0), QStringLiteral("E"));
    for (int row = 0; row < 5; ++row)
        QVERIFY(!table->model()->index(row, 0).data(Qt::FontRole).value<QFont>().bold());
}

void tst_SuspectView::headerShowsRankAndScores()
{
    SuspectView view;
    SuspectDetails details = tableDetails();
    details.verdict = Verdict::Anomaly;
    view.setDetails(details);
    const QString header = view.headerText();
    QVERIFY2(header.contains(QLatin1String("line 43")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("rank 3")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("2.75")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("UAI score n/a")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("anomaly")), qPrintable(header));
    QVERIFY2(!header.contains(QLatin1String("nan"), Qt::CaseInsensitive), qPrintable(header));

    details.rank = 0;
    details.uaiScore = 0.125;
    view.setDetails(details);
    QVERIFY(view.headerText().contains(QLatin1String("not queued")));
    QVERIFY(view.headerText().contains(QLatin1String("0.125")));
}

void tst_SuspectView::headerSplitsForestLayerScore()
{
    SuspectView view;
    SuspectDetails details = tableDetails();
    details.forestLayerScore = 2.5;
    details.forestScore = 1.75;
    view.setDetails(details);
    QString header = view.headerText();
    QVERIFY2(header.contains(QLatin1String("forest layer 2.50 (forest 1.75, verdicts +0.75)")),
             qPrintable(header));
    QVERIFY2(!header.contains(QLatin1String("UAI score")), qPrintable(header));

    // Normal verdicts nearby pull the item below the forest's own score.
    details.forestLayerScore = -0.5;
    view.setDetails(details);
    header = view.headerText();
    QVERIFY2(header.contains(QLatin1String("(forest 1.75, verdicts -2.25)")), qPrintable(header));

    // Anchored on the anomaly score, the first part is the standardised log score.
    details.anchoredOnScore = true;
    view.setDetails(details);
    header = view.headerText();
    QVERIFY2(header.contains(QLatin1String("forest layer -0.50 (log score 1.75, verdicts -2.25)")),
             qPrintable(header));
    details.anchoredOnScore = false;

    // Without the forest's score the parts are unknown, so the header falls back to the UAI
    // score.
    details.forestScore = qQNaN();
    view.setDetails(details);
    QVERIFY2(view.headerText().contains(QLatin1String("UAI score n/a")),
             qPrintable(view.headerText()));
}

void tst_SuspectView::tableRowIsNarrowerThanImageToolbar()
{
    // The image page's toolbar must not set the view's width while a table row is shown, or
    // the window squeezes the queue to let it through.
    SuspectView view;
    view.setDetails(checkerboard());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const int imageWidth = view.minimumSizeHint().width();
    view.setDetails(tableDetails());
    const int tableWidth = view.minimumSizeHint().width();
    QVERIFY2(
        tableWidth < imageWidth,
        qPrintable(QStringLiteral("table %1 px, image %2 px").arg(tableWidth).arg(imageWidth)));
    view.clear();
    QVERIFY(view.minimumSizeHint().width() < imageWidth);
}

void tst_SuspectView::clearShowsPlaceholder()
{
    SuspectView view;
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *placeholder = view.findChild<QLabel *>(QStringLiteral("suspectPlaceholder"));
    QVERIFY(placeholder);
    QVERIFY(placeholder->isVisible());
    QVERIFY(!view.hasDetails());

    view.setDetails(checkerboard());
    QVERIFY(!placeholder->isVisible());
    QVERIFY(!view.currentImage().isNull());

    view.clear();
    QVERIFY(placeholder->isVisible());
    QVERIFY(view.currentImage().isNull());
    QVERIFY(!view.hasDetails());
    QVERIFY(!placeholder->text().isEmpty());
}

void tst_SuspectView::detailsMatchCsvText_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::newRow("yeast, values below 1") << QStringLiteral("yeast.csv");
    QTest::newRow("kddcup, values up to 5e5") << QStringLiteral("kddcup_sub.csv");
    QTest::newRow("shuttle, negative values") << QStringLiteral("shuttle_1v23567.csv");
}

void tst_SuspectView::detailsMatchCsvText()
{
    QFETCH(QString, fileName);
    const QString path = tabularPath(fileName);
    const Result<Dataset> loaded = readCsv(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const Dataset &data = loaded.value();

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QList<QByteArray> lines = file.readAll().split('\n');
    const QList<QByteArray> header = lines.at(0).split(',');
    QCOMPARE(header.at(0), QByteArray("label"));

    for (qsizetype item = 0; item < data.itemCount; ++item) {
        const SuspectDetails details = makeSuspectDetails(data, item);
        // Physical line of the row: the header is line 1, item 0 is line 2.
        const qsizetype lineNumber = item + 2;
        QCOMPARE(details.itemId, QStringLiteral("line %1").arg(lineNumber));
        QVERIFY(!details.isImage);
        const QList<QByteArray> fields = lines.at(lineNumber - 1).split(',');
        QCOMPARE(qsizetype(details.rawValues.size()), qsizetype(fields.size() - 1));
        for (qsizetype j = 1; j < fields.size(); ++j) {
            QCOMPARE(details.featureNames.at(j - 1), QString::fromUtf8(header.at(j)));
            bool ok = false;
            const double expected = fields.at(j).toDouble(&ok);
            QVERIFY(ok);
            const double displayed = details.rawValues[static_cast<size_t>(j - 1)];
            const QString where = QStringLiteral("line %1 field %2: %3 vs %4")
                                      .arg(lineNumber)
                                      .arg(j)
                                      .arg(displayed, 0, 'g', 17)
                                      .arg(expected, 0, 'g', 17);
            // A zero in the file stays exactly zero, with no float residue.
            if (expected == 0.0)
                QVERIFY2(displayed == 0.0, qPrintable(where));
            // Standardised values are stored as float, so the round trip keeps about 7 digits.
            QVERIFY2(std::abs(displayed - expected) <= 1e-5 * std::max(1.0, std::abs(expected)),
                     qPrintable(where));
            const float z = details.standardised[static_cast<size_t>(j - 1)];
            QCOMPARE(details.contributions[static_cast<size_t>(j - 1)], z * z);
        }
    }

    // The table shows the same value, to 6 significant digits.
    SuspectView view;
    view.setDetails(makeSuspectDetails(data, 17));
    QAbstractItemModel *model = tableModel(view);
    QVERIFY(model);
    QCOMPARE(model->rowCount(), int(header.size() - 1));
    const QList<QByteArray> fields = lines.at(18).split(',');
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString name = cellText(model, row, 0);
        const qsizetype column = header.indexOf(name.toUtf8());
        QVERIFY(column > 0);
        const double expected = fields.at(column).toDouble();
        const double displayed = cellText(model, row, 1).toDouble();
        QVERIFY(std::abs(displayed - expected) <= 1e-5 * std::max(1.0, std::abs(expected)));
        if (expected == 0.0)
            QCOMPARE(cellText(model, row, 1), QStringLiteral("0"));
    }
}

void tst_SuspectView::detailsUseReconstruction()
{
    const Result<Dataset> loaded = readCsv(tabularPath(QStringLiteral("yeast.csv")));
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const Dataset &data = loaded.value();
    std::vector<float> reconstruction(static_cast<size_t>(data.featureCount));
    for (size_t j = 0; j < reconstruction.size(); ++j)
        reconstruction[j] = 0.5f * float(j) - 1.0f;

    const SuspectDetails details = makeSuspectDetails(data, 5, reconstruction);
    QCOMPARE(details.reconstruction, reconstruction);
    for (size_t j = 0; j < reconstruction.size(); ++j) {
        const float z = data.features[static_cast<size_t>(5 * data.featureCount) + j];
        QCOMPARE(details.standardised[j], z);
        QCOMPARE(details.contributions[j], (z - reconstruction[j]) * (z - reconstruction[j]));
    }

    const SuspectDetails mismatched = makeSuspectDetails(data, 5, {1.0f, 2.0f});
    QVERIFY(mismatched.reconstruction.empty());
    const SuspectDetails outside = makeSuspectDetails(data, data.itemCount);
    QCOMPARE(outside.item, qsizetype(-1));
}

void tst_SuspectView::detailsOfImageDataset()
{
    Dataset data;
    data.kind = DatasetKind::Images;
    data.itemCount = 2;
    data.featureCount = 6;
    data.imageWidth = 3;
    data.imageHeight = 2;
    data.features = {0, 0, 0, 0, 0, 0, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    data.itemIds = {QStringLiteral("a.png"), QStringLiteral("b.png")};
    for (int i = 0; i < 6; ++i)
        data.featureNames.append(QStringLiteral("%1,%2").arg(i % 3).arg(i / 3));

    const SuspectDetails details = makeSuspectDetails(data, 1);
    QVERIFY(details.isImage);
    QCOMPARE(details.itemId, QStringLiteral("b.png"));
    QCOMPARE(details.width, 3);
    QCOMPARE(details.height, 2);
    QCOMPARE(details.pixels, (std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));

    SuspectView view;
    view.setDetails(details);
    view.setZoom(2);
    QCOMPARE(view.currentImage().size(), QSize(6, 4));
    QCOMPARE(grayAt(view.currentImage(), 5, 3), 153); // 0.6 * 255
}

void tst_SuspectView::verdictKeysReachWindow_data()
{
    QTest::addColumn<bool>("image");
    QTest::addColumn<int>("key");
    QTest::newRow("table, key A") << false << int(Qt::Key_A);
    QTest::newRow("table, key Down") << false << int(Qt::Key_Down);
    QTest::newRow("image, key N") << true << int(Qt::Key_N);
    QTest::newRow("image, key Right") << true << int(Qt::Key_Right);
}

void tst_SuspectView::verdictKeysReachWindow()
{
    QFETCH(bool, image);
    QFETCH(int, key);
    QWidget window;
    auto *view = new SuspectView(&window);
    auto *layout = new QVBoxLayout(&window);
    layout->addWidget(view);
    auto *shortcut = new QShortcut(QKeySequence(key), &window);
    QSignalSpy activated(shortcut, &QShortcut::activated);
    window.resize(500, 400);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));

    if (image) {
        view->setDetails(checkerboard());
        auto *label = view->findChild<QLabel *>(QStringLiteral("suspectImage"));
        QVERIFY(label);
        QTest::mouseClick(label, Qt::LeftButton, {}, label->rect().center());
        auto *button = view->findChild<QToolButton *>(QStringLiteral("zoomInButton"));
        QTest::mouseClick(button, Qt::LeftButton);
    } else {
        view->setDetails(tableDetails());
        auto *table = view->findChild<QTableView *>(QStringLiteral("featureTable"));
        QVERIFY(table);
        const QRect cell = table->visualRect(table->model()->index(1, 1));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseClick(table->horizontalHeader()->viewport(), Qt::LeftButton, {}, QPoint(5, 5));
    }

    QWidget *focus = QApplication::focusWidget();
    QVERIFY(focus != view);
    QVERIFY(!focus || !view->isAncestorOf(focus));
    QTest::keyClick(focus ? focus : &window, Qt::Key(key));
    QCOMPARE(activated.count(), 1);
}

QTEST_MAIN(tst_SuspectView)
#include "tst_suspectview.moc"
