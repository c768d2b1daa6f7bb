#include "csvreader.h"
#include "labelingsession.h"
#include "mainwindow.h"
#include "sessionstore.h"
#include "torchruntime.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QMessageBox>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

const QString kShuttleSub = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_sub.csv");
/// How often the dialog watcher looks for the message box that openSession() shows.
constexpr int kDialogPollMs = 20;

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

/// Sets user_version through a plain SQLite connection, as another build of the program would
/// have written it. Returns the driver's error, or an empty string.
QString setUserVersion(const QString &path, int version)
{
    const QString name = QStringLiteral("tst.rejected.%1").arg(version);
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)))
                error = query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

/// Closes the first message box that becomes the active modal widget and keeps its title and
/// text. Offscreen, a modal dialog blocks its exec() until something closes it.
class MessageBoxCloser : public QObject
{
public:
    MessageBoxCloser()
    {
        connect(&m_poll, &QTimer::timeout, this, &MessageBoxCloser::closeActiveBox);
        m_poll.start(kDialogPollMs);
    }

    int closedCount() const { return m_closed; }
    QString title() const { return m_title; }
    QString text() const { return m_text; }

private:
    void closeActiveBox()
    {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        ++m_closed;
        m_title = box->windowTitle();
        m_text = box->text();
        box->done(QMessageBox::Ok);
    }

    QTimer m_poll;
    int m_closed = 0;
    QString m_title;
    QString m_text;
};

} // namespace

class tst_RejectedSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void openSessionShowsReason_data();
    void openSessionShowsReason();

private:
    /// Labels two items in a new session on a copy of shuttle_sub.csv and closes the window.
    void makeSession(const QString &dataPath, const QString &sessionPath);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_RejectedSessions::initTestCase()
{
    uai::configureTorchThreads(1);
    QCoreApplication::setOrganizationName(QStringLiteral("UAI Studio Tests"));
    QStandardPaths::setTestModeEnabled(true);
}

void tst_RejectedSessions::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_RejectedSessions::makeSession(const QString &dataPath, const QString &sessionPath)
{
    QVERIFY(QFile::copy(kShuttleSub, dataPath));
    auto loaded = uai::readCsv(dataPath);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    uai::SessionSettings settings;
    settings.loop.hiddenSizes = {32, 8, 2};
    settings.loop.pretrainSteps = 40;
    settings.loop.roundSteps = 5;
    settings.loop.queueSize = 5;

    uai::MainWindow window;
    window.show();
    QVERIFY(window.startSession(std::make_shared<const uai::Dataset>(std::move(loaded).value()),
                                dataPath,
                                settings,
                                sessionPath));
    uai::LabelingSession *session = window.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);
    QVERIFY(session->submitVerdict(uai::Verdict::Anomaly));
    QVERIFY(session->submitVerdict(uai::Verdict::Normal));
    QVERIFY(window.close());
}

void tst_RejectedSessions::openSessionShowsReason_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QStringList>("reasons");

    QTest::newRow("dataset missing")
        << QStringLiteral("remove data")
        << QStringList{QStringLiteral("its dataset \"%data%\" cannot be loaded"),
                       QStringLiteral("no such file"),
                       QStringLiteral("Put the original data back at that path")};
    QTest::newRow("pre-release format 0")
        << QStringLiteral("user_version 0")
        << QStringList{QStringLiteral("(format 0; this build reads format 1"),
                       QStringLiteral("start a new session on the same data")};
    QTest::newRow("newer format 2")
        << QStringLiteral("user_version 2")
        << QStringList{QStringLiteral("(format 2; this build reads up to 1)"),
                       QStringLiteral("Update UAI Studio")};
}

void tst_RejectedSessions::openSessionShowsReason()
{
    QFETCH(QString, change);
    QFETCH(QStringList, reasons);

    const QString dataPath = m_dir->filePath(QStringLiteral("shuttle-copy.csv"));
    const QString sessionName = QStringLiteral("rejected.uaisession");
    const QString sessionPath = m_dir->filePath(sessionName);
    makeSession(dataPath, sessionPath);
    if (QTest::currentTestFailed())
        return;
    if (change == QLatin1String("remove data")) {
        QVERIFY(QFile::remove(dataPath));
    } else {
        const int version = change.section(QLatin1Char(' '), 1).toInt();
        const QString error = setUserVersion(sessionPath, version);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    const QByteArray hashBefore = fileHash(sessionPath);

    uai::MainWindow window;
    window.show();
    MessageBoxCloser closer;
    const bool opened = window.openSession(sessionPath);

    QVERIFY(!opened);
    QVERIFY(window.session() == nullptr);
    QCOMPARE(closer.closedCount(), 1);
    QCOMPARE(closer.title(), QStringLiteral("Session Not Opened"));
    QVERIFY2(closer.text().contains(sessionName), qPrintable(closer.text()));
    for (QString reason : reasons) {
        reason.replace(QLatin1String("%data%"), dataPath);
        QVERIFY2(closer.text().contains(reason), qPrintable(closer.text()));
    }
    QCOMPARE(fileHash(sessionPath), hashBefore);
}

QTEST_MAIN(tst_RejectedSessions)
#include "tst_rejectedsessions.moc"
