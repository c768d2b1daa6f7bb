#pragma once

#include "result.h"
#include "settingsjson.h"

#include <QString>
#include <QStringList>

namespace uai {

class MainWindow;

/// Command-line options of uai-studio.
struct StudioOptions {
    QString target;           ///< A session file or a data spec to open; empty for the default.
    bool fresh = false;       ///< Do not reopen the last session.
    SessionSettings settings; ///< Settings for a new session.
    int threads = 0;          ///< LibTorch intra-op threads; 0 for the default.
    int demoPace = 0;         ///< Verdicts per second of demo mode; 0 leaves it off.
    QString screenshotFolder; ///< Where to write screenshots before quitting; empty for none.
    int screenshotAfterVerdicts = 0;
    QString recordedLogPath; ///< Testing aid: where RecordedLog appends; empty for none.
    QString helpText;        ///< Filled when --help was given.
};

/// Parses the arguments (the first is the program name). Fails with a message naming the
/// option and the invalid value.
Result<StudioOptions> parseStudioOptions(const QStringList &arguments);

/// Writes main-window.png, latent-chart.png and discovery-curve.png into folder once the open
/// session has afterVerdicts verdicts and a ranking newer than them, then quits the application.
void scheduleScreenshots(MainWindow &window, const QString &folder, int afterVerdicts);

} // namespace uai
