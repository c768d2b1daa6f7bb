#include "imagefolderreader.h"

#include "datalimits.h"

#include <QDir>
#include <QFileInfo>
#include <QImageReader>

#include <algorithm>
#include <map>
#include <utility>

namespace uai {

namespace {

/// Largest decoded image, in bytes, kept in memory until the target size is known. Larger
/// images are decoded a second time, so a folder of photos needs little memory.
constexpr qsizetype kKeepDecodedBytes = qsizetype(1) << 20;

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

/// One readable image of the folder.
struct ImageEntry {
    QString name;
    QString path;
    QSize size;
    QImage image; ///< Null when it was too large to keep; decoded again when converting.
};

/// Decodes one file. Returns the image, or a null image and the reason it cannot be used.
std::pair<QImage, QString> decodeImage(const QString &path)
{
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    reader.setAllocationLimit(kImageAllocationLimitMiB);
    if (reader.format().isEmpty() || !reader.canRead())
        return {QImage(), QStringLiteral("not an image")};
    // The size comes from the header, so an oversized image is skipped before decoding.
    const QSize size = reader.size();
    if (size.isValid() && qint64(size.width()) * size.height() > kMaxImagePixels) {
        return {QImage(),
                QStringLiteral("%1 x %2 pixels, more than the limit of %3 megapixels; scale it "
                               "down first")
                    .arg(size.width())
                    .arg(size.height())
                    .arg(kMaxImagePixels >> 20)};
    }
    QImage image = reader.read();
    if (image.isNull())
        return {QImage(), QStringLiteral("cannot decode: %1").arg(reader.errorString())};
    return {image, QString()};
}

/// Returns why a folder entry is not read as an image, or an empty string if it should be
/// tried. Checks the cheap facts (name, type, size) before opening the file.
QString skipReason(const QFileInfo &entry)
{
    if (entry.fileName().startsWith(QLatin1Char('.')))
        return entry.isDir() ? QStringLiteral("hidden folder") : QStringLiteral("hidden file");
    if (entry.isSymLink() && !entry.exists())
        return QStringLiteral("broken symbolic link");
    if (entry.isDir())
        return QStringLiteral("subfolder; subfolders are not searched");
    if (!entry.isFile())
        return QStringLiteral("not a regular file");
    if (!entry.isReadable())
        return QStringLiteral("no read permission");
    if (entry.size() == 0)
        return QStringLiteral("empty file");
    return {};
}

/// Most common size; ties go to the larger area, then the larger width.
QSize mostCommonSize(const std::vector<ImageEntry> &entries)
{
    std::map<std::pair<int, int>, int> counts;
    for (const ImageEntry &entry : entries)
        ++counts[{entry.size.width(), entry.size.height()}];
    QSize best;
    int bestCount = 0;
    for (const auto &[size, count] : counts) {
        const QSize candidate(size.first, size.second);
        const qint64 area = qint64(candidate.width()) * candidate.height();
        const qint64 bestArea = qint64(best.width()) * best.height();
        const bool better =
            count > bestCount
            || (count == bestCount
                && (area > bestArea || (area == bestArea && candidate.width() > best.width())));
        if (better) {
            best = candidate;
            bestCount = count;
        }
    }
    return best;
}

QString sizeText(QSize size)
{
    return QStringLiteral("%1 x %2").arg(size.width()).arg(size.height());
}

} // namespace

std::vector<float> imageToGrayscale(const QImage &image, int width, int height)
{
    if (image.isNull() || width <= 0 || height <= 0)
        return {};

    // Premultiplying composites every pixel over black. Scaling premultiplied colours also keeps
    // transparent pixels from bleeding their colour into their neighbours.
    QImage argb = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    if (argb.width() != width || argb.height() != height) {
        argb = argb.scaled(width, height, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                   .convertToFormat(QImage::Format_ARGB32_Premultiplied);
    }

    std::vector<float> gray(static_cast<size_t>(width) * static_cast<size_t>(height));
    for (int y = 0; y < height; ++y) {
        // Rows are read through scanLine because bytesPerLine may exceed width * 4.
        const auto *row = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        float *out = gray.data() + static_cast<size_t>(y) * static_cast<size_t>(width);
        for (int x = 0; x < width; ++x)
            out[x] = static_cast<float>(qGray(row[x])) / 255.0f;
    }
    return gray;
}

Result<Dataset> readImageFolder(const QString &folder, const ImageFolderOptions &options)
{
    const QFileInfo folderInfo(folder);
    if (!folderInfo.exists()) {
        return fail(QStringLiteral("Cannot read the folder %1: it does not exist. Choose an "
                                   "existing folder of images.")
                        .arg(quoted(folder)));
    }
    if (!folderInfo.isDir()) {
        return fail(QStringLiteral("Cannot read the folder %1: it is a file, not a folder. "
                                   "Choose the folder that contains the images.")
                        .arg(quoted(folder)));
    }
    if ((options.targetWidth > 0) != (options.targetHeight > 0) || options.targetWidth < 0
        || options.targetHeight < 0) {
        return fail(
            QStringLiteral("Cannot read the folder %1: the target size %2 is invalid. "
                           "Set both width and height, or neither.")
                .arg(quoted(folder),
                     QStringLiteral("%1 x %2").arg(options.targetWidth).arg(options.targetHeight)));
    }

    QDir dir(folder);
    QFileInfoList listing = dir.entryInfoList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::NoSort);
    // Case-insensitive order, then case-sensitive for names that differ only in case, so the
    // item order does not depend on the locale.
    std::sort(listing.begin(), listing.end(), [](const QFileInfo &a, const QFileInfo &b) {
        const int order = a.fileName().compare(b.fileName(), Qt::CaseInsensitive);
        return order != 0 ? order < 0 : a.fileName() < b.fileName();
    });

    Dataset dataset;
    QStringList skipped;
    std::vector<ImageEntry> entries;
    for (const QFileInfo &info : std::as_const(listing)) {
        QString reason = skipReason(info);
        if (reason.isEmpty()) {
            auto [image, decodeProblem] = decodeImage(info.filePath());
            reason = decodeProblem;
            if (reason.isEmpty()) {
                const QSize size = image.size();
                if (image.sizeInBytes() > kKeepDecodedBytes)
                    image = QImage();
                entries.push_back({info.fileName(), info.filePath(), size, std::move(image)});
            }
        }
        if (!reason.isEmpty())
            skipped.append(QStringLiteral("Skipped %1: %2.").arg(quoted(info.fileName()), reason));
    }

    if (entries.empty()) {
        return fail(QStringLiteral("Cannot read the folder %1: it contains no readable image "
                                   "(%2 entries checked). Choose a folder with PNG, JPEG or other "
                                   "image files directly inside it. %3")
                        .arg(quoted(folder),
                             QString::number(listing.size()),
                             skipped.mid(0, 5).join(QLatin1Char(' ')))
                        .trimmed());
    }

    QSize target(options.targetWidth, options.targetHeight);
    if (target.width() == 0)
        target = mostCommonSize(entries);
    if (options.maxSide > 0) {
        target = QSize(std::min(target.width(), options.maxSide),
                       std::min(target.height(), options.maxSide));
    }

    const qsizetype pixelCount = qsizetype(target.width()) * target.height();
    if (const Status shape =
            checkDatasetShape(static_cast<qsizetype>(entries.size()), pixelCount, folder);
        !shape.ok()) {
        return fail(shape.error());
    }
    dataset.features.reserve(entries.size() * static_cast<size_t>(pixelCount));
    qsizetype scaledCount = 0;
    for (ImageEntry &entry : entries) {
        if (entry.image.isNull()) {
            auto [image, reason] = decodeImage(entry.path);
            if (image.isNull()) {
                skipped.append(QStringLiteral("Skipped %1: %2.").arg(quoted(entry.name), reason));
                continue;
            }
            entry.image = std::move(image);
        }
        const std::vector<float> gray =
            imageToGrayscale(entry.image, target.width(), target.height());
        entry.image = QImage();
        dataset.features.insert(dataset.features.end(), gray.begin(), gray.end());
        dataset.itemIds.append(entry.name);
        if (entry.size != target)
            ++scaledCount;
    }

    dataset.name = dir.dirName();
    dataset.source = folder;
    dataset.kind = DatasetKind::Images;
    dataset.itemCount = dataset.itemIds.size();
    dataset.featureCount = pixelCount;
    dataset.imageWidth = target.width();
    dataset.imageHeight = target.height();
    dataset.featureNames.reserve(pixelCount);
    for (int y = 0; y < target.height(); ++y) {
        for (int x = 0; x < target.width(); ++x)
            dataset.featureNames.append(QStringLiteral("%1,%2").arg(x).arg(y));
    }

    dataset.importNotes.append(
        QStringLiteral("Read %1 images from %2 as 8-bit luma (alpha composited over black), "
                       "%3 pixels each.")
            .arg(QString::number(dataset.itemCount), quoted(folder), sizeText(target)));
    if (scaledCount > 0) {
        dataset.importNotes.append(QStringLiteral("%1 images of another size were scaled to %2 "
                                                  "with smooth filtering, ignoring their aspect "
                                                  "ratio.")
                                       .arg(QString::number(scaledCount), sizeText(target)));
    }
    dataset.importNotes.append(skipped);
    if (dataset.itemCount == 0) {
        return fail(QStringLiteral("Cannot read the folder %1: no image could be decoded. %2")
                        .arg(quoted(folder), skipped.join(QLatin1Char(' '))));
    }
    return dataset;
}

} // namespace uai
