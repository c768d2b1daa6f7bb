#include "activeloop.h"

#include "forestlayer.h"
#include "isolationforest.h"
#include "tfrmsprop.h"
#include "uainetwork.h"

#include <QDataStream>
#include <QIODevice>
#include <QLoggingCategory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>

Q_LOGGING_CATEGORY(lcLoop, "uai.core.loop", QtWarningMsg)

namespace uai {

namespace {

constexpr std::int8_t kNoVerdict = -1;
constexpr quint32 kStateMagic = 0x55414957; // "UAIW"
/// Version 2 adds the rankings' verdict records behind the confidence switch rule; version 1
/// states load with empty records. Version 3 adds the number of extra scores the UAI layer
/// reads, after the header; older states have none. Version 4 adds the cross-fitted scores of
/// small tables at the end; older states have none.
constexpr quint32 kStateVersion = 4;
/// Weight a ranking's verdict record keeps per round, so that the confidence rule follows a
/// ranking that gets better (the UAI layer) or runs out of easy finds (the base score).
constexpr double kRecordDiscount = 0.8;
/// Share of each cross-fitting batch that is left out of the gradient: the highest-loss items.
constexpr double kCrossFitTrimmedShare = 0.1;
/// Most training steps of a cross-fitting network. Networks trained for 1,000 or 5,000 steps
/// ranked the small case tables' planted outliers no better than with 500, at up to ten times
/// the cost.
constexpr int kCrossFitMaxSteps = 500;

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The verdicts one round trains on, copied when the round starts.
struct VerdictSnapshot {
    at::Tensor items;   ///< int64 indices of items with an anomaly or normal verdict
    at::Tensor targets; ///< float, 1 for anomaly, 0 for normal
    /// When every verdict fits in one batch, each step trains on all of them: their input rows
    /// and classes, gathered once per round. Undefined otherwise.
    at::Tensor input;
    at::Tensor classes;
    qsizetype anomalies = 0;
    qsizetype normals = 0;
};

/// Running mean of the losses over the last part of a training run.
struct LossTail {
    int firstCounted = 0;
    int counted = 0;
    double base = 0.0;
    double uai = 0.0;

    void add(int step, double baseLoss, double uaiLoss)
    {
        if (step < firstCounted)
            return;
        ++counted;
        base += baseLoss;
        uai += uaiLoss;
    }
};

/// Discounted verdicts on the items a ranking put among its top k.
struct RankingRecord {
    double anomalies = 0.0;
    double normals = 0.0;

    /// Mean of the Beta(1 + anomalies, 1 + normals) posterior of the ranking's hit rate.
    double meanHitRate() const { return (1.0 + anomalies) / (2.0 + anomalies + normals); }
};

/// An item of the latest queue, with the rankings that had it among their top k.
struct QueuedItem {
    qsizetype item = 0;
    bool topByUai = false;
    bool topByBase = false;
};

double sampleBeta(double alpha, double beta, std::mt19937_64 &generator)
{
    const double x = std::gamma_distribution<double>(alpha, 1.0)(generator);
    const double y = std::gamma_distribution<double>(beta, 1.0)(generator);
    return x + y > 0.0 ? x / (x + y) : 0.5;
}

} // namespace

struct ActiveLoop::Impl {
    std::shared_ptr<const Dataset> dataset;
    LoopSettings settings;
    at::Generator generator;
    at::Tensor features; ///< [items, features], a view of dataset->features, never written
    at::Tensor classes;  ///< [items] int64, or undefined for the autoencoder
    /// [items, settings.extraScoreCount()] float scores the UAI layer reads besides the latent
    /// and the base score, fixed for the loop's lifetime; undefined without extra scores.
    at::Tensor extraScores;
    /// The standardised isolation-forest score per item when the UAI layer or the base ranking
    /// uses it, otherwise empty.
    std::vector<float> isolationScores;
    /// The forest layer when the base ranking is BaseRanking::ForestLayer or ScoreForestLayer,
    /// otherwise empty.
    std::optional<ForestLayer> forestLayer;
    std::unique_ptr<UaiNetwork> network;
    std::unique_ptr<TfRmsprop> optimizer;
    bool pretrained = false;
    int rounds = 0;

    mutable std::mutex verdictMutex;
    std::vector<std::int8_t> verdicts; ///< Verdict per item, or kNoVerdict
    qsizetype verdictTotal = 0;

    RankingRecord uaiRecord;
    RankingRecord baseRecord;
    std::vector<QueuedItem> lastQueue;
    std::mt19937_64 switchGenerator;
    /// Anomaly score per item ([items] float) from a network that did not train on the item.
    /// Undefined when the network trained on every item scores.
    at::Tensor crossFittedScore;

    // Reused by every training step, so that a step allocates no batch.
    at::Tensor batchRows;    ///< int64 [batch]
    at::Tensor batchInput;   ///< [batch, features]
    at::Tensor verdictInput; ///< [batch, features], when the verdicts exceed one batch

    VerdictSnapshot snapshotVerdicts() const;
    at::Tensor extraScoresOf(const at::Tensor &items) const;
    at::Tensor extraScoresOf(std::int64_t start, std::int64_t end) const;
    Status ensureIsolationScores();
    bool trainStep(const VerdictSnapshot *verdicts, double *baseLoss, double *uaiLoss);
    Status train(int steps,
                 const VerdictSnapshot *verdicts,
                 const Progress &progress,
                 const std::atomic_bool *stop,
                 LossTail *tail);
    Status crossFit(int folds, const Progress &progress, const std::atomic_bool *stop);
    /// Returns the anomaly scores of items [start, end) that the UAI layer reads and the base
    /// ranking sorts by: the cross-fitted ones when they exist, else itemLoss.
    at::Tensor layerScore(const at::Tensor &itemLoss, std::int64_t start, std::int64_t end) const;
    bool score(RoundReport &report, const std::atomic_bool *stop = nullptr) const;
    void select(RoundReport &report, bool byUai);
    std::vector<float> baseRankingKey(const RoundReport &report) const;
    bool rankByUai(qsizetype anomalies, qsizetype normals, bool sample);
    void creditLastQueue();
    void anchorUaiLayer();
    std::vector<at::Tensor> snapshotWeights() const;
    void restoreWeights(const std::vector<at::Tensor> &state);
};

VerdictSnapshot ActiveLoop::Impl::snapshotVerdicts() const
{
    std::vector<std::int64_t> items;
    std::vector<float> targets;
    VerdictSnapshot snapshot;
    {
        std::lock_guard lock(verdictMutex);
        for (size_t i = 0; i < verdicts.size(); ++i) {
            const auto verdict = verdicts[i];
            if (verdict == static_cast<std::int8_t>(Verdict::Anomaly)) {
                items.push_back(static_cast<std::int64_t>(i));
                targets.push_back(1.0f);
                ++snapshot.anomalies;
            } else if (verdict == static_cast<std::int8_t>(Verdict::Normal)) {
                items.push_back(static_cast<std::int64_t>(i));
                targets.push_back(0.0f);
                ++snapshot.normals;
            }
        }
    }
    const auto count = static_cast<std::int64_t>(items.size());
    snapshot.items = at::from_blob(items.data(), {count}, at::kLong).clone();
    snapshot.targets = at::from_blob(targets.data(), {count}, at::kFloat).clone();
    if (count > 0 && count <= settings.batchSize) {
        snapshot.input = features.index_select(0, snapshot.items);
        if (classes.defined())
            snapshot.classes = classes.index_select(0, snapshot.items);
    }
    return snapshot;
}

/// Returns the extra scores of the given item indices, or an undefined tensor without any.
at::Tensor ActiveLoop::Impl::extraScoresOf(const at::Tensor &items) const
{
    return extraScores.defined() ? extraScores.index_select(0, items) : at::Tensor();
}

/// Returns the extra scores of the items in [start, end), or an undefined tensor without any.
at::Tensor ActiveLoop::Impl::extraScoresOf(std::int64_t start, std::int64_t end) const
{
    return extraScores.defined() ? extraScores.slice(0, start, end) : at::Tensor();
}

/// Computes the isolation-forest scores when the settings use them and they are missing. It runs
/// from pretrain(), restoreState() and the ranking calls, which the window calls on the trainer's
/// thread, so that a large dataset does not block the GUI thread. The forest is seeded with the
/// loop's seed and draws from its own generator, so when it runs does not change a result.
Status ActiveLoop::Impl::ensureIsolationScores()
{
    const bool needed = settings.extraScore == ExtraScore::IsolationForest
                        || settings.baseRanking != BaseRanking::AnomalyScore;
    if (!needed || !isolationScores.empty())
        return success();
    IsolationForestSettings forest;
    forest.seed = settings.seed;
    if (isForestLayer(settings.baseRanking)) {
        // The layer grows the same forest, so its scores are the ones the other rankings use.
        auto layer = ForestLayer::grow(*dataset, forest);
        if (!layer.ok())
            return fail(layer.error());
        forestLayer = std::move(layer).value();
        isolationScores = forestLayer->forestScores();
    } else {
        auto scores = standardisedIsolationScores(*dataset, forest);
        if (!scores.ok())
            return fail(scores.error());
        isolationScores = std::move(scores).value();
    }
    if (settings.extraScore == ExtraScore::IsolationForest) {
        extraScores =
            at::from_blob(isolationScores.data(), {dataset->itemCount, 1}, at::kFloat).clone();
    }
    return success();
}

/// Runs one optimisation step. Returns false, without touching the weights, when a loss is not
/// finite.
bool ActiveLoop::Impl::trainStep(const VerdictSnapshot *verdicts, double *baseLoss, double *uaiLoss)
{
    const std::int64_t itemCount = features.size(0);
    const std::int64_t batch = std::min<std::int64_t>(settings.batchSize, itemCount);
    if (!batchRows.defined()) {
        batchRows = at::empty({batch}, at::kLong);
        batchInput = at::empty({batch, features.size(1)}, at::kFloat);
    }
    // The previous step's graph, which saved batchInput, was freed by its backward pass.
    at::randint_out(batchRows, itemCount, {batch}, generator);
    at::index_select_out(batchInput, features, 0, batchRows);
    const at::Tensor batchClasses =
        classes.defined() ? classes.index_select(0, batchRows) : at::Tensor();
    const auto pass = network->forward(batchInput, batchClasses, true, &generator);
    const at::Tensor meanItemLoss = pass.itemLoss.mean();
    at::Tensor loss = meanItemLoss;

    *uaiLoss = 0.0;
    const std::int64_t labeled = verdicts ? verdicts->items.size(0) : 0;
    if (labeled > 0) {
        at::Tensor input = verdicts->input;
        at::Tensor pickClasses = verdicts->classes;
        at::Tensor targets = verdicts->targets;
        at::Tensor pick = verdicts->items;
        if (!input.defined()) {
            const at::Tensor order =
                at::randperm(labeled, generator, at::kLong).slice(0, 0, settings.batchSize);
            pick = verdicts->items.index_select(0, order);
            targets = targets.index_select(0, order);
            if (!verdictInput.defined())
                verdictInput = at::empty({settings.batchSize, features.size(1)}, at::kFloat);
            input = at::index_select_out(verdictInput, features, 0, pick);
            if (classes.defined())
                pickClasses = classes.index_select(0, pick);
        }
        // The verdict loss uses the clean input, as scoring does.
        const auto labeledPass = network->forward(input, pickClasses, false, nullptr);
        const at::Tensor labeledScore = crossFittedScore.defined()
                                            ? crossFittedScore.index_select(0, pick)
                                            : labeledPass.itemLoss;
        const at::Tensor logits =
            network->uaiLogit(labeledPass.latent, labeledScore, extraScoresOf(pick));
        const at::Tensor verdictLoss = at::binary_cross_entropy_with_logits(logits, targets);
        loss = loss + verdictLoss;
        *uaiLoss = verdictLoss.item<double>();
    }

    *baseLoss = meanItemLoss.item<double>();
    if (!std::isfinite(*baseLoss) || !std::isfinite(*uaiLoss))
        return false;
    optimizer->zeroGrad();
    loss.backward();
    optimizer->step();
    return true;
}

Status ActiveLoop::Impl::train(int steps,
                               const VerdictSnapshot *verdicts,
                               const Progress &progress,
                               const std::atomic_bool *stop,
                               LossTail *tail)
{
    for (int step = 0; step < steps; ++step) {
        if (stop && stop->load(std::memory_order_relaxed)) {
            qCDebug(lcLoop) << "training stopped on request after" << step << "of" << steps
                            << "steps";
            return fail(
                QStringLiteral("Training stopped after %1 of %2 steps.").arg(step).arg(steps));
        }
        double baseLoss = 0.0;
        double uaiLoss = 0.0;
        if (!trainStep(verdicts, &baseLoss, &uaiLoss)) {
            qCWarning(lcLoop) << "training diverged at step" << step + 1 << "of" << steps
                              << "base loss" << baseLoss << "verdict loss" << uaiLoss;
            return fail(QStringLiteral("Training diverged at step %1 of %2: the base loss is %3 "
                                       "and the verdict loss is %4. Try a smaller learning rate.")
                            .arg(step + 1)
                            .arg(steps)
                            .arg(baseLoss)
                            .arg(uaiLoss));
        }
        if (tail)
            tail->add(step, baseLoss, uaiLoss);
        if (progress)
            progress(step + 1, steps);
    }
    return success();
}

/// Trains one fresh base network per fold on the items outside the fold, for the pretraining
/// steps, and scores the fold's items with it. The progress callback counts all folds' steps.
Status ActiveLoop::Impl::crossFit(int folds, const Progress &progress, const std::atomic_bool *stop)
{
    const std::int64_t itemCount = features.size(0);
    const int steps = crossFitSteps(settings.pretrainSteps);
    const at::Tensor order = at::randperm(itemCount, generator, at::kLong);
    const at::Tensor foldOf = at::arange(itemCount, at::kLong).remainder(folds);
    at::Tensor scores = at::empty({itemCount}, at::kFloat);
    for (int fold = 0; fold < folds; ++fold) {
        const at::Tensor inFold = foldOf.eq(fold);
        const at::Tensor heldOut = order.masked_select(inFold);
        const at::Tensor trainingItems = order.masked_select(inFold.logical_not());
        const at::Tensor trainingFeatures = features.index_select(0, trainingItems);
        const at::Tensor trainingClasses =
            classes.defined() ? classes.index_select(0, trainingItems) : at::Tensor();
        UaiNetwork foldNetwork(settings.model,
                               static_cast<int>(dataset->featureCount),
                               static_cast<int>(dataset->classNames.size()),
                               settings.hiddenSizes,
                               settings.inputNoise,
                               generator);
        TfRmsprop foldOptimizer(foldNetwork.baseParameters(), settings.learningRate);
        // A fold small enough for one batch trains on all of its items at every step. Each step
        // leaves the highest-loss items out of the gradient. Otherwise outliers like a held-out
        // one (a cluster of anomalies) would teach the network to reconstruct it.
        const std::int64_t trainingCount = trainingItems.size(0);
        const bool wholeFold = trainingCount <= settings.batchSize;
        const std::int64_t batch = wholeFold ? trainingCount : settings.batchSize;
        const std::int64_t trimmed = std::max<std::int64_t>(
            1, static_cast<std::int64_t>(kCrossFitTrimmedShare * double(batch)));
        const std::int64_t counted = std::max<std::int64_t>(1, batch - trimmed);

        for (int step = 0; step < steps; ++step) {
            if (stop && stop->load(std::memory_order_relaxed)) {
                return fail(QStringLiteral("Cross-fitting stopped in fold %1 of %2.")
                                .arg(fold + 1)
                                .arg(folds));
            }
            at::Tensor batchFeatures = trainingFeatures;
            at::Tensor batchClasses = trainingClasses;
            if (!wholeFold) {
                const at::Tensor rows = at::randint(trainingCount, {batch}, generator, at::kLong);
                batchFeatures = trainingFeatures.index_select(0, rows);
                if (trainingClasses.defined())
                    batchClasses = trainingClasses.index_select(0, rows);
            }
            const auto pass = foldNetwork.forward(batchFeatures, batchClasses, true, &generator);
            const at::Tensor loss =
                std::get<0>(at::topk(pass.itemLoss, counted, 0, /*largest=*/false)).mean();
            const double value = loss.item<double>();
            if (!std::isfinite(value)) {
                qCWarning(lcLoop) << "cross-fitting diverged in fold" << fold + 1 << "of" << folds
                                  << "at step" << step + 1 << "base loss" << value;
                return fail(QStringLiteral("Cross-fitting diverged in fold %1 of %2 at step %3: "
                                           "the base loss is %4. Try a smaller learning rate.")
                                .arg(fold + 1)
                                .arg(folds)
                                .arg(step + 1)
                                .arg(value));
            }
            foldOptimizer.zeroGrad();
            loss.backward();
            foldOptimizer.step();
            if (progress)
                progress(fold * steps + step + 1, folds * steps);
        }
        c10::InferenceMode inferenceMode;
        const auto pass =
            foldNetwork.forward(features.index_select(0, heldOut),
                                classes.defined() ? classes.index_select(0, heldOut) : at::Tensor(),
                                false,
                                nullptr);
        scores.index_copy_(0, heldOut, pass.itemLoss);
    }
    if (!at::isfinite(scores).all().item<bool>())
        return fail(QStringLiteral("Cross-fitting produced a non-finite anomaly score. Try a "
                                   "smaller learning rate."));
    crossFittedScore = scores;
    return success();
}

at::Tensor
ActiveLoop::Impl::layerScore(const at::Tensor &itemLoss, std::int64_t start, std::int64_t end) const
{
    return crossFittedScore.defined() ? crossFittedScore.slice(0, start, end) : itemLoss;
}

/// Returns false, with the report partly filled, when stop became true; it is checked between
/// chunks so that closing the window does not wait for a whole rescoring of a large dataset.
bool ActiveLoop::Impl::score(RoundReport &report, const std::atomic_bool *stop) const
{
    c10::InferenceMode inferenceMode;
    const std::int64_t itemCount = features.size(0);
    const int latentSize = network->latentSize();
    report.latentSize = latentSize;
    report.latent.resize(static_cast<size_t>(itemCount * latentSize));
    report.baseScore.resize(static_cast<size_t>(itemCount));
    report.uaiLogit.resize(static_cast<size_t>(itemCount));

    for (std::int64_t start = 0; start < itemCount; start += settings.scoringChunk) {
        if (stop && stop->load(std::memory_order_relaxed))
            return false;
        const std::int64_t end = std::min<std::int64_t>(start + settings.scoringChunk, itemCount);
        const at::Tensor chunkClasses =
            classes.defined() ? classes.slice(0, start, end) : at::Tensor();
        const auto pass =
            network->forward(features.slice(0, start, end), chunkClasses, false, nullptr);
        const at::Tensor itemScore = layerScore(pass.itemLoss, start, end);
        const at::Tensor logits =
            network->uaiLogit(pass.latent, itemScore, extraScoresOf(start, end));
        const auto count = static_cast<size_t>(end - start);
        std::memcpy(report.latent.data() + start * latentSize,
                    pass.latent.contiguous().data_ptr<float>(),
                    count * latentSize * sizeof(float));
        std::memcpy(report.baseScore.data() + start,
                    itemScore.contiguous().data_ptr<float>(),
                    count * sizeof(float));
        std::memcpy(report.uaiLogit.data() + start,
                    logits.contiguous().data_ptr<float>(),
                    count * sizeof(float));
    }

    report.extraScore = isolationScores;

    // Reported on the raw inputs, so that charts can draw the boundary in latent-score space.
    const auto [rawWeight, rawBias] = network->uaiLayerOnRawInputs();
    const at::Tensor weight = rawWeight.contiguous();
    report.uaiWeights.assign(weight.data_ptr<float>(), weight.data_ptr<float>() + weight.numel());
    report.uaiBias = rawBias;
    return true;
}

/// Applies the switch rule: whether the UAI layer, trained on these verdict counts, ranks the
/// queue instead of the base anomaly score. The confidence rule samples the rankings' posteriors
/// when sample is true and compares their means otherwise.
bool ActiveLoop::Impl::rankByUai(qsizetype anomalies, qsizetype normals, bool sample)
{
    switch (settings.switchRule) {
    case SwitchRule::Automatic: // create() resolves it
    case SwitchRule::BothVerdicts:
        return anomalies > 0 && normals > 0;
    case SwitchRule::SecondRound:
        return anomalies + normals > 0;
    case SwitchRule::Never:
        return false;
    case SwitchRule::Confidence:
        break;
    }
    // As with both-verdicts, a layer that has seen only one kind of verdict does not rank.
    if (anomalies == 0 || normals == 0)
        return false;
    if (!sample)
        return uaiRecord.meanHitRate() >= baseRecord.meanHitRate();
    const double uaiDraw =
        sampleBeta(1.0 + uaiRecord.anomalies, 1.0 + uaiRecord.normals, switchGenerator);
    const double baseDraw =
        sampleBeta(1.0 + baseRecord.anomalies, 1.0 + baseRecord.normals, switchGenerator);
    return uaiDraw >= baseDraw;
}

/// Adds the verdicts on the latest queue to the records of the rankings that had each item among
/// their top k, after discounting the older records. Items without a verdict yet, and unsure
/// ones, count for neither.
void ActiveLoop::Impl::creditLastQueue()
{
    if (lastQueue.empty())
        return;
    for (RankingRecord *record : {&uaiRecord, &baseRecord}) {
        record->anomalies *= kRecordDiscount;
        record->normals *= kRecordDiscount;
    }
    std::lock_guard lock(verdictMutex);
    for (const QueuedItem &queued : lastQueue) {
        const auto verdict = verdicts[static_cast<size_t>(queued.item)];
        const bool anomaly = verdict == static_cast<std::int8_t>(Verdict::Anomaly);
        const bool normal = verdict == static_cast<std::int8_t>(Verdict::Normal);
        if (!anomaly && !normal)
            continue;
        for (auto [top, record] :
             {std::pair{queued.topByUai, &uaiRecord}, std::pair{queued.topByBase, &baseRecord}}) {
            if (top)
                (anomaly ? record->anomalies : record->normals) += 1.0;
        }
    }
    lastQueue.clear();
}

/// Starts the UAI layer as the base ranking on standardised inputs, from the means and standard
/// deviations of the latent vectors, anomaly scores and extra scores of every item.
void ActiveLoop::Impl::anchorUaiLayer()
{
    at::Tensor mean;
    at::Tensor scale;
    {
        c10::InferenceMode inferenceMode;
        const std::int64_t itemCount = features.size(0);
        const int inputs = network->uaiInputCount();
        at::Tensor sum = at::zeros({inputs}, at::kDouble);
        at::Tensor squares = at::zeros({inputs}, at::kDouble);
        for (std::int64_t start = 0; start < itemCount; start += settings.scoringChunk) {
            const std::int64_t end =
                std::min<std::int64_t>(start + settings.scoringChunk, itemCount);
            const at::Tensor chunkClasses =
                classes.defined() ? classes.slice(0, start, end) : at::Tensor();
            const auto pass =
                network->forward(features.slice(0, start, end), chunkClasses, false, nullptr);
            std::vector<at::Tensor> columns{pass.latent,
                                            layerScore(pass.itemLoss, start, end).unsqueeze(1)};
            if (extraScores.defined())
                columns.push_back(extraScores.slice(0, start, end));
            const at::Tensor values = at::cat(columns, 1).to(at::kDouble);
            sum += values.sum(0);
            squares += values.pow(2).sum(0);
        }
        mean = sum / double(itemCount);
        scale = (squares / double(itemCount) - mean.pow(2)).clamp_min(0.0).sqrt();
    }
    // Tensors made in inference mode cannot take part in training, so the layer gets copies.
    mean = mean.to(at::kFloat).clone();
    scale = scale.to(at::kFloat).clone();
    if (!at::isfinite(mean).all().item<bool>() || !at::isfinite(scale).all().item<bool>())
        throw std::runtime_error("the latent vectors or anomaly scores are not finite");
    network->anchorUaiLayer(mean, scale);
}

namespace {

/// Returns the k unlabeled items with the highest key. Equal keys keep item order, so that a seed
/// reproduces the queue.
std::vector<qsizetype>
topItems(std::vector<qsizetype> candidates, const std::vector<float> &key, size_t k)
{
    const auto take = std::min(candidates.size(), k);
    std::partial_sort(candidates.begin(),
                      candidates.begin() + static_cast<std::ptrdiff_t>(take),
                      candidates.end(),
                      [&key](qsizetype a, qsizetype b) {
                          if (key[a] != key[b])
                              return key[a] > key[b];
                          return a < b;
                      });
    candidates.resize(take);
    return candidates;
}

} // namespace

/// Returns, for every item, the value the base ranking sorts by (see BaseRanking).
std::vector<float> ActiveLoop::Impl::baseRankingKey(const RoundReport &report) const
{
    switch (settings.baseRanking) {
    case BaseRanking::Automatic: // create() resolves it
    case BaseRanking::AnomalyScore:
        break;
    case BaseRanking::IsolationForest:
        return report.extraScore;
    case BaseRanking::Mixed: {
        // The sum of the item's ranks (0 for the lowest value) in both orderings, which sorts as
        // the mean percentile does. Equal values rank by item order. Sums stay exact in a float
        // up to 2^23 items.
        std::vector<float> key(report.baseScore.size(), 0.0f);
        for (const std::vector<float> *score : {&report.baseScore, &report.extraScore}) {
            std::vector<qsizetype> order(score->size());
            std::iota(order.begin(), order.end(), qsizetype(0));
            std::stable_sort(order.begin(), order.end(), [score](qsizetype a, qsizetype b) {
                return (*score)[size_t(a)] < (*score)[size_t(b)];
            });
            for (size_t rank = 0; rank < order.size(); ++rank)
                key[size_t(order[rank])] += float(rank);
        }
        return key;
    }
    case BaseRanking::Interleaved: {
        // Key -min(2 * forest rank, 2 * score rank + 1), ranks counted from the top: the
        // highest keys alternate between the two rankings' top items. Exact in a float up to
        // 2^23 items.
        const std::vector<float> *rankings[] = {&report.extraScore, &report.baseScore};
        std::vector<float> key(report.baseScore.size(), -std::numeric_limits<float>::max());
        for (int which = 0; which < 2; ++which) {
            const std::vector<float> &score = *rankings[which];
            std::vector<qsizetype> order(score.size());
            std::iota(order.begin(), order.end(), qsizetype(0));
            std::stable_sort(order.begin(), order.end(), [&score](qsizetype a, qsizetype b) {
                return score[size_t(a)] > score[size_t(b)];
            });
            for (size_t rank = 0; rank < order.size(); ++rank) {
                float &value = key[size_t(order[rank])];
                value = std::max(value, -float(2 * rank + size_t(which)));
            }
        }
        return key;
    }
    case BaseRanking::Adaptive: {
        std::vector<std::int8_t> known;
        {
            std::lock_guard lock(verdictMutex);
            known = verdicts;
        }
        const auto judged =
            static_cast<size_t>(std::count_if(known.begin(), known.end(), [](std::int8_t verdict) {
                return verdict == static_cast<std::int8_t>(Verdict::Anomaly)
                       || verdict == static_cast<std::int8_t>(Verdict::Normal);
            }));
        // Share of anomalies among the verdicts on the ranking's top `judged` items, with one
        // anomaly and one normal verdict added so that no verdicts count one half.
        const auto hitRate = [&known, judged](const std::vector<float> &score) {
            std::vector<qsizetype> order(score.size());
            std::iota(order.begin(), order.end(), qsizetype(0));
            const auto top = order.begin() + static_cast<std::ptrdiff_t>(judged);
            std::partial_sort(order.begin(), top, order.end(), [&score](qsizetype a, qsizetype b) {
                return score[size_t(a)] > score[size_t(b)]
                       || (score[size_t(a)] == score[size_t(b)] && a < b);
            });
            double anomalies = 1.0;
            double total = 2.0;
            for (auto item = order.begin(); item != top; ++item) {
                const std::int8_t verdict = known[size_t(*item)];
                if (verdict == static_cast<std::int8_t>(Verdict::Anomaly)) {
                    anomalies += 1.0;
                    total += 1.0;
                } else if (verdict == static_cast<std::int8_t>(Verdict::Normal)) {
                    total += 1.0;
                }
            }
            return anomalies / total;
        };
        return hitRate(report.extraScore) >= hitRate(report.baseScore) ? report.extraScore
                                                                       : report.baseScore;
    }
    case BaseRanking::ForestLayer:
    case BaseRanking::ScoreForestLayer: {
        std::vector<qsizetype> anomalies;
        std::vector<qsizetype> normals;
        {
            std::lock_guard lock(verdictMutex);
            for (size_t i = 0; i < verdicts.size(); ++i) {
                if (verdicts[i] == static_cast<std::int8_t>(Verdict::Anomaly))
                    anomalies.push_back(static_cast<qsizetype>(i));
                else if (verdicts[i] == static_cast<std::int8_t>(Verdict::Normal))
                    normals.push_back(static_cast<qsizetype>(i));
            }
        }
        if (settings.baseRanking == BaseRanking::ForestLayer)
            return forestLayer->rank(anomalies, normals);
        const std::vector<float> anchor = ForestLayer::scoreAnchor(report.baseScore);
        return forestLayer->rank(anomalies, normals, &anchor);
    }
    }
    return report.baseScore;
}

void ActiveLoop::Impl::select(RoundReport &report, bool byUai)
{
    std::vector<qsizetype> candidates;
    {
        std::lock_guard lock(verdictMutex);
        candidates.reserve(verdicts.size() - static_cast<size_t>(verdictTotal));
        for (size_t i = 0; i < verdicts.size(); ++i) {
            if (verdicts[i] == kNoVerdict)
                candidates.push_back(static_cast<qsizetype>(i));
        }
    }
    const auto k = static_cast<size_t>(settings.queueSize);
    const std::vector<float> baseKey = baseRankingKey(report);
    report.queue = topItems(candidates, byUai ? report.uaiLogit : baseKey, k);
    report.rankedByUai = byUai;
    if (settings.baseRanking != BaseRanking::AnomalyScore)
        report.baseRankingKey = baseKey;

    // Only the confidence rule reads the rankings' records, so the other rules skip them. The
    // other ranking's top k determines which items count for both rankings.
    lastQueue.clear();
    if (settings.switchRule != SwitchRule::Confidence)
        return;
    const std::vector<qsizetype> otherTop =
        topItems(std::move(candidates), byUai ? baseKey : report.uaiLogit, k);
    for (const qsizetype item : report.queue) {
        const bool inOther = std::find(otherTop.begin(), otherTop.end(), item) != otherTop.end();
        lastQueue.push_back({item, byUai || inOther, !byUai || inOther});
    }
}

std::vector<at::Tensor> ActiveLoop::Impl::snapshotWeights() const
{
    std::vector<at::Tensor> state;
    for (const auto &parameter : network->parameters())
        state.push_back(parameter.detach().clone());
    for (const auto &accumulator : optimizer->accumulators())
        state.push_back(accumulator.clone());
    return state;
}

void ActiveLoop::Impl::restoreWeights(const std::vector<at::Tensor> &state)
{
    at::NoGradGuard noGrad;
    size_t i = 0;
    for (auto &parameter : network->parameters())
        parameter.copy_(state[i++]);
    for (auto &accumulator : optimizer->accumulators())
        accumulator.copy_(state[i++]);
}

ActiveLoop::ActiveLoop(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{}

ActiveLoop::~ActiveLoop() = default;

Result<std::unique_ptr<ActiveLoop>> ActiveLoop::create(std::shared_ptr<const Dataset> dataset,
                                                       const LoopSettings &settings)
{
    if (!dataset)
        return fail(QStringLiteral("No dataset was given to the active-learning loop."));
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return fail(QStringLiteral("Invalid settings: %1.").arg(problem));
    if (const QString problem = dataset->checkConsistency(); !problem.isEmpty())
        return fail(
            QStringLiteral("Dataset \"%1\" is inconsistent: %2.").arg(dataset->name, problem));
    if (settings.model == ModelKind::Classifier && !dataset->hasClasses()) {
        return fail(QStringLiteral("The classifier model needs a class column, and dataset \"%1\" "
                                   "has none. Name one (command line: --class-column) or use the "
                                   "autoencoder model.")
                        .arg(dataset->name));
    }
    if (settings.model == ModelKind::Classifier && dataset->classNames.size() < 2) {
        return fail(QStringLiteral("The classifier model needs at least two classes; dataset "
                                   "\"%1\" has %2.")
                        .arg(dataset->name)
                        .arg(dataset->classNames.size()));
    }

    try {
        auto impl = std::make_unique<Impl>();
        impl->dataset = dataset;
        impl->settings = settings;
        impl->settings.baseRanking = settings.resolvedBaseRanking(*dataset);
        impl->settings.switchRule = settings.resolvedSwitchRule(*dataset);
        impl->generator = at::detail::createCPUGenerator(settings.seed);
        impl->switchGenerator.seed(settings.seed);
        impl->features = at::from_blob(const_cast<float *>(dataset->features.data()),
                                       {dataset->itemCount, dataset->featureCount},
                                       at::kFloat);
        if (settings.model == ModelKind::Classifier) {
            std::vector<std::int64_t> classes(dataset->classes.begin(), dataset->classes.end());
            impl->classes = at::from_blob(classes.data(),
                                          {static_cast<std::int64_t>(classes.size())},
                                          at::kLong)
                                .clone();
        }
        impl->network = std::make_unique<UaiNetwork>(settings.model,
                                                     static_cast<int>(dataset->featureCount),
                                                     static_cast<int>(dataset->classNames.size()),
                                                     settings.hiddenSizes,
                                                     settings.inputNoise,
                                                     impl->generator,
                                                     settings.extraScoreCount());
        impl->optimizer =
            std::make_unique<TfRmsprop>(impl->network->parameters(), settings.learningRate);
        impl->verdicts.assign(static_cast<size_t>(dataset->itemCount), kNoVerdict);
        return std::unique_ptr<ActiveLoop>(new ActiveLoop(std::move(impl)));
    } catch (const std::exception &error) {
        return fail(QStringLiteral("Cannot build the network for \"%1\": %2")
                        .arg(dataset->name, QString::fromUtf8(error.what())));
    }
}

Status ActiveLoop::pretrain(const Progress &progress, const std::atomic_bool *stop)
{
    if (const Status scored = d->ensureIsolationScores(); !scored.ok())
        return scored;
    const auto start = std::chrono::steady_clock::now();
    const int steps = d->settings.pretrainSteps;
    const int folds = crossFitFolds(d->dataset->itemCount);
    const int foldSteps = crossFitSteps(steps);
    const int totalSteps = steps + folds * foldSteps;
    try {
        // A step with a finite loss can still leave non-finite weights, which only the next
        // step's loss reveals, so a failed run falls back to the weights it started from.
        const auto before = d->snapshotWeights();
        Status trained = d->train(
            steps,
            nullptr,
            progress ? Progress([&](int done, int) { progress(done, totalSteps); }) : Progress(),
            stop,
            nullptr);
        if (trained.ok() && folds > 0) {
            trained = d->crossFit(
                folds,
                progress ? Progress([&](int done, int) { progress(steps + done, totalSteps); })
                         : Progress(),
                stop);
        }
        if (!trained.ok()) {
            d->restoreWeights(before);
            d->crossFittedScore = at::Tensor();
            return fail(trained.error()
                        + QStringLiteral(" The weights from before pretraining were kept."));
        }
    } catch (const std::exception &error) {
        return fail(QStringLiteral("Pretraining failed: %1").arg(QString::fromUtf8(error.what())));
    }
    if (d->settings.layerStart == UaiLayerStart::BaseScore) {
        try {
            d->anchorUaiLayer();
        } catch (const std::exception &error) {
            return fail(QStringLiteral("Cannot start the UAI layer from the base ranking: %1. "
                                       "Try a smaller learning rate or --layer-start random.")
                            .arg(QString::fromUtf8(error.what())));
        }
    }
    d->pretrained = true;
    qCDebug(lcLoop) << "pretrained" << steps << "steps and" << folds << "cross-fitted folds in"
                    << secondsSince(start) << "s";
    return success();
}

Result<RoundReport> ActiveLoop::runRound(const Progress &progress, const std::atomic_bool *stop)
{
    if (const Status scored = d->ensureIsolationScores(); !scored.ok())
        return fail(scored.error());
    RoundReport report;
    report.round = d->rounds + 1;
    try {
        d->creditLastQueue();
        const VerdictSnapshot verdicts = d->snapshotVerdicts();
        report.anomalyVerdicts = verdicts.anomalies;
        report.normalVerdicts = verdicts.normals;
        const auto before = d->snapshotWeights();

        const auto trainStart = std::chrono::steady_clock::now();
        LossTail tail;
        tail.firstCounted = d->settings.roundSteps - std::max(1, d->settings.roundSteps / 10);
        const Status trained = d->train(d->settings.roundSteps, &verdicts, progress, stop, &tail);
        if (!trained.ok()) {
            d->restoreWeights(before);
            return fail(trained.error()
                        + QStringLiteral(" The weights from before the round were kept."));
        }
        report.trainSeconds = secondsSince(trainStart);
        if (tail.counted > 0) {
            report.baseLoss = tail.base / tail.counted;
            report.uaiLoss = tail.uai / tail.counted;
        }

        const auto scoreStart = std::chrono::steady_clock::now();
        if (!d->score(report, stop)) {
            d->restoreWeights(before);
            return fail(QStringLiteral("Round %1 stopped while rescoring the items. The weights "
                                       "from before the round were kept.")
                            .arg(report.round));
        }
        report.scoreSeconds = secondsSince(scoreStart);
        const bool finite = std::all_of(report.baseScore.begin(),
                                        report.baseScore.end(),
                                        [](float v) { return std::isfinite(v); })
                            && std::all_of(report.uaiLogit.begin(),
                                           report.uaiLogit.end(),
                                           [](float v) { return std::isfinite(v); });
        if (!finite) {
            d->restoreWeights(before);
            return fail(QStringLiteral("Round %1 produced a non-finite anomaly score; the weights "
                                       "from before the round were kept. Try a smaller learning "
                                       "rate.")
                            .arg(report.round));
        }

        const auto selectStart = std::chrono::steady_clock::now();
        d->select(report, d->rankByUai(verdicts.anomalies, verdicts.normals, true));
        report.selectSeconds = secondsSince(selectStart);
    } catch (const std::exception &error) {
        return fail(QStringLiteral("Round %1 failed: %2")
                        .arg(report.round)
                        .arg(QString::fromUtf8(error.what())));
    }
    ++d->rounds;
    qCDebug(lcLoop) << "round" << report.round << "trained on" << report.anomalyVerdicts
                    << "anomaly and" << report.normalVerdicts << "normal verdicts; train"
                    << report.trainSeconds << "s, score" << report.scoreSeconds << "s, select"
                    << report.selectSeconds << "s";
    return report;
}

Result<RoundReport> ActiveLoop::rankWithoutTraining()
{
    if (const Status scored = d->ensureIsolationScores(); !scored.ok())
        return fail(scored.error());
    RoundReport report;
    report.round = d->rounds;
    try {
        const auto scoreStart = std::chrono::steady_clock::now();
        d->score(report);
        report.scoreSeconds = secondsSince(scoreStart);
        // After a restore the layer has trained on the verdicts it holds; right after
        // pretraining it has trained on none.
        bool byUai = false;
        if (d->rounds > 0) {
            const VerdictSnapshot verdicts = d->snapshotVerdicts();
            report.anomalyVerdicts = verdicts.anomalies;
            report.normalVerdicts = verdicts.normals;
            byUai = d->rankByUai(verdicts.anomalies, verdicts.normals, false);
        }
        d->select(report, byUai);
    } catch (const std::exception &error) {
        return fail(QStringLiteral("Scoring failed: %1").arg(QString::fromUtf8(error.what())));
    }
    const auto isFinite = [](float v) { return std::isfinite(v); };
    const bool finite = std::all_of(report.baseScore.begin(), report.baseScore.end(), isFinite)
                        && std::all_of(report.uaiLogit.begin(), report.uaiLogit.end(), isFinite);
    if (!finite) {
        return fail(QStringLiteral("The model produced a non-finite anomaly score or UAI logit. "
                                   "Try a smaller learning rate."));
    }
    return report;
}

std::vector<float> ActiveLoop::reconstruct(const std::vector<qsizetype> &items) const
{
    if (d->settings.model != ModelKind::Autoencoder || items.empty())
        return {};
    c10::InferenceMode inferenceMode;
    std::vector<std::int64_t> rows(items.begin(), items.end());
    const at::Tensor index =
        at::from_blob(rows.data(), {static_cast<std::int64_t>(rows.size())}, at::kLong);
    const at::Tensor output =
        d->network->reconstruct(d->features.index_select(0, index)).contiguous();
    return std::vector<float>(output.data_ptr<float>(), output.data_ptr<float>() + output.numel());
}

QByteArray ActiveLoop::saveState() const
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << kStateMagic << kStateVersion << qint32(d->rounds) << d->pretrained
        << quint32(d->network->extraInputCount());
    const auto state = d->snapshotWeights();
    out << quint32(state.size());
    for (const at::Tensor &tensor : state) {
        const at::Tensor values = tensor.contiguous();
        out << qint64(values.numel());
        out.writeRawData(reinterpret_cast<const char *>(values.data_ptr<float>()),
                         static_cast<int>(values.numel() * sizeof(float)));
    }
    out << d->uaiRecord.anomalies << d->uaiRecord.normals << d->baseRecord.anomalies
        << d->baseRecord.normals << quint32(d->lastQueue.size());
    for (const QueuedItem &queued : d->lastQueue)
        out << qint64(queued.item) << queued.topByUai << queued.topByBase;
    const at::Tensor &mean = d->network->uaiInputMean();
    const at::Tensor &scale = d->network->uaiInputScale();
    out << mean.defined();
    if (mean.defined()) {
        const at::Tensor values = at::cat({mean, scale}).contiguous();
        out << qint64(values.numel());
        out.writeRawData(reinterpret_cast<const char *>(values.data_ptr<float>()),
                         static_cast<int>(values.numel() * sizeof(float)));
    }
    out << d->crossFittedScore.defined();
    if (d->crossFittedScore.defined()) {
        const at::Tensor values = d->crossFittedScore.contiguous();
        out << qint64(values.numel());
        out.writeRawData(reinterpret_cast<const char *>(values.data_ptr<float>()),
                         static_cast<int>(values.numel() * sizeof(float)));
    }
    return bytes;
}

Status ActiveLoop::restoreState(const QByteArray &bytes)
{
    if (const Status scored = d->ensureIsolationScores(); !scored.ok())
        return scored;
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint32 version = 0;
    qint32 rounds = 0;
    bool pretrained = false;
    quint32 extraInputs = 0;
    quint32 count = 0;
    in >> magic >> version >> rounds >> pretrained;
    if (in.status() != QDataStream::Ok || magic != kStateMagic)
        return fail(QStringLiteral("The saved model state is damaged or not a model state."));
    if (version < 1 || version > kStateVersion)
        return fail(QStringLiteral("The saved model state has version %1; this build reads "
                                   "versions 1 to %2.")
                        .arg(version)
                        .arg(kStateVersion));
    if (version >= 3)
        in >> extraInputs;
    in >> count;
    if (in.status() != QDataStream::Ok)
        return fail(QStringLiteral("The saved model state is truncated."));
    if (extraInputs != quint32(d->network->extraInputCount())) {
        const auto inputs = [](quint32 n) {
            return n == 1 ? QStringLiteral("1 extra-score input")
                          : QStringLiteral("%1 extra-score inputs").arg(n);
        };
        return fail(QStringLiteral("The saved model state does not fit these settings: its UAI "
                                   "layer has %1 and these settings give it %2. Open it with the "
                                   "extra score it was saved with (command line: --extra-score).")
                        .arg(inputs(extraInputs), inputs(quint32(d->network->extraInputCount()))));
    }
    std::vector<at::Tensor> state = d->snapshotWeights();
    if (count != state.size())
        return fail(QStringLiteral("The saved model state has %1 tensors; this network has %2. "
                                   "Was it saved with other hidden sizes or another model?")
                        .arg(count)
                        .arg(state.size()));
    for (at::Tensor &tensor : state) {
        qint64 numel = 0;
        in >> numel;
        if (in.status() != QDataStream::Ok || numel != tensor.numel())
            return fail(QStringLiteral("The saved model state does not fit this network: a "
                                       "tensor has %1 values, expected %2.")
                            .arg(numel)
                            .arg(tensor.numel()));
        const auto byteCount = static_cast<int>(numel * sizeof(float));
        if (in.readRawData(reinterpret_cast<char *>(tensor.data_ptr<float>()), byteCount)
            != byteCount)
            return fail(QStringLiteral("The saved model state is truncated."));
    }
    RankingRecord uaiRecord;
    RankingRecord baseRecord;
    std::vector<QueuedItem> lastQueue;
    at::Tensor standardisation;
    if (version >= 2) {
        quint32 queued = 0;
        in >> uaiRecord.anomalies >> uaiRecord.normals >> baseRecord.anomalies >> baseRecord.normals
            >> queued;
        const auto finiteCount = [](double v) { return std::isfinite(v) && v >= 0.0; };
        if (in.status() != QDataStream::Ok || !finiteCount(uaiRecord.anomalies)
            || !finiteCount(uaiRecord.normals) || !finiteCount(baseRecord.anomalies)
            || !finiteCount(baseRecord.normals) || queued > d->verdicts.size())
            return fail(QStringLiteral("The saved model state has damaged ranking records."));
        for (quint32 i = 0; i < queued; ++i) {
            qint64 item = -1;
            QueuedItem entry;
            in >> item >> entry.topByUai >> entry.topByBase;
            if (in.status() != QDataStream::Ok || item < 0
                || static_cast<quint64>(item) >= d->verdicts.size())
                return fail(QStringLiteral("The saved model state names a queued item that this "
                                           "dataset does not have."));
            entry.item = static_cast<qsizetype>(item);
            lastQueue.push_back(entry);
        }
        bool standardised = false;
        in >> standardised;
        if (standardised) {
            const std::int64_t inputs = d->network->uaiInputCount();
            qint64 numel = 0;
            in >> numel;
            if (in.status() != QDataStream::Ok || numel != 2 * inputs)
                return fail(QStringLiteral("The saved model state has a UAI layer "
                                           "standardisation that does not fit this network."));
            standardisation = at::empty({2 * inputs}, at::kFloat);
            const auto byteCount = static_cast<int>(numel * sizeof(float));
            if (in.readRawData(reinterpret_cast<char *>(standardisation.data_ptr<float>()),
                               byteCount)
                != byteCount)
                return fail(QStringLiteral("The saved model state is truncated."));
        }
    }
    at::Tensor crossFittedScore;
    if (version >= 4) {
        bool crossFitted = false;
        in >> crossFitted;
        if (crossFitted) {
            const auto itemCount = static_cast<qint64>(d->verdicts.size());
            qint64 numel = 0;
            in >> numel;
            if (in.status() != QDataStream::Ok || numel != itemCount)
                return fail(QStringLiteral("The saved model state has %1 cross-fitted anomaly "
                                           "scores; this dataset has %2 items.")
                                .arg(numel)
                                .arg(itemCount));
            crossFittedScore = at::empty({itemCount}, at::kFloat);
            const auto byteCount = static_cast<int>(numel * sizeof(float));
            if (in.readRawData(reinterpret_cast<char *>(crossFittedScore.data_ptr<float>()),
                               byteCount)
                != byteCount)
                return fail(QStringLiteral("The saved model state is truncated."));
            if (!at::isfinite(crossFittedScore).all().item<bool>())
                return fail(QStringLiteral("The saved model state has a non-finite cross-fitted "
                                           "anomaly score."));
        }
    }
    if (in.status() != QDataStream::Ok)
        return fail(QStringLiteral("The saved model state is truncated."));
    if (!in.atEnd())
        return fail(QStringLiteral("The saved model state has trailing bytes."));
    d->restoreWeights(state);
    d->rounds = rounds;
    d->pretrained = pretrained;
    d->uaiRecord = uaiRecord;
    d->baseRecord = baseRecord;
    d->lastQueue = std::move(lastQueue);
    d->crossFittedScore = crossFittedScore;
    if (standardisation.defined()) {
        const std::int64_t inputs = d->network->uaiInputCount();
        d->network->setUaiInputStandardisation(standardisation.slice(0, 0, inputs),
                                               standardisation.slice(0, inputs));
    }
    return success();
}

void ActiveLoop::submitVerdict(qsizetype item, Verdict verdict)
{
    std::lock_guard lock(d->verdictMutex);
    Q_ASSERT(item >= 0 && static_cast<size_t>(item) < d->verdicts.size());
    auto &slot = d->verdicts[static_cast<size_t>(item)];
    if (slot == kNoVerdict)
        ++d->verdictTotal;
    slot = static_cast<std::int8_t>(verdict);
}

void ActiveLoop::withdrawVerdict(qsizetype item)
{
    std::lock_guard lock(d->verdictMutex);
    Q_ASSERT(item >= 0 && static_cast<size_t>(item) < d->verdicts.size());
    auto &slot = d->verdicts[static_cast<size_t>(item)];
    if (slot != kNoVerdict)
        --d->verdictTotal;
    slot = kNoVerdict;
}

std::optional<Verdict> ActiveLoop::verdictFor(qsizetype item) const
{
    std::lock_guard lock(d->verdictMutex);
    const auto slot = d->verdicts.at(static_cast<size_t>(item));
    if (slot == kNoVerdict)
        return std::nullopt;
    return static_cast<Verdict>(slot);
}

qsizetype ActiveLoop::verdictCount() const
{
    std::lock_guard lock(d->verdictMutex);
    return d->verdictTotal;
}

qsizetype ActiveLoop::unlabeledCount() const
{
    std::lock_guard lock(d->verdictMutex);
    return static_cast<qsizetype>(d->verdicts.size()) - d->verdictTotal;
}

int ActiveLoop::roundsDone() const
{
    return d->rounds;
}

bool ActiveLoop::scoresAreCrossFitted() const
{
    return d->crossFittedScore.defined();
}

int ActiveLoop::crossFitSteps(int pretrainSteps)
{
    return std::min(pretrainSteps, kCrossFitMaxSteps);
}

int ActiveLoop::crossFitFolds(qsizetype itemCount)
{
    if (itemCount < 2 || itemCount > kCrossFitMaxItems)
        return 0;
    return static_cast<int>(std::min<qsizetype>(kCrossFitFolds, itemCount));
}

bool ActiveLoop::isPretrained() const
{
    return d->pretrained;
}

const LoopSettings &ActiveLoop::settings() const
{
    return d->settings;
}

const Dataset &ActiveLoop::dataset() const
{
    return *d->dataset;
}

} // namespace uai
