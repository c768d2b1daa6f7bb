#pragma once

#include "loopsettings.h"
#include "result.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace uai {

/// Largest dataset accepted, in feature values (items x features): 2^30 values, 4 GiB as
/// 32-bit floats. A CSV file also keeps a double copy while loading, so its peak is about
/// three times that.
inline constexpr std::int64_t kMaxDatasetValues = std::int64_t(1) << 30;

/// Largest number of features per item: 65,536, a 256 x 256 image. The first layer of the
/// default network then has 16.8 million weights.
inline constexpr std::int64_t kMaxFeatureCount = std::int64_t(1) << 16;

/// Largest image, in pixels, that an image folder decodes: 64 megapixels (for example
/// 8192 x 8192). Its size is read from the file header before any pixel is decoded.
inline constexpr std::int64_t kMaxImagePixels = std::int64_t(64) << 20;

/// Allocation limit handed to QImageReader, in MiB: room for the largest accepted image at
/// 8 bytes per pixel (16-bit RGBA), the widest format Qt decodes into.
inline constexpr int kImageAllocationLimitMiB = int((kMaxImagePixels * 8) >> 20);

/// Estimated bytes (2 GiB) above which loading needs the analyst's confirmation.
inline constexpr std::uint64_t kConfirmMemoryBytes = std::uint64_t(2) << 30;

/// Checks a dataset shape against kMaxFeatureCount and kMaxDatasetValues before its features
/// are allocated. Fails with a message that names fileName, both numbers and the limit.
Status checkDatasetShape(std::int64_t items, std::int64_t features, const QString &fileName);

/// Memory that a dataset, its network and training need, in bytes. An estimate from the
/// shapes alone: it counts the features, the per-item ids and scores, the parameters with
/// their gradients, optimiser state and round snapshot, and one training batch and one
/// scoring chunk of activations; allocator overhead and LibTorch's own buffers are not counted.
struct MemoryEstimate {
    std::uint64_t datasetBytes = 0;  ///< Features as float32, item ids, ground truth, classes.
    std::uint64_t loadingBytes = 0;  ///< Extra peak while loading (file bytes, CSV doubles).
    std::uint64_t modelBytes = 0;    ///< Parameters, gradients, RMSprop state, round snapshot.
    std::uint64_t trainingBytes = 0; ///< Activations of a batch and a scoring chunk, scores.
    std::uint64_t parameterCount = 0;

    std::uint64_t totalBytes() const
    {
        return datasetBytes + loadingBytes + modelBytes + trainingBytes;
    }
};

/// The storage format of the data on disk, which sets the loading peak in estimateMemory().
enum class StorageKind {
    Table,  ///< CSV: the file bytes and a double per value are held while parsing.
    Images, ///< IDX or an image folder: the file bytes (one byte per pixel) while converting.
};

/// Estimates the memory of loading a dataset of the given shape and training the network of
/// the settings on it. classCount matters for the classifier only. Negative or zero sizes give
/// an estimate of zero for the parts they affect.
MemoryEstimate estimateMemory(std::int64_t items,
                              std::int64_t features,
                              const LoopSettings &settings,
                              StorageKind storage,
                              int classCount = 0);

/// Returns the number of trainable values of the network the settings build for the given
/// number of features (and classes, for the classifier), the UAI layer included.
std::uint64_t
networkParameterCount(std::int64_t features, const LoopSettings &settings, int classCount = 0);

/// Returns the memory the system can still hand out, in bytes (MemAvailable of /proc/meminfo),
/// or nullopt where that is unknown.
std::optional<std::uint64_t> availableMemoryBytes();

/// Formats a byte count for messages: "512 MiB", "3.1 GiB".
QString formatBytes(std::uint64_t bytes);

/// Shape of a dataset read from its header or estimated from the file size, before loading.
struct ShapeGuess {
    std::int64_t items = 0;
    std::int64_t features = 0;
    StorageKind storage = StorageKind::Table;
    bool exact = false; ///< True when read from a header (IDX), false for an estimate.
};

/// Reads the shape an IDX image file declares (items, rows x columns) from its header,
/// decompressing only the first bytes of a gzip file. Fails when the file cannot be opened or
/// its header is not that of a 3-dimensional IDX file.
Result<ShapeGuess> readIdxShape(const QString &path);

/// Estimates the shape of a CSV file from its size and its first 64 KiB: the column count of
/// the first line (less the ground-truth and class columns the caller names in
/// nonFeatureColumns), and the file size divided by the mean length of the sampled lines.
Result<ShapeGuess> guessCsvShape(const QString &path, int nonFeatureColumns);

/// Estimates the shape of an image folder: one item per regular, non-hidden file, each of
/// maxSide x maxSide pixels at most (the size it will be scaled to).
Result<ShapeGuess> guessImageFolderShape(const QString &folder, int maxSide);

} // namespace uai
