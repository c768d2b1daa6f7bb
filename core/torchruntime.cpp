#include "torchruntime.h"

#include <QFile>
#include <QLoggingCategory>

#include <ATen/Parallel.h>
#include <torch/version.h>

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

} // namespace

int configureTorchThreads(int requested)
{
    int threads = requested;
    if (threads <= 0) {
        bool ok = false;
        const int fromEnvironment = qEnvironmentVariableIntValue("UAI_THREADS", &ok);
        threads = ok && fromEnvironment > 0 ? fromEnvironment : 1;
    }
    at::set_num_threads(threads);
    qCDebug(lcRuntime) << "LibTorch intra-op threads:" << threads;
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
