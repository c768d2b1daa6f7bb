#include "datasource.h"

#include "hardconstruction.h"
#include "idxreader.h"
#include "rareclassconstruction.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace uai {

bool looksLikeIdxFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(4);
    if (head.size() >= 2 && quint8(head[0]) == 0x1f && quint8(head[1]) == 0x8b)
        return true;
    return head.size() == 4 && head[0] == 0 && head[1] == 0 && quint8(head[2]) >= 0x08
           && quint8(head[2]) <= 0x0e;
}

namespace {

/// True for names that only IDX files carry, so that a damaged IDX file gets the IDX reader's
/// message instead of being read as CSV.
bool looksLikeIdxName(const QString &path)
{
    const QString name = QFileInfo(path).fileName().toLower();
    return name.endsWith(QLatin1String(".idx")) || name.endsWith(QLatin1String(".idx.gz"))
           || name.contains(QLatin1String("-idx1-")) || name.contains(QLatin1String("-idx3-"))
           || name.endsWith(QLatin1String("-ubyte")) || name.endsWith(QLatin1String("-ubyte.gz"));
}

/// Returns the label file beside an IDX image file, or an empty string.
QString siblingLabels(const QString &imagesPath)
{
    const QFileInfo info(imagesPath);
    QString name = info.fileName();
    if (!name.contains(QLatin1String("images-idx3")))
        return {};
    name.replace(QLatin1String("images-idx3"), QLatin1String("labels-idx1"));
    const QString candidate = info.dir().filePath(name);
    return QFileInfo::exists(candidate) ? candidate : QString();
}

/// Finds an IDX image file in a folder, preferring the training split.
QString findIdxImages(const QString &folder)
{
    const QDir dir(folder);
    for (const auto *prefix : {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"}) {
        for (const auto *suffix : {".gz", ""}) {
            const QString path = dir.filePath(QLatin1String(prefix) + QLatin1String(suffix));
            if (QFileInfo::exists(path))
                return path;
        }
    }
    const QStringList others =
        dir.entryList({QStringLiteral("*images-idx3*")}, QDir::Files, QDir::Name);
    return others.isEmpty() ? QString() : dir.filePath(others.first());
}

Result<Dataset> loadPlainSource(const QString &source, const DataSourceOptions &options)
{
    const QString named = namedSetFolder(source);
    QString base = named.isEmpty() ? source : named;
    if (source.contains(QLatin1Char(',')) && !QFileInfo::exists(source)) {
        const QStringList parts = source.split(QLatin1Char(','));
        if (parts.size() != 2)
            return fail(QStringLiteral("Cannot read \"%1\": give an IDX pair as IMAGES,LABELS.")
                            .arg(source));
        return readIdxDataset(parts[0], parts[1]);
    }
    const QFileInfo info(base);
    if (!info.exists()) {
        if (!named.isEmpty()) {
            return fail(QStringLiteral("Cannot open the \"%1\" image set: folder \"%2\" does not "
                                       "exist. %3")
                            .arg(source,
                                 named,
                                 source == QLatin1String("fashion-mnist")
                                     ? QStringLiteral("Install Debian's dataset-fashion-mnist "
                                                      "package or set UAI_FASHION_MNIST_DIR.")
                                     : QStringLiteral("Set UAI_MNIST_DIR to a folder holding "
                                                      "the MNIST IDX files.")));
        }
        return fail(QStringLiteral("Cannot open \"%1\": no such file or folder.").arg(source));
    }
    if (info.isDir()) {
        const QString images = findIdxImages(base);
        if (images.isEmpty())
            return readImageFolder(base, options.images);
        Result<Dataset> loaded = readIdxDataset(images, siblingLabels(images));
        if (loaded.ok() && !named.isEmpty())
            loaded.value().name = source;
        return loaded;
    }
    if (looksLikeIdxFile(base) || looksLikeIdxName(base))
        return readIdxDataset(base, siblingLabels(base));
    return readCsv(base, options.csv);
}

} // namespace

QString namedSetFolder(const QString &setName)
{
    if (setName == QLatin1String("fashion-mnist")) {
        return qEnvironmentVariableIsSet("UAI_FASHION_MNIST_DIR")
                   ? qEnvironmentVariable("UAI_FASHION_MNIST_DIR")
                   : QStringLiteral("/usr/share/datasets/fashion-mnist");
    }
    if (setName == QLatin1String("mnist")) {
        return qEnvironmentVariableIsSet("UAI_MNIST_DIR")
                   ? qEnvironmentVariable("UAI_MNIST_DIR")
                   : QStringLiteral("/usr/share/datasets/mnist");
    }
    return {};
}

QString dataSourceHelp()
{
    return QStringLiteral(
        "FILE.csv | IMAGES.idx[.gz] | IMAGES,LABELS | FOLDER | fashion-mnist | mnist, "
        "optionally followed by :0, :0-2 or :hard to build an anomaly set from labeled images "
        "(for example fashion-mnist:0)");
}

Result<Dataset> loadDataSource(const QString &spec, const DataSourceOptions &options)
{
    if (spec.trimmed().isEmpty())
        return fail(QStringLiteral("No dataset given. Give %1.").arg(dataSourceHelp()));

    QString source = spec;
    QString construction;
    const qsizetype colon = spec.lastIndexOf(QLatin1Char(':'));
    if (colon > 0) {
        const QString suffix = spec.mid(colon + 1);
        if (suffix == QLatin1String("0") || suffix == QLatin1String("0-2")
            || suffix == QLatin1String("hard")) {
            source = spec.left(colon);
            construction = suffix;
        } else if (!QFileInfo::exists(spec)) {
            return fail(QStringLiteral("Unknown anomaly construction \":%1\" in \"%2\"; use :0, "
                                       ":0-2 or :hard.")
                            .arg(suffix, spec));
        }
    }

    Result<Dataset> loaded = loadPlainSource(source, options);
    if (!loaded.ok() || construction.isEmpty())
        return loaded;

    const Dataset &labeled = loaded.value();
    if (!labeled.hasClasses()) {
        return fail(QStringLiteral("Cannot build \"%1\": \"%2\" has no labels to build anomalies "
                                   "from. Give an IDX label file or a CSV class column.")
                        .arg(spec, source));
    }
    if (construction == QLatin1String("0"))
        return makeRareClassSet(labeled, {0}, 0.1, options.seed, spec);
    if (construction == QLatin1String("0-2"))
        return makeRareClassSet(labeled, {0, 1, 2}, 0.1, options.seed, spec);
    return makeHardSet(labeled, options.seed, spec);
}

} // namespace uai
