#include "runcommand.h"

#include <QCoreApplication>

#include <cstdio>

namespace {

void printUsage(FILE *stream)
{
    std::fputs("Usage: uai-cli run --data SPEC [options]\n"
               "       uai-cli run --help\n"
               "Runs active anomaly detection with a simulated analyst who answers from the\n"
               "ground truth, and prints how many anomalies the verdicts found.\n",
               stream);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
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
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        printUsage(stdout);
        return kExitSuccess;
    }
    std::fprintf(stderr, "uai-cli: unknown command \"%s\".\n", qPrintable(command));
    printUsage(stderr);
    return kExitBadInput;
}
