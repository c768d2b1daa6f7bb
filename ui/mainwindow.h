#pragma once

#include "settingsjson.h"

#include <QMainWindow>

#include <memory>
#include <vector>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace uai {

class ChartsPanel;
class LabelingSession;
class QueuePanel;
class SuspectView;
struct Dataset;
struct RoundReport;

/// The labeling window: the queue on the left, the current suspect with the verdict buttons in
/// the middle, the charts on the right, and the round, budget, anomalies found and trainer
/// state in the status bar. Verdict keys: A anomaly, N normal, U unsure, arrows to move,
/// Ctrl+Z and Ctrl+Shift+Z to undo and redo.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Starts a new session on a loaded dataset; the session file goes to sessionPath, or to
    /// the application's data folder when it is empty. Shows a dialog and returns false on
    /// failure; the window stays usable.
    bool startSession(std::shared_ptr<const Dataset> dataset,
                      const QString &dataSpec,
                      const SessionSettings &settings,
                      const QString &sessionPath = {});
    /// Loads data from a spec and starts a session on it, with a dialog on failure.
    bool openDataSpec(const QString &dataSpec, const SessionSettings &settings);
    /// Reopens a session file, with a dialog on failure.
    bool openSession(const QString &sessionPath);

    LabelingSession *session() const { return m_session.get(); }
    SuspectView *suspectView() const { return m_suspectView; }
    QueuePanel *queuePanel() const { return m_queuePanel; }
    ChartsPanel *chartsPanel() const { return m_chartsPanel; }
    /// Turns demo mode on or off. While on, a timer gives the ground truth as the verdict on each
    /// suspect of a full ranking, and waits while the queue comes from a preliminary or previous
    /// ranking.
    void setDemoMode(bool on);
    void setDemoPace(int verdictsPerSecond);

    /// Returns the folder for new session files when no path is given.
    static QString defaultSessionFolder();

Q_SIGNALS:
    /// A session became the window's session. Emitted before the window and its panels connect
    /// to it, so a receiver that connects to the session's signals here is called before them.
    void sessionAttached(uai::LabelingSession *session);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createCentralWidgets();
    void createStatusBar();
    void attachSession(std::unique_ptr<LabelingSession> session);
    /// Disconnects and closes the session, stopping its trainer.
    void detachSession();
    void showCurrentSuspect();
    void updateStatus();
    static QString
    rankingText(const RoundReport *report, const LoopSettings &settings, const Dataset &dataset);
    void updateActions();
    void onVerdictTriggered(int verdict);
    void onOpenDataTriggered();
    void onOpenSessionTriggered();
    void onExportVerdictsTriggered();
    void onExportChartTriggered(bool latent, bool svg);
    void onBudgetTriggered();
    void onDemoTick();
    void addRecent(const QString &entry);
    void rebuildRecentMenu();
    void openPath(const QString &path);
    void showError(const QString &title, const QString &message);

    std::unique_ptr<LabelingSession> m_session;
    QueuePanel *m_queuePanel = nullptr;
    SuspectView *m_suspectView = nullptr;
    ChartsPanel *m_chartsPanel = nullptr;
    QLabel *m_suspectNotice = nullptr;

    QAction *m_openDataAction = nullptr;
    QAction *m_openSessionAction = nullptr;
    QAction *m_exportVerdictsAction = nullptr;
    QAction *m_exportLatentPngAction = nullptr;
    QAction *m_exportLatentSvgAction = nullptr;
    QAction *m_exportCurvePngAction = nullptr;
    QAction *m_exportCurveSvgAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_anomalyAction = nullptr;
    QAction *m_normalAction = nullptr;
    QAction *m_unsureAction = nullptr;
    QAction *m_nextAction = nullptr;
    QAction *m_previousAction = nullptr;
    QAction *m_budgetAction = nullptr;
    QAction *m_stopTrainingAction = nullptr;
    QAction *m_demoAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QSpinBox *m_demoPace = nullptr;
    QTimer *m_demoTimer = nullptr;

    QLabel *m_roundLabel = nullptr;
    QLabel *m_rankingLabel = nullptr;
    QLabel *m_budgetLabel = nullptr;
    QLabel *m_foundLabel = nullptr;
    QLabel *m_trainerLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;

    std::vector<float> m_reconstruction; ///< Of m_reconstructedItem, from the trainer.
    qsizetype m_reconstructedItem = -1;
};

} // namespace uai
