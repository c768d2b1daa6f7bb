#pragma once

#include "dataset.h"
#include "loopsettings.h"
#include "result.h"
#include "roundreport.h"
#include "verdict.h"

#include <QByteArray>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace uai {

/// The active-learning loop: a base anomaly detector with the UAI layer, the analyst's verdicts,
/// and the queue of the next suspects.
///
/// Use: pretrain() once, then runRound() after each batch of verdicts. Each round trains the
/// full network: the base loss over random batches of all items plus binary cross-entropy over
/// the items with a verdict. It then rescores every item and queues the settings' queueSize
/// unlabeled items with the highest UAI logit. Until the UAI layer has trained on both an
/// anomaly and a normal verdict, the base ranking ranks instead: the base anomaly
/// score unless LoopSettings::baseRanking selects another (see SwitchRule and BaseRanking).
///
/// Threads: pretrain(), runRound() and rankWithoutTraining() must not run concurrently with each
/// other. The verdict functions may be called from any thread at any time, also while a round
/// trains; a verdict that arrives during training is used from the next round on, but its item
/// never enters the queue being built.
class ActiveLoop
{
public:
    /// Receives the number of training steps done and the total of the current call.
    using Progress = std::function<void(int done, int total)>;

    /// Builds the network for the dataset. Fails when the settings are invalid, the dataset is
    /// inconsistent or empty, or the classifier is requested for data without a class column.
    static Result<std::unique_ptr<ActiveLoop>> create(std::shared_ptr<const Dataset> dataset,
                                                      const LoopSettings &settings);
    ~ActiveLoop();
    ActiveLoop(const ActiveLoop &) = delete;
    ActiveLoop &operator=(const ActiveLoop &) = delete;

    /// Largest dataset that gets cross-fitted anomaly scores. The default network has far more
    /// weights than such a table has items and learns to reconstruct (or classify) every item,
    /// a lone outlier included. So each item's score there comes from a network that did not
    /// train on it.
    static constexpr qsizetype kCrossFitMaxItems = 256;
    /// Number of cross-fitting folds, or the item count when the dataset has fewer items.
    static constexpr int kCrossFitFolds = 5;
    /// Returns the number of cross-fitting folds that pretraining runs for a dataset of
    /// itemCount items, or 0 when the network trained on every item scores.
    static int crossFitFolds(qsizetype itemCount);
    /// Returns the training steps of each cross-fitting network: the pretraining steps, at most
    /// 500.
    static int crossFitSteps(int pretrainSteps);

    /// Trains the base model alone for the settings' pretraining steps. On datasets of at most
    /// kCrossFitMaxItems items it then trains one fresh base network per fold on the other
    /// folds' items, for crossFitSteps() steps. From then on each item's anomaly score is
    /// the one its fold's network gave: it ranks the base queue and is the UAI layer's score
    /// input. Progress counts the steps of all networks. Returns a failure when stop becomes
    /// true (checked between steps) or a loss stops being finite. In both cases the weights
    /// from before the call are restored.
    Status pretrain(const Progress &progress = {}, const std::atomic_bool *stop = nullptr);

    /// Trains one round on the verdicts given so far, rescores every item and builds the next
    /// queue. On a stop request or a non-finite loss the round is abandoned, the weights from
    /// before the round are restored, and the failure message gives the reason.
    Result<RoundReport> runRound(const Progress &progress = {},
                                 const std::atomic_bool *stop = nullptr);

    /// Rescores every item and builds a queue with the current weights, without training and
    /// without counting a round. Before the first round the base ranking ranks; after
    /// rounds (or a restored state) the switch rule applies to the verdicts given so far.
    Result<RoundReport> rankWithoutTraining();

    /// Returns the autoencoder's reconstruction of the given items from their clean input, as
    /// items.size() x featureCount floats, row-major; empty for the classifier. Must not run
    /// concurrently with training.
    std::vector<float> reconstruct(const std::vector<qsizetype> &items) const;

    /// Serialises the weights, the optimiser state, the round count and whether pretraining
    /// finished, for a session checkpoint.
    QByteArray saveState() const;
    /// Restores what saveState() wrote. Fails, changing nothing, when the state belongs to a
    /// network of another shape or is damaged.
    Status restoreState(const QByteArray &state);

    /// Records or replaces the verdict for an item index in [0, itemCount).
    void submitVerdict(qsizetype item, Verdict verdict);
    /// Removes the verdict of an item, for undo.
    void withdrawVerdict(qsizetype item);
    std::optional<Verdict> verdictFor(qsizetype item) const;
    /// Number of items with any verdict, unsure included.
    qsizetype verdictCount() const;
    /// Number of items that have no verdict yet.
    qsizetype unlabeledCount() const;

    /// Rounds trained so far.
    int roundsDone() const;
    bool isPretrained() const;
    /// Returns whether the anomaly scores are cross-fitted (see kCrossFitMaxItems).
    bool scoresAreCrossFitted() const;
    const LoopSettings &settings() const;
    const Dataset &dataset() const;

private:
    struct Impl;
    explicit ActiveLoop(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace uai
