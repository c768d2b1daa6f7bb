// Measures the engine's throughput on one dataset and model: pretraining steps per second, one
// round split into training, rescoring and selection, peak resident memory, and the matmul
// GFLOP/s that a training step and a rescoring achieve against the matrix-multiply rate this
// machine reaches in the same process. Every timed section records wall time and process CPU
// time. scripts/bench.sh runs it beside bench/reference_uai.py, which prints the same
// "figure:" lines.

#include "activeloop.h"
#include "benchsupport.h"
#include "datasource.h"
#include "loopsettings.h"
#include "torchruntime.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSysInfo>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace benchsupport;

namespace {

/// Wall and CPU seconds of one timed section.
struct Span {
    double wall = 0.0;
    double cpu = 0.0;
};

Span since(const Clock &start)
{
    const Clock end = Clock::now();
    return {end.wall - start.wall, end.cpu - start.cpu};
}

/// Prints one result line; scripts/bench.sh parses "figure: NAME = VALUE UNIT".
void printFigure(const char *name, double value, const char *unit)
{
    std::printf("figure: %-36s = %12.4f %s\n", name, value, unit);
}

/// Input and output sizes of every linear layer of the base model, in forward order.
struct LayerShape {
    std::int64_t inputs;
    std::int64_t outputs;
    bool encoder;
};

std::vector<LayerShape>
baseLayers(const uai::LoopSettings &settings, std::int64_t featureCount, std::int64_t classCount)
{
    std::vector<LayerShape> layers;
    std::int64_t previous = featureCount;
    for (const int size : settings.hiddenSizes) {
        layers.push_back({previous, size, true});
        previous = size;
    }
    if (settings.model == uai::ModelKind::Autoencoder) {
        for (auto it = settings.hiddenSizes.rbegin() + 1; it != settings.hiddenSizes.rend(); ++it) {
            layers.push_back({previous, *it, false});
            previous = *it;
        }
        layers.push_back({previous, featureCount, false});
    } else {
        layers.push_back({previous, classCount, false});
    }
    return layers;
}

/// Matmul FLOPs of one training step, counted from the layer sizes: 2*m*in*out per layer
/// forward; backward the weight gradient (2*m*in*out) for every layer that gets a gradient and
/// the input gradient for every such layer but the first. The labeled batch's gradient reaches
/// the encoder only, because the anomaly score enters the UAI layer detached. The UAI layer
/// itself (latent + 1 inputs, 1 output) is left out; it is below 0.01% of the total.
double trainStepFlops(const std::vector<LayerShape> &layers, double batch, double labeled)
{
    double flops = 0.0;
    for (size_t i = 0; i < layers.size(); ++i) {
        const double product = 2.0 * double(layers[i].inputs) * double(layers[i].outputs);
        const double backwardFactor = i == 0 ? 1.0 : 2.0;
        flops += batch * product * (1.0 + backwardFactor);
        flops += labeled * product * (layers[i].encoder ? 1.0 + backwardFactor : 1.0);
    }
    return flops;
}

double forwardFlops(const std::vector<LayerShape> &layers, double items)
{
    double flops = 0.0;
    for (const LayerShape &layer : layers)
        flops += 2.0 * items * double(layer.inputs) * double(layer.outputs);
    return flops;
}

/// Times at::mm on [rows, inner] @ [inner, columns] and prints GFLOP/s per wall second and per
/// CPU second.
void measureMatmul(
    const char *name, std::int64_t rows, std::int64_t inner, std::int64_t columns, int repetitions)
{
    const at::Tensor a = at::rand({rows, inner});
    const at::Tensor b = at::rand({inner, columns});
    at::Tensor c = at::mm(a, b);
    const double flops = 2.0 * double(rows) * double(inner) * double(columns);
    int calls = std::max(1, int(2e9 / flops));
    std::vector<double> wallRates;
    std::vector<double> cpuRates;
    for (int r = 0; r < repetitions; ++r) {
        const Clock start = Clock::now();
        for (int i = 0; i < calls; ++i)
            at::mm_out(c, a, b);
        const Span span = since(start);
        wallRates.push_back(flops * calls / span.wall * 1e-9);
        cpuRates.push_back(flops * calls / span.cpu * 1e-9);
    }
    const std::string wallName = std::string("mm_") + name + "_gflops_wall";
    const std::string cpuName = std::string("mm_") + name + "_gflops_cpu";
    const std::string threadName = std::string("mm_") + name + "_gflops_per_thread";
    printFigure(wallName.c_str(), median(wallRates), "GFLOP/s");
    printFigure(cpuName.c_str(), median(cpuRates), "GFLOP per CPU-s");
    printFigure(threadName.c_str(), median(wallRates) / at::get_num_threads(), "GFLOP/s");
}

/// Profiles one round (its training steps and the rescoring) with LibTorch's legacy CPU profiler
/// and prints each operator's share of the self time, which leaves out nested operators.
void printStepProfile(uai::ActiveLoop &loop, int steps)
{
    namespace profiler = torch::autograd::profiler;
    profiler::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    const Clock start = Clock::now();
    (void)loop.runRound();
    const Span span = since(start);
    const profiler::thread_event_lists lists = profiler::disableProfilerLegacy();

    std::map<std::string, double> selfUs;
    std::map<std::string, int> calls;
    double totalUs = 0.0;
    for (const auto &events : lists) {
        struct Open {
            const profiler::LegacyEvent *event;
            double childUs;
        };
        std::vector<Open> stack;
        for (const auto &event : events) {
            if (event.kind() == profiler::EventKind::PushRange) {
                stack.push_back({&event, 0.0});
            } else if (event.kind() == profiler::EventKind::PopRange && !stack.empty()) {
                const Open open = stack.back();
                stack.pop_back();
                const double elapsed = open.event->cpuElapsedUs(event);
                selfUs[open.event->name()] += elapsed - open.childUs;
                ++calls[open.event->name()];
                if (stack.empty())
                    totalUs += elapsed;
                else
                    stack.back().childUs += elapsed;
            }
        }
    }

    std::vector<std::pair<double, std::string>> ranked;
    for (const auto &[name, us] : selfUs)
        ranked.emplace_back(us, name);
    std::sort(ranked.rbegin(), ranked.rend());
    std::printf("profile of one round of %d steps with rescoring (profiler on: %.3f s wall; "
                "operators cover %.3f s):\n",
                steps,
                span.wall,
                totalUs * 1e-6);
    for (size_t i = 0; i < std::min<size_t>(ranked.size(), 18); ++i) {
        std::printf("  %-44s %6.1f%%  %9.2f ms  %7d calls\n",
                    ranked[i].second.c_str(),
                    100.0 * ranked[i].first / std::max(totalUs, 1.0),
                    ranked[i].first * 1e-3,
                    calls[ranked[i].second]);
    }
    std::printf("  unattributed (outside any operator)          %6.1f%%\n",
                100.0 * std::max(0.0, span.wall * 1e6 - totalUs) / (span.wall * 1e6));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures pretraining and round throughput of the UAI engine."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("Data spec, as for uai-cli. Default: fashion-mnist:0."),
         QStringLiteral("spec")},
        {QStringLiteral("model"),
         QStringLiteral("dae or class. Default: dae."),
         QStringLiteral("model")},
        {QStringLiteral("steps"),
         QStringLiteral("Pretraining steps per repetition. Default: 300."),
         QStringLiteral("n")},
        {QStringLiteral("repetitions"),
         QStringLiteral("Repetitions of each timed section; medians are reported. Default: 5."),
         QStringLiteral("n")},
        {QStringLiteral("labeled"),
         QStringLiteral("Items given a verdict before the rounds. Default: 200."),
         QStringLiteral("n")},
        {QStringLiteral("scoring-chunk"),
         QStringLiteral("Items rescored per forward pass. Default: the engine's, 1024."),
         QStringLiteral("n")},
        {QStringLiteral("base-ranking"),
         QStringLiteral("What ranks the queue while the UAI layer does not, as for uai-cli. "
                        "Default: score, the published method that bench/reference_uai.py "
                        "repeats."),
         QStringLiteral("ranking")},
        {QStringLiteral("profile"), QStringLiteral("Also profile one round by operator.")},
    });
    parser.process(app);
    const QString spec = parser.isSet(QStringLiteral("data")) ? parser.value(QStringLiteral("data"))
                                                              : QStringLiteral("fashion-mnist:0");
    const bool classifier = parser.value(QStringLiteral("model")) == QStringLiteral("class");
    const int steps =
        parser.isSet(QStringLiteral("steps")) ? parser.value(QStringLiteral("steps")).toInt() : 300;
    const int repetitions = parser.isSet(QStringLiteral("repetitions"))
                                ? std::max(1, parser.value(QStringLiteral("repetitions")).toInt())
                                : 5;
    const int labeledCount = parser.isSet(QStringLiteral("labeled"))
                                 ? parser.value(QStringLiteral("labeled")).toInt()
                                 : 200;

    const int threads = uai::configureTorchThreads();
    std::printf("machine: %s, %u logical CPUs, %s\n",
                qPrintable(cpuModel()),
                std::thread::hardware_concurrency(),
                qPrintable(QSysInfo::prettyProductName()));
    std::printf("runtime: %s\n", qPrintable(uai::describeTorchRuntime()));
    std::printf("program: bench-core (C++, uai_engine), threads: %d\n", threads);

    const Clock loadStart = Clock::now();
    auto loaded = uai::loadDataSource(spec);
    if (!loaded.ok()) {
        std::fprintf(stderr, "bench-core: %s\n", qPrintable(loaded.error()));
        return 1;
    }
    const Span loadSpan = since(loadStart);
    auto dataset = std::make_shared<const uai::Dataset>(std::move(loaded.value()));

    uai::LoopSettings settings;
    settings.model = classifier ? uai::ModelKind::Classifier : uai::ModelKind::Autoencoder;
    settings.pretrainSteps = steps;
    settings.baseRanking = uai::BaseRanking::AnomalyScore;
    if (parser.isSet(QStringLiteral("base-ranking"))
        && !uai::parseBaseRanking(parser.value(QStringLiteral("base-ranking")),
                                  &settings.baseRanking)) {
        std::fprintf(stderr,
                     "bench-core: --base-ranking \"%s\" is not a ranking; use %s.\n",
                     qPrintable(parser.value(QStringLiteral("base-ranking"))),
                     qPrintable(uai::baseRankingChoices()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("scoring-chunk")))
        settings.scoringChunk = parser.value(QStringLiteral("scoring-chunk")).toInt();
    auto created = uai::ActiveLoop::create(dataset, settings);
    if (!created.ok()) {
        std::fprintf(stderr, "bench-core: %s\n", qPrintable(created.error()));
        return 1;
    }
    uai::ActiveLoop &loop = *created.value();
    std::printf("data: %s, %lld items x %lld features, model: %s, batch %d, %d labeled, "
                "scoring chunk %d, %d repetitions\n",
                qPrintable(spec),
                static_cast<long long>(dataset->itemCount),
                static_cast<long long>(dataset->featureCount),
                qPrintable(uai::modelKindName(settings.model)),
                settings.batchSize,
                labeledCount,
                settings.scoringChunk,
                repetitions);
    printFigure("load_s_wall", loadSpan.wall, "s");

    std::vector<double> stepRateWall;
    std::vector<double> stepRateCpu;
    for (int r = 0; r < repetitions; ++r) {
        const Clock start = Clock::now();
        if (const auto status = loop.pretrain(); !status.ok()) {
            std::fprintf(stderr, "bench-core: %s\n", qPrintable(status.error()));
            return 1;
        }
        const Span span = since(start);
        stepRateWall.push_back(steps / span.wall);
        stepRateCpu.push_back(steps / span.cpu);
    }

    // Verdicts from the ground truth on evenly spaced items, so both kinds are present and the
    // verdict batch takes part in every step.
    const qsizetype stride = std::max<qsizetype>(1, dataset->itemCount / labeledCount);
    for (qsizetype i = 0, given = 0; i < dataset->itemCount && given < labeledCount;
         i += stride, ++given) {
        const bool anomaly = dataset->hasTruth() && dataset->truth[i] == uai::Truth::Anomaly;
        loop.submitVerdict(i, anomaly || given == 0 ? uai::Verdict::Anomaly : uai::Verdict::Normal);
    }

    std::vector<double> trainWall, trainCpu, scoreWall, selectWall, roundWall, roundCpu;
    for (int r = 0; r < repetitions; ++r) {
        Clock trainEnd;
        const auto atTrainEnd = [&trainEnd](int done, int total) {
            if (done == total)
                trainEnd = Clock::now();
        };
        const Clock start = Clock::now();
        const auto report = loop.runRound(atTrainEnd);
        const Span span = since(start);
        if (!report.ok()) {
            std::fprintf(stderr, "bench-core: %s\n", qPrintable(report.error()));
            return 1;
        }
        trainWall.push_back(report.value().trainSeconds);
        trainCpu.push_back(trainEnd.cpu - start.cpu);
        scoreWall.push_back(report.value().scoreSeconds);
        selectWall.push_back(report.value().selectSeconds);
        roundWall.push_back(span.wall);
        roundCpu.push_back(span.cpu);
    }

    std::vector<double> rescoreWall, rescoreCpu;
    for (int r = 0; r < repetitions; ++r) {
        const Clock start = Clock::now();
        const auto report = loop.rankWithoutTraining();
        const Span span = since(start);
        if (!report.ok()) {
            std::fprintf(stderr, "bench-core: %s\n", qPrintable(report.error()));
            return 1;
        }
        rescoreWall.push_back(span.wall);
        rescoreCpu.push_back(span.cpu);
    }

    printFigure("pretrain_steps_per_s_wall", median(stepRateWall), "steps/s");
    printFigure("pretrain_steps_per_cpu_s", median(stepRateCpu), "steps per CPU-s");
    printFigure("round_train_s_wall", median(trainWall), "s");
    printFigure("round_train_s_cpu", median(trainCpu), "CPU-s");
    printFigure("round_score_s_wall", median(scoreWall), "s");
    printFigure("round_select_ms_wall", median(selectWall) * 1e3, "ms");
    printFigure("round_total_s_wall", median(roundWall), "s");
    printFigure("round_total_s_cpu", median(roundCpu), "CPU-s");
    printFigure("rescore_select_s_wall", median(rescoreWall), "s");
    printFigure("rescore_select_s_cpu", median(rescoreCpu), "CPU-s");

    const auto layers = baseLayers(settings, dataset->featureCount, dataset->classNames.size());
    const double labeledInBatch = std::min(labeledCount, settings.batchSize);
    const double pretrainFlops = trainStepFlops(layers, settings.batchSize, 0.0);
    const double roundStepFlops = trainStepFlops(layers, settings.batchSize, labeledInBatch);
    const double rescoreFlops = forwardFlops(layers, double(dataset->itemCount));
    printFigure("pretrain_step_mflop", pretrainFlops * 1e-6, "MFLOP");
    printFigure("pretrain_gflops_wall", pretrainFlops * median(stepRateWall) * 1e-9, "GFLOP/s");
    printFigure(
        "pretrain_gflops_cpu", pretrainFlops * median(stepRateCpu) * 1e-9, "GFLOP per CPU-s");
    printFigure("round_train_gflops_wall",
                roundStepFlops * settings.roundSteps / median(trainWall) * 1e-9,
                "GFLOP/s");
    printFigure("round_train_gflops_cpu",
                roundStepFlops * settings.roundSteps / median(trainCpu) * 1e-9,
                "GFLOP per CPU-s");
    printFigure("rescore_gflops_wall", rescoreFlops / median(rescoreWall) * 1e-9, "GFLOP/s");
    printFigure("rescore_gflops_cpu", rescoreFlops / median(rescoreCpu) * 1e-9, "GFLOP per CPU-s");

    measureMatmul("256x784x256", 256, 784, 256, repetitions);
    measureMatmul("1024x1024x1024", 1024, 1024, 1024, repetitions);
    printFigure("peak_rss_mib", peakResidentMiB(), "MiB");

    if (parser.isSet(QStringLiteral("profile")))
        printStepProfile(loop, settings.roundSteps);
    return 0;
}
