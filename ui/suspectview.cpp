#include "suspectview.h"

#include "dataset.h"

#include <QAction>
#include <QButtonGroup>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLoggingCategory>
#include <QPixmap>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

Q_LOGGING_CATEGORY(lcSuspect, "uai.ui.suspect", QtWarningMsg)

namespace uai {

namespace {

enum TableColumn { kNameColumn, kValueColumn, kZColumn, kContributionColumn, kColumnCount };

/// Role holding the number a column sorts by, so that display text can be formatted freely.
constexpr int kSortRole = Qt::UserRole + 1;

/// Colour of error pixels whose reconstruction is not finite; viridis contains no pure red.
const QColor kNonFiniteColour(255, 0, 0);

/// Nine evenly spaced samples of the viridis colour map, from t = 0 to t = 1. Their luminance
/// rises from sample to sample, so a brighter pixel means a larger error.
constexpr std::array<QRgb, 9> kViridis = {0xff440154,
                                          0xff472d7b,
                                          0xff3b528b,
                                          0xff2c728e,
                                          0xff21908c,
                                          0xff27ad81,
                                          0xff5dc863,
                                          0xffaadc32,
                                          0xfffde725};

/// Returns the colour map at t in [0, 1], interpolating linearly between anchors.
QRgb viridis(double t)
{
    t = std::clamp(t, 0.0, 1.0);
    const double position = t * double(kViridis.size() - 1);
    const auto lower = std::min(static_cast<size_t>(position), kViridis.size() - 2);
    const double fraction = position - double(lower);
    const QRgb a = kViridis[lower];
    const QRgb b = kViridis[lower + 1];
    const auto mix = [fraction](int from, int to) {
        return int(std::lround(from + (to - from) * fraction));
    };
    return qRgb(mix(qRed(a), qRed(b)), mix(qGreen(a), qGreen(b)), mix(qBlue(a), qBlue(b)));
}

/// Converts a grayscale value in [0, 1] to 8 bits: v * 255 rounded, clamped; not finite gives 0.
uchar grayLevel(float value)
{
    if (!std::isfinite(value))
        return 0;
    const long level = std::lround(double(value) * 255.0);
    return static_cast<uchar>(std::clamp(level, 0L, 255L));
}

QImage grayImage(const std::vector<float> &values, int width, int height)
{
    QImage image(width, height, QImage::Format_Grayscale8);
    for (int y = 0; y < height; ++y) {
        uchar *line = image.scanLine(y);
        for (int x = 0; x < width; ++x)
            line[x] = grayLevel(values[static_cast<size_t>(y) * width + x]);
    }
    return image;
}

/// Scales with nearest-neighbour sampling: each output pixel copies the input pixel under its
/// centre, so no value between two neighbouring pixels is ever produced.
QImage scaleNearest(const QImage &source, double zoom)
{
    const int width = std::max(1, int(std::lround(source.width() * zoom)));
    const int height = std::max(1, int(std::lround(source.height() * zoom)));
    QImage scaled(width, height, source.format());
    const int bytesPerPixel = source.depth() / 8;

    std::vector<int> sourceX(static_cast<size_t>(width));
    for (int x = 0; x < width; ++x)
        sourceX[static_cast<size_t>(x)] = std::min(source.width() - 1, int((x + 0.5) / zoom));
    for (int y = 0; y < height; ++y) {
        const int sourceY = std::min(source.height() - 1, int((y + 0.5) / zoom));
        const uchar *from = source.constScanLine(sourceY);
        uchar *to = scaled.scanLine(y);
        for (int x = 0; x < width; ++x) {
            std::memcpy(to + static_cast<size_t>(x) * bytesPerPixel,
                        from + static_cast<size_t>(sourceX[static_cast<size_t>(x)]) * bytesPerPixel,
                        static_cast<size_t>(bytesPerPixel));
        }
    }
    return scaled;
}

/// Rounds a raw value rebuilt from a float feature to the precision that float carries, so
/// that a 0 in the file shows as 0 and not as a residue such as -1.8e-10.
double roundToStoredPrecision(double raw, float standardised, double scale, double mean)
{
    const double error = (std::abs(double(standardised)) * std::abs(scale) + std::abs(mean))
                         * double(std::numeric_limits<float>::epsilon());
    if (!std::isfinite(raw) || !std::isfinite(error) || error <= 0.0)
        return raw;
    // The smallest power of ten above the error, so the float residue always rounds away.
    const double quantum = std::pow(10.0, std::ceil(std::log10(error)));
    const double rounded = std::round(raw / quantum) * quantum;
    return rounded == 0.0 ? 0.0 : rounded; // no "-0" in the table
}

QString formatNumber(double value)
{
    if (!std::isfinite(value))
        return SuspectView::tr("n/a");
    return QString::number(value, 'g', 6);
}

/// Formats a logit with two decimals, since its size matters more than its digits. A value that
/// rounds to zero shows as 0.00, not -0.00.
QString formatFixed(double value)
{
    if (!std::isfinite(value))
        return SuspectView::tr("n/a");
    const double rounded = std::round(value * 100.0) / 100.0;
    return QString::number(rounded == 0.0 ? 0.0 : rounded, 'f', 2);
}

QString verdictText(const std::optional<Verdict> &verdict)
{
    if (!verdict)
        return SuspectView::tr("no verdict");
    switch (*verdict) {
    case Verdict::Anomaly:
        return SuspectView::tr("verdict: anomaly");
    case Verdict::Normal:
        return SuspectView::tr("verdict: normal");
    case Verdict::Unsure:
        return SuspectView::tr("verdict: unsure");
    }
    return {};
}

QToolButton *makeLayerButton(const QString &text, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setCheckable(true);
    button->setAutoRaise(true);
    return button;
}

qsizetype countNonFinite(const std::vector<float> &values)
{
    return std::count_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
}

} // namespace

SuspectDetails
makeSuspectDetails(const Dataset &data, qsizetype item, const std::vector<float> &reconstruction)
{
    SuspectDetails details;
    if (item < 0 || item >= data.itemCount) {
        qCWarning(lcSuspect) << "Item" << item << "is outside the dataset of" << data.itemCount
                             << "items; showing no selection";
        return details;
    }

    const auto featureCount = static_cast<size_t>(data.featureCount);
    const auto begin =
        data.features.begin() + static_cast<std::ptrdiff_t>(item * data.featureCount);
    details.item = item;
    details.itemId = data.itemIds.value(item);
    details.isImage = data.kind == DatasetKind::Images;
    details.standardised.assign(begin, begin + static_cast<std::ptrdiff_t>(featureCount));
    if (details.isImage) {
        details.width = data.imageWidth;
        details.height = data.imageHeight;
        details.pixels = details.standardised;
    } else {
        details.featureNames = data.featureNames;
    }
    details.rawValues.resize(featureCount);
    const bool haveScales =
        data.featureScale.size() == featureCount && data.featureMean.size() == featureCount;
    for (size_t j = 0; j < featureCount; ++j) {
        const double raw = data.rawValue(item, qsizetype(j));
        details.rawValues[j] =
            details.isImage || !haveScales
                ? raw
                : roundToStoredPrecision(
                    raw, details.standardised[j], data.featureScale[j], data.featureMean[j]);
    }

    if (!reconstruction.empty() && reconstruction.size() != featureCount) {
        qCWarning(lcSuspect) << "Reconstruction of item" << item << "has" << reconstruction.size()
                             << "values for" << featureCount << "features; ignoring it";
    } else {
        details.reconstruction = reconstruction;
    }
    details.contributions.resize(featureCount);
    for (size_t j = 0; j < featureCount; ++j) {
        const float reference = details.reconstruction.empty() ? 0.0f : details.reconstruction[j];
        const float difference = details.standardised[j] - reference;
        details.contributions[j] = difference * difference;
    }
    return details;
}

SuspectView::SuspectView(QWidget *parent)
    : QWidget(parent)
{
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("suspectHeader"));
    m_header->setWordWrap(true);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    m_header->setFont(headerFont);

    m_notice = new QLabel(this);
    m_notice->setObjectName(QStringLiteral("suspectNotice"));
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_notice->hide();

    m_placeholder = new QLabel(tr("No suspect selected"), this);
    m_placeholder->setObjectName(QStringLiteral("suspectPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setEnabled(false);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_placeholder);
    buildImagePage();
    buildTablePage();
    showPage(m_placeholder);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_notice);
    layout->addWidget(m_pages, 1);

    // The window owns the keyboard: verdict keys and arrows must reach its shortcuts whatever
    // the analyst clicked here.
    setFocusPolicy(Qt::NoFocus);
    const QList<QWidget *> children = findChildren<QWidget *>();
    for (QWidget *child : children)
        child->setFocusPolicy(Qt::NoFocus);

    clear();
}

SuspectView::~SuspectView() = default;

void SuspectView::buildImagePage()
{
    m_imagePage = new QWidget(this);

    m_originalButton = makeLayerButton(tr("Original"), m_imagePage);
    m_originalButton->setObjectName(QStringLiteral("originalButton"));
    m_originalButton->setToolTip(tr("Show the item as read from the data"));
    m_reconstructionButton = makeLayerButton(tr("Reconstruction"), m_imagePage);
    m_reconstructionButton->setObjectName(QStringLiteral("reconstructionButton"));
    m_errorButton = makeLayerButton(tr("Error"), m_imagePage);
    m_errorButton->setObjectName(QStringLiteral("errorButton"));
    m_errorButton->setToolTip(
        tr("Show the squared reconstruction error of each pixel as a heatmap"));
    m_layerButtons = new QButtonGroup(this);
    m_layerButtons->setExclusive(true);
    m_layerButtons->addButton(m_originalButton, int(ImageLayer::Original));
    m_layerButtons->addButton(m_reconstructionButton, int(ImageLayer::Reconstruction));
    m_layerButtons->addButton(m_errorButton, int(ImageLayer::Error));
    connect(m_layerButtons, &QButtonGroup::idClicked, this, [this](int id) {
        setImageLayer(static_cast<ImageLayer>(id));
    });

    m_legend = new QWidget(m_imagePage);
    m_legend->setObjectName(QStringLiteral("errorLegend"));
    m_legendBar = new QLabel(m_legend);
    QImage bar(64, 10, QImage::Format_RGB32);
    for (int x = 0; x < bar.width(); ++x) {
        const QRgb colour = viridis(double(x) / (bar.width() - 1));
        for (int y = 0; y < bar.height(); ++y)
            bar.setPixel(x, y, colour);
    }
    m_legendBar->setPixmap(QPixmap::fromImage(bar));
    m_legendMax = new QLabel(m_legend);
    auto *legendLayout = new QHBoxLayout(m_legend);
    legendLayout->setContentsMargins(0, 0, 0, 0);
    legendLayout->addWidget(new QLabel(QStringLiteral("0"), m_legend));
    legendLayout->addWidget(m_legendBar);
    legendLayout->addWidget(m_legendMax);
    m_legend->setToolTip(tr("Squared error per pixel, from 0 to the largest error in this image"));

    m_zoomInAction = new QAction(tr("Zoom In"), this);
    m_zoomInAction->setShortcut(QKeySequence::ZoomIn);
    m_zoomOutAction = new QAction(tr("Zoom Out"), this);
    m_zoomOutAction->setShortcut(QKeySequence::ZoomOut);
    m_zoomToFitAction = new QAction(tr("Fit to View"), this);
    m_zoomToFitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    m_zoomToFitAction->setCheckable(true);
    // Short button texts leave room for the queue and the charts. The View menu keeps the full
    // names.
    m_zoomInAction->setIconText(QStringLiteral("+"));
    m_zoomOutAction->setIconText(QStringLiteral("\u2212"));
    m_zoomToFitAction->setIconText(tr("Fit"));
    for (QAction *action : {m_zoomInAction, m_zoomOutAction, m_zoomToFitAction}) {
        action->setShortcutContext(Qt::WindowShortcut);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(
            action->text(), action->shortcut().toString(QKeySequence::NativeText)));
        addAction(action);
    }
    connect(m_zoomInAction, &QAction::triggered, this, &SuspectView::zoomIn);
    connect(m_zoomOutAction, &QAction::triggered, this, &SuspectView::zoomOut);
    connect(m_zoomToFitAction, &QAction::triggered, this, &SuspectView::zoomToFit);

    auto *zoomOutButton = new QToolButton(m_imagePage);
    zoomOutButton->setObjectName(QStringLiteral("zoomOutButton"));
    zoomOutButton->setDefaultAction(m_zoomOutAction);
    m_zoomLabel = new QLabel(m_imagePage);
    m_zoomLabel->setObjectName(QStringLiteral("zoomLabel"));
    auto *zoomInButton = new QToolButton(m_imagePage);
    zoomInButton->setObjectName(QStringLiteral("zoomInButton"));
    zoomInButton->setDefaultAction(m_zoomInAction);
    auto *fitButton = new QToolButton(m_imagePage);
    fitButton->setObjectName(QStringLiteral("zoomToFitButton"));
    fitButton->setDefaultAction(m_zoomToFitAction);

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(m_originalButton);
    toolbar->addWidget(m_reconstructionButton);
    toolbar->addWidget(m_errorButton);
    toolbar->addWidget(m_legend);
    toolbar->addStretch(1);
    toolbar->addWidget(zoomOutButton);
    toolbar->addWidget(m_zoomLabel);
    toolbar->addWidget(zoomInButton);
    toolbar->addWidget(fitButton);

    m_imageLabel = new QLabel;
    m_imageLabel->setObjectName(QStringLiteral("suspectImage"));
    m_scrollArea = new QScrollArea(m_imagePage);
    m_scrollArea->setObjectName(QStringLiteral("imageScrollArea"));
    m_scrollArea->setAlignment(Qt::AlignCenter);
    m_scrollArea->setWidgetResizable(false);
    m_scrollArea->setWidget(m_imageLabel);
    m_scrollArea->viewport()->installEventFilter(this);

    auto *layout = new QVBoxLayout(m_imagePage);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    layout->addWidget(m_scrollArea, 1);
    m_pages->addWidget(m_imagePage);
}

void SuspectView::buildTablePage()
{
    m_tableModel = new QStandardItemModel(0, kColumnCount, this);
    m_tableModel->setHorizontalHeaderLabels(
        {tr("Feature"), tr("Value"), tr("z"), tr("Contribution")});
    m_tableModel->horizontalHeaderItem(kValueColumn)->setToolTip(tr("Value in the file's units"));
    m_tableModel->horizontalHeaderItem(kZColumn)->setToolTip(
        tr("Standardised deviation: standard deviations from the column mean"));
    m_tableModel->horizontalHeaderItem(kContributionColumn)
        ->setToolTip(tr("Share of this feature in the anomaly score (squared reconstruction "
                        "error, or squared deviation without a reconstruction)"));

    m_sortModel = new QSortFilterProxyModel(this);
    m_sortModel->setSourceModel(m_tableModel);
    m_sortModel->setSortRole(kSortRole);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("featureTable"));
    m_table->setModel(m_sortModel);
    m_table->setSortingEnabled(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_pages->addWidget(m_table);
}

void SuspectView::setDetails(const SuspectDetails &details)
{
    if (details.item < 0) {
        clear();
        return;
    }
    m_details = details;
    m_hasDetails = true;

    QStringList notices;
    if (m_details.isImage) {
        const size_t pixelCount =
            size_t(std::max(0, m_details.width)) * size_t(std::max(0, m_details.height));
        if (pixelCount == 0 || m_details.pixels.size() != pixelCount) {
            notices.append(tr("The image of %1 has %2 values for %3 x %4 pixels and cannot be "
                              "shown.")
                               .arg(m_details.itemId)
                               .arg(m_details.pixels.size())
                               .arg(m_details.width)
                               .arg(m_details.height));
            m_details.pixels.clear();
            m_details.reconstruction.clear();
        } else if (!m_details.reconstruction.empty()
                   && m_details.reconstruction.size() != pixelCount) {
            notices.append(tr("The reconstruction has %1 values for %2 pixels and is not shown.")
                               .arg(m_details.reconstruction.size())
                               .arg(pixelCount));
            m_details.reconstruction.clear();
        }
        const qsizetype nonFinite = countNonFinite(m_details.reconstruction);
        if (nonFinite > 0) {
            notices.append(tr("%n reconstruction value(s) are not finite; they are shown black in "
                              "the reconstruction and red in the error heatmap.",
                              nullptr,
                              int(nonFinite)));
        }
        m_maxError = 0.0f;
        for (size_t i = 0; i < m_details.reconstruction.size(); ++i) {
            const float difference = m_details.pixels[i] - m_details.reconstruction[i];
            if (std::isfinite(difference))
                m_maxError = std::max(m_maxError, difference * difference);
        }
        m_legendMax->setText(formatNumber(m_maxError));
        showPage(m_imagePage);
        updateLayerButtons();
        updateImage();
    } else {
        m_displayedImage = QImage();
        fillTable();
        showPage(m_table);
    }
    m_notice->setText(notices.join(QLatin1Char(' ')));
    m_notice->setVisible(!notices.isEmpty());
    updateHeader();
}

void SuspectView::clear()
{
    m_details = SuspectDetails();
    m_hasDetails = false;
    m_displayedImage = QImage();
    m_imageLabel->clear();
    m_tableModel->removeRows(0, m_tableModel->rowCount());
    m_notice->hide();
    m_header->clear();
    showPage(m_placeholder);
    updateZoomActions();
}

void SuspectView::showPage(QWidget *page)
{
    // A stacked widget is as wide as its widest page unless the hidden pages ignore their size.
    // Without this, the image toolbar widens the view while a table row is shown.
    for (int i = 0; i < m_pages->count(); ++i) {
        QWidget *widget = m_pages->widget(i);
        const auto policy = widget == page ? QSizePolicy::Preferred : QSizePolicy::Ignored;
        widget->setSizePolicy(policy, policy);
    }
    m_pages->setCurrentWidget(page);
    m_pages->updateGeometry();
}

QString SuspectView::headerText() const
{
    return m_header->text();
}

bool SuspectView::isLayerAvailable(ImageLayer layer) const
{
    if (!m_hasDetails || !m_details.isImage || m_details.pixels.empty())
        return false;
    return layer == ImageLayer::Original || !m_details.reconstruction.empty();
}

void SuspectView::setImageLayer(ImageLayer layer)
{
    m_requestedLayer = layer;
    updateLayerButtons();
    updateImage();
}

void SuspectView::setZoom(double factor)
{
    if (!std::isfinite(factor) || factor <= 0.0)
        return;
    const double previous = m_zoom;
    m_fitting = false;
    m_zoom = std::clamp(factor, kMinZoom, kMaxZoom);
    updateImage();
    if (m_zoom != previous)
        Q_EMIT zoomChanged(m_zoom);
}

void SuspectView::zoomIn()
{
    // Whole factors above 1 and 1/n below keep every image pixel the same size on screen.
    const double next = m_zoom >= 1.0 ? std::floor(m_zoom + 1e-9) + 1.0
                                      : 1.0 / (std::ceil(1.0 / m_zoom - 1e-9) - 1.0);
    setZoom(next);
}

void SuspectView::zoomOut()
{
    const double next = m_zoom > 1.0 + 1e-9 ? std::ceil(m_zoom - 1e-9) - 1.0
                                            : 1.0 / (std::floor(1.0 / m_zoom + 1e-9) + 1.0);
    setZoom(next);
}

void SuspectView::zoomToFit()
{
    m_fitting = true;
    updateImage();
}

bool SuspectView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scrollArea->viewport()) {
        if (event->type() == QEvent::Resize && m_fitting && m_hasDetails && m_details.isImage) {
            updateImage();
        } else if (event->type() == QEvent::Wheel) {
            auto *wheel = static_cast<QWheelEvent *>(event);
            if (wheel->modifiers().testFlag(Qt::ControlModifier)) {
                const int steps = wheel->angleDelta().y();
                if (steps > 0)
                    zoomIn();
                else if (steps < 0)
                    zoomOut();
                wheel->accept();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SuspectView::updateHeader()
{
    const QString rank =
        m_details.rank > 0 ? tr("rank %1 in queue").arg(m_details.rank) : tr("not queued");
    const QString id = m_details.itemId.isEmpty() ? tr("(no id)") : m_details.itemId;
    if (std::isfinite(m_details.forestLayerScore) && std::isfinite(m_details.forestScore)) {
        // The forest layer's logit is its anchor plus what the verdicts added, so the header
        // shows both parts.
        // The sign comes from the rounded text, so a change that rounds to zero reads +0.00.
        QString added = formatFixed(m_details.forestLayerScore - m_details.forestScore);
        if (!added.startsWith(QLatin1Char('-')))
            added.prepend(QLatin1Char('+'));
        const QString format =
            m_details.anchoredOnScore
                ? tr(
                    "%1 · %2 · anomaly score %3 · forest layer %4 (log score %5, verdicts %6) · %7")
                : tr("%1 · %2 · anomaly score %3 · forest layer %4 (forest %5, verdicts %6) · %7");
        m_header->setText(format.arg(id,
                                     rank,
                                     formatNumber(m_details.baseScore),
                                     formatFixed(m_details.forestLayerScore),
                                     formatFixed(m_details.forestScore),
                                     added,
                                     verdictText(m_details.verdict)));
        return;
    }
    m_header->setText(tr("%1 · %2 · anomaly score %3 · UAI score %4 · %5")
                          .arg(id,
                               rank,
                               formatNumber(m_details.baseScore),
                               formatNumber(m_details.uaiScore),
                               verdictText(m_details.verdict)));
}

void SuspectView::updateLayerButtons()
{
    const bool haveReconstruction = isLayerAvailable(ImageLayer::Reconstruction);
    const QString missing = tr("The model has no reconstruction for this item");
    m_reconstructionButton->setEnabled(haveReconstruction);
    m_reconstructionButton->setToolTip(
        haveReconstruction ? tr("Show the model's reconstruction of the item") : missing);
    m_errorButton->setEnabled(haveReconstruction);
    m_errorButton->setToolTip(
        haveReconstruction
            ? tr("Show the squared error per pixel between the item and its reconstruction")
            : missing);

    const ImageLayer previous = m_shownLayer;
    m_shownLayer = isLayerAvailable(m_requestedLayer) ? m_requestedLayer : ImageLayer::Original;
    m_layerButtons->button(int(m_shownLayer))->setChecked(true);
    m_legend->setVisible(m_shownLayer == ImageLayer::Error);
    if (previous != m_shownLayer)
        Q_EMIT imageLayerChanged(m_shownLayer);
}

QImage SuspectView::layerImage(ImageLayer layer) const
{
    const int width = m_details.width;
    const int height = m_details.height;
    if (layer == ImageLayer::Original)
        return grayImage(m_details.pixels, width, height);
    if (layer == ImageLayer::Reconstruction)
        return grayImage(m_details.reconstruction, width, height);

    QImage heatmap(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(heatmap.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const size_t i = static_cast<size_t>(y) * width + x;
            const float difference = m_details.pixels[i] - m_details.reconstruction[i];
            if (!std::isfinite(difference)) {
                line[x] = kNonFiniteColour.rgb();
                continue;
            }
            const double error = double(difference) * difference;
            line[x] = viridis(m_maxError > 0.0f ? error / m_maxError : 0.0);
        }
    }
    return heatmap;
}

double SuspectView::fitZoom() const
{
    const QSize available = m_scrollArea->maximumViewportSize();
    if (m_details.width <= 0 || m_details.height <= 0 || available.isEmpty())
        return 1.0;
    const double factor = std::min(double(available.width()) / m_details.width,
                                   double(available.height()) / m_details.height);
    // Whole factors keep every image pixel the same size; below 1, 1/n does the same for the
    // pixels that are kept.
    const double preferred = factor >= 1.0 ? std::floor(factor) : 1.0 / std::ceil(1.0 / factor);
    return std::clamp(preferred, kMinZoom, kMaxZoom);
}

void SuspectView::updateImage()
{
    if (!m_hasDetails || !m_details.isImage || m_details.pixels.empty()) {
        m_displayedImage = QImage();
        m_imageLabel->clear();
        updateZoomActions();
        return;
    }

    const double previousZoom = m_zoom;
    if (m_fitting)
        m_zoom = fitZoom();
    m_displayedImage = scaleNearest(layerImage(m_shownLayer), m_zoom);
    m_imageLabel->setPixmap(QPixmap::fromImage(m_displayedImage));
    m_imageLabel->resize(m_displayedImage.size());
    updateZoomActions();
    if (previousZoom != m_zoom)
        Q_EMIT zoomChanged(m_zoom);
}

void SuspectView::updateZoomActions()
{
    const bool image = m_hasDetails && m_details.isImage && !m_details.pixels.empty();
    m_zoomInAction->setEnabled(image && m_zoom < kMaxZoom);
    m_zoomOutAction->setEnabled(image && m_zoom > kMinZoom);
    m_zoomToFitAction->setEnabled(image);
    m_zoomToFitAction->setChecked(m_fitting);
    const QString percent = tr("%1%").arg(std::lround(m_zoom * 100.0));
    // The Fit button's checked state shows whether the zoom follows the view size.
    m_zoomLabel->setText(percent);
}

void SuspectView::fillTable()
{
    m_tableModel->removeRows(0, m_tableModel->rowCount());
    const qsizetype rows = m_details.featureNames.size();
    const bool haveContributions = !m_details.contributions.empty();

    // The largest finite, positive contributions are highlighted.
    std::vector<qsizetype> order(static_cast<size_t>(rows));
    std::iota(order.begin(), order.end(), qsizetype(0));
    const auto contributionOf = [this](qsizetype row) {
        const auto index = static_cast<size_t>(row);
        const double value = index < m_details.contributions.size()
                                 ? double(m_details.contributions[index])
                                 : qQNaN();
        return std::isfinite(value) ? value : -std::numeric_limits<double>::infinity();
    };
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return contributionOf(a) > contributionOf(b);
    });
    std::vector<bool> highlighted(static_cast<size_t>(rows), false);
    if (haveContributions) {
        const auto count = std::min<size_t>(order.size(), kHighlightedFeatures);
        for (size_t i = 0; i < count; ++i) {
            if (contributionOf(order[i]) > 0.0)
                highlighted[static_cast<size_t>(order[i])] = true;
        }
    }

    QColor tint = palette().color(QPalette::Highlight);
    tint.setAlpha(60);
    QFont bold = font();
    bold.setBold(true);
    const auto valueAt = [](const auto &values, qsizetype row) {
        const auto index = static_cast<size_t>(row);
        return index < values.size() ? double(values[index]) : qQNaN();
    };

    m_sortModel->setDynamicSortFilter(false);
    for (qsizetype row = 0; row < rows; ++row) {
        const double numbers[] = {valueAt(m_details.rawValues, row),
                                  valueAt(m_details.standardised, row),
                                  valueAt(m_details.contributions, row)};
        QList<QStandardItem *> items;
        auto *name = new QStandardItem(m_details.featureNames.at(row));
        name->setData(m_details.featureNames.at(row), kSortRole);
        items.append(name);
        for (const double number : numbers) {
            auto *item = new QStandardItem(formatNumber(number));
            item->setData(std::isfinite(number) ? number : -std::numeric_limits<double>::infinity(),
                          kSortRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            items.append(item);
        }
        if (highlighted[static_cast<size_t>(row)]) {
            for (QStandardItem *item : std::as_const(items)) {
                item->setFont(bold);
                item->setBackground(tint);
                item->setToolTip(tr("One of the %1 features that contribute most to the "
                                    "anomaly score")
                                     .arg(kHighlightedFeatures));
            }
        }
        m_tableModel->appendRow(items);
    }
    m_sortModel->setDynamicSortFilter(true);

    m_table->setColumnHidden(kContributionColumn, !haveContributions);
    if (haveContributions) {
        m_table->sortByColumn(kContributionColumn, Qt::DescendingOrder);
    } else {
        // File order: no sort indicator and the proxy passes rows through unsorted.
        m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
        m_sortModel->sort(-1);
    }
    m_table->resizeColumnsToContents();
}

} // namespace uai
