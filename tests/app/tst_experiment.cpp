#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

namespace {

const QString kCli = QStringLiteral(UAI_BUILD_DIR "/bin/uai-cli");
const QString kDataDir = QStringLiteral(UAI_SHARED_DIR "/data");

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(kCli, QStringList{QStringLiteral("experiment")} + arguments);
    CliRun run;
    if (!process.waitForFinished(300000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

/// Runs the overview on a results folder, writing the page given.
CliRun runOverview(const QString &out, const QString &page)
{
    return runCli({QStringLiteral("--name"),
                   QStringLiteral("overview"),
                   QStringLiteral("--out"),
                   out,
                   QStringLiteral("--page"),
                   page});
}

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class tst_Experiment : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void table2WritesCurves();
    void table2WritesCharts();
    void table2MarkdownMatchesCurves();
    void parallelJobsWriteTheSameCurves();
    void overviewListsQuickRuns();
    void methodsMatchRunCommand();
    void forestMethodsMatchRunCommand();
    void latentWritesPanels();
    void imagesCompareWithCurvesRuns();
    void imagesRejectBadCurvesRuns();
    void overviewComparesWithPublished();
    void overviewRejectsOldSummary();
    void overviewComparesImageLoopsWithBase();
    void badInputExitsTwo_data();
    void badInputExitsTwo();

private:
    QTemporaryDir m_dir;
    CliRun m_table2;
};

void tst_Experiment::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Short training keeps the two tables' four runs to a few seconds; the files' shape does
    // not depend on the step counts.
    m_table2 = runCli({QStringLiteral("--name"),
                       QStringLiteral("table2"),
                       QStringLiteral("--quick"),
                       QStringLiteral("--datasets"),
                       QStringLiteral("toy,yeast"),
                       QStringLiteral("--pretrain-steps"),
                       QStringLiteral("50"),
                       QStringLiteral("--round-steps"),
                       QStringLiteral("5"),
                       QStringLiteral("--data-dir"),
                       kDataDir,
                       QStringLiteral("--out"),
                       m_dir.path()});
    QVERIFY2(m_table2.exitCode == 0, qPrintable(m_table2.err));
}

void tst_Experiment::table2WritesCurves()
{
    QVERIFY(m_table2.out.contains(QLatin1String("[8/8] table2 yeast seed 2 default method")));

    const QStringList lines = readLines(m_dir.filePath(QStringLiteral("table2-runs.csv")));
    QVERIFY(!lines.isEmpty());
    QCOMPARE(lines.first(),
             QStringLiteral("dataset,model,method,seed,round,verdicts,found,anomalies,ranked_by"));
    // Last point of each run: dataset, method and seed -> verdicts, found, anomalies.
    std::map<QString, QStringList> last;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines[i].split(QLatin1Char(','));
        QCOMPARE(fields.size(), 9);
        QVERIFY2(fields[6].toInt() <= fields[5].toInt(), qPrintable(lines[i]));
        last[fields[0] + QLatin1Char('/') + fields[2] + QLatin1Char('/') + fields[3]] = fields;
    }
    // base, uai (the published method) and default for two tables and two seeds.
    QCOMPARE(last.size(), size_t(12));
    for (const auto &[run, fields] : last) {
        const bool toy = run.startsWith(QLatin1String("toy"));
        // The quick budget is the anomaly count capped at 30: 20 for toy, 30 for yeast.
        QCOMPARE(fields[5], toy ? QStringLiteral("20") : QStringLiteral("30"));
        QCOMPARE(fields[7], toy ? QStringLiteral("20") : QStringLiteral("55"));
    }
}

void tst_Experiment::table2WritesCharts()
{
    for (const QString &name :
         {QStringLiteral("table2-toy.png"), QStringLiteral("table2-yeast.png")}) {
        const QImage image(m_dir.filePath(name));
        QVERIFY2(!image.isNull(), qPrintable(name));
        QVERIFY(image.width() >= 400);
        QVERIFY(image.height() >= 300);
        // Axes, text, two lines with bands and a dashed bound: many distinct colours, unlike a
        // blank or single-colour image.
        std::set<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY2(colours.size() >= 20, qPrintable(QString::number(colours.size())));
    }
}

void tst_Experiment::table2MarkdownMatchesCurves()
{
    const QString markdown = readText(m_dir.filePath(QStringLiteral("table2.md")));
    QVERIFY(markdown.contains(QLatin1String("| toy | 485 | 20 | 3 | 20 |")));
    QVERIFY(markdown.contains(QLatin1String("| yeast | 1191 | 55 | 3 | 30 |")));
    QVERIFY(markdown.contains(QLatin1String("| 0.23 | 0.33 |")));
    QVERIFY(markdown.contains(QLatin1String("Machine: ")));
    QVERIFY(markdown.contains(QLatin1String("LibTorch")));
    QVERIFY(markdown.contains(QLatin1String("s CPU")));
    QVERIFY(markdown.contains(QLatin1String("`uai-cli run --data ")));

    // Mean recall of a method on yeast over its two quick runs (budget 30 of 55 anomalies),
    // computed here from the curve file.
    const QStringList curves = readLines(m_dir.filePath(QStringLiteral("table2-runs.csv")));
    const auto yeastMean = [&curves](const QString &method) {
        double sum = 0.0;
        int runs = 0;
        for (const QString &line : curves) {
            const QStringList fields = line.split(QLatin1Char(','));
            if (fields[0] == QLatin1String("yeast") && fields[2] == method
                && fields[5] == QLatin1String("30")) {
                sum += fields[6].toDouble() / 55.0;
                ++runs;
            }
        }
        return runs == 2 ? QString::number(sum / runs, 'f', 2) : QStringLiteral("no 2 runs");
    };
    const qsizetype row = markdown.indexOf(QLatin1String("| yeast |"));
    QVERIFY(row >= 0);
    const QString yeastRow = markdown.mid(row, markdown.indexOf(QLatin1Char('\n'), row) - row);
    // Column 7 is the published method, column 8 the default method.
    const QString publishedMean = yeastMean(QStringLiteral("uai"));
    QVERIFY2(yeastRow.section(QLatin1Char('|'), 7, 7)
                 .trimmed()
                 .startsWith(publishedMean + QLatin1Char(' ')),
             qPrintable(yeastRow + QStringLiteral(" expected published mean ") + publishedMean));
    const QString defaultMean = yeastMean(QStringLiteral("default"));
    QVERIFY2(yeastRow.section(QLatin1Char('|'), 8, 8)
                 .trimmed()
                 .startsWith(defaultMean + QLatin1Char(' ')),
             qPrintable(yeastRow + QStringLiteral(" expected default mean ") + defaultMean));
    QVERIFY(markdown.contains(QLatin1String("| yeast | default | `uai-cli run --data ")));
    QVERIFY(markdown.contains(QLatin1String("--base-ranking score")));
}

void tst_Experiment::parallelJobsWriteTheSameCurves()
{
    // The same four runs as initTestCase, two at a time: each run has its own generators and
    // its own copy of the dataset, so the curves must match byte for byte.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const CliRun parallel = runCli({QStringLiteral("--name"),
                                    QStringLiteral("table2"),
                                    QStringLiteral("--quick"),
                                    QStringLiteral("--datasets"),
                                    QStringLiteral("toy,yeast"),
                                    QStringLiteral("--pretrain-steps"),
                                    QStringLiteral("50"),
                                    QStringLiteral("--round-steps"),
                                    QStringLiteral("5"),
                                    QStringLiteral("--jobs"),
                                    QStringLiteral("2"),
                                    QStringLiteral("--data-dir"),
                                    kDataDir,
                                    QStringLiteral("--out"),
                                    dir.path()});
    QVERIFY2(parallel.exitCode == 0, qPrintable(parallel.err));
    QVERIFY(parallel.out.contains(QLatin1String("finished yeast seed 2")));
    const QString serialCurves = readText(m_dir.filePath(QStringLiteral("table2-runs.csv")));
    QVERIFY(!serialCurves.isEmpty());
    QCOMPARE(readText(dir.filePath(QStringLiteral("table2-runs.csv"))), serialCurves);
    QVERIFY(readText(dir.filePath(QStringLiteral("table2.md")))
                .contains(QLatin1String("2 simulations ran at once")));
}

void tst_Experiment::overviewListsQuickRuns()
{
    const QString page = m_dir.filePath(QStringLiteral("overview.md"));
    const CliRun run = runCli({QStringLiteral("--name"),
                               QStringLiteral("overview"),
                               QStringLiteral("--out"),
                               m_dir.path(),
                               QStringLiteral("--page"),
                               page});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString text = readText(page);
    QVERIFY(text.contains(QLatin1String("- Yeast (yeast): budget 30 below the 55 anomalies")));
    QVERIFY(text.contains(QLatin1String("[table2](table2.md)")));
    QVERIFY(text.contains(QLatin1String("[table2-yeast.png](table2-yeast.png)")));
}

void tst_Experiment::methodsMatchRunCommand()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList steps{QStringLiteral("--pretrain-steps"),
                            QStringLiteral("30"),
                            QStringLiteral("--round-steps"),
                            QStringLiteral("3")};
    const CliRun methods = runCli(QStringList{QStringLiteral("--name"),
                                              QStringLiteral("methods"),
                                              QStringLiteral("--quick"),
                                              QStringLiteral("--seeds"),
                                              QStringLiteral("1"),
                                              QStringLiteral("--methods"),
                                              QStringLiteral("base,uai,uai-noisy10"),
                                              QStringLiteral("--datasets"),
                                              QStringLiteral("toy"),
                                              QStringLiteral("--data-dir"),
                                              kDataDir,
                                              QStringLiteral("--out"),
                                              dir.path()}
                                  + steps);
    QVERIFY2(methods.exitCode == 0, qPrintable(methods.err));
    // base and uai share one run, so two runs in all.
    QVERIFY2(methods.out.contains(QLatin1String("[1/2] methods toy seed 1 (base, uai)")),
             qPrintable(methods.out));

    // The same run through "uai-cli run", which prints both found counts.
    QProcess process;
    process.start(kCli,
                  QStringList{QStringLiteral("run"),
                              QStringLiteral("--data"),
                              kDataDir + QStringLiteral("/tabular/toy.csv"),
                              QStringLiteral("--k"),
                              QStringLiteral("3"),
                              QStringLiteral("--budget"),
                              QStringLiteral("20"),
                              QStringLiteral("--seed"),
                              QStringLiteral("1"),
                              QStringLiteral("--base-ranking"),
                              QStringLiteral("score"),
                              QStringLiteral("--quiet")}
                      + steps);
    QVERIFY(process.waitForFinished(300000));
    const QString summary = QString::fromUtf8(process.readAllStandardOutput());
    static const QRegularExpression pattern(QStringLiteral(
        "^found (\\d+) of 20 anomalies with 20 verdicts \\(base model alone: (\\d+)\\)\\n$"));
    const QRegularExpressionMatch match = pattern.match(summary);
    QVERIFY2(match.hasMatch(), qPrintable(summary));

    std::map<QString, QString> finalFound;
    for (const QString &line : readLines(dir.filePath(QStringLiteral("methods-runs.csv")))) {
        const QStringList fields = line.split(QLatin1Char(','));
        if (fields[5] == QLatin1String("20"))
            finalFound[fields[2]] = fields[6];
    }
    QCOMPARE(finalFound.size(), size_t(3));
    QCOMPARE(finalFound[QStringLiteral("uai")], match.captured(1));
    QCOMPARE(finalFound[QStringLiteral("base")], match.captured(2));
    const QString markdown = readText(dir.filePath(QStringLiteral("methods.md")));
    QVERIFY(markdown.contains(QLatin1String("| uai-noisy10 | ")));
    QVERIFY(!QImage(dir.filePath(QStringLiteral("methods-toy.png"))).isNull());
}

namespace {

/// Runs the images experiment on mnist:0 with one seed, 20 verdicts and short training.
CliRun runImages(const QString &out)
{
    return runCli(QStringList{QStringLiteral("--name"),
                              QStringLiteral("images"),
                              QStringLiteral("--quick"),
                              QStringLiteral("--seeds"),
                              QStringLiteral("1"),
                              QStringLiteral("--budget"),
                              QStringLiteral("20"),
                              QStringLiteral("--datasets"),
                              QStringLiteral("mnist:0"),
                              QStringLiteral("--pretrain-steps"),
                              QStringLiteral("30"),
                              QStringLiteral("--round-steps"),
                              QStringLiteral("3"),
                              QStringLiteral("--data-dir"),
                              kDataDir,
                              QStringLiteral("--out"),
                              out});
}

bool writeText(const QString &path, const QString &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text.toUtf8()) == text.toUtf8().size();
}

} // namespace

void tst_Experiment::imagesCompareWithCurvesRuns()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The autoencoder's base ranking found 3 and the published method 0 after 20 verdicts; the
    // classifier's rows are ignored.
    QVERIFY(writeText(dir.filePath(QStringLiteral("curves-runs.csv")),
                      QStringLiteral("dataset,model,method,seed,round,verdicts,found,anomalies,"
                                     "ranked_by\n"
                                     "mnist:0,dae,base,1,1,10,2,100,base\n"
                                     "mnist:0,dae,base,1,2,20,3,100,base\n"
                                     "mnist:0,dae,uai,1,1,10,0,100,base\n"
                                     "mnist:0,dae,uai,1,2,20,0,100,uai\n"
                                     "mnist:0,class,uai,1,1,10,9,100,base\n"
                                     "mnist:0,class,uai,1,2,20,19,100,uai\n")));
    const CliRun run = runImages(dir.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QLatin1String("[1/1] images mnist:0 score-forest-layer seed 1")),
             qPrintable(run.out));

    // The measured count comes from the run's own curve.
    const QStringList rows = readLines(dir.filePath(QStringLiteral("images-runs.csv")));
    QCOMPARE(rows.size(), 3);
    const QStringList last = rows.last().split(QLatin1Char(','));
    QCOMPARE(last.value(2), QStringLiteral("score-forest-layer"));
    QCOMPARE(last.value(5), QStringLiteral("20"));
    const int found = last.value(6).toInt();
    QVERIFY(found >= 0 && found <= 20);
    // The forest layer never hands the queue to the UAI layer.
    QCOMPARE(last.value(8), QStringLiteral("base"));

    const QString markdown = readText(dir.filePath(QStringLiteral("images.md")));
    const QString row = QStringLiteral("| mnist:0 | 9099 | 100 | 3.0 (3.0-3.0) | 0.0 (0.0-0.0) | "
                                       "%1.0 (%1.0-%1.0) | %2 of 1 |")
                            .arg(found)
                            .arg(found > 0 ? 1 : 0);
    QVERIFY2(markdown.contains(row), qPrintable(markdown));
    QVERIFY2(markdown.contains(QLatin1String("--switch never --base-ranking score-forest-layer")),
             qPrintable(markdown));
    QVERIFY(!markdown.contains(QLatin1String("Missing reference runs")));
    QVERIFY(!QImage(dir.filePath(QStringLiteral("images-mnist_0.png"))).isNull());

    // Without the curves experiment's file, the reference columns and a section name it as
    // missing.
    QTemporaryDir bare;
    QVERIFY(bare.isValid());
    const CliRun alone = runImages(bare.path());
    QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));
    const QString aloneMarkdown = readText(bare.filePath(QStringLiteral("images.md")));
    QVERIFY2(aloneMarkdown.contains(QLatin1String("## Missing reference runs")),
             qPrintable(aloneMarkdown));
    QVERIFY2(aloneMarkdown.contains(QLatin1String("not in curves-runs.csv")),
             qPrintable(aloneMarkdown));
}

void tst_Experiment::imagesRejectBadCurvesRuns()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("curves-runs.csv"));
    QVERIFY(writeText(path,
                      QStringLiteral("dataset,model,method,seed,round,verdicts,found,anomalies,"
                                     "ranked_by\n"
                                     "mnist:0,dae,base,1,1,10,2,100,base\n"
                                     "mnist:0,dae,base,one,2,20,3,100,base\n")));
    const CliRun run = runImages(dir.path());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("\"%1\", line 3").arg(path)), qPrintable(run.err));
    QVERIFY2(run.err.contains(QLatin1String("run the experiment that wrote it again")),
             qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("images.md"))));
}

void tst_Experiment::forestMethodsMatchRunCommand()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList steps{QStringLiteral("--pretrain-steps"),
                            QStringLiteral("30"),
                            QStringLiteral("--round-steps"),
                            QStringLiteral("3")};
    const CliRun methods = runCli(QStringList{QStringLiteral("--name"),
                                              QStringLiteral("methods"),
                                              QStringLiteral("--quick"),
                                              QStringLiteral("--seeds"),
                                              QStringLiteral("1"),
                                              QStringLiteral("--methods"),
                                              QStringLiteral("uai,iforest,uai-iforest"),
                                              QStringLiteral("--datasets"),
                                              QStringLiteral("toy"),
                                              QStringLiteral("--data-dir"),
                                              kDataDir,
                                              QStringLiteral("--out"),
                                              dir.path()}
                                  + steps);
    QVERIFY2(methods.exitCode == 0, qPrintable(methods.err));
    // The forest's own ranking shares the uai-iforest run; uai needs a run of its own.
    QVERIFY2(methods.out.contains(QLatin1String("[2/2] methods toy seed 1 (iforest, uai-iforest)")),
             qPrintable(methods.out));

    QProcess process;
    process.start(kCli,
                  QStringList{QStringLiteral("run"),
                              QStringLiteral("--data"),
                              kDataDir + QStringLiteral("/tabular/toy.csv"),
                              QStringLiteral("--k"),
                              QStringLiteral("3"),
                              QStringLiteral("--budget"),
                              QStringLiteral("20"),
                              QStringLiteral("--seed"),
                              QStringLiteral("1"),
                              QStringLiteral("--extra-score"),
                              QStringLiteral("iforest"),
                              QStringLiteral("--base-ranking"),
                              QStringLiteral("score"),
                              QStringLiteral("--quiet")}
                      + steps);
    QVERIFY(process.waitForFinished(300000));
    const QString summary = QString::fromUtf8(process.readAllStandardOutput());
    static const QRegularExpression pattern(
        QStringLiteral("^found (\\d+) of 20 anomalies with 20 verdicts \\(base model alone: "
                       "(\\d+), isolation forest alone: (\\d+)\\)\\n$"));
    const QRegularExpressionMatch match = pattern.match(summary);
    QVERIFY2(match.hasMatch(), qPrintable(summary));

    std::map<QString, QString> finalFound;
    for (const QString &line : readLines(dir.filePath(QStringLiteral("methods-runs.csv")))) {
        const QStringList fields = line.split(QLatin1Char(','));
        if (fields[5] == QLatin1String("20"))
            finalFound[fields[2]] = fields[6];
    }
    QCOMPARE(finalFound.size(), size_t(3));
    QCOMPARE(finalFound[QStringLiteral("uai-iforest")], match.captured(1));
    QCOMPARE(finalFound[QStringLiteral("iforest")], match.captured(3));
}

void tst_Experiment::latentWritesPanels()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const CliRun run = runCli({QStringLiteral("--name"),
                               QStringLiteral("latent"),
                               QStringLiteral("--quick"),
                               QStringLiteral("--datasets"),
                               QStringLiteral("toy"),
                               QStringLiteral("--pretrain-steps"),
                               QStringLiteral("30"),
                               QStringLiteral("--round-steps"),
                               QStringLiteral("3"),
                               QStringLiteral("--data-dir"),
                               kDataDir,
                               QStringLiteral("--out"),
                               dir.path()});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));

    // The quick panels come after 0, 20 and 50 verdicts. Every panel lists toy's 485 items,
    // 20 of them true anomalies, and as many verdicts as its first column names.
    const QStringList lines = readLines(dir.filePath(QStringLiteral("latent-toy.csv")));
    QCOMPARE(lines.first(), QStringLiteral("verdicts,item,latent,score,truth,verdict"));
    std::map<QString, int> items, anomalies, verdicts;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines[i].split(QLatin1Char(','));
        QCOMPARE(fields.size(), 6);
        ++items[fields[0]];
        anomalies[fields[0]] += fields[4] == QLatin1String("anomaly") ? 1 : 0;
        verdicts[fields[0]] += fields[5] == QLatin1String("none") ? 0 : 1;
    }
    for (const QString &panel : {QStringLiteral("0"), QStringLiteral("20"), QStringLiteral("50")}) {
        QCOMPARE(items[panel], 485);
        QCOMPARE(anomalies[panel], 20);
        QCOMPARE(verdicts[panel], panel.toInt());
        const QImage image(dir.filePath(QStringLiteral("latent-toy-%1.png").arg(panel)));
        QVERIFY2(!image.isNull(), qPrintable(panel));
    }
}

void tst_Experiment::overviewComparesWithPublished()
{
    // A summary written here: yeast below its published 0.33, abalone above its published 0.55,
    // and a thyroid row whose budget was cut short, which must stay out of the comparison.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile summary(dir.filePath(QStringLiteral("table2-summary.csv")));
    QVERIFY(summary.open(QIODevice::WriteOnly));
    summary.write("table,items,anomalies,k,budget,seeds,pretrain_steps,round_steps,base_mean,"
                  "base_min,base_max,uai_mean,uai_min,uai_max,default_mean,default_min,"
                  "default_max,published_name,published_dae,published_dae_uai,relation\n"
                  "yeast,1191,55,3,55,5,5000,100,0.2500,0.2,0.3,0.2000,0.1,0.3,0.3400,0.3,0.4,"
                  "Yeast,0.23,0.33,\"same data\"\n"
                  "abalone,1920,29,3,29,5,5000,100,0.0500,0.0,0.1,0.6000,0.5,0.7,0.5000,0.4,0.6,"
                  "Abalone,0.08,0.55,\"same data\"\n"
                  "ann_thyroid_1v3,3251,73,3,30,5,5000,100,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,"
                  "Thyroid,0.09,0.57,\"other construction, same source\"\n");
    summary.close();

    const QString page = dir.filePath(QStringLiteral("overview.md"));
    const CliRun run = runOverview(dir.path(), page);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString text = readText(page);
    // The default method: yeast 0.34 above 0.33, abalone 0.50 below 0.55.
    QVERIFY2(text.contains(QLatin1String("Default method, the forest layer on feature tables "
                                         "(published DAE_uai): below the published recall on 1 "
                                         "of 2 tables")),
             qPrintable(text));
    QVERIFY(text.contains(QLatin1String(
        "- below: Abalone (abalone; same data): ours 0.50 over 5 seeds, published 0.55, 0.05 "
        "lower")));
    QVERIFY(text.contains(QLatin1String(
        "- at or above: Yeast (yeast; same data): ours 0.34 over 5 seeds, published 0.33")));
    // The published method: yeast 0.20 below, abalone 0.60 above.
    QVERIFY2(text.contains(QLatin1String("Published method with the UAI layer (published "
                                         "DAE_uai): below the published recall on 1 of 2 tables")),
             qPrintable(text));
    QVERIFY(text.contains(QLatin1String(
        "- below: Yeast (yeast; same data): ours 0.20 over 5 seeds, published 0.33, 0.13 lower")));
    QVERIFY(text.contains(QLatin1String(
        "- at or above: Abalone (abalone; same data): ours 0.60 over 5 seeds, published 0.55")));
    // The base model alone: yeast 0.25 is above 0.23, abalone 0.05 below 0.08.
    QVERIFY(text.contains(QLatin1String(
        "- below: Abalone (abalone; same data): ours 0.05 over 5 seeds, published 0.08, 0.03 "
        "lower")));
    QVERIFY(text.contains(QLatin1String("- Thyroid (ann_thyroid_1v3): budget 30 below the 73")));
    QVERIFY(!text.contains(QLatin1String("below: Thyroid")));
    QVERIFY(text.contains(QLatin1String("With the published method, the mean recall ends below "
                                        "that of the base model alone on: yeast (0.20, base "
                                        "model alone 0.25).")));
    QVERIFY(!text.contains(QLatin1String("With the default method, the mean recall ends below")));
}

void tst_Experiment::overviewRejectsOldSummary()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile summary(dir.filePath(QStringLiteral("table2-summary.csv")));
    QVERIFY(summary.open(QIODevice::WriteOnly));
    summary.write(
        "table,items,anomalies,k,budget,base_mean,uai_mean\nyeast,1191,55,3,55,0.2,0.3\n");
    summary.close();
    const CliRun run = runCli({QStringLiteral("--name"),
                               QStringLiteral("overview"),
                               QStringLiteral("--out"),
                               dir.path(),
                               QStringLiteral("--page"),
                               dir.filePath(QStringLiteral("overview.md"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("column \"seeds\" is missing")), qPrintable(run.err));
    QVERIFY(run.err.contains(QLatin1String("table2-summary.csv")));
}

void tst_Experiment::overviewComparesImageLoopsWithBase()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString header =
        QStringLiteral("dataset,model,method,seed,round,verdicts,found,anomalies,ranked_by\n");
    // On mnist:hard the autoencoder's published loop (5 and 7) ends below its base ranking (8 and
    // 10); the classifier's loop ends above its own. The default method comes from the images
    // experiment's file.
    QVERIFY(writeText(dir.filePath(QStringLiteral("curves-runs.csv")),
                      header
                          + QStringLiteral("mnist:hard,dae,base,1,1,10,8,478,base\n"
                                           "mnist:hard,dae,base,2,1,10,10,478,base\n"
                                           "mnist:hard,dae,uai,1,1,10,5,478,uai\n"
                                           "mnist:hard,dae,uai,2,1,10,7,478,uai\n"
                                           "mnist:hard,class,base,1,1,10,1,478,base\n"
                                           "mnist:hard,class,base,2,1,10,3,478,base\n"
                                           "mnist:hard,class,uai,1,1,10,4,478,uai\n"
                                           "mnist:hard,class,uai,2,1,10,6,478,uai\n")));
    QVERIFY(
        writeText(dir.filePath(QStringLiteral("images-runs.csv")),
                  header
                      + QStringLiteral("mnist:hard,dae,score-forest-layer,1,1,10,9,478,base\n"
                                       "mnist:hard,dae,score-forest-layer,2,1,10,9,478,base\n")));
    const QString page = dir.filePath(QStringLiteral("overview.md"));
    const CliRun run = runOverview(dir.path(), page);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString text = readText(page);
    QVERIFY2(text.contains(QLatin1String("| mnist:hard | 10 | 9.0 (8.0-10.0) | 6.0 (5.0-7.0) | "
                                         "9.0 (9.0-9.0) | 2.0 (1.0-3.0) | 5.0 (4.0-6.0) |")),
             qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("- dae, published method: below its base model alone on "
                                         "1 of 1 sets: mnist:hard (6.0 against 9.0).")),
             qPrintable(text));
    // The autoencoder's default on images is the forest layer on its score.
    QVERIFY2(
        text.contains(QLatin1String("- dae, score-forest-layer (default): at or above its base "
                                    "model alone on 1 of 1 sets.")),
        qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("- class, published method (default): at or above its "
                                         "base model alone on 1 of 1 sets.")),
             qPrintable(text));

    // A row that does not parse is reported with its file and line.
    QVERIFY(writeText(dir.filePath(QStringLiteral("images-runs.csv")),
                      header + QStringLiteral("mnist:hard,dae,score-forest-layer,1,1,ten\n")));
    const CliRun bad = runOverview(dir.path(), page);
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains(QLatin1String("images-runs.csv\", line 2")), qPrintable(bad.err));
}

void tst_Experiment::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("name missing") << QStringList{} << QStringLiteral("--name is required");
    QTest::newRow("unknown name") << QStringList{QStringLiteral("--name"), QStringLiteral("tabel2")}
                                  << QStringLiteral("--name \"tabel2\" is not an experiment");
    QTest::newRow("unknown dataset")
        << QStringList{QStringLiteral("--name"),
                       QStringLiteral("table2"),
                       QStringLiteral("--data-dir"),
                       kDataDir,
                       QStringLiteral("--datasets"),
                       QStringLiteral("yeast,yaest")}
        << QStringLiteral("--datasets \"yaest\" is not a known dataset");
    QTest::newRow("bad image suffix") << QStringList{QStringLiteral("--name"),
                                                     QStringLiteral("curves"),
                                                     QStringLiteral("--data-dir"),
                                                     kDataDir,
                                                     QStringLiteral("--datasets"),
                                                     QStringLiteral("mnist:easy")}
                                      << QStringLiteral("--datasets \"mnist:easy\"");
    QTest::newRow("unknown method") << QStringList{QStringLiteral("--name"),
                                                   QStringLiteral("methods"),
                                                   QStringLiteral("--data-dir"),
                                                   kDataDir,
                                                   QStringLiteral("--methods"),
                                                   QStringLiteral("uai,magic")}
                                    << QStringLiteral("method \"magic\" is unknown");
    QTest::newRow("zero seeds") << QStringList{QStringLiteral("--name"),
                                               QStringLiteral("table2"),
                                               QStringLiteral("--data-dir"),
                                               kDataDir,
                                               QStringLiteral("--seeds"),
                                               QStringLiteral("0")}
                                << QStringLiteral("--seeds \"0\"");
    QTest::newRow("zero jobs") << QStringList{QStringLiteral("--name"),
                                              QStringLiteral("table2"),
                                              QStringLiteral("--data-dir"),
                                              kDataDir,
                                              QStringLiteral("--jobs"),
                                              QStringLiteral("0")}
                               << QStringLiteral("--jobs \"0\"");
    QTest::newRow("missing data folder") << QStringList{QStringLiteral("--name"),
                                                        QStringLiteral("table2"),
                                                        QStringLiteral("--data-dir"),
                                                        QStringLiteral("/nonexistent/data")}
                                         << QStringLiteral("--data-dir \"/nonexistent/data\"");
}

void tst_Experiment::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const CliRun run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(expected), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Experiment)
#include "tst_experiment.moc"
