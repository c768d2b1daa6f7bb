#include "experimentsupport.h"

#include "datasource.h"
#include "torchruntime.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QThread>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

bool resolveDataset(const QString &name, const QString &dataDir, DatasetRef *ref, QString *error)
{
    static const QRegularExpression imageSet(
        QStringLiteral("^(mnist|fashion-mnist):(0|0-2|hard)$"));
    const QRegularExpressionMatch match = imageSet.match(name);
    if (match.hasMatch()) {
        const bool mnist = match.captured(1) == QLatin1String("mnist");
        const QString folder = mnist ? dataDir + QStringLiteral("/mnist10k")
                                     : uai::namedSetFolder(QStringLiteral("fashion-mnist"));
        if (!QFileInfo(folder).isDir()) {
            *error = mnist ? QStringLiteral("--datasets \"%1\": folder \"%2\" with the MNIST "
                                            "digits is missing; check --data-dir.")
                                 .arg(name, folder)
                           : QStringLiteral("--datasets \"%1\": folder \"%2\" is missing; "
                                            "install Debian's dataset-fashion-mnist package or "
                                            "set UAI_FASHION_MNIST_DIR.")
                                 .arg(name, folder);
            return false;
        }
        ref->label = name;
        ref->tabular = false;
        ref->spec = mnist ? folder + QLatin1Char(':') + match.captured(2) : name;
        return true;
    }
    QString stem = name;
    if (stem.endsWith(QLatin1String(".csv")))
        stem.chop(4);
    const QStringList stems = tabularStems(dataDir);
    if (!stem.isEmpty() && stems.contains(stem)) {
        ref->label = stem;
        ref->tabular = true;
        ref->spec = dataDir + QStringLiteral("/tabular/") + stem + QStringLiteral(".csv");
        return true;
    }
    *error = QStringLiteral("--datasets \"%1\" is not a known dataset; use mnist:0, mnist:0-2, "
                            "mnist:hard, the same forms of fashion-mnist, or a table in %2: %3.")
                 .arg(name,
                      dataDir + QStringLiteral("/tabular"),
                      stems.isEmpty() ? QStringLiteral("(none found; check --data-dir)")
                                      : stems.join(QStringLiteral(", ")));
    return false;
}

QStringList tabularStems(const QString &dataDir)
{
    QStringList stems;
    const QFileInfoList files = QDir(dataDir + QStringLiteral("/tabular"))
                                    .entryInfoList({QStringLiteral("*.csv")}, QDir::Files);
    for (const QFileInfo &file : files)
        stems.append(file.completeBaseName());
    stems.sort();
    return stems;
}

QString runCommandLine(const RunSpec &spec)
{
    const uai::LoopSettings defaults;
    const uai::LoopSettings &settings = spec.settings;
    QStringList parts{QStringLiteral("uai-cli run --data"),
                      spec.dataset.spec,
                      QStringLiteral("--model"),
                      uai::modelKindName(settings.model),
                      QStringLiteral("--k"),
                      QString::number(settings.queueSize),
                      QStringLiteral("--budget"),
                      QString::number(spec.budget),
                      QStringLiteral("--seed SEED")};
    if (settings.pretrainSteps != defaults.pretrainSteps)
        parts << QStringLiteral("--pretrain-steps") << QString::number(settings.pretrainSteps);
    if (settings.roundSteps != defaults.roundSteps)
        parts << QStringLiteral("--round-steps") << QString::number(settings.roundSteps);
    if (settings.hiddenSizes != defaults.hiddenSizes) {
        QStringList sizes;
        for (const int size : settings.hiddenSizes)
            sizes.append(QString::number(size));
        parts << QStringLiteral("--hidden") << sizes.join(QLatin1Char(','));
    }
    if (settings.switchRule != defaults.switchRule)
        parts << QStringLiteral("--switch") << uai::switchRuleName(settings.switchRule);
    if (settings.layerStart != defaults.layerStart)
        parts << QStringLiteral("--layer-start") << uai::layerStartName(settings.layerStart);
    if (settings.extraScore != defaults.extraScore)
        parts << QStringLiteral("--extra-score") << uai::extraScoreName(settings.extraScore);
    if (settings.baseRanking != defaults.baseRanking)
        parts << QStringLiteral("--base-ranking") << uai::baseRankingName(settings.baseRanking);
    QString line = parts.join(QLatin1Char(' '));
    if (spec.flipFraction > 0.0) {
        line += QStringLiteral(" (and %1% of verdicts flipped, which \"run\" cannot do)")
                    .arg(spec.flipFraction * 100.0);
    }
    return line;
}

QString seedList(int count)
{
    QStringList seeds;
    for (int seed = 1; seed <= count; ++seed)
        seeds.append(QString::number(seed));
    return seeds.join(QStringLiteral(", "));
}

Spread spreadOf(const std::vector<double> &values)
{
    if (values.empty())
        return {};
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    const double sum = std::accumulate(values.begin(), values.end(), 0.0);
    return {sum / double(values.size()), *low, *high};
}

QString formatSpread(const Spread &spread, int decimals)
{
    return QStringLiteral("%1 (%2-%3)")
        .arg(spread.mean, 0, 'f', decimals)
        .arg(spread.minimum, 0, 'f', decimals)
        .arg(spread.maximum, 0, 'f', decimals);
}

namespace {

/// Returns the found count at `verdicts` on a step curve: that of the last point at or before.
double foundAt(const std::vector<uai::DiscoveryPoint> &curve, qsizetype verdicts)
{
    double found = 0.0;
    for (const uai::DiscoveryPoint &point : curve) {
        if (point.verdicts > verdicts)
            break;
        found = double(point.found);
    }
    return found;
}

} // namespace

CurveBand summariseCurves(const QString &name,
                          const QColor &colour,
                          const std::vector<std::vector<uai::DiscoveryPoint>> &curves)
{
    CurveBand band;
    band.name = name;
    band.colour = colour;
    std::set<qsizetype> grid{0};
    for (const auto &curve : curves) {
        for (const uai::DiscoveryPoint &point : curve)
            grid.insert(point.verdicts);
    }
    for (const qsizetype verdicts : grid) {
        std::vector<double> values;
        for (const auto &curve : curves)
            values.push_back(foundAt(curve, verdicts));
        const Spread spread = spreadOf(values);
        band.verdicts.push_back(double(verdicts));
        band.mean.push_back(spread.mean);
        band.minimum.push_back(spread.minimum);
        band.maximum.push_back(spread.maximum);
    }
    return band;
}

qsizetype finalFound(const std::vector<uai::DiscoveryPoint> &curve)
{
    return curve.empty() ? 0 : curve.back().found;
}

QString fileStem(const QString &label)
{
    QString stem = label;
    stem.replace(QLatin1Char(':'), QLatin1Char('_'));
    stem.replace(QLatin1Char('/'), QLatin1Char('_'));
    return stem;
}

ExperimentContext::ExperimentContext(ExperimentOptions options)
    : m_options(std::move(options))
    , m_cpuStart(processCpuSeconds())
{
    m_wall.start();
}

uai::LoopSettings ExperimentContext::baseSettings() const
{
    uai::LoopSettings settings;
    if (m_options.pretrainSteps)
        settings.pretrainSteps = *m_options.pretrainSteps;
    if (m_options.roundSteps)
        settings.roundSteps = *m_options.roundSteps;
    return settings;
}

uai::Result<std::shared_ptr<const uai::Dataset>> ExperimentContext::dataset(const DatasetRef &ref,
                                                                            std::uint64_t seed)
{
    const QString key = ref.spec + QLatin1Char('#') + QString::number(seed);
    if (m_loaded && key == m_loadedKey)
        return m_loaded;
    uai::DataSourceOptions source;
    source.seed = seed;
    auto loaded = uai::loadDataSource(ref.spec, source);
    if (!loaded.ok())
        return uai::fail(loaded.error());
    m_loaded = std::make_shared<const uai::Dataset>(std::move(loaded).value());
    m_loadedKey = key;
    return m_loaded;
}

namespace {

/// The key prefetch() and run() match specs by: the command line, the seed and the flips.
QString runKey(const RunSpec &spec)
{
    return runCommandLine(spec) + QStringLiteral("#%1#%2").arg(spec.seed).arg(spec.flipFraction);
}

/// Runs one simulation on the given dataset and measures it with the given CPU clock.
uai::Result<RunOutcome> simulate(
    const std::shared_ptr<const uai::Dataset> &data,
    const RunSpec &spec,
    const std::function<void(const uai::DiscoveryPoint &, const uai::RoundReport &)> &roundFinished,
    double (*cpuSeconds)())
{
    uai::LoopSettings settings = spec.settings;
    settings.seed = spec.seed;
    uai::SimulationOptions simulation;
    simulation.budget = spec.budget;
    simulation.flipFraction = spec.flipFraction;
    simulation.flipSeed = spec.seed;
    simulation.roundFinished = roundFinished;

    QElapsedTimer wall;
    wall.start();
    const double cpuStart = cpuSeconds();
    auto simulated = uai::simulateAnalyst(data, settings, simulation);
    if (!simulated.ok()) {
        return uai::fail(QStringLiteral("Run on \"%1\" with seed %2 failed: %3")
                             .arg(spec.dataset.label)
                             .arg(spec.seed)
                             .arg(simulated.error()));
    }
    RunOutcome outcome;
    outcome.result = std::move(simulated).value();
    outcome.wallSeconds = wall.elapsed() / 1000.0;
    outcome.cpuSeconds = cpuSeconds() - cpuStart;
    return outcome;
}

} // namespace

void ExperimentContext::prefetch(const std::vector<RunSpec> &specs)
{
    m_prefetched.clear();
    if (m_options.jobs <= 1 || specs.size() < 2)
        return;
    std::vector<std::optional<uai::Result<RunOutcome>>> outcomes(specs.size());
    std::atomic<std::size_t> next{0};
    std::mutex printing;
    const auto work = [&] {
        // Applies the intra-op thread count on this worker too, so that OpenMP regions and BLAS
        // calls started here use the configured count.
        uai::configureTorchThreads(m_options.threads);
        for (std::size_t index = next++; index < specs.size(); index = next++) {
            const RunSpec &spec = specs[index];
            uai::DataSourceOptions source;
            source.seed = spec.seed;
            auto loaded = uai::loadDataSource(spec.dataset.spec, source);
            if (!loaded.ok()) {
                outcomes[index] = uai::fail(loaded.error());
                continue;
            }
            const auto data = std::make_shared<const uai::Dataset>(std::move(loaded).value());
            outcomes[index] = simulate(data, spec, {}, &threadCpuSeconds);
            const std::lock_guard lock(printing);
            progress(QStringLiteral("  finished %1 seed %2 (%3 of %4 in this batch)")
                         .arg(spec.dataset.label)
                         .arg(spec.seed)
                         .arg(index + 1)
                         .arg(specs.size()));
        }
    };
    const std::size_t threadCount =
        std::min<std::size_t>(std::size_t(m_options.jobs), specs.size());
    std::vector<std::thread> threads;
    threads.reserve(threadCount);
    for (std::size_t i = 0; i < threadCount; ++i)
        threads.emplace_back(work);
    for (std::thread &thread : threads)
        thread.join();
    for (std::size_t index = 0; index < specs.size(); ++index)
        m_prefetched.insert_or_assign(runKey(specs[index]), std::move(*outcomes[index]));
}

uai::Result<RunOutcome> ExperimentContext::run(
    const RunSpec &spec,
    const std::function<void(const uai::DiscoveryPoint &, const uai::RoundReport &)> &roundFinished)
{
    if (!roundFinished) {
        const auto found = m_prefetched.find(runKey(spec));
        if (found != m_prefetched.end())
            return std::move(m_prefetched.extract(found).mapped());
    }
    const auto data = dataset(spec.dataset, spec.seed);
    if (!data.ok())
        return uai::fail(data.error());
    return simulate(data.value(), spec, roundFinished, &processCpuSeconds);
}

void ExperimentContext::recordCurve(const QString &dataset,
                                    const QString &model,
                                    const QString &method,
                                    std::uint64_t seed,
                                    qsizetype anomalies,
                                    const std::vector<uai::DiscoveryPoint> &curve)
{
    for (const uai::DiscoveryPoint &point : curve) {
        m_curveRows.append(
            QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9")
                .arg(dataset, model, method)
                .arg(seed)
                .arg(point.round)
                .arg(point.verdicts)
                .arg(point.found)
                .arg(anomalies)
                .arg(point.rankedByUai ? QStringLiteral("uai") : QStringLiteral("base")));
    }
}

void ExperimentContext::progress(const QString &line) const
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

QString ExperimentContext::nextRunTag()
{
    ++m_runDone;
    return QStringLiteral("[%1/%2]").arg(m_runDone).arg(m_runTotal);
}

bool ExperimentContext::writeCurves(QString *fileName, QString *error) const
{
    *fileName = m_options.name + QStringLiteral("-runs.csv");
    const QString content =
        QStringLiteral("dataset,model,method,seed,round,verdicts,found,anomalies,ranked_by\n")
        + m_curveRows.join(QLatin1Char('\n')) + QLatin1Char('\n');
    return writeFile(*fileName, content.toUtf8(), error);
}

bool ExperimentContext::writeFile(const QString &fileName,
                                  const QByteArray &content,
                                  QString *error) const
{
    const QString path = QDir(m_options.outDir).filePath(fileName);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()
        || !file.commit()) {
        *error = QStringLiteral("Cannot write \"%1\": %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ExperimentContext::writePng(const QString &fileName, const QImage &image, QString *error) const
{
    const QString path = QDir(m_options.outDir).filePath(fileName);
    QImageWriter writer(path, "png");
    if (!writer.write(image)) {
        *error = QStringLiteral("Cannot write \"%1\": %2.").arg(path, writer.errorString());
        return false;
    }
    return true;
}

QString ExperimentContext::markdownHeader(const QString &title) const
{
    QString header = QStringLiteral("# %1\n\nMade by `%2`.\n\nMachine: %3\n\n")
                         .arg(title, m_options.commandLine, describeMachine());
    if (m_options.jobs > 1) {
        header += QStringLiteral("%1 simulations ran at once, each on its own thread: a run's "
                                 "CPU seconds are its thread's, and wall seconds of runs that "
                                 "overlapped add up to more than the elapsed time.\n\n")
                      .arg(m_options.jobs);
    }
    return header;
}

QString ExperimentContext::markdownTiming() const
{
    return QStringLiteral("Time for the whole experiment: %1 s wall, %2 s CPU (user and system, "
                          "all threads).\n")
        .arg(m_wall.elapsed() / 1000.0, 0, 'f', 1)
        .arg(processCpuSeconds() - m_cpuStart, 0, 'f', 1);
}

double processCpuSeconds()
{
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0.0;
    const auto seconds = [](const timeval &time) {
        return double(time.tv_sec) + double(time.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double threadCpuSeconds()
{
    timespec time{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) != 0)
        return 0.0;
    return double(time.tv_sec) + double(time.tv_nsec) / 1e9;
}

QString describeMachine()
{
    QString cpuModel = QStringLiteral("unknown CPU (cannot read /proc/cpuinfo)");
    QFile cpuInfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuInfo.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = cpuInfo.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("model name")) {
                cpuModel = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
        }
    }
    return QStringLiteral("%1, %2 logical cores; %3.")
        .arg(cpuModel)
        .arg(QThread::idealThreadCount())
        .arg(uai::describeTorchRuntime());
}
