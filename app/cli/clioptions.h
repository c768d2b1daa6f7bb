#pragma once

#include "commandline.h"

#include <QString>

/// Prints "uai-cli: " and the message on standard error.
void printError(const QString &message);

using uai::parseInteger;
