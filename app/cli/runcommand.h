#pragma once

#include <QStringList>

/// Exit codes of uai-cli.
enum CliExitCode {
    kExitSuccess = 0,
    kExitFailure = 1,  ///< Training or writing the output failed.
    kExitBadInput = 2, ///< Invalid arguments or unreadable data.
};

/// Runs "uai-cli run": loads a dataset, plays the analyst from its ground truth, writes the
/// discovery curve and prints the summary line. arguments start with the program name.
int runCommand(const QStringList &arguments);
