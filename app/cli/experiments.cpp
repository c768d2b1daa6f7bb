#include "experiments.h"

#include "clioptions.h"
#include "experimentcharts.h"
#include "experimentmethods.h"
#include "experimentsupport.h"
#include "runcommand.h"

#include "latentchartview.h"
#include "latentprojection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace {

const QColor kBaseColour(230, 120, 20);
const QColor kUaiColour(31, 119, 180);
const QColor kClassBaseColour(200, 60, 60);
const QColor kClassUaiColour(40, 150, 70);

/// Recall at a budget equal to the anomaly count, published for the denoising autoencoder alone
/// (DAE) and with the UAI layer (DAE_uai) in Pimentel et al., "Deep Active Learning for Anomaly
/// Detection", IJCNN 2020, over five runs. `match` describes how our table relates to the
/// published data set.
struct PublishedRecall {
    const char *stem;
    const char *name;
    double dae;
    double daeUai;
    const char *match;
};

const PublishedRecall kPublishedRecall[] = {
    {"kddcup_sub", "KDDCUP", 0.39, 0.94, "other construction: 2,000-row subsample, 3.85% attacks"},
    {"ann_thyroid_1v3", "Thyroid", 0.09, 0.57, "other construction of the UCI thyroid data"},
    {"yeast", "Yeast", 0.23, 0.33, "same data"},
    {"abalone", "Abalone", 0.08, 0.55, "same data"},
    {"cardiotocography_1", "CTG", 0.13, 0.66, "same rows, 21 features instead of 22"},
    {"covtype_sub", "Covtype", 0.15, 0.86, "2,000-row subsample of the same data"},
    {"mammography", "MMG", 0.27, 0.60, "same data"},
    {"shuttle_1v23567", "Shuttle", 0.17, 0.93, "same data"},
};

/// The six image sets of the curves and images experiments, in the published order.
QStringList imageSets()
{
    return {QStringLiteral("mnist:0"),
            QStringLiteral("mnist:0-2"),
            QStringLiteral("mnist:hard"),
            QStringLiteral("fashion-mnist:0"),
            QStringLiteral("fashion-mnist:0-2"),
            QStringLiteral("fashion-mnist:hard")};
}

const PublishedRecall *publishedRecall(const QString &stem)
{
    for (const PublishedRecall &row : kPublishedRecall) {
        if (stem == QLatin1String(row.stem))
            return &row;
    }
    return nullptr;
}

/// Resolves the dataset names into refs. Returns false with a message when a name does not
/// resolve, such as a default table missing from the data folder, or when there is none.
bool datasetRefs(const ExperimentContext &context,
                 const QStringList &names,
                 std::vector<DatasetRef> *refs,
                 QString *error)
{
    for (const QString &name : names) {
        DatasetRef ref;
        if (!resolveDataset(name, context.options().dataDir, &ref, error))
            return false;
        refs->push_back(ref);
    }
    if (refs->empty()) {
        *error = QStringLiteral("No dataset to run: %1 contains no tables and --datasets is not "
                                "given.")
                     .arg(context.options().dataDir + QStringLiteral("/tabular"));
        return false;
    }
    return true;
}

/// Resolves the datasets of table2 and methods: the --datasets list; otherwise `quick` with
/// --quick when it is not empty, or else every table in DATA/tabular.
bool tableDatasets(const ExperimentContext &context,
                   const QStringList &quick,
                   std::vector<DatasetRef> *refs,
                   QString *error)
{
    const ExperimentOptions &options = context.options();
    if (!options.datasets.isEmpty())
        return datasetRefs(context, options.datasets, refs, error);
    if (options.quick && !quick.isEmpty())
        return datasetRefs(context, quick, refs, error);
    return datasetRefs(context, tabularStems(options.dataDir), refs, error);
}

/// Budget and queue size of a table run: k = 3 below 100 anomalies, otherwise 10, and a budget
/// of the anomaly count, capped at 30 with --quick.
void tableBudget(const ExperimentOptions &options,
                 qsizetype anomalies,
                 qsizetype *budget,
                 int *queueSize)
{
    *queueSize = anomalies < 100 ? 3 : 10;
    *budget = options.budget ? *options.budget : anomalies;
    if (options.quick && !options.budget)
        *budget = std::min<qsizetype>(*budget, 30);
}

/// Loads a table for seed 1 to learn its anomaly count. Returns an empty string when the table
/// can drive the simulated analyst, otherwise the reason to skip it.
QString tableSkipReason(ExperimentContext &context, const DatasetRef &ref, qsizetype *anomalies)
{
    const auto data = context.dataset(ref, 1);
    if (!data.ok())
        return data.error();
    if (!data.value()->hasTruth())
        return QStringLiteral("no ground-truth column \"label\", so it is not an anomaly set");
    *anomalies = data.value()->anomalyCount();
    if (*anomalies == 0)
        return QStringLiteral("the ground-truth column marks no anomaly");
    return QString();
}

bool finishCurves(ExperimentContext &context, QString *markdown)
{
    QString fileName;
    QString error;
    if (!context.writeCurves(&fileName, &error)) {
        printError(error);
        return false;
    }
    *markdown += QStringLiteral("\nEvery run's discovery curves: [%1](%1) (columns dataset, model, "
                                "method, seed, round, verdicts, found, anomalies, ranked_by).\n\n")
                     .arg(fileName);
    *markdown += context.markdownTiming();
    if (!context.writeFile(
            context.options().name + QStringLiteral(".md"), markdown->toUtf8(), &error)) {
        printError(error);
        return false;
    }
    context.progress(QStringLiteral("Wrote %1 and %2.md into %3.")
                         .arg(fileName, context.options().name, context.options().outDir));
    return true;
}

QString
runLine(const QString &tag, const QString &what, const RunOutcome &outcome, const QString &measure)
{
    return QStringLiteral("%1 %2: %3; %4 s wall, %5 s CPU")
        .arg(tag, what, measure)
        .arg(outcome.wallSeconds, 0, 'f', 1)
        .arg(outcome.cpuSeconds, 0, 'f', 1);
}

/// The experiment's settings with the published method's rankings: the base model's anomaly
/// score until the UAI layer has an anomaly and a normal verdict, then the UAI layer.
uai::LoopSettings publishedSettings(const ExperimentContext &context)
{
    uai::LoopSettings settings = context.baseSettings();
    settings.baseRanking = uai::BaseRanking::AnomalyScore;
    settings.switchRule = uai::SwitchRule::BothVerdicts;
    return settings;
}

/// Writes a chart into the output folder and appends its markdown image line to charts.
/// Prints the error and returns false when the file cannot be written.
bool addChart(const ExperimentContext &context,
              const QString &label,
              const QString &fileName,
              const QImage &image,
              QString *charts)
{
    QString error;
    if (!context.writePng(fileName, image, &error)) {
        printError(error);
        return false;
    }
    *charts += QStringLiteral("![%1](%2)\n").arg(label, fileName);
    return true;
}

} // namespace

int runTable2Experiment(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    std::vector<DatasetRef> refs;
    if (QString error; !tableDatasets(context, {}, &refs, &error)) {
        printError(error);
        return kExitBadInput;
    }
    // Two runs per table and seed: the published method and the application's default.
    context.setRunCount(int(refs.size()) * options.seeds * 2);

    QString table = QStringLiteral(
        "| table | items | anomalies | k | budget | base model recall | published method "
        "recall | default method recall | published DAE | published DAE_uai | default minus "
        "published | data relation | wall s | CPU s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    QString commands = QStringLiteral("| table | method | command (SEED = %1) |\n|---|---|---|\n")
                           .arg(seedList(options.seeds));
    QString charts;
    QString skipped;
    QString summary = QStringLiteral("table,items,anomalies,k,budget,seeds,pretrain_steps,"
                                     "round_steps,base_mean,base_min,base_max,uai_mean,uai_min,"
                                     "uai_max,default_mean,default_min,default_max,"
                                     "published_name,published_dae,published_dae_uai,"
                                     "relation\n");
    for (const DatasetRef &ref : refs) {
        qsizetype anomalies = 0;
        if (const QString reason = tableSkipReason(context, ref, &anomalies); !reason.isEmpty()) {
            skipped += QStringLiteral("- %1: skipped, %2\n").arg(ref.label, reason);
            for (int run = 0; run < options.seeds * 2; ++run)
                context.nextRunTag();
            context.progress(QStringLiteral("%1 skipped: %2").arg(ref.label, reason));
            continue;
        }
        RunSpec defaultSpec;
        defaultSpec.dataset = ref;
        defaultSpec.settings = context.baseSettings();
        tableBudget(options, anomalies, &defaultSpec.budget, &defaultSpec.settings.queueSize);
        RunSpec publishedSpec = defaultSpec;
        publishedSpec.settings = publishedSettings(context);
        publishedSpec.settings.queueSize = defaultSpec.settings.queueSize;

        std::vector<RunSpec> batch;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            for (const RunSpec *spec : {&publishedSpec, &defaultSpec}) {
                batch.push_back(*spec);
                batch.back().seed = std::uint64_t(seed);
            }
        }
        context.prefetch(batch);

        std::vector<double> baseRecall, uaiRecall, defaultRecall;
        std::vector<std::vector<uai::DiscoveryPoint>> baseCurves, uaiCurves, defaultCurves;
        double wall = 0.0, cpu = 0.0;
        qsizetype items = 0;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            publishedSpec.seed = std::uint64_t(seed);
            defaultSpec.seed = std::uint64_t(seed);
            const auto published = context.run(publishedSpec);
            if (!published.ok()) {
                printError(published.error());
                return kExitFailure;
            }
            const uai::SimulationResult &result = published.value().result;
            items = result.itemCount;
            context.recordCurve(ref.label,
                                QStringLiteral("dae"),
                                QStringLiteral("base"),
                                publishedSpec.seed,
                                result.anomalies,
                                result.baseCurve);
            context.recordCurve(ref.label,
                                QStringLiteral("dae"),
                                QStringLiteral("uai"),
                                publishedSpec.seed,
                                result.anomalies,
                                result.uaiCurve);
            baseRecall.push_back(double(finalFound(result.baseCurve)) / double(anomalies));
            uaiRecall.push_back(double(finalFound(result.uaiCurve)) / double(anomalies));
            baseCurves.push_back(result.baseCurve);
            uaiCurves.push_back(result.uaiCurve);
            wall += published.value().wallSeconds;
            cpu += published.value().cpuSeconds;
            context.progress(runLine(
                context.nextRunTag(),
                QStringLiteral("table2 %1 seed %2 published method").arg(ref.label).arg(seed),
                published.value(),
                QStringLiteral("recall base %1, UAI %2")
                    .arg(baseRecall.back(), 0, 'f', 3)
                    .arg(uaiRecall.back(), 0, 'f', 3)));

            const auto byDefault = context.run(defaultSpec);
            if (!byDefault.ok()) {
                printError(byDefault.error());
                return kExitFailure;
            }
            const uai::SimulationResult &defaultResult = byDefault.value().result;
            context.recordCurve(ref.label,
                                QStringLiteral("dae"),
                                QStringLiteral("default"),
                                defaultSpec.seed,
                                defaultResult.anomalies,
                                defaultResult.uaiCurve);
            defaultRecall.push_back(double(finalFound(defaultResult.uaiCurve)) / double(anomalies));
            defaultCurves.push_back(defaultResult.uaiCurve);
            wall += byDefault.value().wallSeconds;
            cpu += byDefault.value().cpuSeconds;
            context.progress(
                runLine(context.nextRunTag(),
                        QStringLiteral("table2 %1 seed %2 default method").arg(ref.label).arg(seed),
                        byDefault.value(),
                        QStringLiteral("recall %1").arg(defaultRecall.back(), 0, 'f', 3)));
        }

        const Spread base = spreadOf(baseRecall);
        const Spread withUai = spreadOf(uaiRecall);
        const Spread byDefault = spreadOf(defaultRecall);
        const PublishedRecall *published = publishedRecall(ref.label);
        table +=
            QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 | %10 | %11 | %12 | "
                           "%13 | %14 |\n")
                .arg(ref.label)
                .arg(items)
                .arg(anomalies)
                .arg(defaultSpec.settings.queueSize)
                .arg(defaultSpec.budget)
                .arg(formatSpread(base), formatSpread(withUai), formatSpread(byDefault))
                .arg(published ? QString::number(published->dae, 'f', 2) : QStringLiteral("-"),
                     published ? QString::number(published->daeUai, 'f', 2) : QStringLiteral("-"),
                     published ? QString::number(byDefault.mean - published->daeUai, 'f', 2)
                               : QStringLiteral("-"),
                     published ? QStringLiteral("%1: %2").arg(QLatin1String(published->name),
                                                              QLatin1String(published->match))
                               : QStringLiteral("not in the published table"))
                .arg(wall, 0, 'f', 1)
                .arg(cpu, 0, 'f', 1);
        commands += QStringLiteral("| %1 | published | `%2` |\n| %1 | default | `%3` |\n")
                        .arg(ref.label, runCommandLine(publishedSpec), runCommandLine(defaultSpec));
        summary += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,")
                       .arg(ref.label)
                       .arg(items)
                       .arg(anomalies)
                       .arg(defaultSpec.settings.queueSize)
                       .arg(defaultSpec.budget)
                       .arg(options.seeds)
                       .arg(defaultSpec.settings.pretrainSteps)
                       .arg(defaultSpec.settings.roundSteps);
        for (const Spread *spread : {&base, &withUai, &byDefault}) {
            summary += QStringLiteral("%1,%2,%3,")
                           .arg(spread->mean, 0, 'f', 4)
                           .arg(spread->minimum, 0, 'f', 4)
                           .arg(spread->maximum, 0, 'f', 4);
        }
        summary += QStringLiteral("%1,%2,%3,\"%4\"\n")
                       .arg(published ? QLatin1String(published->name) : QLatin1String(""))
                       .arg(published ? QString::number(published->dae, 'f', 2) : QString())
                       .arg(published ? QString::number(published->daeUai, 'f', 2) : QString())
                       .arg(published ? QLatin1String(published->match) : QLatin1String(""));

        const QImage image = renderBandChart(
            QStringLiteral("%1: anomalies found against verdicts, %2 seeds")
                .arg(ref.label)
                .arg(options.seeds),
            {summariseCurves(QStringLiteral("Base model alone"), kBaseColour, baseCurves),
             summariseCurves(QStringLiteral("Published method"), kUaiColour, uaiCurves),
             summariseCurves(QStringLiteral("Default method"), kClassUaiColour, defaultCurves)},
            anomalies);
        const QString png = QStringLiteral("table2-%1.png").arg(fileStem(ref.label));
        if (!addChart(context, ref.label, png, image, &charts))
            return kExitFailure;
    }

    QString markdown = context.markdownHeader(QStringLiteral("Recall at a budget of the anomaly "
                                                             "count, denoising autoencoder"));
    markdown +=
        QStringLiteral("Recall = true anomalies among the verdicts / anomalies in the table, after "
                       "the budget is spent. Each cell is the mean over seeds %1 with the minimum "
                       "and maximum in brackets. \"Base model alone\" ranks by the pretrained "
                       "autoencoder's reconstruction error. \"Published method\" is the active "
                       "loop with the UAI layer as published: the reconstruction error ranks the "
                       "queue until the layer has an anomaly and a normal verdict. \"Default "
                       "method\" is the application's default for feature tables with the "
                       "autoencoder (--base-ranking auto --switch auto): the forest layer ranks "
                       "every queue. It is a logistic layer on the leaves an isolation forest "
                       "(100 trees) puts each item in, anchored to the forest's score and "
                       "refitted on all verdicts each round. The autoencoder and its UAI layer "
                       "still train but do not rank. The published columns are DAE and DAE_uai "
                       "recall as published by Pimentel et al., \"Deep Active Learning for Anomaly "
                       "Detection\" (IJCNN "
                       "2020); \"data relation\" says how our table relates to theirs.\n\n")
            .arg(seedList(options.seeds));
    markdown += table
                + QStringLiteral("\n## Commands\n\nEach row is the runs of this command "
                                 "for every seed; `uai-cli run` prints the UAI and base "
                                 "found counts of one seed. The base model alone comes from "
                                 "the published method's runs.\n\n")
                + commands;
    if (!skipped.isEmpty())
        markdown += QStringLiteral("\n## Skipped files\n\n") + skipped;
    markdown += QStringLiteral("\n## Discovery curves\n\nMean over the seeds as a line, the "
                               "range from minimum to maximum as a band.\n\n")
                + charts;
    QString error;
    if (!context.writeFile(QStringLiteral("table2-summary.csv"), summary.toUtf8(), &error)) {
        printError(error);
        return kExitFailure;
    }
    return finishCurves(context, &markdown) ? kExitSuccess : kExitFailure;
}

int runCurvesExperiment(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    const QStringList defaults =
        options.quick ? QStringList{QStringLiteral("shuttle_sub"), QStringLiteral("yeast")}
                      : imageSets();
    std::vector<DatasetRef> refs;
    if (QString error; !datasetRefs(
            context, options.datasets.isEmpty() ? defaults : options.datasets, &refs, &error)) {
        printError(error);
        return kExitBadInput;
    }
    const qsizetype budget = options.budget ? *options.budget : (options.quick ? 60 : 1000);
    const std::vector<uai::ModelKind> models{uai::ModelKind::Autoencoder,
                                             uai::ModelKind::Classifier};
    context.setRunCount(int(refs.size() * models.size()) * options.seeds);

    QString table = QStringLiteral("| dataset | model | items | anomalies | base model alone | "
                                   "with UAI layer | wall s | CPU s |\n"
                                   "|---|---|---:|---:|---:|---:|---:|---:|\n");
    QString commands = QStringLiteral("| dataset | model | command (SEED = %1) |\n|---|---|---|\n")
                           .arg(seedList(options.seeds));
    QString notes;
    QString charts;
    for (const DatasetRef &ref : refs) {
        std::vector<RunSpec> batch;
        for (const uai::ModelKind model : models) {
            for (int seed = 1; seed <= options.seeds; ++seed) {
                RunSpec spec;
                spec.dataset = ref;
                spec.settings = publishedSettings(context);
                spec.settings.model = model;
                spec.budget = budget;
                spec.seed = std::uint64_t(seed);
                batch.push_back(spec);
            }
        }
        // A classifier run on data without a class column fails at once and is never used.
        context.prefetch(batch);

        std::vector<CurveBand> bands;
        qsizetype anomalies = 0;
        for (const uai::ModelKind model : models) {
            const QString modelName = uai::modelKindName(model);
            RunSpec spec;
            spec.dataset = ref;
            spec.settings = publishedSettings(context);
            spec.settings.model = model;
            spec.budget = budget;
            std::vector<std::vector<uai::DiscoveryPoint>> baseCurves, uaiCurves;
            std::vector<double> baseFound, uaiFound;
            double wall = 0.0, cpu = 0.0;
            qsizetype items = 0;
            for (int seed = 1; seed <= options.seeds; ++seed) {
                spec.seed = std::uint64_t(seed);
                const QString tag = context.nextRunTag();
                const auto data = context.dataset(ref, spec.seed);
                if (data.ok() && model == uai::ModelKind::Classifier
                    && !data.value()->hasClasses()) {
                    // The table has no class column for the classifier to predict.
                    if (seed == 1) {
                        notes += QStringLiteral("- %1, class: skipped, the data has no class "
                                                "column for the classifier.\n")
                                     .arg(ref.label);
                        context.progress(QStringLiteral("%1 curves %2 class skipped: no class "
                                                        "column")
                                             .arg(tag, ref.label));
                    }
                    continue;
                }
                const auto outcome = context.run(spec);
                if (!outcome.ok()) {
                    printError(outcome.error());
                    return kExitFailure;
                }
                const uai::SimulationResult &result = outcome.value().result;
                anomalies = result.anomalies;
                items = result.itemCount;
                context.recordCurve(ref.label,
                                    modelName,
                                    QStringLiteral("base"),
                                    spec.seed,
                                    result.anomalies,
                                    result.baseCurve);
                context.recordCurve(ref.label,
                                    modelName,
                                    QStringLiteral("uai"),
                                    spec.seed,
                                    result.anomalies,
                                    result.uaiCurve);
                baseCurves.push_back(result.baseCurve);
                uaiCurves.push_back(result.uaiCurve);
                baseFound.push_back(double(finalFound(result.baseCurve)));
                uaiFound.push_back(double(finalFound(result.uaiCurve)));
                wall += outcome.value().wallSeconds;
                cpu += outcome.value().cpuSeconds;
                context.progress(runLine(
                    tag,
                    QStringLiteral("curves %1 %2 seed %3").arg(ref.label, modelName).arg(seed),
                    outcome.value(),
                    QStringLiteral("found base %1, UAI %2 of %3")
                        .arg(baseFound.back())
                        .arg(uaiFound.back())
                        .arg(result.anomalies)));
            }
            if (uaiCurves.empty())
                continue;
            const bool dae = model == uai::ModelKind::Autoencoder;
            bands.push_back(summariseCurves(QStringLiteral("%1, base model alone").arg(modelName),
                                            dae ? kBaseColour : kClassBaseColour,
                                            baseCurves));
            bands.push_back(summariseCurves(QStringLiteral("%1, with UAI layer").arg(modelName),
                                            dae ? kUaiColour : kClassUaiColour,
                                            uaiCurves));
            table +=
                QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 |\n")
                    .arg(ref.label, modelName)
                    .arg(items)
                    .arg(anomalies)
                    .arg(formatSpread(spreadOf(baseFound), 1), formatSpread(spreadOf(uaiFound), 1))
                    .arg(wall, 0, 'f', 1)
                    .arg(cpu, 0, 'f', 1);
            commands += QStringLiteral("| %1 | %2 | `%3` |\n")
                            .arg(ref.label, modelName, runCommandLine(spec));
        }
        if (bands.empty())
            continue;
        const QImage image =
            renderBandChart(QStringLiteral("%1: anomalies found against verdicts, %2 seeds")
                                .arg(ref.label)
                                .arg(options.seeds),
                            bands,
                            anomalies);
        const QString png = QStringLiteral("curves-%1.png").arg(fileStem(ref.label));
        if (!addChart(context, ref.label, png, image, &charts))
            return kExitFailure;
    }

    QString markdown = context.markdownHeader(QStringLiteral("Discovery curves"));
    markdown += QStringLiteral("Anomalies found after %1 verdicts (k = 10 per round), mean over "
                               "seeds %2 with the minimum and maximum in brackets, for the "
                               "base model's own ranking and for the loop with the UAI layer "
                               "as published (the anomaly score ranks until the first anomaly "
                               "and normal verdicts, then the UAI layer). dae is the denoising "
                               "autoencoder, class the classifier. The application's default "
                               "ranking for the autoencoder on images is compared with these "
                               "runs in the images experiment.\n\n")
                    .arg(budget)
                    .arg(seedList(options.seeds));
    markdown += table + QStringLiteral("\n## Commands\n\n") + commands;
    if (!notes.isEmpty())
        markdown += QStringLiteral("\n## Skipped runs\n\n") + notes;
    markdown += QStringLiteral("\n## Charts\n\nMean over the seeds as a line, the range from "
                               "minimum to maximum as a band.\n\n")
                + charts;
    return finishCurves(context, &markdown) ? kExitSuccess : kExitFailure;
}

int runLatentExperiment(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    const QStringList defaultSet = options.quick ? QStringList{QStringLiteral("shuttle_sub")}
                                                 : QStringList{QStringLiteral("mnist:0")};
    std::vector<DatasetRef> refs;
    if (QString error; !datasetRefs(
            context, options.datasets.isEmpty() ? defaultSet : options.datasets, &refs, &error)) {
        printError(error);
        return kExitBadInput;
    }
    const std::vector<qsizetype> panels =
        options.quick ? std::vector<qsizetype>{0, 20, 50} : std::vector<qsizetype>{0, 250, 2000};
    context.setRunCount(int(refs.size()));

    QString sections;
    for (const DatasetRef &ref : refs) {
        RunSpec spec;
        spec.dataset = ref;
        spec.settings = publishedSettings(context);
        spec.settings.hiddenSizes = {256, 64, 1};
        spec.seed = 1;
        // One round past the last panel, so that the round trained on its verdicts runs.
        spec.budget = panels.back() + spec.settings.queueSize;
        const auto data = context.dataset(ref, spec.seed);
        if (!data.ok()) {
            printError(data.error());
            return kExitBadInput;
        }
        const std::shared_ptr<const uai::Dataset> dataset = data.value();

        std::vector<std::optional<uai::Verdict>> verdicts(size_t(dataset->itemCount));
        qsizetype prior = 0;
        QString failure;
        QString csv = QStringLiteral("verdicts,item,latent,score,truth,verdict\n");
        QString panelLines;
        const auto capture = [&](const uai::DiscoveryPoint &point, const uai::RoundReport &report) {
            if (failure.isEmpty()
                && std::find(panels.begin(), panels.end(), prior) != panels.end()) {
                const auto projected = uai::projectLatent(
                    report, uai::LatentAxis::SingleUnit, verdicts, dataset->truth);
                if (!projected.ok()) {
                    failure = projected.error();
                    return;
                }
                const uai::LatentChartData &chart = projected.value();
                for (qsizetype i = 0; i < chart.size(); ++i) {
                    const auto verdict = verdicts[size_t(chart.item[size_t(i)])];
                    csv += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                               .arg(prior)
                               .arg(chart.item[size_t(i)])
                               .arg(double(chart.x[size_t(i)]), 0, 'g', 7)
                               .arg(double(chart.y[size_t(i)]), 0, 'g', 7)
                               .arg(chart.trueAnomaly[size_t(i)] ? QStringLiteral("anomaly")
                                                                 : QStringLiteral("normal"))
                               .arg(verdict ? uai::verdictName(*verdict) : QStringLiteral("none"));
                }
                uai::LatentChartView view;
                view.setAttribute(Qt::WA_DontShowOnScreen);
                view.setData(chart);
                // A few items with a huge reconstruction error would squeeze the rest onto the
                // axis on a linear scale.
                view.setLogScale(true);
                const QString png =
                    QStringLiteral("latent-%1-%2.png").arg(fileStem(ref.label)).arg(prior);
                if (!context.writePng(png, view.renderImage(QSize(900, 650)), &failure))
                    return;
                panelLines += QStringLiteral("### After %1 verdicts\n\n![%2 after %1 verdicts](%3)"
                                             "\n\n")
                                  .arg(prior)
                                  .arg(ref.label, png);
            }
            const qsizetype taken = point.verdicts - prior;
            for (qsizetype i = 0; i < taken; ++i) {
                const qsizetype item = report.queue[size_t(i)];
                verdicts[size_t(item)] = dataset->truth[size_t(item)] == uai::Truth::Anomaly
                                             ? uai::Verdict::Anomaly
                                             : uai::Verdict::Normal;
            }
            prior = point.verdicts;
        };
        const auto outcome = context.run(spec, capture);
        if (!outcome.ok()) {
            printError(outcome.error());
            return kExitFailure;
        }
        if (!failure.isEmpty()) {
            printError(
                QStringLiteral("Latent panels of \"%1\" failed: %2").arg(ref.label, failure));
            return kExitFailure;
        }
        const uai::SimulationResult &result = outcome.value().result;
        context.recordCurve(ref.label,
                            uai::modelKindName(spec.settings.model),
                            QStringLiteral("uai"),
                            spec.seed,
                            result.anomalies,
                            result.uaiCurve);
        context.recordCurve(ref.label,
                            uai::modelKindName(spec.settings.model),
                            QStringLiteral("base"),
                            spec.seed,
                            result.anomalies,
                            result.baseCurve);
        const QString csvName = QStringLiteral("latent-%1.csv").arg(fileStem(ref.label));
        QString error;
        if (!context.writeFile(csvName, csv.toUtf8(), &error)) {
            printError(error);
            return kExitFailure;
        }
        context.progress(runLine(context.nextRunTag(),
                                 QStringLiteral("latent %1 seed 1").arg(ref.label),
                                 outcome.value(),
                                 QStringLiteral("found %1 of %2 with %3 verdicts")
                                     .arg(finalFound(result.uaiCurve))
                                     .arg(result.anomalies)
                                     .arg(spec.budget)));
        sections += QStringLiteral("## %1\n\n%2 items, %3 anomalies; seed 1; command: `%4` "
                                   "with SEED = 1. Points of every panel: [%5](%5) (columns "
                                   "verdicts, item, latent, score, truth, verdict).\n\n")
                        .arg(ref.label)
                        .arg(result.itemCount)
                        .arg(result.anomalies)
                        .arg(runCommandLine(spec), csvName)
                    + panelLines;
    }

    QString markdown = context.markdownHeader(QStringLiteral("Latent value against anomaly score"));
    markdown += QStringLiteral(
        "The autoencoder with hidden sizes 256, 64, 1 (a 1-unit latent) after the verdicts "
        "shown: the horizontal axis is the single latent unit, the vertical one the base "
        "anomaly score on a log scale. Colour is the verdict so far (grey: none yet); a dark ring "
        "marks each "
        "true anomaly from the ground truth. Each panel is drawn from the round trained on "
        "exactly that many verdicts.\n\n");
    markdown += sections;
    return finishCurves(context, &markdown) ? kExitSuccess : kExitFailure;
}

int runMethodsExperiment(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    const QStringList quickTables{
        QStringLiteral("shuttle_sub"), QStringLiteral("yeast"), QStringLiteral("abalone")};
    std::vector<DatasetRef> refs;
    if (QString error; !tableDatasets(context, quickTables, &refs, &error)) {
        printError(error);
        return kExitBadInput;
    }
    const std::vector<QColor> palette{kBaseColour,
                                      kUaiColour,
                                      kClassUaiColour,
                                      kClassBaseColour,
                                      QColor(140, 90, 170),
                                      QColor(120, 120, 40),
                                      QColor(20, 160, 160),
                                      QColor(200, 50, 140),
                                      QColor(90, 90, 90)};

    // Methods with equal settings and options share one run per seed, as "base" and "uai" do.
    // The progress tags count the distinct runs.
    std::set<QString> distinct;
    for (const QString &method : options.methods) {
        RunSpec spec;
        spec.settings = context.baseSettings();
        uai::SimulationOptions simulation;
        MethodCurve curve = MethodCurve::Uai;
        QString error;
        applyMethod(method, &spec.settings, &simulation, &curve, &error);
        spec.flipFraction = simulation.flipFraction;
        distinct.insert(runCommandLine(spec));
    }
    context.setRunCount(int(refs.size() * distinct.size()) * options.seeds);

    // recall[method][table] over the seeds.
    std::map<QString, std::map<QString, std::vector<double>>> recall;
    QStringList tables;
    QString charts;
    QString skipped;
    QString summary = QStringLiteral("method,table,k,budget,mean,min,max\n");
    for (const DatasetRef &ref : refs) {
        qsizetype anomalies = 0;
        if (const QString reason = tableSkipReason(context, ref, &anomalies); !reason.isEmpty()) {
            skipped += QStringLiteral("- %1: skipped, %2\n").arg(ref.label, reason);
            context.progress(QStringLiteral("%1 skipped: %2").arg(ref.label, reason));
            continue;
        }
        tables.append(ref.label);
        RunSpec tableSpec;
        tableSpec.dataset = ref;
        tableSpec.settings = context.baseSettings();
        tableBudget(options, anomalies, &tableSpec.budget, &tableSpec.settings.queueSize);

        // Each distinct run, keyed by its command line, with the methods it serves.
        std::map<QString, RunSpec> runSpecs;
        std::map<QString, QStringList> runMethods;
        std::map<QString, std::pair<QString, MethodCurve>> methodRun;
        for (const QString &method : options.methods) {
            RunSpec spec = tableSpec;
            uai::SimulationOptions simulation;
            MethodCurve curve = MethodCurve::Uai;
            QString error;
            applyMethod(method, &spec.settings, &simulation, &curve, &error);
            spec.flipFraction = simulation.flipFraction;
            const QString key = runCommandLine(spec);
            runSpecs.emplace(key, spec);
            runMethods[key].append(method);
            methodRun[method] = {key, curve};
        }

        std::vector<RunSpec> batch;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            for (const auto &[key, spec] : runSpecs) {
                batch.push_back(spec);
                batch.back().seed = std::uint64_t(seed);
            }
        }
        context.prefetch(batch);

        std::map<QString, std::vector<std::vector<uai::DiscoveryPoint>>> curves;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            std::map<QString, uai::SimulationResult> runs;
            for (auto &[key, spec] : runSpecs) {
                spec.seed = std::uint64_t(seed);
                const auto outcome = context.run(spec);
                if (!outcome.ok()) {
                    printError(outcome.error());
                    return kExitFailure;
                }
                const uai::SimulationResult &result = outcome.value().result;
                context.progress(runLine(context.nextRunTag(),
                                         QStringLiteral("methods %1 seed %2 (%3)")
                                             .arg(ref.label)
                                             .arg(seed)
                                             .arg(runMethods[key].join(QStringLiteral(", "))),
                                         outcome.value(),
                                         QStringLiteral("found base %1, UAI %2 of %3")
                                             .arg(finalFound(result.baseCurve))
                                             .arg(finalFound(result.uaiCurve))
                                             .arg(result.anomalies)));
                runs.emplace(key, result);
            }
            for (const QString &method : options.methods) {
                const auto &[key, curve] = methodRun[method];
                const uai::SimulationResult &result = runs.at(key);
                const std::vector<uai::DiscoveryPoint> *selected = &result.uaiCurve;
                if (curve == MethodCurve::Base)
                    selected = &result.baseCurve;
                else if (curve == MethodCurve::ExtraScore)
                    selected = &result.extraCurve;
                const std::vector<uai::DiscoveryPoint> &methodCurve = *selected;
                context.recordCurve(ref.label,
                                    QStringLiteral("dae"),
                                    method,
                                    std::uint64_t(seed),
                                    anomalies,
                                    methodCurve);
                recall[method][ref.label].push_back(double(finalFound(methodCurve))
                                                    / double(anomalies));
                curves[method].push_back(methodCurve);
            }
        }

        std::vector<CurveBand> bands;
        for (int i = 0; i < options.methods.size(); ++i) {
            const QString &method = options.methods[i];
            bands.push_back(
                summariseCurves(method, palette[size_t(i) % palette.size()], curves[method]));
            const Spread spread = spreadOf(recall[method][ref.label]);
            summary += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                           .arg(method, ref.label)
                           .arg(tableSpec.settings.queueSize)
                           .arg(tableSpec.budget)
                           .arg(spread.mean, 0, 'f', 4)
                           .arg(spread.minimum, 0, 'f', 4)
                           .arg(spread.maximum, 0, 'f', 4);
        }
        const QImage image = renderBandChart(
            QStringLiteral("%1: methods, %2 seeds").arg(ref.label).arg(options.seeds),
            bands,
            anomalies);
        const QString png = QStringLiteral("methods-%1.png").arg(fileStem(ref.label));
        if (!addChart(context, ref.label, png, image, &charts))
            return kExitFailure;
    }

    QString table = QStringLiteral("| method |");
    QString rule = QStringLiteral("|---|");
    for (const QString &name : tables) {
        table += QStringLiteral(" %1 |").arg(name);
        rule += QStringLiteral("---:|");
    }
    table += QLatin1Char('\n') + rule + QLatin1Char('\n');
    for (const QString &method : options.methods) {
        table += QStringLiteral("| %1 |").arg(method);
        for (const QString &name : tables)
            table += QStringLiteral(" %1 |").arg(formatSpread(spreadOf(recall[method][name])));
        table += QLatin1Char('\n');
    }

    QString markdown = context.markdownHeader(QStringLiteral("Methods compared on the same seeds"));
    markdown += QStringLiteral("Recall at the table2 budget (the anomaly count unless --budget or "
                               "--quick set it) with the denoising autoencoder, mean over seeds "
                               "%1 with the minimum and maximum in brackets. Methods whose "
                               "settings are equal share their runs, so base and uai come from "
                               "the same runs.\n\n")
                    .arg(seedList(options.seeds));
    for (const QString &method : options.methods)
        markdown += QStringLiteral("- %1: %2\n").arg(method, describeMethod(method));
    markdown += QLatin1Char('\n') + table;
    if (!skipped.isEmpty())
        markdown += QStringLiteral("\n## Skipped files\n\n") + skipped;
    markdown += QStringLiteral("\n## Discovery curves\n\n") + charts;
    QString error;
    if (!context.writeFile(QStringLiteral("methods-summary.csv"), summary.toUtf8(), &error)) {
        printError(error);
        return kExitFailure;
    }
    return finishCurves(context, &markdown) ? kExitSuccess : kExitFailure;
}

namespace {

/// Curves per dataset, model, method and seed, read from an experiment's runs file.
using RecordedCurves = std::map<std::tuple<QString, QString, QString>,
                                std::map<std::uint64_t, std::vector<uai::DiscoveryPoint>>>;

/// Reads a runs file that an experiment wrote (columns dataset, model, method, seed, round,
/// verdicts, found, anomalies, ranked_by). Returns false with a message naming the file and line
/// when a row does not parse.
bool readRecordedCurves(const QString &path, RecordedCurves *curves, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("Cannot read \"%1\": %2.").arg(path, file.errorString());
        return false;
    }
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const QString where = QStringLiteral("\"%1\", line %2").arg(path).arg(i + 1);
        const QString fix =
            QStringLiteral("run the experiment that wrote it again to rewrite the file.");
        const QStringList fields = lines[i].split(QLatin1Char(','));
        if (fields.size() != 9) {
            *error = QStringLiteral("%1: %2 fields instead of 9 (dataset, model, method, seed, "
                                    "round, verdicts, found, anomalies, ranked_by): %3")
                         .arg(where)
                         .arg(fields.size())
                         .arg(fix);
            return false;
        }
        // Columns 3 to 6 are seed, round, verdicts and found, all counts.
        const char *const countNames[] = {"seed", "round", "verdicts", "found"};
        qint64 counts[4] = {};
        for (int column = 0; column < 4; ++column) {
            bool ok = false;
            counts[column] = fields[3 + column].toLongLong(&ok);
            if (!ok || counts[column] < 0) {
                *error =
                    QStringLiteral("%1: field \"%2\" is \"%3\", not a count: %4")
                        .arg(where, QLatin1String(countNames[column]), fields[3 + column], fix);
                return false;
            }
        }
        const auto seed = std::uint64_t(counts[0]);
        uai::DiscoveryPoint point;
        point.round = int(counts[1]);
        point.verdicts = counts[2];
        point.found = counts[3];
        point.rankedByUai = fields[8] == QLatin1String("uai");
        (*curves)[{fields[0], fields[1], fields[2]}][seed].push_back(point);
    }
    return true;
}

} // namespace

int runImagesExperiment(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    const QStringList defaults =
        options.quick ? QStringList{QStringLiteral("mnist:0")} : imageSets();
    std::vector<DatasetRef> refs;
    if (QString error; !datasetRefs(
            context, options.datasets.isEmpty() ? defaults : options.datasets, &refs, &error)) {
        printError(error);
        return kExitBadInput;
    }
    const QStringList methods =
        options.methodsGiven ? options.methods : QStringList{QStringLiteral("score-forest-layer")};
    const qsizetype budget = options.budget ? *options.budget : (options.quick ? 60 : 1000);
    context.setRunCount(int(refs.size() * size_t(methods.size())) * options.seeds);

    // The published method's runs come from the curves experiment when its file is in the
    // output folder and covers the same seeds and budget.
    RecordedCurves reference;
    const QString referenceFile = QStringLiteral("curves-runs.csv");
    const QString referencePath = QDir(options.outDir).filePath(referenceFile);
    if (QFileInfo::exists(referencePath)) {
        if (QString error; !readRecordedCurves(referencePath, &reference, &error)) {
            printError(error);
            return kExitBadInput;
        }
    }
    const auto referenceFor =
        [&](const QString &dataset,
            const QString &method) -> std::optional<std::vector<std::vector<uai::DiscoveryPoint>>> {
        const auto found = reference.find({dataset, QStringLiteral("dae"), method});
        if (found == reference.end())
            return std::nullopt;
        std::vector<std::vector<uai::DiscoveryPoint>> curves;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            const auto curve = found->second.find(std::uint64_t(seed));
            if (curve == found->second.end() || curve->second.empty()
                || curve->second.back().verdicts != budget)
                return std::nullopt;
            curves.push_back(curve->second);
        }
        return curves;
    };

    const std::vector<QColor> palette{
        kClassUaiColour, kClassBaseColour, QColor(140, 90, 170), QColor(20, 160, 160)};
    QString table = QStringLiteral("| dataset | items | anomalies | base model alone | published "
                                   "method |");
    QString rule = QStringLiteral("|---|---:|---:|---:|---:|");
    for (const QString &method : methods) {
        table += QStringLiteral(" %1 | seeds ahead of published |").arg(method);
        rule += QStringLiteral("---:|---:|");
    }
    table += QLatin1Char('\n') + rule + QLatin1Char('\n');
    QString commands = QStringLiteral("| dataset | method | command (SEED = %1) |\n|---|---|---|\n")
                           .arg(seedList(options.seeds));
    QString missing;
    QString charts;
    for (const DatasetRef &ref : refs) {
        RunSpec common;
        common.dataset = ref;
        common.settings = context.baseSettings();
        common.settings.model = uai::ModelKind::Autoencoder;
        common.budget = budget;
        std::vector<RunSpec> batch;
        for (const QString &method : methods) {
            for (int seed = 1; seed <= options.seeds; ++seed) {
                RunSpec spec = common;
                uai::SimulationOptions simulation;
                MethodCurve curve = MethodCurve::Uai;
                QString error;
                applyMethod(method, &spec.settings, &simulation, &curve, &error);
                spec.flipFraction = simulation.flipFraction;
                spec.seed = std::uint64_t(seed);
                batch.push_back(spec);
            }
        }
        context.prefetch(batch);

        std::vector<CurveBand> bands;
        const auto publishedBase = referenceFor(ref.label, QStringLiteral("base"));
        const auto publishedUai = referenceFor(ref.label, QStringLiteral("uai"));
        std::vector<double> publishedFound;
        QString baseCell = QStringLiteral("not in %1").arg(referenceFile);
        QString publishedCell = baseCell;
        if (publishedBase && publishedUai) {
            std::vector<double> baseFound;
            for (const auto &curve : *publishedBase)
                baseFound.push_back(double(finalFound(curve)));
            for (const auto &curve : *publishedUai)
                publishedFound.push_back(double(finalFound(curve)));
            baseCell = formatSpread(spreadOf(baseFound), 1);
            publishedCell = formatSpread(spreadOf(publishedFound), 1);
            bands.push_back(summariseCurves(
                QStringLiteral("dae, base model alone (curves)"), kBaseColour, *publishedBase));
            bands.push_back(summariseCurves(
                QStringLiteral("dae, published method (curves)"), kUaiColour, *publishedUai));
        } else {
            missing += QStringLiteral("- %1: %2 holds no autoencoder runs for seeds %3 with %4 "
                                      "verdicts.\n")
                           .arg(ref.label, referenceFile, seedList(options.seeds))
                           .arg(budget);
        }

        qsizetype items = 0;
        qsizetype anomalies = 0;
        QString cells;
        for (int m = 0; m < methods.size(); ++m) {
            const QString &method = methods[m];
            std::vector<std::vector<uai::DiscoveryPoint>> curves;
            std::vector<double> found;
            int ahead = 0;
            RunSpec spec = common;
            for (int seed = 1; seed <= options.seeds; ++seed) {
                spec = batch[size_t(m * options.seeds + seed - 1)];
                const auto outcome = context.run(spec);
                if (!outcome.ok()) {
                    printError(outcome.error());
                    return kExitFailure;
                }
                const uai::SimulationResult &result = outcome.value().result;
                items = result.itemCount;
                anomalies = result.anomalies;
                context.recordCurve(ref.label,
                                    QStringLiteral("dae"),
                                    method,
                                    spec.seed,
                                    anomalies,
                                    result.uaiCurve);
                curves.push_back(result.uaiCurve);
                found.push_back(double(finalFound(result.uaiCurve)));
                if (!publishedFound.empty() && found.back() > publishedFound[size_t(seed - 1)])
                    ++ahead;
                context.progress(
                    runLine(context.nextRunTag(),
                            QStringLiteral("images %1 %2 seed %3").arg(ref.label, method).arg(seed),
                            outcome.value(),
                            QStringLiteral("found %1 of %2").arg(found.back()).arg(anomalies)));
            }
            bands.push_back(summariseCurves(method, palette[size_t(m) % palette.size()], curves));
            cells += QStringLiteral(" %1 | %2 |")
                         .arg(formatSpread(spreadOf(found), 1),
                              publishedFound.empty()
                                  ? QStringLiteral("-")
                                  : QStringLiteral("%1 of %2").arg(ahead).arg(options.seeds));
            commands +=
                QStringLiteral("| %1 | %2 | `%3` |\n").arg(ref.label, method, runCommandLine(spec));
        }
        table += QStringLiteral("| %1 | %2 | %3 | %4 | %5 |")
                     .arg(ref.label)
                     .arg(items)
                     .arg(anomalies)
                     .arg(baseCell, publishedCell)
                 + cells + QLatin1Char('\n');
        const QImage image =
            renderBandChart(QStringLiteral("%1: anomalies found against verdicts, dae, %2 seeds")
                                .arg(ref.label)
                                .arg(options.seeds),
                            bands,
                            anomalies);
        const QString png = QStringLiteral("images-%1.png").arg(fileStem(ref.label));
        if (!addChart(context, ref.label, png, image, &charts))
            return kExitFailure;
    }

    QString markdown =
        context.markdownHeader(QStringLiteral("Rankings of the autoencoder on the image sets"));
    markdown += QStringLiteral("Anomalies found after %1 verdicts (k = %2 per round) with the "
                               "denoising autoencoder, mean over seeds %3 with the minimum and "
                               "maximum in brackets. The base model alone and the published "
                               "method (the UAI layer, switched on at the first anomaly and "
                               "normal verdicts) are the autoencoder's runs of the same seeds "
                               "in [%4](%4), written by the curves experiment; the other "
                               "columns are measured here. \"Seeds ahead\" counts the seeds on "
                               "which the method found more than the published method on the "
                               "same seed.\n\n")
                    .arg(budget)
                    .arg(context.baseSettings().queueSize)
                    .arg(seedList(options.seeds), referenceFile);
    for (const QString &method : methods)
        markdown += QStringLiteral("- %1: %2\n").arg(method, describeMethod(method));
    markdown += QLatin1Char('\n') + table + QStringLiteral("\n## Commands\n\n") + commands;
    if (!missing.isEmpty())
        markdown += QStringLiteral("\n## Missing reference runs\n\n") + missing;
    markdown += QStringLiteral("\n## Charts\n\nMean over the seeds as a line, the range from "
                               "minimum to maximum as a band.\n\n")
                + charts;
    return finishCurves(context, &markdown) ? kExitSuccess : kExitFailure;
}

namespace {

/// One row of table2-summary.csv, as the overview needs it.
struct SummaryRow {
    QString table;
    qsizetype anomalies = 0;
    qsizetype budget = 0;
    int seeds = 0;
    int pretrainSteps = 0;
    int roundSteps = 0;
    double baseMean = 0.0;
    double uaiMean = 0.0;
    double defaultMean = 0.0;
    QString publishedName;
    double publishedDae = 0.0;
    double publishedDaeUai = 0.0;
    QString relation;
};

/// Splits one CSV line into fields; a field in double quotes may contain commas.
QStringList splitCsvLine(const QString &line)
{
    QStringList fields{QString()};
    bool quoted = false;
    for (const QChar c : line) {
        if (c == QLatin1Char('"'))
            quoted = !quoted;
        else if (c == QLatin1Char(',') && !quoted)
            fields.append(QString());
        else
            fields.last().append(c);
    }
    return fields;
}

/// Reads table2-summary.csv as runTable2Experiment() writes it, by column name. Returns false
/// with a message naming the file, and the line or column, when the file does not parse.
bool readSummary(const QString &path, std::vector<SummaryRow> *rows, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("Cannot read \"%1\": %2.").arg(path, file.errorString());
        return false;
    }
    const QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const QStringList header = lines.isEmpty() ? QStringList() : splitCsvLine(lines.first());
    const QStringList required{QStringLiteral("table"),
                               QStringLiteral("anomalies"),
                               QStringLiteral("budget"),
                               QStringLiteral("seeds"),
                               QStringLiteral("pretrain_steps"),
                               QStringLiteral("round_steps"),
                               QStringLiteral("base_mean"),
                               QStringLiteral("uai_mean"),
                               QStringLiteral("default_mean"),
                               QStringLiteral("published_name"),
                               QStringLiteral("published_dae"),
                               QStringLiteral("published_dae_uai"),
                               QStringLiteral("relation")};
    for (const QString &column : required) {
        if (!header.contains(column)) {
            *error = QStringLiteral("Cannot read \"%1\": column \"%2\" is missing; rerun "
                                    "\"uai-cli experiment --name table2\".")
                         .arg(path, column);
            return false;
        }
    }
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList fields = splitCsvLine(lines[i]);
        bool ok = fields.size() == header.size();
        const auto field = [&](const char *name) {
            return ok ? fields[header.indexOf(QLatin1String(name))] : QString();
        };
        const auto number = [&](const char *name) {
            bool parsed = false;
            const double value = field(name).toDouble(&parsed);
            ok = ok && parsed;
            return value;
        };
        SummaryRow row;
        row.table = field("table");
        row.anomalies = qsizetype(number("anomalies"));
        row.budget = qsizetype(number("budget"));
        row.seeds = int(number("seeds"));
        row.pretrainSteps = int(number("pretrain_steps"));
        row.roundSteps = int(number("round_steps"));
        row.baseMean = number("base_mean");
        row.uaiMean = number("uai_mean");
        row.defaultMean = number("default_mean");
        row.publishedName = field("published_name");
        if (!row.publishedName.isEmpty()) {
            row.publishedDae = number("published_dae");
            row.publishedDaeUai = number("published_dae_uai");
        }
        row.relation = field("relation");
        if (!ok) {
            *error = QStringLiteral("Cannot read \"%1\": line %2 is not a table2 summary row; "
                                    "rerun \"uai-cli experiment --name table2\".")
                         .arg(path)
                         .arg(i + 1);
            return false;
        }
        rows->push_back(row);
    }
    return true;
}

/// Returns why a row's recall cannot be set beside the published one, or an empty string when
/// it can: the published runs spent the anomaly count with the default training steps.
QString incomparableReason(const SummaryRow &row)
{
    const uai::LoopSettings defaults;
    if (row.budget < row.anomalies)
        return QStringLiteral("budget %1 below the %2 anomalies")
            .arg(row.budget)
            .arg(row.anomalies);
    if (row.pretrainSteps != defaults.pretrainSteps || row.roundSteps != defaults.roundSteps) {
        return QStringLiteral("%1 pretraining and %2 round steps instead of %3 and %4")
            .arg(row.pretrainSteps)
            .arg(row.roundSteps)
            .arg(defaults.pretrainSteps)
            .arg(defaults.roundSteps);
    }
    return QString();
}

/// The recall of a table2 summary row that the overview compares with the published one.
enum class Compared { DefaultMethod, PublishedMethod, BaseModel };

/// Lists the published tables where `ours` is below or at/above the published value.
QString compareWithPublished(const std::vector<SummaryRow> &rows, Compared compared)
{
    QStringList below, atOrAbove;
    for (const SummaryRow &row : rows) {
        if (row.publishedName.isEmpty() || !incomparableReason(row).isEmpty())
            continue;
        double measured = row.baseMean;
        if (compared == Compared::DefaultMethod)
            measured = row.defaultMean;
        else if (compared == Compared::PublishedMethod)
            measured = row.uaiMean;
        // Compared at the published precision of two decimals, so that a difference the table
        // cannot show does not count as below.
        const double ours = std::round(measured * 100.0) / 100.0;
        const double published =
            compared == Compared::BaseModel ? row.publishedDae : row.publishedDaeUai;
        const QString item = QStringLiteral("%1 (%2; %3): ours %4 over %5 seeds, published %6")
                                 .arg(row.publishedName, row.table, row.relation)
                                 .arg(ours, 0, 'f', 2)
                                 .arg(row.seeds)
                                 .arg(published, 0, 'f', 2);
        if (ours < published)
            below.append(item + QStringLiteral(", %1 lower").arg(published - ours, 0, 'f', 2));
        else
            atOrAbove.append(item);
    }
    QString heading = QStringLiteral("Base model alone (published DAE)");
    if (compared == Compared::DefaultMethod)
        heading = QStringLiteral("Default method, the forest layer on feature tables "
                                 "(published DAE_uai)");
    else if (compared == Compared::PublishedMethod)
        heading = QStringLiteral("Published method with the UAI layer (published DAE_uai)");
    QString text = QStringLiteral("%1: below the published recall on %2 of %3 tables.\n\n")
                       .arg(heading)
                       .arg(below.size())
                       .arg(below.size() + atOrAbove.size());
    for (const QString &item : below)
        text += QStringLiteral("- below: %1\n").arg(item);
    for (const QString &item : atOrAbove)
        text += QStringLiteral("- at or above: %1\n").arg(item);
    return text + QLatin1Char('\n');
}

/// Lists the tables where a method's mean recall ends below that of the base model alone.
QString belowBaseModel(const std::vector<SummaryRow> &rows, bool defaultMethod)
{
    QStringList tables;
    for (const SummaryRow &row : rows) {
        const double measured = defaultMethod ? row.defaultMean : row.uaiMean;
        if (measured < row.baseMean) {
            tables.append(QStringLiteral("%1 (%2, base model alone %3)")
                              .arg(row.table)
                              .arg(measured, 0, 'f', 2)
                              .arg(row.baseMean, 0, 'f', 2));
        }
    }
    if (tables.isEmpty())
        return QString();
    return QStringLiteral("With the %1, the mean recall ends below that of the base model alone "
                          "on: %2.\n\n")
        .arg(defaultMethod ? QStringLiteral("default method") : QStringLiteral("published method"),
             tables.join(QStringLiteral(", ")));
}

/// One column of the image-set table: a model and method in a runs file.
struct ImageColumn {
    QString heading;
    QString model;
    QString method;
    /// The column this one's loop is compared with, -1 for a base model alone.
    int baseColumn = -1;
};

/// Writes the overview's image-set section from curves-runs.csv and, when present,
/// images-runs.csv: the anomalies each model found alone and with each loop, and where a loop
/// ends below its base model alone. Returns false with a message when a file does not parse.
bool imageSection(const QDir &out,
                  const std::function<QString(const QString &)> &link,
                  QString *section,
                  QString *error)
{
    const QString curvesFile = QStringLiteral("curves-runs.csv");
    const QString imagesFile = QStringLiteral("images-runs.csv");
    if (!QFileInfo::exists(out.filePath(curvesFile))) {
        *section = QStringLiteral("## Anomalies found on the image sets\n\nNo curves results in "
                                  "the folder yet.\n\n");
        return true;
    }
    RecordedCurves curves;
    if (!readRecordedCurves(out.filePath(curvesFile), &curves, error))
        return false;
    const bool haveImages = QFileInfo::exists(out.filePath(imagesFile));
    if (haveImages && !readRecordedCurves(out.filePath(imagesFile), &curves, error))
        return false;

    // Each model's default ranking on images of more than one item: "uai" when it is the
    // published method, otherwise the ranking's name, which the images experiment's method shares.
    const auto defaultFor = [](uai::ModelKind model) {
        uai::LoopSettings settings;
        settings.model = model;
        const uai::BaseRanking ranking = settings.resolvedBaseRanking(uai::DatasetKind::Images, 2);
        return ranking == uai::BaseRanking::AnomalyScore ? QStringLiteral("uai")
                                                         : uai::baseRankingName(ranking);
    };
    const auto heading = [&defaultFor](const QString &model, const QString &method) {
        const QString name =
            method == QLatin1String("uai") ? QStringLiteral("published method") : method;
        const uai::ModelKind kind = model == QLatin1String("class") ? uai::ModelKind::Classifier
                                                                    : uai::ModelKind::Autoencoder;
        const QString mark = defaultFor(kind) == method ? QStringLiteral(" (default)") : QString();
        return QStringLiteral("%1, %2%3").arg(model, name, mark);
    };

    std::vector<ImageColumn> columns{
        {QStringLiteral("dae alone"), QStringLiteral("dae"), QStringLiteral("base"), -1},
        {heading(QStringLiteral("dae"), QStringLiteral("uai")),
         QStringLiteral("dae"),
         QStringLiteral("uai"),
         0}};
    // The autoencoder's other methods, from the images experiment.
    std::set<QString> daeMethods;
    for (const auto &[key, runs] : curves) {
        const QString &method = std::get<2>(key);
        if (std::get<1>(key) == QLatin1String("dae") && method != QLatin1String("base")
            && method != QLatin1String("uai"))
            daeMethods.insert(method);
    }
    for (const QString &method : daeMethods)
        columns.push_back(
            {heading(QStringLiteral("dae"), method), QStringLiteral("dae"), method, 0});
    const int classBase = int(columns.size());
    columns.push_back(
        {QStringLiteral("class alone"), QStringLiteral("class"), QStringLiteral("base"), -1});
    columns.push_back({heading(QStringLiteral("class"), QStringLiteral("uai")),
                       QStringLiteral("class"),
                       QStringLiteral("uai"),
                       classBase});

    std::set<QString> datasets;
    for (const auto &[key, runs] : curves)
        datasets.insert(std::get<0>(key));

    QString table = QStringLiteral("| dataset | verdicts |");
    QString rule = QStringLiteral("|---|---:|");
    for (const ImageColumn &column : columns) {
        table += QStringLiteral(" %1 |").arg(column.heading);
        rule += QStringLiteral("---:|");
    }
    table += QLatin1Char('\n') + rule + QLatin1Char('\n');
    std::vector<QStringList> below(columns.size());
    std::vector<int> compared(columns.size(), 0);
    for (const QString &dataset : datasets) {
        std::vector<std::optional<double>> means(columns.size());
        QString cells;
        qsizetype verdicts = 0;
        for (size_t c = 0; c < columns.size(); ++c) {
            const auto runs = curves.find({dataset, columns[c].model, columns[c].method});
            if (runs == curves.end() || runs->second.empty()) {
                cells += QStringLiteral(" - |");
                continue;
            }
            std::vector<double> found;
            for (const auto &[seed, curve] : runs->second) {
                found.push_back(double(finalFound(curve)));
                if (!curve.empty())
                    verdicts = std::max(verdicts, curve.back().verdicts);
            }
            const Spread spread = spreadOf(found);
            means[c] = spread.mean;
            cells += QStringLiteral(" %1 |").arg(formatSpread(spread, 1));
        }
        table +=
            QStringLiteral("| %1 | %2 |").arg(dataset).arg(verdicts) + cells + QLatin1Char('\n');
        for (size_t c = 0; c < columns.size(); ++c) {
            const int base = columns[c].baseColumn;
            if (base < 0 || !means[c] || !means[size_t(base)])
                continue;
            ++compared[c];
            if (*means[c] < *means[size_t(base)]) {
                below[c].append(QStringLiteral("%1 (%2 against %3)")
                                    .arg(dataset)
                                    .arg(*means[c], 0, 'f', 1)
                                    .arg(*means[size_t(base)], 0, 'f', 1));
            }
        }
    }

    QString sources = QStringLiteral("[%1](%2)").arg(curvesFile, link(curvesFile));
    if (haveImages)
        sources += QStringLiteral(" and [%1](%2)").arg(imagesFile, link(imagesFile));
    *section = QStringLiteral("## Anomalies found on the image sets\n\nComputed from %1: mean "
                              "anomalies found over the seeds, with the minimum and maximum in "
                              "brackets. The published findings: the classifier alone finds "
                              "clustered anomalies (the :0 and :0-2 sets) but not low-density "
                              "ones (:hard), the autoencoder alone the opposite, and both with "
                              "the UAI layer do well on all three.\n\n")
                   .arg(sources)
               + table + QLatin1Char('\n');
    for (size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].baseColumn < 0 || compared[c] == 0)
            continue;
        if (below[c].isEmpty()) {
            *section += QStringLiteral("- %1: at or above its base model alone on %2 of %2 "
                                       "sets.\n")
                            .arg(columns[c].heading)
                            .arg(compared[c]);
        } else {
            *section += QStringLiteral("- %1: below its base model alone on %2 of %3 sets: %4.\n")
                            .arg(columns[c].heading)
                            .arg(below[c].size())
                            .arg(compared[c])
                            .arg(below[c].join(QStringLiteral(", ")));
        }
    }
    *section += QLatin1Char('\n');
    return true;
}

} // namespace

int runOverview(ExperimentContext &context)
{
    const ExperimentOptions &options = context.options();
    const QDir out(options.outDir);
    const QDir pageDir = QFileInfo(options.pagePath).absoluteDir();
    const auto link = [&out, &pageDir](const QString &file) {
        return pageDir.relativeFilePath(out.absoluteFilePath(file));
    };

    QString page = QStringLiteral("# Experiment results\n\nMade by `%1` from the files in `%2`; "
                                  "`scripts/results.sh` runs the experiments and rewrites this "
                                  "page.\n\n")
                       .arg(options.commandLine, options.outDir);
    const QString summaryPath = out.filePath(QStringLiteral("table2-summary.csv"));
    if (QFileInfo::exists(summaryPath)) {
        std::vector<SummaryRow> rows;
        QString error;
        if (!readSummary(summaryPath, &rows, &error)) {
            printError(error);
            return kExitBadInput;
        }
        page += QStringLiteral("## Recall against the published values\n\nComputed from "
                               "[table2-summary.csv](%1): mean recall over the seeds at a budget "
                               "of the anomaly count.\n\n")
                    .arg(link(QStringLiteral("table2-summary.csv")));
        QString incomparable;
        for (const SummaryRow &row : rows) {
            const QString reason = incomparableReason(row);
            if (!row.publishedName.isEmpty() && !reason.isEmpty())
                incomparable +=
                    QStringLiteral("- %1 (%2): %3\n").arg(row.publishedName, row.table, reason);
        }
        if (!incomparable.isEmpty()) {
            page += QStringLiteral("Left out of the comparison because the runs differ from the "
                                   "published set-up (a --quick, --budget or step override):\n\n")
                    + incomparable + QLatin1Char('\n');
        }
        page += compareWithPublished(rows, Compared::DefaultMethod)
                + compareWithPublished(rows, Compared::PublishedMethod)
                + compareWithPublished(rows, Compared::BaseModel) + belowBaseModel(rows, true)
                + belowBaseModel(rows, false);
    } else {
        page += QStringLiteral("No table2 results in the folder yet.\n\n");
    }

    QString images;
    QString imageError;
    if (!imageSection(out, link, &images, &imageError)) {
        printError(imageError);
        return kExitBadInput;
    }
    page += images;

    page += QStringLiteral("## Experiments\n\n");
    const QStringList markdownFiles =
        out.entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
    for (const QString &file : markdownFiles) {
        const QString name = QFileInfo(file).completeBaseName();
        page += QStringLiteral("- [%1](%2)").arg(name, link(file));
        QStringList files =
            out.entryList({name + QStringLiteral("-*.png"), name + QStringLiteral("-*.csv")},
                          QDir::Files,
                          QDir::Name);
        for (QString &other : files)
            other = QStringLiteral("[%1](%2)").arg(other, link(other));
        if (!files.isEmpty())
            page += QStringLiteral(": ") + files.join(QStringLiteral(", "));
        page += QLatin1Char('\n');
    }
    if (markdownFiles.isEmpty())
        page += QStringLiteral("No experiment has written results into the folder yet.\n");

    QSaveFile file(options.pagePath);
    if (!file.open(QIODevice::WriteOnly) || file.write(page.toUtf8()) < 0 || !file.commit()) {
        printError(
            QStringLiteral("Cannot write \"%1\": %2.").arg(options.pagePath, file.errorString()));
        return kExitFailure;
    }
    context.progress(QStringLiteral("Wrote %1.").arg(options.pagePath));
    return kExitSuccess;
}
