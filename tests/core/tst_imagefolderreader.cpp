#include "imagefolderreader.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace uai;

namespace {

QString mixedFolder()
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/images-mixed-channels-sizes");
}

QString brokenFolder()
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/images-with-broken-files");
}

/// Gray (or red) level of the test images at (x, y) of an image w pixels wide.
int patternValue(int x, int y, int width)
{
    return (x * 255 / (width - 1) + y * 40) % 256;
}

/// The dataset row of one item, by id.
std::vector<float> itemRow(const Dataset &data, const QString &id)
{
    const qsizetype index = data.itemIds.indexOf(id);
    if (index < 0)
        return {};
    const auto begin = data.features.begin() + index * data.featureCount;
    return std::vector<float>(begin, begin + data.featureCount);
}

QString skipNote(const Dataset &data, const QString &fileName)
{
    const QString prefix = QStringLiteral("Skipped \"%1\": ").arg(fileName);
    for (const QString &note : data.importNotes) {
        if (note.startsWith(prefix))
            return note.mid(prefix.size());
    }
    return {};
}

bool saveImage(const QImage &image, const QString &path)
{
    return image.save(path, "PNG");
}

QImage filledImage(int width, int height, QRgb colour)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(colour);
    return image;
}

} // namespace

class tst_ImageFolderReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void grayPatternPixelExact_data();
    void grayPatternPixelExact();
    void colourImagesToLuma_data();
    void colourImagesToLuma();
    void alphaCompositedOverBlack();
    void paddedRowsNotSheared_data();
    void paddedRowsNotSheared();
    void uniformImageScaled();
    void invalidInputGivesEmpty();
    void mixedFolderLoads();
    void mixedFolderAtOddSize();
    void maxSideCapsTarget();
    void brokenFolderGoodImages();
    void brokenFolderSkipReasons_data();
    void brokenFolderSkipReasons();
    void brokenSymbolicLink();
    void mostCommonSizeTies_data();
    void mostCommonSizeTies();
    void folderErrors_data();
    void folderErrors();
    void invalidTargetSize();
};

void tst_ImageFolderReader::grayPatternPixelExact_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");

    QTest::newRow("gray 8x8") << QStringLiteral("gray-8x8.png") << 8 << 8;
    QTest::newRow("gray odd width 7x5") << QStringLiteral("gray-odd-width-7x5.png") << 7 << 5;
}

void tst_ImageFolderReader::grayPatternPixelExact()
{
    QFETCH(QString, file);
    QFETCH(int, width);
    QFETCH(int, height);

    const QImage image(mixedFolder() + QLatin1Char('/') + file);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(width, height));
    const std::vector<float> gray = imageToGrayscale(image, width, height);
    QCOMPARE(gray.size(), size_t(width * height));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const float expected = float(patternValue(x, y, width)) / 255.0f;
            QVERIFY2(gray[size_t(y * width + x)] == expected,
                     qPrintable(QStringLiteral("pixel %1,%2: %3, expected %4")
                                    .arg(x)
                                    .arg(y)
                                    .arg(gray[size_t(y * width + x)] * 255)
                                    .arg(expected * 255)));
        }
    }
}

void tst_ImageFolderReader::colourImagesToLuma_data()
{
    QTest::addColumn<QString>("file");

    QTest::newRow("RGB 8x8") << QStringLiteral("rgb-8x8.png");
    QTest::newRow("RGB odd width 7x5") << QStringLiteral("rgb-odd-width-7x5.png");
    QTest::newRow("RGB tall 3x30") << QStringLiteral("rgb-tall-3x30.png");
    QTest::newRow("palette 8x8") << QStringLiteral("palette-8x8.png");
}

void tst_ImageFolderReader::colourImagesToLuma()
{
    QFETCH(QString, file);

    const QImage image(mixedFolder() + QLatin1Char('/') + file);
    QVERIFY(!image.isNull());
    const int width = image.width();
    const int height = image.height();
    const std::vector<float> gray = imageToGrayscale(image, width, height);
    QCOMPARE(gray.size(), size_t(width * height));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const QRgb pixel = image.pixel(x, y);
            if (!file.startsWith(QLatin1String("palette")))
                QCOMPARE(qRed(pixel), patternValue(x, y, width));
            // Qt's luma weighting: (11 r + 16 g + 5 b) / 32.
            const int luma = (qRed(pixel) * 11 + qGreen(pixel) * 16 + qBlue(pixel) * 5) / 32;
            QCOMPARE(gray[size_t(y * width + x)], float(luma) / 255.0f);
        }
    }
}

void tst_ImageFolderReader::alphaCompositedOverBlack()
{
    const QImage image(mixedFolder() + QStringLiteral("/rgba-8x8.png"));
    QVERIFY(!image.isNull());
    const std::vector<float> gray = imageToGrayscale(image, 8, 8);
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x) {
            const QRgb pixel = image.pixel(x, y);
            QCOMPARE(qAlpha(pixel), 200);
            const double luma = (qRed(pixel) * 11 + qGreen(pixel) * 16 + qBlue(pixel) * 5) / 32.0;
            const double expected = luma * qAlpha(pixel) / 255.0 / 255.0;
            QVERIFY2(std::abs(gray[size_t(y * 8 + x)] - expected) <= 1.5 / 255.0,
                     qPrintable(QStringLiteral("pixel %1,%2").arg(x).arg(y)));
        }
    }

    QImage halfWhite(2, 1, QImage::Format_ARGB32);
    halfWhite.setPixel(0, 0, qRgba(255, 255, 255, 0));
    halfWhite.setPixel(1, 0, qRgba(255, 255, 255, 128));
    const std::vector<float> composite = imageToGrayscale(halfWhite, 2, 1);
    QCOMPARE(composite.at(0), 0.0f);
    QVERIFY(std::abs(composite.at(1) - 128.0f / 255.0f) <= 1.0f / 255.0f);
}

void tst_ImageFolderReader::paddedRowsNotSheared_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("width");

    QTest::newRow("grayscale 8-bit width 7") << int(QImage::Format_Grayscale8) << 7;
    QTest::newRow("RGB888 width 5") << int(QImage::Format_RGB888) << 5;
    QTest::newRow("indexed 8-bit width 3") << int(QImage::Format_Indexed8) << 3;
    QTest::newRow("ARGB32 with 12 padding bytes") << int(QImage::Format_ARGB32_Premultiplied) << 7;
}

void tst_ImageFolderReader::paddedRowsNotSheared()
{
    QFETCH(int, format);
    QFETCH(int, width);
    const int height = 4;

    // Distinct gray levels per pixel, at most 250: v(x, y) = 10 + 20 x + 40 y.
    auto level = [](int x, int y) { return 10 + 20 * x + 40 * y; };
    QImage image;
    std::vector<uchar> buffer;
    if (format == QImage::Format_ARGB32_Premultiplied) {
        const int bytesPerLine = width * 4 + 12;
        buffer.assign(size_t(bytesPerLine * height), 0xAB);
        image =
            QImage(buffer.data(), width, height, bytesPerLine, QImage::Format_ARGB32_Premultiplied);
        QCOMPARE(image.bytesPerLine(), qsizetype(bytesPerLine));
    } else {
        image = QImage(width, height, QImage::Format(format));
        if (format == QImage::Format_Indexed8) {
            QList<QRgb> table;
            for (int v = 0; v < 256; ++v)
                table.append(qRgb(v, v, v));
            image.setColorTable(table);
        }
    }
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int v = level(x, y);
            if (format == QImage::Format_Indexed8)
                image.setPixel(x, y, uint(v));
            else
                image.setPixel(x, y, qRgb(v, v, v));
        }
    }

    const std::vector<float> gray = imageToGrayscale(image, width, height);
    QCOMPARE(gray.size(), size_t(width * height));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            QCOMPARE(gray[size_t(y * width + x)], float(level(x, y)) / 255.0f);
    }
}

void tst_ImageFolderReader::uniformImageScaled()
{
    const std::vector<float> gray =
        imageToGrayscale(filledImage(16, 12, qRgb(100, 100, 100)), 8, 3);
    QCOMPARE(gray.size(), size_t(24));
    for (const float v : gray)
        QCOMPARE(v, 100.0f / 255.0f);
}

void tst_ImageFolderReader::invalidInputGivesEmpty()
{
    QVERIFY(imageToGrayscale(QImage(), 4, 4).empty());
    QVERIFY(imageToGrayscale(filledImage(2, 2, qRgb(1, 2, 3)), 0, 4).empty());
}

void tst_ImageFolderReader::mixedFolderLoads()
{
    const Result<Dataset> result = readImageFolder(mixedFolder());
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.kind, DatasetKind::Images);
    QCOMPARE(data.itemCount, 10);
    // Six of the ten images are 8x8, the most common size.
    QCOMPARE(data.imageWidth, 8);
    QCOMPARE(data.imageHeight, 8);
    QCOMPARE(data.featureCount, 64);
    QCOMPARE(data.featureNames.at(9), QStringLiteral("1,1"));
    QVERIFY(!data.hasTruth());
    QCOMPARE(data.itemIds,
             QStringList({QStringLiteral("bilevel-1bit-8x8.png"),
                          QStringLiteral("gray-8x8.png"),
                          QStringLiteral("gray-alpha-8x8.png"),
                          QStringLiteral("gray-odd-width-7x5.png"),
                          QStringLiteral("palette-8x8.png"),
                          QStringLiteral("rgb-12x9.jpg"),
                          QStringLiteral("rgb-8x8.png"),
                          QStringLiteral("rgb-odd-width-7x5.png"),
                          QStringLiteral("rgb-tall-3x30.png"),
                          QStringLiteral("rgba-8x8.png")}));
    QVERIFY(std::all_of(data.features.begin(), data.features.end(), [](float v) {
        return v >= 0.0f && v <= 1.0f;
    }));

    const std::vector<float> gray = itemRow(data, QStringLiteral("gray-8x8.png"));
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x)
            QCOMPARE(gray[size_t(y * 8 + x)], float(patternValue(x, y, 8)) / 255.0f);
    }
    const std::vector<float> bilevel = itemRow(data, QStringLiteral("bilevel-1bit-8x8.png"));
    QVERIFY(std::all_of(
        bilevel.begin(), bilevel.end(), [](float v) { return v == 0.0f || v == 1.0f; }));
    bool noteFound = false;
    for (const QString &note : data.importNotes)
        noteFound = noteFound || note.startsWith(QStringLiteral("4 images of another size"));
    QVERIFY2(noteFound, qPrintable(data.importNotes.join(QLatin1Char('\n'))));
}

void tst_ImageFolderReader::mixedFolderAtOddSize()
{
    ImageFolderOptions options;
    options.targetWidth = 7;
    options.targetHeight = 5;
    const Result<Dataset> result = readImageFolder(mixedFolder(), options);
    QVERIFY(result.ok());
    const Dataset &data = result.value();
    QCOMPARE(data.featureCount, 35);
    const std::vector<float> gray = itemRow(data, QStringLiteral("gray-odd-width-7x5.png"));
    QCOMPARE(gray.size(), size_t(35));
    for (int y = 0; y < 5; ++y) {
        for (int x = 0; x < 7; ++x)
            QCOMPARE(gray[size_t(y * 7 + x)], float(patternValue(x, y, 7)) / 255.0f);
    }
}

void tst_ImageFolderReader::maxSideCapsTarget()
{
    ImageFolderOptions options;
    options.maxSide = 4;
    const Result<Dataset> result = readImageFolder(mixedFolder(), options);
    QVERIFY(result.ok());
    QCOMPARE(result.value().imageWidth, 4);
    QCOMPARE(result.value().imageHeight, 4);
    QCOMPARE(result.value().featureCount, 16);
    QCOMPARE(result.value().checkConsistency(), QString());
}

void tst_ImageFolderReader::brokenFolderGoodImages()
{
    const Result<Dataset> result = readImageFolder(brokenFolder());
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.itemIds,
             QStringList({QStringLiteral("ok-01.png"),
                          QStringLiteral("ok-02.png"),
                          QStringLiteral("OK-03-UPPER.PNG")}));
    QVERIFY(!data.itemIds.contains(QStringLiteral("nested-ok.png")));
    QCOMPARE(data.imageWidth, 8);
}

void tst_ImageFolderReader::brokenFolderSkipReasons_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("reason");

    QTest::newRow("hidden file") << QStringLiteral(".hidden-dotfile.png")
                                 << QStringLiteral("hidden file");
    QTest::newRow("subfolder") << QStringLiteral("subdir") << QStringLiteral("subfolder");
    QTest::newRow("empty file") << QStringLiteral("empty-0-bytes.png")
                                << QStringLiteral("empty file");
    QTest::newRow("truncated header")
        << QStringLiteral("truncated-header.png") << QStringLiteral("cannot decode: ");
    QTest::newRow("truncated image data")
        << QStringLiteral("truncated-mid-idat.png") << QStringLiteral("cannot decode: ");
    QTest::newRow("text named .jpg")
        << QStringLiteral("text-file-named.jpg") << QStringLiteral("not an image");
    QTest::newRow("text file") << QStringLiteral("readme.txt") << QStringLiteral("not an image");
    // The dangling link arrives here as a plain text file with the link target in it, so it is
    // skipped as text. brokenSymbolicLink() covers a real dangling link.
    QTest::newRow("dangling link copy")
        << QStringLiteral("dangling-link.png")
        << (QFileInfo(brokenFolder() + QStringLiteral("/dangling-link.png")).isSymLink()
                ? QStringLiteral("broken symbolic link")
                : QStringLiteral("not an image"));
}

void tst_ImageFolderReader::brokenFolderSkipReasons()
{
    QFETCH(QString, file);
    QFETCH(QString, reason);

    const Result<Dataset> result = readImageFolder(brokenFolder());
    QVERIFY(result.ok());
    const QString note = skipNote(result.value(), file);
    QVERIFY2(note.startsWith(reason),
             qPrintable(QStringLiteral("reason \"%1\" in notes:\n%2")
                            .arg(note, result.value().importNotes.join(QLatin1Char('\n')))));
    QVERIFY(!result.value().itemIds.contains(file));
}

void tst_ImageFolderReader::brokenSymbolicLink()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QFile::copy(brokenFolder() + QStringLiteral("/ok-01.png"),
                        dir.filePath(QStringLiteral("a.png"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("missing.png")),
                        dir.filePath(QStringLiteral("b-dangling.png"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("a.png")),
                        dir.filePath(QStringLiteral("c-link-to-a.png"))));

    const Result<Dataset> result = readImageFolder(dir.path());
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().itemIds,
             QStringList({QStringLiteral("a.png"), QStringLiteral("c-link-to-a.png")}));
    QCOMPARE(skipNote(result.value(), QStringLiteral("b-dangling.png")),
             QStringLiteral("broken symbolic link."));
}

void tst_ImageFolderReader::mostCommonSizeTies_data()
{
    QTest::addColumn<QList<QSize>>("sizes");
    QTest::addColumn<QSize>("target");

    QTest::newRow("majority wins") << QList<QSize>{{4, 4}, {4, 4}, {9, 9}} << QSize(4, 4);
    QTest::newRow("tie goes to larger area") << QList<QSize>{{4, 4}, {6, 3}, {2, 2}} << QSize(6, 3);
    QTest::newRow("equal area goes to wider") << QList<QSize>{{4, 4}, {8, 2}} << QSize(8, 2);
    QTest::newRow("capped at max side") << QList<QSize>{{100, 10}} << QSize(64, 10);
}

void tst_ImageFolderReader::mostCommonSizeTies()
{
    QFETCH(QList<QSize>, sizes);
    QFETCH(QSize, target);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (qsizetype i = 0; i < sizes.size(); ++i) {
        const QSize size = sizes.at(i);
        QVERIFY(saveImage(filledImage(size.width(), size.height(), qRgb(50, 50, 50)),
                          dir.filePath(QStringLiteral("img%1.png").arg(i))));
    }
    const Result<Dataset> result = readImageFolder(dir.path());
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(QSize(result.value().imageWidth, result.value().imageHeight), target);
    QCOMPARE(result.value().itemCount, sizes.size());
    QCOMPARE(result.value().checkConsistency(), QString());
}

void tst_ImageFolderReader::folderErrors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("folder missing")
        << QStringLiteral("missing") << QStringLiteral("does not exist");
    QTest::newRow("path is a file") << QStringLiteral("file") << QStringLiteral("not a folder");
    QTest::newRow("empty folder") << QStringLiteral("empty") << QStringLiteral("no readable image");
    QTest::newRow("only text files") << QStringLiteral("text") << QStringLiteral("not an image");
}

void tst_ImageFolderReader::folderErrors()
{
    QFETCH(QString, setup);
    QFETCH(QString, messagePart);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString folder = dir.filePath(QStringLiteral("images"));
    if (setup == QLatin1String("file")) {
        QFile file(folder);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a folder");
    } else if (setup != QLatin1String("missing")) {
        QVERIFY(QDir().mkpath(folder));
    }
    if (setup == QLatin1String("text")) {
        QFile file(folder + QStringLiteral("/notes.png"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("plain text");
    }

    const Result<Dataset> result = readImageFolder(folder);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("\"%1\"").arg(folder)),
             qPrintable(result.error()));
    QVERIFY2(result.error().contains(messagePart), qPrintable(result.error()));
}

void tst_ImageFolderReader::invalidTargetSize()
{
    ImageFolderOptions options;
    options.targetWidth = 8;
    const Result<Dataset> result = readImageFolder(mixedFolder(), options);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("8 x 0")), qPrintable(result.error()));
}

QTEST_GUILESS_MAIN(tst_ImageFolderReader)
#include "tst_imagefolderreader.moc"
