#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace uai {

/// An expected failure (a bad file, an invalid setting) with the message shown to the user.
struct Failure {
    QString message;
};

/// Builds a Failure that converts into any Result.
inline Failure fail(QString message)
{
    return Failure{std::move(message)};
}

/// The value of an operation that can fail in an expected way, or the message that says why not.
/// Loaders, stores and training calls return it instead of throwing.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}
    Result(Failure failure)
        : m_state(std::move(failure))
    {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }

    /// The failure message, or an empty string when ok() is true.
    QString error() const
    {
        const Failure *failure = std::get_if<Failure>(&m_state);
        return failure ? failure->message : QString();
    }

private:
    std::variant<T, Failure> m_state;
};

/// Result of an operation that produces no value.
using Status = Result<std::monostate>;

inline Status success()
{
    return Status(std::monostate{});
}

} // namespace uai
