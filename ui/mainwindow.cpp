#include "mainwindow.h"

#include "activeloop.h"
#include "chartspanel.h"
#include "datasource.h"
#include "discoverychartview.h"
#include "importdialog.h"
#include "labelingsession.h"
#include "latentchartview.h"
#include "queuepanel.h"
#include "sessionstore.h"
#include "suspectview.h"
#include "torchruntime.h"
#include "trainercontroller.h"
#include "trainerworker.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcWindow, "uai.ui.window", QtWarningMsg)

namespace uai {

namespace {

constexpr int kMaxRecent = 10;
constexpr QSize kMinimumExportSize(900, 600);
const QLatin1String kRecentKey("recent");
const QLatin1String kLastSessionKey("lastSession");
const QLatin1String kGeometryKey("windowGeometry");
const QLatin1String kStateKey("windowState");

QString sessionSuffix()
{
    return QLatin1String(kSessionSuffix);
}

bool isSessionPath(const QString &path)
{
    return path.endsWith(QLatin1Char('.') + sessionSuffix(), Qt::CaseInsensitive);
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_demoTimer(new QTimer(this))
{
    setWindowTitle(tr("UAI Studio"));
    setAcceptDrops(true);
    createActions();
    createCentralWidgets();
    createMenus();
    createStatusBar();
    connect(m_demoTimer, &QTimer::timeout, this, &MainWindow::onDemoTick);

    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1400, 860);
    restoreState(settings.value(kStateKey).toByteArray());
    rebuildRecentMenu();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow()
{
    detachSession();
}

void MainWindow::detachSession()
{
    setDemoMode(false);
    m_queuePanel->setSession(nullptr);
    m_chartsPanel->setSession(nullptr);
    if (m_session) {
        disconnect(m_session.get(), nullptr, this, nullptr);
        disconnect(m_session->undoStack(), nullptr, this, nullptr);
        disconnect(m_session->trainer(), nullptr, this, nullptr);
    }
    // Stops the trainer between two steps and joins its thread.
    m_session.reset();
    m_suspectView->clear();
    updateStatus();
    updateActions();
}

QString MainWindow::defaultSessionFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/sessions");
}

void MainWindow::createActions()
{
    m_openDataAction = new QAction(tr("&Open Data..."), this);
    m_openDataAction->setShortcut(QKeySequence::Open);
    m_openDataAction->setStatusTip(tr("Open a CSV table, an IDX image file or an image folder"));
    connect(m_openDataAction, &QAction::triggered, this, &MainWindow::onOpenDataTriggered);

    m_openSessionAction = new QAction(tr("Open &Session..."), this);
    m_openSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openSessionAction, &QAction::triggered, this, &MainWindow::onOpenSessionTriggered);

    m_exportVerdictsAction = new QAction(tr("Export &Verdicts as CSV..."), this);
    connect(
        m_exportVerdictsAction, &QAction::triggered, this, &MainWindow::onExportVerdictsTriggered);
    m_exportLatentPngAction = new QAction(tr("Export Latent Chart as PNG..."), this);
    connect(m_exportLatentPngAction, &QAction::triggered, this, [this] {
        onExportChartTriggered(true, false);
    });
    m_exportLatentSvgAction = new QAction(tr("Export Latent Chart as SVG..."), this);
    connect(m_exportLatentSvgAction, &QAction::triggered, this, [this] {
        onExportChartTriggered(true, true);
    });
    m_exportCurvePngAction = new QAction(tr("Export Discovery Curve as PNG..."), this);
    connect(m_exportCurvePngAction, &QAction::triggered, this, [this] {
        onExportChartTriggered(false, false);
    });
    m_exportCurveSvgAction = new QAction(tr("Export Discovery Curve as SVG..."), this);
    connect(m_exportCurveSvgAction, &QAction::triggered, this, [this] {
        onExportChartTriggered(false, true);
    });

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_undoAction = new QAction(tr("&Undo Verdict"), this);
    m_undoAction->setIconText(tr("Undo"));
    m_undoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    m_redoAction = new QAction(tr("&Redo Verdict"), this);
    m_redoAction->setIconText(tr("Redo"));
    m_redoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    connect(m_undoAction, &QAction::triggered, this, [this] {
        if (m_session)
            m_session->undoStack()->undo();
    });
    connect(m_redoAction, &QAction::triggered, this, [this] {
        if (m_session)
            m_session->undoStack()->redo();
    });

    m_anomalyAction = new QAction(tr("&Anomaly"), this);
    m_anomalyAction->setShortcut(QKeySequence(Qt::Key_A));
    m_normalAction = new QAction(tr("&Normal"), this);
    m_normalAction->setShortcut(QKeySequence(Qt::Key_N));
    m_unsureAction = new QAction(tr("&Unsure"), this);
    m_unsureAction->setShortcut(QKeySequence(Qt::Key_U));
    const std::pair<QAction *, Verdict> verdictActions[] = {{m_anomalyAction, Verdict::Anomaly},
                                                            {m_normalAction, Verdict::Normal},
                                                            {m_unsureAction, Verdict::Unsure}};
    for (const auto &[action, verdict] : verdictActions) {
        const int value = int(verdict);
        const QString label = QStringLiteral("%1 (%2)").arg(action->text().remove(QLatin1Char('&')),
                                                            action->shortcut().toString());
        action->setToolTip(label);
        action->setIconText(label);
        connect(action, &QAction::triggered, this, [this, value] { onVerdictTriggered(value); });
    }
    m_unsureAction->setStatusTip(tr("No verdict: the item leaves the queue without training"));

    m_nextAction = new QAction(tr("Next Suspect"), this);
    m_nextAction->setIconText(tr("Next"));
    m_nextAction->setShortcuts({QKeySequence(Qt::Key_Down), QKeySequence(Qt::Key_Right)});
    connect(m_nextAction, &QAction::triggered, this, [this] {
        if (m_session)
            m_session->moveSelection(1);
    });
    m_previousAction = new QAction(tr("Previous Suspect"), this);
    m_previousAction->setIconText(tr("Previous"));
    m_previousAction->setShortcuts({QKeySequence(Qt::Key_Up), QKeySequence(Qt::Key_Left)});
    connect(m_previousAction, &QAction::triggered, this, [this] {
        if (m_session)
            m_session->moveSelection(-1);
    });

    m_budgetAction = new QAction(tr("Set &Budget..."), this);
    connect(m_budgetAction, &QAction::triggered, this, &MainWindow::onBudgetTriggered);
    m_stopTrainingAction = new QAction(tr("&Stop Training"), this);
    m_stopTrainingAction->setStatusTip(tr("Interrupt pretraining or the running round"));
    connect(m_stopTrainingAction, &QAction::triggered, this, [this] {
        if (m_session)
            m_session->trainer()->requestStop();
    });
    m_demoAction = new QAction(tr("&Demo Mode"), this);
    m_demoAction->setCheckable(true);
    m_demoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_demoAction->setStatusTip(tr("A simulated analyst answers from the ground truth"));
    connect(m_demoAction, &QAction::toggled, this, &MainWindow::setDemoMode);

    for (QAction *action : {m_anomalyAction,
                            m_normalAction,
                            m_unsureAction,
                            m_nextAction,
                            m_previousAction,
                            m_undoAction,
                            m_redoAction}) {
        addAction(action);
    }
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openDataAction);
    QAction *openFolder = file->addAction(tr("Open Image &Folder..."));
    connect(openFolder, &QAction::triggered, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Image Folder"));
        if (!folder.isEmpty())
            openPath(folder);
    });
    file->addAction(m_openSessionAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(m_exportVerdictsAction);
    file->addAction(m_exportLatentPngAction);
    file->addAction(m_exportLatentSvgAction);
    file->addAction(m_exportCurvePngAction);
    file->addAction(m_exportCurveSvgAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);

    QMenu *verdict = menuBar()->addMenu(tr("&Verdict"));
    verdict->addAction(m_anomalyAction);
    verdict->addAction(m_normalAction);
    verdict->addAction(m_unsureAction);
    verdict->addSeparator();
    verdict->addAction(m_nextAction);
    verdict->addAction(m_previousAction);

    QMenu *view = menuBar()->addMenu(tr("V&iew"));
    view->addAction(m_suspectView->zoomInAction());
    view->addAction(m_suspectView->zoomOutAction());
    view->addAction(m_suspectView->zoomToFitAction());

    QMenu *training = menuBar()->addMenu(tr("&Training"));
    training->addAction(m_budgetAction);
    training->addAction(m_stopTrainingAction);
    training->addSeparator();
    training->addAction(m_demoAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"));
    connect(keys, &QAction::triggered, this, [this] {
        QMessageBox::information(this,
                                 tr("Keyboard Shortcuts"),
                                 tr("A  anomaly\nN  normal\nU  unsure (leaves the queue, no "
                                    "training)\nDown / Right  next suspect\nUp / Left  previous "
                                    "suspect\nCtrl+Z  undo verdict\nCtrl+Shift+Z  redo verdict\n"
                                    "Ctrl+D  demo mode\nCtrl+wheel  zoom the image"));
    });
    QAction *about = help->addAction(tr("&About UAI Studio"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(
            this,
            tr("About UAI Studio"),
            tr("UAI Studio %1\nActive anomaly detection with a UAI layer on a deep "
               "unsupervised detector.\n%2")
                .arg(QCoreApplication::applicationVersion(), describeTorchRuntime()));
    });
}

void MainWindow::createCentralWidgets()
{
    m_queuePanel = new QueuePanel(this);
    m_suspectView = new SuspectView(this);
    m_chartsPanel = new ChartsPanel(this);
    m_suspectNotice = new QLabel(this);
    m_suspectNotice->setWordWrap(true);

    // A plain row of buttons, so that no verdict button ever hides in an overflow menu.
    auto *verdictBar = new QWidget(this);
    auto *verdictLayout = new QHBoxLayout(verdictBar);
    verdictLayout->setContentsMargins(0, 0, 0, 0);
    for (QAction *action : {m_anomalyAction, m_normalAction, m_unsureAction}) {
        auto *button = new QToolButton(verdictBar);
        button->setDefaultAction(action);
        button->setFocusPolicy(Qt::NoFocus);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        button->setMinimumHeight(32);
        verdictLayout->addWidget(button, 2);
    }
    for (QAction *action : {m_previousAction, m_nextAction, m_undoAction, m_redoAction}) {
        auto *button = new QToolButton(verdictBar);
        button->setDefaultAction(action);
        button->setFocusPolicy(Qt::NoFocus);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        verdictLayout->addWidget(button, 1);
    }

    auto *middle = new QWidget(this);
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    middleLayout->addWidget(m_suspectView, 1);
    middleLayout->addWidget(m_suspectNotice);
    middleLayout->addWidget(verdictBar);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_queuePanel);
    splitter->addWidget(middle);
    splitter->addWidget(m_chartsPanel);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 4);
    // The queue's initial width fits ids such as "index 5550" beside its four other columns.
    splitter->setSizes({320, 550, 530});
    setCentralWidget(splitter);

    auto *demoBar = addToolBar(tr("Demo"));
    demoBar->setObjectName(QStringLiteral("demoToolBar"));
    demoBar->addAction(m_demoAction);
    m_demoPace = new QSpinBox(demoBar);
    m_demoPace->setRange(1, 50);
    m_demoPace->setValue(5);
    m_demoPace->setSuffix(tr(" verdicts/s"));
    m_demoPace->setFocusPolicy(Qt::ClickFocus);
    m_demoPace->setToolTip(tr("Pace of the simulated analyst in demo mode"));
    demoBar->addWidget(m_demoPace);
    connect(m_demoPace, &QSpinBox::valueChanged, this, &MainWindow::setDemoPace);

    connect(m_chartsPanel, &ChartsPanel::itemActivated, this, [this](qsizetype item) {
        if (m_session)
            m_session->selectItem(item);
    });
}

void MainWindow::createStatusBar()
{
    m_roundLabel = new QLabel(this);
    m_rankingLabel = new QLabel(this);
    m_rankingLabel->setObjectName(QStringLiteral("rankingLabel"));
    m_rankingLabel->setToolTip(tr("What ranked the current queue"));
    m_budgetLabel = new QLabel(this);
    m_foundLabel = new QLabel(this);
    m_trainerLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setFocusPolicy(Qt::NoFocus);
    m_cancelButton->setToolTip(tr("Stop pretraining; the session keeps its verdicts"));
    connect(m_cancelButton, &QPushButton::clicked, m_stopTrainingAction, &QAction::trigger);
    statusBar()->addWidget(m_roundLabel);
    statusBar()->addWidget(m_rankingLabel);
    statusBar()->addWidget(m_budgetLabel);
    statusBar()->addWidget(m_foundLabel);
    statusBar()->addPermanentWidget(m_trainerLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
}

bool MainWindow::startSession(std::shared_ptr<const Dataset> dataset,
                              const QString &dataSpec,
                              const SessionSettings &settings,
                              const QString &sessionPath)
{
    QString path = sessionPath;
    if (path.isEmpty()) {
        const QString folder = defaultSessionFolder();
        QDir().mkpath(folder);
        QString stem = dataset->name;
        stem.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
        path = QStringLiteral("%1/%2-%3.%4")
                   .arg(folder,
                        stem,
                        QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                        sessionSuffix());
    }
    auto started = LabelingSession::start(std::move(dataset), dataSpec, settings, path);
    if (!started.ok()) {
        showError(tr("Session Not Started"), started.error());
        return false;
    }
    attachSession(std::move(started).value());
    addRecent(dataSpec);
    return true;
}

bool MainWindow::openDataSpec(const QString &dataSpec, const SessionSettings &settings)
{
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto loaded = loadDataSource(dataSpec, settings.source);
    QApplication::restoreOverrideCursor();
    if (!loaded.ok()) {
        showError(tr("Dataset Not Loaded"), loaded.error());
        return false;
    }
    return startSession(
        std::make_shared<const Dataset>(std::move(loaded).value()), dataSpec, settings);
}

bool MainWindow::openSession(const QString &sessionPath)
{
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto resumed = LabelingSession::resume(sessionPath);
    QApplication::restoreOverrideCursor();
    if (!resumed.ok()) {
        showError(tr("Session Not Opened"), resumed.error());
        return false;
    }
    attachSession(std::move(resumed).value());
    addRecent(sessionPath);
    return true;
}

void MainWindow::attachSession(std::unique_ptr<LabelingSession> session)
{
    detachSession();
    m_session = std::move(session);
    m_reconstructedItem = -1;
    m_reconstruction.clear();
    LabelingSession *s = m_session.get();
    QSettings().setValue(kLastSessionKey, s->sessionPath());
    Q_EMIT sessionAttached(s);

    m_queuePanel->setSession(s);
    m_chartsPanel->setSession(s);
    connect(s, &LabelingSession::currentItemChanged, this, &MainWindow::showCurrentSuspect);
    connect(s, &LabelingSession::verdictRecorded, this, [this](qsizetype item) {
        if (item == m_session->currentItem())
            showCurrentSuspect();
        updateStatus();
    });
    connect(s, &LabelingSession::rankingChanged, this, [this] {
        updateStatus();
        showCurrentSuspect();
    });
    connect(s, &LabelingSession::budgetExhausted, this, [this] {
        setDemoMode(false);
        updateStatus();
    });
    connect(s, &LabelingSession::poolExhausted, this, [this] {
        setDemoMode(false);
        updateStatus();
    });
    connect(s, &LabelingSession::errorOccurred, this, &MainWindow::showError);
    TrainerController *trainer = s->trainer();
    connect(trainer, &TrainerController::stateChanged, this, [this] {
        updateStatus();
        updateActions();
        if (!m_session->latestReport())
            showCurrentSuspect();
    });
    connect(trainer, &TrainerController::progressChanged, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
    connect(trainer,
            &TrainerController::reconstructionReady,
            this,
            [this](const std::vector<qsizetype> &items, const std::vector<float> &values) {
                if (items.size() != 1 || !m_session || items.front() != m_session->currentItem())
                    return;
                m_reconstructedItem = items.front();
                m_reconstruction = values;
                showCurrentSuspect();
            });
    connect(s->undoStack(), &QUndoStack::canUndoChanged, this, &MainWindow::updateActions);
    connect(s->undoStack(), &QUndoStack::canRedoChanged, this, &MainWindow::updateActions);

    setWindowTitle(tr("%1 - UAI Studio").arg(s->dataset().name));
    showCurrentSuspect();
    updateStatus();
    updateActions();
}

void MainWindow::showCurrentSuspect()
{
    if (!m_session || m_session->currentItem() < 0) {
        m_suspectView->clear();
        if (!m_session)
            m_suspectNotice->setText(tr("Open a dataset or a session to start."));
        else if (!m_session->latestReport()
                 && m_session->trainer()->state() == TrainerController::State::Stopped)
            m_suspectNotice->setText(tr("Pretraining was cancelled, so there are no suspects. "
                                        "Open the data again to retrain, or open other data."));
        else if (!m_session->latestReport())
            m_suspectNotice->setText(tr("The detector is being trained; the first suspects "
                                        "appear when it is ready."));
        else if (m_session->budgetSpent())
            m_suspectNotice->setText(tr("The budget of %1 verdicts is spent. Raise it with "
                                        "Training > Set Budget to go on.")
                                         .arg(m_session->budget()));
        else
            m_suspectNotice->setText(tr("Every item has a verdict."));
        return;
    }
    const qsizetype item = m_session->currentItem();
    const bool autoencoder = m_session->settings().loop.model == ModelKind::Autoencoder;
    if (autoencoder && item != m_reconstructedItem)
        m_session->trainer()->requestReconstruction({item});
    const std::vector<float> none;
    SuspectDetails details = makeSuspectDetails(
        m_session->dataset(), item, item == m_reconstructedItem ? m_reconstruction : none);
    const int row = m_queuePanel->rowOfItem(item);
    details.rank = row >= 0 ? m_session->queue()[size_t(row)].rank : 0;
    if (const auto report = m_session->latestReport()) {
        details.baseScore = report->baseScore[size_t(item)];
        if (report->rankedByUai)
            details.uaiScore = report->uaiScore(item);
        const std::vector<float> &anchor = m_session->forestLayerAnchor();
        if (!anchor.empty()) {
            details.forestLayerScore = report->baseRankingKey[size_t(item)];
            details.forestScore = anchor[size_t(item)];
            details.anchoredOnScore =
                m_session->settings().loop.resolvedBaseRanking(m_session->dataset())
                == BaseRanking::ScoreForestLayer;
        }
    }
    details.verdict = m_session->verdictFor(item);
    m_suspectView->setDetails(details);
    const bool provisional = row >= 0 && m_session->queue()[size_t(row)].provisional;
    const auto latest = m_session->latestReport();
    if (latest && latest->preliminary) {
        m_suspectNotice->setText(tr("Preliminary ranking after %1 pretraining steps; the full "
                                    "ranking replaces it when pretraining ends.")
                                     .arg(TrainerWorker::kPreliminaryRankingSteps));
    } else if (provisional) {
        m_suspectNotice->setText(
            tr("From the previous ranking while round %1 trains.").arg(m_session->round() + 1));
    } else {
        m_suspectNotice->clear();
    }
}

/// Returns "Queue by ..." naming what ranked the report's queue, or an empty string before the
/// first ranking.
QString MainWindow::rankingText(const RoundReport *report,
                                const LoopSettings &settings,
                                const Dataset &dataset)
{
    if (!report)
        return QString();
    if (report->rankedByUai)
        return tr("Queue by the UAI layer");
    switch (settings.resolvedBaseRanking(dataset)) {
    case BaseRanking::Automatic:
    case BaseRanking::AnomalyScore:
        break;
    case BaseRanking::IsolationForest:
        return tr("Queue by the isolation forest");
    case BaseRanking::Mixed:
    case BaseRanking::Interleaved:
    case BaseRanking::Adaptive:
        return tr("Queue by the anomaly score and the isolation forest");
    case BaseRanking::ForestLayer:
        return tr("Queue by the forest layer");
    case BaseRanking::ScoreForestLayer:
        return tr("Queue by the forest layer on the anomaly score");
    }
    return tr("Queue by the anomaly score");
}

void MainWindow::updateStatus()
{
    if (!m_session) {
        m_roundLabel->setText(tr("No session"));
        m_rankingLabel->clear();
        m_budgetLabel->clear();
        m_foundLabel->clear();
        m_trainerLabel->clear();
        m_progress->hide();
        m_cancelButton->hide();
        return;
    }
    const TrainerController *trainer = m_session->trainer();
    m_roundLabel->setText(tr("Round %1").arg(m_session->round()));
    m_rankingLabel->setText(rankingText(
        m_session->latestReport().get(), m_session->settings().loop, m_session->dataset()));
    m_budgetLabel->setText(
        tr("%1 of %2 verdicts").arg(m_session->verdictsSpent()).arg(m_session->budget()));
    QString found = tr("%1 anomalies found").arg(m_session->anomalyVerdicts());
    if (m_session->dataset().hasTruth())
        found += tr(" (%1 in the data)").arg(m_session->dataset().anomalyCount());
    m_foundLabel->setText(found);
    m_trainerLabel->setText(tr("Trainer: %1").arg(trainer->stateText()));
    const bool busy = trainer->isBusy();
    m_progress->setVisible(busy);
    QString pretraining = tr("pretraining %v of %m steps");
    if (const int folds = ActiveLoop::crossFitFolds(m_session->dataset().itemCount); folds > 0) {
        // Small tables train one network per cross-fitting fold after the main one.
        pretraining =
            tr("pretraining %v of %m steps, %1 networks for cross-fitted scores").arg(folds + 1);
    }
    m_progress->setFormat(trainer->state() == TrainerController::State::Pretraining ? pretraining
                                                                                    : tr("%p%"));
    m_cancelButton->setVisible(trainer->state() == TrainerController::State::Pretraining);
}

void MainWindow::updateActions()
{
    const bool open = m_session != nullptr;
    for (QAction *action : {m_exportVerdictsAction,
                            m_exportLatentPngAction,
                            m_exportLatentSvgAction,
                            m_exportCurvePngAction,
                            m_exportCurveSvgAction,
                            m_budgetAction,
                            m_anomalyAction,
                            m_normalAction,
                            m_unsureAction,
                            m_nextAction,
                            m_previousAction}) {
        action->setEnabled(open);
    }
    m_undoAction->setEnabled(open && m_session->undoStack()->canUndo());
    m_redoAction->setEnabled(open && m_session->undoStack()->canRedo());
    m_stopTrainingAction->setEnabled(open && m_session->trainer()->isBusy());
    m_demoAction->setEnabled(open && m_session->dataset().hasTruth());
}

void MainWindow::onVerdictTriggered(int verdict)
{
    if (m_session)
        m_session->submitVerdict(static_cast<Verdict>(verdict));
}

void MainWindow::onOpenDataTriggered()
{
    const QString path = QFileDialog::getOpenFileName(this,
                                                      tr("Open Data"),
                                                      QString(),
                                                      tr("Data files (*.csv *.tsv *.txt *.idx "
                                                         "*.gz *-ubyte);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::onOpenSessionTriggered()
{
    const QString path = QFileDialog::getOpenFileName(
        this,
        tr("Open Session"),
        defaultSessionFolder(),
        tr("UAI Studio sessions (*.%1);;All files (*)").arg(sessionSuffix()));
    if (!path.isEmpty())
        openSession(path);
}

void MainWindow::openPath(const QString &path)
{
    if (isSessionPath(path)) {
        openSession(path);
        return;
    }
    ImportDialog dialog(path, this);
    if (dialog.exec() != QDialog::Accepted || !dialog.dataset())
        return;
    SessionSettings settings;
    settings.loop = dialog.settings();
    settings.budget = dialog.budget();
    settings.source = dialog.sourceOptions();
    startSession(dialog.dataset(), dialog.dataSpec(), settings);
}

void MainWindow::onExportVerdictsTriggered()
{
    if (!m_session)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Verdicts"), QStringLiteral("verdicts.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (const Status exported = m_session->exportVerdicts(path); !exported.ok())
        showError(tr("Verdicts Not Exported"), exported.error());
}

void MainWindow::onExportChartTriggered(bool latent, bool svg)
{
    if (!m_session)
        return;
    m_chartsPanel->refreshNow();
    const QString suffix = svg ? QStringLiteral("svg") : QStringLiteral("png");
    const QString name =
        (latent ? QStringLiteral("latent-chart.") : QStringLiteral("discovery-curve.")) + suffix;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Chart"), name, svg ? tr("SVG files (*.svg)") : tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    bool written = false;
    // A chart in a hidden tab may be tiny; exports get at least a readable size.
    QWidget *chart = latent ? static_cast<QWidget *>(m_chartsPanel->latentChart())
                            : static_cast<QWidget *>(m_chartsPanel->discoveryChart());
    const QSize size = chart->size().expandedTo(kMinimumExportSize);
    if (latent)
        written = svg ? m_chartsPanel->latentChart()->exportSvg(path, &error, size)
                      : m_chartsPanel->latentChart()->exportPng(path, &error, size);
    else
        written = svg ? m_chartsPanel->discoveryChart()->exportSvg(path, &error, size)
                      : m_chartsPanel->discoveryChart()->exportPng(path, &error, size);
    if (!written)
        showError(tr("Chart Not Exported"), error);
}

void MainWindow::onBudgetTriggered()
{
    if (!m_session)
        return;
    bool ok = false;
    const int budget = QInputDialog::getInt(this,
                                            tr("Set Budget"),
                                            tr("Verdicts to spend in this session (at least the "
                                               "%1 already given):")
                                                .arg(m_session->verdictsSpent()),
                                            int(m_session->budget()),
                                            int(std::max<qsizetype>(1, m_session->verdictsSpent())),
                                            int(m_session->dataset().itemCount),
                                            10,
                                            &ok);
    if (ok) {
        m_session->setBudget(budget);
        updateStatus();
    }
}

void MainWindow::setDemoMode(bool on)
{
    if (on && (!m_session || !m_session->dataset().hasTruth())) {
        on = false;
        if (m_session)
            showError(tr("Demo Mode Unavailable"),
                      tr("Demo mode answers from the ground truth, and \"%1\" has none.")
                          .arg(m_session->dataset().name));
    }
    {
        const QSignalBlocker blocker(m_demoAction);
        m_demoAction->setChecked(on);
    }
    if (on)
        m_demoTimer->start(1000 / std::max(1, m_demoPace->value()));
    else
        m_demoTimer->stop();
}

void MainWindow::setDemoPace(int verdictsPerSecond)
{
    m_demoPace->setValue(verdictsPerSecond);
    if (m_demoTimer->isActive())
        m_demoTimer->setInterval(1000 / std::max(1, verdictsPerSecond));
}

void MainWindow::onDemoTick()
{
    if (!m_session || m_session->currentItem() < 0)
        return;
    // The simulated analyst waits for each round's full ranking instead of labeling items of a
    // preliminary or previous ranking, so the demo shows what the method itself finds.
    const auto report = m_session->latestReport();
    if (!report || report->preliminary)
        return;
    const qsizetype item = m_session->currentItem();
    const int row = m_queuePanel->rowOfItem(item);
    if (row >= 0 && m_session->queue()[size_t(row)].provisional)
        return;
    const bool anomaly = m_session->dataset().truth[size_t(item)] == Truth::Anomaly;
    m_session->submitVerdict(anomaly ? Verdict::Anomaly : Verdict::Normal);
}

void MainWindow::addRecent(const QString &entry)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString &entry : recent) {
        QAction *action = m_recentMenu->addAction(entry);
        connect(action, &QAction::triggered, this, [this, entry] {
            if (isSessionPath(entry) || QFileInfo::exists(entry))
                openPath(entry);
            else
                openDataSpec(entry, SessionSettings{});
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::showError(const QString &title, const QString &message)
{
    qCWarning(lcWindow) << title << message;
    setDemoMode(false);
    QMessageBox::warning(this, title, message);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    setDemoMode(false);
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    detachSession();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    const QString path = urls.first().toLocalFile();
    // Open after the drop returns, so the source application is not blocked by the dialog.
    QTimer::singleShot(0, this, [this, path] { openPath(path); });
}

} // namespace uai
