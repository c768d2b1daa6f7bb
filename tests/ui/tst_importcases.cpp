#include "importdialog.h"

#include "datalimits.h"
#include "dataset.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <vector>

using namespace uai;

namespace {

const QString kCases = QStringLiteral(UAI_SHARED_DIR "/cases");

/// What opening one case file in the import dialog must show.
struct DialogCase {
    const char *name;
    QString file; ///< Relative to the cases folder.
    bool median;  ///< Choose "Replace by the column median" for bad cells.
    /// For a rejected file, texts the error must contain; empty when the file loads.
    QStringList errorParts;
    qsizetype items;
    qsizetype features;
    qsizetype anomalies; ///< -1 when the data has no ground truth.
};

const std::vector<DialogCase> &dialogCases()
{
    static const std::vector<DialogCase> cases = {
        {"cases readme is not a table",
         QStringLiteral("README.md"),
         false,
         {QStringLiteral("\"README.md\""), QStringLiteral("fields, expected 1")},
         0,
         0,
         0},
        {"empty file rejected",
         QStringLiteral("csv-empty-0-bytes.csv"),
         false,
         {QStringLiteral("\"csv-empty-0-bytes.csv\""), QStringLiteral("the file is empty")},
         0,
         0,
         0},
        {"header only rejected",
         QStringLiteral("csv-header-only.csv"),
         false,
         {QStringLiteral("\"csv-header-only.csv\""), QStringLiteral("no data rows")},
         0,
         0,
         0},
        {"label column only rejected",
         QStringLiteral("csv-label-column-only.csv"),
         false,
         {QStringLiteral("\"csv-label-column-only.csv\""), QStringLiteral("no feature columns")},
         0,
         0,
         0},
        {"ragged rows rejected",
         QStringLiteral("csv-ragged-rows.csv"),
         false,
         {QStringLiteral("\"csv-ragged-rows.csv\""),
          QStringLiteral("line 4 has 3 fields, expected 4"),
          QStringLiteral("line 6 is blank"),
          QStringLiteral("line 7 has 5 fields, expected 4")},
         0,
         0,
         0},
        {"missing tokens rejected",
         QStringLiteral("csv-missing-tokens.csv"),
         false,
         {QStringLiteral("\"csv-missing-tokens.csv\""),
          QStringLiteral("8 feature cells"),
          QStringLiteral("line 3, column \"b\": \"\" (empty)")},
         0,
         0,
         0},
        {"missing tokens imputed, empty label rejected",
         QStringLiteral("csv-missing-tokens.csv"),
         true,
         {QStringLiteral("\"csv-missing-tokens.csv\""),
          QStringLiteral("line 13, column \"label\"")},
         0,
         0,
         0},
        {"non-finite cells rejected",
         QStringLiteral("csv-nonfinite-and-overflow.csv"),
         false,
         {QStringLiteral("\"csv-nonfinite-and-overflow.csv\""),
          QStringLiteral("8 feature cells"),
          QStringLiteral("\"1e308\" (beyond the 32-bit float range)")},
         0,
         0,
         0},
        {"non-finite cells imputed",
         QStringLiteral("csv-nonfinite-and-overflow.csv"),
         true,
         {},
         12,
         3,
         0},
        {"huge-scale column loads",
         QStringLiteral("csv-huge-scale-column.csv"),
         false,
         {},
         200,
         3,
         2},
        {"medium table loads", QStringLiteral("csv-medium-2000x32.csv"), false, {}, 2000, 32, 20},
        {"single feature loads without truth",
         QStringLiteral("csv-single-feature.csv"),
         false,
         {},
         50,
         1,
         -1},
        {"single row loads", QStringLiteral("csv-single-row.csv"), false, {}, 1, 3, 0},
        {"two rows load", QStringLiteral("csv-two-rows.csv"), false, {}, 2, 3, 1},
        {"byte-order mark, label first",
         QStringLiteral("csv-utf8-bom-label-first.csv"),
         false,
         {},
         12,
         3,
         2},
        {"byte-order mark, CRLF, quoted header",
         QStringLiteral("csv-utf8-bom-crlf-quoted-header.csv"),
         false,
         {},
         10,
         3,
         1},
        {"wide table loads", QStringLiteral("csv-wide-4rows-5000cols.csv"), false, {}, 4, 5000, 1},
        {"17 rows load", QStringLiteral("csv-rows-17.csv"), false, {}, 17, 4, 1},
        {"18 rows load", QStringLiteral("csv-rows-18.csv"), false, {}, 18, 4, 1},
        {"33 rows load", QStringLiteral("csv-rows-33.csv"), false, {}, 33, 4, 1},
        {"65 rows load", QStringLiteral("csv-rows-65.csv"), false, {}, 65, 4, 1},
        {"129 rows load", QStringLiteral("csv-rows-129.csv"), false, {}, 129, 4, 1},
        {"five rows load", QStringLiteral("csv-tiny-5-rows.csv"), false, {}, 5, 3, 1},
        {"gzip with bad CRC rejected",
         QStringLiteral("idx-bad-crc.idx.gz"),
         false,
         {QStringLiteral("\"idx-bad-crc.idx.gz\""), QStringLiteral("corrupt")},
         0,
         0,
         0},
        {"negative dimension rejected",
         QStringLiteral("idx-dims-negative-int32.idx"),
         false,
         {QStringLiteral("\"idx-dims-negative-int32.idx\""),
          QStringLiteral("dimension 1 of the header is 2147483648")},
         0,
         0,
         0},
        {"dimensions overflowing 64 bits rejected",
         QStringLiteral("idx-dims-overflow-u64.idx"),
         false,
         {QStringLiteral("\"idx-dims-overflow-u64.idx\""), QStringLiteral("4294967295")},
         0,
         0,
         0},
        {"dimensions wrapping 32 bits rejected",
         QStringLiteral("idx-dims-wrap-u32.idx"),
         false,
         {QStringLiteral("\"idx-dims-wrap-u32.idx\""), QStringLiteral("65536 x 256 x 256")},
         0,
         0,
         0},
        {"pair images without labels load",
         QStringLiteral("idx-pair-count-mismatch-images.idx.gz"),
         false,
         {},
         10,
         64,
         -1},
        {"pair labels as images rejected",
         QStringLiteral("idx-pair-count-mismatch-labels.idx.gz"),
         false,
         {QStringLiteral("\"idx-pair-count-mismatch-labels.idx.gz\""),
          QStringLiteral("needs 3 dimensions")},
         0,
         0,
         0},
        {"short header rejected",
         QStringLiteral("idx-short-header.idx"),
         false,
         {QStringLiteral("\"idx-short-header.idx\""), QStringLiteral("the file has 6")},
         0,
         0,
         0},
        {"trailing garbage rejected",
         QStringLiteral("idx-trailing-garbage.idx"),
         false,
         {QStringLiteral("\"idx-trailing-garbage.idx\""),
          QStringLiteral("declares 640 bytes of data, the file has 676")},
         0,
         0,
         0},
        {"truncated payload rejected",
         QStringLiteral("idx-truncated-payload.idx"),
         false,
         {QStringLiteral("\"idx-truncated-payload.idx\""),
          QStringLiteral("declares 640 bytes of data, the file has 300")},
         0,
         0,
         0},
        {"truncated gzip rejected",
         QStringLiteral("idx-truncated.idx.gz"),
         false,
         {QStringLiteral("\"idx-truncated.idx.gz\""), QStringLiteral("truncated")},
         0,
         0,
         0},
        {"zero items rejected",
         QStringLiteral("idx-zero-items.idx"),
         false,
         {QStringLiteral("\"idx-zero-items.idx\""), QStringLiteral("zero items")},
         0,
         0,
         0},
        {"plain IDX loads", QStringLiteral("idx-valid-images-10x8x8.idx"), false, {}, 10, 64, -1},
        {"gzip IDX loads", QStringLiteral("idx-valid-images-10x8x8.idx.gz"), false, {}, 10, 64, -1},
        {"gzip IDX of 17 loads",
         QStringLiteral("idx-valid-images-17x8x8.idx.gz"),
         false,
         {},
         17,
         64,
         -1},
        {"label file of 10 as images rejected",
         QStringLiteral("idx-valid-labels-10.idx.gz"),
         false,
         {QStringLiteral("\"idx-valid-labels-10.idx.gz\""), QStringLiteral("needs 3 dimensions")},
         0,
         0,
         0},
        {"label file of 17 as images rejected",
         QStringLiteral("idx-valid-labels-17.idx.gz"),
         false,
         {QStringLiteral("\"idx-valid-labels-17.idx.gz\""), QStringLiteral("needs 3 dimensions")},
         0,
         0,
         0},
        {"truncated session is not a table",
         QStringLiteral("session-truncated.json"),
         false,
         {QStringLiteral("\"session-truncated.json\""), QStringLiteral("never closed")},
         0,
         0,
         0},
        {"empty session is not a table",
         QStringLiteral("session-zero-bytes.json"),
         false,
         {QStringLiteral("\"session-zero-bytes.json\""), QStringLiteral("the file is empty")},
         0,
         0,
         0},
        {"mixed images load", QStringLiteral("images-mixed-channels-sizes"), false, {}, 10, 64, -1},
        {"broken images folder loads good ones",
         QStringLiteral("images-with-broken-files"),
         false,
         {},
         3,
         64,
         -1},
    };
    return cases;
}

bool okEnabled(ImportDialog &dialog)
{
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    return buttons && buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

QString labelText(ImportDialog &dialog, const char *name)
{
    auto *label = dialog.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QString();
}

/// Writes an IDX image header that declares items x 28 x 28 unsigned bytes, with no payload.
QString writeIdxHeader(const QTemporaryDir &dir, quint32 items)
{
    const QString path = dir.filePath(QStringLiteral("header-only-images.idx"));
    QByteArray bytes("\x00\x00\x08\x03", 4);
    for (const quint32 dim : {items, quint32(28), quint32(28)}) {
        const quint32 big = qToBigEndian(dim);
        bytes.append(reinterpret_cast<const char *>(&big), 4);
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

} // namespace

class tst_ImportCases : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCaseFileHasRow();
    void caseOutcome_data();
    void caseOutcome();
    void pairCountMismatchInFolder();
    void danglingLinkSkipped();
    void largeEstimateWaitsForConfirmation();
    void shapeBeyondLimitRejectedBeforeLoading();
};

void tst_ImportCases::everyCaseFileHasRow()
{
    QSet<QString> covered;
    for (const DialogCase &row : dialogCases())
        covered.insert(row.file);
    const QStringList entries =
        QDir(kCases).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    QVERIFY(entries.size() > 40);
    for (const QString &entry : entries)
        QVERIFY2(covered.contains(entry), qPrintable(entry + QStringLiteral(" has no row")));
}

void tst_ImportCases::caseOutcome_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("median");
    QTest::addColumn<QStringList>("errorParts");
    QTest::addColumn<qsizetype>("items");
    QTest::addColumn<qsizetype>("features");
    QTest::addColumn<qsizetype>("anomalies");
    for (const DialogCase &row : dialogCases()) {
        QTest::newRow(row.name) << row.file << row.median << row.errorParts << row.items
                                << row.features << row.anomalies;
    }
}

void tst_ImportCases::caseOutcome()
{
    QFETCH(QString, file);
    QFETCH(bool, median);
    QFETCH(QStringList, errorParts);
    QFETCH(qsizetype, items);
    QFETCH(qsizetype, features);
    QFETCH(qsizetype, anomalies);

    ImportDialog dialog(kCases + QLatin1Char('/') + file);
    if (median) {
        auto *policy = dialog.findChild<QComboBox *>(QStringLiteral("missingCellsCombo"));
        QVERIFY(policy);
        policy->setCurrentIndex(policy->findData(int(MissingCellPolicy::ImputeMedian)));
    }
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error);

    if (!errorParts.isEmpty()) {
        QVERIFY(!okEnabled(dialog));
        QVERIFY(!dialog.dataset());
        QVERIFY(error->isVisibleTo(&dialog));
        for (const QString &part : errorParts)
            QVERIFY2(dialog.errorText().contains(part), qPrintable(dialog.errorText()));
        QCOMPARE(error->text(), dialog.errorText());
        return;
    }

    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QVERIFY(!error->isVisibleTo(&dialog));
    QVERIFY(dialog.dataset());
    QCOMPARE(dialog.dataset()->itemCount, items);
    QCOMPARE(dialog.dataset()->featureCount, features);
    QCOMPARE(labelText(dialog, "itemsValue"), QString::number(items));
    QCOMPARE(dialog.dataset()->hasTruth(), anomalies >= 0);
    if (anomalies >= 0)
        QCOMPARE(dialog.dataset()->anomalyCount(), anomalies);
    for (const QString &name : dialog.dataset()->featureNames) {
        QVERIFY2(!name.contains(QLatin1Char('\r')), qPrintable(name));
        QVERIFY2(!name.contains(QLatin1Char('"')), qPrintable(name));
        QVERIFY2(name.compare(QLatin1String("label"), Qt::CaseInsensitive) != 0, qPrintable(name));
    }
    QVERIFY2(labelText(dialog, "memoryValue").startsWith(QLatin1String("about")),
             qPrintable(labelText(dialog, "memoryValue")));
}

void tst_ImportCases::pairCountMismatchInFolder()
{
    // The dialog opens a single file or folder, so the pair goes into a folder under the names
    // that pair an IDX image file with its labels.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QFile::copy(kCases + QStringLiteral("/idx-pair-count-mismatch-images.idx.gz"),
                        dir.filePath(QStringLiteral("train-images-idx3-ubyte.gz"))));
    QVERIFY(QFile::copy(kCases + QStringLiteral("/idx-pair-count-mismatch-labels.idx.gz"),
                        dir.filePath(QStringLiteral("train-labels-idx1-ubyte.gz"))));
    ImportDialog dialog(dir.path());
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::IdxFolder);
    QVERIFY(!okEnabled(dialog));
    QVERIFY(!dialog.dataset());
    QVERIFY2(dialog.errorText().contains(QLatin1String("10 images but 9 labels")),
             qPrintable(dialog.errorText()));
    QVERIFY2(dialog.errorText().contains(QLatin1String("\"train-labels-idx1-ubyte.gz\"")),
             qPrintable(dialog.errorText()));
}

void tst_ImportCases::danglingLinkSkipped()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QFile::copy(kCases + QStringLiteral("/images-with-broken-files/ok-01.png"),
                        dir.filePath(QStringLiteral("ok-01.png"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("does-not-exist.png")),
                        dir.filePath(QStringLiteral("dangling-link.png"))));
    ImportDialog dialog(dir.path());
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.dataset()->itemCount, qsizetype(1));
    QCOMPARE(dialog.dataset()->itemIds, QStringList{QStringLiteral("ok-01.png")});
    auto *notes = dialog.findChild<QPlainTextEdit *>(QStringLiteral("notesView"));
    QVERIFY(notes);
    QVERIFY2(notes->toPlainText().contains(
                 QLatin1String("Skipped \"dangling-link.png\": broken symbolic link")),
             qPrintable(notes->toPlainText()));
}

void tst_ImportCases::largeEstimateWaitsForConfirmation()
{
    // 1,000,000 images of 28 x 28 are 784 million values, within the dataset limit, but about
    // 3 GiB as floats. The header alone gives the estimate; nothing is loaded.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeIdxHeader(dir, 1000000);
    QVERIFY(!path.isEmpty());
    ImportDialog dialog(path);
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::IdxImages);
    QVERIFY(!dialog.dataset());
    QVERIFY(!okEnabled(dialog));
    QVERIFY2(dialog.errorText().contains(QLatin1String("Load Anyway")),
             qPrintable(dialog.errorText()));
    QVERIFY2(dialog.errorText().contains(QLatin1String("1000000 items of 784 features")),
             qPrintable(dialog.errorText()));
    auto *loadAnyway = dialog.findChild<QPushButton *>(QStringLiteral("loadAnywayButton"));
    QVERIFY(loadAnyway);
    QVERIFY(loadAnyway->isVisibleTo(&dialog));
    QVERIFY2(labelText(dialog, "memoryValue").contains(QLatin1String("estimated before loading")),
             qPrintable(labelText(dialog, "memoryValue")));
    const MemoryEstimate estimate =
        estimateMemory(1000000, 784, dialog.settings(), StorageKind::Images);
    QVERIFY(estimate.totalBytes() > kConfirmMemoryBytes);
    QVERIFY(labelText(dialog, "memoryValue").contains(formatBytes(estimate.totalBytes())));
}

void tst_ImportCases::shapeBeyondLimitRejectedBeforeLoading()
{
    // 2,000,000 x 28 x 28 bytes fit the IDX reader's 2 GiB, but 1.57 billion values exceed the
    // dataset limit of 2^30.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeIdxHeader(dir, 2000000);
    QVERIFY(!path.isEmpty());
    ImportDialog dialog(path);
    QVERIFY(!dialog.dataset());
    QVERIFY(!okEnabled(dialog));
    QVERIFY2(dialog.errorText().contains(QLatin1String("2000000 items x 784 features")),
             qPrintable(dialog.errorText()));
    QVERIFY2(dialog.errorText().contains(QString::number(kMaxDatasetValues)),
             qPrintable(dialog.errorText()));
    auto *loadAnyway = dialog.findChild<QPushButton *>(QStringLiteral("loadAnywayButton"));
    QVERIFY(!loadAnyway->isVisibleTo(&dialog));
}

QTEST_MAIN(tst_ImportCases)
#include "tst_importcases.moc"
