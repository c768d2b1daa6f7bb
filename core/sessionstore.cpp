#include "sessionstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QUrl>
#include <QVariant>
#include <QtEndian>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace uai {

namespace {

Q_LOGGING_CATEGORY(lcSession, "uai.core.session", QtWarningMsg)

/// SQLite application_id of session files, the ASCII bytes "UAIS", so that open() can tell a
/// session from other SQLite databases.
constexpr qint32 kApplicationId = 0x55414953;

/// How long a connection waits for another connection's write lock before it fails.
constexpr int kBusyTimeoutMs = 5000;

/// Layout of the 100-byte SQLite file header, from https://www.sqlite.org/fileformat.html.
constexpr qsizetype kSqliteHeaderSize = 100;
constexpr char kSqliteMagic[] = "SQLite format 3"; // 16 bytes with the terminating NUL.
constexpr qsizetype kSqliteMagicSize = sizeof(kSqliteMagic);
constexpr qsizetype kUserVersionOffset = 60;
constexpr qsizetype kApplicationIdOffset = 68;

const QString kSqliteDriver = QStringLiteral("QSQLITE");

// Keys of the `session` table.
const QString kKeyFormatVersion = QStringLiteral("format_version");
const QString kKeyDatasetSpec = QStringLiteral("dataset_spec");
const QString kKeyDatasetName = QStringLiteral("dataset_name");
const QString kKeyDatasetFingerprint = QStringLiteral("dataset_fingerprint");
const QString kKeyItemCount = QStringLiteral("item_count");
const QString kKeySettings = QStringLiteral("settings");
const QString kKeyCreated = QStringLiteral("created");
const QString kKeyCreatedBy = QStringLiteral("created_by");

const QStringList kHeaderKeys = {kKeyFormatVersion,
                                 kKeyDatasetSpec,
                                 kKeyDatasetName,
                                 kKeyDatasetFingerprint,
                                 kKeyItemCount,
                                 kKeySettings,
                                 kKeyCreated,
                                 kKeyCreatedBy};

const QStringList kTables = {
    QStringLiteral("session"), QStringLiteral("verdict_events"), QStringLiteral("checkpoints")};

// NOTE: PostgreSQL would need BYTEA for BLOB and DOUBLE PRECISION for REAL, because its REAL
// has 4 bytes. The schema has only been run on SQLite.
const QStringList kSchema = {
    QStringLiteral("CREATE TABLE session (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"),
    QStringLiteral("CREATE TABLE verdict_events ("
                   "sequence INTEGER PRIMARY KEY NOT NULL, "
                   "item INTEGER NOT NULL, "
                   "item_id TEXT NOT NULL, "
                   "verdict TEXT, "
                   "round INTEGER NOT NULL, "
                   "time TEXT NOT NULL, "
                   "base_score REAL, "
                   "uai_score REAL, "
                   "analyst TEXT NOT NULL)"),
    QStringLiteral("CREATE INDEX verdict_events_by_item ON verdict_events (item, sequence)"),
    QStringLiteral("CREATE TABLE checkpoints ("
                   "round INTEGER PRIMARY KEY NOT NULL, "
                   "verdicts_used INTEGER NOT NULL, "
                   "weights BLOB NOT NULL, "
                   "time TEXT NOT NULL)"),
};

const QString kEventColumns =
    QStringLiteral("sequence, item, item_id, verdict, round, time, base_score, uai_score, analyst");

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

QString displayPath(const QString &path)
{
    return quoted(QDir::toNativeSeparators(path));
}

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

std::optional<QDateTime> parseIsoTime(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toUTC();
}

/// Converts a score to a bound value, NULL for NaN because SQL has no NaN.
QVariant scoreValue(double score)
{
    return std::isnan(score) ? QVariant(QMetaType::fromType<double>()) : QVariant(score);
}

double scoreFromValue(const QVariant &value)
{
    return value.isNull() ? std::numeric_limits<double>::quiet_NaN() : value.toDouble();
}

/// Converts a null QString to an empty one, because Qt binds a null QString as SQL NULL and the
/// NOT NULL columns reject that.
QVariant textValue(const QString &text)
{
    return text.isNull() ? QVariant(QStringLiteral("")) : QVariant(text);
}

/// Returns the driver's text for a failed statement or connection.
QString sqlText(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.isEmpty() ? QStringLiteral("unknown database error") : text;
}

/// Prepares and runs sql with positional bindings. The failure message is the driver's text.
Status execute(QSqlQuery &query, const QString &sql, const QVariantList &values = {})
{
    if (!query.prepare(sql))
        return fail(sqlText(query.lastError()));
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return fail(sqlText(query.lastError()));
    return success();
}

/// Runs a statement that returns one value, such as a PRAGMA read.
Result<QVariant> selectValue(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (Status status = execute(query, sql); !status)
        return fail(status.error());
    if (!query.next())
        return fail(QStringLiteral("%1 returned no row").arg(sql));
    return query.value(0);
}

bool isSqlite(const QSqlDatabase &db)
{
    return db.driverName() == kSqliteDriver;
}

/// A named Qt SQL connection that is closed and unregistered when it goes out of scope.
class Connection
{
public:
    Connection()
        : m_name(QStringLiteral("uai.session.%1").arg(s_nextId.fetch_add(1)))
    {}

    ~Connection()
    {
        if (!m_db.isValid())
            return;
        m_db.close();
        // removeDatabase() warns while a QSqlDatabase copy of the connection is alive.
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }

    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    /// Opens an SQLite file through a URI, so that query parameters such as mode=ro apply.
    Status openSqlite(const QString &path, const QString &uriQuery, bool readOnly)
    {
        if (!QSqlDatabase::isDriverAvailable(kSqliteDriver)) {
            return fail(QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed. Install "
                                       "the Qt 6 SQLite plugin (Debian: libqt6sql6-sqlite)."));
        }
        QUrl uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
        uri.setQuery(uriQuery);

        m_db = QSqlDatabase::addDatabase(kSqliteDriver, m_name);
        m_db.setDatabaseName(uri.toString(QUrl::FullyEncoded));
        QString options =
            QStringLiteral("QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs);
        if (readOnly)
            options += QStringLiteral(";QSQLITE_OPEN_READONLY");
        m_db.setConnectOptions(options);
        if (!m_db.open())
            return fail(sqlText(m_db.lastError()));
        return success();
    }

    QSqlDatabase &db() { return m_db; }
    const QSqlDatabase &db() const { return m_db; }

private:
    static inline std::atomic<quint64> s_nextId{1};
    QString m_name;
    QSqlDatabase m_db;
};

/// A write transaction that rolls back unless committed. On SQLite it starts with
/// BEGIN IMMEDIATE, which takes the write lock at the start and waits for it up to the busy
/// timeout. A deferred transaction that reads first fails with "database is locked", without
/// waiting, when another connection wrote since.
class WriteTransaction
{
public:
    explicit WriteTransaction(QSqlDatabase &db)
        : m_db(db)
    {}

    ~WriteTransaction()
    {
        if (m_active && !m_db.rollback())
            qCWarning(lcSession) << "Rollback failed:" << sqlText(m_db.lastError());
    }

    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    Status begin()
    {
        if (isSqlite(m_db)) {
            QSqlQuery query(m_db);
            if (Status status = execute(query, QStringLiteral("BEGIN IMMEDIATE")); !status)
                return status;
        } else if (!m_db.transaction()) {
            return fail(sqlText(m_db.lastError()));
        }
        m_active = true;
        return success();
    }

    Status commit()
    {
        if (!m_db.commit())
            return fail(sqlText(m_db.lastError()));
        m_active = false;
        return success();
    }

private:
    QSqlDatabase &m_db;
    bool m_active = false;
};

/// Sets the per-connection options every session connection uses. Journal mode is left alone,
/// because create() switches it to WAL only after writing the file header.
Status configureConnection(QSqlDatabase &db)
{
    if (!isSqlite(db))
        return success();
    QSqlQuery query(db);
    if (Status status =
            execute(query, QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs));
        !status) {
        return status;
    }
    return execute(query, QStringLiteral("PRAGMA synchronous = FULL"));
}

Status enableWriteAheadLog(QSqlDatabase &db)
{
    if (!isSqlite(db))
        return success();
    Result<QVariant> mode = selectValue(db, QStringLiteral("PRAGMA journal_mode = WAL"));
    if (!mode)
        return fail(mode.error());
    if (mode.value().toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        return fail(QStringLiteral("SQLite kept the journal mode \"%1\" instead of WAL")
                        .arg(mode.value().toString()));
    }
    return success();
}

Result<VerdictEvent> eventFromRow(const QSqlQuery &query)
{
    VerdictEvent event;
    event.sequence = query.value(0).toLongLong();
    event.item = static_cast<qsizetype>(query.value(1).toLongLong());
    event.itemId = query.value(2).toString();
    const QVariant verdict = query.value(3);
    if (!verdict.isNull()) {
        event.verdict = parseVerdict(verdict.toString());
        if (!event.verdict) {
            return fail(QStringLiteral("event %1 has the unknown verdict \"%2\"")
                            .arg(event.sequence)
                            .arg(verdict.toString()));
        }
    }
    event.round = query.value(4).toInt();
    const std::optional<QDateTime> time = parseIsoTime(query.value(5).toString());
    if (!time) {
        return fail(QStringLiteral("event %1 has the invalid time \"%2\"")
                        .arg(event.sequence)
                        .arg(query.value(5).toString()));
    }
    event.time = *time;
    event.baseScore = scoreFromValue(query.value(6));
    event.uaiScore = scoreFromValue(query.value(7));
    event.analyst = query.value(8).toString();
    return event;
}

/// Runs a SELECT of kEventColumns and converts every row.
Result<std::vector<VerdictEvent>> selectEvents(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (Status status = execute(query, sql); !status)
        return fail(status.error());
    std::vector<VerdictEvent> events;
    while (query.next()) {
        Result<VerdictEvent> event = eventFromRow(query);
        if (!event)
            return fail(event.error());
        events.push_back(std::move(event).value());
    }
    if (query.lastError().isValid())
        return fail(sqlText(query.lastError()));
    return events;
}

Result<std::vector<VerdictEvent>> selectAllEvents(const QSqlDatabase &db)
{
    return selectEvents(
        db, QStringLiteral("SELECT %1 FROM verdict_events ORDER BY sequence").arg(kEventColumns));
}

Result<std::vector<VerdictEvent>> selectCurrentEvents(const QSqlDatabase &db)
{
    return selectEvents(db,
                        QStringLiteral("SELECT %1 FROM verdict_events e "
                                       "WHERE e.verdict IS NOT NULL AND e.sequence = "
                                       "(SELECT MAX(l.sequence) FROM verdict_events l "
                                       "WHERE l.item = e.item) "
                                       "ORDER BY e.sequence")
                            .arg(kEventColumns));
}

Status insertHeader(QSqlDatabase &db, const SessionHeader &header)
{
    const QList<std::pair<QString, QString>> rows = {
        {kKeyFormatVersion, QString::number(header.formatVersion)},
        {kKeyDatasetSpec, header.datasetSpec},
        {kKeyDatasetName, header.datasetName},
        {kKeyDatasetFingerprint, QString::fromLatin1(header.datasetFingerprint.toHex())},
        {kKeyItemCount, QString::number(header.itemCount)},
        {kKeySettings,
         QString::fromUtf8(QJsonDocument(header.settings).toJson(QJsonDocument::Compact))},
        {kKeyCreated, isoTime(header.created)},
        {kKeyCreatedBy, header.createdBy},
    };
    QSqlQuery query(db);
    for (const auto &[name, value] : rows) {
        const Status status = execute(query,
                                      QStringLiteral("INSERT INTO session (name, value) "
                                                     "VALUES (?, ?)"),
                                      {name, textValue(value)});
        if (!status)
            return status;
    }
    return success();
}

/// Reads and checks the `session` table. The failure message describes the problem without the
/// file name.
Result<SessionHeader> readHeader(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (Status status = execute(query, QStringLiteral("SELECT name, value FROM session")); !status)
        return fail(QStringLiteral("its header cannot be read (%1)").arg(status.error()));
    QHash<QString, QString> values;
    while (query.next())
        values.insert(query.value(0).toString(), query.value(1).toString());
    if (query.lastError().isValid())
        return fail(
            QStringLiteral("its header cannot be read (%1)").arg(sqlText(query.lastError())));

    QStringList missing;
    for (const QString &key : kHeaderKeys) {
        if (!values.contains(key))
            missing.append(key);
    }
    if (!missing.isEmpty()) {
        return fail(
            QStringLiteral("its header is missing %1").arg(missing.join(QStringLiteral(", "))));
    }

    SessionHeader header;
    bool ok = false;
    header.formatVersion = values.value(kKeyFormatVersion).toInt(&ok);
    if (!ok) {
        return fail(QStringLiteral("its header has the invalid format version \"%1\"")
                        .arg(values.value(kKeyFormatVersion)));
    }
    header.itemCount = static_cast<qsizetype>(values.value(kKeyItemCount).toLongLong(&ok));
    if (!ok || header.itemCount < 0) {
        return fail(QStringLiteral("its header has the invalid item count \"%1\"")
                        .arg(values.value(kKeyItemCount)));
    }
    QJsonParseError jsonError;
    const QJsonDocument settings =
        QJsonDocument::fromJson(values.value(kKeySettings).toUtf8(), &jsonError);
    if (jsonError.error != QJsonParseError::NoError) {
        return fail(QStringLiteral("its header has settings that are invalid JSON (%1)")
                        .arg(jsonError.errorString()));
    }
    if (!settings.isObject())
        return fail(QStringLiteral("its header has settings that are not a JSON object"));
    header.settings = settings.object();
    const std::optional<QDateTime> created = parseIsoTime(values.value(kKeyCreated));
    if (!created) {
        return fail(QStringLiteral("its header has the invalid creation time \"%1\"")
                        .arg(values.value(kKeyCreated)));
    }
    header.created = *created;
    header.datasetSpec = values.value(kKeyDatasetSpec);
    header.datasetName = values.value(kKeyDatasetName);
    header.datasetFingerprint =
        QByteArray::fromHex(values.value(kKeyDatasetFingerprint).toLatin1());
    header.createdBy = values.value(kKeyCreatedBy);
    return header;
}

/// Fields of the SQLite file header that open() checks before SQLite reads the file.
struct RawHeader {
    qint32 applicationId = 0;
    qint32 userVersion = 0;
};

/// Checks the file with plain reads, so that empty, foreign and newer files are rejected before
/// SQLite opens them. The failure message is complete, file name included.
Result<RawHeader> readRawHeader(const QString &path)
{
    const QString prefix = QStringLiteral("Cannot open session %1: ").arg(displayPath(path));
    const QFileInfo info(path);
    if (!info.exists()) {
        return fail(prefix
                    + QStringLiteral("the file does not exist. Check the name and the folder."));
    }
    if (!info.isFile()) {
        return fail(prefix
                    + QStringLiteral("it is not a file. Choose a .%1 file.")
                          .arg(QLatin1String(kSessionSuffix)));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(prefix
                    + QStringLiteral("the file cannot be read (%1). Check its permissions.")
                          .arg(file.errorString()));
    }
    const QByteArray bytes = file.read(kSqliteHeaderSize);
    if (bytes.isEmpty() && file.size() == 0) {
        return fail(prefix
                    + QStringLiteral("the file is empty, not a session. Open a backup copy, or "
                                     "create a new session."));
    }
    if (bytes.size() < kSqliteMagicSize
        || std::memcmp(bytes.constData(), kSqliteMagic, kSqliteMagicSize) != 0) {
        return fail(prefix
                    + QStringLiteral("the file is not a UAI Studio session file (it does not "
                                     "start with an SQLite header). Open a file saved by UAI "
                                     "Studio."));
    }
    if (bytes.size() < kSqliteHeaderSize) {
        return fail(prefix
                    + QStringLiteral("the file is truncated (%1 bytes, shorter than an SQLite "
                                     "header). Open a backup copy.")
                          .arg(bytes.size()));
    }

    RawHeader header;
    header.userVersion = qFromBigEndian<qint32>(bytes.constData() + kUserVersionOffset);
    header.applicationId = qFromBigEndian<qint32>(bytes.constData() + kApplicationIdOffset);
    return header;
}

/// Returns the message part for an application_id or user_version that this build does not
/// accept, or an empty string when both are valid.
QString formatProblem(qint64 applicationId, qint64 userVersion)
{
    if (applicationId != kApplicationId) {
        return QStringLiteral("the file is an SQLite database but not a UAI Studio session file "
                              "(application id 0x%1). Open a file saved by UAI Studio.")
            .arg(applicationId, 8, 16, QLatin1Char('0'));
    }
    if (userVersion > kSessionFormatVersion) {
        return QStringLiteral("the file was written by a newer version of UAI Studio (format %1; "
                              "this build reads up to %2). Update UAI Studio to open it.")
            .arg(userVersion)
            .arg(kSessionFormatVersion);
    }
    if (userVersion < 0) {
        return QStringLiteral("the file has the invalid format version %1 (this build reads "
                              "format %2). The file is damaged. Open a backup copy.")
            .arg(userVersion)
            .arg(kSessionFormatVersion);
    }
    // Format 0 is SQLite's default user_version: a file from a build that never set it.
    if (userVersion < kSessionFormatVersion) {
        return QStringLiteral("the file was written by an older or pre-release version of UAI "
                              "Studio (format %1; this build reads format %2 and cannot upgrade "
                              "format %1). Open it with the version that wrote it and export "
                              "the verdicts, or start a new session on the same data.")
            .arg(userVersion)
            .arg(kSessionFormatVersion);
    }
    return {};
}

/// Checks an open read-only connection: integrity, format, tables, header and events. Returns
/// the header, or the message part that describes the problem.
Result<SessionHeader> validateSession(const QSqlDatabase &db)
{
    const QString damaged = QStringLiteral(
        "the database cannot be read (%1). The file is damaged or truncated. Open a backup copy.");
    if (isSqlite(db)) {
        Result<QVariant> check = selectValue(db, QStringLiteral("PRAGMA quick_check"));
        if (!check)
            return fail(damaged.arg(check.error()));
        if (check.value().toString() != QLatin1String("ok")) {
            return fail(QStringLiteral("the database failed SQLite's integrity check (%1). The "
                                       "file is damaged. Open a backup copy.")
                            .arg(check.value().toString()));
        }
        // The raw header check saw the main file only; the write-ahead log may hold newer values.
        Result<QVariant> applicationId = selectValue(db, QStringLiteral("PRAGMA application_id"));
        Result<QVariant> userVersion = selectValue(db, QStringLiteral("PRAGMA user_version"));
        if (!applicationId)
            return fail(damaged.arg(applicationId.error()));
        if (!userVersion)
            return fail(damaged.arg(userVersion.error()));
        const QString problem =
            formatProblem(applicationId.value().toLongLong(), userVersion.value().toLongLong());
        if (!problem.isEmpty())
            return fail(problem);
    }

    const QStringList tables = db.tables();
    QStringList missing;
    for (const QString &table : kTables) {
        if (!tables.contains(table))
            missing.append(table);
    }
    if (!missing.isEmpty()) {
        return fail(QStringLiteral("the table(s) %1 are missing. The file is damaged or was not "
                                   "written by UAI Studio. Open a backup copy.")
                        .arg(missing.join(QStringLiteral(", "))));
    }

    Result<SessionHeader> header = readHeader(db);
    if (!header)
        return fail(header.error() + QStringLiteral(". The file is damaged. Open a backup copy."));
    Result<std::vector<VerdictEvent>> events = selectAllEvents(db);
    if (!events) {
        return fail(QStringLiteral("its verdicts cannot be read (%1). The file is damaged. Open "
                                   "a backup copy.")
                        .arg(events.error()));
    }
    QSqlQuery query(db);
    const Status checkpoints = execute(
        query, QStringLiteral("SELECT round, verdicts_used, time, weights FROM checkpoints"));
    if (!checkpoints) {
        return fail(QStringLiteral("its checkpoints cannot be read (%1). The file is damaged. "
                                   "open a backup copy.")
                        .arg(checkpoints.error()));
    }
    return header;
}

/// Validates the session at path on a read-only connection, which never writes to the file.
/// Without a write-ahead log beside the file, SQLite opens it as immutable and so creates no -wal
/// or -shm file either. When a log exists, because another store has the file open or a process
/// was killed, SQLite reads the log too, so that recent verdicts are checked.
/// NOTE: a store that opens the file between the log check and the read can make the immutable
/// read see a half-written page and reject a sound file. The file is still left unchanged.
Result<SessionHeader> validateReadOnly(const QString &path)
{
    const bool hasLog = QFileInfo::exists(path + QStringLiteral("-wal"));
    Connection connection;
    Status opened = connection.openSqlite(
        path, hasLog ? QStringLiteral("mode=ro") : QStringLiteral("immutable=1"), true);
    if (!opened && hasLog) {
        // NOTE: reading a log needs its -shm index, which SQLite cannot create in a read-only
        // folder. The main file alone is then validated, so the verdicts in the log go
        // unchecked here.
        qCWarning(lcSession) << "Cannot read the write-ahead log of" << path << "("
                             << opened.error() << "); validating the main file only";
        Connection immutable;
        opened = immutable.openSqlite(path, QStringLiteral("immutable=1"), true);
        if (!opened)
            return fail(opened.error());
        return validateSession(immutable.db());
    }
    if (!opened)
        return fail(opened.error());
    return validateSession(connection.db());
}

/// Validates the file for open() without writing to it, and checks that it can be opened for
/// writing. The failure message is complete, file name included.
Result<SessionHeader> checkBeforeOpening(const QString &path)
{
    const QString prefix = QStringLiteral("Cannot open session %1: ").arg(displayPath(path));
    Result<RawHeader> raw = readRawHeader(path);
    if (!raw)
        return fail(raw.error());
    const QString problem = formatProblem(raw.value().applicationId, raw.value().userVersion);
    if (!problem.isEmpty())
        return fail(prefix + problem);
    Result<SessionHeader> header = validateReadOnly(path);
    if (!header)
        return fail(prefix + header.error());

    const QFileInfo info(path);
    if (!info.isWritable()) {
        return fail(prefix
                    + QStringLiteral("the file is read-only. Make it writable, or copy it to a "
                                     "folder you can write to."));
    }
    if (!QFileInfo(info.absolutePath()).isWritable()) {
        return fail(prefix
                    + QStringLiteral("its folder is not writable, and SQLite needs to create its "
                                     "write-ahead log there. Move the session to a folder you "
                                     "can write to."));
    }
    return header;
}

/// Deletes a file that create() made, with the side files SQLite may have added.
void removeCreatedFile(const QString &path)
{
    for (const QString &suffix :
         {QString(), QStringLiteral("-journal"), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        if (QFileInfo::exists(path + suffix) && !QFile::remove(path + suffix))
            qCWarning(lcSession) << "Cannot remove" << path + suffix;
    }
}

Status writeNewSession(QSqlDatabase &db, const SessionHeader &header)
{
    if (Status status = configureConnection(db); !status)
        return status;

    // Header and schema are written in rollback-journal mode, so that the application id and
    // format version sit in the main file from the start. A file whose newer pages live only in
    // the write-ahead log still passes the raw header check of open().
    WriteTransaction transaction(db);
    if (Status status = transaction.begin(); !status)
        return status;
    QSqlQuery query(db);
    if (isSqlite(db)) {
        for (const QString &pragma :
             {QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId),
              QStringLiteral("PRAGMA user_version = %1").arg(kSessionFormatVersion)}) {
            if (Status status = execute(query, pragma); !status)
                return status;
        }
    }
    for (const QString &statement : kSchema) {
        if (Status status = execute(query, statement); !status)
            return status;
    }
    if (Status status = insertHeader(db, header); !status)
        return status;
    query.finish();
    if (Status status = transaction.commit(); !status)
        return status;

    return enableWriteAheadLog(db);
}

/// Inserts event with the next sequence number in its own committed transaction.
Result<qint64> insertEvent(QSqlDatabase &db, const VerdictEvent &event)
{
    WriteTransaction transaction(db);
    if (Status status = transaction.begin(); !status)
        return fail(status.error());

    // Sequences are assigned here rather than by the database, because SQLite and PostgreSQL
    // differ in how a key column generates values.
    Result<QVariant> next = selectValue(
        db, QStringLiteral("SELECT COALESCE(MAX(sequence), 0) + 1 FROM verdict_events"));
    if (!next)
        return fail(next.error());
    const qint64 sequence = next.value().toLongLong();
    const QVariant verdict = event.verdict ? QVariant(verdictName(*event.verdict))
                                           : QVariant(QMetaType::fromType<QString>());
    {
        QSqlQuery query(db);
        const Status inserted = execute(query,
                                        QStringLiteral("INSERT INTO verdict_events (%1) "
                                                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                            .arg(kEventColumns),
                                        {sequence,
                                         qint64(event.item),
                                         textValue(event.itemId),
                                         verdict,
                                         event.round,
                                         isoTime(event.time),
                                         scoreValue(event.baseScore),
                                         scoreValue(event.uaiScore),
                                         textValue(event.analyst)});
        if (!inserted)
            return fail(inserted.error());
    }

    if (Status status = transaction.commit(); !status)
        return fail(status.error());
    return sequence;
}

/// Stores checkpoint in place of one of the same round and drops all but the newest
/// kKeptCheckpoints rounds, in one transaction.
Status replaceCheckpoint(QSqlDatabase &db, const RoundCheckpoint &checkpoint)
{
    WriteTransaction transaction(db);
    if (Status status = transaction.begin(); !status)
        return status;

    {
        QSqlQuery query(db);
        Status status = execute(
            query, QStringLiteral("DELETE FROM checkpoints WHERE round = ?"), {checkpoint.round});
        if (status) {
            status = execute(query,
                             QStringLiteral("INSERT INTO checkpoints (round, verdicts_used, "
                                            "weights, time) VALUES (?, ?, ?, ?)"),
                             {checkpoint.round,
                              qint64(checkpoint.verdictsUsed),
                              checkpoint.weights,
                              isoTime(checkpoint.time)});
        }
        if (status) {
            status = execute(query,
                             QStringLiteral("DELETE FROM checkpoints WHERE round NOT IN "
                                            "(SELECT round FROM checkpoints "
                                            "ORDER BY round DESC LIMIT ?)"),
                             {SessionStore::kKeptCheckpoints});
        }
        if (!status)
            return status;
    }

    return transaction.commit();
}

} // namespace

struct SessionStore::Impl {
    QString path;
    SessionHeader header;
    Connection connection;
};

SessionStore::SessionStore(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{}

SessionStore::~SessionStore() = default;

Result<std::unique_ptr<SessionStore>> SessionStore::create(const QString &path,
                                                           const SessionHeader &header)
{
    const QString prefix = QStringLiteral("Cannot create session %1: ").arg(displayPath(path));
    const QFileInfo info(path);
    if (info.exists() || info.isSymLink()) {
        return fail(prefix
                    + QStringLiteral("the file already exists. Choose another name, or open the "
                                     "existing session."));
    }
    const QFileInfo folder(info.absolutePath());
    if (!folder.isDir()) {
        return fail(prefix
                    + QStringLiteral("the folder %1 does not exist. Choose an existing folder.")
                          .arg(displayPath(folder.absoluteFilePath())));
    }
    if (!folder.isWritable()) {
        return fail(prefix
                    + QStringLiteral("the folder %1 is not writable. Choose a folder you can "
                                     "write to.")
                          .arg(displayPath(folder.absoluteFilePath())));
    }
    // Creating the empty file exclusively closes the gap between the check above and SQLite's
    // open, which would otherwise reuse a file another process created meanwhile.
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        return fail(prefix
                    + QStringLiteral("the file cannot be created (%1).").arg(file.errorString()));
    }
    file.close();

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->header = header;
    impl->header.formatVersion = kSessionFormatVersion;
    impl->header.created =
        header.created.isValid() ? header.created.toUTC() : QDateTime::currentDateTimeUtc();
    Status status = impl->connection.openSqlite(path, QStringLiteral("mode=rw"), false);
    if (status)
        status = writeNewSession(impl->connection.db(), impl->header);
    if (!status) {
        impl.reset();
        removeCreatedFile(path);
        return fail(prefix
                    + QStringLiteral("writing the database failed (%1). Check the disk space "
                                     "and the folder's permissions.")
                          .arg(status.error()));
    }
    qCDebug(lcSession) << "Created session" << path;
    return std::unique_ptr<SessionStore>(new SessionStore(std::move(impl)));
}

Result<std::unique_ptr<SessionStore>> SessionStore::open(const QString &path)
{
    Result<SessionHeader> header = checkBeforeOpening(path);
    if (!header) {
        qCDebug(lcSession) << "Rejected:" << header.error();
        return fail(header.error());
    }

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->header = std::move(header).value();
    const QString prefix = QStringLiteral("Cannot open session %1: ").arg(displayPath(path));
    Status status = impl->connection.openSqlite(path, QStringLiteral("mode=rw"), false);
    if (status)
        status = configureConnection(impl->connection.db());
    if (status)
        status = enableWriteAheadLog(impl->connection.db());
    if (!status) {
        return fail(prefix
                    + QStringLiteral("opening it for writing failed (%1). Check that no other "
                                     "program holds it locked.")
                          .arg(status.error()));
    }
    qCDebug(lcSession) << "Opened session" << path;
    return std::unique_ptr<SessionStore>(new SessionStore(std::move(impl)));
}

const SessionHeader &SessionStore::header() const
{
    return d->header;
}

QString SessionStore::path() const
{
    return d->path;
}

Status SessionStore::updateSettings(const QJsonObject &settings)
{
    QSqlDatabase &db = d->connection.db();
    WriteTransaction transaction(db);
    Status status = transaction.begin();
    if (status) {
        QSqlQuery query(db);
        const QString json =
            QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
        status = execute(query,
                         QStringLiteral("UPDATE session SET value = ? WHERE name = ?"),
                         {json, kKeySettings});
    }
    if (status)
        status = transaction.commit();
    if (!status) {
        return fail(QStringLiteral("Cannot save the settings of session %1: %2. Check the disk "
                                   "space and try again.")
                        .arg(displayPath(d->path), status.error()));
    }
    d->header.settings = settings;
    return success();
}

Result<qint64> SessionStore::appendVerdict(const VerdictEvent &event)
{
    const QString prefix = QStringLiteral("Cannot record the verdict on item %1 in session %2: ")
                               .arg(event.item)
                               .arg(displayPath(d->path));
    if (event.item < 0)
        return fail(prefix + QStringLiteral("the item index is negative."));
    if (!event.time.isValid())
        return fail(prefix + QStringLiteral("the event has no valid time."));

    Result<qint64> sequence = insertEvent(d->connection.db(), event);
    if (!sequence) {
        qCCritical(lcSession) << "Append failed:" << sequence.error();
        return fail(prefix
                    + QStringLiteral("writing the database failed (%1). The verdict was not "
                                     "saved. Check the disk space and try again.")
                          .arg(sequence.error()));
    }
    return sequence;
}

Result<std::vector<VerdictEvent>> SessionStore::verdictEvents() const
{
    Result<std::vector<VerdictEvent>> events = selectAllEvents(d->connection.db());
    if (!events) {
        return fail(QStringLiteral("Cannot read the verdicts of session %1: %2.")
                        .arg(displayPath(d->path), events.error()));
    }
    return events;
}

Result<std::vector<VerdictEvent>> SessionStore::currentVerdicts() const
{
    Result<std::vector<VerdictEvent>> events = selectCurrentEvents(d->connection.db());
    if (!events) {
        return fail(QStringLiteral("Cannot read the verdicts of session %1: %2.")
                        .arg(displayPath(d->path), events.error()));
    }
    return events;
}

Status SessionStore::saveCheckpoint(const RoundCheckpoint &checkpoint)
{
    const QString prefix = QStringLiteral("Cannot save the checkpoint of round %1 in session %2: ")
                               .arg(checkpoint.round)
                               .arg(displayPath(d->path));
    if (!checkpoint.time.isValid())
        return fail(prefix + QStringLiteral("the checkpoint has no valid time."));

    const Status status = replaceCheckpoint(d->connection.db(), checkpoint);
    if (!status) {
        qCCritical(lcSession) << "Checkpoint failed:" << status.error();
        return fail(prefix
                    + QStringLiteral("writing the database failed (%1). Check the disk space.")
                          .arg(status.error()));
    }
    return success();
}

Result<std::optional<RoundCheckpoint>> SessionStore::latestCheckpoint() const
{
    QSqlQuery query(d->connection.db());
    query.setForwardOnly(true);
    const Status status = execute(query,
                                  QStringLiteral("SELECT round, verdicts_used, weights, time "
                                                 "FROM checkpoints ORDER BY round DESC LIMIT 1"));
    if (!status) {
        return fail(QStringLiteral("Cannot read the checkpoints of session %1: %2.")
                        .arg(displayPath(d->path), status.error()));
    }
    if (!query.next())
        return std::optional<RoundCheckpoint>();

    RoundCheckpoint checkpoint;
    checkpoint.round = query.value(0).toInt();
    checkpoint.verdictsUsed = static_cast<qsizetype>(query.value(1).toLongLong());
    checkpoint.weights = query.value(2).toByteArray();
    const std::optional<QDateTime> time = parseIsoTime(query.value(3).toString());
    if (!time) {
        return fail(QStringLiteral("Cannot read the checkpoints of session %1: round %2 has the "
                                   "invalid time \"%3\".")
                        .arg(displayPath(d->path))
                        .arg(checkpoint.round)
                        .arg(query.value(3).toString()));
    }
    checkpoint.time = *time;
    return std::optional<RoundCheckpoint>(std::move(checkpoint));
}

namespace {

/// Quotes a CSV field as RFC 4180 requires when it contains a separator, quote or line break.
QString csvField(const QString &text)
{
    const bool needsQuotes = text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"'))
                             || text.contains(QLatin1Char('\n'))
                             || text.contains(QLatin1Char('\r'));
    if (!needsQuotes)
        return text;
    QString escaped = text;
    escaped.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return quoted(escaped);
}

/// Formats a score with the fewest digits that read back as the same double; empty for NaN.
QString csvScore(double score)
{
    return std::isnan(score) ? QString()
                             : QString::number(score, 'g', QLocale::FloatingPointShortest);
}

} // namespace

Status SessionStore::exportVerdictsCsv(const QString &csvPath) const
{
    const QString prefix = QStringLiteral("Cannot export the verdicts of session %1 to %2: ")
                               .arg(displayPath(d->path), displayPath(csvPath));
    Result<std::vector<VerdictEvent>> verdicts = selectCurrentEvents(d->connection.db());
    if (!verdicts) {
        return fail(prefix
                    + QStringLiteral("reading the verdicts failed (%1).").arg(verdicts.error()));
    }

    QString text = QStringLiteral("item_id,verdict,round,time,base_score,uai_score\n");
    for (const VerdictEvent &event : verdicts.value()) {
        const QStringList fields = {csvField(event.itemId),
                                    verdictName(*event.verdict),
                                    QString::number(event.round),
                                    isoTime(event.time),
                                    csvScore(event.baseScore),
                                    csvScore(event.uaiScore)};
        text += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }

    QSaveFile file(csvPath);
    if (!file.open(QIODevice::WriteOnly)) {
        return fail(prefix
                    + QStringLiteral("the file cannot be written (%1). Choose another folder.")
                          .arg(file.errorString()));
    }
    file.write(text.toUtf8());
    if (!file.commit()) {
        return fail(
            prefix
            + QStringLiteral("writing failed (%1). Check the disk space.").arg(file.errorString()));
    }
    return success();
}

} // namespace uai
