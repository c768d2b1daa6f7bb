#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kCli = QStringLiteral(UAI_BUILD_DIR "/bin/uai-cli");
const QString kShuttleSub = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_sub.csv");

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

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runWritesCurveAndSummary();
    void badInputExitsTwo_data();
    void badInputExitsTwo();
};

void tst_Cli::runWritesCurveAndSummary()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString curve = dir.filePath(QStringLiteral("curve.csv"));
    const CliRun run = runCli({QStringLiteral("run"),
                               QStringLiteral("--data"),
                               kShuttleSub,
                               QStringLiteral("--budget"),
                               QStringLiteral("45"),
                               QStringLiteral("--k"),
                               QStringLiteral("10"),
                               QStringLiteral("--pretrain-steps"),
                               QStringLiteral("100"),
                               QStringLiteral("--round-steps"),
                               QStringLiteral("10"),
                               QStringLiteral("--curve"),
                               curve,
                               QStringLiteral("--quiet")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));

    // A feature table with the autoencoder: the default first queues use the isolation forest,
    // so its own curve is written and summarised too.
    static const QRegularExpression summary(
        QStringLiteral("^found (\\d+) of 140 anomalies with 45 verdicts \\(base model alone: "
                       "(\\d+), isolation forest alone: (\\d+)\\)\\n$"));
    const auto match = summary.match(run.out);
    QVERIFY2(match.hasMatch(), qPrintable(run.out));

    QFile file(curve);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), QStringLiteral("method,round,verdicts,found,ranked_by"));
    // Five rounds (10, 20, 30, 40, 45 verdicts) for each of the three methods.
    QCOMPARE(lines.size(), 1 + 5 + 5 + 5);
    QCOMPARE(lines[5].section(QLatin1Char(','), 0, 3),
             QStringLiteral("uai,5,45,") + match.captured(1));
    QCOMPARE(lines[10].section(QLatin1Char(','), 0, 3),
             QStringLiteral("base,5,45,") + match.captured(2));
    QCOMPARE(lines[15].section(QLatin1Char(','), 0, 3),
             QStringLiteral("iforest,5,45,") + match.captured(3));
    QVERIFY(lines[1].endsWith(QLatin1String(",base")));
}

void tst_Cli::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no command") << QStringList{} << QStringLiteral("Usage");
    QTest::newRow("unknown command")
        << QStringList{QStringLiteral("fly")} << QStringLiteral("unknown command");
    QTest::newRow("data missing") << QStringList{QStringLiteral("run")}
                                  << QStringLiteral("--data is required");
    QTest::newRow("budget not a number") << QStringList{QStringLiteral("run"),
                                                        QStringLiteral("--data"),
                                                        kShuttleSub,
                                                        QStringLiteral("--budget"),
                                                        QStringLiteral("many")}
                                         << QStringLiteral("--budget \"many\"");
    QTest::newRow("unknown model") << QStringList{QStringLiteral("run"),
                                                  QStringLiteral("--data"),
                                                  kShuttleSub,
                                                  QStringLiteral("--model"),
                                                  QStringLiteral("forest")}
                                   << QStringLiteral("--model \"forest\"");
    QTest::newRow("unreadable data") << QStringList{QStringLiteral("run"),
                                                    QStringLiteral("--data"),
                                                    QStringLiteral("/nonexistent.csv")}
                                     << QStringLiteral("/nonexistent.csv");
    QTest::newRow("ragged CSV") << QStringList{QStringLiteral("run"),
                                               QStringLiteral("--data"),
                                               QStringLiteral(UAI_SHARED_DIR
                                                              "/cases/csv-ragged-rows.csv")}
                                << QStringLiteral("line 4");
}

void tst_Cli::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const CliRun run = runCli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(expected), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
