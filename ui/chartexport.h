#pragma once

#include <QSize>
#include <QString>

#include <functional>

class QImage;
class QPaintDevice;
class QPainter;

namespace uai {

/// Writes an image as PNG. Returns false with a message naming the path on failure.
bool writeChartPng(const QImage &image, const QString &path, QString *error);

/// Writes an SVG file of the given size by calling paint with a painter on an SVG generator.
/// Returns false with a message naming the path when the file cannot be written.
bool writeChartSvg(const QString &path,
                   QSize size,
                   int resolution,
                   const QString &title,
                   const std::function<void(QPainter &, QPaintDevice &)> &paint,
                   QString *error);

} // namespace uai
