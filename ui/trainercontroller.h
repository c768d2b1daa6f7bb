#pragma once

#include "roundreport.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QThread;

namespace uai {

class ActiveLoop;
class TrainerWorker;

/// Owns the trainer's thread and worker, and is the only object the UI talks to about training.
///
/// Requests are queued to the worker; results come back as signals on the controller's thread.
/// A round requested while another request runs is started when that one ends, so verdicts
/// given meanwhile train in it. The destructor requests a stop, quits the thread and waits.
class TrainerController : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Pretraining, Restoring, Training, Ready, Stopped, Failed };
    Q_ENUM(State)

    explicit TrainerController(QObject *parent = nullptr);
    ~TrainerController() override;

    /// Starts a worker for the loop: pretraining when state is empty, otherwise restoring the
    /// saved state. Must be called once.
    void
    start(std::shared_ptr<ActiveLoop> loop, const QString &sessionPath, const QByteArray &state);

    /// Trains a round now, or as soon as the running request ends.
    void requestRound();
    /// Requests the autoencoder's reconstruction of the items; reconstructionReady delivers it.
    void requestReconstruction(const std::vector<qsizetype> &items);
    /// Interrupts training between two steps; the running request ends with trainingStopped.
    void requestStop();

    State state() const { return m_state; }
    bool isBusy() const;
    bool isRoundPending() const { return m_roundPending; }
    /// Returns the state as a short phrase for the status bar, such as "training round 4".
    QString stateText() const;

Q_SIGNALS:
    void stateChanged(uai::TrainerController::State state);
    void progressChanged(int done, int total);
    void rankingReady(std::shared_ptr<const uai::RoundReport> report);
    void roundFinished(std::shared_ptr<const uai::RoundReport> report);
    void trainingFailed(const QString &message);
    void reconstructionReady(const std::vector<qsizetype> &items,
                             const std::vector<float> &reconstruction);
    void checkpointFailed(const QString &message);

private:
    void setState(State state);
    void startPendingRound();

    QThread *m_thread = nullptr;
    TrainerWorker *m_worker = nullptr;
    State m_state = State::Idle;
    bool m_roundPending = false;
    int m_roundInProgress = 0;
    int m_roundsFinished = 0;
};

} // namespace uai

Q_DECLARE_METATYPE(std::shared_ptr<const uai::RoundReport>)
Q_DECLARE_METATYPE(std::vector<qsizetype>)
Q_DECLARE_METATYPE(std::vector<float>)
