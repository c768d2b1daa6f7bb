#pragma once

#include "csvreader.h"
#include "dataset.h"
#include "imagefolderreader.h"
#include "result.h"

#include <QString>

#include <cstdint>

namespace uai {

struct DataSourceOptions {
    CsvOptions csv;
    ImageFolderOptions images;
    /// Seed of the anomaly constructions (which rare items are kept and how they are relabeled,
    /// the weak classifier of the hard set).
    std::uint64_t seed = 1;
};

/// Loads a dataset from a spec, the form the command line and recent-file lists use:
///   FILE.csv                    a feature table (any file that is not IDX is read as CSV)
///   IMAGES.idx[.gz]             IDX images, with labels from the file beside it whose name has
///                               "labels-idx1" in place of "images-idx3", when it exists
///   IMAGES,LABELS               an explicit IDX pair
///   FOLDER                      a folder holding an IDX pair, otherwise an image folder
///   fashion-mnist, mnist        the named image sets (see namedSetFolder())
/// and, for any labeled image source, a suffix that builds the anomaly set:
///   :0      class 0 kept at 10% and relabeled to a random class among 1..9
///   :0-2    classes 0, 1, 2 kept at 10% each and relabeled to a random class among 3..9
///   :hard   the items that a weak one-hidden-layer classifier misclassifies
/// IDX content is recognised from the file's bytes, not its name. Fails with the underlying
/// loader's message, or with one that names the spec and lists these forms.
Result<Dataset> loadDataSource(const QString &spec, const DataSourceOptions &options = {});

/// Returns whether the file's first bytes are an IDX header or a gzip stream, which the data
/// sources read as IDX.
bool looksLikeIdxFile(const QString &path);

/// Returns the folder the named set is read from: for "fashion-mnist" the environment variable
/// UAI_FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist
/// package); for "mnist" UAI_MNIST_DIR or /usr/share/datasets/mnist. Empty for other names.
QString namedSetFolder(const QString &setName);

/// A few lines describing the spec forms, for command-line help and error messages.
QString dataSourceHelp();

} // namespace uai
