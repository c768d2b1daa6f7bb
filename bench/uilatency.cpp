// Measures the labeling window's responsiveness: the time from a verdict key press to the next
// suspect painted, the time from the verdict that completes a queue to the next queue, and the
// time from opening a dataset to the first suspect on screen. The analyst is simulated from the
// ground truth at a fixed pace while the trainer works in its thread.

#include "benchsupport.h"
#include "labelingsession.h"
#include "mainwindow.h"
#include "suspectview.h"
#include "torchruntime.h"
#include "trainercontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace benchsupport;

namespace {

/// Records when the watched widget last painted.
class PaintClock : public QObject
{
public:
    explicit PaintClock(QElapsedTimer *clock)
        : m_clock(clock)
    {}
    qint64 lastPaintNs = -1;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            lastPaintNs = m_clock->nsecsElapsed();
        return QObject::eventFilter(watched, event);
    }

private:
    QElapsedTimer *m_clock;
};

/// Runs the event loop until the condition holds or the timeout passes.
template<typename Condition>
bool waitFor(Condition condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measures verdict-to-next-suspect latency."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("Data spec. Default: fashion-mnist:0."),
         QStringLiteral("spec")},
        {QStringLiteral("model"),
         QStringLiteral("dae or class. Default: class."),
         QStringLiteral("name")},
        {QStringLiteral("verdicts"),
         QStringLiteral("Verdicts to give. Default: 200."),
         QStringLiteral("count")},
        {QStringLiteral("pace-ms"),
         QStringLiteral("Pause between verdicts. Default: 250."),
         QStringLiteral("ms")},
    });
    parser.process(app);
    const QString spec = parser.value(QStringLiteral("data")).isEmpty()
                             ? QStringLiteral("fashion-mnist:0")
                             : parser.value(QStringLiteral("data"));
    const int verdicts = parser.isSet(QStringLiteral("verdicts"))
                             ? parser.value(QStringLiteral("verdicts")).toInt()
                             : 200;
    const int paceMs = parser.isSet(QStringLiteral("pace-ms"))
                           ? parser.value(QStringLiteral("pace-ms")).toInt()
                           : 250;

    uai::configureTorchThreads(0);
    std::printf("machine: %s, %d logical CPUs; %s\n",
                qPrintable(QSysInfo::prettyProductName()),
                QThread::idealThreadCount(),
                qPrintable(uai::describeTorchRuntime()));
    std::printf("platform: %s, data: %s, model: %s, %d verdicts every %d ms\n",
                qPrintable(QGuiApplication::platformName()),
                qPrintable(spec),
                parser.value(QStringLiteral("model")) == QLatin1String("dae") ? "dae" : "class",
                verdicts,
                paceMs);

    uai::SessionSettings settings;
    settings.loop.model = parser.value(QStringLiteral("model")) == QLatin1String("dae")
                              ? uai::ModelKind::Autoencoder
                              : uai::ModelKind::Classifier;
    uai::MainWindow window;
    window.resize(1400, 860);
    window.show();
    window.activateWindow();
    // Verdict keys are window shortcuts, which fire only in the active window.
    if (!QTest::qWaitForWindowActive(&window)) {
        std::fprintf(stderr,
                     "the window did not become active; run with QT_QPA_PLATFORM=offscreen "
                     "or under a window manager\n");
        return 1;
    }

    QElapsedTimer clock;
    clock.start();
    if (!window.openDataSpec(spec, settings))
        return 1;
    uai::LabelingSession *session = window.session();
    if (!waitFor([&] { return session->currentItem() >= 0; }, 600000)) {
        std::fprintf(stderr, "no suspect within 10 minutes\n");
        return 1;
    }
    QCoreApplication::processEvents();
    std::printf("open to first suspect on screen: %.2f s (loading, pretraining, ranking)\n",
                clock.nsecsElapsed() / 1e9);

    PaintClock paints(&clock);
    window.suspectView()->installEventFilter(&paints);
    for (QObject *child : window.suspectView()->findChildren<QWidget *>())
        child->installEventFilter(&paints);

    std::vector<double> keyToPaint;
    std::vector<double> batchToQueue;
    std::vector<double> busyKeyToPaint;
    qint64 batchCompletedNs = -1;
    QObject::connect(session, &uai::LabelingSession::rankingChanged, session, [&] {
        if (batchCompletedNs >= 0) {
            batchToQueue.push_back((clock.nsecsElapsed() - batchCompletedNs) / 1e6);
            batchCompletedNs = -1;
        }
    });
    const auto &truth = session->dataset().truth;
    const int k = session->settings().loop.queueSize;
    for (int i = 0; i < verdicts && session->currentItem() >= 0; ++i) {
        const qsizetype item = session->currentItem();
        const bool busy = session->trainer()->isBusy();
        paints.lastPaintNs = -1;
        const qint64 pressed = clock.nsecsElapsed();
        QTest::keyClick(&window,
                        truth[size_t(item)] == uai::Truth::Anomaly ? Qt::Key_A : Qt::Key_N);
        waitFor([&] { return paints.lastPaintNs >= 0; }, 5000);
        const double ms = (paints.lastPaintNs - pressed) / 1e6;
        keyToPaint.push_back(ms);
        if (busy)
            busyKeyToPaint.push_back(ms);
        if ((i + 1) % k == 0 && batchCompletedNs < 0)
            batchCompletedNs = pressed;
        QTest::qWait(paceMs);
    }
    waitFor([&] { return !session->trainer()->isBusy(); }, 60000);

    printSummary("verdict key to next suspect painted", keyToPaint);
    printSummary("  of those, while the trainer was busy", busyKeyToPaint);
    printSummary("verdict completing a queue to next queue", batchToQueue);
    std::printf("rounds: %d, verdicts: %lld, anomalies found: %lld\n",
                session->round(),
                static_cast<long long>(session->verdictsSpent()),
                static_cast<long long>(session->anomalyVerdicts()));
    return 0;
}
