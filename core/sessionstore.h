#pragma once

#include "result.h"
#include "verdict.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace uai {

/// Version of the session schema this build writes. This is the first format, so open() rejects
/// files of any other version with a message naming both versions.
inline constexpr int kSessionFormatVersion = 1;

/// File name suffix of session files, without the dot.
inline constexpr char kSessionSuffix[] = "uaisession";

/// The dataset and settings of a session, written once when the session is created.
struct SessionHeader {
    QString datasetSpec;           ///< How to load the dataset again (see loadDataSource()).
    QString datasetName;           ///< Short name for titles and messages.
    QByteArray datasetFingerprint; ///< Dataset::fingerprint() of the data the session labels.
    qsizetype itemCount = 0;
    QJsonObject settings; ///< Loop settings and budget, as the application writes them.
    QDateTime created;    ///< UTC.
    QString createdBy;    ///< Application name and version.
    int formatVersion = kSessionFormatVersion;
};

/// One verdict given, changed or withdrawn. The store keeps every event; the current verdict of
/// an item is its last event.
struct VerdictEvent {
    qint64 sequence = 0;            ///< Assigned by the store on append, strictly increasing.
    qsizetype item = -1;            ///< Item index in the dataset.
    QString itemId;                 ///< Dataset::itemIds of the item, kept for exports and checks.
    std::optional<Verdict> verdict; ///< Empty when the event withdraws the item's verdict (undo).
    int round = 0;                  ///< Round whose queue showed the item.
    QDateTime time;                 ///< UTC.
    double baseScore = std::numeric_limits<double>::quiet_NaN(); ///< Score shown with the item.
    double uaiScore = std::numeric_limits<double>::quiet_NaN();  ///< UAI score in [0, 1], or NaN.
    QString analyst;                                             ///< Who gave the verdict.
};

/// Model state after a round, so that a reopened session resumes with the trained network.
struct RoundCheckpoint {
    int round = 0;
    qsizetype verdictsUsed = 0; ///< Verdicts the round trained on.
    QByteArray weights;         ///< ActiveLoop::saveState() output.
    QDateTime time;             ///< UTC.
};

/// A labeling session stored in a database through Qt SQL (SQLite files by default).
///
/// Every append commits before it returns, with SQLite's write-ahead log and full
/// synchronisation, so a verdict that the window shows as recorded survives a crash or a kill.
/// Opening validates the file read-only first: a damaged, truncated, empty or foreign file, or
/// one written by a newer format, is rejected with a message and left byte-for-byte unchanged.
///
/// Threads: one instance per thread; two instances on the same file (for example the window's
/// and the trainer's) may write concurrently and wait for each other up to a few seconds.
class SessionStore
{
public:
    /// Creates a new session file at path. Fails when the file exists or cannot be written.
    /// The stored header has formatVersion kSessionFormatVersion and, when header.created is
    /// invalid, the current time.
    static Result<std::unique_ptr<SessionStore>> create(const QString &path,
                                                        const SessionHeader &header);
    /// Opens an existing session file for appending.
    static Result<std::unique_ptr<SessionStore>> open(const QString &path);

    ~SessionStore();
    SessionStore(const SessionStore &) = delete;
    SessionStore &operator=(const SessionStore &) = delete;

    const SessionHeader &header() const;
    QString path() const;

    /// Replaces the stored settings, for settings the analyst changes during the session such as
    /// the budget. Commits before returning.
    Status updateSettings(const QJsonObject &settings);

    /// Appends an event durably and returns its sequence number. Fails when event.item is
    /// negative or event.time is invalid.
    Result<qint64> appendVerdict(const VerdictEvent &event);
    /// Returns every event in the order appended.
    Result<std::vector<VerdictEvent>> verdictEvents() const;
    /// Returns the current verdict of each item that has one, ordered by sequence: for each item
    /// its last event, unless that event is a withdrawal.
    Result<std::vector<VerdictEvent>> currentVerdicts() const;

    /// Stores the model state after a round, replacing an older checkpoint of the same round.
    /// Only the newest kKeptCheckpoints checkpoints are kept, to bound the file size. Fails when
    /// checkpoint.time is invalid.
    Status saveCheckpoint(const RoundCheckpoint &checkpoint);
    /// Returns the newest checkpoint, or nullopt when none exists.
    Result<std::optional<RoundCheckpoint>> latestCheckpoint() const;

    /// Writes the current verdicts as CSV with the header
    /// item_id,verdict,round,time,base_score,uai_score (time in ISO 8601 UTC, scores empty when
    /// unknown), one row per item with a verdict, in the order the verdicts were given.
    Status exportVerdictsCsv(const QString &csvPath) const;

    static constexpr int kKeptCheckpoints = 3;

private:
    struct Impl;
    explicit SessionStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace uai
