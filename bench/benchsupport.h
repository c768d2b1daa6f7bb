#pragma once

// Helpers that the benchmark programs share: clocks, summary statistics and the machine
// description they print.

#include <QFile>
#include <QString>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

namespace benchsupport {

/// Wall and process CPU time at one moment, in seconds.
struct Clock {
    double wall = 0.0;
    double cpu = 0.0;

    static Clock now()
    {
        timespec cpuTime{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpuTime);
        const auto wallTime = std::chrono::steady_clock::now().time_since_epoch();
        return {std::chrono::duration<double>(wallTime).count(),
                double(cpuTime.tv_sec) + double(cpuTime.tv_nsec) * 1e-9};
    }
};

/// Returns the median of the values, or 0 for none.
inline double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

/// Returns the value at the given fraction of the sorted values (nearest rank), or 0 for none.
inline double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const auto index = size_t(fraction * double(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

/// Prints the count, median, 95th percentile and maximum of timings in milliseconds.
inline void printSummary(const char *name, const std::vector<double> &values)
{
    std::printf("%-44s n=%-4zu median %8.2f  p95 %8.2f  max %8.2f ms\n",
                name,
                values.size(),
                percentile(values, 0.5),
                percentile(values, 0.95),
                values.empty() ? 0.0 : *std::max_element(values.begin(), values.end()));
}

/// Returns the CPU model name from /proc/cpuinfo, or "unknown".
inline QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("model name"))
            return QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
    }
    return QStringLiteral("unknown");
}

/// Returns the contents of /proc/loadavg, or "unknown".
inline QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    return QString::fromLatin1(file.readAll().trimmed());
}

/// Returns the peak resident set size of this process in MiB (getrusage reports KiB on Linux).
inline double peakResidentMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

} // namespace benchsupport
