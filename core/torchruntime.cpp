#include "torchruntime.h"

#include <QFile>
#include <QLoggingCategory>

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <malloc.h>

#include <cstdlib>

Q_LOGGING_CATEGORY(lcRuntime, "uai.core.runtime", QtWarningMsg)

namespace uai {

namespace {

/// Returns the path of the first BLAS library mapped into this process, from /proc/self/maps.
QString loadedBlasLibrary()
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown (cannot read /proc/self/maps)");
    const QList<QByteArray> lines = maps.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const int slash = line.indexOf('/');
        if (slash < 0)
            continue;
        const QByteArray path = line.mid(slash);
        if (path.contains("openblas") || path.contains("libblas") || path.contains("libmkl"))
            return QString::fromLocal8Bit(path);
    }
    return QStringLiteral("none found");
}

/// Largest block that malloc serves from the heap rather than from its own mapping; glibc
/// accepts at most 32 MiB on 64-bit systems. A scoring chunk of 8192 items of 784 floats,
/// 25 MiB, fits.
constexpr int kHeapBlockLimit = 32 * 1024 * 1024;
/// Free memory at the top of the heap that malloc keeps rather than returns to the system.
constexpr int kHeapKeep = 256 * 1024 * 1024;

/// Makes freed activations reusable without page faults; docs/benchmarks.md has the measured
/// effect.
void keepFreedMemoryInHeap()
{
    if (mallopt(M_MMAP_THRESHOLD, kHeapBlockLimit) != 1
        || mallopt(M_TRIM_THRESHOLD, kHeapKeep) != 1)
        qCWarning(lcRuntime) << "malloc rejected the heap limits; large blocks stay unmapped "
                                "when freed";
}

} // namespace

int configureTorchThreads(int requested)
{
    keepFreedMemoryInHeap();
    int threads = requested;
    if (threads <= 0) {
        bool ok = false;
        const int fromEnvironment = qEnvironmentVariableIntValue("UAI_THREADS", &ok);
        threads = ok && fromEnvironment > 0 ? fromEnvironment : 1;
    }
    at::set_num_threads(threads);
    qCDebug(lcRuntime) << "LibTorch intra-op threads:" << threads;
    // The OpenMP runtime reads the policy once, when it loads, so only the environment of the
    // process can set it.
    if (threads > 1 && !qEnvironmentVariableIsSet("OMP_WAIT_POLICY"))
        qCWarning(lcRuntime) << threads
                             << "intra-op threads with OMP_WAIT_POLICY unset: idle "
                                "OpenMP threads spin and can slow training several times while "
                                "another process is busy; start with OMP_WAIT_POLICY=PASSIVE";
    return threads;
}

QString describeTorchRuntime()
{
    return QStringLiteral("LibTorch %1, %2 intra-op thread(s), BLAS: %3, OMP_WAIT_POLICY=%4")
        .arg(QStringLiteral(TORCH_VERSION))
        .arg(at::get_num_threads())
        .arg(loadedBlasLibrary())
        .arg(qEnvironmentVariableIsSet("OMP_WAIT_POLICY") ? qEnvironmentVariable("OMP_WAIT_POLICY")
                                                          : QStringLiteral("(unset)"));
}

} // namespace uai
