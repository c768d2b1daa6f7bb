#include "idxreader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace uai;

namespace {

QString casePath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/") + name;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void appendBigEndian32(QByteArray &out, std::uint32_t value)
{
    out.append(char(value >> 24))
        .append(char(value >> 16))
        .append(char(value >> 8))
        .append(char(value));
}

void appendLittleEndian32(QByteArray &out, std::uint32_t value)
{
    out.append(char(value))
        .append(char(value >> 8))
        .append(char(value >> 16))
        .append(char(value >> 24));
}

/// An IDX header with the given type code and dimensions.
QByteArray idxHeader(std::uint8_t typeCode, const std::vector<std::uint32_t> &dims)
{
    QByteArray out;
    out.append(char(0)).append(char(0)).append(char(typeCode)).append(char(dims.size()));
    for (const auto dim : dims)
        appendBigEndian32(out, dim);
    return out;
}

std::uint32_t crc32Of(const QByteArray &data)
{
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= static_cast<unsigned char>(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/// One gzip member made of stored (uncompressed) deflate blocks, written by hand so the tests
/// do not depend on the compressor the reader uses.
QByteArray gzipStored(const QByteArray &data)
{
    QByteArray out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    qsizetype pos = 0;
    do {
        const qsizetype length = std::min<qsizetype>(data.size() - pos, 65535);
        const bool last = pos + length == data.size();
        out.append(char(last ? 1 : 0));
        out.append(char(length & 0xff)).append(char(length >> 8));
        out.append(char(~length & 0xff)).append(char((~length >> 8) & 0xff));
        out.append(data.mid(pos, length));
        pos += length;
    } while (pos < data.size());
    appendLittleEndian32(out, crc32Of(data));
    appendLittleEndian32(out, std::uint32_t(data.size()));
    return out;
}

QByteArray bytesOf(std::initializer_list<int> values)
{
    QByteArray out;
    for (const int v : values)
        out.append(char(v));
    return out;
}

} // namespace

class tst_IdxReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void caseFiles_data();
    void caseFiles();
    void elementTypes_data();
    void elementTypes();
    void headerErrors_data();
    void headerErrors();
    void gzipStreams_data();
    void gzipStreams();
    void plainAndGzipAgree();
    void imagePairValues();
    void imagesWithoutLabels();
    void pairCountMismatch();
    void pairWrongShapes_data();
    void pairWrongShapes();
    void missingFileNamed();
    void mnistDigits();
    void fashionMnistTrain();
};

void tst_IdxReader::caseFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<QList<int>>("dims");
    QTest::addColumn<QStringList>("messageParts");

    auto rejected = [](const char *row, const char *file, QStringList parts) {
        parts.prepend(QStringLiteral("Cannot read \"%1\"").arg(QString::fromLatin1(file)));
        QTest::newRow(row) << QString::fromLatin1(file) << false << QList<int>() << parts;
    };
    auto loads = [](const char *row, const char *file, QList<int> dims) {
        QTest::newRow(row) << QString::fromLatin1(file) << true << dims << QStringList();
    };

    rejected("dims overflow 64 bits",
             "idx-dims-overflow-u64.idx",
             {QStringLiteral("4294967295"), QStringLiteral("negative")});
    rejected("dims wrap to zero in 32 bits",
             "idx-dims-wrap-u32.idx",
             {QStringLiteral("65536 x 256 x 256"), QStringLiteral("4294967296 bytes")});
    rejected("dimension negative as int32",
             "idx-dims-negative-int32.idx",
             {QStringLiteral("2147483648"), QStringLiteral("negative")});
    rejected("zero items", "idx-zero-items.idx", {QStringLiteral("zero items")});
    rejected("truncated payload",
             "idx-truncated-payload.idx",
             {QStringLiteral("declares 640 bytes of data, the file has 300")});
    rejected("short header",
             "idx-short-header.idx",
             {QStringLiteral("cut short"), QStringLiteral("the file has 6")});
    rejected("truncated gzip stream", "idx-truncated.idx.gz", {QStringLiteral("truncated")});
    rejected("gzip checksum wrong", "idx-bad-crc.idx.gz", {QStringLiteral("incorrect data check")});
    rejected("trailing bytes",
             "idx-trailing-garbage.idx",
             {QStringLiteral("declares 640 bytes of data, the file has 676")});

    loads("plain 10 images", "idx-valid-images-10x8x8.idx", {10, 8, 8});
    loads("gzip 10 images", "idx-valid-images-10x8x8.idx.gz", {10, 8, 8});
    loads("gzip 17 images", "idx-valid-images-17x8x8.idx.gz", {17, 8, 8});
    loads("gzip 10 labels", "idx-valid-labels-10.idx.gz", {10});
    loads("gzip 17 labels", "idx-valid-labels-17.idx.gz", {17});
    loads("images of the mismatched pair", "idx-pair-count-mismatch-images.idx.gz", {10, 8, 8});
    loads("labels of the mismatched pair", "idx-pair-count-mismatch-labels.idx.gz", {9});
}

void tst_IdxReader::caseFiles()
{
    QFETCH(QString, file);
    QFETCH(bool, loads);
    QFETCH(QList<int>, dims);
    QFETCH(QStringList, messageParts);

    const Result<IdxArray> result = readIdxFile(casePath(file));
    if (!loads) {
        QVERIFY2(!result.ok(), "the file loaded but should be rejected");
        for (const QString &part : messageParts)
            QVERIFY2(result.error().contains(part), qPrintable(result.error()));
        return;
    }
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const IdxArray &array = result.value();
    QCOMPARE(array.typeCode, std::uint8_t(0x08));
    QCOMPARE(array.dims.size(), size_t(dims.size()));
    size_t product = 1;
    for (qsizetype i = 0; i < dims.size(); ++i) {
        QCOMPARE(array.dims[size_t(i)], std::uint32_t(dims.at(i)));
        product *= size_t(dims.at(i));
    }
    QCOMPARE(array.values.size(), product);
    for (const double v : array.values)
        QVERIFY(v >= 0 && v <= 255 && v == std::floor(v));
}

void tst_IdxReader::elementTypes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("typeCode");
    QTest::addColumn<QList<double>>("values");

    QTest::newRow("unsigned byte")
        << idxHeader(0x08, {3}) + bytesOf({0, 128, 255}) << 0x08 << QList<double>{0, 128, 255};
    QTest::newRow("signed byte") << idxHeader(0x09, {3}) + bytesOf({0x80, 0xff, 0x7f}) << 0x09
                                 << QList<double>{-128, -1, 127};
    QTest::newRow("16-bit integer") << idxHeader(0x0B, {2}) + bytesOf({0x01, 0x2c, 0xff, 0xfe})
                                    << 0x0B << QList<double>{300, -2};
    QTest::newRow("32-bit integer")
        << idxHeader(0x0C, {2}) + bytesOf({0xff, 0xfe, 0xee, 0x90, 0x00, 0x01, 0x00, 0x00}) << 0x0C
        << QList<double>{-70000, 65536};
    // 1.5f is 0x3FC00000 and -2.25f is 0xC0100000.
    QTest::newRow("32-bit float") << idxHeader(0x0D, {1, 2})
                                         + bytesOf({0x3f, 0xc0, 0, 0, 0xc0, 0x10, 0, 0})
                                  << 0x0D << QList<double>{1.5, -2.25};
    // 0.1 is 0x3FB999999999999A.
    QTest::newRow("64-bit float") << idxHeader(0x0E, {1})
                                         + bytesOf({0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a})
                                  << 0x0E << QList<double>{0.1};
}

void tst_IdxReader::elementTypes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, typeCode);
    QFETCH(QList<double>, values);

    const Result<IdxArray> result = parseIdx(bytes, QStringLiteral("typed.idx"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(int(result.value().typeCode), typeCode);
    QCOMPARE(result.value().values.size(), size_t(values.size()));
    for (qsizetype i = 0; i < values.size(); ++i)
        QCOMPARE(result.value().values[size_t(i)], values.at(i));
}

void tst_IdxReader::headerErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty file") << QByteArray() << QStringLiteral("too short");
    QTest::newRow("wrong magic") << QByteArray("\x01\x02\x08\x01\0\0\0\x01x", 9)
                                 << QStringLiteral("0x01 0x02");
    QTest::newRow("unknown type code")
        << idxHeader(0x07, {1}) + "x" << QStringLiteral("type code 0x07");
    QTest::newRow("zero dimensions") << idxHeader(0x08, {}) << QStringLiteral("0 dimensions");
    QTest::newRow("five dimensions")
        << idxHeader(0x08, {1, 1, 1, 1, 1}) + "x" << QStringLiteral("5 dimensions");
    QTest::newRow("zero inner dimension")
        << idxHeader(0x08, {2, 0}) << QStringLiteral("dimension 2 of the header is 0");
    QTest::newRow("product overflows 64 bits")
        << idxHeader(0x0E, {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff})
        << QStringLiteral("more than 2^64 bytes");
    QTest::newRow("payload over the limit")
        << idxHeader(0x0E, {0x10000, 0x10000}) << QStringLiteral("34359738368 bytes");
    QTest::newRow("lying count, small file")
        << idxHeader(0x08, {1000000, 28, 28}) + QByteArray(784, '\0')
        << QStringLiteral("declares 784000000 bytes of data, the file has 784");
}

void tst_IdxReader::headerErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);

    const Result<IdxArray> result = parseIdx(bytes, QStringLiteral("/data/bad.idx"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(QStringLiteral("Cannot read \"bad.idx\": ")),
             qPrintable(result.error()));
    QVERIFY2(result.error().contains(messagePart), qPrintable(result.error()));

    // The same header behind gzip is rejected for the same reason.
    const Result<IdxArray> gzipped = parseIdx(gzipStored(bytes), QStringLiteral("bad.idx.gz"));
    QVERIFY(!gzipped.ok());
    QVERIFY2(gzipped.error().contains(messagePart), qPrintable(gzipped.error()));
}

void tst_IdxReader::gzipStreams_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<QString>("messagePart");

    const QByteArray valid = idxHeader(0x08, {4}) + bytesOf({1, 2, 3, 4});
    QTest::newRow("single member") << gzipStored(valid) << true << QString();
    QTest::newRow("two members") << gzipStored(valid.left(6)) + gzipStored(valid.mid(6)) << true
                                 << QString();
    QTest::newRow("large stored stream")
        << gzipStored(idxHeader(0x08, {200000}) + QByteArray(200000, '\x07')) << true << QString();
    QTest::newRow("extra decompressed bytes")
        << gzipStored(valid + QByteArray(100000, 'z')) << false
        << QStringLiteral("declares 4 bytes of data, the file has 100004");
    QTest::newRow("short decompressed payload")
        << gzipStored(valid.left(10)) << false
        << QStringLiteral("declares 4 bytes of data, the file has 2");
    QTest::newRow("junk after the stream")
        << gzipStored(valid) + "junk" << false << QStringLiteral("4 bytes that are not gzip data");
    QTest::newRow("cut inside the stream")
        << gzipStored(valid).left(20) << false << QStringLiteral("truncated");
    QTest::newRow("cut inside the trailer")
        << gzipStored(valid).chopped(3) << false << QStringLiteral("truncated");
    QByteArray badLength = gzipStored(valid);
    badLength[badLength.size() - 1] = 1;
    QTest::newRow("wrong length in trailer") << badLength << false << QStringLiteral("corrupt");
    QTest::newRow("only the gzip magic")
        << QByteArray("\x1f\x8b", 2) << false << QStringLiteral("truncated");
}

void tst_IdxReader::gzipStreams()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, loads);
    QFETCH(QString, messagePart);

    const Result<IdxArray> result = parseIdx(bytes, QStringLiteral("stream.idx.gz"));
    if (!loads) {
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(messagePart), qPrintable(result.error()));
        return;
    }
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().dims.size(), size_t(1));
    QCOMPARE(result.value().values.size(), size_t(result.value().dims[0]));
}

void tst_IdxReader::plainAndGzipAgree()
{
    const Result<IdxArray> plain =
        readIdxFile(casePath(QStringLiteral("idx-valid-images-10x8x8.idx")));
    const Result<IdxArray> gzip =
        readIdxFile(casePath(QStringLiteral("idx-valid-images-10x8x8.idx.gz")));
    QVERIFY(plain.ok());
    QVERIFY(gzip.ok());
    QCOMPARE(plain.value().dims, gzip.value().dims);
    QCOMPARE(plain.value().values, gzip.value().values);
}

void tst_IdxReader::imagePairValues()
{
    const QString images = casePath(QStringLiteral("idx-valid-images-10x8x8.idx"));
    const QString labels = casePath(QStringLiteral("idx-valid-labels-10.idx.gz"));
    const Result<Dataset> result = readIdxDataset(images, labels);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.kind, DatasetKind::Images);
    QCOMPARE(data.itemCount, 10);
    QCOMPARE(data.featureCount, 64);
    QCOMPARE(data.imageWidth, 8);
    QCOMPARE(data.imageHeight, 8);
    QVERIFY(!data.hasTruth());
    QCOMPARE(data.featureNames.at(0), QStringLiteral("0,0"));
    QCOMPARE(data.featureNames.at(1), QStringLiteral("1,0"));
    QCOMPARE(data.featureNames.at(8), QStringLiteral("0,1"));
    QCOMPARE(data.featureNames.at(63), QStringLiteral("7,7"));
    QCOMPARE(data.itemIds.first(), QStringLiteral("index 0"));
    QCOMPARE(data.itemIds.last(), QStringLiteral("index 9"));

    // Pixels straight from the file bytes after the 16-byte header.
    const QByteArray raw = readAll(images);
    QCOMPARE(raw.size(), 16 + 640);
    for (int i = 0; i < 640; ++i) {
        const float expected = float(static_cast<unsigned char>(raw[16 + i]) / 255.0);
        QCOMPARE(data.features[size_t(i)], expected);
    }

    // Labels straight from the decompressed label file (8-byte header).
    const Result<IdxArray> labelArray = readIdxFile(labels);
    QVERIFY(labelArray.ok());
    int maxLabel = 0;
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(data.classes[size_t(i)], int(labelArray.value().values[size_t(i)]));
        maxLabel = std::max(maxLabel, data.classes[size_t(i)]);
    }
    QCOMPARE(data.classNames.size(), maxLabel + 1);
    QCOMPARE(data.classNames.first(), QStringLiteral("0"));
    QCOMPARE(data.classNames.last(), QString::number(maxLabel));
}

void tst_IdxReader::imagesWithoutLabels()
{
    const Result<Dataset> result =
        readIdxDataset(casePath(QStringLiteral("idx-valid-images-17x8x8.idx.gz")), QString());
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    QCOMPARE(result.value().itemCount, 17);
    QVERIFY(!result.value().hasClasses());
    QVERIFY(result.value().classNames.isEmpty());
    QCOMPARE(result.value().checkConsistency(), QString());
}

void tst_IdxReader::pairCountMismatch()
{
    const Result<Dataset> result =
        readIdxDataset(casePath(QStringLiteral("idx-pair-count-mismatch-images.idx.gz")),
                       casePath(QStringLiteral("idx-pair-count-mismatch-labels.idx.gz")));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(QStringLiteral("10 images but 9 labels")),
             qPrintable(result.error()));
    QVERIFY2(result.error().contains(QStringLiteral("\"idx-pair-count-mismatch-labels.idx.gz\"")),
             qPrintable(result.error()));
}

void tst_IdxReader::pairWrongShapes_data()
{
    QTest::addColumn<QString>("images");
    QTest::addColumn<QString>("labels");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("labels given as images")
        << QStringLiteral("idx-valid-labels-10.idx.gz")
        << QStringLiteral("idx-valid-labels-10.idx.gz") << QStringLiteral("3 dimensions");
    QTest::newRow("images given as labels")
        << QStringLiteral("idx-valid-images-10x8x8.idx.gz")
        << QStringLiteral("idx-valid-images-10x8x8.idx") << QStringLiteral("1 dimension");
    QTest::newRow("damaged label file")
        << QStringLiteral("idx-valid-images-10x8x8.idx.gz") << QStringLiteral("idx-bad-crc.idx.gz")
        << QStringLiteral("\"idx-bad-crc.idx.gz\"");
}

void tst_IdxReader::pairWrongShapes()
{
    QFETCH(QString, images);
    QFETCH(QString, labels);
    QFETCH(QString, messagePart);

    const Result<Dataset> result = readIdxDataset(casePath(images), casePath(labels));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(messagePart), qPrintable(result.error()));
}

void tst_IdxReader::missingFileNamed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<Dataset> result =
        readIdxDataset(dir.filePath(QStringLiteral("none.idx")), QString());
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(QStringLiteral("Cannot read \"none.idx\"")),
             qPrintable(result.error()));
}

void tst_IdxReader::mnistDigits()
{
    const QString folder = QStringLiteral(UAI_SHARED_DIR "/data/mnist10k/");
    const Result<Dataset> result =
        readIdxDataset(folder + QStringLiteral("t10k-images-idx3-ubyte.gz"),
                       folder + QStringLiteral("t10k-labels-idx1-ubyte.gz"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    const Dataset &data = result.value();
    QCOMPARE(data.checkConsistency(), QString());
    QCOMPARE(data.itemCount, 10000);
    QCOMPARE(data.featureCount, 784);
    QCOMPARE(data.imageWidth, 28);
    QCOMPARE(data.classNames.size(), 10);

    // Digit counts and the sorted order documented with the data.
    const std::array<int, 10> expectedCounts = {
        1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
    std::array<int, 10> counts{};
    for (const auto c : data.classes)
        ++counts[size_t(c)];
    for (size_t d = 0; d < 10; ++d)
        QCOMPARE(counts[d], expectedCounts[d]);
    QCOMPARE(data.classes[1000], 0);
    QCOMPARE(data.classes[1001], 1);
    QCOMPARE(data.classes[9999], 9);

    double sum = 0;
    for (const float v : data.features)
        sum += v;
    QVERIFY(std::abs(sum / double(data.features.size()) - 0.131) < 0.001);
}

void tst_IdxReader::fashionMnistTrain()
{
    const QString folder = QStringLiteral("/usr/share/datasets/fashion-mnist/");
    const QString images = folder + QStringLiteral("train-images-idx3-ubyte.gz");
    const QString labels = folder + QStringLiteral("train-labels-idx1-ubyte.gz");
    if (!QFileInfo::exists(images) || !QFileInfo::exists(labels))
        QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");

    QElapsedTimer timer;
    timer.start();
    const Result<Dataset> result = readIdxDataset(images, labels);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error()));
    qInfo("Fashion-MNIST train read in %lld ms", static_cast<long long>(elapsed));

    const Dataset &data = result.value();
    QCOMPARE(data.itemCount, 60000);
    QCOMPARE(data.featureCount, 784);
    std::array<int, 10> counts{};
    for (const auto c : data.classes)
        ++counts[size_t(c)];
    for (const int count : counts)
        QCOMPARE(count, 6000);
    QCOMPARE(data.checkConsistency(), QString());
}

QTEST_GUILESS_MAIN(tst_IdxReader)
#include "tst_idxreader.moc"
