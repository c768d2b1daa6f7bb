#include "experimentmethods.h"

#include "loopsettings.h"
#include "simulatedanalyst.h"

QStringList methodNames()
{
    return {QStringLiteral("base"),
            QStringLiteral("uai"),
            QStringLiteral("uai-second-round"),
            QStringLiteral("uai-noisy5"),
            QStringLiteral("uai-noisy10")};
}

QString describeMethod(const QString &name)
{
    if (name == QLatin1String("base"))
        return QStringLiteral("the pretrained base model's own ranking, without the UAI layer.");
    if (name == QLatin1String("uai"))
        return QStringLiteral("the loop with the UAI layer and the default settings.");
    if (name == QLatin1String("uai-second-round"))
        return QStringLiteral("the UAI layer ranks from the second round on, before it has seen "
                              "both an anomaly and a normal verdict.");
    if (name == QLatin1String("uai-noisy5"))
        return QStringLiteral("an analyst who gives 5% of the verdicts wrong; recall still "
                              "counts true anomalies.");
    if (name == QLatin1String("uai-noisy10"))
        return QStringLiteral("an analyst who gives 10% of the verdicts wrong; recall still "
                              "counts true anomalies.");
    return QString();
}

bool applyMethod(const QString &name,
                 uai::LoopSettings *settings,
                 uai::SimulationOptions *options,
                 MethodCurve *curve,
                 QString *error)
{
    *curve = MethodCurve::Uai;
    if (name == QLatin1String("base")) {
        // The base curve does not depend on the verdicts, so it comes from the "uai" run.
        *curve = MethodCurve::Base;
        return true;
    }
    if (name == QLatin1String("uai"))
        return true;
    if (name == QLatin1String("uai-second-round")) {
        settings->switchRule = uai::SwitchRule::SecondRound;
        return true;
    }
    if (name == QLatin1String("uai-noisy5")) {
        options->flipFraction = 0.05;
        return true;
    }
    if (name == QLatin1String("uai-noisy10")) {
        options->flipFraction = 0.10;
        return true;
    }
    *error = QStringLiteral("method \"%1\" is unknown; use one of %2.")
                 .arg(name, methodNames().join(QStringLiteral(", ")));
    return false;
}
