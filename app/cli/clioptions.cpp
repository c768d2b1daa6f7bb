#include "clioptions.h"

#include <cstdio>

void printError(const QString &message)
{
    std::fprintf(stderr, "uai-cli: %s\n", qPrintable(message));
}
