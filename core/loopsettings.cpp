#include "loopsettings.h"

#include "dataset.h"

namespace uai {

QString LoopSettings::validate() const
{
    if (hiddenSizes.empty())
        return QStringLiteral("hidden sizes are empty; give at least one layer, such as 256,64,8");
    for (const int size : hiddenSizes) {
        if (size < 1 || size > 4096)
            return QStringLiteral("hidden size %1 is outside 1..4096").arg(size);
    }
    if (queueSize < 1)
        return QStringLiteral("queue size k = %1 must be at least 1").arg(queueSize);
    if (pretrainSteps < 0)
        return QStringLiteral("pretraining steps = %1 must not be negative").arg(pretrainSteps);
    if (roundSteps < 0)
        return QStringLiteral("steps per round = %1 must not be negative").arg(roundSteps);
    if (batchSize < 1)
        return QStringLiteral("batch size = %1 must be at least 1").arg(batchSize);
    if (!(learningRate > 0.0 && learningRate < 10.0))
        return QStringLiteral("learning rate = %1 must be in (0, 10)").arg(learningRate);
    if (!(inputNoise >= 0.0 && inputNoise < 100.0))
        return QStringLiteral("input noise = %1 must be in [0, 100)").arg(inputNoise);
    if (scoringChunk < 1)
        return QStringLiteral("scoring chunk = %1 must be at least 1").arg(scoringChunk);
    return {};
}

QString modelKindName(ModelKind kind)
{
    return kind == ModelKind::Autoencoder ? QStringLiteral("dae") : QStringLiteral("class");
}

QString switchRuleName(SwitchRule rule)
{
    switch (rule) {
    case SwitchRule::Automatic:
        return QStringLiteral("auto");
    case SwitchRule::BothVerdicts:
        return QStringLiteral("both-verdicts");
    case SwitchRule::SecondRound:
        return QStringLiteral("second-round");
    case SwitchRule::Confidence:
        return QStringLiteral("confidence");
    case SwitchRule::Never:
        return QStringLiteral("never");
    }
    return {};
}

bool parseSwitchRule(const QString &name, SwitchRule *rule)
{
    for (const SwitchRule candidate : {SwitchRule::Automatic,
                                       SwitchRule::BothVerdicts,
                                       SwitchRule::SecondRound,
                                       SwitchRule::Confidence,
                                       SwitchRule::Never}) {
        if (name == switchRuleName(candidate)) {
            *rule = candidate;
            return true;
        }
    }
    return false;
}

QString layerStartName(UaiLayerStart start)
{
    return start == UaiLayerStart::Random ? QStringLiteral("random") : QStringLiteral("base-score");
}

bool parseLayerStart(const QString &name, UaiLayerStart *start)
{
    for (const UaiLayerStart candidate : {UaiLayerStart::Random, UaiLayerStart::BaseScore}) {
        if (name == layerStartName(candidate)) {
            *start = candidate;
            return true;
        }
    }
    return false;
}

QString switchRuleChoices()
{
    return QStringLiteral("auto, both-verdicts, second-round, confidence or never");
}

QString extraScoreName(ExtraScore score)
{
    return score == ExtraScore::None ? QStringLiteral("none") : QStringLiteral("iforest");
}

bool parseExtraScore(const QString &name, ExtraScore *score)
{
    for (const ExtraScore candidate : {ExtraScore::None, ExtraScore::IsolationForest}) {
        if (name == extraScoreName(candidate)) {
            *score = candidate;
            return true;
        }
    }
    return false;
}

QString extraScoreChoices()
{
    return QStringLiteral("none or iforest");
}

QString baseRankingName(BaseRanking ranking)
{
    switch (ranking) {
    case BaseRanking::Automatic:
        return QStringLiteral("auto");
    case BaseRanking::AnomalyScore:
        return QStringLiteral("score");
    case BaseRanking::IsolationForest:
        return QStringLiteral("iforest");
    case BaseRanking::Mixed:
        return QStringLiteral("mixed");
    case BaseRanking::Interleaved:
        return QStringLiteral("interleaved");
    case BaseRanking::Adaptive:
        return QStringLiteral("adaptive");
    case BaseRanking::ForestLayer:
        return QStringLiteral("forest-layer");
    case BaseRanking::ScoreForestLayer:
        return QStringLiteral("score-forest-layer");
    }
    return {};
}

bool parseBaseRanking(const QString &name, BaseRanking *ranking)
{
    for (const BaseRanking candidate : {BaseRanking::Automatic,
                                        BaseRanking::AnomalyScore,
                                        BaseRanking::IsolationForest,
                                        BaseRanking::Mixed,
                                        BaseRanking::Interleaved,
                                        BaseRanking::Adaptive,
                                        BaseRanking::ForestLayer,
                                        BaseRanking::ScoreForestLayer}) {
        if (name == baseRankingName(candidate)) {
            *ranking = candidate;
            return true;
        }
    }
    return false;
}

QString baseRankingChoices()
{
    return QStringLiteral(
        "auto, score, iforest, mixed, interleaved, adaptive, forest-layer or score-forest-layer");
}

bool isForestLayer(BaseRanking ranking)
{
    return ranking == BaseRanking::ForestLayer || ranking == BaseRanking::ScoreForestLayer;
}

BaseRanking LoopSettings::resolvedBaseRanking(const Dataset &dataset) const
{
    return resolvedBaseRanking(dataset.kind, dataset.itemCount);
}

BaseRanking LoopSettings::resolvedBaseRanking(DatasetKind kind, qsizetype itemCount) const
{
    if (baseRanking != BaseRanking::Automatic)
        return baseRanking;
    // A forest cannot split a single item.
    if (model != ModelKind::Autoencoder || itemCount < 2)
        return BaseRanking::AnomalyScore;
    return kind == DatasetKind::Table ? BaseRanking::ForestLayer : BaseRanking::ScoreForestLayer;
}

SwitchRule LoopSettings::resolvedSwitchRule(const Dataset &dataset) const
{
    if (switchRule != SwitchRule::Automatic)
        return switchRule;
    return isForestLayer(resolvedBaseRanking(dataset)) ? SwitchRule::Never
                                                       : SwitchRule::BothVerdicts;
}

} // namespace uai
