#include "simulatedanalyst.h"

#include "activeloop.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

namespace uai {

namespace {

/// Returns the number of anomalies among the top n items of the ranking, for each n in counts.
std::vector<qsizetype> anomaliesInPrefixes(const std::vector<float> &score,
                                           const std::vector<Truth> &truth,
                                           const std::vector<qsizetype> &counts)
{
    std::vector<qsizetype> order(score.size());
    std::iota(order.begin(), order.end(), qsizetype(0));
    std::stable_sort(order.begin(), order.end(), [&score](qsizetype a, qsizetype b) {
        return score[a] > score[b];
    });
    std::vector<qsizetype> found;
    qsizetype running = 0;
    size_t taken = 0;
    for (const qsizetype count : counts) {
        while (taken < order.size() && taken < static_cast<size_t>(count)) {
            running += truth[static_cast<size_t>(order[taken])] == Truth::Anomaly ? 1 : 0;
            ++taken;
        }
        found.push_back(running);
    }
    return found;
}

/// Decides which verdicts the analyst gives wrong, from its own generator so that the flips do
/// not disturb the model's random streams.
class VerdictFlipper
{
public:
    VerdictFlipper(double fraction, std::uint64_t seed)
        : m_fraction(fraction)
        , m_engine(seed)
    {}

    bool nextIsWrong()
    {
        if (m_fraction <= 0.0)
            return false;
        // 53 random bits as a double in [0, 1): the same draws on every standard library,
        // unlike std::uniform_real_distribution.
        const double uniform = double(m_engine() >> 11) * 0x1.0p-53;
        return uniform < m_fraction;
    }

private:
    double m_fraction;
    std::mt19937_64 m_engine;
};

} // namespace

Result<SimulationResult> simulateAnalyst(std::shared_ptr<const Dataset> dataset,
                                         const LoopSettings &settings,
                                         const SimulationOptions &options)
{
    if (!dataset || !dataset->hasTruth()) {
        return fail(QStringLiteral("Dataset \"%1\" has no ground-truth column, so no analyst can "
                                   "be simulated. Name the column (command line: --truth-column) "
                                   "or build an anomaly set such as :0.")
                        .arg(dataset ? dataset->name : QString()));
    }
    if (options.budget < 1)
        return fail(
            QStringLiteral("The budget must be at least 1 verdict, got %1.").arg(options.budget));
    if (!(options.flipFraction >= 0.0 && options.flipFraction <= 1.0))
        return fail(QStringLiteral("The flip fraction must be in [0, 1], got %1; give the share "
                                   "of verdicts the analyst answers wrong, such as 0.05.")
                        .arg(options.flipFraction));

    auto created = ActiveLoop::create(dataset, settings);
    if (!created.ok())
        return fail(created.error());
    ActiveLoop &loop = *created.value();

    SimulationResult result;
    result.anomalies = dataset->anomalyCount();
    result.itemCount = dataset->itemCount;

    const auto pretrainStart = std::chrono::steady_clock::now();
    if (const Status pretrained = loop.pretrain(options.pretrainProgress, options.stop);
        !pretrained)
        return fail(pretrained.error());
    result.pretrainSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pretrainStart).count();
    const auto baseRanking = loop.rankWithoutTraining();
    if (!baseRanking.ok())
        return fail(baseRanking.error());

    VerdictFlipper flipper(options.flipFraction, options.flipSeed);
    qsizetype spent = 0;
    qsizetype found = 0;
    while (spent < options.budget) {
        auto round = loop.runRound({}, options.stop);
        if (!round.ok())
            return fail(round.error());
        const RoundReport &report = round.value();
        result.roundSeconds += report.trainSeconds + report.scoreSeconds + report.selectSeconds;
        if (report.queue.empty()) {
            result.endedEarly =
                QStringLiteral("Every item has a verdict after %1 verdicts.").arg(spent);
            break;
        }
        for (const qsizetype item : report.queue) {
            if (spent == options.budget)
                break;
            const bool anomaly = dataset->truth[static_cast<size_t>(item)] == Truth::Anomaly;
            const bool wrong = flipper.nextIsWrong();
            if (wrong)
                result.flippedItems.push_back(item);
            loop.submitVerdict(item, anomaly != wrong ? Verdict::Anomaly : Verdict::Normal);
            found += anomaly ? 1 : 0;
            ++spent;
        }
        const DiscoveryPoint point{report.round, spent, found, report.rankedByUai};
        result.uaiCurve.push_back(point);
        if (options.roundFinished)
            options.roundFinished(point, report);
    }

    std::vector<qsizetype> counts;
    for (const auto &point : result.uaiCurve)
        counts.push_back(point.verdicts);
    const auto baseFound =
        anomaliesInPrefixes(baseRanking.value().baseScore, dataset->truth, counts);
    for (size_t i = 0; i < counts.size(); ++i)
        result.baseCurve.push_back({result.uaiCurve[i].round, counts[i], baseFound[i], false});
    const std::vector<float> &extraScore = baseRanking.value().extraScore;
    if (!extraScore.empty()) {
        const auto extraFound = anomaliesInPrefixes(extraScore, dataset->truth, counts);
        for (size_t i = 0; i < counts.size(); ++i)
            result.extraCurve.push_back(
                {result.uaiCurve[i].round, counts[i], extraFound[i], false});
    }
    return result;
}

} // namespace uai
