#pragma once

#include <QString>

namespace uai {

/// Sets LibTorch's intra-op thread count for the whole process and returns it. Call once at
/// start-up, before any training. requested > 0 wins; otherwise the environment variable
/// UAI_THREADS; otherwise 1, because two OpenMP threads on a 2-core machine were measured to
/// run these small networks several times slower whenever another process is busy.
int configureTorchThreads(int requested = 0);

/// Describes the LibTorch version, the intra-op thread count and the BLAS library loaded into
/// the process, for the start-up log.
QString describeTorchRuntime();

} // namespace uai
