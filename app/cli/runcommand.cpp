#include "runcommand.h"

#include "activeloop.h"
#include "clioptions.h"
#include "datasource.h"
#include "simulatedanalyst.h"
#include "torchruntime.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>
#include <limits>

namespace {

struct RunOptions {
    QString dataSpec;
    QString curvePath;
    qsizetype budget = 1000;
    int threads = 0;
    bool quiet = false;
    uai::LoopSettings loop;
    uai::DataSourceOptions source;
};

void printInfo(const RunOptions &options, const QString &message)
{
    if (!options.quiet)
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

bool parseReal(const QCommandLineParser &parser, const QString &name, double *value, QString *error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const double parsed = QLocale::c().toDouble(parser.value(name), &ok);
    if (!ok) {
        *error = QStringLiteral("--%1 \"%2\" is not a number.").arg(name, parser.value(name));
        return false;
    }
    *value = parsed;
    return true;
}

bool parseHiddenSizes(const QString &text, std::vector<int> *sizes, QString *error)
{
    std::vector<int> parsed;
    for (const QString &part : text.split(QLatin1Char(','))) {
        bool ok = false;
        const int size = part.trimmed().toInt(&ok);
        if (!ok) {
            *error = QStringLiteral("--hidden \"%1\": \"%2\" is not an integer; give sizes such "
                                    "as 256,64,8.")
                         .arg(text, part);
            return false;
        }
        parsed.push_back(size);
    }
    *sizes = parsed;
    return true;
}

/// Fills options from the command line; returns false with a message on any invalid value.
bool parseRunOptions(QCommandLineParser &parser,
                     const QStringList &arguments,
                     RunOptions *options,
                     QString *error)
{
    using uai::LoopSettings;
    const LoopSettings defaults;
    parser.setApplicationDescription(
        QStringLiteral("Runs active anomaly detection on a dataset with a simulated analyst who "
                       "answers every query from the ground truth."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("Dataset: %1.").arg(uai::dataSourceHelp()),
         QStringLiteral("spec")},
        {QStringLiteral("model"),
         QStringLiteral("Base model: dae (denoising autoencoder) or "
                        "class (classifier). Default: dae."),
         QStringLiteral("name")},
        {QStringLiteral("budget"),
         QStringLiteral("Verdicts to spend. Default: 1000."),
         QStringLiteral("count")},
        {QStringLiteral("k"),
         QStringLiteral("Items queued per round. Default: 10."),
         QStringLiteral("count")},
        {QStringLiteral("seed"),
         QStringLiteral("Seed of the weights, batches and anomaly "
                        "constructions. Default: 1."),
         QStringLiteral("number")},
        {QStringLiteral("curve"),
         QStringLiteral("Write the discovery curves to this CSV file."),
         QStringLiteral("file")},
        {QStringLiteral("pretrain-steps"),
         QStringLiteral("Pretraining steps. Default: 5000."),
         QStringLiteral("count")},
        {QStringLiteral("round-steps"),
         QStringLiteral("Training steps per round. Default: 100."),
         QStringLiteral("count")},
        {QStringLiteral("hidden"),
         QStringLiteral("Hidden layer sizes, the last one being the "
                        "latent size. Default: 256,64,8."),
         QStringLiteral("sizes")},
        {QStringLiteral("batch"),
         QStringLiteral("Batch size. Default: 256."),
         QStringLiteral("count")},
        {QStringLiteral("learning-rate"),
         QStringLiteral("RMSprop learning rate. Default: 0.01."),
         QStringLiteral("rate")},
        {QStringLiteral("noise"),
         QStringLiteral("Standard deviation of the autoencoder's input "
                        "noise. Default: 0.1."),
         QStringLiteral("std")},
        {QStringLiteral("switch"),
         QStringLiteral("When the queue switches to the UAI layer: "
                        "both-verdicts (once an anomaly and a normal "
                        "verdict exist, published method), "
                        "second-round, confidence (each round, the "
                        "ranking whose recent picks held more "
                        "anomalies), never (the base ranking fills "
                        "every queue) or auto (never with the forest "
                        "layer, otherwise both-verdicts). Default: "
                        "auto."),
         QStringLiteral("rule")},
        {QStringLiteral("layer-start"),
         QStringLiteral("How the UAI layer starts: random (random weights "
                        "on the raw latent and score) or base-score "
                        "(standardised inputs, weights that reproduce "
                        "the base ranking). Default: random."),
         QStringLiteral("start")},
        {QStringLiteral("extra-score"),
         QStringLiteral("A further input of the UAI layer besides the "
                        "latent and the base score: none, or iforest "
                        "(an isolation-forest score of the features, "
                        "100 trees of 256 items, computed once). "
                        "Default: none."),
         QStringLiteral("score")},
        {QStringLiteral("base-ranking"),
         QStringLiteral("What ranks the queue when the UAI layer does "
                        "not: score (the base model's anomaly score, "
                        "published method), iforest (the "
                        "isolation-forest score), mixed (the mean of "
                        "both rankings' percentiles), interleaved (the "
                        "top items of both in turn), adaptive (each "
                        "round, score or iforest, whichever holds more "
                        "anomalies among the verdicts on its top "
                        "items), forest-layer (a logistic layer on the "
                        "isolation forest's leaves, refitted on the "
                        "verdicts each round), score-forest-layer (the "
                        "same layer anchored to the anomaly score instead "
                        "of the forest's score) or auto (with the dae "
                        "model, forest-layer for CSV tables and "
                        "score-forest-layer for images; score with the "
                        "classifier). Default: auto."),
         QStringLiteral("ranking")},
        {QStringLiteral("truth-column"),
         QStringLiteral("CSV ground-truth column. Default: label."),
         QStringLiteral("name")},
        {QStringLiteral("class-column"),
         QStringLiteral("CSV class column for the classifier "
                        "model. Default: none."),
         QStringLiteral("name")},
        {QStringLiteral("missing"),
         QStringLiteral("Bad CSV cells (empty, NA, NaN, inf): reject "
                        "the file or impute the column median. "
                        "Default: reject."),
         QStringLiteral("policy")},
        {QStringLiteral("threads"),
         QStringLiteral("LibTorch intra-op threads. Default: "
                        "UAI_THREADS or 1."),
         QStringLiteral("count")},
        {QStringLiteral("quiet"), QStringLiteral("Print only the summary line and errors.")},
    });
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    if (parser.isSet(QStringLiteral("help")))
        return true;
    if (!parser.positionalArguments().isEmpty()) {
        *error =
            QStringLiteral("unexpected argument \"%1\".").arg(parser.positionalArguments().first());
        return false;
    }
    if (!parser.isSet(QStringLiteral("data"))) {
        *error = QStringLiteral("--data is required; give %1.").arg(uai::dataSourceHelp());
        return false;
    }
    for (const QString &name :
         {QStringLiteral("data"), QStringLiteral("model"), QStringLiteral("curve")}) {
        if (parser.values(name).size() > 1) {
            *error = QStringLiteral("--%1 is given %2 times; give it once.")
                         .arg(name)
                         .arg(parser.values(name).size());
            return false;
        }
    }
    options->dataSpec = parser.value(QStringLiteral("data"));
    options->curvePath = parser.value(QStringLiteral("curve"));
    options->quiet = parser.isSet(QStringLiteral("quiet"));

    const QString model = parser.value(QStringLiteral("model"));
    if (model.isEmpty() || model == QLatin1String("dae"))
        options->loop.model = uai::ModelKind::Autoencoder;
    else if (model == QLatin1String("class"))
        options->loop.model = uai::ModelKind::Classifier;
    else {
        *error = QStringLiteral("--model \"%1\" is unknown; use dae or class.").arg(model);
        return false;
    }

    const QString start = parser.value(QStringLiteral("layer-start"));
    if (!start.isEmpty() && !uai::parseLayerStart(start, &options->loop.layerStart)) {
        *error =
            QStringLiteral("--layer-start \"%1\" is unknown; use random or base-score.").arg(start);
        return false;
    }

    const QString rule = parser.value(QStringLiteral("switch"));
    if (!rule.isEmpty() && !uai::parseSwitchRule(rule, &options->loop.switchRule)) {
        *error = QStringLiteral("--switch \"%1\" is unknown; use %2.")
                     .arg(rule, uai::switchRuleChoices());
        return false;
    }

    const QString extra = parser.value(QStringLiteral("extra-score"));
    if (!extra.isEmpty() && !uai::parseExtraScore(extra, &options->loop.extraScore)) {
        *error = QStringLiteral("--extra-score \"%1\" is unknown; use %2.")
                     .arg(extra, uai::extraScoreChoices());
        return false;
    }

    const QString ranking = parser.value(QStringLiteral("base-ranking"));
    if (!ranking.isEmpty() && !uai::parseBaseRanking(ranking, &options->loop.baseRanking)) {
        *error = QStringLiteral("--base-ranking \"%1\" is unknown; use %2.")
                     .arg(ranking, uai::baseRankingChoices());
        return false;
    }

    const QString missing = parser.value(QStringLiteral("missing"));
    if (missing.isEmpty() || missing == QLatin1String("reject"))
        options->source.csv.missingCells = uai::MissingCellPolicy::Reject;
    else if (missing == QLatin1String("median"))
        options->source.csv.missingCells = uai::MissingCellPolicy::ImputeMedian;
    else {
        *error = QStringLiteral("--missing \"%1\" is unknown; use reject or median.").arg(missing);
        return false;
    }
    if (parser.isSet(QStringLiteral("truth-column")))
        options->source.csv.truthColumn = parser.value(QStringLiteral("truth-column"));
    options->source.csv.classColumn = parser.value(QStringLiteral("class-column"));

    constexpr qint64 kIntMax = std::numeric_limits<int>::max();
    qint64 budget = options->budget;
    qint64 k = defaults.queueSize;
    qint64 seed = 1;
    qint64 pretrainSteps = defaults.pretrainSteps;
    qint64 roundSteps = defaults.roundSteps;
    qint64 batch = defaults.batchSize;
    qint64 threads = 0;
    const bool integersValid =
        parseInteger(parser, QStringLiteral("budget"), 1, kIntMax, &budget, error)
        && parseInteger(parser, QStringLiteral("k"), 1, kIntMax, &k, error)
        && parseInteger(
            parser, QStringLiteral("seed"), 0, std::numeric_limits<qint64>::max(), &seed, error)
        && parseInteger(parser, QStringLiteral("pretrain-steps"), 0, kIntMax, &pretrainSteps, error)
        && parseInteger(parser, QStringLiteral("round-steps"), 0, kIntMax, &roundSteps, error)
        && parseInteger(parser, QStringLiteral("batch"), 1, kIntMax, &batch, error)
        && parseInteger(parser, QStringLiteral("threads"), 1, 256, &threads, error);
    if (!integersValid)
        return false;
    options->budget = budget;
    options->threads = static_cast<int>(threads);
    options->loop.queueSize = static_cast<int>(k);
    options->loop.seed = static_cast<std::uint64_t>(seed);
    options->source.seed = static_cast<std::uint64_t>(seed);
    options->loop.pretrainSteps = static_cast<int>(pretrainSteps);
    options->loop.roundSteps = static_cast<int>(roundSteps);
    options->loop.batchSize = static_cast<int>(batch);
    if (!parseReal(parser, QStringLiteral("learning-rate"), &options->loop.learningRate, error)
        || !parseReal(parser, QStringLiteral("noise"), &options->loop.inputNoise, error))
        return false;
    if (parser.isSet(QStringLiteral("hidden"))
        && !parseHiddenSizes(
            parser.value(QStringLiteral("hidden")), &options->loop.hiddenSizes, error))
        return false;
    if (const QString problem = options->loop.validate(); !problem.isEmpty()) {
        *error = QStringLiteral("invalid settings: %1.").arg(problem);
        return false;
    }
    return true;
}

QString rankerName(bool rankedByUai)
{
    return rankedByUai ? QStringLiteral("uai") : QStringLiteral("base");
}

/// Checks before training that the curve file can be written, so a long run is not wasted.
bool checkCurveWritable(const QString &path, QString *error)
{
    const QFileInfo info(path);
    const QFileInfo folder(info.absolutePath());
    if (!folder.isDir()) {
        *error = QStringLiteral("Cannot write \"%1\": folder \"%2\" does not exist.")
                     .arg(path, folder.filePath());
        return false;
    }
    if (info.isDir() || (info.exists() && !info.isWritable()) || !folder.isWritable()) {
        *error = QStringLiteral("Cannot write \"%1\": permission denied or not a file.").arg(path);
        return false;
    }
    return true;
}

/// Checks that the dataset can drive a simulated analyst with the chosen model.
bool checkDatasetUsable(const uai::Dataset &dataset, const RunOptions &options, QString *error)
{
    if (!dataset.hasTruth()) {
        const bool table = dataset.kind == uai::DatasetKind::Table;
        *error = table ? QStringLiteral("Dataset \"%1\" has no ground-truth column \"%2\", so "
                                        "no analyst can be simulated. Name the column with "
                                        "--truth-column.")
                             .arg(dataset.name, options.source.csv.truthColumn)
                       : QStringLiteral("Dataset \"%1\" has no ground truth, so no analyst can "
                                        "be simulated. Build an anomaly set from labeled images "
                                        "with a suffix such as :0.")
                             .arg(dataset.name);
        return false;
    }
    if (options.loop.model == uai::ModelKind::Classifier && !dataset.hasClasses()) {
        *error = QStringLiteral("The classifier model needs a class column, and dataset \"%1\" "
                                "has none. Name one with --class-column, or use --model dae.")
                     .arg(dataset.name);
        return false;
    }
    return true;
}

bool writeCurve(const QString &path, const uai::SimulationResult &result, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = QStringLiteral("Cannot write \"%1\": %2.").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    out << "method,round,verdicts,found,ranked_by\n";
    for (const auto &point : result.uaiCurve) {
        out << "uai," << point.round << ',' << point.verdicts << ',' << point.found << ','
            << rankerName(point.rankedByUai) << '\n';
    }
    for (const auto &point : result.baseCurve) {
        out << "base," << point.round << ',' << point.verdicts << ',' << point.found << ','
            << rankerName(false) << '\n';
    }
    for (const auto &point : result.extraCurve) {
        out << "iforest," << point.round << ',' << point.verdicts << ',' << point.found
            << ",iforest\n";
    }
    out.flush();
    if (!file.commit()) {
        *error = QStringLiteral("Cannot write \"%1\": %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

int runCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    RunOptions options;
    QString error;
    if (!parseRunOptions(parser, arguments, &options, &error)) {
        printError(error);
        std::fputs("Run \"uai-cli run --help\" for the options.\n", stderr);
        return kExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return kExitSuccess;
    }

    if (!options.curvePath.isEmpty() && !checkCurveWritable(options.curvePath, &error)) {
        printError(error);
        return kExitBadInput;
    }

    uai::configureTorchThreads(options.threads);
    printInfo(options, uai::describeTorchRuntime());

    QElapsedTimer loadTimer;
    loadTimer.start();
    auto loaded = uai::loadDataSource(options.dataSpec, options.source);
    if (!loaded.ok()) {
        printError(loaded.error());
        return kExitBadInput;
    }
    auto dataset = std::make_shared<const uai::Dataset>(std::move(loaded).value());
    printInfo(options,
              QStringLiteral("Loaded \"%1\" in %2 s: %3 items, %4 features, %5.")
                  .arg(dataset->name)
                  .arg(loadTimer.elapsed() / 1000.0, 0, 'f', 2)
                  .arg(dataset->itemCount)
                  .arg(dataset->featureCount)
                  .arg(dataset->hasTruth()
                           ? QStringLiteral("%1 anomalies").arg(dataset->anomalyCount())
                           : QStringLiteral("no ground truth")));
    for (const QString &note : dataset->importNotes)
        printInfo(options, QStringLiteral("  ") + note);
    if (!checkDatasetUsable(*dataset, options, &error)) {
        printError(error);
        return kExitBadInput;
    }
    if (const int folds = uai::ActiveLoop::crossFitFolds(dataset->itemCount); folds > 0) {
        printInfo(options,
                  QStringLiteral("  %1 items (at most %2): each anomaly score comes from a network "
                                 "that did not train on the item (%3-fold cross-fitting), so "
                                 "pretraining trains %4 networks.")
                      .arg(dataset->itemCount)
                      .arg(uai::ActiveLoop::kCrossFitMaxItems)
                      .arg(folds)
                      .arg(folds + 1));
    }

    uai::SimulationOptions simulation;
    simulation.budget = options.budget;
    int lastPercent = -1;
    simulation.pretrainProgress = [&options, &lastPercent](int done, int total) {
        const int percent = total > 0 ? done * 100 / total : 100;
        if (percent / 10 != lastPercent / 10 || done == total) {
            lastPercent = percent;
            printInfo(options, QStringLiteral("pretraining: %1 of %2 steps").arg(done).arg(total));
        }
    };
    simulation.roundFinished = [&options](const uai::DiscoveryPoint &point,
                                          const uai::RoundReport &report) {
        printInfo(options,
                  QStringLiteral("round %1: queue of %2 items, %3 verdicts, %4 anomalies found, "
                                 "ranked by %5; train %6 s, score %7 s")
                      .arg(point.round)
                      .arg(report.queue.size())
                      .arg(point.verdicts)
                      .arg(point.found)
                      .arg(rankerName(point.rankedByUai))
                      .arg(report.trainSeconds, 0, 'f', 2)
                      .arg(report.scoreSeconds, 0, 'f', 2));
    };

    const auto simulated = uai::simulateAnalyst(dataset, options.loop, simulation);
    if (!simulated.ok()) {
        printError(simulated.error());
        return kExitFailure;
    }
    const uai::SimulationResult &result = simulated.value();
    if (!result.endedEarly.isEmpty())
        printInfo(options, result.endedEarly);
    printInfo(options,
              QStringLiteral("pretraining %1 s, rounds %2 s")
                  .arg(result.pretrainSeconds, 0, 'f', 1)
                  .arg(result.roundSeconds, 0, 'f', 1));
    if (!options.curvePath.isEmpty() && !writeCurve(options.curvePath, result, &error)) {
        printError(error);
        return kExitFailure;
    }

    const qsizetype spent = result.uaiCurve.empty() ? 0 : result.uaiCurve.back().verdicts;
    const qsizetype found = result.uaiCurve.empty() ? 0 : result.uaiCurve.back().found;
    const qsizetype baseFound = result.baseCurve.empty() ? 0 : result.baseCurve.back().found;
    QString alone = QStringLiteral("base model alone: %1").arg(baseFound);
    if (!result.extraCurve.empty())
        alone += QStringLiteral(", isolation forest alone: %1").arg(result.extraCurve.back().found);
    std::printf("found %lld of %lld anomalies with %lld verdicts (%s)\n",
                static_cast<long long>(found),
                static_cast<long long>(result.anomalies),
                static_cast<long long>(spent),
                qPrintable(alone));
    return kExitSuccess;
}
