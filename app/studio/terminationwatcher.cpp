#include "terminationwatcher.h"

#include <QLoggingCategory>
#include <QSocketNotifier>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTermination, "uai.app.termination", QtWarningMsg)

namespace uai {

namespace {

static_assert(std::atomic<int>::is_always_lock_free,
              "the signal handler may only read a lock-free atomic");

/// Write end of the installed watcher's pipe, or -1 when no watcher is installed. The signal
/// handler reads it, so it is a lock-free atomic rather than a member.
std::atomic<int> g_writeEnd{-1};

/// The POSIX handler: writes the signal number as one byte and nothing else. When the pipe is
/// full the byte is dropped, which is harmless because unread bytes already request the same.
extern "C" void writeSignalByte(int signalNumber)
{
    const int savedErrno = errno;
    const int fd = g_writeEnd.load(std::memory_order_relaxed);
    if (fd >= 0) {
        const auto byte = static_cast<unsigned char>(signalNumber);
        [[maybe_unused]] const ssize_t written = ::write(fd, &byte, 1);
    }
    errno = savedErrno;
}

QString errnoText(int number)
{
    return QString::fromLocal8Bit(std::strerror(number));
}

} // namespace

TerminationWatcher::TerminationWatcher(QObject *parent)
    : QObject(parent)
{}

TerminationWatcher::~TerminationWatcher()
{
    uninstall();
}

bool TerminationWatcher::install(std::initializer_list<int> signalNumbers, QString *error)
{
    if (m_readEnd >= 0 || g_writeEnd.load() >= 0) {
        *error = QStringLiteral("a termination watcher is already installed.");
        return false;
    }
    int ends[2] = {-1, -1};
    if (::pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot create the signal pipe: %1.").arg(errnoText(errno));
        return false;
    }
    m_readEnd = ends[0];
    m_writeEnd = ends[1];
    g_writeEnd.store(m_writeEnd);

    for (const int number : signalNumbers) {
        struct sigaction action = {};
        action.sa_handler = writeSignalByte;
        sigemptyset(&action.sa_mask);
        // SA_RESTART restarts the system calls that the signal interrupts in other threads.
        // SA_RESETHAND gives a second signal of the same kind the default action.
        action.sa_flags = SA_RESTART | SA_RESETHAND;
        if (::sigaction(number, &action, nullptr) != 0) {
            *error = QStringLiteral("cannot install the handler for signal %1: %2.")
                         .arg(number)
                         .arg(errnoText(errno));
            uninstall();
            return false;
        }
        m_installed.push_back(number);
    }

    m_notifier = new QSocketNotifier(qintptr(m_readEnd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TerminationWatcher::readPendingSignals);
    qCDebug(lcTermination) << "watching signals" << m_installed;
    return true;
}

void TerminationWatcher::readPendingSignals()
{
    unsigned char bytes[16];
    for (;;) {
        const ssize_t count = ::read(m_readEnd, bytes, sizeof(bytes));
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            break;
        for (ssize_t i = 0; i < count; ++i) {
            qCDebug(lcTermination) << "received signal" << int(bytes[i]);
            Q_EMIT terminationRequested(int(bytes[i]));
        }
    }
}

void TerminationWatcher::uninstall()
{
    for (const int number : m_installed) {
        struct sigaction action = {};
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        ::sigaction(number, &action, nullptr);
    }
    m_installed.clear();
    if (m_writeEnd >= 0)
        g_writeEnd.store(-1);
    delete m_notifier;
    m_notifier = nullptr;
    for (int *fd : {&m_readEnd, &m_writeEnd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
}

} // namespace uai
