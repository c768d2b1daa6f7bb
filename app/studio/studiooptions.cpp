#include "studiooptions.h"

#include "chartspanel.h"
#include "commandline.h"
#include "discoverychartview.h"
#include "labelingsession.h"
#include "latentchartview.h"
#include "mainwindow.h"
#include "trainercontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

#include <cstdio>

namespace uai {

Result<StudioOptions> parseStudioOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Active anomaly detection: label the suspects a deep detector queues, "
                       "and the UAI layer learns from every verdict. With no argument the last "
                       "session is reopened, or on a first start Fashion-MNIST with class 0 as "
                       "the anomalies."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("target"),
                                 QStringLiteral("A session file (.uaisession) or data to open: a "
                                                "CSV file, IDX images, an image folder, or a "
                                                "named set such as fashion-mnist:0."),
                                 QStringLiteral("[target]"));
    parser.addOptions({
        {QStringLiteral("new"),
         QStringLiteral("Start a new session instead of reopening the last one.")},
        {QStringLiteral("model"),
         QStringLiteral("Base model of a new session: dae or class. Default: "
                        "class for labeled image sets, dae otherwise."),
         QStringLiteral("name")},
        {QStringLiteral("budget"),
         QStringLiteral("Verdicts to spend. Default: 1000."),
         QStringLiteral("count")},
        {QStringLiteral("k"),
         QStringLiteral("Items queued per round. Default: 10."),
         QStringLiteral("count")},
        {QStringLiteral("seed"),
         QStringLiteral("Seed of weights, batches and constructions. Default: 1."),
         QStringLiteral("number")},
        {QStringLiteral("pretrain-steps"),
         QStringLiteral("Pretraining steps. Default: 5000."),
         QStringLiteral("count")},
        {QStringLiteral("round-steps"),
         QStringLiteral("Training steps per round. Default: 100."),
         QStringLiteral("count")},
        {QStringLiteral("hidden"),
         QStringLiteral("Hidden layer sizes of a new session, the last "
                        "being the latent size; 256,64,1 gives a "
                        "1-unit latent for the charts. Default: "
                        "256,64,8."),
         QStringLiteral("sizes")},
        {QStringLiteral("switch"),
         QStringLiteral("When the queue follows the UAI layer: both-verdicts, second-round, "
                        "confidence, never or auto (see uai-cli run --help). Default: auto."),
         QStringLiteral("rule")},
        {QStringLiteral("base-ranking"),
         QStringLiteral("What ranks the queue while the UAI layer does not: score (the base "
                        "model's anomaly score, published method), iforest (an isolation forest "
                        "on the features), mixed, interleaved, adaptive (score or forest, "
                        "whichever found more so far), forest-layer (the forest refitted on the "
                        "verdicts each round), score-forest-layer (the anomaly score refitted on "
                        "the verdicts through the forest's leaves), or auto (with the "
                        "autoencoder, forest-layer for feature tables and score-forest-layer for "
                        "images; score with the classifier). Default: auto."),
         QStringLiteral("ranking")},
        {QStringLiteral("threads"),
         QStringLiteral("LibTorch intra-op threads. Default: UAI_THREADS or 1."),
         QStringLiteral("count")},
        {QStringLiteral("demo"),
         QStringLiteral("Start demo mode at this many verdicts per second."),
         QStringLiteral("pace")},
        {QStringLiteral("screenshots"),
         QStringLiteral("Write screenshots into this folder, then quit."),
         QStringLiteral("folder")},
        {QStringLiteral("screenshots-after"),
         QStringLiteral("Verdicts to wait for before the "
                        "screenshots. Default: 0."),
         QStringLiteral("count")},
        {QStringLiteral("recorded-log"),
         QStringLiteral("Testing aid: append the line \"<verdicts spent> <item index> "
                        "<verdict>\" to this file for every verdict the window records, "
                        "written after the verdict is saved in the session file."),
         QStringLiteral("file")},
    });
    if (!parser.parse(arguments))
        return fail(parser.errorText());

    StudioOptions options;
    if (parser.isSet(QStringLiteral("help"))) {
        options.helpText = parser.helpText();
        return options;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return fail(
            QStringLiteral("give at most one session or dataset, got %1.").arg(positional.size()));
    options.target = positional.value(0);
    options.fresh = parser.isSet(QStringLiteral("new"));

    // Labeled image sets get the classifier, which pretrains fastest and ranks clustered
    // anomalies well; other data the autoencoder, which needs no class column.
    const bool namedSet =
        options.target.isEmpty() || options.target.contains(QLatin1String("mnist"));
    options.settings.loop.model = namedSet ? ModelKind::Classifier : ModelKind::Autoencoder;
    const QString model = parser.value(QStringLiteral("model"));
    if (model == QLatin1String("dae"))
        options.settings.loop.model = ModelKind::Autoencoder;
    else if (model == QLatin1String("class"))
        options.settings.loop.model = ModelKind::Classifier;
    else if (!model.isEmpty())
        return fail(QStringLiteral("--model \"%1\" is unknown; use dae or class.").arg(model));

    const QString rule = parser.value(QStringLiteral("switch"));
    if (!rule.isEmpty() && !parseSwitchRule(rule, &options.settings.loop.switchRule))
        return fail(
            QStringLiteral("--switch \"%1\" is unknown; use %2.").arg(rule, switchRuleChoices()));

    const QString ranking = parser.value(QStringLiteral("base-ranking"));
    if (!ranking.isEmpty() && !parseBaseRanking(ranking, &options.settings.loop.baseRanking))
        return fail(QStringLiteral("--base-ranking \"%1\" is unknown; use %2.")
                        .arg(ranking, baseRankingChoices()));

    int budget = 1000;
    int seed = 1;
    QString error;
    const bool valid =
        parseInteger(parser, QStringLiteral("budget"), 1, 100000000, &budget, &error)
        && parseInteger(
            parser, QStringLiteral("k"), 1, 100000, &options.settings.loop.queueSize, &error)
        && parseInteger(parser, QStringLiteral("seed"), 0, 2147483647, &seed, &error)
        && parseInteger(parser,
                        QStringLiteral("pretrain-steps"),
                        0,
                        10000000,
                        &options.settings.loop.pretrainSteps,
                        &error)
        && parseInteger(parser,
                        QStringLiteral("round-steps"),
                        0,
                        10000000,
                        &options.settings.loop.roundSteps,
                        &error)
        && parseInteger(parser, QStringLiteral("threads"), 1, 256, &options.threads, &error)
        && parseInteger(parser, QStringLiteral("demo"), 1, 50, &options.demoPace, &error)
        && parseInteger(parser,
                        QStringLiteral("screenshots-after"),
                        0,
                        100000000,
                        &options.screenshotAfterVerdicts,
                        &error);
    if (!valid)
        return fail(error);
    if (parser.isSet(QStringLiteral("hidden"))) {
        std::vector<int> sizes;
        for (const QString &part : parser.value(QStringLiteral("hidden")).split(QLatin1Char(','))) {
            bool ok = false;
            sizes.push_back(part.trimmed().toInt(&ok));
            if (!ok)
                return fail(QStringLiteral("--hidden \"%1\": \"%2\" is not an integer; give "
                                           "sizes such as 256,64,8.")
                                .arg(parser.value(QStringLiteral("hidden")), part));
        }
        options.settings.loop.hiddenSizes = sizes;
    }
    if (const QString problem = options.settings.loop.validate(); !problem.isEmpty())
        return fail(QStringLiteral("invalid settings: %1.").arg(problem));
    options.settings.budget = budget;
    options.settings.loop.seed = std::uint64_t(seed);
    options.settings.source.seed = std::uint64_t(seed);
    options.screenshotFolder = parser.value(QStringLiteral("screenshots"));
    options.recordedLogPath = parser.value(QStringLiteral("recorded-log"));
    return options;
}

void scheduleScreenshots(MainWindow &window, const QString &folder, int afterVerdicts)
{
    auto *poll = new QTimer(&window);
    poll->setInterval(200);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, folder, afterVerdicts] {
        LabelingSession *session = window.session();
        if (!session || !session->latestReport() || session->verdictsSpent() < afterVerdicts)
            return;
        // Stop the simulated analyst, then wait for the round its verdicts started.
        window.setDemoMode(false);
        if (session->trainer()->isBusy() || session->trainer()->isRoundPending())
            return;
        poll->stop();
        QDir().mkpath(folder);
        window.chartsPanel()->refreshNow();
        QString error;
        const QDir dir(folder);
        const bool written =
            window.grab().save(dir.filePath(QStringLiteral("main-window.png")))
            && window.chartsPanel()->latentChart()->exportPng(
                dir.filePath(QStringLiteral("latent-chart.png")), &error, QSize(900, 600))
            && window.chartsPanel()->discoveryChart()->exportPng(
                dir.filePath(QStringLiteral("discovery-curve.png")), &error, QSize(900, 600));
        if (!written)
            std::fprintf(stderr, "uai-studio: screenshots not written: %s\n", qPrintable(error));
        QApplication::exit(written ? 0 : 1);
    });
    poll->start();
}

} // namespace uai
