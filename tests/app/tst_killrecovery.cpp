#include "sessionstore.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString kStudio = QStringLiteral(UAI_BUILD_DIR "/bin/uai-studio");
const QString kShuttleSub = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_sub.csv");

/// Kills per run of killedStudioLosesNoVerdict, unless UAI_KILL_COUNT sets another number.
constexpr int kDefaultKillCount = 8;
/// Seed of the kill delays. UAI_KILL_SEED overrides it, so a failing sequence can be replayed.
constexpr quint32 kDefaultKillSeed = 20240305;
/// Range of the delay between a run's first recorded verdict and its SIGKILL.
constexpr int kMinKillDelayMs = 300;
constexpr int kMaxKillDelayMs = 3000;
constexpr int kDemoPace = 50;
/// Items in shuttle_sub.csv, used as the budget so that the demo never stops on the budget.
constexpr int kShuttleSubItems = 2000;
/// A session with this many verdicts is replaced by a new one before the next start, so that
/// more items stay unlabeled than the demo can label before a kill (50 a second for 3 s).
constexpr int kNewSessionAfterVerdicts = kShuttleSubItems - 300;
/// Time for a start to record its first verdict: loading, pretraining or restoring, ranking.
constexpr int kFirstVerdictTimeoutMs = 60000;
/// Time a SIGTERM may take to end the process. The trainer stops within one training step.
constexpr int kTerminateTimeoutMs = 10000;

int environmentNumber(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

/// The recorded log as lines "<verdicts spent> <item index> <verdict>".
struct RecordedLog {
    int lines = 0;
    int incompleteLines = 0;                ///< A last line without its newline.
    qint64 completeBytes = 0;               ///< Size of the complete lines.
    QHash<qsizetype, QString> lastVerdicts; ///< Per item, the verdict of its last line.
    QString problem;                        ///< A line that does not parse, if any.
};

RecordedLog readRecordedLog(const QString &path)
{
    RecordedLog log;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return log;
    const QByteArray bytes = file.readAll();
    QList<QByteArray> lines = bytes.split('\n');
    // split() leaves an empty last element after a final newline, and the part after the last
    // newline otherwise: a line whose write a kill cut short, which is skipped.
    if (!lines.isEmpty()) {
        log.incompleteLines = lines.last().isEmpty() ? 0 : 1;
        log.completeBytes = bytes.size() - lines.last().size();
        lines.removeLast();
    }
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.split(' ');
        bool ok = fields.size() == 3;
        const qsizetype item = ok ? fields[1].toLongLong(&ok) : -1;
        if (!ok) {
            log.problem = QString::fromLatin1(line);
            return log;
        }
        log.lastVerdicts.insert(item, QString::fromLatin1(fields[2]));
        ++log.lines;
    }
    return log;
}

/// Verdicts of the recorded log that the session file does not hold.
struct Comparison {
    int sessionVerdicts = 0;
    QList<qsizetype> lostItems;
    QString firstLoss;
};

/// Opens the session with the store the application uses and compares its current verdicts with
/// the last logged verdict of each item. Fails the test when the session does not open.
Comparison compareWithSession(const RecordedLog &log, const QString &sessionPath)
{
    Comparison comparison;
    auto store = uai::SessionStore::open(sessionPath);
    if (!store.ok()) {
        QTest::qFail(qPrintable(QStringLiteral("session does not open: ") + store.error()),
                     __FILE__,
                     __LINE__);
        return comparison;
    }
    auto current = store.value()->currentVerdicts();
    if (!current.ok()) {
        QTest::qFail(qPrintable(current.error()), __FILE__, __LINE__);
        return comparison;
    }
    QHash<qsizetype, QString> stored;
    for (const uai::VerdictEvent &event : current.value())
        stored.insert(event.item, uai::verdictName(*event.verdict));
    comparison.sessionVerdicts = int(stored.size());

    for (auto it = log.lastVerdicts.cbegin(); it != log.lastVerdicts.cend(); ++it) {
        const QString expected = it.value() == QLatin1String("none") ? QString() : it.value();
        const QString actual = stored.value(it.key());
        if (actual == expected)
            continue;
        comparison.lostItems.append(it.key());
        if (comparison.firstLoss.isEmpty()) {
            comparison.firstLoss =
                QStringLiteral("item %1: logged \"%2\", session holds \"%3\"")
                    .arg(it.key())
                    .arg(it.value(), actual.isEmpty() ? QStringLiteral("none") : actual);
        }
    }
    return comparison;
}

QString findSessionFile(const QString &folder)
{
    QDirIterator it(folder,
                    {QStringLiteral("*.") + QLatin1String(uai::kSessionSuffix)},
                    QDir::Files,
                    QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

int lineCount(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? int(file.readAll().count('\n')) : 0;
}

} // namespace

class tst_KillRecovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void killedStudioLosesNoVerdict();
    void sigtermExitsCleanly_data();
    void sigtermExitsCleanly();

private:
    /// Settings of a new session: a small network, quick rounds, the demo at 50 verdicts/s.
    QStringList newSessionArguments(const QString &log) const;
    QStringList resumeArguments(const QString &sessionPath, const QString &log) const;
    void startStudio(const QStringList &arguments, const QString &loggingRules = {});
    /// Waits until the log has more than linesBefore lines, failing with stderr when the
    /// process ends or the time runs out.
    void waitForNewLine(const QString &log, int linesBefore);
    /// Waits until the process has written text to stderr.
    void waitForStderr(const QString &text);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_stderr;
};

void tst_KillRecovery::init()
{
    QVERIFY2(QFileInfo::exists(kStudio), qPrintable(kStudio));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_stderr.clear();
}

void tst_KillRecovery::cleanup()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(kTerminateTimeoutMs);
    }
    m_process.reset();
    m_dir.reset();
}

QStringList tst_KillRecovery::newSessionArguments(const QString &log) const
{
    return {QStringLiteral("--new"),
            QStringLiteral("--hidden"),
            QStringLiteral("32,8,2"),
            QStringLiteral("--pretrain-steps"),
            QStringLiteral("40"),
            QStringLiteral("--round-steps"),
            QStringLiteral("5"),
            QStringLiteral("--k"),
            QStringLiteral("5"),
            QStringLiteral("--budget"),
            QString::number(kShuttleSubItems),
            QStringLiteral("--demo"),
            QString::number(kDemoPace),
            QStringLiteral("--recorded-log"),
            log,
            kShuttleSub};
}

QStringList tst_KillRecovery::resumeArguments(const QString &sessionPath, const QString &log) const
{
    return {QStringLiteral("--demo"),
            QString::number(kDemoPace),
            QStringLiteral("--recorded-log"),
            log,
            sessionPath};
}

void tst_KillRecovery::startStudio(const QStringList &arguments, const QString &loggingRules)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                       m_dir->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("UAI_THREADS"), QStringLiteral("1"));
    if (!loggingRules.isEmpty())
        environment.insert(QStringLiteral("QT_LOGGING_RULES"), loggingRules);
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(environment);
    m_stderr.clear();
    m_process->start(kStudio, arguments);
    QVERIFY2(m_process->waitForStarted(), qPrintable(m_process->errorString()));
}

void tst_KillRecovery::waitForNewLine(const QString &log, int linesBefore)
{
    const auto ended = [this] { return m_process->state() == QProcess::NotRunning; };
    QTRY_VERIFY_WITH_TIMEOUT(lineCount(log) > linesBefore || ended(), kFirstVerdictTimeoutMs);
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    QVERIFY2(!ended(),
             qPrintable(QStringLiteral("uai-studio ended before it recorded a verdict; "
                                       "stderr:\n")
                        + m_stderr));
}

void tst_KillRecovery::waitForStderr(const QString &text)
{
    const auto seen = [this, &text] {
        m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
        return m_stderr.contains(text) || m_process->state() == QProcess::NotRunning;
    };
    QTRY_VERIFY_WITH_TIMEOUT(seen(), kFirstVerdictTimeoutMs);
    QVERIFY2(m_stderr.contains(text), qPrintable(m_stderr));
}

void tst_KillRecovery::killedStudioLosesNoVerdict()
{
    const int kills = environmentNumber("UAI_KILL_COUNT", kDefaultKillCount);
    const auto seed = quint32(environmentNumber("UAI_KILL_SEED", int(kDefaultKillSeed)));
    QRandomGenerator random(seed);
    const QString dataFolder = m_dir->filePath(QStringLiteral("data"));
    QElapsedTimer wall;
    wall.start();

    int sessions = 0;
    int totalRecorded = 0;
    // A lost verdict stays missing at the next kills too, so losses are counted once per item.
    QSet<QString> lostVerdicts;
    QString sessionPath;
    QString log;
    for (int kill = 1; kill <= kills; ++kill) {
        const bool newSession = sessionPath.isEmpty();
        if (newSession) {
            ++sessions;
            log = m_dir->filePath(QStringLiteral("recorded-%1.log").arg(sessions));
            QDir(dataFolder).removeRecursively();
            startStudio(newSessionArguments(log));
        } else {
            startStudio(resumeArguments(sessionPath, log));
        }
        if (QTest::currentTestFailed())
            return;
        const int linesBefore = lineCount(log);
        waitForNewLine(log, linesBefore);
        if (QTest::currentTestFailed())
            return;
        if (newSession) {
            sessionPath = findSessionFile(dataFolder);
            QVERIFY2(!sessionPath.isEmpty(), "no session file under XDG_DATA_HOME");
        }

        // A random delay before the kill, not a synchronisation.
        QTest::qWait(kMinKillDelayMs + int(random.bounded(kMaxKillDelayMs - kMinKillDelayMs)));
        QVERIFY2(m_process->state() == QProcess::Running,
                 qPrintable(QString::fromLocal8Bit(m_process->readAllStandardError())));
        m_process->kill();
        QVERIFY(m_process->waitForFinished(kTerminateTimeoutMs));
        QCOMPARE(m_process->exitStatus(), QProcess::CrashExit);

        const RecordedLog recorded = readRecordedLog(log);
        QVERIFY2(recorded.problem.isEmpty(), qPrintable(recorded.problem));
        QVERIFY(recorded.lines > linesBefore);
        // The next run appends, so a line cut short must not run into its first line.
        if (recorded.incompleteLines > 0)
            QVERIFY(QFile::resize(log, recorded.completeBytes));
        const Comparison comparison = compareWithSession(recorded, sessionPath);
        if (QTest::currentTestFailed()) {
            qWarning("kill %d of %d, seed %u: %s", kill, kills, seed, qPrintable(sessionPath));
            return;
        }
        totalRecorded += recorded.lines - linesBefore;
        for (const qsizetype item : comparison.lostItems)
            lostVerdicts.insert(QStringLiteral("%1 %2").arg(sessions).arg(item));
        if (!comparison.lostItems.isEmpty()) {
            qWarning("kill %d of %d, seed %u: %d logged verdicts missing from the session, first "
                     "%s",
                     kill,
                     kills,
                     seed,
                     int(comparison.lostItems.size()),
                     qPrintable(comparison.firstLoss));
        }
        if (comparison.sessionVerdicts >= kNewSessionAfterVerdicts)
            sessionPath.clear();
    }

    qInfo("kills %d, sessions %d, verdicts recorded %d, lost %d, wall %.1f s, seed %u",
          kills,
          sessions,
          totalRecorded,
          int(lostVerdicts.size()),
          wall.elapsed() / 1000.0,
          seed);
    QCOMPARE(lostVerdicts.size(), qsizetype(0));
}

void tst_KillRecovery::sigtermExitsCleanly_data()
{
    QTest::addColumn<QStringList>("settings");
    QTest::addColumn<QString>("trainerState");

    QTest::newRow("during pretraining")
        << QStringList{QStringLiteral("--pretrain-steps"), QStringLiteral("10000000")}
        << QStringLiteral("trainer state: \"pretraining\"");
    QTest::newRow("during a round") << QStringList{QStringLiteral("--round-steps"),
                                                   QStringLiteral("10000000"),
                                                   QStringLiteral("--demo"),
                                                   QString::number(kDemoPace)}
                                    << QStringLiteral("trainer state: \"training round 1\"");
}

void tst_KillRecovery::sigtermExitsCleanly()
{
    QFETCH(QStringList, settings);
    QFETCH(QString, trainerState);

    const QString log = m_dir->filePath(QStringLiteral("recorded.log"));
    QStringList arguments = {QStringLiteral("--new"),
                             QStringLiteral("--hidden"),
                             QStringLiteral("32,8,2"),
                             QStringLiteral("--pretrain-steps"),
                             QStringLiteral("40"),
                             QStringLiteral("--k"),
                             QStringLiteral("5"),
                             QStringLiteral("--recorded-log"),
                             log};
    // A later option replaces an earlier one of the same name.
    arguments += settings;
    arguments += kShuttleSub;
    startStudio(arguments, QStringLiteral("uai.ui.trainer.debug=true"));
    if (QTest::currentTestFailed())
        return;
    waitForStderr(trainerState);
    if (QTest::currentTestFailed())
        return;

    QElapsedTimer exit;
    exit.start();
    m_process->terminate();
    QVERIFY2(m_process->waitForFinished(kTerminateTimeoutMs), "no exit after SIGTERM");
    const double seconds = exit.elapsed() / 1000.0;
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    qInfo("exited %.3f s after SIGTERM", seconds);

    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    // The worker ended its request through the stop flag, between two training steps.
    QVERIFY2(m_stderr.contains(QLatin1String("Training stopped after")), qPrintable(m_stderr));
    QVERIFY2(!m_stderr.contains(QLatin1String("QThread")), qPrintable(m_stderr));
    QVERIFY2(!m_stderr.contains(QLatin1String("Destroyed while")), qPrintable(m_stderr));

    const QString sessionPath = findSessionFile(m_dir->filePath(QStringLiteral("data")));
    QVERIFY(!sessionPath.isEmpty());
    const RecordedLog recorded = readRecordedLog(log);
    QVERIFY2(recorded.problem.isEmpty(), qPrintable(recorded.problem));
    QCOMPARE(recorded.incompleteLines, 0);
    const Comparison comparison = compareWithSession(recorded, sessionPath);
    QVERIFY2(comparison.lostItems.isEmpty(), qPrintable(comparison.firstLoss));
}

QTEST_GUILESS_MAIN(tst_KillRecovery)
#include "tst_killrecovery.moc"
