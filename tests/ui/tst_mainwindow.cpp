#include "chartspanel.h"
#include "csvreader.h"
#include "datasource.h"
#include "discoverychartview.h"
#include "labelingsession.h"
#include "latentchartview.h"
#include "mainwindow.h"
#include "queuepanel.h"
#include "sessionstore.h"
#include "suspectview.h"
#include "torchruntime.h"
#include "trainercontroller.h"

#include <QFile>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <algorithm>

namespace {

const QString kShuttleSub = QStringLiteral(UAI_SHARED_DIR "/data/tabular/shuttle_sub.csv");

uai::SessionSettings quickSettings()
{
    uai::SessionSettings settings;
    settings.loop.hiddenSizes = {32, 8, 2};
    settings.loop.pretrainSteps = 40;
    settings.loop.roundSteps = 5;
    settings.loop.queueSize = 5;
    settings.budget = 200;
    return settings;
}

/// Waits until the session has a full ranking and the trainer is idle.
void waitForFullRanking(const uai::LabelingSession *session)
{
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr
                                 && !session->latestReport()->preliminary
                                 && !session->trainer()->isBusy(),
                             60000);
}

/// Gives the given verdict keys in the window and waits until the next round is ranked.
void labelAndWaitForRound(uai::MainWindow &window,
                          const uai::LabelingSession *session,
                          const QList<Qt::Key> &keys)
{
    const int round = session->round();
    for (const Qt::Key key : keys)
        QTest::keyClick(&window, key);
    QTRY_VERIFY_WITH_TIMEOUT(session->round() > round && !session->trainer()->isBusy(), 60000);
}

std::vector<uai::VerdictEvent> storedEvents(const QString &path)
{
    auto store = uai::SessionStore::open(path);
    if (!store.ok())
        qFatal("%s", qPrintable(store.error()));
    auto events = store.value()->verdictEvents();
    return events.ok() ? events.value() : std::vector<uai::VerdictEvent>{};
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void verdictKeysWriteSessionFile();
    void undoAndRedoAppendEvents();
    void roundUpdatesCharts();
    void reopenedSessionContinues();
    void changedDatasetIsRejected();
    void closingDuringPretrainingStopsWorker();
    void preliminaryRankingDuringPretraining();
    void demoWaitsForFullRanking();
    void plantedOutlierSuspectedFirst();
    void forestRankingOrdersWindowQueue();
    void statusBarNamesForestLayer();
    void imagesRankByForestLayerOnScore();
    void olderImageSessionKeepsScoreRanking();

private:
    bool
    startWindow(uai::MainWindow &window, const QString &data, const uai::SessionSettings &settings);
    void startDuringPretraining(uai::MainWindow &window);
    QTemporaryDir m_dir;
    QString m_sessionPath;
};

void tst_MainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    uai::configureTorchThreads(1);
    QCoreApplication::setOrganizationName(QStringLiteral("UAI Studio Tests"));
    QStandardPaths::setTestModeEnabled(true);
}

void tst_MainWindow::init()
{
    static int counter = 0;
    m_sessionPath = m_dir.filePath(QStringLiteral("session-%1.uaisession").arg(++counter));
}

bool tst_MainWindow::startWindow(uai::MainWindow &window,
                                 const QString &data,
                                 const uai::SessionSettings &settings)
{
    auto loaded = uai::readCsv(data);
    if (!loaded.ok())
        return false;
    window.show();
    if (!QTest::qWaitForWindowActive(&window))
        return false;
    return window.startSession(std::make_shared<const uai::Dataset>(std::move(loaded).value()),
                               data,
                               settings,
                               m_sessionPath);
}

void tst_MainWindow::verdictKeysWriteSessionFile()
{
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
    uai::LabelingSession *session = window.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);

    const qsizetype first = session->currentItem();
    QVERIFY(first >= 0);
    QCOMPARE(window.suspectView()->details().item, first);
    QTest::keyClick(&window, Qt::Key_A);
    const qsizetype second = session->currentItem();
    QVERIFY(second != first);
    // The next suspect is on screen right after the key press, without waiting for training.
    QCOMPARE(window.suspectView()->details().item, second);
    QTest::keyClick(&window, Qt::Key_N);
    const qsizetype third = session->currentItem();
    QTest::keyClick(&window, Qt::Key_U);

    const auto events = storedEvents(m_sessionPath);
    QCOMPARE(events.size(), size_t(3));
    QCOMPARE(events[0].item, first);
    QCOMPARE(events[0].verdict, std::optional(uai::Verdict::Anomaly));
    QCOMPARE(events[0].itemId, session->dataset().itemIds[first]);
    QCOMPARE(events[1].item, second);
    QCOMPARE(events[1].verdict, std::optional(uai::Verdict::Normal));
    QCOMPARE(events[2].item, third);
    QCOMPARE(events[2].verdict, std::optional(uai::Verdict::Unsure));
    QCOMPARE(session->verdictsSpent(), 3);
    QCOMPARE(session->anomalyVerdicts(), 1);
    QCOMPARE(window.queuePanel()->table()->item(window.queuePanel()->rowOfItem(first), 4)->text(),
             QStringLiteral("anomaly"));
}

void tst_MainWindow::undoAndRedoAppendEvents()
{
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
    uai::LabelingSession *session = window.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);

    const qsizetype item = session->currentItem();
    QTest::keyClick(&window, Qt::Key_A);
    QVERIFY(session->verdictFor(item).has_value());
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(!session->verdictFor(item).has_value());
    QCOMPARE(session->currentItem(), item);
    QCOMPARE(session->verdictsSpent(), 0);
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(session->verdictFor(item), std::optional(uai::Verdict::Anomaly));

    const auto events = storedEvents(m_sessionPath);
    QCOMPARE(events.size(), size_t(3));
    QCOMPARE(events[1].item, item);
    QVERIFY(!events[1].verdict.has_value());
    QCOMPARE(events[2].verdict, std::optional(uai::Verdict::Anomaly));
}

void tst_MainWindow::roundUpdatesCharts()
{
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
    uai::LabelingSession *session = window.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);
    QSignalSpy rounds(session->trainer(), &uai::TrainerController::roundFinished);

    // Give the ground truth as the verdict for the whole first queue; the fifth verdict starts a
    // round.
    for (int i = 0; i < 5; ++i) {
        const qsizetype item = session->currentItem();
        const bool anomaly = session->dataset().truth[size_t(item)] == uai::Truth::Anomaly;
        QTest::keyClick(&window, anomaly ? Qt::Key_A : Qt::Key_N);
    }
    QVERIFY(rounds.wait(60000));
    QCOMPARE(session->round(), 1);
    QCOMPARE(session->history().size(), size_t(2));

    window.chartsPanel()->refreshNow();
    const auto &latent = window.chartsPanel()->latentChart()->data();
    QCOMPARE(latent.size() + latent.skippedNonFinite, session->dataset().itemCount);
    const auto labeled = std::count_if(latent.category.begin(), latent.category.end(), [](auto c) {
        return c != uai::PointCategory::Unlabeled;
    });
    QCOMPARE(labeled, 5);
    QCOMPARE(qsizetype(latent.trueAnomaly.size()), latent.size());
    QCOMPARE(window.chartsPanel()->roundSlider()->maximum(), 1);

    // The slider goes back to the ranking after pretraining, before any verdict.
    window.chartsPanel()->roundSlider()->setValue(0);
    const auto &before = window.chartsPanel()->latentChart()->data();
    QVERIFY(std::all_of(before.category.begin(), before.category.end(), [](auto c) {
        return c == uai::PointCategory::Unlabeled;
    }));
    QVERIFY(!session->discoveryCurve().empty());
    QCOMPARE(session->discoveryCurve().back().verdicts, 5);
}

void tst_MainWindow::reopenedSessionContinues()
{
    std::vector<qsizetype> labeled;
    {
        uai::MainWindow window;
        QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
        uai::LabelingSession *session = window.session();
        QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);
        for (int i = 0; i < 7; ++i) {
            labeled.push_back(session->currentItem());
            QTest::keyClick(&window, i % 3 == 0 ? Qt::Key_A : Qt::Key_N);
        }
        session->setBudget(321);
        QTRY_VERIFY_WITH_TIMEOUT(!session->trainer()->isBusy(), 60000);
        window.close();
    }

    uai::MainWindow window;
    window.show();
    QVERIFY(window.openSession(m_sessionPath));
    uai::LabelingSession *session = window.session();
    QCOMPARE(session->verdictsSpent(), 7);
    QCOMPARE(session->budget(), 321);
    for (size_t i = 0; i < labeled.size(); ++i) {
        const auto expected = i % 3 == 0 ? uai::Verdict::Anomaly : uai::Verdict::Normal;
        QCOMPARE(session->verdictFor(labeled[i]), std::optional(expected));
    }
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr, 60000);
    QVERIFY(session->round() >= 1);
    for (const auto &entry : session->queue())
        QVERIFY(std::find(labeled.begin(), labeled.end(), entry.item) == labeled.end());
    QVERIFY(session->currentItem() >= 0);
}

void tst_MainWindow::changedDatasetIsRejected()
{
    const QString copy = m_dir.filePath(QStringLiteral("changing.csv"));
    QFile::remove(copy);
    QVERIFY(QFile::copy(kShuttleSub, copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    {
        uai::MainWindow window;
        QVERIFY(startWindow(window, copy, quickSettings()));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->latestReport() != nullptr, 60000);
        QTest::keyClick(&window, Qt::Key_N);
        window.close();
    }
    QFile file(copy);
    QVERIFY(file.open(QIODevice::Append));
    file.write("nominal,1,2,3,4,5,6,7,8,9\n");
    file.close();

    const auto resumed = uai::LabelingSession::resume(m_sessionPath);
    QVERIFY(!resumed.ok());
    QVERIFY2(resumed.error().contains(QLatin1String("changed")), qPrintable(resumed.error()));
    QCOMPARE(storedEvents(m_sessionPath).size(), size_t(1));
}

void tst_MainWindow::closingDuringPretrainingStopsWorker()
{
    uai::SessionSettings settings = quickSettings();
    settings.loop.pretrainSteps = 10000000;
    auto window = std::make_unique<uai::MainWindow>();
    QVERIFY(startWindow(*window, kShuttleSub, settings));
    uai::TrainerController *trainer = window->session()->trainer();
    QSignalSpy progress(trainer, &uai::TrainerController::progressChanged);
    QVERIFY(progress.wait(30000));
    QCOMPARE(trainer->state(), uai::TrainerController::State::Pretraining);
    // Closing requests a stop, which the worker checks between two steps, and joins the thread.
    QVERIFY(window->close());
    QVERIFY(window->session() == nullptr);
    window.reset();
}

/// Starts a session on shuttle_sub whose pretraining does not end during the test, and waits for
/// its first suspects, which come from a ranking taken while pretraining goes on.
void tst_MainWindow::startDuringPretraining(uai::MainWindow &window)
{
    uai::SessionSettings settings = quickSettings();
    settings.loop.pretrainSteps = 10000000;
    QVERIFY(startWindow(window, kShuttleSub, settings));
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->latestReport() != nullptr, 60000);
    QVERIFY(window.session()->latestReport()->preliminary);
}

void tst_MainWindow::preliminaryRankingDuringPretraining()
{
    uai::MainWindow window;
    startDuringPretraining(window);
    if (QTest::currentTestFailed())
        return;
    uai::LabelingSession *session = window.session();
    QCOMPARE(session->trainer()->state(), uai::TrainerController::State::Pretraining);
    const qsizetype item = session->currentItem();
    QVERIFY(item >= 0);
    QCOMPARE(window.suspectView()->details().item, item);
    QTest::keyClick(&window, Qt::Key_N);
    QCOMPARE(session->verdictFor(item), std::optional(uai::Verdict::Normal));
    QCOMPARE(storedEvents(m_sessionPath).size(), size_t(1));
    QCOMPARE(session->trainer()->state(), uai::TrainerController::State::Pretraining);
    QVERIFY(session->baseCurve().empty());
    QVERIFY(window.close());
}

void tst_MainWindow::demoWaitsForFullRanking()
{
    // While pretraining goes on, the queue comes from a preliminary ranking, and the demo's
    // simulated analyst gives no verdict.
    {
        uai::MainWindow window;
        startDuringPretraining(window);
        if (QTest::currentTestFailed())
            return;
        window.setDemoPace(50);
        window.setDemoMode(true);
        QTest::qWait(600);
        QCOMPARE(window.session()->verdictsSpent(), 0);
        QVERIFY(window.close());
    }

    // After pretraining it labels only suspects of the newest full ranking, never items queued
    // from the previous ranking while a round trains.
    m_sessionPath = m_dir.filePath(QStringLiteral("demo-after-pretraining.uaisession"));
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
    uai::LabelingSession *session = window.session();
    int answeredEarly = 0;
    connect(session, &uai::LabelingSession::verdictRecorded, this, [&](qsizetype item) {
        const auto report = session->latestReport();
        const int row = window.queuePanel()->rowOfItem(item);
        if (!report || report->preliminary
            || (row >= 0 && session->queue()[size_t(row)].provisional))
            ++answeredEarly;
    });
    window.setDemoPace(50);
    window.setDemoMode(true);
    QTRY_VERIFY_WITH_TIMEOUT(session->verdictsSpent() >= 15, 60000);
    window.setDemoMode(false);
    QCOMPARE(answeredEarly, 0);
    // Each queue of 5 items was labeled after its own round arrived.
    QTRY_VERIFY_WITH_TIMEOUT(!session->trainer()->isBusy(), 60000);
    QVERIFY2(session->round() >= 3, qPrintable(QString::number(session->round())));
    QVERIFY(window.close());
}

void tst_MainWindow::plantedOutlierSuspectedFirst()
{
    // 33 rows with the default network and the published ranking: the scores are cross-fitted,
    // and the planted outlier, the last row, is the first suspect once pretraining ends.
    uai::SessionSettings settings;
    settings.loop.baseRanking = uai::BaseRanking::AnomalyScore;
    settings.loop.pretrainSteps = 300;
    settings.budget = 10;
    uai::MainWindow window;
    QVERIFY(startWindow(window, QStringLiteral(UAI_SHARED_DIR "/cases/csv-rows-33.csv"), settings));
    uai::LabelingSession *session = window.session();
    QSignalSpy progress(session->trainer(), &uai::TrainerController::progressChanged);
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr
                                 && !session->latestReport()->preliminary
                                 && !session->trainer()->isBusy(),
                             120000);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(1).toInt(), 300 * 6);
    QCOMPARE(session->currentItem(), qsizetype(32));
    QCOMPARE(window.suspectView()->details().item, qsizetype(32));
    QVERIFY(window.close());
}

void tst_MainWindow::forestRankingOrdersWindowQueue()
{
    // With the isolation forest ranking the first queues, the window shows the engine's queue,
    // not the base model's anomaly-score order.
    uai::SessionSettings settings = quickSettings();
    settings.loop.baseRanking = uai::BaseRanking::IsolationForest;
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, settings));
    uai::LabelingSession *session = window.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->latestReport() != nullptr
                                 && !session->latestReport()->preliminary
                                 && !session->trainer()->isBusy(),
                             60000);
    const auto report = session->latestReport();
    QVERIFY(!report->rankedByUai);
    QCOMPARE(report->baseRankingKey, report->extraScore);
    QCOMPARE(session->currentItem(), report->queue.front());
    std::vector<qsizetype> windowQueue;
    for (const uai::LabelingSession::QueueEntry &entry : session->queue())
        windowQueue.push_back(entry.item);
    QCOMPARE(windowQueue, report->queue);
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("rankingLabel"))->text(),
             QStringLiteral("Queue by the isolation forest"));
    QVERIFY(window.close());
}

void tst_MainWindow::statusBarNamesForestLayer()
{
    // A feature table with the default settings: the forest layer ranks every queue, also
    // after an anomaly and a normal verdict, when the published rule would hand the queue to
    // the UAI layer.
    uai::MainWindow window;
    QVERIFY(startWindow(window, kShuttleSub, quickSettings()));
    uai::LabelingSession *session = window.session();
    waitForFullRanking(session);
    if (QTest::currentTestFailed())
        return;
    const auto *label = window.findChild<QLabel *>(QStringLiteral("rankingLabel"));
    QCOMPARE(label->text(), QStringLiteral("Queue by the forest layer"));
    labelAndWaitForRound(window, session, {Qt::Key_A, Qt::Key_N, Qt::Key_N, Qt::Key_N, Qt::Key_N});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!session->latestReport()->rankedByUai);
    QCOMPARE(label->text(), QStringLiteral("Queue by the forest layer"));

    // The queue's ranking column and the suspect's header show the forest layer's logit, which
    // orders the queue, instead of an unused UAI score.
    QTableWidget *table = window.queuePanel()->table();
    QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("Forest layer"));
    QVERIFY(table->rowCount() > 1);
    bool ok = false;
    const double first = table->item(0, 3)->text().toDouble(&ok);
    QVERIFY2(ok, qPrintable(table->item(0, 3)->text()));
    const double second = table->item(1, 3)->text().toDouble(&ok);
    QVERIFY2(ok, qPrintable(table->item(1, 3)->text()));
    QVERIFY(first >= second);
    const QString header = window.suspectView()->headerText();
    QVERIFY2(header.contains(QLatin1String("forest layer ")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("verdicts ")), qPrintable(header));
    QVERIFY(window.close());
}

void tst_MainWindow::imagesRankByForestLayerOnScore()
{
    // 17 images of 8 x 8 pixels with the autoencoder and the automatic ranking, which on images
    // is the forest layer anchored on the autoencoder's score. It ranks every queue. The suspect
    // header splits its logit into the standardised log score and what the verdicts added.
    const QString spec = QStringLiteral(UAI_SHARED_DIR "/cases/idx-valid-images-17x8x8.idx.gz");
    auto loaded = uai::loadDataSource(spec);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(loaded.value().kind, uai::DatasetKind::Images);
    uai::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    uai::SessionSettings settings = quickSettings();
    settings.loop.baseRanking = uai::BaseRanking::Automatic;
    QVERIFY(window.startSession(std::make_shared<const uai::Dataset>(std::move(loaded).value()),
                                spec,
                                settings,
                                m_sessionPath));
    uai::LabelingSession *session = window.session();
    waitForFullRanking(session);
    if (QTest::currentTestFailed())
        return;
    const auto *label = window.findChild<QLabel *>(QStringLiteral("rankingLabel"));
    QCOMPARE(label->text(), QStringLiteral("Queue by the forest layer on the anomaly score"));
    labelAndWaitForRound(window, session, {Qt::Key_A, Qt::Key_N, Qt::Key_N, Qt::Key_N, Qt::Key_N});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!session->latestReport()->rankedByUai);
    QCOMPARE(label->text(), QStringLiteral("Queue by the forest layer on the anomaly score"));
    QCOMPARE(window.queuePanel()->table()->horizontalHeaderItem(3)->text(),
             QStringLiteral("Forest layer"));
    // At the default window size the queue keeps room for ids such as "index 5550" beside the
    // ranking column. A narrower panel elides their start, so the distinguishing end stays.
    const QTableWidget *queue = window.queuePanel()->table();
    QCOMPARE(window.width(), 1400);
    QVERIFY2(queue->columnWidth(1)
                 > queue->fontMetrics().horizontalAdvance(QStringLiteral("index 5550")),
             qPrintable(QString::number(queue->columnWidth(1))));
    QCOMPARE(window.queuePanel()->table()->textElideMode(), Qt::ElideLeft);
    QVERIFY(!window.queuePanel()->table()->wordWrap());
    const QString header = window.suspectView()->headerText();
    QVERIFY2(header.contains(QLatin1String("(log score ")), qPrintable(header));
    QVERIFY2(header.contains(QLatin1String("verdicts ")), qPrintable(header));
    QVERIFY(window.close());
}

void tst_MainWindow::olderImageSessionKeepsScoreRanking()
{
    // An image session saved when the automatic ranking meant the autoencoder's score on images
    // resumes with that score and its verdicts, not with the forest layer that "auto" means now.
    const QString spec = QStringLiteral(UAI_SHARED_DIR "/cases/idx-valid-images-17x8x8.idx.gz");
    {
        auto loaded = uai::loadDataSource(spec);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        uai::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.startSession(std::make_shared<const uai::Dataset>(std::move(loaded).value()),
                                    spec,
                                    quickSettings(),
                                    m_sessionPath));
        uai::LabelingSession *session = window.session();
        waitForFullRanking(session);
        if (QTest::currentTestFailed())
            return;
        QTest::keyClick(&window, Qt::Key_N);
        QTRY_VERIFY_WITH_TIMEOUT(!session->trainer()->isBusy(), 60000);
        QVERIFY(window.close());
    }
    {
        auto store = uai::SessionStore::open(m_sessionPath);
        QVERIFY2(store.ok(), qPrintable(store.error()));
        QJsonObject older = store.value()->header().settings;
        QCOMPARE(older.value(QStringLiteral("base_ranking")).toString(), QStringLiteral("auto"));
        QVERIFY(older.contains(QStringLiteral("automatic_ranking_version")));
        older.remove(QStringLiteral("automatic_ranking_version"));
        const uai::Status updated = store.value()->updateSettings(older);
        QVERIFY2(updated.ok(), qPrintable(updated.error()));
    }

    uai::MainWindow window;
    window.show();
    QVERIFY(window.openSession(m_sessionPath));
    uai::LabelingSession *session = window.session();
    QCOMPARE(session->verdictsSpent(), 1);
    QCOMPARE(session->settings().loop.baseRanking, uai::BaseRanking::AnomalyScore);
    waitForFullRanking(session);
    if (QTest::currentTestFailed())
        return;
    const auto *label = window.findChild<QLabel *>(QStringLiteral("rankingLabel"));
    QCOMPARE(label->text(), QStringLiteral("Queue by the anomaly score"));
    QCOMPARE(window.queuePanel()->table()->horizontalHeaderItem(3)->text(), QStringLiteral("UAI"));
    QVERIFY(window.close());
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
