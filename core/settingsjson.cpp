#include "settingsjson.h"

#include "dataset.h"

#include <QJsonArray>

namespace uai {

namespace {

const QLatin1String kModel("model");
const QLatin1String kHidden("hidden_sizes");
const QLatin1String kQueueSize("queue_size");
const QLatin1String kPretrainSteps("pretrain_steps");
const QLatin1String kRoundSteps("round_steps");
const QLatin1String kBatchSize("batch_size");
const QLatin1String kLearningRate("learning_rate");
const QLatin1String kInputNoise("input_noise");
const QLatin1String kSwitchRule("switch_rule");
const QLatin1String kLayerStart("layer_start");
const QLatin1String kExtraScore("extra_score");
const QLatin1String kBaseRanking("base_ranking");
// Version of the rule that resolves base_ranking "auto". Version 2 ranks images with the
// autoencoder by the score-anchored forest layer. Files without the key were saved under version
// 1, which ranked them by the anomaly score.
const QLatin1String kAutomaticRankingVersion("automatic_ranking_version");
constexpr int kCurrentAutomaticRanking = 2;
const QLatin1String kSeed("seed");
const QLatin1String kBudget("budget");
const QLatin1String kTruthColumn("truth_column");
const QLatin1String kClassColumn("class_column");
const QLatin1String kMissingCells("missing_cells");
const QLatin1String kImageWidth("image_width");
const QLatin1String kImageHeight("image_height");

Failure wrongType(QLatin1String key, const char *expected)
{
    return fail(
        QStringLiteral("Session setting \"%1\" must be %2.").arg(key, QLatin1String(expected)));
}

} // namespace

QJsonObject sessionSettingsToJson(const SessionSettings &settings)
{
    QJsonArray hidden;
    for (const int size : settings.loop.hiddenSizes)
        hidden.append(size);
    QJsonObject json;
    json[kModel] = modelKindName(settings.loop.model);
    json[kHidden] = hidden;
    json[kQueueSize] = settings.loop.queueSize;
    json[kPretrainSteps] = settings.loop.pretrainSteps;
    json[kRoundSteps] = settings.loop.roundSteps;
    json[kBatchSize] = settings.loop.batchSize;
    json[kLearningRate] = settings.loop.learningRate;
    json[kInputNoise] = settings.loop.inputNoise;
    json[kSwitchRule] = switchRuleName(settings.loop.switchRule);
    json[kLayerStart] = layerStartName(settings.loop.layerStart);
    json[kExtraScore] = extraScoreName(settings.loop.extraScore);
    json[kBaseRanking] = baseRankingName(settings.loop.baseRanking);
    json[kAutomaticRankingVersion] = kCurrentAutomaticRanking;
    // JSON numbers are doubles, so the 64-bit seed travels as text.
    json[kSeed] = QString::number(settings.loop.seed);
    json[kBudget] = double(settings.budget);
    json[kTruthColumn] = settings.source.csv.truthColumn;
    json[kClassColumn] = settings.source.csv.classColumn;
    json[kMissingCells] = settings.source.csv.missingCells == MissingCellPolicy::Reject
                              ? QStringLiteral("reject")
                              : QStringLiteral("median");
    json[kImageWidth] = settings.source.images.targetWidth;
    json[kImageHeight] = settings.source.images.targetHeight;
    return json;
}

Result<SessionSettings> sessionSettingsFromJson(const QJsonObject &json)
{
    SessionSettings settings;
    if (json.contains(kModel)) {
        const QString model = json[kModel].toString();
        if (model == QLatin1String("dae"))
            settings.loop.model = ModelKind::Autoencoder;
        else if (model == QLatin1String("class"))
            settings.loop.model = ModelKind::Classifier;
        else
            return wrongType(kModel, "\"dae\" or \"class\"");
    }
    if (json.contains(kHidden)) {
        if (!json[kHidden].isArray())
            return wrongType(kHidden, "an array of layer sizes");
        settings.loop.hiddenSizes.clear();
        for (const auto &value : json[kHidden].toArray()) {
            if (!value.isDouble())
                return wrongType(kHidden, "an array of layer sizes");
            settings.loop.hiddenSizes.push_back(value.toInt());
        }
    }
    const std::pair<QLatin1String, int *> integers[] = {
        {kQueueSize, &settings.loop.queueSize},
        {kPretrainSteps, &settings.loop.pretrainSteps},
        {kRoundSteps, &settings.loop.roundSteps},
        {kBatchSize, &settings.loop.batchSize},
        {kImageWidth, &settings.source.images.targetWidth},
        {kImageHeight, &settings.source.images.targetHeight},
    };
    for (const auto &[key, target] : integers) {
        if (!json.contains(key))
            continue;
        if (!json[key].isDouble())
            return wrongType(key, "a number");
        *target = json[key].toInt();
    }
    const std::pair<QLatin1String, double *> reals[] = {
        {kLearningRate, &settings.loop.learningRate},
        {kInputNoise, &settings.loop.inputNoise},
    };
    for (const auto &[key, target] : reals) {
        if (!json.contains(key))
            continue;
        if (!json[key].isDouble())
            return wrongType(key, "a number");
        *target = json[key].toDouble();
    }
    if (json.contains(kSwitchRule)) {
        if (!parseSwitchRule(json[kSwitchRule].toString(), &settings.loop.switchRule))
            return wrongType(kSwitchRule,
                             "\"auto\", \"both-verdicts\", \"second-round\", \"confidence\" or "
                             "\"never\"");
    }
    if (json.contains(kLayerStart)
        && !parseLayerStart(json[kLayerStart].toString(), &settings.loop.layerStart))
        return wrongType(kLayerStart, "\"random\" or \"base-score\"");
    if (json.contains(kExtraScore)
        && !parseExtraScore(json[kExtraScore].toString(), &settings.loop.extraScore))
        return wrongType(kExtraScore, "\"none\" or \"iforest\"");
    if (json.contains(kAutomaticRankingVersion) && !json[kAutomaticRankingVersion].isDouble())
        return wrongType(kAutomaticRankingVersion, "a number");
    // Sessions saved before the base ranking was a setting ranked by the anomaly score.
    settings.loop.baseRanking = BaseRanking::AnomalyScore;
    if (json.contains(kBaseRanking)
        && !parseBaseRanking(json[kBaseRanking].toString(), &settings.loop.baseRanking))
        return wrongType(kBaseRanking,
                         "\"auto\", \"score\", \"iforest\", \"mixed\", \"interleaved\", "
                         "\"adaptive\", \"forest-layer\" or \"score-forest-layer\"");
    if (json.contains(kSeed)) {
        bool ok = false;
        settings.loop.seed = json[kSeed].toString().toULongLong(&ok);
        if (!ok)
            return wrongType(kSeed, "an unsigned integer written as text");
        settings.source.seed = settings.loop.seed;
    }
    if (json.contains(kBudget)) {
        if (!json[kBudget].isDouble() || json[kBudget].toDouble() < 1)
            return wrongType(kBudget, "a positive number");
        settings.budget = static_cast<qsizetype>(json[kBudget].toDouble());
    }
    if (json.contains(kTruthColumn))
        settings.source.csv.truthColumn = json[kTruthColumn].toString();
    if (json.contains(kClassColumn))
        settings.source.csv.classColumn = json[kClassColumn].toString();
    if (json.contains(kMissingCells)) {
        const QString policy = json[kMissingCells].toString();
        if (policy == QLatin1String("reject"))
            settings.source.csv.missingCells = MissingCellPolicy::Reject;
        else if (policy == QLatin1String("median"))
            settings.source.csv.missingCells = MissingCellPolicy::ImputeMedian;
        else
            return wrongType(kMissingCells, "\"reject\" or \"median\"");
    }
    if (const QString problem = settings.loop.validate(); !problem.isEmpty())
        return fail(QStringLiteral("Invalid session settings: %1.").arg(problem));
    return settings;
}

void keepSavedAutomaticRanking(const QJsonObject &json, DatasetKind kind, LoopSettings *loop)
{
    const bool savedBeforeImageDefault =
        json[kAutomaticRankingVersion].toInt(1) < kCurrentAutomaticRanking;
    if (savedBeforeImageDefault && kind == DatasetKind::Images
        && loop->baseRanking == BaseRanking::Automatic)
        loop->baseRanking = BaseRanking::AnomalyScore;
}

} // namespace uai
