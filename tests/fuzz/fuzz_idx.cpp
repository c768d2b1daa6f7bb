// libFuzzer target for the IDX reader. Each input is parsed as it is and, unless it already is
// gzip data, also after gzip compression into two members, and both parses must agree. A parsed
// image array is then read through readIdxDataset() from files, with a label file built from
// its pixels.

#include "idxreader.h"

#include "datalimits.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

const QString kFileName = QStringLiteral("fuzz.idx");

void require(bool condition, const char *problem, const QString &detail = {})
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_idx: %s: %s\n", problem, qPrintable(detail));
    std::abort();
}

/// Appends one gzip member holding `size` bytes.
void appendGzipMember(QByteArray &out, const char *data, qsizetype size)
{
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    require(deflateInit2(&stream, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
            "deflateInit2 failed");
    const qsizetype start = out.size();
    out.resize(start + static_cast<qsizetype>(deflateBound(&stream, static_cast<uLong>(size))));
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    stream.avail_in = static_cast<uInt>(size);
    stream.next_out = reinterpret_cast<Bytef *>(out.data() + start);
    stream.avail_out = static_cast<uInt>(out.size() - start);
    require(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate did not finish");
    out.resize(start + static_cast<qsizetype>(stream.total_out));
    deflateEnd(&stream);
}

bool sameArrays(const uai::IdxArray &a, const uai::IdxArray &b)
{
    return a.typeCode == b.typeCode && a.dims == b.dims && a.values.size() == b.values.size()
           && (a.values.empty()
               || std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double))
                      == 0);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
           && file.write(bytes) == bytes.size();
}

/// Reads a parsed 3-dimensional unsigned-byte array as an image dataset, once alone and once
/// with a label file whose labels are the first pixels.
void checkDataset(const QByteArray &bytes, const uai::IdxArray &array)
{
    static QTemporaryDir folder;
    require(folder.isValid(), "no temporary folder", folder.errorString());
    const QString imagesPath = folder.filePath(QStringLiteral("images-idx3-ubyte"));
    const QString labelsPath = folder.filePath(QStringLiteral("labels-idx1-ubyte"));
    require(writeFile(imagesPath, bytes), "cannot write", imagesPath);

    // Only 3-dimensional unsigned-byte arrays within the dataset limits are image datasets.
    const bool imageShaped =
        array.dims.size() == 3 && array.typeCode == 0x08
        && uai::checkDatasetShape(array.dims[0], qint64(array.dims[1]) * array.dims[2], kFileName)
               .ok();
    const uai::Result<uai::Dataset> alone = uai::readIdxDataset(imagesPath, {});
    require(alone.ok() == imageShaped, "readIdxDataset disagrees with parseIdx", alone.error());
    if (!imageShaped) {
        require(alone.error().contains(QStringLiteral("images-idx3-ubyte")),
                "the message does not name the file",
                alone.error());
        return;
    }
    require(alone.value().checkConsistency().isEmpty(),
            "the image dataset breaks its invariants",
            alone.value().checkConsistency());

    const std::uint32_t count = array.dims[0];
    QByteArray labels;
    labels.append(char(0)).append(char(0)).append(char(0x08)).append(char(1));
    for (int shift = 24; shift >= 0; shift -= 8)
        labels.append(char((count >> shift) & 0xFF));
    for (std::uint32_t i = 0; i < count; ++i)
        labels.append(char(static_cast<std::uint8_t>(array.values[i % array.values.size()])));
    require(writeFile(labelsPath, labels), "cannot write", labelsPath);
    const uai::Result<uai::Dataset> paired = uai::readIdxDataset(imagesPath, labelsPath);
    require(paired.ok(), "a matching label file is rejected", paired.error());
    require(paired.value().checkConsistency().isEmpty(),
            "the labelled dataset breaks its invariants",
            paired.value().checkConsistency());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    // fromRawData does not copy, so reads past the end reach AddressSanitizer's redzone.
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const uai::Result<uai::IdxArray> plain = uai::parseIdx(bytes, kFileName);
    if (!plain)
        require(
            plain.error().contains(kFileName), "the message does not name the file", plain.error());

    const bool isGzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!isGzip) {
        QByteArray gzip;
        const qsizetype half = bytes.size() / 2;
        appendGzipMember(gzip, bytes.constData(), half);
        appendGzipMember(gzip, bytes.constData() + half, bytes.size() - half);
        const uai::Result<uai::IdxArray> unpacked = uai::parseIdx(gzip, kFileName);
        require(unpacked.ok() == plain.ok(),
                "plain and gzip parses disagree",
                plain.ok() ? unpacked.error() : plain.error());
        if (plain.ok())
            require(sameArrays(plain.value(), unpacked.value()), "plain and gzip arrays differ");
    }

    if (plain.ok())
        checkDataset(bytes, plain.value());
    return 0;
}
