#pragma once

#include "datalimits.h"
#include "datasource.h"
#include "loopsettings.h"

#include <QDialog>
#include <QString>

#include <memory>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace uai {

struct Dataset;

/// The File > Open dialog for a CSV feature table, an IDX image file (with its label file
/// beside it) or a folder of images or IDX files.
///
/// The dialog loads the data through loadDataSource() when it is constructed, and again whenever
/// a choice that affects the data changes. After a load it shows what was read: kind, size,
/// ground truth, classes and the loader's import notes, including skipped files and imputed
/// cells. After a failure it shows the loader's message in red. The analyst also sets the base
/// model, the queue size, the budget and the seed. OK is enabled only while a load succeeded
/// and the settings are valid. Loading runs on the GUI thread under a wait cursor.
///
/// Before each load the dialog estimates the memory that the data, the model and training will
/// need from the IDX header, the CSV file size or the image count (see estimateMemory()). A
/// shape beyond the dataset limits is rejected without loading; an estimate above 2 GiB or
/// above the available memory waits for Load Anyway.
class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    /// Kind of source at the path, detected from the file's bytes as loadDataSource() does.
    enum class SourceKind { Missing, Table, IdxImages, IdxFolder, ImageFolder };
    Q_ENUM(SourceKind)

    /// Creates the dialog for a file or folder and loads it with the default choices: ground
    /// truth from a column named "label" when the header has one, no class column, cells that
    /// are not numbers rejected.
    explicit ImportDialog(const QString &path, QWidget *parent = nullptr);
    ~ImportDialog() override;

    /// Returns the loaded dataset, or null while the last load failed.
    std::shared_ptr<const Dataset> dataset() const { return m_dataset; }
    /// Returns the loop settings chosen here (model, queue size, seed) on top of the defaults.
    LoopSettings settings() const;
    /// Returns the number of verdicts the analyst plans to give.
    qsizetype budget() const;
    /// Returns the spec that, with sourceOptions(), loads the same data again through
    /// loadDataSource(): the absolute path plus any anomaly construction suffix.
    QString dataSpec() const;
    /// Returns the loader options chosen here.
    DataSourceOptions sourceOptions() const;

    SourceKind sourceKind() const { return m_kind; }
    /// Returns the message shown in the error area; empty after a good load.
    QString errorText() const { return m_errorText; }

    /// Text that "(none)" entries show; exposed so that tests can choose them.
    static QString noneText();

public Q_SLOTS:
    /// Loads the data again with the current choices.
    void reload();

Q_SIGNALS:
    /// The data was loaded with the current choices; dataset() returns it.
    void datasetLoaded();
    /// The load failed; message names the file, line or field and what to do.
    void loadFailed(const QString &message);

private:
    void buildForm();
    void fillColumnChoices();
    void showDataset();
    void showError(const QString &message);
    void clearSummary();
    void updateModelChoice();
    void updateConstructionChoice();
    void updateLimits();
    void updateOkButton();
    QString checkChoices() const;
    bool confirmLargeLoad();
    void showMemoryEstimate(const MemoryEstimate &estimate, bool beforeLoading);

    QString m_path;
    SourceKind m_kind = SourceKind::Missing;
    QStringList m_headerNames;
    QString m_headerProblem;
    std::shared_ptr<const Dataset> m_dataset;
    QString m_errorText;
    bool m_budgetEdited = false;
    /// Set by Load Anyway: the next reload skips the memory confirmation.
    bool m_largeLoadConfirmed = false;

    QLabel *m_pathValue = nullptr;
    QLabel *m_kindValue = nullptr;
    QLabel *m_itemsValue = nullptr;
    QLabel *m_featuresValue = nullptr;
    QLabel *m_imageSizeValue = nullptr;
    QLabel *m_truthValue = nullptr;
    QLabel *m_classesValue = nullptr;
    QLabel *m_memoryValue = nullptr;
    QPlainTextEdit *m_notesView = nullptr;
    QLabel *m_errorLabel = nullptr;

    QComboBox *m_truthCombo = nullptr;
    QComboBox *m_classCombo = nullptr;
    QComboBox *m_missingCombo = nullptr;
    QComboBox *m_constructionCombo = nullptr;
    QRadioButton *m_autoencoderRadio = nullptr;
    QRadioButton *m_classifierRadio = nullptr;
    QSpinBox *m_queueSizeSpin = nullptr;
    QSpinBox *m_budgetSpin = nullptr;
    QSpinBox *m_seedSpin = nullptr;
    QSpinBox *m_latentSpin = nullptr;
    QComboBox *m_switchCombo = nullptr;
    QComboBox *m_baseRankingCombo = nullptr;
    QPushButton *m_reloadButton = nullptr;
    QPushButton *m_loadAnywayButton = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace uai
