#pragma once

#include "dataset.h"
#include "result.h"

#include <QImage>
#include <QString>
#include <QStringList>

namespace uai {

struct ImageFolderOptions {
    /// Width and height every image is scaled to. 0 means the most common size among the
    /// readable images (ties go to the larger area).
    int targetWidth = 0;
    int targetHeight = 0;
    /// Largest side accepted for the target size; larger folders are scaled down to it.
    int maxSide = 64;
};

/// Reads every image file directly in a folder (PNG, JPEG and the other formats Qt reads,
/// matched by content, extension case-insensitive) as one grayscale item.
///
/// Channel layout: 8-bit luma (Qt's qGray weighting), alpha composited over black, scaled to
/// [0, 1]. Images whose size differs from the target are scaled with smooth filtering, ignoring
/// aspect ratio. Hidden files (name starting with a dot) and subfolders are skipped and listed
/// in the import notes, as is every unreadable entry with its reason (empty file, truncated
/// image, not an image, dangling link). Item ids are file names. Fails when the folder does
/// not exist or holds no readable image.
Result<Dataset> readImageFolder(const QString &folder, const ImageFolderOptions &options = {});

/// Converts one image to grayscale floats in [0, 1] of the given size, row-major, handling
/// padded scan lines. Exposed for tests and for displaying items.
std::vector<float> imageToGrayscale(const QImage &image, int width, int height);

} // namespace uai
