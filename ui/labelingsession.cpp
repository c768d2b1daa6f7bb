#include "labelingsession.h"

#include "activeloop.h"
#include "datasource.h"
#include "forestlayer.h"
#include "sessionstore.h"
#include "trainercontroller.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUndoStack>

#include <algorithm>
#include <numeric>

Q_LOGGING_CATEGORY(lcSession, "uai.ui.session", QtWarningMsg)

namespace uai {

namespace {

constexpr std::int8_t kNoVerdict = -1;
/// Rankings kept for the round slider; older ones are thinned to every other round.
constexpr size_t kMaxSnapshots = 64;

/// An undoable verdict: redo applies the new verdict, undo restores the one before.
class VerdictCommand : public QUndoCommand
{
public:
    VerdictCommand(LabelingSession *session,
                   qsizetype item,
                   std::optional<Verdict> before,
                   std::optional<Verdict> after,
                   const QString &text)
        : QUndoCommand(text)
        , m_session(session)
        , m_item(item)
        , m_before(before)
        , m_after(after)
    {}

    void undo() override { m_session->applyVerdict(m_item, m_before, true); }

    void redo() override
    {
        // The first redo runs when the command is pushed, after the verdict was applied.
        if (m_applied) {
            m_applied = false;
            return;
        }
        m_session->applyVerdict(m_item, m_after, false);
    }

    void markApplied() { m_applied = true; }

private:
    LabelingSession *m_session;
    qsizetype m_item;
    std::optional<Verdict> m_before;
    std::optional<Verdict> m_after;
    bool m_applied = false;
};

} // namespace

LabelingSession::LabelingSession()
    : m_undoStack(new QUndoStack(this))
{
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
}

LabelingSession::~LabelingSession()
{
    // The trainer (a child) stops and joins its thread before the loop and store go away.
    delete m_trainer;
    m_trainer = nullptr;
}

QString LabelingSession::sessionPath() const
{
    return m_store ? m_store->path() : QString();
}

Result<std::unique_ptr<LabelingSession>>
LabelingSession::start(std::shared_ptr<const Dataset> dataset,
                       const QString &dataSpec,
                       const SessionSettings &settings,
                       const QString &sessionPath)
{
    auto created = ActiveLoop::create(dataset, settings.loop);
    if (!created.ok())
        return fail(created.error());

    SessionHeader header;
    header.datasetSpec = dataSpec;
    header.datasetName = dataset->name;
    header.datasetFingerprint = dataset->fingerprint();
    header.itemCount = dataset->itemCount;
    header.settings = sessionSettingsToJson(settings);
    header.created = QDateTime::currentDateTimeUtc();
    header.createdBy = QCoreApplication::applicationName() + QLatin1Char(' ')
                       + QCoreApplication::applicationVersion();
    auto store = SessionStore::create(sessionPath, header);
    if (!store.ok())
        return fail(store.error());

    std::unique_ptr<LabelingSession> session(new LabelingSession);
    session->m_dataset = std::move(dataset);
    session->m_dataSpec = dataSpec;
    session->m_settings = settings;
    session->m_loop = std::move(created).value();
    session->m_store = std::move(store).value();
    session->m_verdicts.assign(size_t(session->m_dataset->itemCount), kNoVerdict);
    session->m_curve.push_back({0, 0});
    session->connectTrainer();
    session->m_trainer->start(session->m_loop, session->sessionPath(), {});
    return session;
}

Result<std::unique_ptr<LabelingSession>> LabelingSession::resume(const QString &sessionPath)
{
    auto opened = SessionStore::open(sessionPath);
    if (!opened.ok())
        return fail(opened.error());
    std::unique_ptr<SessionStore> store = std::move(opened).value();
    const SessionHeader &header = store->header();
    const QString fileName = QFileInfo(sessionPath).fileName();

    auto settings = sessionSettingsFromJson(header.settings);
    if (!settings.ok())
        return fail(QStringLiteral("Cannot resume \"%1\": %2").arg(fileName, settings.error()));
    auto loaded = loadDataSource(header.datasetSpec, settings.value().source);
    if (!loaded.ok()) {
        return fail(QStringLiteral("Cannot resume \"%1\": its dataset \"%2\" cannot be loaded. %3 "
                                   "Put the original data back at that path and open the "
                                   "session again.")
                        .arg(fileName, header.datasetSpec, loaded.error()));
    }
    auto dataset = std::make_shared<const Dataset>(std::move(loaded).value());
    if (dataset->fingerprint() != header.datasetFingerprint) {
        return fail(QStringLiteral("Cannot resume \"%1\": dataset \"%2\" changed since the session "
                                   "was saved (its content no longer matches the fingerprint "
                                   "stored in the session). Restore the original data, or open "
                                   "the data as a new session.")
                        .arg(fileName, header.datasetSpec));
    }

    keepSavedAutomaticRanking(header.settings, dataset->kind, &settings.value().loop);
    auto created = ActiveLoop::create(dataset, settings.value().loop);
    if (!created.ok())
        return fail(created.error());
    auto verdicts = store->currentVerdicts();
    if (!verdicts.ok())
        return fail(verdicts.error());
    auto checkpoint = store->latestCheckpoint();
    if (!checkpoint.ok())
        return fail(checkpoint.error());

    std::unique_ptr<LabelingSession> session(new LabelingSession);
    session->m_dataset = dataset;
    session->m_dataSpec = header.datasetSpec;
    session->m_settings = settings.value();
    session->m_loop = std::move(created).value();
    session->m_store = std::move(store);
    session->m_verdicts.assign(size_t(dataset->itemCount), kNoVerdict);
    session->m_curve.push_back({0, 0});
    for (const VerdictEvent &event : verdicts.value()) {
        if (event.item < 0 || event.item >= dataset->itemCount
            || dataset->itemIds[event.item] != event.itemId) {
            return fail(QStringLiteral("Cannot resume \"%1\": verdict %2 names item %3 (\"%4\"), "
                                       "which the dataset does not hold.")
                            .arg(fileName)
                            .arg(event.sequence)
                            .arg(event.item)
                            .arg(event.itemId));
        }
        const Verdict verdict = *event.verdict;
        session->m_verdicts[size_t(event.item)] = static_cast<std::int8_t>(verdict);
        session->m_loop->submitVerdict(event.item, verdict);
        ++session->m_spent;
        session->m_anomalyVerdicts += verdict == Verdict::Anomaly ? 1 : 0;
        session->m_curve.push_back({session->m_spent, session->m_anomalyVerdicts});
    }
    QByteArray state;
    if (checkpoint.value()) {
        state = checkpoint.value()->weights;
        session->m_round = checkpoint.value()->round;
    }
    session->connectTrainer();
    session->m_trainer->start(session->m_loop, session->sessionPath(), state);
    qCDebug(lcSession) << "resumed" << sessionPath << "with" << session->m_spent << "verdicts";
    return session;
}

void LabelingSession::connectTrainer()
{
    m_trainer = new TrainerController(this);
    connect(m_trainer, &TrainerController::rankingReady, this, [this](auto report) {
        onRankingReady(report, false);
    });
    connect(m_trainer, &TrainerController::roundFinished, this, [this](auto report) {
        onRankingReady(report, true);
    });
    connect(m_trainer, &TrainerController::trainingFailed, this, [this](const QString &message) {
        Q_EMIT errorOccurred(tr("Training Failed"), message);
    });
    connect(m_trainer, &TrainerController::checkpointFailed, this, [this](const QString &message) {
        Q_EMIT errorOccurred(tr("Checkpoint Not Saved"),
                             tr("The model could not be saved to the session file; your verdicts "
                                "are safe, but a reopened session may retrain. %1")
                                 .arg(message));
    });
}

bool LabelingSession::rankedByForestLayer() const
{
    return m_latest && !m_latest->rankedByUai && !m_latest->baseRankingKey.empty()
           && isForestLayer(m_settings.loop.resolvedBaseRanking(*m_dataset));
}

std::optional<Verdict> LabelingSession::verdictFor(qsizetype item) const
{
    const auto value = m_verdicts.at(size_t(item));
    if (value == kNoVerdict)
        return std::nullopt;
    return static_cast<Verdict>(value);
}

void LabelingSession::onRankingReady(std::shared_ptr<const RoundReport> report, bool fromRound)
{
    if (m_secondsToFirstRanking < 0)
        m_secondsToFirstRanking = (QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000.0;
    if (fromRound)
        m_round = report->round;
    else if (report->round == 0 && !report->preliminary && m_dataset->hasTruth())
        buildBaseCurve(*report);
    m_latest = report;
    // The forest layer's anchor, for the suspect header: the forest's score, which the report
    // carries, or the anomaly score's anchor, computed here once per report.
    m_forestLayerAnchor.clear();
    if (rankedByForestLayer()) {
        m_forestLayerAnchor =
            m_settings.loop.resolvedBaseRanking(*m_dataset) == BaseRanking::ScoreForestLayer
                ? ForestLayer::scoreAnchor(report->baseScore)
                : report->extraScore;
    }

    // The queue follows the same ranking as the engine's: the UAI layer, or the base ranking.
    const std::vector<float> &baseKey =
        report->baseRankingKey.empty() ? report->baseScore : report->baseRankingKey;
    const std::vector<float> &key = report->rankedByUai ? report->uaiLogit : baseKey;
    m_ranking.resize(key.size());
    std::iota(m_ranking.begin(), m_ranking.end(), qsizetype(0));
    std::stable_sort(m_ranking.begin(), m_ranking.end(), [&key](qsizetype a, qsizetype b) {
        return key[size_t(a)] > key[size_t(b)];
    });
    rememberSnapshot(report);

    const qsizetype previous = m_currentItem;
    rebuildQueue();
    Q_EMIT rankingChanged();
    Q_EMIT queueChanged();
    chooseCurrent(previous);
    // Verdicts given while this round trained may already fill the next queue.
    if (m_verdictsSinceRequest >= m_settings.loop.queueSize)
        maybeRequestRound();
}

void LabelingSession::rememberSnapshot(std::shared_ptr<const RoundReport> report)
{
    m_history.push_back({std::move(report), m_verdicts, m_spent});
    if (m_history.size() <= kMaxSnapshots)
        return;
    // Keep the first ranking and the newest half; thin the older half to every other one.
    std::vector<RoundSnapshot> thinned;
    const size_t half = m_history.size() / 2;
    for (size_t i = 0; i < m_history.size(); ++i) {
        if (i == 0 || i >= half || i % 2 == 0)
            thinned.push_back(std::move(m_history[i]));
    }
    m_history = std::move(thinned);
}

void LabelingSession::buildBaseCurve(const RoundReport &report)
{
    std::vector<qsizetype> order(report.baseScore.size());
    std::iota(order.begin(), order.end(), qsizetype(0));
    std::stable_sort(order.begin(), order.end(), [&report](qsizetype a, qsizetype b) {
        return report.baseScore[size_t(a)] > report.baseScore[size_t(b)];
    });
    m_baseCurve.clear();
    m_baseCurve.push_back({0, 0});
    qsizetype found = 0;
    const auto limit =
        std::min<size_t>(order.size(), size_t(std::max<qsizetype>(m_settings.budget, 1)));
    for (size_t n = 0; n < limit; ++n) {
        found += m_dataset->truth[size_t(order[n])] == Truth::Anomaly ? 1 : 0;
        m_baseCurve.push_back({qsizetype(n + 1), found});
    }
}

void LabelingSession::rebuildQueue()
{
    m_queue.clear();
    m_rankingCursor = 0;
    m_unlabeledSeen = 0;
    const auto k = size_t(m_settings.loop.queueSize);
    while (m_rankingCursor < m_ranking.size() && m_queue.size() < k) {
        const qsizetype item = m_ranking[m_rankingCursor++];
        if (m_verdicts[size_t(item)] == kNoVerdict)
            m_queue.push_back({item, ++m_unlabeledSeen, false});
    }
}

void LabelingSession::extendQueue()
{
    const auto k = size_t(m_settings.loop.queueSize);
    size_t added = 0;
    while (m_rankingCursor < m_ranking.size() && added < k) {
        const qsizetype item = m_ranking[m_rankingCursor++];
        if (m_verdicts[size_t(item)] != kNoVerdict)
            continue;
        m_queue.push_back({item, ++m_unlabeledSeen, true});
        ++added;
    }
    if (added > 0)
        Q_EMIT queueChanged();
}

void LabelingSession::chooseCurrent(qsizetype preferred)
{
    qsizetype next = -1;
    if (!budgetSpent()) {
        const auto inQueue = [this](qsizetype item) {
            return std::any_of(m_queue.begin(), m_queue.end(), [item](const QueueEntry &entry) {
                return entry.item == item;
            });
        };
        if (preferred >= 0 && inQueue(preferred) && m_verdicts[size_t(preferred)] == kNoVerdict)
            next = preferred;
        for (size_t i = 0; next < 0 && i < m_queue.size(); ++i) {
            if (m_verdicts[size_t(m_queue[i].item)] == kNoVerdict)
                next = m_queue[i].item;
        }
        if (next < 0 && !m_ranking.empty()) {
            const size_t before = m_queue.size();
            extendQueue();
            if (m_queue.size() > before)
                next = m_queue[before].item;
        }
    }
    const bool changed = next != m_currentItem;
    m_currentItem = next;
    if (changed)
        Q_EMIT currentItemChanged(next);
    if (next < 0 && m_latest) {
        if (budgetSpent())
            Q_EMIT budgetExhausted();
        else if (m_spent == m_dataset->itemCount)
            Q_EMIT poolExhausted();
    }
}

void LabelingSession::selectItem(qsizetype item)
{
    if (item < 0 || item >= m_dataset->itemCount || item == m_currentItem)
        return;
    const bool queued = std::any_of(m_queue.begin(),
                                    m_queue.end(),
                                    [item](const QueueEntry &entry) { return entry.item == item; });
    if (!queued) {
        m_queue.push_back({item, 0, true});
        Q_EMIT queueChanged();
    }
    m_currentItem = item;
    Q_EMIT currentItemChanged(item);
}

void LabelingSession::moveSelection(int offset)
{
    if (m_queue.empty())
        return;
    auto position = std::find_if(m_queue.begin(), m_queue.end(), [this](const QueueEntry &entry) {
        return entry.item == m_currentItem;
    });
    const qsizetype index = position == m_queue.end() ? 0 : position - m_queue.begin();
    const qsizetype target =
        std::clamp<qsizetype>(index + offset, 0, qsizetype(m_queue.size()) - 1);
    if (m_queue[size_t(target)].item != m_currentItem) {
        m_currentItem = m_queue[size_t(target)].item;
        Q_EMIT currentItemChanged(m_currentItem);
    }
}

bool LabelingSession::submitVerdict(Verdict verdict)
{
    const qsizetype item = m_currentItem;
    if (item < 0)
        return false;
    const std::optional<Verdict> before = verdictFor(item);
    if (before == verdict)
        return true;
    if (!before && budgetSpent())
        return false;
    if (!applyVerdict(item, verdict, false))
        return false;
    auto *command =
        new VerdictCommand(this,
                           item,
                           before,
                           verdict,
                           tr("%1 for %2").arg(verdictName(verdict), m_dataset->itemIds[item]));
    command->markApplied();
    m_undoStack->push(command);
    return true;
}

bool LabelingSession::applyVerdict(qsizetype item, std::optional<Verdict> verdict, bool makeCurrent)
{
    VerdictEvent event;
    event.item = item;
    event.itemId = m_dataset->itemIds[item];
    event.verdict = verdict;
    event.round = m_round;
    event.time = QDateTime::currentDateTimeUtc();
    event.analyst = qEnvironmentVariable("USER");
    if (m_latest) {
        event.baseScore = m_latest->baseScore[size_t(item)];
        if (m_latest->rankedByUai)
            event.uaiScore = m_latest->uaiScore(item);
    }
    const auto appended = m_store->appendVerdict(event);
    if (!appended.ok()) {
        Q_EMIT errorOccurred(tr("Verdict Not Saved"),
                             tr("The verdict for %1 was not recorded because the session file "
                                "could not be written: %2")
                                 .arg(event.itemId, appended.error()));
        return false;
    }

    const std::optional<Verdict> before = verdictFor(item);
    m_spent += (verdict ? 1 : 0) - (before ? 1 : 0);
    m_anomalyVerdicts +=
        (verdict == Verdict::Anomaly ? 1 : 0) - (before == Verdict::Anomaly ? 1 : 0);
    m_verdicts[size_t(item)] = verdict ? static_cast<std::int8_t>(*verdict) : kNoVerdict;
    if (verdict)
        m_loop->submitVerdict(item, *verdict);
    else
        m_loop->withdrawVerdict(item);
    m_curve.resize(size_t(m_spent) + 1);
    m_curve[size_t(m_spent)] = {m_spent, m_anomalyVerdicts};
    Q_EMIT verdictRecorded(item);

    if (verdict && !before) {
        ++m_verdictsSinceRequest;
        maybeRequestRound();
    }
    if (makeCurrent) {
        selectItem(item);
        return true;
    }
    // The next suspect: the next unanswered queue entry after this one, else the first.
    qsizetype preferred = -1;
    auto position = std::find_if(m_queue.begin(), m_queue.end(), [item](const QueueEntry &entry) {
        return entry.item == item;
    });
    for (auto it = position; it != m_queue.end(); ++it) {
        if (m_verdicts[size_t(it->item)] == kNoVerdict) {
            preferred = it->item;
            break;
        }
    }
    chooseCurrent(preferred);
    return true;
}

void LabelingSession::maybeRequestRound()
{
    const bool queueAnswered =
        std::none_of(m_queue.begin(), m_queue.end(), [this](const QueueEntry &entry) {
            return !entry.provisional && m_verdicts[size_t(entry.item)] == kNoVerdict;
        });
    if (m_verdictsSinceRequest >= m_settings.loop.queueSize
        || (queueAnswered && m_verdictsSinceRequest > 0)) {
        m_verdictsSinceRequest = 0;
        m_trainer->requestRound();
    }
}

void LabelingSession::setBudget(qsizetype budget)
{
    if (budget < m_spent || budget == m_settings.budget)
        return;
    SessionSettings changed = m_settings;
    changed.budget = budget;
    if (const Status saved = m_store->updateSettings(sessionSettingsToJson(changed)); !saved.ok()) {
        Q_EMIT errorOccurred(tr("Budget Not Changed"), saved.error());
        return;
    }
    const bool wasSpent = budgetSpent();
    m_settings.budget = budget;
    if (wasSpent && !budgetSpent())
        chooseCurrent(-1);
}

Status LabelingSession::exportVerdicts(const QString &csvPath) const
{
    return m_store->exportVerdictsCsv(csvPath);
}

} // namespace uai
