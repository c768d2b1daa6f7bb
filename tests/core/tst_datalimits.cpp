#include "datalimits.h"

#include "activeloop.h"
#include "csvreader.h"
#include "imagefolderreader.h"
#include "torchruntime.h"

#include <QDataStream>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace uai;

namespace {

const QString kCases = QStringLiteral(UAI_SHARED_DIR "/cases");

/// A table of the given shape with values that vary, so no column is constant.
std::shared_ptr<const Dataset> makeTable(int items, int features, int classes)
{
    auto data = std::make_shared<Dataset>();
    data->name = QStringLiteral("shape");
    data->itemCount = items;
    data->featureCount = features;
    for (int i = 0; i < items; ++i) {
        for (int j = 0; j < features; ++j)
            data->features.push_back(float((i * 7 + j * 3) % 11) / 11.0f);
        data->itemIds.append(QStringLiteral("item %1").arg(i));
        if (classes > 0)
            data->classes.push_back(i % classes);
    }
    for (int j = 0; j < features; ++j)
        data->featureNames.append(QStringLiteral("f%1").arg(j));
    for (int c = 0; c < classes; ++c)
        data->classNames.append(QString::number(c));
    return data;
}

/// Counts the parameters in a saved loop state: after a 17-byte header (magic, version, round
/// count, pretrained flag, tensor count), each tensor has an 8-byte length and its floats, and
/// the state holds every parameter tensor and one RMSprop accumulator of the same size.
qint64 parametersInState(const QByteArray &state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint32 version = 0;
    qint32 rounds = 0;
    bool pretrained = false;
    quint32 extraScores = 0;
    quint32 tensors = 0;
    in >> magic >> version >> rounds >> pretrained;
    // Version 3 states give the number of extra scores the UAI layer reads before the tensors.
    if (version >= 3)
        in >> extraScores;
    in >> tensors;
    // Each tensor is its value count and the floats; the weights come first, then as many
    // optimiser accumulators of the same sizes.
    qint64 floats = 0;
    for (quint32 i = 0; i < tensors; ++i) {
        qint64 count = 0;
        in >> count;
        in.skipRawData(static_cast<int>(count * 4));
        floats += count;
    }
    return floats / 2;
}

} // namespace

class tst_DataLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shapeChecked_data();
    void shapeChecked();
    void parameterCountMatchesNetwork_data();
    void parameterCountMatchesNetwork();
    void parameterCountByHand();
    void estimateCountsEveryPart();
    void idxShapeFromHeader_data();
    void idxShapeFromHeader();
    void csvShapeFromSample();
    void imageFolderShapeCountsFiles();
    void oversizedImageSkippedBeforeDecoding();
    void csvWithTooManyColumnsRejected();
    void availableMemoryKnownOnLinux();
    void bytesFormatted_data();
    void bytesFormatted();
};

void tst_DataLimits::initTestCase()
{
    configureTorchThreads(1);
}

void tst_DataLimits::shapeChecked_data()
{
    QTest::addColumn<qint64>("items");
    QTest::addColumn<qint64>("features");
    QTest::addColumn<QString>("expectedText");
    QTest::newRow("Fashion-MNIST accepted") << qint64(60000) << qint64(784) << QString();
    QTest::newRow("feature limit accepted") << qint64(1) << qint64(kMaxFeatureCount) << QString();
    QTest::newRow("value limit accepted")
        << qint64(kMaxDatasetValues / 1024) << qint64(1024) << QString();
    QTest::newRow("one item past the value limit rejected")
        << qint64(kMaxDatasetValues / 1024 + 1) << qint64(1024)
        << QStringLiteral("1048577 items x 1024 features");
    QTest::newRow("too many features rejected")
        << qint64(1) << qint64(kMaxFeatureCount + 1) << QStringLiteral("65537 features per item");
}

void tst_DataLimits::shapeChecked()
{
    QFETCH(qint64, items);
    QFETCH(qint64, features);
    QFETCH(QString, expectedText);
    const Status status = checkDatasetShape(items, features, QStringLiteral("/tmp/big.csv"));
    QCOMPARE(status.ok(), expectedText.isEmpty());
    if (expectedText.isEmpty())
        return;
    QVERIFY2(status.error().contains(expectedText), qPrintable(status.error()));
    QVERIFY2(status.error().contains(QLatin1String("\"big.csv\"")), qPrintable(status.error()));
}

void tst_DataLimits::parameterCountMatchesNetwork_data()
{
    QTest::addColumn<int>("features");
    QTest::addColumn<int>("classes");
    QTest::addColumn<bool>("classifier");
    QTest::addColumn<bool>("isolationScore");
    QTest::newRow("autoencoder, 5 features") << 5 << 0 << false << false;
    QTest::newRow("autoencoder, 64 pixels") << 64 << 0 << false << false;
    QTest::newRow("classifier, 3 classes") << 7 << 3 << true << false;
    QTest::newRow("autoencoder, isolation-forest score") << 5 << 0 << false << true;
}

void tst_DataLimits::parameterCountMatchesNetwork()
{
    QFETCH(int, features);
    QFETCH(int, classes);
    QFETCH(bool, classifier);
    QFETCH(bool, isolationScore);
    LoopSettings settings;
    settings.hiddenSizes = {12, 6, 2};
    if (isolationScore)
        settings.extraScore = ExtraScore::IsolationForest;
    settings.model = classifier ? ModelKind::Classifier : ModelKind::Autoencoder;
    auto created = ActiveLoop::create(makeTable(10, features, classes), settings);
    QVERIFY2(created.ok(), qPrintable(created.error()));
    const qint64 actual = parametersInState(created.value()->saveState());
    QCOMPARE(qint64(networkParameterCount(features, settings, classes)), actual);
}

void tst_DataLimits::parameterCountByHand()
{
    // Default sizes 256, 64, 8 on 784 pixels: encoder 784*256+256 + 256*64+64 + 64*8+8,
    // decoder 8*64+64 + 64*256+256 + 256*784+784, UAI layer 9*1+1.
    const std::uint64_t expected = (784 * 256 + 256) + (256 * 64 + 64) + (64 * 8 + 8)
                                   + (8 * 64 + 64) + (64 * 256 + 256) + (256 * 784 + 784) + (9 + 1);
    QCOMPARE(networkParameterCount(784, LoopSettings()), expected);
    QCOMPARE(networkParameterCount(0, LoopSettings()), std::uint64_t(0));
}

void tst_DataLimits::estimateCountsEveryPart()
{
    const LoopSettings settings;
    const MemoryEstimate images = estimateMemory(60000, 784, settings, StorageKind::Images);
    QVERIFY(images.datasetBytes >= std::uint64_t(60000) * 784 * 4);
    QCOMPARE(images.loadingBytes, std::uint64_t(60000) * 784);
    QCOMPARE(images.modelBytes, networkParameterCount(784, settings) * 4 * 5);
    QVERIFY(images.trainingBytes > std::uint64_t(60000) * 10 * 4);
    QCOMPARE(images.totalBytes(),
             images.datasetBytes + images.loadingBytes + images.modelBytes + images.trainingBytes);

    const MemoryEstimate table = estimateMemory(60000, 784, settings, StorageKind::Table);
    QVERIFY(table.loadingBytes > images.loadingBytes);
    const MemoryEstimate twice = estimateMemory(120000, 784, settings, StorageKind::Images);
    QVERIFY(twice.totalBytes() > images.totalBytes());
    QCOMPARE(estimateMemory(0, 0, settings, StorageKind::Table).totalBytes(), std::uint64_t(0));
}

void tst_DataLimits::idxShapeFromHeader_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<qint64>("items");
    QTest::addColumn<qint64>("features");
    QTest::newRow("plain IDX") << QStringLiteral("idx-valid-images-10x8x8.idx") << qint64(10)
                               << qint64(64);
    QTest::newRow("gzip IDX") << QStringLiteral("idx-valid-images-17x8x8.idx.gz") << qint64(17)
                              << qint64(64);
    QTest::newRow("truncated payload, header intact")
        << QStringLiteral("idx-truncated-payload.idx") << qint64(10) << qint64(64);
    QTest::newRow("label file rejected")
        << QStringLiteral("idx-valid-labels-10.idx.gz") << qint64(-1) << qint64(-1);
    QTest::newRow("short header rejected")
        << QStringLiteral("idx-short-header.idx") << qint64(-1) << qint64(-1);
    QTest::newRow("negative dimension rejected")
        << QStringLiteral("idx-dims-negative-int32.idx") << qint64(-1) << qint64(-1);
    QTest::newRow("zero items rejected")
        << QStringLiteral("idx-zero-items.idx") << qint64(-1) << qint64(-1);
    QTest::newRow("wrapping dimensions rejected")
        << QStringLiteral("idx-dims-wrap-u32.idx") << qint64(-1) << qint64(-1);
}

void tst_DataLimits::idxShapeFromHeader()
{
    QFETCH(QString, file);
    QFETCH(qint64, items);
    QFETCH(qint64, features);
    const Result<ShapeGuess> shape = readIdxShape(kCases + QLatin1Char('/') + file);
    QCOMPARE(shape.ok(), items >= 0);
    if (!shape.ok()) {
        QVERIFY2(shape.error().contains(file), qPrintable(shape.error()));
        return;
    }
    QCOMPARE(qint64(shape.value().items), items);
    QCOMPARE(qint64(shape.value().features), features);
    QVERIFY(shape.value().exact);
}

void tst_DataLimits::csvShapeFromSample()
{
    // 2000 rows of 32 features and a label column.
    const Result<ShapeGuess> shape =
        guessCsvShape(kCases + QStringLiteral("/csv-medium-2000x32.csv"), 1);
    QVERIFY2(shape.ok(), qPrintable(shape.error()));
    QCOMPARE(qint64(shape.value().features), qint64(32));
    QVERIFY2(std::abs(shape.value().items - 2000) <= 100,
             qPrintable(QString::number(shape.value().items)));
    QVERIFY(!shape.value().exact);
}

void tst_DataLimits::imageFolderShapeCountsFiles()
{
    // Nine regular files that are not hidden: three images and six broken entries (the copy
    // holds the dangling link as a small text file).
    const Result<ShapeGuess> shape =
        guessImageFolderShape(kCases + QStringLiteral("/images-with-broken-files"), 64);
    QVERIFY2(shape.ok(), qPrintable(shape.error()));
    QCOMPARE(qint64(shape.value().items), qint64(9));
    QCOMPARE(qint64(shape.value().features), qint64(64 * 64));
}

void tst_DataLimits::oversizedImageSkippedBeforeDecoding()
{
    // A PGM header declaring 9000 x 9000 pixels (81 megapixels) with no pixel data: only the
    // header is read, so the image is skipped by its size, not as a truncated file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile huge(dir.filePath(QStringLiteral("huge.pgm")));
    QVERIFY(huge.open(QIODevice::WriteOnly));
    QVERIFY(huge.write("P5\n9000 9000\n255\n\x01\x02\x03") > 0);
    huge.close();
    QVERIFY(QFile::copy(kCases + QStringLiteral("/images-with-broken-files/ok-01.png"),
                        dir.filePath(QStringLiteral("ok-01.png"))));

    const Result<Dataset> loaded = readImageFolder(dir.path());
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(loaded.value().itemCount, qsizetype(1));
    const QStringList skipped = loaded.value().importNotes.filter(QStringLiteral("huge.pgm"));
    QCOMPARE(skipped.size(), qsizetype(1));
    QVERIFY2(skipped.first().contains(QLatin1String("9000 x 9000 pixels, more than the limit of "
                                                    "64 megapixels")),
             qPrintable(skipped.first()));
}

void tst_DataLimits::csvWithTooManyColumnsRejected()
{
    QByteArray header;
    QByteArray row;
    for (qint64 j = 0; j <= kMaxFeatureCount; ++j) {
        header += "c" + QByteArray::number(j) + ',';
        row += "1,";
    }
    header += "label\n";
    row += "0\n";
    const Result<Dataset> parsed = parseCsv(header + row, QStringLiteral("wide.csv"));
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().contains(QLatin1String("65537 features per item")),
             qPrintable(parsed.error()));
    QVERIFY2(parsed.error().contains(QLatin1String("\"wide.csv\"")), qPrintable(parsed.error()));
}

void tst_DataLimits::availableMemoryKnownOnLinux()
{
    const std::optional<std::uint64_t> available = availableMemoryBytes();
    QVERIFY(available.has_value());
    QVERIFY(*available > 0);
}

void tst_DataLimits::bytesFormatted_data()
{
    QTest::addColumn<quint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("kibibytes round up") << quint64(1500) << QStringLiteral("2 KiB");
    QTest::newRow("mebibytes") << quint64(512) * 1024 * 1024 << QStringLiteral("512 MiB");
    QTest::newRow("gibibytes") << quint64(3) * 1024 * 1024 * 1024 + quint64(100) * 1024 * 1024
                               << QStringLiteral("3.1 GiB");
}

void tst_DataLimits::bytesFormatted()
{
    QFETCH(quint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(formatBytes(bytes), text);
}

QTEST_GUILESS_MAIN(tst_DataLimits)
#include "tst_datalimits.moc"
