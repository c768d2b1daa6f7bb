#pragma once

#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <vector>

namespace uai {

/// The base model under the UAI layer.
enum class ModelKind {
    Autoencoder, ///< Denoising autoencoder; anomaly score = squared reconstruction error.
    Classifier,  ///< MLP predicting the class column; anomaly score = cross-entropy of the class.
};

/// When the queue switches from the base model's anomaly score to the UAI layer's output.
enum class SwitchRule {
    /// Never for the forest layers, which learn from the verdicts themselves, and BothVerdicts
    /// otherwise (see resolvedSwitchRule()).
    Automatic,
    /// Rank by the UAI layer once it has trained on at least one anomaly and one normal verdict.
    BothVerdicts,
    /// Rank by the UAI layer from the second round on, whatever the verdicts so far.
    SecondRound,
    /// Once an anomaly and a normal verdict exist, choose each round between the UAI layer and
    /// the base score by the share of anomalies among each one's past picks. Each ranking keeps
    /// a Beta posterior over recent verdicts with older rounds discounted, and one draw per
    /// round decides (Thompson sampling).
    Confidence,
    /// The UAI layer trains on the verdicts but never ranks the queue: the base ranking fills
    /// every queue.
    Never,
};

/// Initial state of the UAI layer before its first verdict.
enum class UaiLayerStart {
    /// Random (Glorot) weights on the raw latent vector and anomaly score, as published.
    Random,
    /// Inputs standardised with their means and deviations over the dataset after pretraining,
    /// and weights that reproduce the base ranking (score weight 1, the rest 0). A few verdicts
    /// then adjust the base ranking instead of replacing it with a random one.
    BaseScore,
};

/// A score the UAI layer reads besides the latent vector and the base model's anomaly score.
enum class ExtraScore {
    None,
    /// The isolation-forest score of each item's features (100 trees of 256 items, grown with the
    /// loop's seed), standardised over the dataset. It is computed once when the loop is built
    /// and does not change with training.
    IsolationForest,
};

struct Dataset;
enum class DatasetKind;

/// The ranking that fills the queue whenever the UAI layer does not: before the switch to the
/// layer, and in the confidence rule's rounds for the base ranking.
enum class BaseRanking {
    /// With the autoencoder on a dataset of at least 2 items: ForestLayer for feature tables and
    /// ScoreForestLayer for image sets. AnomalyScore otherwise; see resolvedBaseRanking(). With
    /// the autoencoder, the forest layer found more anomalies on average than the published
    /// method and every other ranking measured on the benchmark tables
    /// (docs/results/methods.md). The score-anchored forest layer found more than the published
    /// method on all six image sets (docs/results/images.md). Neither can see the classifier's
    /// label corruption.
    Automatic,
    /// The base model's anomaly score, as published.
    AnomalyScore,
    /// The isolation-forest score alone, computed as for ExtraScore::IsolationForest whether or
    /// not the UAI layer reads it.
    IsolationForest,
    /// The mean of each item's percentiles in the anomaly score's and the isolation-forest
    /// score's rankings, so that neither score's scale dominates.
    Mixed,
    /// Each item at the better of its ranks in the anomaly score's and the isolation-forest
    /// score's rankings, so that the queue takes the top items of both in turn (the forest's
    /// first at equal rank).
    Interleaved,
    /// Each round, the anomaly score's or the isolation-forest score's ranking, whichever has
    /// the larger share of anomalies among the verdicts on its top n items. n is the number of
    /// anomaly and normal verdicts so far. Each share counts one extra anomaly and one extra
    /// normal verdict, so a ranking without verdicts counts one half. The forest wins ties.
    Adaptive,
    /// A logistic layer on the isolation forest's leaves, anchored to its score and refitted on
    /// all verdicts each round (see ForestLayer): the forest's ranking, raised near anomaly
    /// verdicts and lowered near normal ones.
    ForestLayer,
    /// The same layer on the forest's leaves, anchored to the base model's anomaly score
    /// (ForestLayer::scoreAnchor() of the round's scores) instead of the forest's score: the
    /// base model's ranking, raised near anomaly verdicts and lowered near normal ones.
    ScoreForestLayer,
};

/// Returns whether the ranking is ForestLayer or ScoreForestLayer, which grow a forest, record
/// its leaves and learn from the verdicts without the UAI layer.
bool isForestLayer(BaseRanking ranking);

/// Hyperparameters of the active-learning loop. The defaults are the published method's:
/// sizes [256, 64, 8], RMSprop with learning rate 0.01, batch 256, 5,000 pretraining steps,
/// 100 steps per round and 10 items per queue.
struct LoopSettings {
    ModelKind model = ModelKind::Autoencoder;
    /// Hidden layer sizes of the encoder (mirrored by the decoder) or of the classifier; the last
    /// one is the latent dimension seen by the UAI layer.
    std::vector<int> hiddenSizes{256, 64, 8};
    int queueSize = 10;
    int pretrainSteps = 5000;
    int roundSteps = 100;
    int batchSize = 256;
    double learningRate = 0.01;
    /// Standard deviation of the Gaussian noise added to the autoencoder's input in training.
    /// The published method leaves it open; 0.1 suits both [0, 1] pixels and standardised columns.
    double inputNoise = 0.1;
    SwitchRule switchRule = SwitchRule::Automatic;
    UaiLayerStart layerStart = UaiLayerStart::Random;
    ExtraScore extraScore = ExtraScore::None;
    BaseRanking baseRanking = BaseRanking::Automatic;
    std::uint64_t seed = 1;
    /// Items scored per forward pass when rescoring the whole dataset. Measured with bench-core
    /// --scoring-chunk on fashion-mnist:0 (784 features) on a 2-core Xeon, chunks of 512 to 2048
    /// took about the same CPU time and 8192 about 20% more, because larger activations spill
    /// out of the cache.
    int scoringChunk = 1024;

    int latentSize() const { return hiddenSizes.empty() ? 0 : hiddenSizes.back(); }
    /// Number of inputs of the UAI layer beyond the latent vector and the base anomaly score.
    int extraScoreCount() const { return extraScore == ExtraScore::None ? 0 : 1; }
    /// The base ranking these settings use on the dataset: baseRanking itself, or for
    /// BaseRanking::Automatic the ranking it stands for there.
    BaseRanking resolvedBaseRanking(const Dataset &dataset) const;
    /// resolvedBaseRanking() for a dataset of this kind and size, before it is loaded.
    BaseRanking resolvedBaseRanking(DatasetKind kind, qsizetype itemCount) const;
    /// The switch rule these settings use on the dataset: switchRule itself, or for
    /// SwitchRule::Automatic, Never when the resolved base ranking is a forest layer and
    /// BothVerdicts otherwise.
    SwitchRule resolvedSwitchRule(const Dataset &dataset) const;

    /// Returns an empty string when the settings are usable, otherwise which field is invalid
    /// and why.
    QString validate() const;
};

/// Returns "dae" or "class", the spelling used on the command line and in files.
QString modelKindName(ModelKind kind);

/// Returns "auto", "both-verdicts", "second-round", "confidence" or "never", the spelling used on
/// the command line and in files.
QString switchRuleName(SwitchRule rule);

/// Parses a switch rule name; returns false for an unknown name.
bool parseSwitchRule(const QString &name, SwitchRule *rule);

/// The accepted switch rule names, for messages: "auto, both-verdicts, second-round, confidence or
/// never".
QString switchRuleChoices();

/// Returns "random" or "base-score", the spelling used on the command line and in files.
QString layerStartName(UaiLayerStart start);

/// Parses a layer start name; returns false for an unknown name.
bool parseLayerStart(const QString &name, UaiLayerStart *start);

/// Returns "none" or "iforest", the spelling used on the command line and in files.
QString extraScoreName(ExtraScore score);

/// Parses an extra score name; returns false for an unknown name.
bool parseExtraScore(const QString &name, ExtraScore *score);

/// The accepted extra score names, for messages: "none or iforest".
QString extraScoreChoices();

/// Returns "auto", "score", "iforest", "mixed", "interleaved", "adaptive", "forest-layer" or
/// "score-forest-layer", the spelling used on the command line and in files.
QString baseRankingName(BaseRanking ranking);

/// Parses a base ranking name; returns false for an unknown name.
bool parseBaseRanking(const QString &name, BaseRanking *ranking);

/// The accepted base ranking names, for messages: "auto, score, iforest, mixed, interleaved,
/// adaptive, forest-layer or score-forest-layer".
QString baseRankingChoices();

} // namespace uai
