#include "trainercontroller.h"

#include "activeloop.h"
#include "trainerworker.h"

#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcController, "uai.ui.trainer", QtWarningMsg)

namespace uai {

TrainerController::TrainerController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const RoundReport>>();
    qRegisterMetaType<std::vector<qsizetype>>();
    qRegisterMetaType<std::vector<float>>();
}

TrainerController::~TrainerController()
{
    if (!m_thread)
        return;
    requestStop();
    m_thread->quit();
    m_thread->wait();
}

void TrainerController::start(std::shared_ptr<ActiveLoop> loop,
                              const QString &sessionPath,
                              const QByteArray &state)
{
    Q_ASSERT(!m_thread);
    m_roundsFinished = loop->roundsDone();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("trainer"));
    m_worker = new TrainerWorker(std::move(loop), sessionPath);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &TrainerWorker::progressed, this, &TrainerController::progressChanged);
    connect(m_worker, &TrainerWorker::checkpointFailed, this, &TrainerController::checkpointFailed);
    connect(m_worker,
            &TrainerWorker::reconstructionReady,
            this,
            &TrainerController::reconstructionReady);
    connect(m_worker, &TrainerWorker::rankingReady, this, [this](auto report) {
        if (report->preliminary) {
            // Pretraining goes on; the state and any pending round wait for its end.
            Q_EMIT rankingReady(report);
            return;
        }
        m_roundsFinished = report->round;
        setState(State::Ready);
        Q_EMIT rankingReady(report);
        startPendingRound();
    });
    connect(m_worker, &TrainerWorker::roundFinished, this, [this](auto report) {
        m_roundsFinished = report->round;
        setState(State::Ready);
        Q_EMIT roundFinished(report);
        startPendingRound();
    });
    connect(m_worker, &TrainerWorker::trainingFailed, this, [this](const QString &message) {
        m_roundPending = false;
        setState(State::Failed);
        Q_EMIT trainingFailed(message);
    });
    connect(m_worker, &TrainerWorker::trainingStopped, this, [this](const QString &) {
        m_roundPending = false;
        setState(State::Stopped);
    });
    m_thread->start();

    if (state.isEmpty()) {
        setState(State::Pretraining);
        QMetaObject::invokeMethod(m_worker, &TrainerWorker::pretrain, Qt::QueuedConnection);
    } else {
        setState(State::Restoring);
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, state] { worker->restore(state); }, Qt::QueuedConnection);
    }
}

bool TrainerController::isBusy() const
{
    return m_state == State::Pretraining || m_state == State::Restoring
           || m_state == State::Training;
}

void TrainerController::requestRound()
{
    if (!m_worker || m_state == State::Stopped)
        return;
    m_roundPending = true;
    if (!isBusy())
        startPendingRound();
}

void TrainerController::startPendingRound()
{
    if (!m_roundPending || isBusy() || !m_worker)
        return;
    m_roundPending = false;
    m_roundInProgress = m_roundsFinished + 1;
    setState(State::Training);
    QMetaObject::invokeMethod(m_worker, &TrainerWorker::trainRound, Qt::QueuedConnection);
}

void TrainerController::requestReconstruction(const std::vector<qsizetype> &items)
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, items] { worker->reconstruct(items); }, Qt::QueuedConnection);
}

void TrainerController::requestStop()
{
    m_roundPending = false;
    if (m_worker)
        m_worker->stopFlag().store(true);
}

void TrainerController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCDebug(lcController) << "trainer state:" << stateText();
    Q_EMIT stateChanged(state);
}

QString TrainerController::stateText() const
{
    switch (m_state) {
    case State::Idle:
        return tr("idle");
    case State::Pretraining:
        return tr("pretraining");
    case State::Restoring:
        return tr("restoring the model");
    case State::Training:
        return tr("training round %1").arg(m_roundInProgress);
    case State::Ready:
        return tr("ready");
    case State::Stopped:
        return tr("stopped");
    case State::Failed:
        return tr("failed");
    }
    return {};
}

} // namespace uai
