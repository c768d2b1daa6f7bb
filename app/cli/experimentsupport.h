#pragma once

#include "experimentcharts.h"

#include "dataset.h"
#include "loopsettings.h"
#include "result.h"
#include "simulatedanalyst.h"

#include <QElapsedTimer>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

/// Options of one "uai-cli experiment" call, after parsing and defaults.
struct ExperimentOptions {
    QString name;
    QString outDir;
    /// The overview page the "overview" experiment writes; by default outDir + ".md".
    QString pagePath;
    QString dataDir;
    int seeds = 5;
    bool quick = false;
    std::optional<qsizetype> budget;
    QStringList datasets;
    QStringList methods;
    /// Whether --methods was given. Without it, methods lists every method.
    bool methodsGiven = false;
    std::optional<int> pretrainSteps;
    std::optional<int> roundSteps;
    int threads = 0;
    /// Simulations run at once by prefetch(), each on its own thread.
    int jobs = 1;
    /// The command line as given, for the markdown files.
    QString commandLine;
};

/// A dataset an experiment runs on: the name used in tables and file names, and the spec that
/// loadDataSource() and "uai-cli run --data" read.
struct DatasetRef {
    QString label;
    QString spec;
    bool tabular = false;
};

/// Resolves a dataset name from --datasets: mnist:SUFFIX (from DATA/mnist10k) and
/// fashion-mnist:SUFFIX with a suffix 0, 0-2 or hard, or the stem of a CSV file in DATA/tabular.
/// Returns false with a message naming the value and the accepted forms otherwise, or naming
/// the image folder when it is missing.
bool resolveDataset(const QString &name, const QString &dataDir, DatasetRef *ref, QString *error);

/// Returns the stems of the CSV files directly in DATA/tabular, sorted.
QStringList tabularStems(const QString &dataDir);

/// One simulated-analyst run of an experiment.
struct RunSpec {
    DatasetRef dataset;
    uai::LoopSettings settings;
    qsizetype budget = 0;
    double flipFraction = 0.0;
    std::uint64_t seed = 1;
};

struct RunOutcome {
    uai::SimulationResult result;
    double wallSeconds = 0.0;
    double cpuSeconds = 0.0;
};

/// Returns the "uai-cli run" command that repeats a run, with SEED standing for the seed. The
/// flip fraction has no "run" option, so noisy runs show it as a trailing note.
QString runCommandLine(const RunSpec &spec);

/// Returns "a, b, c" for the seeds 1..count.
QString seedList(int count);

/// Spread of one measure over the seeds.
struct Spread {
    double mean = 0.0;
    double minimum = 0.0;
    double maximum = 0.0;
};

Spread spreadOf(const std::vector<double> &values);

/// Returns "0.52 (0.41-0.60)" with the given decimals.
QString formatSpread(const Spread &spread, int decimals = 2);

/// Summarises curves of several seeds on the union of their verdict counts, starting at 0: a
/// curve that ended early keeps its last value.
CurveBand summariseCurves(const QString &name,
                          const QColor &colour,
                          const std::vector<std::vector<uai::DiscoveryPoint>> &curves);

/// Returns the found count of the curve's last point, 0 for an empty curve.
qsizetype finalFound(const std::vector<uai::DiscoveryPoint> &curve);

/// Returns a file-name-safe form of a label: "mnist:0-2" becomes "mnist_0-2".
QString fileStem(const QString &label);

/// Shared state of one experiment: loaded datasets, the curve rows, the timers and the progress
/// printout.
class ExperimentContext
{
public:
    explicit ExperimentContext(ExperimentOptions options);

    const ExperimentOptions &options() const { return m_options; }
    /// The experiment's default settings with the --pretrain-steps and --round-steps overrides.
    uai::LoopSettings baseSettings() const;

    /// Loads the dataset for a seed, reusing the last load of the same spec and seed.
    uai::Result<std::shared_ptr<const uai::Dataset>> dataset(const DatasetRef &ref,
                                                             std::uint64_t seed);

    /// Runs one simulation and measures its wall and CPU seconds. roundFinished, when set,
    /// receives every round as in SimulationOptions.
    uai::Result<RunOutcome>
    run(const RunSpec &spec,
        const std::function<void(const uai::DiscoveryPoint &, const uai::RoundReport &)>
            &roundFinished = {});

    /// Runs the given simulations on up to options().jobs threads at once and keeps their
    /// outcomes, which later run() calls with the same spec and no round callback return. Does
    /// nothing with one job. Each run then loads its own copy of the dataset, and its CPU
    /// seconds are those of the thread it ran on.
    void prefetch(const std::vector<RunSpec> &specs);

    /// Adds a run's curve to the CSV rows.
    void recordCurve(const QString &dataset,
                     const QString &model,
                     const QString &method,
                     std::uint64_t seed,
                     qsizetype anomalies,
                     const std::vector<uai::DiscoveryPoint> &curve);

    /// Prints one progress line to stdout at once.
    void progress(const QString &line) const;
    void setRunCount(int total) { m_runTotal = total; }
    /// Returns "[3/30]" for the next run and counts it.
    QString nextRunTag();

    /// Writes the recorded curve rows to OUT/NAME-runs.csv and sets fileName to its name.
    bool writeCurves(QString *fileName, QString *error) const;
    /// Writes a file under the output folder. Returns false with a message naming the path.
    bool writeFile(const QString &fileName, const QByteArray &content, QString *error) const;
    bool writePng(const QString &fileName, const QImage &image, QString *error) const;

    /// The markdown lines every experiment starts with: the title, the command, the machine.
    QString markdownHeader(const QString &title) const;
    /// The markdown line with the wall and CPU seconds spent since the context was made.
    QString markdownTiming() const;

private:
    ExperimentOptions m_options;
    QElapsedTimer m_wall;
    double m_cpuStart = 0.0;
    QStringList m_curveRows;
    int m_runTotal = 0;
    int m_runDone = 0;
    QString m_loadedKey;
    std::shared_ptr<const uai::Dataset> m_loaded;
    std::map<QString, uai::Result<RunOutcome>> m_prefetched;
};

/// Returns the process's user plus system CPU time in seconds.
double processCpuSeconds();

/// Returns the calling thread's CPU time in seconds.
double threadCpuSeconds();

/// Describes the machine for the markdown files: CPU model, cores and the LibTorch runtime.
QString describeMachine();
