#pragma once

#include "datasource.h"
#include "loopsettings.h"
#include "result.h"

#include <QJsonObject>

namespace uai {

/// Everything a session needs to rebuild its dataset and loop: the loop settings, the budget
/// and the options the dataset was loaded with.
struct SessionSettings {
    LoopSettings loop;
    qsizetype budget = 1000;
    DataSourceOptions source;
};

/// Writes the settings as a JSON object with one key per field.
QJsonObject sessionSettingsToJson(const SessionSettings &settings);

/// Reads what sessionSettingsToJson() wrote. Missing keys take their defaults; a key with a
/// value of the wrong type or out of range fails with a message naming the key.
Result<SessionSettings> sessionSettingsFromJson(const QJsonObject &json);

/// Sets an automatic base ranking to AnomalyScore for a session on images saved before "auto"
/// meant the score-anchored forest layer there, so that the session resumes with the ranking it
/// was saved with. Leaves the settings unchanged otherwise.
void keepSavedAutomaticRanking(const QJsonObject &json, DatasetKind kind, LoopSettings *loop);

} // namespace uai
