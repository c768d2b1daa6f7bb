#include "chartexport.h"

#include <QFile>
#include <QImageWriter>
#include <QPainter>
#include <QSvgGenerator>

namespace uai {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

bool writeChartPng(const QImage &image, const QString &path, QString *error)
{
    QImageWriter writer(path, "png");
    if (!writer.write(image))
        return fail(error,
                    QStringLiteral("Could not write %1: %2").arg(path, writer.errorString()));
    return true;
}

bool writeChartSvg(const QString &path,
                   QSize size,
                   int resolution,
                   const QString &title,
                   const std::function<void(QPainter &, QPaintDevice &)> &paint,
                   QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(error, QStringLiteral("Could not write %1: %2").arg(path, file.errorString()));

    QSvgGenerator generator;
    generator.setOutputDevice(&file);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setResolution(resolution);
    generator.setTitle(title);
    QPainter painter;
    if (!painter.begin(&generator))
        return fail(error, QStringLiteral("Could not start the SVG export to %1.").arg(path));
    paint(painter, generator);
    painter.end();

    file.close();
    if (file.error() != QFileDevice::NoError)
        return fail(error, QStringLiteral("Could not write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace uai
