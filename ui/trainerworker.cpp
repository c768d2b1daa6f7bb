#include "trainerworker.h"

#include "activeloop.h"
#include "sessionstore.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcWorker, "uai.ui.trainer", QtWarningMsg)

namespace uai {

namespace {

constexpr qint64 kProgressIntervalMs = 100;

} // namespace

TrainerWorker::TrainerWorker(std::shared_ptr<ActiveLoop> loop, QString sessionPath)
    : m_loop(std::move(loop))
    , m_sessionPath(std::move(sessionPath))
{
    m_progressTimer.start();
}

TrainerWorker::~TrainerWorker() = default;

void TrainerWorker::reportProgress(int done, int total)
{
    if (done == total || m_progressTimer.elapsed() >= kProgressIntervalMs) {
        m_progressTimer.restart();
        Q_EMIT progressed(done, total);
    }
}

bool TrainerWorker::endedEarly(const QString &message)
{
    if (m_stop.load()) {
        qCDebug(lcWorker) << "stopped:" << message;
        Q_EMIT trainingStopped(message);
    } else {
        qCWarning(lcWorker) << "training failed:" << message;
        Q_EMIT trainingFailed(message);
    }
    return true;
}

void TrainerWorker::saveCheckpoint(const RoundReport &report)
{
    if (m_sessionPath.isEmpty())
        return;
    if (!m_store) {
        auto opened = SessionStore::open(m_sessionPath);
        if (!opened.ok()) {
            Q_EMIT checkpointFailed(opened.error());
            return;
        }
        m_store = std::move(opened).value();
    }
    RoundCheckpoint checkpoint;
    checkpoint.round = report.round;
    checkpoint.verdictsUsed = report.anomalyVerdicts + report.normalVerdicts;
    checkpoint.weights = m_loop->saveState();
    checkpoint.time = QDateTime::currentDateTimeUtc();
    if (const Status saved = m_store->saveCheckpoint(checkpoint); !saved.ok())
        Q_EMIT checkpointFailed(saved.error());
}

void TrainerWorker::pretrain()
{
    const auto progress = [this](int done, int total) {
        reportProgress(done, total);
        if (done == kPreliminaryRankingSteps && total >= 2 * kPreliminaryRankingSteps)
            emitPreliminaryRanking();
    };
    if (const Status trained = m_loop->pretrain(progress, &m_stop); !trained.ok()) {
        endedEarly(trained.error());
        return;
    }
    auto ranked = m_loop->rankWithoutTraining();
    if (!ranked.ok()) {
        endedEarly(ranked.error());
        return;
    }
    saveCheckpoint(ranked.value());
    Q_EMIT rankingReady(std::make_shared<const RoundReport>(std::move(ranked).value()));
}

void TrainerWorker::emitPreliminaryRanking()
{
    // Runs between two pretraining steps on this thread, so no step changes the weights meanwhile.
    auto ranked = m_loop->rankWithoutTraining();
    if (!ranked.ok()) {
        qCWarning(lcWorker) << "preliminary ranking skipped:" << ranked.error();
        return;
    }
    ranked.value().preliminary = true;
    Q_EMIT rankingReady(std::make_shared<const RoundReport>(std::move(ranked).value()));
}

void TrainerWorker::restore(const QByteArray &state)
{
    if (const Status restored = m_loop->restoreState(state); !restored.ok()) {
        endedEarly(restored.error());
        return;
    }
    auto ranked = m_loop->rankWithoutTraining();
    if (!ranked.ok()) {
        endedEarly(ranked.error());
        return;
    }
    Q_EMIT rankingReady(std::make_shared<const RoundReport>(std::move(ranked).value()));
}

void TrainerWorker::trainRound()
{
    const auto progress = [this](int done, int total) { reportProgress(done, total); };
    auto round = m_loop->runRound(progress, &m_stop);
    if (!round.ok()) {
        endedEarly(round.error());
        return;
    }
    saveCheckpoint(round.value());
    Q_EMIT roundFinished(std::make_shared<const RoundReport>(std::move(round).value()));
}

void TrainerWorker::reconstruct(const std::vector<qsizetype> &items)
{
    Q_EMIT reconstructionReady(items, m_loop->reconstruct(items));
}

} // namespace uai
