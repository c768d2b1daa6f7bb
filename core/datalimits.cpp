#include "datalimits.h"

#include "dataset.h"
#include "forestlayer.h"
#include "idxreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

Q_LOGGING_CATEGORY(lcLimits, "uai.core.limits", QtWarningMsg)

namespace uai {

namespace {

/// Bytes a CSV sample reads to measure the mean line length.
constexpr qint64 kCsvSampleBytes = qint64(64) << 10;

/// Bytes per item for its id (a QStringList entry of about 10 characters), ground truth and
/// class: an estimate of Qt's string storage, not a measurement.
constexpr std::uint64_t kItemOverheadBytes = 64;

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

QString displayName(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    return name.isEmpty() ? path : name;
}

std::uint64_t positive(std::int64_t value)
{
    return value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

/// Returns the first `count` bytes of the IDX content: the file bytes, or for a gzip file the
/// first decompressed bytes.
QByteArray readIdxHead(QFile &file, int count, QString *problem)
{
    const QByteArray head = file.read(2);
    const bool gzip = head.size() == 2 && quint8(head[0]) == 0x1f && quint8(head[1]) == 0x8b;
    file.seek(0);
    if (!gzip)
        return file.read(count);

    const QByteArray compressed = file.read(qint64(64) << 10);
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        *problem = QStringLiteral("zlib could not start decompressing");
        return {};
    }
    QByteArray out(count, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.constData()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(count);
    const int status = inflate(&stream, Z_SYNC_FLUSH);
    const int produced = count - static_cast<int>(stream.avail_out);
    inflateEnd(&stream);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
        *problem = QStringLiteral("the gzip data is corrupt");
        return {};
    }
    out.truncate(produced);
    return out;
}

std::uint32_t bigEndian32(const QByteArray &bytes, int offset)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData() + offset);
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
           | std::uint32_t(p[3]);
}

} // namespace

Status checkDatasetShape(std::int64_t items, std::int64_t features, const QString &fileName)
{
    if (features > kMaxFeatureCount) {
        return fail(QStringLiteral("Cannot read %1: it has %2 features per item, more than the "
                                   "limit of %3. Remove columns or use smaller images.")
                        .arg(quoted(displayName(fileName)))
                        .arg(features)
                        .arg(kMaxFeatureCount));
    }
    if (items > 0 && features > 0 && items > kMaxDatasetValues / features) {
        return fail(QStringLiteral("Cannot read %1: %2 items x %3 features is more than the "
                                   "limit of %4 feature values (%5 as 32-bit floats). Use a "
                                   "subset of the items or fewer features.")
                        .arg(quoted(displayName(fileName)))
                        .arg(items)
                        .arg(features)
                        .arg(kMaxDatasetValues)
                        .arg(formatBytes(std::uint64_t(kMaxDatasetValues) * sizeof(float))));
    }
    return success();
}

std::uint64_t
networkParameterCount(std::int64_t features, const LoopSettings &settings, int classCount)
{
    if (features <= 0 || settings.hiddenSizes.empty())
        return 0;
    // A dense layer from a to b units has a * b weights and b biases.
    const auto dense = [](std::uint64_t a, std::uint64_t b) { return a * b + b; };
    std::uint64_t count = 0;
    std::uint64_t previous = positive(features);
    for (const int size : settings.hiddenSizes) {
        count += dense(previous, positive(size));
        previous = positive(size);
    }
    if (settings.model == ModelKind::Autoencoder) {
        for (auto it = settings.hiddenSizes.rbegin() + 1; it != settings.hiddenSizes.rend(); ++it) {
            count += dense(previous, positive(*it));
            previous = positive(*it);
        }
        count += dense(previous, positive(features));
    } else {
        count += dense(previous, positive(classCount));
    }
    // The UAI layer reads the latent, the anomaly score and any extra scores.
    count += dense(positive(settings.latentSize()) + 1 + positive(settings.extraScoreCount()), 1);
    return count;
}

MemoryEstimate estimateMemory(std::int64_t items,
                              std::int64_t features,
                              const LoopSettings &settings,
                              StorageKind storage,
                              int classCount)
{
    MemoryEstimate estimate;
    const std::uint64_t n = positive(items);
    const std::uint64_t f = positive(features);
    const std::uint64_t values = n * f;
    estimate.datasetBytes = values * sizeof(float) + n * kItemOverheadBytes;
    // A CSV value is held as text (about 8 bytes) and as a double until standardised; image
    // sources hold one byte per pixel until converted.
    estimate.loadingBytes = storage == StorageKind::Table ? values * (8 + sizeof(double)) : values;

    estimate.parameterCount = networkParameterCount(features, settings, classCount);
    // Parameters, gradients, RMSprop accumulators, and the parameters and accumulators copied
    // before each round so that a failed round can be undone.
    estimate.modelBytes = estimate.parameterCount * sizeof(float) * 5;

    std::uint64_t hiddenUnits = 0;
    for (const int size : settings.hiddenSizes)
        hiddenUnits += positive(size);
    if (settings.model == ModelKind::Autoencoder)
        hiddenUnits *= 2;
    const std::uint64_t batch = std::min<std::uint64_t>(positive(settings.batchSize), n);
    const std::uint64_t chunk = std::min<std::uint64_t>(positive(settings.scoringChunk), n);
    // A training batch keeps its input, noisy input, output and every activation for the
    // backward pass, about twice over with the gradients; scoring needs one pass at a time.
    const std::uint64_t batchBytes = batch * (3 * f + hiddenUnits) * sizeof(float) * 2;
    const std::uint64_t chunkBytes = chunk * (2 * f + hiddenUnits) * sizeof(float);
    // Each round report contains the latent, anomaly score and UAI logit of every item; the
    // window keeps the current report and the one it shows.
    const std::uint64_t reportBytes = n * (positive(settings.latentSize()) + 2) * sizeof(float) * 2;
    estimate.trainingBytes = batchBytes + chunkBytes + reportBytes;
    // The forest layer records the leaf of each item in each tree.
    const DatasetKind kind =
        storage == StorageKind::Table ? DatasetKind::Table : DatasetKind::Images;
    if (isForestLayer(settings.resolvedBaseRanking(kind, qsizetype(n)))) {
        estimate.trainingBytes += std::uint64_t(
            ForestLayer::leafBytes(qsizetype(n), IsolationForestSettings().treeCount));
    }
    return estimate;
}

std::optional<std::uint64_t> availableMemoryBytes()
{
    QFile file(QStringLiteral("/proc/meminfo"));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    // Files under /proc report a size of 0, so QFile::atEnd() cannot end the loop; the whole
    // text is read at once.
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("MemAvailable:"))
            continue;
        const QList<QByteArray> parts = line.simplified().split(' ');
        bool ok = false;
        const quint64 kib = parts.size() >= 2 ? parts[1].toULongLong(&ok) : 0;
        if (ok)
            return std::uint64_t(kib) * 1024;
    }
    return std::nullopt;
}

QString formatBytes(std::uint64_t bytes)
{
    constexpr double kMiB = 1024.0 * 1024.0;
    constexpr double kGiB = kMiB * 1024.0;
    if (bytes >= std::uint64_t(1) << 30)
        return QStringLiteral("%1 GiB").arg(double(bytes) / kGiB, 0, 'f', 1);
    if (bytes >= std::uint64_t(1) << 20)
        return QStringLiteral("%1 MiB").arg(double(bytes) / kMiB, 0, 'f', 0);
    return QStringLiteral("%1 KiB").arg((bytes + 1023) / 1024);
}

Result<ShapeGuess> readIdxShape(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(QStringLiteral("Cannot read %1: the file could not be opened (%2).")
                        .arg(quoted(displayName(path)), file.errorString()));
    }
    QString problem;
    const QByteArray head = readIdxHead(file, 16, &problem);
    if (!problem.isEmpty())
        return fail(QStringLiteral("Cannot read %1: %2.").arg(quoted(displayName(path)), problem));
    if (head.size() < 16 || head[0] != 0 || head[1] != 0 || quint8(head[2]) != 0x08
        || head[3] != 3) {
        return fail(QStringLiteral("Cannot read %1: the header is not that of an IDX image file "
                                   "(3 dimensions of unsigned bytes).")
                        .arg(quoted(displayName(path))));
    }
    // Dimensions that the IDX reader rejects anyway (0, negative as int32, more than its
    // payload limit) fail here too, so that callers show the reader's more precise message.
    const std::uint64_t items = bigEndian32(head, 4);
    const std::uint64_t rows = bigEndian32(head, 8);
    const std::uint64_t columns = bigEndian32(head, 12);
    const std::uint64_t maxDim = std::uint64_t(1) << 31;
    std::uint64_t total = 0;
    const bool overflow = __builtin_mul_overflow(items, rows * columns, &total);
    if (items == 0 || rows == 0 || columns == 0 || items >= maxDim || rows >= maxDim
        || columns >= maxDim || overflow || total > kMaxIdxPayloadBytes) {
        return fail(QStringLiteral("Cannot read %1: the header declares invalid dimensions.")
                        .arg(quoted(displayName(path))));
    }
    ShapeGuess shape;
    shape.items = std::int64_t(items);
    shape.features = std::int64_t(rows * columns);
    shape.storage = StorageKind::Images;
    shape.exact = true;
    return shape;
}

Result<ShapeGuess> guessCsvShape(const QString &path, int nonFeatureColumns)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(QStringLiteral("Cannot read %1: the file could not be opened (%2).")
                        .arg(quoted(displayName(path)), file.errorString()));
    }
    const QByteArray sample = file.read(kCsvSampleBytes);
    const qsizetype firstEnd = sample.indexOf('\n');
    const QByteArray header = firstEnd < 0 ? sample : sample.left(firstEnd);
    // The delimiter is the most frequent of comma, semicolon and tab in the first line.
    const qsizetype delimiters =
        std::max({header.count(','), header.count(';'), header.count('\t')});
    ShapeGuess shape;
    shape.features = std::max<std::int64_t>(0, delimiters + 1 - nonFeatureColumns);
    const qsizetype lines = sample.count('\n');
    if (lines > 1 && firstEnd >= 0) {
        const double meanLine = double(sample.size() - firstEnd - 1) / double(lines - 1);
        shape.items = std::int64_t(double(file.size() - firstEnd - 1) / std::max(1.0, meanLine));
    } else {
        shape.items = lines;
    }
    shape.storage = StorageKind::Table;
    qCDebug(lcLimits) << "estimated" << path << "as" << shape.items << "rows of" << shape.features
                      << "features";
    return shape;
}

Result<ShapeGuess> guessImageFolderShape(const QString &folder, int maxSide)
{
    const QDir dir(folder);
    if (!dir.exists()) {
        return fail(
            QStringLiteral("Cannot read the folder %1: it does not exist.").arg(quoted(folder)));
    }
    ShapeGuess shape;
    shape.items = dir.entryList(QDir::Files | QDir::NoDotAndDotDot).size();
    const std::int64_t side = maxSide > 0 ? maxSide : 64;
    shape.features = side * side;
    shape.storage = StorageKind::Images;
    return shape;
}

} // namespace uai
