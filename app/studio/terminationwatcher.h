#pragma once

#include <QObject>
#include <QString>

#include <initializer_list>
#include <vector>

class QSocketNotifier;

namespace uai {

/// Turns the signals given to install(), such as SIGTERM and SIGINT, into a Qt signal on the
/// thread that owns the watcher, so that the application shuts down through its normal close
/// path instead of dying mid-step.
///
/// The POSIX handler only writes the signal number as one byte to a non-blocking pipe (the
/// self-pipe pattern), which is async-signal-safe. A QSocketNotifier on the read end then emits
/// terminationRequested from the event loop. Each handler is installed with SA_RESETHAND, so a
/// second signal of the same kind, sent while the close path hangs, gets the default action and
/// ends the process at once.
///
/// At most one watcher may be installed at a time, because a POSIX handler cannot tell watchers
/// apart. The destructor restores the default actions and closes the pipe.
class TerminationWatcher : public QObject
{
    Q_OBJECT

public:
    explicit TerminationWatcher(QObject *parent = nullptr);
    ~TerminationWatcher() override;

    /// Installs the handler for each signal number. Returns false and sets error, leaving no
    /// handler installed, when the pipe or a handler cannot be set up or another watcher is
    /// installed.
    bool install(std::initializer_list<int> signalNumbers, QString *error);

Q_SIGNALS:
    /// Emitted from the event loop once for each watched signal that was delivered.
    void terminationRequested(int signalNumber);

private:
    void readPendingSignals();
    void uninstall();

    QSocketNotifier *m_notifier = nullptr;
    int m_readEnd = -1;
    int m_writeEnd = -1;
    std::vector<int> m_installed; ///< Signal numbers whose handler this watcher set.
};

} // namespace uai
