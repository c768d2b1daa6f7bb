#pragma once

#include "verdict.h"

#include <QImage>
#include <QStringList>
#include <QWidget>
#include <QtNumeric>

#include <optional>
#include <vector>

class QAction;
class QButtonGroup;
class QEvent;
class QLabel;
class QScrollArea;
class QSortFilterProxyModel;
class QStackedWidget;
class QStandardItemModel;
class QTableView;
class QToolButton;

namespace uai {

struct Dataset;

/// Everything the suspect view shows about one item, as plain values so that the view never
/// reads the dataset or the model itself.
struct SuspectDetails {
    qsizetype item = -1; ///< Row of the item in the dataset; -1 for none.
    QString itemId;
    int rank = 0;               ///< 1-based position in the queue, 0 when the item is not queued.
    double baseScore = qQNaN(); ///< Anomaly score of the base model; NaN when not scored yet.
    double uaiScore = qQNaN();  ///< Output of the UAI layer; NaN while the layer is not in use.
    /// The forest layer's logit less its bias, which orders the queue when the forest layer
    /// ranks. NaN when it does not rank.
    double forestLayerScore = qQNaN();
    /// The anchor the forest layer starts from: the standardised isolation-forest score, or with
    /// anchoredOnScore the standardised log anomaly score. Its difference to forestLayerScore is
    /// what the verdicts added. NaN when the forest layer does not rank.
    double forestScore = qQNaN();
    /// Whether forestScore is the anomaly score's anchor rather than the forest's score.
    bool anchoredOnScore = false;
    std::optional<Verdict> verdict;

    bool isImage = false;
    int width = 0;                     ///< Images only.
    int height = 0;                    ///< Images only.
    std::vector<float> pixels;         ///< Images only: width x height grayscale values in [0, 1].
    std::vector<float> reconstruction; ///< The model's output for the item; empty when it has none.

    QStringList featureNames; ///< Tables only.
    /// Per feature, in the units of the file, to the precision of the stored float features.
    std::vector<double> rawValues;
    std::vector<float> standardised; ///< Per feature: the detector's input (z for tables).
    /// Per feature share of the anomaly score, such as the squared reconstruction error; may be
    /// empty, in which case the table shows no contribution column.
    std::vector<float> contributions;
};

/// Fills the details of one item from the dataset: id, kind, image size, pixels or feature
/// names, raw and standardised values. Contributions are the squared difference between the
/// standardised value and the reconstruction when one is given (its size must be the feature
/// count), otherwise the squared standardised value, which is the squared deviation from the
/// column mean. Rank, scores and verdict are left for the caller. An item outside the dataset
/// returns details with item -1, which SuspectView::setDetails() shows as no selection.
SuspectDetails makeSuspectDetails(const Dataset &data,
                                  qsizetype item,
                                  const std::vector<float> &reconstruction = {});

/// Shows one item in detail. Images appear as the picture, its reconstruction or an error
/// heatmap, scaled with nearest-neighbour filtering and zoomable. Tables appear as one row per
/// feature with its raw value, z and contribution, and the largest contributors are highlighted.
///
/// The view and all its children take no keyboard focus, so the window's verdict shortcuts
/// (A, N, U, arrows) keep working after the analyst clicks into it.
class SuspectView : public QWidget
{
    Q_OBJECT

public:
    /// Layer that the image area shows.
    enum class ImageLayer { Original, Reconstruction, Error };
    Q_ENUM(ImageLayer)

    explicit SuspectView(QWidget *parent = nullptr);
    ~SuspectView() override;

    /// Shows an item; the zoom mode and the chosen image layer carry over from the last item.
    void setDetails(const SuspectDetails &details);
    /// Shows the placeholder for no selection.
    void clear();

    bool hasDetails() const { return m_hasDetails; }
    const SuspectDetails &details() const { return m_details; }

    /// Returns the image as displayed: the current layer at the current zoom. Null in table
    /// mode and without details.
    QImage currentImage() const { return m_displayedImage; }

    /// Returns the header line: id, rank, scores and verdict.
    QString headerText() const;

    ImageLayer imageLayer() const { return m_shownLayer; }
    /// Returns whether the layer can be shown for the current item; Reconstruction and Error
    /// need a reconstruction.
    bool isLayerAvailable(ImageLayer layer) const;
    /// Returns the magnification of the image, 1 meaning one screen pixel per image pixel.
    double zoom() const { return m_zoom; }
    /// Returns whether the zoom follows the size of the view.
    bool isFitting() const { return m_fitting; }

    /// Actions for a View menu; they carry the standard zoom shortcuts in window context.
    QAction *zoomInAction() const { return m_zoomInAction; }
    QAction *zoomOutAction() const { return m_zoomOutAction; }
    QAction *zoomToFitAction() const { return m_zoomToFitAction; }

    /// Largest and smallest magnification that zoomIn() and zoomOut() reach.
    static constexpr double kMaxZoom = 64.0;
    static constexpr double kMinZoom = 1.0 / 16.0;
    /// How many of the largest contributors the table highlights.
    static constexpr int kHighlightedFeatures = 3;

public Q_SLOTS:
    /// Shows the layer if it is available for the current item; remembers the choice for later
    /// items either way.
    void setImageLayer(uai::SuspectView::ImageLayer layer);
    /// Sets a fixed magnification, clamped to [kMinZoom, kMaxZoom], and leaves fit mode.
    void setZoom(double factor);
    /// Magnifies to the next whole factor (or the next 1/n below 1).
    void zoomIn();
    /// Reduces to the previous whole factor (or the next 1/n below 1).
    void zoomOut();
    /// Scales the image to the largest factor at which all of it is visible, preferring whole
    /// factors, and keeps doing so when the view is resized.
    void zoomToFit();

Q_SIGNALS:
    void zoomChanged(double factor);
    void imageLayerChanged(uai::SuspectView::ImageLayer layer);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    /// Shows one page of the stack and lets only that page set the view's size.
    void showPage(QWidget *page);
    void buildImagePage();
    void buildTablePage();
    void updateHeader();
    void updateLayerButtons();
    void updateImage();
    void updateZoomActions();
    void fillTable();
    double fitZoom() const;
    QImage layerImage(ImageLayer layer) const;

    SuspectDetails m_details;
    bool m_hasDetails = false;
    ImageLayer m_requestedLayer = ImageLayer::Original;
    ImageLayer m_shownLayer = ImageLayer::Original;
    double m_zoom = 1.0;
    bool m_fitting = true;
    float m_maxError = 0.0f;
    QImage m_displayedImage;

    QLabel *m_header = nullptr;
    QLabel *m_notice = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_placeholder = nullptr;
    QWidget *m_imagePage = nullptr;
    QScrollArea *m_scrollArea = nullptr;
    QLabel *m_imageLabel = nullptr;
    QButtonGroup *m_layerButtons = nullptr;
    QToolButton *m_originalButton = nullptr;
    QToolButton *m_reconstructionButton = nullptr;
    QToolButton *m_errorButton = nullptr;
    QWidget *m_legend = nullptr;
    QLabel *m_legendBar = nullptr;
    QLabel *m_legendMax = nullptr;
    QLabel *m_zoomLabel = nullptr;
    QAction *m_zoomInAction = nullptr;
    QAction *m_zoomOutAction = nullptr;
    QAction *m_zoomToFitAction = nullptr;
    QTableView *m_table = nullptr;
    QStandardItemModel *m_tableModel = nullptr;
    QSortFilterProxyModel *m_sortModel = nullptr;
};

} // namespace uai
