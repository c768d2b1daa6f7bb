#include "recordedlog.h"

#include "labelingsession.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRecordedLog, "uai.app.recordedlog", QtWarningMsg)

namespace uai {

RecordedLog::RecordedLog(QObject *parent)
    : QObject(parent)
{}

Status RecordedLog::open(const QString &path)
{
    m_file.setFileName(path);
    // Unbuffered: each line reaches the file in one write(2) call before the slot returns.
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        return fail(QStringLiteral("--recorded-log \"%1\" cannot be opened for appending: %2.")
                        .arg(path, m_file.errorString()));
    }
    return success();
}

void RecordedLog::watchSession(LabelingSession *session)
{
    if (!session || !m_file.isOpen())
        return;
    connect(session, &LabelingSession::verdictRecorded, this, [this, session](qsizetype item) {
        appendVerdict(*session, item);
    });
}

void RecordedLog::appendVerdict(const LabelingSession &session, qsizetype item)
{
    const std::optional<Verdict> verdict = session.verdictFor(item);
    const QByteArray line =
        QByteArray::number(session.verdictsSpent()) + ' ' + QByteArray::number(item) + ' '
        + (verdict ? verdictName(*verdict).toLatin1() : QByteArray("none")) + '\n';
    if (m_file.write(line) == line.size() || m_writeFailed)
        return;
    // Reported once: the log is a testing aid and must not flood stderr or stop labeling.
    m_writeFailed = true;
    qCWarning(lcRecordedLog) << "cannot append to" << m_file.fileName() << ":"
                             << m_file.errorString();
}

} // namespace uai
