#include "experimentcommand.h"
#include "runcommand.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

void printUsage(FILE *stream)
{
    std::fputs("Usage: uai-cli run --data SPEC [options]\n"
               "       uai-cli experiment --name NAME [--out DIR] [options]\n"
               "       uai-cli run --help | uai-cli experiment --help\n"
               "\"run\" runs active anomaly detection with a simulated analyst who answers from\n"
               "the ground truth, and prints how many anomalies the verdicts found.\n"
               "\"experiment\" runs a named experiment (curves, table2, latent, methods) and\n"
               "writes its CSV, PNG and markdown files.\n",
               stream);
}

} // namespace

int main(int argc, char *argv[])
{
    // Only "experiment" draws charts, and Qt Charts needs a QApplication. Without a display it
    // draws offscreen; the other commands keep the lighter QCoreApplication.
    const bool experiment = argc >= 2 && std::strcmp(argv[1], "experiment") == 0;
    std::unique_ptr<QCoreApplication> app;
    if (experiment) {
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("uai-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(UAI_VERSION));

    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printUsage(stderr);
        return kExitBadInput;
    }
    const QString command = arguments.takeAt(1);
    if (command == QLatin1String("run"))
        return runCommand(arguments);
    if (command == QLatin1String("experiment"))
        return experimentCommand(arguments);
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        printUsage(stdout);
        return kExitSuccess;
    }
    std::fprintf(stderr, "uai-cli: unknown command \"%s\".\n", qPrintable(command));
    printUsage(stderr);
    return kExitBadInput;
}
