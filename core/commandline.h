#pragma once

#include <QCommandLineParser>
#include <QString>

namespace uai {

/// Reads the integer option name into value when it is set. Returns false, with error set to a
/// message naming the option, its value and the range, when the value is not an integer in
/// [minimum, maximum]. Leaves value unchanged when the option is not set.
template <typename Integer>
bool parseInteger(const QCommandLineParser &parser,
                  const QString &name,
                  qint64 minimum,
                  qint64 maximum,
                  Integer *value,
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
    *value = static_cast<Integer>(parsed);
    return true;
}

} // namespace uai
