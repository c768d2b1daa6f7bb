#include "studiooptions.h"

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

#include <cstdio>

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

} // namespace

int main(int argc, char *argv[])
{
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

    uai::configureTorchThreads(options.threads);
    qCInfo(lcStudio) << uai::describeTorchRuntime();

    uai::MainWindow window;
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
