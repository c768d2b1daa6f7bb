#include "clioptions.h"

#include <QCommandLineParser>

#include <cstdio>

void printError(const QString &message)
{
    std::fprintf(stderr, "uai-cli: %s\n", qPrintable(message));
}

bool parseInteger(const QCommandLineParser &parser,
                  const QString &name,
                  qint64 minimum,
                  qint64 maximum,
                  qint64 *value,
                  QString *error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const qint64 parsed = parser.value(name).toLongLong(&ok);
    if (!ok || parsed < minimum || parsed > maximum) {
        *error = QStringLiteral("--%1 \"%2\" is not an integer in %3..%4.")
                     .arg(name, parser.value(name))
                     .arg(minimum)
                     .arg(maximum);
        return false;
    }
    *value = parsed;
    return true;
}
