#pragma once

#include "dataset.h"
#include "result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace uai {

/// Largest payload, in bytes after decompression, that the IDX reader accepts (2 GiB).
inline constexpr std::uint64_t kMaxIdxPayloadBytes = std::uint64_t(2) << 30;

/// An IDX array as stored: dimensions and the values converted to double.
/// Only the element types unsigned byte, signed byte, int16, int32, float32 and float64 exist.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    std::vector<double> values; ///< Product of dims, row-major.
    std::uint8_t typeCode = 0;  ///< 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E.
};

/// Parses IDX bytes, plain or gzip (detected from the first two bytes, not the name).
///
/// Validates the magic number, element type and dimension count, and checks the declared
/// payload size with overflow-safe arithmetic against the real size before allocating. A
/// truncated or corrupt gzip stream, a short payload or trailing bytes are errors, never a
/// partial array. Messages name the file and the numbers, for example
/// "Cannot read \"x.idx\": the header declares 6400 bytes of data, the file has 300."
Result<IdxArray> parseIdx(const QByteArray &bytes, const QString &fileName);

/// Reads and parses an IDX file.
Result<IdxArray> readIdxFile(const QString &path);

/// Reads an IDX image file (3 dimensions: items x rows x columns, unsigned bytes) and, when
/// labelsPath is not empty, its label file (1 dimension, unsigned bytes). Pixels become
/// grayscale values in [0, 1]; labels become the class column with names "0".."9" (or the
/// largest label). The two files must agree in count ("10 images but 9 labels").
/// The result has no ground truth: an anomaly construction adds it.
Result<Dataset> readIdxDataset(const QString &imagesPath, const QString &labelsPath);

} // namespace uai
