#include "sessionstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace uai;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString casePath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/") + name;
}

QDateTime utc(int second, int millisecond = 0)
{
    return QDateTime(QDate(2024, 3, 5), QTime(14, 30, second, millisecond), Qt::UTC);
}

SessionHeader sampleHeader()
{
    SessionHeader header;
    header.datasetSpec = QStringLiteral("csv:/data/shuttle.csv?label=class");
    header.datasetName = QStringLiteral("shuttle");
    header.datasetFingerprint = QByteArray::fromHex("00ff10a5c3");
    header.itemCount = 49097;
    header.settings = QJsonObject{{QStringLiteral("budget"), 500},
                                  {QStringLiteral("queueSize"), 20},
                                  {QStringLiteral("seeds"), QJsonArray{1, 2, 3}}};
    header.created = utc(7, 250);
    header.createdBy = QStringLiteral("UAI Studio 0.1.0");
    return header;
}

VerdictEvent makeEvent(qsizetype item,
                       std::optional<Verdict> verdict,
                       int round = 1,
                       double baseScore = 0.5,
                       double uaiScore = 0.25)
{
    VerdictEvent event;
    event.item = item;
    event.itemId = QStringLiteral("row-%1").arg(item);
    event.verdict = verdict;
    event.round = round;
    event.time = utc(int(item % 60), int(item % 1000));
    event.baseScore = baseScore;
    event.uaiScore = uaiScore;
    event.analyst = QStringLiteral("ana");
    return event;
}

/// Compares doubles where NaN equals NaN, as the store keeps "no score" as NaN.
bool sameScore(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

/// Parses "3:anomaly", "3:normal", "3:unsure" or "3:-" (withdrawal).
VerdictEvent eventFromText(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(':'));
    const std::optional<Verdict> verdict =
        parts.at(1) == QLatin1String("-") ? std::nullopt : parseVerdict(parts.at(1));
    return makeEvent(parts.at(0).toLongLong(), verdict);
}

QString eventText(const VerdictEvent &event)
{
    return QStringLiteral("%1:%2")
        .arg(event.item)
        .arg(event.verdict ? verdictName(*event.verdict) : QStringLiteral("-"));
}

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// Runs SQL on an SQLite file through its own plain connection, as a foreign program would.
QString runSql(const QString &path, const QStringList &statements)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst.raw.%1").arg(++counter);
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            for (const QString &statement : statements) {
                if (!query.exec(statement)) {
                    error = query.lastError().text();
                    break;
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

} // namespace

class tst_SessionStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void createReopenRoundTripsHeader();
    void createAcceptsEmptyHeader();
    void reopenRoundTripsEvents();
    void sequencesStrictlyIncrease();
    void appendVisibleToOtherConnection();
    void appendRejectsInvalidEvent();
    void createRejectsExistingFile();
    void createRejectsMissingFolder();
    void currentVerdicts_data();
    void currentVerdicts();
    void checkpointNoneAtFirst();
    void checkpointReplacesSameRound();
    void checkpointPrunesOldRounds();
    void checkpointSurvivesReopen();
    void exportCsvContent();
    void openMissingFile();
    void openRejectsDamagedFile_data();
    void openRejectsDamagedFile();
    void openRejectsOtherFormatInLog_data();
    void openRejectsOtherFormatInLog();
    void openWhileAnotherStoreWrites();
    void concurrentStoresAppend();

private:
    QString sessionPath(const QString &name) const;
    /// Creates a closed session with some events and a checkpoint, so it spans several pages.
    void makeSession(const QString &path);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_SessionStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString tst_SessionStore::sessionPath(const QString &name) const
{
    return m_dir->filePath(name);
}

void tst_SessionStore::makeSession(const QString &path)
{
    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    SessionStore &store = *created.value();
    for (qsizetype item = 0; item < 40; ++item) {
        auto appended = store.appendVerdict(makeEvent(item, Verdict::Normal));
        QVERIFY2(appended.ok(), qPrintable(appended.error()));
    }
    RoundCheckpoint checkpoint;
    checkpoint.round = 1;
    checkpoint.verdictsUsed = 40;
    checkpoint.weights = QByteArray(64 * 1024, 'w');
    checkpoint.time = utc(30);
    const Status saved = store.saveCheckpoint(checkpoint);
    QVERIFY2(saved.ok(), qPrintable(saved.error()));
}

void tst_SessionStore::createReopenRoundTripsHeader()
{
    const QString path = sessionPath(QStringLiteral("header.uaisession"));
    const SessionHeader expected = sampleHeader();
    {
        auto created = SessionStore::create(path, expected);
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QCOMPARE(created.value()->path(), path);
        QCOMPARE(created.value()->header().created, expected.created);
    }

    auto opened = SessionStore::open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error()));
    const SessionHeader &header = opened.value()->header();
    QCOMPARE(header.formatVersion, kSessionFormatVersion);
    QCOMPARE(header.datasetSpec, expected.datasetSpec);
    QCOMPARE(header.datasetName, expected.datasetName);
    QCOMPARE(header.datasetFingerprint, expected.datasetFingerprint);
    QCOMPARE(header.itemCount, expected.itemCount);
    QCOMPARE(header.settings, expected.settings);
    QCOMPARE(header.created, expected.created);
    QCOMPARE(header.created.timeSpec(), Qt::UTC);
    QCOMPARE(header.createdBy, expected.createdBy);
    QCOMPARE(opened.value()->path(), path);
}

void tst_SessionStore::createAcceptsEmptyHeader()
{
    const QString path = sessionPath(QStringLiteral("blank.uaisession"));
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    {
        auto created = SessionStore::create(path, SessionHeader());
        QVERIFY2(created.ok(), qPrintable(created.error()));
    }

    auto opened = SessionStore::open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error()));
    const SessionHeader &header = opened.value()->header();
    QVERIFY(header.datasetSpec.isEmpty());
    QVERIFY(header.datasetFingerprint.isEmpty());
    QVERIFY(header.settings.isEmpty());
    QCOMPARE(header.itemCount, 0);
    QVERIFY(header.created >= before);
    QVERIFY(header.created <= QDateTime::currentDateTimeUtc());
}

void tst_SessionStore::reopenRoundTripsEvents()
{
    const QString path = sessionPath(QStringLiteral("events.uaisession"));
    std::vector<VerdictEvent> expected = {
        makeEvent(4, Verdict::Anomaly, 1, 0.875, 0.125),
        makeEvent(9, Verdict::Normal, 1, kNaN, kNaN),
        makeEvent(4, std::nullopt, 2, 1.0 / 3.0, kNaN),
        makeEvent(11, Verdict::Unsure, 2, -2.5e-17, 1.0),
    };
    expected[1].itemId = QStringLiteral("id with \"quotes\", commas and ünïcode");
    expected[3].analyst = QString();
    {
        auto created = SessionStore::create(path, sampleHeader());
        QVERIFY2(created.ok(), qPrintable(created.error()));
        for (VerdictEvent &event : expected) {
            auto sequence = created.value()->appendVerdict(event);
            QVERIFY2(sequence.ok(), qPrintable(sequence.error()));
            event.sequence = sequence.value();
        }
    }

    auto opened = SessionStore::open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error()));
    auto events = opened.value()->verdictEvents();
    QVERIFY2(events.ok(), qPrintable(events.error()));
    QCOMPARE(events.value().size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        const VerdictEvent &actual = events.value()[i];
        QCOMPARE(actual.sequence, expected[i].sequence);
        QCOMPARE(actual.item, expected[i].item);
        QCOMPARE(actual.itemId, expected[i].itemId);
        QCOMPARE(actual.verdict, expected[i].verdict);
        QCOMPARE(actual.round, expected[i].round);
        QCOMPARE(actual.time, expected[i].time);
        QCOMPARE(actual.time.timeSpec(), Qt::UTC);
        QVERIFY2(sameScore(actual.baseScore, expected[i].baseScore),
                 qPrintable(QString::number(actual.baseScore)));
        QVERIFY2(sameScore(actual.uaiScore, expected[i].uaiScore),
                 qPrintable(QString::number(actual.uaiScore)));
        QCOMPARE(actual.analyst, expected[i].analyst);
    }
}

void tst_SessionStore::sequencesStrictlyIncrease()
{
    auto created =
        SessionStore::create(sessionPath(QStringLiteral("seq.uaisession")), sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    qint64 previous = 0;
    for (qsizetype item = 0; item < 5; ++item) {
        auto sequence = created.value()->appendVerdict(makeEvent(item, Verdict::Normal));
        QVERIFY2(sequence.ok(), qPrintable(sequence.error()));
        QVERIFY(sequence.value() > previous);
        previous = sequence.value();
    }
}

void tst_SessionStore::appendVisibleToOtherConnection()
{
    // Another connection sees only committed data, so the append must have committed before it
    // returned. An append left in an open transaction would be lost if the process were killed.
    const QString path = sessionPath(QStringLiteral("visible.uaisession"));
    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    auto sequence = created.value()->appendVerdict(makeEvent(7, Verdict::Anomaly));
    QVERIFY2(sequence.ok(), qPrintable(sequence.error()));

    const QString name = QStringLiteral("tst.reader");
    qint64 count = -1;
    QString verdict;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*), MAX(verdict) FROM verdict_events")));
        QVERIFY(query.next());
        count = query.value(0).toLongLong();
        verdict = query.value(1).toString();
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    QCOMPARE(count, 1);
    QCOMPARE(verdict, QStringLiteral("anomaly"));
}

void tst_SessionStore::appendRejectsInvalidEvent()
{
    const QString path = sessionPath(QStringLiteral("invalid.uaisession"));
    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));

    auto negative = created.value()->appendVerdict(makeEvent(-1, Verdict::Normal));
    QVERIFY(!negative.ok());
    QVERIFY2(negative.error().contains(QStringLiteral("negative")), qPrintable(negative.error()));

    VerdictEvent untimed = makeEvent(3, Verdict::Normal);
    untimed.time = QDateTime();
    auto noTime = created.value()->appendVerdict(untimed);
    QVERIFY(!noTime.ok());
    QVERIFY2(noTime.error().contains(QStringLiteral("no valid time")), qPrintable(noTime.error()));

    auto events = created.value()->verdictEvents();
    QVERIFY2(events.ok(), qPrintable(events.error()));
    QVERIFY(events.value().empty());
}

void tst_SessionStore::createRejectsExistingFile()
{
    const QString path = sessionPath(QStringLiteral("taken.uaisession"));
    const QByteArray content("not to be overwritten");
    QVERIFY(writeAll(path, content));

    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY(!created.ok());
    QVERIFY2(created.error().contains(QStringLiteral("taken.uaisession")),
             qPrintable(created.error()));
    QVERIFY2(created.error().contains(QStringLiteral("already exists")),
             qPrintable(created.error()));
    QCOMPARE(readAll(path), content);
}

void tst_SessionStore::createRejectsMissingFolder()
{
    const QString path = sessionPath(QStringLiteral("absent/new.uaisession"));
    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY(!created.ok());
    QVERIFY2(created.error().contains(QStringLiteral("new.uaisession")),
             qPrintable(created.error()));
    QVERIFY2(created.error().contains(QStringLiteral("does not exist")),
             qPrintable(created.error()));
    QVERIFY(!QFileInfo::exists(path));
}

void tst_SessionStore::currentVerdicts_data()
{
    QTest::addColumn<QStringList>("appended");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("no events") << QStringList() << QStringList();
    QTest::newRow("one verdict") << QStringList{QStringLiteral("3:anomaly")}
                                 << QStringList{QStringLiteral("3:anomaly")};
    QTest::newRow("changed verdict moves to end")
        << QStringList{QStringLiteral("3:anomaly"),
                       QStringLiteral("5:normal"),
                       QStringLiteral("3:normal")}
        << QStringList{QStringLiteral("5:normal"), QStringLiteral("3:normal")};
    QTest::newRow("withdrawn item absent") << QStringList{QStringLiteral("3:anomaly"),
                                                          QStringLiteral("5:normal"),
                                                          QStringLiteral("3:-")}
                                           << QStringList{QStringLiteral("5:normal")};
    QTest::newRow("withdrawn then given again")
        << QStringList{QStringLiteral("3:anomaly"),
                       QStringLiteral("3:-"),
                       QStringLiteral("5:normal"),
                       QStringLiteral("3:unsure")}
        << QStringList{QStringLiteral("5:normal"), QStringLiteral("3:unsure")};
    QTest::newRow("withdrawal without verdict")
        << QStringList{QStringLiteral("8:-")} << QStringList();
    QTest::newRow("unsure kept") << QStringList{QStringLiteral("2:unsure"),
                                                QStringLiteral("1:anomaly")}
                                 << QStringList{QStringLiteral("2:unsure"),
                                                QStringLiteral("1:anomaly")};
}

void tst_SessionStore::currentVerdicts()
{
    QFETCH(QStringList, appended);
    QFETCH(QStringList, expected);

    auto created =
        SessionStore::create(sessionPath(QStringLiteral("current.uaisession")), sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    for (const QString &text : appended) {
        auto sequence = created.value()->appendVerdict(eventFromText(text));
        QVERIFY2(sequence.ok(), qPrintable(sequence.error()));
    }

    auto current = created.value()->currentVerdicts();
    QVERIFY2(current.ok(), qPrintable(current.error()));
    QStringList actual;
    for (const VerdictEvent &event : current.value())
        actual.append(eventText(event));
    QCOMPARE(actual, expected);
}

void tst_SessionStore::checkpointNoneAtFirst()
{
    auto created =
        SessionStore::create(sessionPath(QStringLiteral("empty.uaisession")), sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    auto latest = created.value()->latestCheckpoint();
    QVERIFY2(latest.ok(), qPrintable(latest.error()));
    QVERIFY(!latest.value().has_value());
}

void tst_SessionStore::checkpointReplacesSameRound()
{
    auto created =
        SessionStore::create(sessionPath(QStringLiteral("replace.uaisession")), sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    SessionStore &store = *created.value();

    RoundCheckpoint first{2, 10, QByteArray("first weights"), utc(1)};
    RoundCheckpoint second{2, 12, QByteArray("second\0weights", 14), utc(2, 5)};
    QVERIFY(store.saveCheckpoint(first).ok());
    const Status saved = store.saveCheckpoint(second);
    QVERIFY2(saved.ok(), qPrintable(saved.error()));

    auto latest = store.latestCheckpoint();
    QVERIFY2(latest.ok(), qPrintable(latest.error()));
    QVERIFY(latest.value().has_value());
    QCOMPARE(latest.value()->round, 2);
    QCOMPARE(latest.value()->verdictsUsed, 12);
    QCOMPARE(latest.value()->weights, second.weights);
    QCOMPARE(latest.value()->time, second.time);
}

void tst_SessionStore::checkpointPrunesOldRounds()
{
    const QString path = sessionPath(QStringLiteral("prune.uaisession"));
    auto created = SessionStore::create(path, sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    // Saved out of order, so that "newest" must mean the highest round, not the last saved.
    for (int round : {1, 2, 5, 3, 4}) {
        RoundCheckpoint checkpoint{
            round, round * 10, QByteArray(16, char('a' + round)), utc(round)};
        const Status saved = created.value()->saveCheckpoint(checkpoint);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
    }
    auto latest = created.value()->latestCheckpoint();
    QVERIFY2(latest.ok(), qPrintable(latest.error()));
    QVERIFY(latest.value().has_value());
    QCOMPARE(latest.value()->round, 5);
    QCOMPARE(latest.value()->weights, QByteArray(16, 'f'));
    created.value().reset();

    std::vector<int> rounds;
    const QString name = QStringLiteral("tst.rounds");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT round FROM checkpoints ORDER BY round")));
        while (query.next())
            rounds.push_back(query.value(0).toInt());
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    QCOMPARE(rounds.size(), size_t(SessionStore::kKeptCheckpoints));
    QCOMPARE(rounds, (std::vector<int>{3, 4, 5}));
}

void tst_SessionStore::checkpointSurvivesReopen()
{
    const QString path = sessionPath(QStringLiteral("reopen.uaisession"));
    const RoundCheckpoint expected{7, 70, QByteArray(100000, '\x7f'), utc(9, 999)};
    {
        auto created = SessionStore::create(path, sampleHeader());
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QVERIFY(created.value()->saveCheckpoint(expected).ok());
    }
    auto opened = SessionStore::open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error()));
    auto latest = opened.value()->latestCheckpoint();
    QVERIFY2(latest.ok(), qPrintable(latest.error()));
    QVERIFY(latest.value().has_value());
    QCOMPARE(latest.value()->round, expected.round);
    QCOMPARE(latest.value()->verdictsUsed, expected.verdictsUsed);
    QCOMPARE(latest.value()->weights, expected.weights);
    QCOMPARE(latest.value()->time, expected.time);
}

void tst_SessionStore::exportCsvContent()
{
    auto created =
        SessionStore::create(sessionPath(QStringLiteral("export.uaisession")), sampleHeader());
    QVERIFY2(created.ok(), qPrintable(created.error()));
    SessionStore &store = *created.value();

    VerdictEvent comma = makeEvent(1, Verdict::Anomaly, 1, 0.1, 0.75);
    comma.itemId = QStringLiteral("a,b");
    comma.time = QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5, 6), Qt::UTC);
    VerdictEvent quote = makeEvent(2, Verdict::Normal, 2, kNaN, kNaN);
    quote.itemId = QStringLiteral("say \"hi\"");
    quote.time = QDateTime(QDate(2024, 1, 2), QTime(3, 4, 6), Qt::UTC);
    VerdictEvent plain = makeEvent(3, Verdict::Unsure, 3, 123456789.125, 1.0 / 3.0);
    plain.itemId = QStringLiteral("img_0003.png");
    plain.time = QDateTime(QDate(2024, 1, 2), QTime(3, 4, 7, 890), Qt::UTC);
    VerdictEvent withdrawn = makeEvent(4, Verdict::Normal);
    VerdictEvent undo = makeEvent(4, std::nullopt);
    for (const VerdictEvent &event : {comma, quote, plain, withdrawn, undo})
        QVERIFY(store.appendVerdict(event).ok());

    const QString csvPath = sessionPath(QStringLiteral("verdicts.csv"));
    const Status exported = store.exportVerdictsCsv(csvPath);
    QVERIFY2(exported.ok(), qPrintable(exported.error()));
    const QByteArray expected = "item_id,verdict,round,time,base_score,uai_score\n"
                                "\"a,b\",anomaly,1,2024-01-02T03:04:05.006Z,0.1,0.75\n"
                                "\"say \"\"hi\"\"\",normal,2,2024-01-02T03:04:06.000Z,,\n"
                                "img_0003.png,unsure,3,2024-01-02T03:04:07.890Z,"
                                "123456789.125,0.3333333333333333\n";
    QCOMPARE(readAll(csvPath), expected);
}

void tst_SessionStore::openMissingFile()
{
    auto opened = SessionStore::open(sessionPath(QStringLiteral("nowhere.uaisession")));
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().contains(QStringLiteral("nowhere.uaisession")),
             qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(QStringLiteral("does not exist")), qPrintable(opened.error()));
    QVERIFY(!QFileInfo::exists(sessionPath(QStringLiteral("nowhere.uaisession"))));
}

void tst_SessionStore::openRejectsDamagedFile_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");

    QTest::newRow("zero bytes") << QStringLiteral("zero bytes")
                                << QStringLiteral("is empty, not a session");
    QTest::newRow("json text") << QStringLiteral("json text")
                               << QStringLiteral("does not start with an SQLite header");
    QTest::newRow("shared truncated json")
        << QStringLiteral("shared truncated json")
        << QStringLiteral("does not start with an SQLite header");
    QTest::newRow("shared zero bytes")
        << QStringLiteral("shared zero bytes") << QStringLiteral("is empty, not a session");
    QTest::newRow("header only") << QStringLiteral("header only")
                                 << QStringLiteral("shorter than an SQLite header");
    QTest::newRow("session cut in half")
        << QStringLiteral("session cut in half") << QStringLiteral("damaged");
    QTest::newRow("foreign sqlite")
        << QStringLiteral("foreign sqlite") << QStringLiteral("not a UAI Studio session file");
    QTest::newRow("newer format") << QStringLiteral("newer format")
                                  << QStringLiteral("newer version of UAI Studio (format 2; "
                                                    "this build reads up to 1)");
    QTest::newRow("pre-release format 0")
        << QStringLiteral("pre-release format 0")
        << QStringLiteral("older or pre-release version of UAI Studio (format 0; this build "
                          "reads format 1 and cannot upgrade format 0)");
    QTest::newRow("pre-release format 0 advice")
        << QStringLiteral("pre-release format 0")
        << QStringLiteral("or start a new session on the same data");
    QTest::newRow("negative format")
        << QStringLiteral("negative format")
        << QStringLiteral("invalid format version -3 (this build reads format 1)");
    QTest::newRow("table missing")
        << QStringLiteral("table missing") << QStringLiteral("checkpoints are missing");
    QTest::newRow("header key missing")
        << QStringLiteral("header key missing") << QStringLiteral("header is missing item_count");
}

void tst_SessionStore::openRejectsDamagedFile()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);

    const QString fileName = QStringLiteral("damaged.uaisession");
    const QString path = sessionPath(fileName);
    if (kind == QLatin1String("zero bytes")) {
        QVERIFY(writeAll(path, QByteArray()));
    } else if (kind == QLatin1String("json text")) {
        QVERIFY(writeAll(path, QByteArray(R"({"format":"session","version":1,"verdicts":[]})")));
    } else if (kind == QLatin1String("shared truncated json")) {
        QVERIFY(QFile::copy(casePath(QStringLiteral("session-truncated.json")), path));
    } else if (kind == QLatin1String("shared zero bytes")) {
        QVERIFY(QFile::copy(casePath(QStringLiteral("session-zero-bytes.json")), path));
    } else if (kind == QLatin1String("header only")) {
        QVERIFY(writeAll(path, QByteArray("SQLite format 3\0\x10\x00", 18)));
    } else if (kind == QLatin1String("session cut in half")) {
        const QString whole = sessionPath(QStringLiteral("whole.uaisession"));
        makeSession(whole);
        if (QTest::currentTestFailed())
            return;
        const QByteArray bytes = readAll(whole);
        QVERIFY(bytes.size() > 8 * 4096);
        QVERIFY(writeAll(path, bytes.left(bytes.size() / 2)));
        QVERIFY(QFile::remove(whole));
    } else if (kind == QLatin1String("foreign sqlite")) {
        const QString error =
            runSql(path,
                   {QStringLiteral("CREATE TABLE session (name TEXT, value TEXT)"),
                    QStringLiteral("INSERT INTO session VALUES ('a', 'b')")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else if (kind == QLatin1String("newer format")) {
        makeSession(path);
        if (QTest::currentTestFailed())
            return;
        const QString error = runSql(path, {QStringLiteral("PRAGMA user_version = 2")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else if (kind == QLatin1String("pre-release format 0")) {
        makeSession(path);
        if (QTest::currentTestFailed())
            return;
        const QString error = runSql(path, {QStringLiteral("PRAGMA user_version = 0")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else if (kind == QLatin1String("negative format")) {
        makeSession(path);
        if (QTest::currentTestFailed())
            return;
        const QString error = runSql(path, {QStringLiteral("PRAGMA user_version = -3")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else if (kind == QLatin1String("table missing")) {
        makeSession(path);
        if (QTest::currentTestFailed())
            return;
        const QString error = runSql(path, {QStringLiteral("DROP TABLE checkpoints")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else if (kind == QLatin1String("header key missing")) {
        makeSession(path);
        if (QTest::currentTestFailed())
            return;
        const QString error =
            runSql(path, {QStringLiteral("DELETE FROM session WHERE name = 'item_count'")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else {
        QFAIL("unknown kind of damaged file");
    }
    // An old modification time, so that a write during open() shows even on a coarse clock.
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(QDateTime::currentDateTimeUtc().addDays(-3),
                                 QFileDevice::FileModificationTime));
    }
    const QByteArray hashBefore = fileHash(path);
    const QDateTime modifiedBefore = QFileInfo(path).lastModified();
    const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

    auto opened = SessionStore::open(path);

    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().contains(fileName), qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(reason), qPrintable(opened.error()));
    QCOMPARE(fileHash(path), hashBefore);
    QCOMPARE(QFileInfo(path).lastModified(), modifiedBefore);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), filesBefore);
}

void tst_SessionStore::openRejectsOtherFormatInLog_data()
{
    QTest::addColumn<int>("userVersion");
    QTest::addColumn<QString>("reason");

    QTest::newRow("newer") << 2 << QStringLiteral("newer version of UAI Studio (format 2;");
    QTest::newRow("pre-release 0")
        << 0 << QStringLiteral("pre-release version of UAI Studio (format 0;");
}

void tst_SessionStore::openRejectsOtherFormatInLog()
{
    QFETCH(int, userVersion);
    QFETCH(QString, reason);

    // While a store has the file open, a change of user_version stays in the write-ahead log and
    // the main file's header still shows the old format, so only SQLite's view can catch it.
    const QString path = sessionPath(QStringLiteral("pending.uaisession"));
    auto writer = SessionStore::create(path, sampleHeader());
    QVERIFY2(writer.ok(), qPrintable(writer.error()));
    QVERIFY(writer.value()->appendVerdict(makeEvent(1, Verdict::Anomaly)).ok());
    const QString error =
        runSql(path, {QStringLiteral("PRAGMA user_version = %1").arg(userVersion)});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QByteArray mainHeader = readAll(path).left(100);
    QCOMPARE(mainHeader.at(63), char(1));
    const QByteArray hashBefore = fileHash(path);

    auto opened = SessionStore::open(path);

    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().contains(QStringLiteral("pending.uaisession")),
             qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(reason), qPrintable(opened.error()));
    QCOMPARE(fileHash(path), hashBefore);
    QVERIFY(writer.value()->appendVerdict(makeEvent(2, Verdict::Normal)).ok());
}

void tst_SessionStore::openWhileAnotherStoreWrites()
{
    const QString path = sessionPath(QStringLiteral("shared.uaisession"));
    auto writer = SessionStore::create(path, sampleHeader());
    QVERIFY2(writer.ok(), qPrintable(writer.error()));
    QVERIFY(writer.value()->appendVerdict(makeEvent(1, Verdict::Anomaly)).ok());
    QVERIFY(QFileInfo::exists(path + QStringLiteral("-wal")));

    auto reader = SessionStore::open(path);
    QVERIFY2(reader.ok(), qPrintable(reader.error()));
    QVERIFY(writer.value()->appendVerdict(makeEvent(2, Verdict::Normal)).ok());
    auto events = reader.value()->verdictEvents();
    QVERIFY2(events.ok(), qPrintable(events.error()));
    QCOMPARE(events.value().size(), size_t(2));
}

void tst_SessionStore::concurrentStoresAppend()
{
    const QString path = sessionPath(QStringLiteral("threads.uaisession"));
    constexpr int kPerThread = 60;
    auto mainStore = SessionStore::create(path, sampleHeader());
    QVERIFY2(mainStore.ok(), qPrintable(mainStore.error()));

    // The worker opens, uses and destroys its store on its own thread, because a Qt SQL
    // connection must stay on the thread that opened it.
    QStringList workerErrors;
    std::atomic<bool> workerOpened = false;
    std::thread worker([&] {
        auto store = SessionStore::open(path);
        if (!store.ok()) {
            workerErrors.append(store.error());
            return;
        }
        workerOpened = true;
        for (int i = 0; i < kPerThread; ++i) {
            auto sequence = store.value()->appendVerdict(makeEvent(1000 + i, Verdict::Normal));
            if (!sequence.ok())
                workerErrors.append(sequence.error());
        }
    });
    QStringList mainErrors;
    for (int i = 0; i < kPerThread; ++i) {
        auto sequence = mainStore.value()->appendVerdict(makeEvent(i, Verdict::Anomaly));
        if (!sequence.ok())
            mainErrors.append(sequence.error());
    }
    worker.join();

    QVERIFY2(workerErrors.isEmpty(), qPrintable(workerErrors.join(QLatin1Char('\n'))));
    QVERIFY2(mainErrors.isEmpty(), qPrintable(mainErrors.join(QLatin1Char('\n'))));
    QVERIFY(workerOpened);
    auto events = mainStore.value()->verdictEvents();
    QVERIFY2(events.ok(), qPrintable(events.error()));
    QCOMPARE(events.value().size(), size_t(2 * kPerThread));
    std::vector<qint64> sequences;
    for (const VerdictEvent &event : events.value())
        sequences.push_back(event.sequence);
    QVERIFY(std::adjacent_find(
                sequences.begin(), sequences.end(), [](qint64 a, qint64 b) { return a >= b; })
            == sequences.end());
    const auto workerEvents = std::count_if(events.value().begin(),
                                            events.value().end(),
                                            [](const VerdictEvent &e) { return e.item >= 1000; });
    QCOMPARE(workerEvents, std::ptrdiff_t(kPerThread));
}

QTEST_GUILESS_MAIN(tst_SessionStore)
#include "tst_sessionstore.moc"
