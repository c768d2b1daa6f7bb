#include "recordedlog.h"
#include "studiooptions.h"
#include "terminationwatcher.h"

#include "datasource.h"
#include "labelingsession.h"
#include "mainwindow.h"
#include "torchruntime.h"

#include <QApplication>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>

Q_LOGGING_CATEGORY(lcStudio, "uai.app.studio", QtWarningMsg)

namespace {

/// The data opened on a first start: Fashion-MNIST from Debian's dataset-fashion-mnist package
/// with class 0 kept at 10% as the anomalies.
const QLatin1String kDefaultData("fashion-mnist:0");

void openDefaultData(uai::MainWindow &window, const uai::SessionSettings &settings)
{
    const QString folder = uai::namedSetFolder(QStringLiteral("fashion-mnist"));
    if (!QFileInfo::exists(folder)) {
        QMessageBox::information(
            &window,
            QObject::tr("Default Dataset Missing"),
            QObject::tr("UAI Studio opens Fashion-MNIST from \"%1\" on a first "
                        "start, and that folder does not exist. Install it "
                        "with \"sudo apt-get install dataset-fashion-mnist\", "
                        "or open your own data with File > Open Data.")
                .arg(folder));
        return;
    }
    window.openDataSpec(kDefaultData, settings);
}

/// Closes every window, open dialogs first, then quits. The main window's close path stops the
/// trainer between two steps, joins its thread and closes the session file.
void closeOnSignal(uai::MainWindow &window, int signalNumber)
{
    qCInfo(lcStudio) << "signal" << signalNumber << "received; closing the windows";
    QApplication::closeAllWindows();
    // A window that refuses to close keeps the application running.
    if (!window.isVisible())
        QCoreApplication::exit(0);
}

/// Prints the help text without a display: QApplication would need one before parsing.
int printHelp(int argc, char *argv[])
{
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("UAI Studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(UAI_VERSION));
    auto parsed = uai::parseStudioOptions(QCoreApplication::arguments());
    if (!parsed.ok()) {
        std::fprintf(stderr, "uai-studio: %s\n", qPrintable(parsed.error()));
        return 2;
    }
    std::fputs(qPrintable(parsed.value().helpText), stdout);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0)
            return printHelp(argc, argv);
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("UAI Studio"));
    QApplication::setOrganizationName(QStringLiteral("UAI Studio"));
    QApplication::setApplicationVersion(QStringLiteral(UAI_VERSION));

    auto parsed = uai::parseStudioOptions(QApplication::arguments());
    if (!parsed.ok()) {
        std::fprintf(stderr, "uai-studio: %s\n", qPrintable(parsed.error()));
        return 2;
    }
    const uai::StudioOptions options = parsed.value();
    if (options.helpText.size() > 0) {
        std::fputs(qPrintable(options.helpText), stdout);
        return 0;
    }

    // Installed before the window exists: a signal that arrives while the window is built or
    // the data loads waits in the pipe until the event loop runs.
    uai::TerminationWatcher termination;
    if (QString error; !termination.install({SIGTERM, SIGINT}, &error))
        qCWarning(lcStudio) << "SIGTERM and SIGINT will end the process at once:" << error;
    uai::RecordedLog recordedLog;
    if (!options.recordedLogPath.isEmpty()) {
        if (const uai::Status opened = recordedLog.open(options.recordedLogPath); !opened.ok()) {
            std::fprintf(stderr, "uai-studio: %s\n", qPrintable(opened.error()));
            return 2;
        }
    }

    uai::configureTorchThreads(options.threads);
    qCInfo(lcStudio) << uai::describeTorchRuntime();

    uai::MainWindow window;
    QObject::connect(
        &window, &uai::MainWindow::sessionAttached, &recordedLog, &uai::RecordedLog::watchSession);
    QObject::connect(&termination,
                     &uai::TerminationWatcher::terminationRequested,
                     &window,
                     [&window](int signalNumber) { closeOnSignal(window, signalNumber); });
    window.show();
    QTimer::singleShot(0, &window, [&window, options] {
        const QString lastSession = QSettings().value(QStringLiteral("lastSession")).toString();
        if (!options.target.isEmpty()) {
            if (options.target.endsWith(QStringLiteral(".uaisession")))
                window.openSession(options.target);
            else
                window.openDataSpec(options.target, options.settings);
        } else if (!options.fresh && !lastSession.isEmpty() && QFileInfo::exists(lastSession)) {
            window.openSession(lastSession);
        } else {
            openDefaultData(window, options.settings);
        }
        if (options.demoPace > 0) {
            window.setDemoPace(options.demoPace);
            window.setDemoMode(true);
        }
        if (!options.screenshotFolder.isEmpty())
            uai::scheduleScreenshots(
                window, options.screenshotFolder, options.screenshotAfterVerdicts);
    });
    return QApplication::exec();
}
