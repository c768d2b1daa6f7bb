#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace uai {

enum class DatasetKind { Table, Images };

/// Ground truth of one item, known only from the data file; the analyst never sees it.
enum class Truth : std::uint8_t { Normal = 0, Anomaly = 1 };

/// A dataset ready for the detector: one row of float features per item, a stable id per item,
/// and the optional ground-truth and class columns.
///
/// Tables hold standardised features (zero mean, unit variance per column; constant columns are
/// centred and left at scale 1). Images hold grayscale pixels in [0, 1], row-major, one channel.
struct Dataset {
    QString name;   ///< Short name shown to the user, such as "shuttle_1v23567.csv".
    QString source; ///< Path, path pair or construction spec the dataset was read from.
    DatasetKind kind = DatasetKind::Table;

    qsizetype itemCount = 0;
    qsizetype featureCount = 0;
    std::vector<float> features; ///< itemCount x featureCount, row-major, all finite.
    QStringList featureNames;    ///< featureCount names; pixels are named "x,y".

    /// Stable id of each item, used everywhere downstream: "line 42" for a CSV row,
    /// the file name for an image folder, "index 17" for an IDX item.
    QStringList itemIds;

    /// Ground truth per item; empty when the data has none.
    std::vector<Truth> truth;

    /// Class index per item for the classifier model, in [0, classNames.size()); empty when the
    /// data has no class column.
    std::vector<std::int32_t> classes;
    QStringList classNames;

    int imageWidth = 0;  ///< Images only.
    int imageHeight = 0; ///< Images only.

    /// Tables only: per-feature mean and scale, so that raw = standardised * scale + mean.
    std::vector<double> featureMean;
    std::vector<double> featureScale;

    /// What the import converted, excluded or skipped, one sentence per line, for the summary.
    QStringList importNotes;

    bool hasTruth() const { return !truth.empty(); }
    bool hasClasses() const { return !classes.empty(); }
    qsizetype anomalyCount() const;

    /// Returns the feature value of item i, column j, in the units of the file.
    double rawValue(qsizetype item, qsizetype feature) const;

    /// Returns the SHA-256 of everything the detector and the analyst see (features, ids, ground
    /// truth, classes, image size), in lower-case hex. Two loads of unchanged data agree; any
    /// change to a value, an id or the item order changes it.
    QByteArray fingerprint() const;

    /// Returns an empty string when the invariants above hold, otherwise what is wrong.
    QString checkConsistency() const;
};

} // namespace uai
