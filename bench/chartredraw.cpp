// Measures how long the latent chart takes to show a round of many points. The steps timed are
// the projection of the latent vectors onto the UAI weights, LatentChartView::setData(), and a
// repaint that rebuilds the cached image (as after a new round, a resize or a scale change) or
// reuses it (an ordinary repaint). The round is synthetic, an 8-unit latent from a fixed seed,
// so the numbers do not depend on a trained model.

#include "benchsupport.h"
#include "latentchartview.h"
#include "latentprojection.h"
#include "roundreport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSysInfo>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <vector>

using namespace benchsupport;

namespace {

double millisecondsSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

/// A round of `items` items with an 8-unit Gaussian latent, exponential anomaly scores, a UAI
/// layer with fixed weights, and every 300th item given a verdict.
struct SyntheticRound {
    uai::RoundReport report;
    std::vector<std::optional<uai::Verdict>> verdicts;
    std::vector<uai::Truth> truth;
};

SyntheticRound makeRound(qsizetype items)
{
    constexpr int kLatentSize = 8;
    std::mt19937 generator(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::exponential_distribution<float> exponential(0.5f);
    SyntheticRound round;
    uai::RoundReport &report = round.report;
    report.round = 1;
    report.latentSize = kLatentSize;
    report.latent.resize(size_t(items) * kLatentSize);
    for (float &value : report.latent)
        value = normal(generator);
    report.baseScore.resize(size_t(items));
    for (float &score : report.baseScore)
        score = 0.01f + exponential(generator);
    report.uaiWeights = {0.8f, -0.4f, 0.3f, 0.0f, 0.2f, -0.1f, 0.05f, 0.6f, 0.5f};
    report.uaiBias = -1.0f;
    report.uaiLogit.resize(size_t(items));
    for (qsizetype i = 0; i < items; ++i) {
        float logit = report.uaiBias + report.uaiWeights[kLatentSize] * report.baseScore[size_t(i)];
        for (int unit = 0; unit < kLatentSize; ++unit)
            logit += report.uaiWeights[size_t(unit)]
                     * report.latent[size_t(i) * kLatentSize + size_t(unit)];
        report.uaiLogit[size_t(i)] = logit;
    }
    round.verdicts.resize(size_t(items));
    round.truth.resize(size_t(items), uai::Truth::Normal);
    for (qsizetype i = 0; i < items; ++i) {
        if (i % 97 == 0)
            round.truth[size_t(i)] = uai::Truth::Anomaly;
        if (i % 300 == 0)
            round.verdicts[size_t(i)] = i % 600 == 0 ? uai::Verdict::Anomaly : uai::Verdict::Normal;
    }
    return round;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the latent chart's redraw time for many points."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("points"),
         QStringLiteral("Points in the chart. Default: 60000."),
         QStringLiteral("count")},
        {QStringLiteral("repetitions"),
         QStringLiteral("Timed repetitions of each measurement. Default: 20."),
         QStringLiteral("count")},
        {QStringLiteral("width"),
         QStringLiteral("Chart width in pixels. Default: 800."),
         QStringLiteral("pixels")},
        {QStringLiteral("height"),
         QStringLiteral("Chart height in pixels. Default: 600."),
         QStringLiteral("pixels")},
    });
    parser.process(app);
    const auto intOption = [&parser](const char *name, int fallback) {
        const QString option = QString::fromLatin1(name);
        return parser.isSet(option) ? std::max(1, parser.value(option).toInt()) : fallback;
    };
    const int points = intOption("points", 60000);
    const int repetitions = intOption("repetitions", 20);
    const QSize size(intOption("width", 800), intOption("height", 600));

    std::printf("machine: %s, %d logical CPUs; platform: %s\n",
                qPrintable(QSysInfo::prettyProductName()),
                QThread::idealThreadCount(),
                qPrintable(QGuiApplication::platformName()));
    std::printf("chart: %d points, %dx%d pixels, %d repetitions\n",
                points,
                size.width(),
                size.height(),
                repetitions);

    const SyntheticRound round = makeRound(points);
    uai::LatentChartView view;
    view.resize(size);
    view.show();

    std::vector<double> projection, newRound, rebuildLinear, rebuildLog, cachedRepaint;
    for (int r = 0; r < repetitions; ++r) {
        QElapsedTimer timer;
        timer.start();
        auto data = uai::projectLatent(
            round.report, uai::LatentAxis::UaiProjection, round.verdicts, round.truth);
        if (!data.ok()) {
            std::fprintf(stderr, "bench-ui-chart: %s\n", qPrintable(data.error()));
            return 1;
        }
        projection.push_back(millisecondsSince(timer));
        view.setData(std::move(data.value()));
        view.grab();
        newRound.push_back(millisecondsSince(timer));
        if (view.data().size() != points) {
            std::fprintf(stderr,
                         "bench-ui-chart: the chart holds %lld points, expected %d\n",
                         static_cast<long long>(view.data().size()),
                         points);
            return 1;
        }

        // A scale change invalidates the cached image, so each grab below rebuilds it.
        view.setLogScale(true);
        view.grab();
        rebuildLog.push_back(view.lastRenderMilliseconds());
        view.setLogScale(false);
        view.grab();
        rebuildLinear.push_back(view.lastRenderMilliseconds());

        timer.restart();
        view.grab();
        cachedRepaint.push_back(millisecondsSince(timer));
    }

    printSummary("projection onto the UAI weights", projection);
    printSummary("new round: projection, setData, paint", newRound);
    printSummary("cached image rebuild, linear score axis", rebuildLinear);
    printSummary("cached image rebuild, log score axis", rebuildLog);
    printSummary("repaint from the cached image", cachedRepaint);
    return 0;
}
