// libFuzzer target for the image folder reader. Each input is written as the only file of a
// temporary folder, which readImageFolder() then reads with its real listing and decoding. An
// input that loads is read a second time beside a 5 x 3 reference image, so that one of the two
// images is scaled to the other's size.

#include "imagefolderreader.h"

#include <QByteArray>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

QTemporaryDir *singleFolder = nullptr;
QTemporaryDir *pairedFolder = nullptr;

constexpr int kReferenceWidth = 5;
constexpr int kReferenceHeight = 3;
/// Gray values of the reference image in [0, 1], row-major.
std::vector<float> referenceGray;

/// Drops Qt's warnings about corrupt image data, which most inputs cause. Critical and fatal
/// messages still go to stderr, and so do the errors that libpng prints itself.
void dropWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

void require(bool condition, const char *problem, const QString &detail = {})
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_imagefolder: %s: %s\n", problem, qPrintable(detail));
    std::abort();
}

/// Writes the input as the file "image" of the folder.
void writeInput(const QTemporaryDir &folder, const std::uint8_t *data, size_t size)
{
    const QString path = folder.filePath(QStringLiteral("image"));
    QFile file(path);
    require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "cannot write", path);
    require(file.write(reinterpret_cast<const char *>(data), static_cast<qint64>(size))
                == static_cast<qint64>(size),
            "cannot write",
            path);
}

/// Checks what every dataset read from a folder must satisfy.
void checkDataset(const uai::Dataset &dataset, qsizetype itemCount)
{
    require(dataset.checkConsistency().isEmpty(),
            "the dataset breaks its invariants",
            dataset.checkConsistency());
    require(dataset.itemCount == itemCount,
            "unexpected item count",
            QString::number(dataset.itemCount));
    require(dataset.imageWidth >= 1 && dataset.imageWidth <= 64 && dataset.imageHeight >= 1
                && dataset.imageHeight <= 64,
            "the image size is outside 1..64",
            QStringLiteral("%1 x %2").arg(dataset.imageWidth).arg(dataset.imageHeight));
    for (const float value : dataset.features)
        require(
            value >= 0.0f && value <= 1.0f, "a pixel is outside [0, 1]", QString::number(value));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Drawing SVG text needs the fonts of a QGuiApplication, which uai-studio also has. The
    // offscreen platform needs no display.
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    qInstallMessageHandler(dropWarnings);
    static int appArgc = 1;
    static char appName[] = "fuzz_imagefolder";
    static char *appArgv[] = {appName, nullptr};
    new QGuiApplication(appArgc, appArgv);
    static QTemporaryDir single;
    static QTemporaryDir paired;
    require(single.isValid() && paired.isValid(), "no temporary folder", single.errorString());
    singleFolder = &single;
    pairedFolder = &paired;

    QImage reference(kReferenceWidth, kReferenceHeight, QImage::Format_RGB32);
    for (int y = 0; y < kReferenceHeight; ++y) {
        for (int x = 0; x < kReferenceWidth; ++x) {
            const QRgb color = qRgb(x * 60, y * 120, 255 - x * 50);
            reference.setPixel(x, y, color);
            referenceGray.push_back(static_cast<float>(qGray(color)) / 255.0f);
        }
    }
    const QString referencePath = paired.filePath(QStringLiteral("reference.png"));
    require(reference.save(referencePath, "PNG"), "cannot write", referencePath);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    writeInput(*singleFolder, data, size);
    const uai::Result<uai::Dataset> single = uai::readImageFolder(singleFolder->path());
    if (!single) {
        require(single.error().contains(singleFolder->path()),
                "the message does not name the folder",
                single.error());
        require(single.error().contains(QStringLiteral("\"image\"")),
                "the message does not name the skipped file",
                single.error());
        return 0;
    }
    checkDataset(single.value(), 1);

    // Ties in the most common size go to the larger area, so either image may be scaled.
    writeInput(*pairedFolder, data, size);
    const uai::Result<uai::Dataset> paired = uai::readImageFolder(pairedFolder->path());
    require(paired.ok(), "a decodable image fails beside the reference image", paired.error());
    const uai::Dataset &dataset = paired.value();
    checkDataset(dataset, 2);
    require(dataset.itemIds.value(1) == QStringLiteral("reference.png"),
            "the reference image is not the second item",
            dataset.itemIds.join(QStringLiteral(", ")));
    if (dataset.imageWidth == kReferenceWidth && dataset.imageHeight == kReferenceHeight) {
        const float *reference = dataset.features.data() + dataset.featureCount;
        for (size_t i = 0; i < referenceGray.size(); ++i) {
            require(reference[i] == referenceGray[i],
                    "the unscaled reference image has other gray values",
                    QString::number(i));
        }
    }
    return 0;
}
