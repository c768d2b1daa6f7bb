#include "experimentcommand.h"

#include "clioptions.h"
#include "experimentmethods.h"
#include "experiments.h"
#include "experimentsupport.h"
#include "runcommand.h"

#include "simulatedanalyst.h"
#include "torchruntime.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace {

const QStringList kExperimentNames{QStringLiteral("curves"),
                                   QStringLiteral("table2"),
                                   QStringLiteral("latent"),
                                   QStringLiteral("methods"),
                                   QStringLiteral("images"),
                                   QStringLiteral("overview")};

/// Parses an integer option into value, which stays empty when the option is absent.
bool parseCount(const QCommandLineParser &parser,
                const QString &name,
                int minimum,
                int maximum,
                std::optional<int> *value,
                QString *error)
{
    if (!parser.isSet(name))
        return true;
    qint64 parsed = 0;
    if (!parseInteger(parser, name, minimum, maximum, &parsed, error))
        return false;
    *value = static_cast<int>(parsed);
    return true;
}

QStringList splitList(const QString &text)
{
    QStringList items;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        items.append(part.trimmed());
    return items;
}

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Runs a named experiment with the simulated analyst and writes its "
                       "discovery curves (CSV), charts (PNG) and a markdown table into a folder. "
                       "Experiments: curves, table2, latent, methods, images; \"overview\" "
                       "writes the page that links the results already in the folder."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("name"),
         QStringLiteral("Experiment: %1.").arg(kExperimentNames.join(QStringLiteral(", "))),
         QStringLiteral("name")},
        {QStringLiteral("out"),
         QStringLiteral("Output folder, created when missing. Default: docs/results."),
         QStringLiteral("folder")},
        {QStringLiteral("page"),
         QStringLiteral("Overview page that \"overview\" writes. Default: the output folder's "
                        "path with .md appended."),
         QStringLiteral("file")},
        {QStringLiteral("seeds"),
         QStringLiteral("Runs per configuration, with seeds 1..N. Default: 5 (2 with --quick)."),
         QStringLiteral("count")},
        {QStringLiteral("quick"),
         QStringLiteral("A short test run: 2 seeds, 500 pretraining and 20 round steps, "
                        "budgets of at most 30 verdicts on tables, tables only (images: mnist:0 "
                        "with 60 verdicts).")},
        {QStringLiteral("budget"),
         QStringLiteral("Verdicts per run. Default: 1000 for curves and images, the anomaly "
                        "count for table2 and methods."),
         QStringLiteral("count")},
        {QStringLiteral("datasets"),
         QStringLiteral("Comma-separated datasets: mnist:0, mnist:0-2, mnist:hard, the same "
                        "for fashion-mnist, or table names such as yeast."),
         QStringLiteral("list")},
        {QStringLiteral("methods"),
         QStringLiteral("Comma-separated methods for \"methods\" and \"images\": %1. Default: "
                        "all for methods, score-forest-layer for images.")
             .arg(methodNames().join(QStringLiteral(", "))),
         QStringLiteral("list")},
        {QStringLiteral("pretrain-steps"),
         QStringLiteral("Pretraining steps. Default: 5000 (500 with --quick)."),
         QStringLiteral("count")},
        {QStringLiteral("round-steps"),
         QStringLiteral("Training steps per round. Default: 100 (20 with --quick)."),
         QStringLiteral("count")},
        {QStringLiteral("data-dir"),
         QStringLiteral("Folder with tabular/ and mnist10k/. Default: ../shared/data."),
         QStringLiteral("folder")},
        {QStringLiteral("threads"),
         QStringLiteral("LibTorch intra-op threads. Default: UAI_THREADS or 1."),
         QStringLiteral("count")},
        {QStringLiteral("jobs"),
         QStringLiteral("Simulations run at once, each on its own thread; results do not "
                        "depend on it. Default: 1."),
         QStringLiteral("count")},
    });
}

bool checkDatasets(const ExperimentOptions &options, QString *error)
{
    for (const QString &name : options.datasets) {
        DatasetRef ref;
        if (!resolveDataset(name, options.dataDir, &ref, error))
            return false;
    }
    return true;
}

bool checkMethods(const ExperimentOptions &options, QString *error)
{
    for (const QString &name : options.methods) {
        uai::LoopSettings settings;
        uai::SimulationOptions simulation;
        MethodCurve curve = MethodCurve::Uai;
        if (!applyMethod(name, &settings, &simulation, &curve, error)) {
            *error = QStringLiteral("--methods: ") + *error;
            return false;
        }
    }
    return true;
}

/// Fills options from the command line; returns false with a message on any invalid value.
bool parseExperimentOptions(QCommandLineParser &parser,
                            const QStringList &arguments,
                            ExperimentOptions *options,
                            QString *error)
{
    addOptions(parser);
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
    options->name = parser.value(QStringLiteral("name"));
    if (options->name.isEmpty()) {
        *error = QStringLiteral("--name is required; use one of %1.")
                     .arg(kExperimentNames.join(QStringLiteral(", ")));
        return false;
    }
    if (!kExperimentNames.contains(options->name)) {
        *error = QStringLiteral("--name \"%1\" is not an experiment; use one of %2.")
                     .arg(options->name, kExperimentNames.join(QStringLiteral(", ")));
        return false;
    }
    options->quick = parser.isSet(QStringLiteral("quick"));
    options->outDir = parser.isSet(QStringLiteral("out")) ? parser.value(QStringLiteral("out"))
                                                          : QStringLiteral("docs/results");
    options->pagePath = parser.isSet(QStringLiteral("page"))
                            ? parser.value(QStringLiteral("page"))
                            : QDir::cleanPath(options->outDir) + QStringLiteral(".md");
    options->dataDir = parser.isSet(QStringLiteral("data-dir"))
                           ? parser.value(QStringLiteral("data-dir"))
                           : QStringLiteral("../shared/data");
    if (options->name != QLatin1String("overview") && !QFileInfo(options->dataDir).isDir()) {
        *error = QStringLiteral("--data-dir \"%1\" is not a folder; give the folder that holds "
                                "tabular/ and mnist10k/.")
                     .arg(options->dataDir);
        return false;
    }

    std::optional<int> seeds;
    std::optional<int> budget;
    std::optional<int> threads;
    std::optional<int> jobs;
    if (!parseCount(parser, QStringLiteral("seeds"), 1, 1000, &seeds, error)
        || !parseCount(parser, QStringLiteral("budget"), 1, 100000000, &budget, error)
        || !parseCount(
            parser, QStringLiteral("pretrain-steps"), 0, 10000000, &options->pretrainSteps, error)
        || !parseCount(
            parser, QStringLiteral("round-steps"), 0, 10000000, &options->roundSteps, error)
        || !parseCount(parser, QStringLiteral("threads"), 1, 256, &threads, error)
        || !parseCount(parser, QStringLiteral("jobs"), 1, 64, &jobs, error))
        return false;
    options->jobs = jobs.value_or(1);
    options->seeds = seeds.value_or(options->quick ? 2 : 5);
    if (budget)
        options->budget = *budget;
    options->threads = threads.value_or(0);
    if (options->quick) {
        options->pretrainSteps = options->pretrainSteps.value_or(500);
        options->roundSteps = options->roundSteps.value_or(20);
    }

    options->datasets = splitList(parser.value(QStringLiteral("datasets")));
    if (parser.isSet(QStringLiteral("datasets")) && options->datasets.isEmpty()) {
        *error = QStringLiteral("--datasets is empty; give names such as yeast,abalone.");
        return false;
    }
    options->methodsGiven = parser.isSet(QStringLiteral("methods"));
    options->methods = parser.isSet(QStringLiteral("methods"))
                           ? splitList(parser.value(QStringLiteral("methods")))
                           : methodNames();
    return checkDatasets(*options, error) && checkMethods(*options, error);
}

bool makeOutputFolder(const QString &path, QString *error)
{
    if (QDir().mkpath(path) && QFileInfo(path).isWritable())
        return true;
    *error = QStringLiteral("Cannot create or write the output folder \"%1\"; give a writable "
                            "folder with --out.")
                 .arg(path);
    return false;
}

} // namespace

int experimentCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    ExperimentOptions options;
    QString error;
    if (!parseExperimentOptions(parser, arguments, &options, &error)) {
        printError(error);
        std::fputs("Run \"uai-cli experiment --help\" for the options.\n", stderr);
        return kExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return kExitSuccess;
    }
    if (!makeOutputFolder(options.outDir, &error)) {
        printError(error);
        return kExitBadInput;
    }
    QStringList shown = arguments;
    shown[0] = QStringLiteral("uai-cli experiment");
    options.commandLine = shown.join(QLatin1Char(' '));

    uai::configureTorchThreads(options.threads);
    ExperimentContext context(options);
    if (options.name == QLatin1String("curves"))
        return runCurvesExperiment(context);
    if (options.name == QLatin1String("table2"))
        return runTable2Experiment(context);
    if (options.name == QLatin1String("latent"))
        return runLatentExperiment(context);
    if (options.name == QLatin1String("methods"))
        return runMethodsExperiment(context);
    if (options.name == QLatin1String("images"))
        return runImagesExperiment(context);
    return runOverview(context);
}
