#pragma once

#include "roundreport.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

namespace uai {

class ActiveLoop;
class SessionStore;

/// Runs the active-learning loop's training on the thread it lives on and writes a checkpoint
/// to the session file after pretraining and after each round.
///
/// Every request ends with exactly one of rankingReady, roundFinished, trainingFailed or
/// trainingStopped. The stop flag is checked between training steps, so a stop takes effect
/// within one step. Only the controller talks to the worker; the UI talks to the controller.
class TrainerWorker : public QObject
{
    Q_OBJECT

public:
    /// Pretraining steps after which a preliminary ranking is emitted, when pretraining has at
    /// least twice as many steps. On Fashion-MNIST with one thread this puts the first suspects
    /// on screen a few seconds after opening instead of after the whole pretraining.
    static constexpr int kPreliminaryRankingSteps = 500;

    /// sessionPath may be empty, in which case no checkpoint is written.
    TrainerWorker(std::shared_ptr<ActiveLoop> loop, QString sessionPath);
    ~TrainerWorker() override;

    /// The flag that interrupts training; any thread may set it.
    std::atomic_bool &stopFlag() { return m_stop; }

public Q_SLOTS:
    /// Pretrains the base model, saves checkpoint 0 and ranks every item. Long pretraining
    /// also emits a preliminary ranking after kPreliminaryRankingSteps steps.
    void pretrain();
    /// Restores saved weights and ranks every item without training.
    void restore(const QByteArray &state);
    /// Trains one round on the verdicts given so far, saves a checkpoint and ranks every item.
    void trainRound();
    /// Computes the autoencoder's reconstruction of the items.
    void reconstruct(const std::vector<qsizetype> &items);

Q_SIGNALS:
    /// Training steps done of the current request's total, at most about ten times a second.
    void progressed(int done, int total);
    /// The ranking after pretraining or restoring, before any round of this run, or a
    /// preliminary ranking during pretraining (RoundReport::preliminary).
    void rankingReady(std::shared_ptr<const uai::RoundReport> report);
    void roundFinished(std::shared_ptr<const uai::RoundReport> report);
    void trainingFailed(const QString &message);
    void trainingStopped(const QString &message);
    void reconstructionReady(const std::vector<qsizetype> &items,
                             const std::vector<float> &reconstruction);
    /// A checkpoint could not be written; training goes on.
    void checkpointFailed(const QString &message);

private:
    void reportProgress(int done, int total);
    void emitPreliminaryRanking();
    void saveCheckpoint(const RoundReport &report);
    /// Returns whether the request ended by a stop or a failure, after emitting its signal.
    bool endedEarly(const QString &message);

    std::shared_ptr<ActiveLoop> m_loop;
    QString m_sessionPath;
    std::unique_ptr<SessionStore> m_store;
    std::atomic_bool m_stop = false;
    QElapsedTimer m_progressTimer;
};

} // namespace uai
