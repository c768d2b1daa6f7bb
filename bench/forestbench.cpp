// Measures the isolation forest on one dataset: growing the trees and scoring every item, wall
// and process CPU time over several repetitions, and peak resident memory. It also reports the
// machine's load average at the start, since the shared development machines are rarely idle.

#include "benchsupport.h"
#include "dataset.h"
#include "datasource.h"
#include "isolationforest.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

using namespace benchsupport;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures growing and scoring an isolation forest (100 trees of 256 "
                       "items) on one dataset."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("Data spec, as for uai-cli. Default: fashion-mnist:0."),
         QStringLiteral("spec")},
        {QStringLiteral("repetitions"),
         QStringLiteral("Repetitions, each with its own seed; medians are reported. Default: 3."),
         QStringLiteral("n")},
    });
    parser.process(app);
    const QString spec = parser.isSet(QStringLiteral("data")) ? parser.value(QStringLiteral("data"))
                                                              : QStringLiteral("fashion-mnist:0");
    const int repetitions = parser.isSet(QStringLiteral("repetitions"))
                                ? std::max(1, parser.value(QStringLiteral("repetitions")).toInt())
                                : 3;

    std::printf("machine: %s, %u logical CPUs, load average at start: %s\n",
                qPrintable(cpuModel()),
                std::thread::hardware_concurrency(),
                qPrintable(loadAverage()));
    std::printf("program: bench-isolation-forest (C++, single-threaded)\n");
    auto loaded = uai::loadDataSource(spec);
    if (!loaded.ok()) {
        std::fprintf(stderr, "bench-isolation-forest: %s\n", qPrintable(loaded.error()));
        return 1;
    }
    const uai::Dataset &data = loaded.value();
    std::printf("data: %s, %lld items x %lld features\n",
                qPrintable(data.name),
                static_cast<long long>(data.itemCount),
                static_cast<long long>(data.featureCount));

    std::vector<double> fitWall, fitCpu, scoreWall, scoreCpu;
    for (int repetition = 0; repetition < repetitions; ++repetition) {
        uai::IsolationForestSettings settings;
        settings.seed = std::uint64_t(repetition + 1);
        const Clock fitStart = Clock::now();
        const auto forest = uai::IsolationForest::fit(
            data.features.data(), data.itemCount, data.featureCount, settings);
        const Clock fitEnd = Clock::now();
        if (!forest.ok()) {
            std::fprintf(stderr, "bench-isolation-forest: %s\n", qPrintable(forest.error()));
            return 1;
        }
        const std::vector<float> scores =
            forest.value().score(data.features.data(), data.itemCount);
        const Clock scoreEnd = Clock::now();
        fitWall.push_back(fitEnd.wall - fitStart.wall);
        fitCpu.push_back(fitEnd.cpu - fitStart.cpu);
        scoreWall.push_back(scoreEnd.wall - fitEnd.wall);
        scoreCpu.push_back(scoreEnd.cpu - fitEnd.cpu);
        std::printf("repetition %d: grow %.3f s wall, score %.3f s wall, highest score %.4f\n",
                    repetition + 1,
                    fitWall.back(),
                    scoreWall.back(),
                    double(*std::max_element(scores.begin(), scores.end())));
    }
    std::printf("figure: grow wall                 = %10.4f s\n", median(fitWall));
    std::printf("figure: grow cpu                  = %10.4f s\n", median(fitCpu));
    std::printf("figure: score all items wall      = %10.4f s\n", median(scoreWall));
    std::printf("figure: score all items cpu       = %10.4f s\n", median(scoreCpu));
    std::printf("figure: peak resident memory      = %10.1f MiB\n", peakResidentMiB());
    std::printf("load average at end: %s\n", qPrintable(loadAverage()));
    return 0;
}
