#include "importdialog.h"

#include "dataset.h"
#include "datasource.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace uai;

namespace {

QString casePath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/cases/") + name;
}

QString dataPath(const QString &name)
{
    return QStringLiteral(UAI_SHARED_DIR "/data/") + name;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// Data lines of a plain CSV file (no quotes, LF line ends), split into fields; the header is
/// entry 0.
QList<QList<QByteArray>> csvRows(const QString &path)
{
    QList<QList<QByteArray>> rows;
    const QList<QByteArray> lines = readAll(path).split('\n');
    for (const QByteArray &line : lines) {
        if (!line.trimmed().isEmpty())
            rows.append(line.split(','));
    }
    return rows;
}

bool okEnabled(ImportDialog &dialog)
{
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    return buttons && buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

QString labelText(ImportDialog &dialog, const char *name)
{
    auto *label = dialog.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<missing label %1>").arg(QLatin1String(name));
}

QComboBox *combo(ImportDialog &dialog, const char *name)
{
    return dialog.findChild<QComboBox *>(QLatin1String(name));
}

QStringList comboColumns(QComboBox *box)
{
    QStringList columns;
    for (int i = 1; i < box->count(); ++i)
        columns.append(box->itemText(i));
    return columns;
}

bool choose(QComboBox *box, const QString &text)
{
    const int index = box->findText(text);
    if (index < 0)
        return false;
    box->setCurrentIndex(index);
    return true;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

} // namespace

class tst_ImportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void yeastShowsSummary();
    void raggedFileShowsError();
    void noTruthColumn();
    void noTruthWithTextLabelsIsRejected();
    void classColumnEnablesClassifier();
    void classColumnMustDifferFromTruth();
    void mnistImagesLoad();
    void rareClassConstructionRoundTrips();
    void brokenImageFolderListsSkipped();
    void missingCellPolicy();
    void headerVariants_data();
    void headerVariants();
    void wideFileLoads();
    void missingPathShowsError();
    void budgetFollowsItemsUntilEdited();
    void specAndOptionsReloadSameData();
};

void tst_ImportDialog::yeastShowsSummary()
{
    const QString path = dataPath(QStringLiteral("tabular/yeast.csv"));
    const QList<QList<QByteArray>> rows = csvRows(path);
    const qsizetype items = rows.size() - 1;
    const qsizetype features = rows.at(0).size() - 1;
    qsizetype anomalies = 0;
    for (qsizetype i = 1; i < rows.size(); ++i)
        anomalies += rows.at(i).at(0) == "anomaly" ? 1 : 0;
    QCOMPARE(items, 1191);
    QCOMPARE(anomalies, 55);

    ImportDialog dialog(path);
    QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
    QVERIFY(okEnabled(dialog));
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::Table);
    QCOMPARE(labelText(dialog, "itemsValue"), QString::number(items));
    QCOMPARE(labelText(dialog, "featuresValue"), QString::number(features));
    const QString truth = labelText(dialog, "truthValue");
    QVERIFY2(truth.contains(QStringLiteral("%1 anomalies").arg(anomalies)), qPrintable(truth));
    QVERIFY2(truth.contains(QLatin1String("label")), qPrintable(truth));
    QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->isVisibleTo(&dialog));
    QCOMPARE(combo(dialog, "truthColumnCombo")->currentText(), QStringLiteral("label"));

    QVERIFY(dialog.dataset());
    QCOMPARE(dialog.dataset()->itemCount, items);
    QCOMPARE(dialog.settings().queueSize, 10);
    QCOMPARE(dialog.settings().model, ModelKind::Autoencoder);
    QCOMPARE(dialog.settings().switchRule, LoopSettings().switchRule);
    QComboBox *rule = combo(dialog, "switchCombo");
    QCOMPARE(rule->count(), 5);
    rule->setCurrentIndex(3);
    QCOMPARE(dialog.settings().switchRule, SwitchRule::Confidence);
    rule->setCurrentIndex(4);
    QCOMPARE(dialog.settings().switchRule, SwitchRule::Never);
    rule->setCurrentIndex(1);
    QCOMPARE(dialog.settings().switchRule, SwitchRule::BothVerdicts);
    rule->setCurrentIndex(2);
    QCOMPARE(dialog.settings().switchRule, SwitchRule::SecondRound);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::Automatic);
    QComboBox *firstQueues = combo(dialog, "baseRankingCombo");
    QCOMPARE(firstQueues->count(), 8);
    firstQueues->setCurrentIndex(1);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::AnomalyScore);
    firstQueues->setCurrentIndex(2);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::IsolationForest);
    firstQueues->setCurrentIndex(3);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::Mixed);
    firstQueues->setCurrentIndex(4);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::Interleaved);
    firstQueues->setCurrentIndex(5);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::Adaptive);
    firstQueues->setCurrentIndex(6);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::ForestLayer);
    firstQueues->setCurrentIndex(7);
    QCOMPARE(dialog.settings().baseRanking, BaseRanking::ScoreForestLayer);
    QCOMPARE(dialog.budget(), qsizetype(1000));
    QCOMPARE(dialog.dataSpec(), QFileInfo(path).absoluteFilePath());
    QVERIFY(!dialog.windowTitle().isEmpty());
}

void tst_ImportDialog::raggedFileShowsError()
{
    ImportDialog dialog(casePath(QStringLiteral("csv-ragged-rows.csv")));
    QVERIFY(!okEnabled(dialog));
    QVERIFY(!dialog.dataset());
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error);
    QVERIFY(error->isVisibleTo(&dialog));
    QVERIFY2(error->text().contains(QLatin1String("line 4")), qPrintable(error->text()));
    QVERIFY2(error->text().contains(QLatin1String("line 7")), qPrintable(error->text()));
    QVERIFY(error->text().contains(QLatin1String("csv-ragged-rows.csv")));
    QCOMPARE(dialog.errorText(), error->text());
    const QColor colour = error->palette().color(QPalette::WindowText);
    QVERIFY(colour.red() > 150 && colour.green() < 80 && colour.blue() < 80);
    QCOMPARE(labelText(dialog, "itemsValue"), QStringLiteral("n/a"));

    QSignalSpy failed(&dialog, &ImportDialog::loadFailed);
    dialog.findChild<QPushButton *>(QStringLiteral("reloadButton"))->click();
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("line 4")));
}

void tst_ImportDialog::noTruthColumn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(
        dir, QStringLiteral("numeric-label.csv"), "label,x,y\n0,1,2\n1,5,6\n0,2,3\n0,1.5,2.5\n");
    ImportDialog dialog(path);
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QVERIFY(labelText(dialog, "truthValue").contains(QLatin1String("1 anomalies")));
    QCOMPARE(labelText(dialog, "featuresValue"), QStringLiteral("2"));

    QVERIFY(choose(combo(dialog, "truthColumnCombo"), ImportDialog::noneText()));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QVERIFY(!dialog.dataset()->hasTruth());
    QVERIFY(dialog.sourceOptions().csv.truthColumn.isEmpty());
    const QString truth = labelText(dialog, "truthValue");
    QVERIFY2(truth.contains(QLatin1String("No ground truth")), qPrintable(truth));
    QCOMPARE(labelText(dialog, "featuresValue"), QStringLiteral("3"));
}

void tst_ImportDialog::noTruthWithTextLabelsIsRejected()
{
    // Without a ground-truth column, "label" becomes a feature, and "nominal" is not a number.
    ImportDialog dialog(dataPath(QStringLiteral("tabular/yeast.csv")));
    QVERIFY(choose(combo(dialog, "truthColumnCombo"), ImportDialog::noneText()));
    QVERIFY(!okEnabled(dialog));
    QVERIFY2(dialog.errorText().contains(QLatin1String("label")), qPrintable(dialog.errorText()));
    QVERIFY(dialog.errorText().contains(QLatin1String("yeast.csv")));

    QVERIFY(choose(combo(dialog, "truthColumnCombo"), QStringLiteral("label")));
    QVERIFY(okEnabled(dialog));
    QVERIFY(dialog.errorText().isEmpty());
}

void tst_ImportDialog::classColumnEnablesClassifier()
{
    const QString path = dataPath(QStringLiteral("tabular/yeast.csv"));
    const QList<QList<QByteArray>> rows = csvRows(path);
    const qsizetype column = rows.at(0).indexOf("V7");
    QVERIFY(column > 0);
    std::set<QByteArray> values;
    for (qsizetype i = 1; i < rows.size(); ++i)
        values.insert(rows.at(i).at(column));

    ImportDialog dialog(path);
    auto *classifier = dialog.findChild<QRadioButton *>(QStringLiteral("classifierRadio"));
    QVERIFY(classifier);
    QVERIFY(!classifier->isEnabled());
    QVERIFY(!classifier->toolTip().isEmpty());
    QCOMPARE(labelText(dialog, "classesValue"), QStringLiteral("none"));

    QVERIFY(choose(combo(dialog, "classColumnCombo"), QStringLiteral("V7")));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QVERIFY(classifier->isEnabled());
    QVERIFY(dialog.dataset()->hasClasses());
    QCOMPARE(dialog.dataset()->classNames.size(), qsizetype(values.size()));
    QCOMPARE(labelText(dialog, "featuresValue"), QString::number(rows.at(0).size() - 2));
    QVERIFY(labelText(dialog, "classesValue").contains(QString::number(values.size())));
    QCOMPARE(dialog.sourceOptions().csv.classColumn, QStringLiteral("V7"));

    classifier->click();
    QCOMPARE(dialog.settings().model, ModelKind::Classifier);

    QVERIFY(choose(combo(dialog, "classColumnCombo"), ImportDialog::noneText()));
    QVERIFY(!classifier->isEnabled());
    QCOMPARE(dialog.settings().model, ModelKind::Autoencoder);
}

void tst_ImportDialog::classColumnMustDifferFromTruth()
{
    ImportDialog dialog(dataPath(QStringLiteral("tabular/yeast.csv")));
    QVERIFY(choose(combo(dialog, "classColumnCombo"), QStringLiteral("label")));
    QVERIFY(!okEnabled(dialog));
    QVERIFY(!dialog.dataset());
    QVERIFY2(dialog.errorText().contains(QLatin1String("\"label\"")),
             qPrintable(dialog.errorText()));
}

void tst_ImportDialog::mnistImagesLoad()
{
    ImportDialog dialog(dataPath(QStringLiteral("mnist10k/t10k-images-idx3-ubyte.gz")));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::IdxImages);
    QCOMPARE(labelText(dialog, "itemsValue"), QStringLiteral("10000"));
    QVERIFY2(labelText(dialog, "imageSizeValue").contains(QLatin1String("28 x 28")),
             qPrintable(labelText(dialog, "imageSizeValue")));
    QCOMPARE(dialog.dataset()->imageWidth, 28);
    QCOMPARE(dialog.dataset()->imageHeight, 28);
    // The label file beside the images gives the ten digit classes.
    QCOMPARE(dialog.dataset()->classNames.size(), 10);
    QVERIFY(dialog.findChild<QRadioButton *>(QStringLiteral("classifierRadio"))->isEnabled());
    QVERIFY(!combo(dialog, "truthColumnCombo")->isEnabled());
    QVERIFY(!combo(dialog, "missingCellsCombo")->isEnabled());
    QVERIFY(combo(dialog, "constructionCombo")->isEnabled());
    QVERIFY(labelText(dialog, "truthValue").contains(QLatin1String("No ground truth")));
    QCOMPARE(dialog.budget(), qsizetype(1000));
}

void tst_ImportDialog::rareClassConstructionRoundTrips()
{
    ImportDialog dialog(dataPath(QStringLiteral("mnist10k/t10k-images-idx3-ubyte.gz")));
    QComboBox *construction = combo(dialog, "constructionCombo");
    construction->setCurrentIndex(construction->findData(QStringLiteral("0")));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QVERIFY(dialog.dataSpec().endsWith(QLatin1String(":0")));
    QVERIFY(dialog.dataset()->hasTruth());
    QVERIFY(dialog.dataset()->anomalyCount() > 0);
    QVERIFY(labelText(dialog, "truthValue").contains(QLatin1String("anomaly construction")));

    const Result<Dataset> again = loadDataSource(dialog.dataSpec(), dialog.sourceOptions());
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(again.value().fingerprint(), dialog.dataset()->fingerprint());
}

void tst_ImportDialog::brokenImageFolderListsSkipped()
{
    const QString folder = casePath(QStringLiteral("images-with-broken-files"));
    ImportDialog dialog(folder);
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::ImageFolder);
    QCOMPARE(labelText(dialog, "itemsValue"), QStringLiteral("3"));
    QVERIFY(!dialog.findChild<QRadioButton *>(QStringLiteral("classifierRadio"))->isEnabled());
    QVERIFY(!combo(dialog, "constructionCombo")->isEnabled());

    auto *notes = dialog.findChild<QPlainTextEdit *>(QStringLiteral("notesView"));
    QVERIFY(notes);
    const QStringList lines = notes->toPlainText().split(QLatin1Char('\n'));
    const QStringList skipped = {QStringLiteral("empty-0-bytes.png"),
                                 QStringLiteral("truncated-header.png"),
                                 QStringLiteral("truncated-mid-idat.png"),
                                 QStringLiteral("text-file-named.jpg"),
                                 QStringLiteral("readme.txt"),
                                 QStringLiteral("dangling-link.png"),
                                 QStringLiteral(".hidden-dotfile.png"),
                                 QStringLiteral("subdir")};
    for (const QString &name : skipped) {
        const QStringList mentions = lines.filter(name);
        QVERIFY2(mentions.size() == 1, qPrintable(name));
        // The name is followed by the reason.
        const QString line = mentions.first();
        const qsizetype after = line.indexOf(name) + name.size();
        QVERIFY2(line.indexOf(QLatin1Char(':'), after) > 0, qPrintable(line));
        QVERIFY2(line.size() > after + 5, qPrintable(line));
    }
    for (const QString &good : {QStringLiteral("ok-01.png"), QStringLiteral("OK-03-UPPER.PNG")})
        QVERIFY(dialog.dataset()->itemIds.contains(good));
}

void tst_ImportDialog::missingCellPolicy()
{
    const QString path = casePath(QStringLiteral("csv-missing-tokens.csv"));
    ImportDialog dialog(path);
    QVERIFY(!okEnabled(dialog));
    QVERIFY(dialog.errorText().contains(QLatin1String("csv-missing-tokens.csv")));

    // The empty label on line 13 is an error under either cell policy. This file's labels are
    // 0 and 1, so without a ground-truth column they load as a numeric feature.
    QVERIFY(choose(combo(dialog, "truthColumnCombo"), ImportDialog::noneText()));
    QVERIFY(!okEnabled(dialog));
    QComboBox *policy = combo(dialog, "missingCellsCombo");
    policy->setCurrentIndex(policy->findData(int(MissingCellPolicy::ImputeMedian)));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.sourceOptions().csv.missingCells, MissingCellPolicy::ImputeMedian);
    QCOMPARE(labelText(dialog, "itemsValue"), QStringLiteral("12"));
    const QString notes =
        dialog.findChild<QPlainTextEdit *>(QStringLiteral("notesView"))->toPlainText();
    QVERIFY2(notes.contains(QLatin1String("median"), Qt::CaseInsensitive), qPrintable(notes));
}

void tst_ImportDialog::headerVariants_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("columns");
    const QStringList plain = {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("label")};
    QTest::newRow("comma") << QByteArray("x,y,label\n1,2,0\n3,4,1\n5,6,0\n") << plain;
    QTest::newRow("semicolon") << QByteArray("x;y;label\n1;2;0\n3;4;1\n5;6;0\n") << plain;
    QTest::newRow("tab") << QByteArray("x\ty\tlabel\n1\t2\t0\n3\t4\t1\n5\t6\t0\n") << plain;
    QTest::newRow("byte-order mark and CRLF")
        << QByteArray("\xef\xbb\xbfx,y,label\r\n1,2,0\r\n3,4,1\r\n5,6,0\r\n") << plain;
    QTest::newRow("quoted names with delimiters")
        << QByteArray("\"a,b\";\"say \"\"hi\"\"\";label\n1;2;0\n3;4;1\n5;6;0\n")
        << QStringList{
               QStringLiteral("a,b"), QStringLiteral("say \"hi\""), QStringLiteral("label")};
    QTest::newRow("semicolons, quoted data cell")
        << QByteArray("p;q;label\n\"1\";2;0\n3;4;1\n5;6;0\n")
        << QStringList{QStringLiteral("p"), QStringLiteral("q"), QStringLiteral("label")};
}

void tst_ImportDialog::headerVariants()
{
    QFETCH(QByteArray, content);
    QFETCH(QStringList, columns);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, QStringLiteral("variant.csv"), content);
    QVERIFY(!path.isEmpty());

    ImportDialog dialog(path);
    QCOMPARE(comboColumns(combo(dialog, "truthColumnCombo")), columns);
    QCOMPARE(comboColumns(combo(dialog, "classColumnCombo")), columns);
    QCOMPARE(combo(dialog, "truthColumnCombo")->currentText(), QStringLiteral("label"));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.dataset()->featureNames, columns.mid(0, 2));
    QCOMPARE(dialog.dataset()->anomalyCount(), 1);
}

void tst_ImportDialog::wideFileLoads()
{
    const QString path = casePath(QStringLiteral("csv-wide-4rows-5000cols.csv"));
    const QList<QList<QByteArray>> rows = csvRows(path);
    ImportDialog dialog(path);
    QCOMPARE(combo(dialog, "truthColumnCombo")->count(), rows.at(0).size() + 1);
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));
    QCOMPARE(labelText(dialog, "featuresValue"), QString::number(rows.at(0).size() - 1));
    QCOMPARE(labelText(dialog, "itemsValue"), QString::number(rows.size() - 1));
    QCOMPARE(dialog.budget(), rows.size() - 1);
}

void tst_ImportDialog::missingPathShowsError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("no-such-file.csv"));
    ImportDialog dialog(path);
    QCOMPARE(dialog.sourceKind(), ImportDialog::SourceKind::Missing);
    QVERIFY(!okEnabled(dialog));
    QVERIFY2(dialog.errorText().contains(QLatin1String("no-such-file.csv")),
             qPrintable(dialog.errorText()));

    const QString empty = writeFile(dir, QStringLiteral("empty.csv"), QByteArray());
    ImportDialog emptyDialog(empty);
    QVERIFY(!okEnabled(emptyDialog));
    QVERIFY(emptyDialog.errorText().contains(QLatin1String("empty.csv")));
    QCOMPARE(combo(emptyDialog, "truthColumnCombo")->count(), 1);
}

void tst_ImportDialog::budgetFollowsItemsUntilEdited()
{
    ImportDialog tiny(casePath(QStringLiteral("csv-tiny-5-rows.csv")));
    QVERIFY2(okEnabled(tiny), qPrintable(tiny.errorText()));
    QCOMPARE(tiny.budget(), qsizetype(5));
    QCOMPARE(tiny.findChild<QSpinBox *>(QStringLiteral("budgetSpin"))->maximum(), 5);

    ImportDialog dialog(dataPath(QStringLiteral("tabular/yeast.csv")));
    auto *budget = dialog.findChild<QSpinBox *>(QStringLiteral("budgetSpin"));
    auto *queue = dialog.findChild<QSpinBox *>(QStringLiteral("queueSizeSpin"));
    auto *seed = dialog.findChild<QSpinBox *>(QStringLiteral("seedSpin"));
    QVERIFY(budget && queue && seed);
    budget->setValue(300);
    queue->setValue(25);
    seed->setValue(7);
    dialog.reload();
    QCOMPARE(dialog.budget(), qsizetype(300));
    QCOMPARE(dialog.settings().queueSize, 25);
    QCOMPARE(dialog.settings().seed, std::uint64_t(7));
    QCOMPARE(dialog.sourceOptions().seed, std::uint64_t(7));
}

void tst_ImportDialog::specAndOptionsReloadSameData()
{
    ImportDialog dialog(dataPath(QStringLiteral("tabular/yeast.csv")));
    QVERIFY(choose(combo(dialog, "classColumnCombo"), QStringLiteral("V7")));
    QVERIFY2(okEnabled(dialog), qPrintable(dialog.errorText()));

    const Result<Dataset> again = loadDataSource(dialog.dataSpec(), dialog.sourceOptions());
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(again.value().fingerprint(), dialog.dataset()->fingerprint());
    const Result<Dataset> defaults = loadDataSource(dialog.dataSpec());
    QVERIFY(defaults.ok());
    QVERIFY(defaults.value().fingerprint() != dialog.dataset()->fingerprint());
}

QTEST_MAIN(tst_ImportDialog)
#include "tst_importdialog.moc"
