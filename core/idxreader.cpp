#include "idxreader.h"

#include "datalimits.h"

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace uai {

namespace {

constexpr int kMaxDims = 4;
constexpr std::uint32_t kMaxDim = std::uint32_t(1) << 31; // negative as int32 from here on
constexpr qint64 kMaxHeaderBytes = 4 + 4 * kMaxDims;
constexpr qint64 kInflateChunk = 256 * 1024;
constexpr std::uint8_t kUnsignedByte = 0x08;

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

QString displayName(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    return name.isEmpty() ? path : name;
}

Failure idxFailure(const QString &fileName, const QString &what)
{
    return fail(QStringLiteral("Cannot read %1: %2").arg(quoted(displayName(fileName)), what));
}

/// Size in bytes of one element of an IDX type code, or 0 for a code IDX does not define.
int elementSize(std::uint8_t typeCode)
{
    switch (typeCode) {
    case 0x08:
    case 0x09:
        return 1;
    case 0x0B:
        return 2;
    case 0x0C:
    case 0x0D:
        return 4;
    case 0x0E:
        return 8;
    default:
        return 0;
    }
}

QString typeName(std::uint8_t typeCode)
{
    switch (typeCode) {
    case 0x08:
        return QStringLiteral("unsigned byte");
    case 0x09:
        return QStringLiteral("signed byte");
    case 0x0B:
        return QStringLiteral("16-bit integer");
    case 0x0C:
        return QStringLiteral("32-bit integer");
    case 0x0D:
        return QStringLiteral("32-bit float");
    case 0x0E:
        return QStringLiteral("64-bit float");
    default:
        return QStringLiteral("type 0x%1").arg(typeCode, 2, 16, QLatin1Char('0'));
    }
}

std::uint32_t readBigEndian32(const unsigned char *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
           | std::uint32_t(p[3]);
}

/// Header fields and the payload bytes, before any conversion.
struct IdxRaw {
    std::vector<std::uint32_t> dims;
    std::uint8_t typeCode = 0;
    QByteArray storage;       ///< The file bytes or the decompressed payload (shared, no copy).
    qint64 payloadOffset = 0; ///< Where the payload starts in storage.
    qint64 payloadBytes = 0;

    const char *payload() const { return storage.constData() + payloadOffset; }
};

/// Validated header: the declared dimensions and payload size.
struct IdxHeader {
    std::vector<std::uint32_t> dims;
    std::uint8_t typeCode = 0;
    qint64 headerBytes = 0;
    qint64 payloadBytes = 0;
};

/// Validates the header in the first `available` bytes and computes the declared payload size
/// with overflow checks.
Result<IdxHeader> parseHeader(const unsigned char *bytes, qint64 available, const QString &name)
{
    if (available < 4) {
        return idxFailure(name,
                          QStringLiteral("the file has %1 bytes, too short for an IDX header "
                                         "(at least 8 bytes). Choose a complete IDX file.")
                              .arg(available));
    }
    if (bytes[0] != 0 || bytes[1] != 0) {
        return idxFailure(name,
                          QStringLiteral("not an IDX file: it starts with the bytes 0x%1 0x%2, "
                                         "where an IDX file starts with two zero bytes.")
                              .arg(bytes[0], 2, 16, QLatin1Char('0'))
                              .arg(bytes[1], 2, 16, QLatin1Char('0')));
    }
    IdxHeader header;
    header.typeCode = bytes[2];
    const int size = elementSize(header.typeCode);
    if (size == 0) {
        return idxFailure(name,
                          QStringLiteral("the element type code 0x%1 is not an IDX type "
                                         "(0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E).")
                              .arg(header.typeCode, 2, 16, QLatin1Char('0')));
    }
    const int dimCount = bytes[3];
    if (dimCount < 1 || dimCount > kMaxDims) {
        return idxFailure(name,
                          QStringLiteral("the header declares %1 dimensions; this reader "
                                         "accepts 1 to %2.")
                              .arg(dimCount)
                              .arg(kMaxDims));
    }
    header.headerBytes = 4 + 4 * qint64(dimCount);
    if (available < header.headerBytes) {
        return idxFailure(name,
                          QStringLiteral("the header is cut short: %1 dimensions need %2 header "
                                         "bytes, the file has %3.")
                              .arg(dimCount)
                              .arg(header.headerBytes)
                              .arg(available));
    }

    std::uint64_t total = std::uint64_t(size);
    bool overflow = false;
    for (int i = 0; i < dimCount; ++i) {
        const std::uint32_t dim = readBigEndian32(bytes + 4 + 4 * i);
        if (dim == 0) {
            return idxFailure(name,
                              i == 0 ? QStringLiteral("the header declares zero items. Choose a "
                                                      "file that holds data.")
                                     : QStringLiteral("dimension %1 of the header is 0, so the "
                                                      "file holds no values.")
                                           .arg(i + 1));
        }
        if (dim >= kMaxDim) {
            return idxFailure(name,
                              QStringLiteral("dimension %1 of the header is %2, which is negative "
                                             "as a signed 32-bit number; the header is damaged.")
                                  .arg(i + 1)
                                  .arg(dim));
        }
        header.dims.push_back(dim);
        overflow = overflow || __builtin_mul_overflow(total, std::uint64_t(dim), &total);
    }
    if (overflow || total > kMaxIdxPayloadBytes) {
        QStringList dims;
        for (const auto dim : header.dims)
            dims.append(QString::number(dim));
        return idxFailure(name,
                          QStringLiteral("the header declares %1 values of %2 byte(s) each "
                                         "(%3), more than the limit of %4 bytes.")
                              .arg(dims.join(QStringLiteral(" x ")))
                              .arg(size)
                              .arg(overflow ? QStringLiteral("more than 2^64 bytes")
                                            : QStringLiteral("%1 bytes").arg(total))
                              .arg(kMaxIdxPayloadBytes));
    }
    header.payloadBytes = static_cast<qint64>(total);
    return header;
}

Failure sizeMismatch(const QString &name, qint64 declared, const QString &actual)
{
    return idxFailure(name,
                      QStringLiteral("the header declares %1 bytes of data, the file has %2. "
                                     "The file is truncated or has extra bytes; download or "
                                     "export it again.")
                          .arg(QString::number(declared), actual));
}

/// Inflates a gzip stream (one or more members) in steps, so a caller can stop early.
class GzipReader
{
public:
    explicit GzipReader(const QByteArray &compressed)
        : m_input(compressed)
    {
        std::memset(&m_stream, 0, sizeof(m_stream));
        m_ok = inflateInit2(&m_stream, 16 + MAX_WBITS) == Z_OK;
        if (!m_ok)
            m_error = QStringLiteral("zlib could not start decompressing");
    }
    ~GzipReader()
    {
        if (m_ok)
            inflateEnd(&m_stream);
    }
    GzipReader(const GzipReader &) = delete;
    GzipReader &operator=(const GzipReader &) = delete;

    /// Decompresses up to `count` bytes into `out` and returns how many were written. Fewer
    /// than `count` means the stream ended or failed, and error() returns which.
    qint64 read(char *out, qint64 count)
    {
        qint64 written = 0;
        while (written < count && !m_finished && m_error.isEmpty()) {
            if (m_stream.avail_in == 0) {
                const qint64 left = m_input.size() - m_inputPos;
                const auto step = static_cast<uInt>(std::min<qint64>(left, 1 << 30));
                m_stream.next_in =
                    reinterpret_cast<Bytef *>(const_cast<char *>(m_input.constData() + m_inputPos));
                m_stream.avail_in = step;
                m_inputPos += step;
            }
            const auto step = static_cast<uInt>(std::min<qint64>(count - written, 1 << 30));
            m_stream.next_out = reinterpret_cast<Bytef *>(out + written);
            m_stream.avail_out = step;
            const int status = inflate(&m_stream, Z_NO_FLUSH);
            written += step - m_stream.avail_out;
            if (status == Z_STREAM_END) {
                handleMemberEnd();
            } else if (status == Z_BUF_ERROR
                       || (status == Z_OK && m_stream.avail_in == 0 && m_inputPos == m_input.size()
                           && m_stream.avail_out > 0)) {
                if (m_stream.avail_in == 0 && m_inputPos == m_input.size())
                    m_error = QStringLiteral("the gzip data ends early; the file is truncated");
            } else if (status != Z_OK) {
                m_error =
                    QStringLiteral("the gzip data is corrupt (zlib: %1)")
                        .arg(QString::fromLatin1(m_stream.msg ? m_stream.msg : "unknown error"));
            }
        }
        return written;
    }

    bool finished() const { return m_finished; }
    const QString &error() const { return m_error; }

private:
    /// At the end of one gzip member, either the input ends or another member follows.
    void handleMemberEnd()
    {
        const qint64 rest = qint64(m_stream.avail_in) + (m_input.size() - m_inputPos);
        if (rest == 0) {
            m_finished = true;
            return;
        }
        const auto *next =
            m_stream.avail_in > 0
                ? reinterpret_cast<const unsigned char *>(m_stream.next_in)
                : reinterpret_cast<const unsigned char *>(m_input.constData() + m_inputPos);
        if (rest >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
            inflateReset(&m_stream);
            return;
        }
        m_error = QStringLiteral("%1 bytes that are not gzip data follow the end of the "
                                 "compressed stream")
                      .arg(rest);
    }

    const QByteArray &m_input;
    qint64 m_inputPos = 0;
    z_stream m_stream;
    bool m_ok = false;
    bool m_finished = false;
    QString m_error;
};

/// Decompresses and validates a gzip IDX file. Memory grows only with the data really
/// decompressed, never with what the header declares.
Result<IdxRaw> parseGzipIdx(const QByteArray &bytes, const QString &name)
{
    GzipReader reader(bytes);
    if (!reader.error().isEmpty())
        return idxFailure(name, reader.error() + QLatin1Char('.'));

    std::array<unsigned char, kMaxHeaderBytes> headerBytes{};
    qint64 got = reader.read(reinterpret_cast<char *>(headerBytes.data()), 4);
    if (got == 4 && headerBytes[3] >= 1 && headerBytes[3] <= kMaxDims)
        got += reader.read(reinterpret_cast<char *>(headerBytes.data()) + 4, 4 * headerBytes[3]);
    if (!reader.error().isEmpty())
        return idxFailure(name, reader.error() + QLatin1Char('.'));
    Result<IdxHeader> header = parseHeader(headerBytes.data(), got, name);
    if (!header)
        return fail(header.error());

    IdxRaw raw;
    raw.dims = header.value().dims;
    raw.typeCode = header.value().typeCode;
    const qint64 declared = header.value().payloadBytes;
    // Deflate expands at most about 1032:1, so a header that declares more than that is lying
    // and gets no up-front allocation for it.
    raw.storage.reserve(std::min(declared, bytes.size() * 1032));
    qint64 have = 0;
    while (have < declared) {
        const qint64 step = std::min(declared - have, std::max<qint64>(have, kInflateChunk));
        raw.storage.resize(have + step);
        const qint64 n = reader.read(raw.storage.data() + have, step);
        have += n;
        if (n < step)
            break;
    }
    raw.storage.resize(have);
    if (!reader.error().isEmpty())
        return idxFailure(name, reader.error() + QLatin1Char('.'));
    if (have < declared)
        return sizeMismatch(name, declared, QString::number(have));

    // Driving the stream to its end checks the CRC and finds trailing data.
    QByteArray scratch(kInflateChunk, Qt::Uninitialized);
    qint64 extra = 0;
    const qint64 extraLimit = static_cast<qint64>(kMaxIdxPayloadBytes) + kMaxHeaderBytes;
    while (!reader.finished() && reader.error().isEmpty() && extra <= extraLimit)
        extra += reader.read(scratch.data(), scratch.size());
    if (!reader.error().isEmpty())
        return idxFailure(name, reader.error() + QLatin1Char('.'));
    if (extra > 0) {
        return sizeMismatch(name,
                            declared,
                            reader.finished()
                                ? QString::number(declared + extra)
                                : QStringLiteral("more than %1").arg(declared + extra));
    }
    raw.payloadBytes = have;
    return raw;
}

Result<IdxRaw> parseIdxRaw(const QByteArray &bytes, const QString &name)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    if (bytes.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return parseGzipIdx(bytes, name);

    Result<IdxHeader> header = parseHeader(data, bytes.size(), name);
    if (!header)
        return fail(header.error());
    const qint64 actual = bytes.size() - header.value().headerBytes;
    if (actual != header.value().payloadBytes)
        return sizeMismatch(name, header.value().payloadBytes, QString::number(actual));

    IdxRaw raw;
    raw.dims = header.value().dims;
    raw.typeCode = header.value().typeCode;
    raw.storage = bytes;
    raw.payloadOffset = header.value().headerBytes;
    raw.payloadBytes = actual;
    return raw;
}

template<typename Unsigned>
Unsigned loadBigEndian(const char *p)
{
    Unsigned value;
    std::memcpy(&value, p, sizeof(value));
    if constexpr (std::endian::native == std::endian::little)
        value = static_cast<Unsigned>(__builtin_bswap64(std::uint64_t(value))
                                      >> (64 - 8 * sizeof(Unsigned)));
    return value;
}

/// Converts big-endian elements of the given type to doubles.
void convertValues(const IdxRaw &raw, std::vector<double> &out)
{
    const qint64 count = raw.payloadBytes / elementSize(raw.typeCode);
    out.resize(static_cast<size_t>(count));
    const char *p = raw.payload();
    for (qint64 i = 0; i < count; ++i) {
        double value = 0.0;
        switch (raw.typeCode) {
        case 0x08:
            value = static_cast<unsigned char>(p[i]);
            break;
        case 0x09:
            value = static_cast<signed char>(p[i]);
            break;
        case 0x0B:
            value = static_cast<std::int16_t>(loadBigEndian<std::uint16_t>(p + 2 * i));
            break;
        case 0x0C:
            value = static_cast<std::int32_t>(loadBigEndian<std::uint32_t>(p + 4 * i));
            break;
        case 0x0D:
            value = std::bit_cast<float>(loadBigEndian<std::uint32_t>(p + 4 * i));
            break;
        case 0x0E:
            value = std::bit_cast<double>(loadBigEndian<std::uint64_t>(p + 8 * i));
            break;
        default:
            break;
        }
        out[static_cast<size_t>(i)] = value;
    }
}

/// Reads a whole file, rejecting one larger than any valid IDX file before reading it.
Result<QByteArray> readIdxBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return idxFailure(path,
                          QStringLiteral("the file could not be opened (%1). Check the path and "
                                         "the permissions.")
                              .arg(file.errorString()));
    }
    // A gzip stream can be slightly larger than its data, so allow 1% over the payload limit.
    const qint64 limit = static_cast<qint64>(kMaxIdxPayloadBytes + kMaxIdxPayloadBytes / 100)
                         + kMaxHeaderBytes + 1024;
    if (file.size() > limit) {
        return idxFailure(path,
                          QStringLiteral("the file has %1 bytes, more than any IDX file this "
                                         "reader accepts (%2 bytes of data).")
                              .arg(file.size())
                              .arg(kMaxIdxPayloadBytes));
    }
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return idxFailure(path, QStringLiteral("reading failed (%1).").arg(file.errorString()));
    }
    return bytes;
}

Result<IdxRaw> readIdxRaw(const QString &path)
{
    Result<QByteArray> bytes = readIdxBytes(path);
    if (!bytes)
        return fail(bytes.error());
    return parseIdxRaw(bytes.value(), path);
}

QString dimsText(const std::vector<std::uint32_t> &dims)
{
    QStringList parts;
    for (const auto dim : dims)
        parts.append(QString::number(dim));
    return parts.join(QStringLiteral(" x "));
}

} // namespace

Result<IdxArray> parseIdx(const QByteArray &bytes, const QString &fileName)
{
    Result<IdxRaw> raw = parseIdxRaw(bytes, fileName);
    if (!raw)
        return fail(raw.error());
    IdxArray array;
    array.dims = raw.value().dims;
    array.typeCode = raw.value().typeCode;
    convertValues(raw.value(), array.values);
    return array;
}

Result<IdxArray> readIdxFile(const QString &path)
{
    Result<QByteArray> bytes = readIdxBytes(path);
    if (!bytes)
        return fail(bytes.error());
    return parseIdx(bytes.value(), path);
}

Result<Dataset> readIdxDataset(const QString &imagesPath, const QString &labelsPath)
{
    // The header alone decides whether the dataset fits, before up to 2 GiB are read; a header
    // that readIdxShape() cannot read gets the full reader's more precise message below.
    if (const Result<ShapeGuess> shape = readIdxShape(imagesPath); shape.ok()) {
        const Status fits =
            checkDatasetShape(shape.value().items, shape.value().features, imagesPath);
        if (!fits.ok())
            return fail(fits.error());
    }
    Result<IdxRaw> images = readIdxRaw(imagesPath);
    if (!images)
        return fail(images.error());
    const IdxRaw &pixels = images.value();
    if (pixels.dims.size() != 3 || pixels.typeCode != kUnsignedByte) {
        return idxFailure(imagesPath,
                          QStringLiteral("an image file needs 3 dimensions (items x rows x "
                                         "columns) of unsigned bytes, this one has %1 (%2) of "
                                         "%3. Choose the images file of the pair.")
                              .arg(pixels.dims.size())
                              .arg(dimsText(pixels.dims), typeName(pixels.typeCode)));
    }
    const qsizetype itemCount = pixels.dims[0];
    const int height = static_cast<int>(pixels.dims[1]);
    const int width = static_cast<int>(pixels.dims[2]);
    const qsizetype pixelCount = qsizetype(width) * height;
    if (const Status shape = checkDatasetShape(itemCount, pixelCount, imagesPath); !shape.ok())
        return fail(shape.error());

    Dataset dataset;
    dataset.name = displayName(imagesPath);
    dataset.source =
        labelsPath.isEmpty() ? imagesPath : imagesPath + QStringLiteral(" + ") + labelsPath;
    dataset.kind = DatasetKind::Images;
    dataset.itemCount = itemCount;
    dataset.featureCount = pixelCount;
    dataset.imageWidth = width;
    dataset.imageHeight = height;

    if (!labelsPath.isEmpty()) {
        Result<IdxRaw> labels = readIdxRaw(labelsPath);
        if (!labels)
            return fail(labels.error());
        const IdxRaw &values = labels.value();
        if (values.dims.size() != 1 || values.typeCode != kUnsignedByte) {
            return idxFailure(labelsPath,
                              QStringLiteral("a label file needs 1 dimension of unsigned bytes, "
                                             "this one has %1 (%2) of %3. Choose the labels "
                                             "file of the pair.")
                                  .arg(values.dims.size())
                                  .arg(dimsText(values.dims), typeName(values.typeCode)));
        }
        if (values.dims[0] != pixels.dims[0]) {
            return fail(QStringLiteral("Cannot read %1 with %2: %3 images but %4 labels. Choose "
                                       "the label file that belongs to these images.")
                            .arg(quoted(displayName(imagesPath)),
                                 quoted(displayName(labelsPath)),
                                 QString::number(pixels.dims[0]),
                                 QString::number(values.dims[0])));
        }
        const auto *label = reinterpret_cast<const unsigned char *>(values.payload());
        const int maxLabel = *std::max_element(label, label + itemCount);
        dataset.classes.assign(label, label + itemCount);
        for (int c = 0; c <= maxLabel; ++c)
            dataset.classNames.append(QString::number(c));
        dataset.importNotes.append(QStringLiteral("Read %1 labels from %2: classes 0 to %3.")
                                       .arg(QString::number(itemCount),
                                            quoted(displayName(labelsPath)),
                                            QString::number(maxLabel)));
    }

    std::array<float, 256> scaled{};
    for (int v = 0; v < 256; ++v)
        scaled[static_cast<size_t>(v)] = static_cast<float>(v / 255.0);
    dataset.features.resize(static_cast<size_t>(itemCount * pixelCount));
    const auto *source = reinterpret_cast<const unsigned char *>(pixels.payload());
    std::transform(source, source + itemCount * pixelCount, dataset.features.begin(), [&](auto v) {
        return scaled[v];
    });

    dataset.featureNames.reserve(pixelCount);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            dataset.featureNames.append(QStringLiteral("%1,%2").arg(x).arg(y));
    }
    dataset.itemIds.reserve(itemCount);
    for (qsizetype i = 0; i < itemCount; ++i)
        dataset.itemIds.append(QStringLiteral("index %1").arg(i));

    dataset.importNotes.prepend(QStringLiteral("Read %1 images of %2 x %3 pixels from %4.")
                                    .arg(QString::number(itemCount),
                                         QString::number(width),
                                         QString::number(height),
                                         quoted(displayName(imagesPath))));
    return dataset;
}

} // namespace uai
