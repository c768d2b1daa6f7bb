#include "experimentmethods.h"

#include "loopsettings.h"
#include "simulatedanalyst.h"

QStringList methodNames()
{
    return {QStringLiteral("base"),
            QStringLiteral("uai"),
            QStringLiteral("uai-second-round"),
            QStringLiteral("uai-confidence"),
            QStringLiteral("uai-base-start"),
            QStringLiteral("uai-confidence-noisy10"),
            QStringLiteral("uai-noisy5"),
            QStringLiteral("uai-noisy10"),
            QStringLiteral("iforest"),
            QStringLiteral("uai-iforest"),
            QStringLiteral("uai-iforest-first"),
            QStringLiteral("uai-iforest-mixed"),
            QStringLiteral("iforest-then-uai"),
            QStringLiteral("iforest-confidence"),
            QStringLiteral("mixed-then-uai"),
            QStringLiteral("interleaved-then-uai"),
            QStringLiteral("adaptive-then-uai"),
            QStringLiteral("forest-layer"),
            QStringLiteral("forest-layer-confidence"),
            QStringLiteral("forest-layer-noisy10"),
            QStringLiteral("score-forest-layer")};
}

QString describeMethod(const QString &name)
{
    if (name == QLatin1String("base"))
        return QStringLiteral("the pretrained base model's own ranking, without the UAI layer.");
    if (name == QLatin1String("uai"))
        return QStringLiteral("the published method: the loop with the UAI layer, the base score "
                              "ranking the queue until the layer has an anomaly and a normal "
                              "verdict.");
    if (name == QLatin1String("uai-second-round"))
        return QStringLiteral("the UAI layer ranks from the second round on, before it has seen "
                              "both an anomaly and a normal verdict.");
    if (name == QLatin1String("uai-confidence"))
        return QStringLiteral("once an anomaly and a normal verdict exist, each round ranks by "
                              "the UAI layer or the base score, whichever a Thompson draw from "
                              "their discounted records of anomalies among past picks favours.");
    if (name == QLatin1String("uai-base-start"))
        return QStringLiteral("the UAI layer reads standardised inputs and starts with weights "
                              "that reproduce the base ranking.");
    if (name == QLatin1String("uai-confidence-noisy10"))
        return QStringLiteral("the confidence rule with an analyst who gives 10% of the verdicts "
                              "wrong.");
    if (name == QLatin1String("uai-noisy5"))
        return QStringLiteral("an analyst who gives 5% of the verdicts wrong; recall still "
                              "counts true anomalies.");
    if (name == QLatin1String("uai-noisy10"))
        return QStringLiteral("an analyst who gives 10% of the verdicts wrong; recall still "
                              "counts true anomalies.");
    if (name == QLatin1String("iforest"))
        return QStringLiteral("an isolation forest (100 trees of 256 items) ranks by its own "
                              "score, without the base model or the UAI layer.");
    if (name == QLatin1String("uai-iforest"))
        return QStringLiteral("the UAI layer reads the standardised isolation-forest score as a "
                              "further input besides the latent and the base score.");
    if (name == QLatin1String("uai-iforest-first"))
        return QStringLiteral("as uai-iforest, and the isolation-forest score instead of the "
                              "base score ranks the queue until the UAI layer takes over.");
    if (name == QLatin1String("iforest-confidence"))
        return QStringLiteral("the confidence rule chooses each round between the UAI layer and "
                              "the isolation-forest score; the layer does not read the score.");
    if (name == QLatin1String("iforest-then-uai"))
        return QStringLiteral("the isolation-forest score instead of the base score ranks the "
                              "queue until the UAI layer takes over; the layer does not read it.");
    if (name == QLatin1String("mixed-then-uai"))
        return QStringLiteral("the mean of the base score's and the isolation-forest score's "
                              "percentiles ranks the queue until the UAI layer takes over; the "
                              "layer does not read the forest's score.");
    if (name == QLatin1String("interleaved-then-uai"))
        return QStringLiteral("the base score's and the isolation-forest score's top items take "
                              "turns in the queue until the UAI layer takes over; the layer does "
                              "not read the forest's score.");
    if (name == QLatin1String("adaptive-then-uai"))
        return QStringLiteral("until the UAI layer takes over, each round the base score or the "
                              "isolation-forest score ranks the queue, whichever holds more "
                              "anomalies among the verdicts on its top items; the layer does "
                              "not read the forest's score.");
    if (name == QLatin1String("forest-layer"))
        return QStringLiteral("a logistic layer on the isolation forest's leaves, anchored to the "
                              "forest's score and refitted on all verdicts each round, ranks "
                              "every queue; the UAI layer on the network trains but does not "
                              "rank. The application's default for feature tables with the "
                              "autoencoder.");
    if (name == QLatin1String("score-forest-layer"))
        return QStringLiteral("the same layer on the forest's leaves, anchored to the standardised "
                              "logarithm of the base model's anomaly score of the round instead "
                              "of the forest's score, ranks every queue; the UAI layer on the "
                              "network trains but does not rank.");
    if (name == QLatin1String("forest-layer-noisy10"))
        return QStringLiteral("the forest layer with an analyst who gives 10% of the verdicts "
                              "wrong; recall still counts true anomalies.");
    if (name == QLatin1String("forest-layer-confidence"))
        return QStringLiteral("the confidence rule chooses each round between the UAI layer on "
                              "the network and the forest layer.");
    if (name == QLatin1String("uai-iforest-mixed"))
        return QStringLiteral("as uai-iforest, and the mean of the base score's and the "
                              "isolation-forest score's percentiles ranks the queue until the "
                              "UAI layer takes over.");
    return QString();
}

bool applyMethod(const QString &name,
                 uai::LoopSettings *settings,
                 uai::SimulationOptions *options,
                 MethodCurve *curve,
                 QString *error)
{
    *curve = MethodCurve::Uai;
    // Every method is a change to the published method: the base score ranks the first queues
    // and the UAI layer every queue once it has an anomaly and a normal verdict. The
    // application's default on feature tables is forest-layer.
    settings->baseRanking = uai::BaseRanking::AnomalyScore;
    settings->switchRule = uai::SwitchRule::BothVerdicts;
    if (name == QLatin1String("base")) {
        // The base curve does not depend on the verdicts, so it comes from the "uai" run.
        *curve = MethodCurve::Base;
        return true;
    }
    if (name == QLatin1String("uai"))
        return true;
    if (name == QLatin1String("uai-second-round")) {
        settings->switchRule = uai::SwitchRule::SecondRound;
        return true;
    }
    if (name == QLatin1String("uai-confidence")) {
        settings->switchRule = uai::SwitchRule::Confidence;
        return true;
    }
    if (name == QLatin1String("uai-base-start")) {
        settings->layerStart = uai::UaiLayerStart::BaseScore;
        return true;
    }
    if (name == QLatin1String("uai-confidence-noisy10")) {
        settings->switchRule = uai::SwitchRule::Confidence;
        options->flipFraction = 0.10;
        return true;
    }
    if (name == QLatin1String("uai-noisy5")) {
        options->flipFraction = 0.05;
        return true;
    }
    if (name == QLatin1String("uai-noisy10")) {
        options->flipFraction = 0.10;
        return true;
    }
    if (name == QLatin1String("iforest")) {
        // The isolation forest's curve does not depend on the verdicts, so it comes from the
        // "uai-iforest" run.
        settings->extraScore = uai::ExtraScore::IsolationForest;
        *curve = MethodCurve::ExtraScore;
        return true;
    }
    if (name == QLatin1String("uai-iforest")) {
        settings->extraScore = uai::ExtraScore::IsolationForest;
        return true;
    }
    if (name == QLatin1String("uai-iforest-first")) {
        settings->extraScore = uai::ExtraScore::IsolationForest;
        settings->baseRanking = uai::BaseRanking::IsolationForest;
        return true;
    }
    if (name == QLatin1String("iforest-confidence")) {
        settings->baseRanking = uai::BaseRanking::IsolationForest;
        settings->switchRule = uai::SwitchRule::Confidence;
        return true;
    }
    if (name == QLatin1String("iforest-then-uai")) {
        settings->baseRanking = uai::BaseRanking::IsolationForest;
        return true;
    }
    if (name == QLatin1String("mixed-then-uai")) {
        settings->baseRanking = uai::BaseRanking::Mixed;
        return true;
    }
    if (name == QLatin1String("interleaved-then-uai")) {
        settings->baseRanking = uai::BaseRanking::Interleaved;
        return true;
    }
    if (name == QLatin1String("adaptive-then-uai")) {
        settings->baseRanking = uai::BaseRanking::Adaptive;
        return true;
    }
    if (name == QLatin1String("forest-layer")) {
        settings->baseRanking = uai::BaseRanking::ForestLayer;
        settings->switchRule = uai::SwitchRule::Never;
        return true;
    }
    if (name == QLatin1String("score-forest-layer")) {
        settings->baseRanking = uai::BaseRanking::ScoreForestLayer;
        settings->switchRule = uai::SwitchRule::Never;
        return true;
    }
    if (name == QLatin1String("forest-layer-noisy10")) {
        settings->baseRanking = uai::BaseRanking::ForestLayer;
        settings->switchRule = uai::SwitchRule::Never;
        options->flipFraction = 0.10;
        return true;
    }
    if (name == QLatin1String("forest-layer-confidence")) {
        settings->baseRanking = uai::BaseRanking::ForestLayer;
        settings->switchRule = uai::SwitchRule::Confidence;
        return true;
    }
    if (name == QLatin1String("uai-iforest-mixed")) {
        settings->extraScore = uai::ExtraScore::IsolationForest;
        settings->baseRanking = uai::BaseRanking::Mixed;
        return true;
    }
    *error = QStringLiteral("method \"%1\" is unknown; use one of %2.")
                 .arg(name, methodNames().join(QStringLiteral(", ")));
    return false;
}
