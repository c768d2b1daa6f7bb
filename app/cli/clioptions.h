#pragma once

#include <QString>

class QCommandLineParser;

/// Prints "uai-cli: " and the message on standard error.
void printError(const QString &message);

/// Parses an integer option within [minimum, maximum] and leaves value unchanged when the
/// option is absent. Returns false with a message naming the option and its range otherwise.
bool parseInteger(const QCommandLineParser &parser,
                  const QString &name,
                  qint64 minimum,
                  qint64 maximum,
                  qint64 *value,
                  QString *error);
