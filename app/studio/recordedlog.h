#pragma once

#include "result.h"

#include <QFile>
#include <QObject>
#include <QString>

namespace uai {

class LabelingSession;

/// A testing aid behind uai-studio --recorded-log: appends one line per verdict that the window
/// records, "<verdicts spent> <item index> <verdict>", where <verdict> is anomaly, normal,
/// unsure, or none when an undo withdrew the item's verdict.
///
/// LabelingSession emits verdictRecorded only after the verdict is committed to the session
/// file. The line is written from the first receiver of that signal with one unbuffered write,
/// before the window's own receivers show the verdict as recorded. A line in the log therefore
/// implies a committed verdict, which a kill test can check against the session file.
class RecordedLog : public QObject
{
    Q_OBJECT

public:
    explicit RecordedLog(QObject *parent = nullptr);

    /// Opens path for appending, creating it when missing. Fails with a message naming the file.
    Status open(const QString &path);

    /// Logs every verdict that session records from now on. Must be called before any other
    /// object connects to the session's verdictRecorded, so that the line comes first.
    void watchSession(uai::LabelingSession *session);

private:
    void appendVerdict(const LabelingSession &session, qsizetype item);

    QFile m_file;
    bool m_writeFailed = false;
};

} // namespace uai
