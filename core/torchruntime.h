#pragma once

#include <QString>

namespace uai {

/// Sets LibTorch's intra-op thread count for the whole process and returns it. Call once at
/// start-up, before any training. requested > 0 wins; otherwise the environment variable
/// UAI_THREADS; otherwise 1, because two OpenMP threads on a 2-core machine were measured to
/// run these small networks several times slower whenever another process is busy.
///
/// Also makes glibc's malloc keep freed blocks of up to 32 MiB in the heap instead of returning
/// them to the system. The activations of the next training step or scoring chunk then reuse
/// mapped pages rather than fault in fresh zeroed ones.
int configureTorchThreads(int requested = 0);

/// Describes the LibTorch version, the intra-op thread count and the BLAS library loaded into
/// the process, for the start-up log.
QString describeTorchRuntime();

} // namespace uai
