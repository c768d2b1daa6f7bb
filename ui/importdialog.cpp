#include "importdialog.h"

#include "dataset.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <utility>

Q_LOGGING_CATEGORY(lcImport, "uai.ui.import", QtWarningMsg)

namespace uai {

namespace {

/// Queue size and budget defaults shown before the analyst changes them.
constexpr int kDefaultQueueSize = 10;
constexpr qsizetype kDefaultBudget = 1000;

struct CsvHeader {
    QStringList names;
    QString problem; ///< Why no names could be read; empty when they could.
};

ImportDialog::SourceKind sniffSourceKind(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return ImportDialog::SourceKind::Missing;
    if (info.isDir()) {
        const QStringList idx =
            QDir(path).entryList({QStringLiteral("*images-idx3*")}, QDir::Files);
        return idx.isEmpty() ? ImportDialog::SourceKind::ImageFolder
                             : ImportDialog::SourceKind::IdxFolder;
    }
    return looksLikeIdxFile(path) ? ImportDialog::SourceKind::IdxImages
                                  : ImportDialog::SourceKind::Table;
}

/// Reads the column names of a CSV file the way the CSV reader names them.
CsvHeader readCsvHeader(const QString &path)
{
    CsvHeader header;
    auto names = readCsvColumnNames(path);
    if (names.ok())
        header.names = names.value();
    else
        header.problem = names.error();
    return header;
}

QString kindText(ImportDialog::SourceKind kind)
{
    switch (kind) {
    case ImportDialog::SourceKind::Missing:
        return ImportDialog::tr("Not found");
    case ImportDialog::SourceKind::Table:
        return ImportDialog::tr("Feature table (CSV)");
    case ImportDialog::SourceKind::IdxImages:
        return ImportDialog::tr("IDX images");
    case ImportDialog::SourceKind::IdxFolder:
        return ImportDialog::tr("Folder with IDX images");
    case ImportDialog::SourceKind::ImageFolder:
        return ImportDialog::tr("Image folder");
    }
    return {};
}

QLabel *makeValueLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

/// Selects the entry whose data equals value, case-insensitively; the first entry otherwise.
void selectByData(QComboBox *combo, const QString &value)
{
    for (int i = 0; i < combo->count(); ++i) {
        if (combo->itemData(i).toString().compare(value, Qt::CaseInsensitive) == 0) {
            combo->setCurrentIndex(i);
            return;
        }
    }
    combo->setCurrentIndex(0);
}

} // namespace

ImportDialog::ImportDialog(const QString &path, QWidget *parent)
    : QDialog(parent)
{
    const QFileInfo info(path);
    m_path = info.exists() ? info.absoluteFilePath() : path;
    m_kind = sniffSourceKind(m_path);
    setWindowTitle(tr("Open Dataset"));

    buildForm();
    fillColumnChoices();
    updateConstructionChoice();
    reload();
}

ImportDialog::~ImportDialog() = default;

QString ImportDialog::noneText()
{
    return tr("(none)");
}

void ImportDialog::buildForm()
{
    m_pathValue = makeValueLabel(QStringLiteral("pathValue"), this);
    m_pathValue->setText(QDir::toNativeSeparators(m_path));
    m_kindValue = makeValueLabel(QStringLiteral("kindValue"), this);
    m_kindValue->setText(kindText(m_kind));
    m_itemsValue = makeValueLabel(QStringLiteral("itemsValue"), this);
    m_featuresValue = makeValueLabel(QStringLiteral("featuresValue"), this);
    m_imageSizeValue = makeValueLabel(QStringLiteral("imageSizeValue"), this);
    m_truthValue = makeValueLabel(QStringLiteral("truthValue"), this);
    m_classesValue = makeValueLabel(QStringLiteral("classesValue"), this);
    m_memoryValue = makeValueLabel(QStringLiteral("memoryValue"), this);

    auto *detected = new QGroupBox(tr("Detected"), this);
    auto *detectedForm = new QFormLayout(detected);
    detectedForm->addRow(tr("Source:"), m_pathValue);
    detectedForm->addRow(tr("Kind:"), m_kindValue);
    detectedForm->addRow(tr("Items:"), m_itemsValue);
    detectedForm->addRow(tr("Features:"), m_featuresValue);
    detectedForm->addRow(tr("Image size:"), m_imageSizeValue);
    detectedForm->addRow(tr("Ground truth:"), m_truthValue);
    detectedForm->addRow(tr("Classes:"), m_classesValue);
    detectedForm->addRow(tr("Memory:"), m_memoryValue);

    m_notesView = new QPlainTextEdit(this);
    m_notesView->setObjectName(QStringLiteral("notesView"));
    m_notesView->setReadOnly(true);
    m_notesView->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_notesView->setMaximumBlockCount(10000);
    auto *notes = new QGroupBox(tr("Import Notes"), this);
    auto *notesLayout = new QVBoxLayout(notes);
    notesLayout->addWidget(m_notesView);

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setTextFormat(Qt::PlainText);
    QPalette errorPalette = m_errorLabel->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xb0, 0x00, 0x20));
    m_errorLabel->setPalette(errorPalette);
    m_errorLabel->hide();

    m_truthCombo = new QComboBox(this);
    m_truthCombo->setObjectName(QStringLiteral("truthColumnCombo"));
    m_truthCombo->setToolTip(tr("Column with anomaly/normal values, used only by the simulated "
                                "analyst and the metrics; the detector never sees it"));
    m_classCombo = new QComboBox(this);
    m_classCombo->setObjectName(QStringLiteral("classColumnCombo"));
    m_classCombo->setToolTip(tr("Categorical column that the classifier model predicts"));
    m_missingCombo = new QComboBox(this);
    m_missingCombo->setObjectName(QStringLiteral("missingCellsCombo"));
    m_missingCombo->addItem(tr("Reject the file"), int(MissingCellPolicy::Reject));
    m_missingCombo->addItem(tr("Replace by the column median"),
                            int(MissingCellPolicy::ImputeMedian));
    m_missingCombo->setToolTip(tr("What to do with empty cells, NA, NaN, infinities and numbers "
                                  "beyond the 32-bit float range"));
    m_constructionCombo = new QComboBox(this);
    m_constructionCombo->setObjectName(QStringLiteral("constructionCombo"));
    m_constructionCombo->addItem(tr("None"), QString());
    m_constructionCombo->addItem(tr("Class 0 kept at 10%, as anomalies"), QStringLiteral("0"));
    m_constructionCombo->addItem(tr("Classes 0 to 2 kept at 10%, as anomalies"),
                                 QStringLiteral("0-2"));
    m_constructionCombo->addItem(tr("Items a weak classifier gets wrong, as anomalies"),
                                 QStringLiteral("hard"));

    auto *data = new QGroupBox(tr("Data"), this);
    auto *dataForm = new QFormLayout(data);
    dataForm->addRow(tr("&Ground-truth column:"), m_truthCombo);
    dataForm->addRow(tr("C&lass column:"), m_classCombo);
    dataForm->addRow(tr("&Missing or invalid cells:"), m_missingCombo);
    dataForm->addRow(tr("&Anomaly construction:"), m_constructionCombo);

    m_autoencoderRadio = new QRadioButton(tr("A&utoencoder"), this);
    m_autoencoderRadio->setObjectName(QStringLiteral("autoencoderRadio"));
    m_autoencoderRadio->setToolTip(tr("Anomaly score: squared reconstruction error"));
    m_autoencoderRadio->setChecked(true);
    m_classifierRadio = new QRadioButton(tr("Cl&assifier"), this);
    m_classifierRadio->setObjectName(QStringLiteral("classifierRadio"));
    auto *modelRow = new QHBoxLayout;
    modelRow->addWidget(m_autoencoderRadio);
    modelRow->addWidget(m_classifierRadio);
    modelRow->addStretch(1);

    m_queueSizeSpin = new QSpinBox(this);
    m_queueSizeSpin->setObjectName(QStringLiteral("queueSizeSpin"));
    m_queueSizeSpin->setRange(1, kDefaultQueueSize);
    m_queueSizeSpin->setValue(kDefaultQueueSize);
    m_queueSizeSpin->setToolTip(tr("Items shown per round before the model retrains (k)"));
    m_budgetSpin = new QSpinBox(this);
    m_budgetSpin->setObjectName(QStringLiteral("budgetSpin"));
    m_budgetSpin->setRange(1, 1);
    m_budgetSpin->setToolTip(tr("Verdicts the analyst plans to give in this session"));
    m_seedSpin = new QSpinBox(this);
    m_seedSpin->setObjectName(QStringLiteral("seedSpin"));
    m_seedSpin->setRange(0, std::numeric_limits<int>::max());
    m_seedSpin->setValue(1);
    m_seedSpin->setKeyboardTracking(false);
    m_seedSpin->setToolTip(tr("Seed of the model's initialisation and of the anomaly "
                              "construction"));

    auto *loop = new QGroupBox(tr("Model"), this);
    auto *loopForm = new QFormLayout(loop);
    loopForm->addRow(tr("Base model:"), modelRow);
    loopForm->addRow(tr("&Queue size (k):"), m_queueSizeSpin);
    loopForm->addRow(tr("&Budget:"), m_budgetSpin);
    loopForm->addRow(tr("&Seed:"), m_seedSpin);
    m_latentSpin = new QSpinBox(this);
    m_latentSpin->setObjectName(QStringLiteral("latentSpin"));
    m_latentSpin->setRange(1, 64);
    m_latentSpin->setValue(LoopSettings().latentSize());
    m_latentSpin->setToolTip(tr("Units of the latent layer that the UAI layer reads (hidden sizes "
                                "256, 64 and this). With 1, the latent chart can show the single "
                                "unit directly."));
    loopForm->addRow(tr("&Latent units:"), m_latentSpin);
    m_switchCombo = new QComboBox(this);
    m_switchCombo->setObjectName(QStringLiteral("switchCombo"));
    m_switchCombo->addItem(tr("Automatic: never with the forest layer, else the published rule"),
                           switchRuleName(SwitchRule::Automatic));
    m_switchCombo->addItem(tr("After an anomaly and a normal verdict (published method)"),
                           switchRuleName(SwitchRule::BothVerdicts));
    m_switchCombo->addItem(tr("From the second round"), switchRuleName(SwitchRule::SecondRound));
    m_switchCombo->addItem(tr("Each round, the ranking whose recent picks found more"),
                           switchRuleName(SwitchRule::Confidence));
    m_switchCombo->addItem(tr("Never: the first-queue ranking fills every queue"),
                           switchRuleName(SwitchRule::Never));
    selectByData(m_switchCombo, switchRuleName(LoopSettings().switchRule));
    m_switchCombo->setToolTip(tr("When the queue stops following the base model's anomaly score "
                                 "and follows the UAI layer trained on your verdicts"));
    loopForm->addRow(tr("UAI &ranking:"), m_switchCombo);
    m_baseRankingCombo = new QComboBox(this);
    m_baseRankingCombo->setObjectName(QStringLiteral("baseRankingCombo"));
    m_baseRankingCombo->addItem(tr("Automatic: forest layer with the autoencoder (on its score for "
                                   "images), else the score"),
                                baseRankingName(BaseRanking::Automatic));
    m_baseRankingCombo->addItem(tr("Base model's anomaly score (published method)"),
                                baseRankingName(BaseRanking::AnomalyScore));
    m_baseRankingCombo->addItem(tr("Isolation forest on the features"),
                                baseRankingName(BaseRanking::IsolationForest));
    m_baseRankingCombo->addItem(tr("Mean percentile of both"), baseRankingName(BaseRanking::Mixed));
    m_baseRankingCombo->addItem(tr("Top items of both in turn"),
                                baseRankingName(BaseRanking::Interleaved));
    m_baseRankingCombo->addItem(tr("Adaptive: score or forest, whichever found more so far"),
                                baseRankingName(BaseRanking::Adaptive));
    m_baseRankingCombo->addItem(tr("Forest layer: the forest refitted on your verdicts"),
                                baseRankingName(BaseRanking::ForestLayer));
    m_baseRankingCombo->addItem(
        tr("Forest layer on the score: the anomaly score refitted on your verdicts"),
        baseRankingName(BaseRanking::ScoreForestLayer));
    selectByData(m_baseRankingCombo, baseRankingName(LoopSettings().baseRanking));
    m_baseRankingCombo->setToolTip(
        tr("What ranks the queue while the UAI layer does not: before the first anomaly and "
           "normal verdicts, and in rounds the UAI ranking rule gives to the base side. The "
           "forest layer learns from your verdicts itself: it raises items that share the "
           "forest's leaves with anomalies and lowers those near normal items. On the score, it "
           "starts from the base model's anomaly score instead of the forest's. With the "
           "autoencoder, the forest layer found more anomalies than the published method on "
           "feature tables, and the forest layer on the score did on images. Neither sees the "
           "classifier's wrong labels."));
    loopForm->addRow(tr("&First queues:"), m_baseRankingCombo);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_reloadButton = m_buttons->addButton(tr("&Reload"), QDialogButtonBox::ActionRole);
    m_reloadButton->setObjectName(QStringLiteral("reloadButton"));
    m_reloadButton->setToolTip(tr("Read the data again, for example after editing the file"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reloadButton, &QPushButton::clicked, this, &ImportDialog::reload);
    m_loadAnywayButton = m_buttons->addButton(tr("Load &Anyway"), QDialogButtonBox::ActionRole);
    m_loadAnywayButton->setObjectName(QStringLiteral("loadAnywayButton"));
    m_loadAnywayButton->setToolTip(tr("Load the data although the estimate exceeds 2 GiB or the "
                                      "available memory"));
    m_loadAnywayButton->hide();
    connect(m_loadAnywayButton, &QPushButton::clicked, this, [this]() {
        m_largeLoadConfirmed = true;
        reload();
    });

    auto *choices = new QVBoxLayout;
    choices->addWidget(data);
    choices->addWidget(loop);
    choices->addStretch(1);
    auto *columns = new QHBoxLayout;
    columns->addWidget(detected, 1);
    columns->addLayout(choices, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(notes, 1);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_buttons);
    resize(900, 640);

    connect(m_truthCombo, &QComboBox::currentIndexChanged, this, &ImportDialog::reload);
    connect(m_classCombo, &QComboBox::currentIndexChanged, this, [this]() {
        updateConstructionChoice();
        reload();
    });
    connect(m_missingCombo, &QComboBox::currentIndexChanged, this, &ImportDialog::reload);
    connect(m_constructionCombo, &QComboBox::currentIndexChanged, this, &ImportDialog::reload);
    connect(m_seedSpin, &QSpinBox::valueChanged, this, [this]() {
        // Only the anomaly constructions draw from the seed at load time.
        if (!m_constructionCombo->currentData().toString().isEmpty())
            reload();
    });
    connect(m_budgetSpin, &QSpinBox::valueChanged, this, [this]() { m_budgetEdited = true; });
    connect(m_classifierRadio, &QRadioButton::toggled, this, &ImportDialog::updateOkButton);
    connect(m_queueSizeSpin, &QSpinBox::valueChanged, this, &ImportDialog::updateOkButton);
}

void ImportDialog::fillColumnChoices()
{
    const bool table = m_kind == SourceKind::Table;
    const QSignalBlocker truthBlocker(m_truthCombo);
    const QSignalBlocker classBlocker(m_classCombo);
    m_truthCombo->clear();
    m_classCombo->clear();
    m_truthCombo->addItem(noneText(), QString());
    m_classCombo->addItem(noneText(), QString());

    if (table) {
        const CsvHeader header = readCsvHeader(m_path);
        m_headerNames = header.names;
        m_headerProblem = header.problem;
        if (!header.problem.isEmpty()) {
            qCWarning(lcImport) << "Cannot read the header of" << m_path << ":" << header.problem;
        }
        for (const QString &name : std::as_const(m_headerNames)) {
            m_truthCombo->addItem(name, name);
            m_classCombo->addItem(name, name);
        }
        selectByData(m_truthCombo, CsvOptions().truthColumn);
    }

    const QString tablesOnly = tr("Only feature tables (CSV) have columns to choose");
    for (QWidget *widget : {static_cast<QWidget *>(m_truthCombo),
                            static_cast<QWidget *>(m_classCombo),
                            static_cast<QWidget *>(m_missingCombo)}) {
        widget->setEnabled(table);
        if (!table)
            widget->setToolTip(tablesOnly);
    }
}

void ImportDialog::updateConstructionChoice()
{
    const bool labeledImages = m_kind == SourceKind::IdxImages || m_kind == SourceKind::IdxFolder;
    const bool tableWithClasses =
        m_kind == SourceKind::Table && !m_classCombo->currentData().toString().isEmpty();
    const bool available = labeledImages || tableWithClasses;
    m_constructionCombo->setEnabled(available);
    m_constructionCombo->setToolTip(
        available ? tr("Builds the anomalies from the class labels: rare classes, or the items a "
                       "weak classifier misclassifies. The ground truth then comes from this "
                       "construction.")
                  : tr("Needs class labels: an IDX label file beside the images or a CSV class "
                       "column"));
    if (!available) {
        const QSignalBlocker blocker(m_constructionCombo);
        m_constructionCombo->setCurrentIndex(0);
    }
}

LoopSettings ImportDialog::settings() const
{
    LoopSettings loop;
    loop.model = m_classifierRadio->isChecked() ? ModelKind::Classifier : ModelKind::Autoencoder;
    loop.queueSize = m_queueSizeSpin->value();
    loop.seed = std::uint64_t(m_seedSpin->value());
    loop.hiddenSizes.back() = m_latentSpin->value();
    parseSwitchRule(m_switchCombo->currentData().toString(), &loop.switchRule);
    parseBaseRanking(m_baseRankingCombo->currentData().toString(), &loop.baseRanking);
    return loop;
}

qsizetype ImportDialog::budget() const
{
    return m_budgetSpin->value();
}

QString ImportDialog::dataSpec() const
{
    const QString construction = m_constructionCombo->currentData().toString();
    return construction.isEmpty() ? m_path : m_path + QLatin1Char(':') + construction;
}

DataSourceOptions ImportDialog::sourceOptions() const
{
    DataSourceOptions options;
    options.csv.truthColumn = m_truthCombo->currentData().toString();
    options.csv.classColumn = m_classCombo->currentData().toString();
    options.csv.missingCells =
        static_cast<MissingCellPolicy>(m_missingCombo->currentData().toInt());
    options.seed = std::uint64_t(m_seedSpin->value());
    return options;
}

QString ImportDialog::checkChoices() const
{
    const QString truth = m_truthCombo->currentData().toString();
    const QString classes = m_classCombo->currentData().toString();
    if (!truth.isEmpty() && truth.compare(classes, Qt::CaseInsensitive) == 0) {
        return tr("The ground-truth column and the class column are both \"%1\". Choose another "
                  "class column, or none.")
            .arg(truth);
    }
    const QFileInfo info(m_path);
    if (info.exists() && m_path.contains(QLatin1Char(','))) {
        return tr("Cannot open \"%1\": the path contains a comma, which the data loader reads as "
                  "the separator of an IDX image and label pair. Rename the file or folder "
                  "without the comma.")
            .arg(QDir::toNativeSeparators(m_path));
    }
    return {};
}

void ImportDialog::reload()
{
    m_dataset.reset();
    const QString problem = checkChoices();
    if (!problem.isEmpty()) {
        showError(problem);
        Q_EMIT loadFailed(problem);
        return;
    }

    if (!confirmLargeLoad())
        return;

    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    Result<Dataset> loaded = loadDataSource(dataSpec(), sourceOptions());
    QGuiApplication::restoreOverrideCursor();
    if (!loaded.ok()) {
        qCDebug(lcImport) << "Loading" << dataSpec() << "failed:" << loaded.error();
        showError(loaded.error());
        Q_EMIT loadFailed(loaded.error());
        return;
    }

    m_dataset = std::make_shared<const Dataset>(std::move(loaded).value());
    qCDebug(lcImport) << "Loaded" << dataSpec() << m_dataset->itemCount << "items,"
                      << m_dataset->featureCount << "features";
    m_errorText.clear();
    m_errorLabel->clear();
    m_errorLabel->hide();
    showDataset();
    Q_EMIT datasetLoaded();
}

/// Estimates the shape from the header, file size or image count and returns true when
/// loading may go ahead. Otherwise it shows why not: a shape beyond the dataset limits, or an
/// estimate above kConfirmMemoryBytes or the available memory, which Load Anyway confirms.
bool ImportDialog::confirmLargeLoad()
{
    m_loadAnywayButton->hide();
    const bool confirmed = std::exchange(m_largeLoadConfirmed, false);
    Result<ShapeGuess> shape = fail(QString());
    switch (m_kind) {
    case SourceKind::Table: {
        const DataSourceOptions options = sourceOptions();
        const int nonFeatures =
            int(!options.csv.truthColumn.isEmpty()) + int(!options.csv.classColumn.isEmpty());
        shape = guessCsvShape(m_path, nonFeatures);
        break;
    }
    case SourceKind::IdxImages:
        shape = readIdxShape(m_path);
        break;
    case SourceKind::IdxFolder: {
        const QStringList idx =
            QDir(m_path).entryList({QStringLiteral("*images-idx3*")}, QDir::Files, QDir::Name);
        if (!idx.isEmpty())
            shape = readIdxShape(QDir(m_path).filePath(idx.first()));
        break;
    }
    case SourceKind::ImageFolder:
        shape = guessImageFolderShape(m_path, sourceOptions().images.maxSide);
        break;
    case SourceKind::Missing:
        break;
    }
    if (!shape.ok()) {
        // The loader reports unreadable files with a better message.
        m_memoryValue->setText(tr("n/a"));
        return true;
    }

    const ShapeGuess &guess = shape.value();
    const MemoryEstimate estimate =
        estimateMemory(guess.items, guess.features, settings(), guess.storage);
    showMemoryEstimate(estimate, true);
    if (guess.exact) {
        const Status fits = checkDatasetShape(guess.items, guess.features, m_path);
        if (!fits.ok()) {
            showError(fits.error());
            Q_EMIT loadFailed(fits.error());
            return false;
        }
    }
    const std::optional<std::uint64_t> available = availableMemoryBytes();
    const bool large = estimate.totalBytes() > kConfirmMemoryBytes
                       || (available && estimate.totalBytes() > *available);
    if (!large || confirmed)
        return true;

    qCDebug(lcImport) << "Waiting for confirmation to load" << m_path << "estimated at"
                      << estimate.totalBytes() << "bytes";
    const QString message =
        tr("Loading %1 needs about %2 of memory (%3 available) for %4 items of %5 features, "
           "the model and training. Press Load Anyway to load it, or Cancel.")
            .arg(QFileInfo(m_path).fileName(),
                 formatBytes(estimate.totalBytes()),
                 available ? formatBytes(*available) : tr("unknown amount"),
                 QString::number(guess.items),
                 QString::number(guess.features));
    showError(message);
    showMemoryEstimate(estimate, true);
    m_loadAnywayButton->show();
    return false;
}

void ImportDialog::showMemoryEstimate(const MemoryEstimate &estimate, bool beforeLoading)
{
    const QString text = tr("about %1: data %2, model %3, training %4")
                             .arg(formatBytes(estimate.totalBytes()),
                                  formatBytes(estimate.datasetBytes + estimate.loadingBytes),
                                  formatBytes(estimate.modelBytes),
                                  formatBytes(estimate.trainingBytes));
    m_memoryValue->setText(beforeLoading ? tr("%1 (estimated before loading)").arg(text) : text);
}

void ImportDialog::showError(const QString &message)
{
    m_errorText = message;
    m_errorLabel->setText(message);
    m_errorLabel->show();
    clearSummary();
    updateModelChoice();
    updateOkButton();
}

void ImportDialog::clearSummary()
{
    const QString unknown = tr("n/a");
    for (QLabel *label :
         {m_itemsValue, m_featuresValue, m_imageSizeValue, m_truthValue, m_classesValue}) {
        label->setText(unknown);
    }
    m_notesView->clear();
}

void ImportDialog::showDataset()
{
    const Dataset &data = *m_dataset;
    const bool images = data.kind == DatasetKind::Images;
    m_itemsValue->setText(QString::number(data.itemCount));
    m_featuresValue->setText(images ? tr("%1 pixels").arg(data.featureCount)
                                    : QString::number(data.featureCount));
    m_imageSizeValue->setText(images
                                  ? tr("%1 x %2 pixels").arg(data.imageWidth).arg(data.imageHeight)
                                  : tr("n/a (not images)"));

    if (data.hasTruth()) {
        const qsizetype anomalies = data.anomalyCount();
        const QString truthColumn = m_truthCombo->currentData().toString();
        const QString origin = !m_constructionCombo->currentData().toString().isEmpty()
                                   ? tr("from the anomaly construction")
                                   : tr("column \"%1\"").arg(truthColumn);
        m_truthValue->setText(
            tr("%1: %2 anomalies among %3 items (%4%)")
                .arg(origin)
                .arg(anomalies)
                .arg(data.itemCount)
                .arg(100.0 * double(anomalies) / double(data.itemCount), 0, 'f', 1));
    } else {
        m_truthValue->setText(tr("No ground truth: the simulated analyst and the discovery "
                                 "metrics are unavailable."));
    }

    if (data.hasClasses()) {
        const QString classColumn = m_classCombo->currentData().toString();
        const QString origin =
            classColumn.isEmpty() ? tr("labels") : tr("column \"%1\"").arg(classColumn);
        m_classesValue->setText(tr("%1: %2 classes").arg(origin).arg(data.classNames.size()));
    } else {
        m_classesValue->setText(tr("none"));
    }

    QStringList notes = data.importNotes;
    if (m_kind == SourceKind::Table && !m_headerProblem.isEmpty()) {
        notes.prepend(tr("The column lists are empty because the header could not be read: %1.")
                          .arg(m_headerProblem));
    }
    m_notesView->setPlainText(notes.join(QLatin1Char('\n')));
    showMemoryEstimate(estimateMemory(data.itemCount,
                                      data.featureCount,
                                      settings(),
                                      images ? StorageKind::Images : StorageKind::Table,
                                      int(data.classNames.size())),
                       false);
    updateModelChoice();
    updateLimits();
    updateOkButton();
}

void ImportDialog::updateModelChoice()
{
    const bool haveClasses = m_dataset && m_dataset->hasClasses();
    m_classifierRadio->setEnabled(haveClasses);
    if (haveClasses) {
        m_classifierRadio->setToolTip(tr("Anomaly score: cross-entropy of the predicted class"));
        return;
    }
    m_classifierRadio->setToolTip(
        m_kind == SourceKind::Table
            ? tr("The classifier needs a class column: choose one under Data")
            : tr("The classifier needs class labels, which this data does not have"));
    if (m_classifierRadio->isChecked())
        m_autoencoderRadio->setChecked(true);
}

void ImportDialog::updateLimits()
{
    const qsizetype items = m_dataset ? m_dataset->itemCount : 1;
    const int maximum = int(std::min<qsizetype>(items, std::numeric_limits<int>::max()));

    const QSignalBlocker budgetBlocker(m_budgetSpin);
    const int previousBudget = m_budgetSpin->value();
    m_budgetSpin->setRange(1, maximum);
    m_budgetSpin->setValue(m_budgetEdited ? std::min(previousBudget, maximum)
                                          : int(std::min<qsizetype>(kDefaultBudget, maximum)));

    const QSignalBlocker queueBlocker(m_queueSizeSpin);
    m_queueSizeSpin->setRange(1, maximum);
}

void ImportDialog::updateOkButton()
{
    QString invalid;
    if (m_dataset) {
        invalid = settings().validate();
        if (!invalid.isEmpty()) {
            m_errorText = tr("Invalid settings: %1").arg(invalid);
            m_errorLabel->setText(m_errorText);
            m_errorLabel->show();
        } else if (m_errorLabel->isVisibleTo(this)) {
            m_errorText.clear();
            m_errorLabel->hide();
        }
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_dataset && invalid.isEmpty());
}

} // namespace uai
