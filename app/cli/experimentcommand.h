#pragma once

#include <QStringList>

/// Runs "uai-cli experiment": parses the options, runs the named experiment with the simulated
/// analyst and writes its CSV, PNG and markdown files. arguments start with the program name.
/// Needs a QApplication, because the charts are drawn with Qt Charts. Returns a CliExitCode.
int experimentCommand(const QStringList &arguments);
