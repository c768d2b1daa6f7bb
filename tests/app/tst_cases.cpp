#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

namespace {

const QString kCli = QStringLiteral(UAI_BUILD_DIR "/bin/uai-cli");
const QString kCases = QStringLiteral(UAI_SHARED_DIR "/cases");

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(kCli, arguments);
    CliRun run;
    if (!process.waitForFinished(300000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

/// One run of uai-cli on a case, with the outcome that the cases README requires.
struct CliCase {
    const char *name;
    /// Data spec relative to the cases folder; a pair is "IMAGES,LABELS".
    QString spec;
    QStringList arguments;
    int exitCode;
    /// Texts that stderr must contain: the file name, the line or field, the numbers.
    QStringList stderrParts;
    /// Expected stdout summary for runs that exit 0; empty for failures.
    QString summary;
};

QString casePath(const QString &spec)
{
    QStringList parts = spec.split(QLatin1Char(','));
    for (QString &part : parts)
        part = kCases + QLatin1Char('/') + part;
    return parts.join(QLatin1Char(','));
}

QStringList steps(int pretrain, int round)
{
    return {QStringLiteral("--pretrain-steps"),
            QString::number(pretrain),
            QStringLiteral("--round-steps"),
            QString::number(round)};
}

QStringList budget(int verdicts, int k)
{
    return {QStringLiteral("--budget"),
            QString::number(verdicts),
            QStringLiteral("--k"),
            QString::number(k)};
}

QStringList batch(int size)
{
    return {QStringLiteral("--batch"), QString::number(size)};
}

QString summary(int found, int anomalies, int verdicts)
{
    return QStringLiteral("found %1 of %2 anomalies with %3 verdicts")
        .arg(found)
        .arg(anomalies)
        .arg(verdicts);
}

const QStringList kMedian = {QStringLiteral("--missing"), QStringLiteral("median")};

const std::vector<CliCase> &cliCases()
{
    const QStringList small = steps(200, 20) + budget(2, 2);
    static const std::vector<CliCase> cases = {
        {"cases readme is not a table",
         QStringLiteral("README.md"),
         small,
         2,
         {QStringLiteral("\"README.md\""), QStringLiteral("fields, expected 1")},
         {}},
        {"empty file rejected",
         QStringLiteral("csv-empty-0-bytes.csv"),
         small,
         2,
         {QStringLiteral("\"csv-empty-0-bytes.csv\""), QStringLiteral("the file is empty")},
         {}},
        {"header only rejected",
         QStringLiteral("csv-header-only.csv"),
         small,
         2,
         {QStringLiteral("\"csv-header-only.csv\""), QStringLiteral("no data rows")},
         {}},
        {"label column only rejected",
         QStringLiteral("csv-label-column-only.csv"),
         small,
         2,
         {QStringLiteral("\"csv-label-column-only.csv\""), QStringLiteral("no feature columns")},
         {}},
        {"ragged rows rejected",
         QStringLiteral("csv-ragged-rows.csv"),
         small,
         2,
         {QStringLiteral("\"csv-ragged-rows.csv\""),
          QStringLiteral("line 4 has 3 fields, expected 4"),
          QStringLiteral("line 6 is blank"),
          QStringLiteral("line 7 has 5 fields, expected 4")},
         {}},
        {"missing tokens rejected",
         QStringLiteral("csv-missing-tokens.csv"),
         small,
         2,
         {QStringLiteral("\"csv-missing-tokens.csv\""),
          QStringLiteral("8 feature cells"),
          QStringLiteral("line 3, column \"b\": \"\" (empty)"),
          QStringLiteral("line 4, column \"a\": \"NA\"")},
         {}},
        {"missing tokens imputed, empty label rejected",
         QStringLiteral("csv-missing-tokens.csv"),
         small + kMedian,
         2,
         {QStringLiteral("\"csv-missing-tokens.csv\""),
          QStringLiteral("line 13, column \"label\""),
          QStringLiteral("ground-truth value \"\"")},
         {}},
        {"non-finite cells rejected",
         QStringLiteral("csv-nonfinite-and-overflow.csv"),
         small,
         2,
         {QStringLiteral("\"csv-nonfinite-and-overflow.csv\""),
          QStringLiteral("8 feature cells"),
          QStringLiteral("line 3, column \"a\": \"inf\" (not finite)"),
          QStringLiteral("line 6, column \"a\": \"1e308\" (beyond the 32-bit float range)")},
         {}},
        {"non-finite cells imputed",
         QStringLiteral("csv-nonfinite-and-overflow.csv"),
         small + kMedian,
         0,
         {QStringLiteral("Column \"a\": 4 missing or invalid cells"),
          QStringLiteral("Column \"b\": 2 missing or invalid cells"),
          QStringLiteral("Column \"c\": 2 missing or invalid cells"),
          QStringLiteral("1 values too close to zero")},
         summary(0, 0, 2)},
        {"huge-scale column ranks its two outliers first",
         QStringLiteral("csv-huge-scale-column.csv"),
         steps(200, 20) + budget(2, 2),
         0,
         {QStringLiteral("200 items, 3 features, 2 anomalies")},
         summary(2, 2, 2)},
        {"medium table finds anomaly first",
         QStringLiteral("csv-medium-2000x32.csv"),
         steps(200, 20) + budget(1, 1),
         0,
         {QStringLiteral("2000 items, 32 features, 20 anomalies")},
         summary(1, 20, 1)},
        {"single feature without truth rejected",
         QStringLiteral("csv-single-feature.csv"),
         small,
         2,
         {QStringLiteral("\"csv-single-feature.csv\""), QStringLiteral("no ground-truth column")},
         {}},
        {"single row trains",
         QStringLiteral("csv-single-row.csv"),
         small,
         0,
         {QStringLiteral("Every item has a verdict after 1 verdicts")},
         summary(0, 0, 1)},
        {"two rows train",
         QStringLiteral("csv-two-rows.csv"),
         small,
         0,
         {QStringLiteral("2 items, 3 features, 1 anomalies")},
         summary(1, 1, 2)},
        {"byte-order mark, label first",
         QStringLiteral("csv-utf8-bom-label-first.csv"),
         steps(200, 20) + budget(12, 6),
         0,
         {QStringLiteral("Ground truth from column \"label\": 2 anomalies")},
         summary(2, 2, 12)},
        {"byte-order mark, CRLF, quoted header",
         QStringLiteral("csv-utf8-bom-crlf-quoted-header.csv"),
         steps(200, 20) + budget(10, 5),
         0,
         {QStringLiteral("Ground truth from column \"label\": 1 anomalies"),
          QStringLiteral("10 items, 3 features")},
         summary(1, 1, 10)},
        {"wide table loads and trains",
         QStringLiteral("csv-wide-4rows-5000cols.csv"),
         steps(20, 5) + budget(4, 2),
         0,
         {QStringLiteral("4 items, 5000 features, 1 anomalies")},
         summary(1, 1, 4)},
        // The planted outlier is the last row; budget 1 finds it only when it ranks first.
        {"17 rows, remainder of one",
         QStringLiteral("csv-rows-17.csv"),
         steps(200, 20) + budget(1, 1) + batch(16),
         0,
         {QStringLiteral("17 items, 4 features"), QStringLiteral("5-fold cross-fitting")},
         summary(1, 1, 1)},
        {"18 rows, remainder of one",
         QStringLiteral("csv-rows-18.csv"),
         steps(200, 20) + budget(1, 1) + batch(17),
         0,
         {QStringLiteral("18 items, 4 features"), QStringLiteral("5-fold cross-fitting")},
         summary(1, 1, 1)},
        {"33 rows, remainder of one",
         QStringLiteral("csv-rows-33.csv"),
         steps(200, 20) + budget(1, 1) + batch(32),
         0,
         {QStringLiteral("33 items, 4 features"), QStringLiteral("5-fold cross-fitting")},
         summary(1, 1, 1)},
        {"65 rows, remainder of one",
         QStringLiteral("csv-rows-65.csv"),
         steps(200, 20) + budget(1, 1) + batch(64),
         0,
         {QStringLiteral("65 items, 4 features"), QStringLiteral("5-fold cross-fitting")},
         summary(1, 1, 1)},
        {"129 rows, remainder of one",
         QStringLiteral("csv-rows-129.csv"),
         steps(200, 20) + budget(1, 1) + batch(128),
         0,
         {QStringLiteral("129 items, 4 features"), QStringLiteral("5-fold cross-fitting")},
         summary(1, 1, 1)},
        {"five rows, pool runs out",
         QStringLiteral("csv-tiny-5-rows.csv"),
         steps(200, 20) + budget(10, 3),
         0,
         {QStringLiteral("round 1: queue of 3 items, 3 verdicts"),
          QStringLiteral("round 2: queue of 2 items, 5 verdicts"),
          QStringLiteral("Every item has a verdict after 5 verdicts")},
         summary(1, 1, 5)},
        {"gzip with bad CRC rejected",
         QStringLiteral("idx-bad-crc.idx.gz"),
         small,
         2,
         {QStringLiteral("\"idx-bad-crc.idx.gz\""), QStringLiteral("corrupt")},
         {}},
        {"negative dimension rejected",
         QStringLiteral("idx-dims-negative-int32.idx"),
         small,
         2,
         {QStringLiteral("\"idx-dims-negative-int32.idx\""),
          QStringLiteral("dimension 1 of the header is 2147483648")},
         {}},
        {"dimensions overflowing 64 bits rejected",
         QStringLiteral("idx-dims-overflow-u64.idx"),
         small,
         2,
         {QStringLiteral("\"idx-dims-overflow-u64.idx\""),
          QStringLiteral("dimension 1 of the header is 4294967295")},
         {}},
        {"dimensions wrapping 32 bits rejected",
         QStringLiteral("idx-dims-wrap-u32.idx"),
         small,
         2,
         {QStringLiteral("\"idx-dims-wrap-u32.idx\""),
          QStringLiteral("65536 x 256 x 256"),
          QStringLiteral("4294967296 bytes")},
         {}},
        {"pair count mismatch rejected",
         QStringLiteral("idx-pair-count-mismatch-images.idx.gz,"
                        "idx-pair-count-mismatch-labels.idx.gz"),
         small,
         2,
         {QStringLiteral("\"idx-pair-count-mismatch-images.idx.gz\""),
          QStringLiteral("\"idx-pair-count-mismatch-labels.idx.gz\""),
          QStringLiteral("10 images but 9 labels")},
         {}},
        {"short header rejected",
         QStringLiteral("idx-short-header.idx"),
         small,
         2,
         {QStringLiteral("\"idx-short-header.idx\""), QStringLiteral("the file has 6")},
         {}},
        {"trailing garbage rejected",
         QStringLiteral("idx-trailing-garbage.idx"),
         small,
         2,
         {QStringLiteral("\"idx-trailing-garbage.idx\""),
          QStringLiteral("declares 640 bytes of data, the file has 676")},
         {}},
        {"truncated payload rejected",
         QStringLiteral("idx-truncated-payload.idx"),
         small,
         2,
         {QStringLiteral("\"idx-truncated-payload.idx\""),
          QStringLiteral("declares 640 bytes of data, the file has 300")},
         {}},
        {"truncated gzip rejected",
         QStringLiteral("idx-truncated.idx.gz"),
         small,
         2,
         {QStringLiteral("\"idx-truncated.idx.gz\""), QStringLiteral("truncated")},
         {}},
        {"zero items rejected",
         QStringLiteral("idx-zero-items.idx"),
         small,
         2,
         {QStringLiteral("\"idx-zero-items.idx\""), QStringLiteral("zero items")},
         {}},
        {"plain IDX without truth rejected",
         QStringLiteral("idx-valid-images-10x8x8.idx"),
         small,
         2,
         {QStringLiteral("10 items, 64 features"), QStringLiteral("no ground truth")},
         {}},
        {"gzip IDX without truth rejected",
         QStringLiteral("idx-valid-images-10x8x8.idx.gz"),
         small,
         2,
         {QStringLiteral("10 items, 64 features"), QStringLiteral("no ground truth")},
         {}},
        {"IDX pair of 10 with rare class trains",
         QStringLiteral("idx-valid-images-10x8x8.idx.gz,idx-valid-labels-10.idx.gz:0"),
         steps(200, 20) + budget(8, 4),
         0,
         {QStringLiteral("Read 10 images of 8 x 8 pixels"),
          QStringLiteral("8 items, 64 features, 1 anomalies")},
         summary(1, 1, 8)},
        {"IDX pair of 17 with remainder of one",
         QStringLiteral("idx-valid-images-17x8x8.idx.gz,idx-valid-labels-17.idx.gz:0"),
         steps(200, 20) + budget(2, 2) + batch(16),
         0,
         {QStringLiteral("Read 17 images of 8 x 8 pixels")},
         {}},
        {"label file as images rejected",
         QStringLiteral("idx-valid-labels-10.idx.gz"),
         small,
         2,
         {QStringLiteral("\"idx-valid-labels-10.idx.gz\""), QStringLiteral("needs 3 dimensions")},
         {}},
        {"label file of 17 as images rejected",
         QStringLiteral("idx-valid-labels-17.idx.gz"),
         small,
         2,
         {QStringLiteral("\"idx-valid-labels-17.idx.gz\""), QStringLiteral("needs 3 dimensions")},
         {}},
        {"truncated session is not a table",
         QStringLiteral("session-truncated.json"),
         small,
         2,
         {QStringLiteral("\"session-truncated.json\""), QStringLiteral("never closed")},
         {}},
        {"empty session is not a table",
         QStringLiteral("session-zero-bytes.json"),
         small,
         2,
         {QStringLiteral("\"session-zero-bytes.json\""), QStringLiteral("the file is empty")},
         {}},
        {"mixed images load without truth",
         QStringLiteral("images-mixed-channels-sizes"),
         small,
         2,
         {QStringLiteral("10 items, 64 features"),
          QStringLiteral("8 x 8 pixels each"),
          QStringLiteral("no ground truth")},
         {}},
        {"broken images skipped by name",
         QStringLiteral("images-with-broken-files"),
         small,
         2,
         {QStringLiteral("3 items, 64 features"),
          QStringLiteral("Skipped \".hidden-dotfile.png\": hidden file"),
          QStringLiteral("Skipped \"dangling-link.png\": not an image"),
          QStringLiteral("Skipped \"empty-0-bytes.png\": empty file"),
          QStringLiteral("Skipped \"readme.txt\": not an image"),
          QStringLiteral("Skipped \"subdir\": subfolder"),
          QStringLiteral("Skipped \"text-file-named.jpg\": not an image"),
          QStringLiteral("Skipped \"truncated-header.png\": cannot decode"),
          QStringLiteral("Skipped \"truncated-mid-idat.png\": cannot decode"),
          QStringLiteral("no ground truth")},
         {}},
    };
    return cases;
}

} // namespace

class tst_Cases : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCaseFileHasRow();
    void caseOutcome_data();
    void caseOutcome();
    void poolRunsOutCurve();
    void danglingLinkSkipped();
};

void tst_Cases::everyCaseFileHasRow()
{
    QSet<QString> covered;
    for (const CliCase &row : cliCases()) {
        QString spec = row.spec.section(QLatin1Char(':'), 0, 0);
        for (const QString &part : spec.split(QLatin1Char(',')))
            covered.insert(part);
    }
    const QStringList entries =
        QDir(kCases).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    QVERIFY(entries.size() > 40);
    for (const QString &entry : entries)
        QVERIFY2(covered.contains(entry), qPrintable(entry + QStringLiteral(" has no row")));
}

void tst_Cases::caseOutcome_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("stderrParts");
    QTest::addColumn<QString>("summary");
    for (const CliCase &row : cliCases()) {
        QTest::newRow(row.name) << row.spec << row.arguments << row.exitCode << row.stderrParts
                                << row.summary;
    }
}

void tst_Cases::caseOutcome()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QStringList, stderrParts);
    QFETCH(QString, summary);

    const CliRun run = runCli(
        QStringList{QStringLiteral("run"), QStringLiteral("--data"), casePath(spec)} + arguments);
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.err));
    for (const QString &part : stderrParts)
        QVERIFY2(run.err.contains(part), qPrintable(part + QStringLiteral(" not in: ") + run.err));
    if (exitCode != 0) {
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(QLatin1String("uai-cli: ")), qPrintable(run.err));
        return;
    }
    // Training completed: the summary line is printed, with the expected counts where the
    // outcome does not depend on the ranking.
    static const QRegularExpression line(
        QStringLiteral("^found \\d+ of \\d+ anomalies with \\d+ verdicts \\(base model alone: "
                       "\\d+(, isolation forest alone: \\d+)?\\)\\n$"));
    QVERIFY2(line.match(run.out).hasMatch(), qPrintable(run.out));
    if (!summary.isEmpty())
        QVERIFY2(run.out.startsWith(summary), qPrintable(run.out));
    QVERIFY(!run.err.contains(QLatin1String("nan"), Qt::CaseInsensitive));
}

void tst_Cases::poolRunsOutCurve()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString curve = dir.filePath(QStringLiteral("curve.csv"));
    const CliRun run = runCli(QStringList{QStringLiteral("run"),
                                          QStringLiteral("--data"),
                                          casePath(QStringLiteral("csv-tiny-5-rows.csv")),
                                          QStringLiteral("--curve"),
                                          curve}
                              + steps(200, 20) + budget(10, 3));
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.startsWith(summary(1, 1, 5)), qPrintable(run.out));

    QFile file(curve);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    // Two rounds (3 then 5 verdicts) for each method. The default first queues on a table use
    // the isolation forest, so its own ranking is a method here. The run stops once every item
    // has a verdict.
    QCOMPARE(lines.size(), 1 + 2 + 2 + 2);
    QCOMPARE(lines[0], QStringLiteral("method,round,verdicts,found,ranked_by"));
    QCOMPARE(lines[1].section(QLatin1Char(','), 0, 2), QStringLiteral("uai,1,3"));
    QCOMPARE(lines[2].section(QLatin1Char(','), 0, 3), QStringLiteral("uai,2,5,1"));
    QCOMPARE(lines[3].section(QLatin1Char(','), 0, 2), QStringLiteral("base,1,3"));
    QCOMPARE(lines[4].section(QLatin1Char(','), 0, 3), QStringLiteral("base,2,5,1"));
    QCOMPARE(lines[5].section(QLatin1Char(','), 0, 2), QStringLiteral("iforest,1,3"));
    QCOMPARE(lines[6].section(QLatin1Char(','), 0, 3), QStringLiteral("iforest,2,5,1"));
    for (const QString &row : lines.mid(1)) {
        const qsizetype found = row.section(QLatin1Char(','), 3, 3).toLongLong();
        const qsizetype verdicts = row.section(QLatin1Char(','), 2, 2).toLongLong();
        QVERIFY(found >= 0);
        QVERIFY(found <= 1);
        QVERIFY(found <= verdicts);
    }
}

void tst_Cases::danglingLinkSkipped()
{
    // The copy of the cases folder holds the link's target name as text, so a real dangling
    // link is made here.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QFile::copy(kCases + QStringLiteral("/images-with-broken-files/ok-01.png"),
                        dir.filePath(QStringLiteral("ok-01.png"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("does-not-exist.png")),
                        dir.filePath(QStringLiteral("dangling-link.png"))));
    const CliRun run =
        runCli(QStringList{QStringLiteral("run"), QStringLiteral("--data"), dir.path()}
               + steps(20, 5) + budget(1, 1));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("1 items, 64 features")), qPrintable(run.err));
    QVERIFY2(run.err.contains(QLatin1String("Skipped \"dangling-link.png\": broken symbolic link")),
             qPrintable(run.err));
}

QTEST_GUILESS_MAIN(tst_Cases)
#include "tst_cases.moc"
