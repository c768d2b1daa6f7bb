#pragma once

#include "dataset.h"
#include "result.h"
#include "roundreport.h"
#include "settingsjson.h"
#include "verdict.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

class QUndoStack;

namespace uai {

class ActiveLoop;
class SessionStore;
class TrainerController;

/// The analyst's work on one dataset: the queue of suspects, the verdicts with undo and redo,
/// the session file, and the trainer that retrains between rounds. Lives on the GUI thread.
///
/// A verdict is appended to the session file before verdictRecorded is emitted, so whatever
/// the window shows as recorded survives a crash. The next suspect is chosen at once from the
/// newest ranking. When the round's queue is used up while the next round trains, the queue
/// goes on with the next items of that ranking, marked provisional, until the round arrives.
class LabelingSession : public QObject
{
    Q_OBJECT

public:
    /// One row of the queue panel.
    struct QueueEntry {
        qsizetype item = -1;
        /// 1-based position among the items that had no verdict when the ranking arrived; 0 for
        /// an item opened from the chart.
        int rank = 0;
        bool provisional = false; ///< Queued from the previous ranking while a round trains.
    };

    /// One ranking kept for the charts, with the verdicts known when it arrived.
    struct RoundSnapshot {
        std::shared_ptr<const RoundReport> report;
        std::vector<std::int8_t> verdicts; ///< Per item: -1 none, else static_cast<int>(Verdict).
        qsizetype verdictsSpent = 0;
    };

    /// One point of the live discovery curve.
    struct CurvePoint {
        qsizetype verdicts = 0;
        qsizetype anomalies = 0;
    };

    ~LabelingSession() override;

    /// Starts a new session on a loaded dataset and creates its session file at sessionPath.
    static Result<std::unique_ptr<LabelingSession>> start(std::shared_ptr<const Dataset> dataset,
                                                          const QString &dataSpec,
                                                          const SessionSettings &settings,
                                                          const QString &sessionPath);
    /// Reopens a session file: reloads its dataset, rejects it when the data changed, restores
    /// the newest model checkpoint and every verdict.
    static Result<std::unique_ptr<LabelingSession>> resume(const QString &sessionPath);

    const Dataset &dataset() const { return *m_dataset; }
    std::shared_ptr<const Dataset> datasetPointer() const { return m_dataset; }
    const SessionSettings &settings() const { return m_settings; }
    QString sessionPath() const;
    QString dataSpec() const { return m_dataSpec; }
    QUndoStack *undoStack() const { return m_undoStack; }
    TrainerController *trainer() const { return m_trainer; }

    /// Current suspect, or -1 when there is none (no ranking yet, budget spent, pool empty).
    qsizetype currentItem() const { return m_currentItem; }
    const std::vector<QueueEntry> &queue() const { return m_queue; }
    std::optional<Verdict> verdictFor(qsizetype item) const;
    qsizetype verdictsSpent() const { return m_spent; }
    qsizetype anomalyVerdicts() const { return m_anomalyVerdicts; }
    qsizetype budget() const { return m_settings.budget; }
    bool budgetSpent() const { return m_spent >= m_settings.budget; }
    /// Rounds trained so far; 0 until the first round after pretraining.
    int round() const { return m_round; }
    std::shared_ptr<const RoundReport> latestReport() const { return m_latest; }
    /// True when a forest layer ranked the latest report's queue, that is, the UAI layer did
    /// not rank it and the resolved base ranking is a forest layer.
    bool rankedByForestLayer() const;
    /// The anchor of the forest layer that ranked the latest report's queue, per item: the
    /// standardised forest score, or ForestLayer::scoreAnchor() of the anomaly scores. Empty when
    /// no forest layer ranked it.
    const std::vector<float> &forestLayerAnchor() const { return m_forestLayerAnchor; }
    const std::vector<RoundSnapshot> &history() const { return m_history; }
    const std::vector<CurvePoint> &discoveryCurve() const { return m_curve; }
    /// The pretrained base model's ranking as a curve at every verdict count up to the budget,
    /// when the data has ground truth and this run pretrained; otherwise empty.
    const std::vector<CurvePoint> &baseCurve() const { return m_baseCurve; }
    /// Seconds from the start of the session to the first ranking, or a negative value.
    double secondsToFirstRanking() const { return m_secondsToFirstRanking; }

    /// Records a verdict for the current suspect as an undoable step. Returns false, with
    /// errorOccurred emitted, when the session file cannot be written.
    bool submitVerdict(Verdict verdict);
    /// Makes another queued item the current suspect.
    void selectItem(qsizetype item);
    /// Moves the current suspect by offset rows in the queue.
    void moveSelection(int offset);
    /// Raises the budget; lowering below the verdicts spent is ignored.
    void setBudget(qsizetype budget);
    /// Writes the current verdicts with their rounds, times and scores as CSV.
    Status exportVerdicts(const QString &csvPath) const;

    /// Applies or withdraws a verdict for undo and redo: writes the event, then updates the
    /// queue. Returns false when the session file cannot be written.
    bool applyVerdict(qsizetype item, std::optional<Verdict> verdict, bool makeCurrent);

Q_SIGNALS:
    /// The verdict is in the session file.
    void verdictRecorded(qsizetype item);
    void queueChanged();
    void currentItemChanged(qsizetype item);
    /// A new ranking arrived: after pretraining, restoring, or a round.
    void rankingChanged();
    void budgetExhausted();
    void poolExhausted();
    void errorOccurred(const QString &title, const QString &message);

private:
    LabelingSession();
    void connectTrainer();
    void onRankingReady(std::shared_ptr<const RoundReport> report, bool fromRound);
    void rebuildQueue();
    void extendQueue();
    void chooseCurrent(qsizetype preferred);
    void maybeRequestRound();
    void buildBaseCurve(const RoundReport &report);
    void rememberSnapshot(std::shared_ptr<const RoundReport> report);

    std::shared_ptr<const Dataset> m_dataset;
    QString m_dataSpec;
    SessionSettings m_settings;
    std::shared_ptr<ActiveLoop> m_loop;
    std::unique_ptr<SessionStore> m_store;
    TrainerController *m_trainer = nullptr;
    QUndoStack *m_undoStack = nullptr;

    std::vector<std::int8_t> m_verdicts;
    qsizetype m_spent = 0;
    qsizetype m_anomalyVerdicts = 0;
    qsizetype m_verdictsSinceRequest = 0;
    int m_round = 0;

    std::shared_ptr<const RoundReport> m_latest;
    std::vector<float> m_forestLayerAnchor;
    std::vector<qsizetype> m_ranking; ///< Latest ranking, best first, all items.
    size_t m_rankingCursor = 0;       ///< Next ranking position to consider for the queue.
    int m_unlabeledSeen = 0;          ///< Items without a verdict passed by the cursor so far.
    std::vector<QueueEntry> m_queue;
    qsizetype m_currentItem = -1;

    std::vector<RoundSnapshot> m_history;
    std::vector<CurvePoint> m_curve;
    std::vector<CurvePoint> m_baseCurve;
    double m_secondsToFirstRanking = -1.0;
    qint64 m_startedMs = 0;
};

} // namespace uai
