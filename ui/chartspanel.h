#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTabWidget;
class QTimer;

namespace uai {

class DiscoveryChartView;
class LabelingSession;
class LatentChartView;

/// The charts beside the suspect: latent value against anomaly score for any kept round (a
/// slider scrubs back through them) and the discovery curve. Charts are redrawn shortly after
/// the analyst pauses, never inside a verdict key press.
class ChartsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ChartsPanel(QWidget *parent = nullptr);

    void setSession(LabelingSession *session);
    LatentChartView *latentChart() const { return m_latent; }
    DiscoveryChartView *discoveryChart() const { return m_discovery; }
    QSlider *roundSlider() const { return m_roundSlider; }
    QComboBox *axisBox() const { return m_axisBox; }

    /// Redraws both charts now instead of after the pause.
    void refreshNow();

Q_SIGNALS:
    /// The analyst clicked the point of an item.
    void itemActivated(qsizetype item);

private:
    void scheduleRefresh();
    void refreshLatent();
    void refreshDiscovery();
    void updateSlider();
    void updateAxisChoices();

    LabelingSession *m_session = nullptr;
    QTabWidget *m_tabs = nullptr;
    LatentChartView *m_latent = nullptr;
    DiscoveryChartView *m_discovery = nullptr;
    QComboBox *m_axisBox = nullptr;
    QCheckBox *m_logScale = nullptr;
    QSlider *m_roundSlider = nullptr;
    QLabel *m_roundLabel = nullptr;
    QLabel *m_notice = nullptr;
    QTimer *m_refreshTimer = nullptr;
};

} // namespace uai
