#include "queuepanel.h"

#include "labelingsession.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace uai {

namespace {

enum Column { RankColumn, IdColumn, BaseScoreColumn, UaiScoreColumn, VerdictColumn, ColumnCount };

QString formatScore(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 4) : QStringLiteral("n/a");
}

/// Formats a probability so that values that round to 1 stay distinguishable from it.
QString formatProbability(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    if (value >= 0.9995)
        return QStringLiteral(">0.999");
    return QString::number(value, 'f', 3);
}

QColor verdictColor(std::optional<Verdict> verdict)
{
    if (!verdict)
        return {};
    switch (*verdict) {
    case Verdict::Anomaly:
        return QColor(0xd6, 0x27, 0x28);
    case Verdict::Normal:
        return QColor(0x1f, 0x77, 0xb4);
    case Verdict::Unsure:
        return QColor(0x7f, 0x7f, 0x7f);
    }
    return {};
}

} // namespace

QueuePanel::QueuePanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_table(new QTableWidget(0, ColumnCount, this))
{
    m_table->setHorizontalHeaderLabels(
        {tr("Rank"), tr("Item"), tr("Score"), tr("UAI"), tr("Verdict")});
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(IdColumn, QHeaderView::Stretch);
    // Item ids such as "index 5550" differ at their end, so a narrow panel elides their start
    // on one line instead of wrapping them.
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideLeft);
    m_table->setToolTip(tr("Suspects of the current round, most suspicious first. Rows in "
                           "italics come from the previous ranking while the next round trains."));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_table);

    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (m_session && row >= 0 && size_t(row) < m_session->queue().size())
            m_session->selectItem(m_session->queue()[size_t(row)].item);
    });
    rebuild();
}

void QueuePanel::setSession(LabelingSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (m_session) {
        connect(m_session, &LabelingSession::queueChanged, this, &QueuePanel::rebuild);
        connect(m_session, &LabelingSession::verdictRecorded, this, &QueuePanel::updateVerdict);
        connect(m_session, &LabelingSession::currentItemChanged, this, &QueuePanel::followCurrent);
    }
    rebuild();
}

int QueuePanel::rowOfItem(qsizetype item) const
{
    if (!m_session)
        return -1;
    const auto &queue = m_session->queue();
    for (size_t row = 0; row < queue.size(); ++row) {
        if (queue[row].item == item)
            return int(row);
    }
    return -1;
}

void QueuePanel::rebuild()
{
    if (!m_session) {
        m_title->setText(tr("Queue"));
        setRankingHeader(false);
        m_table->setRowCount(0);
        return;
    }
    m_title->setText(tr("Queue, round %1").arg(m_session->round()));
    const auto &queue = m_session->queue();
    const auto report = m_session->latestReport();
    // The fourth column shows what ordered the queue: the forest layer's logit when it ranks,
    // otherwise the UAI score.
    const bool forestLayer = m_session->rankedByForestLayer();
    setRankingHeader(forestLayer);
    m_table->setRowCount(int(queue.size()));
    for (size_t row = 0; row < queue.size(); ++row) {
        const auto &entry = queue[row];
        const double base = report ? report->baseScore[size_t(entry.item)] : NAN;
        const double uai = report && report->rankedByUai ? report->uaiScore(entry.item) : NAN;
        const QString ranking = forestLayer
                                    ? formatScore(report->baseRankingKey[size_t(entry.item)])
                                    : formatProbability(uai);
        const QString cells[] = {QString::number(entry.rank),
                                 m_session->dataset().itemIds[entry.item],
                                 formatScore(base),
                                 ranking,
                                 QString()};
        for (int column = 0; column < ColumnCount; ++column) {
            auto *cell = new QTableWidgetItem(cells[column]);
            if (entry.provisional) {
                QFont font = cell->font();
                font.setItalic(true);
                cell->setFont(font);
            }
            if (column != IdColumn)
                cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(int(row), column, cell);
        }
        updateVerdict(entry.item);
    }
    followCurrent(m_session->currentItem());
}

void QueuePanel::setRankingHeader(bool forestLayer)
{
    auto *header = m_table->horizontalHeaderItem(UaiScoreColumn);
    if (!header)
        return;
    if (forestLayer) {
        header->setText(tr("Forest layer"));
        header->setToolTip(tr("The forest layer's logit, which orders the queue: its anchor (the "
                              "standardised isolation-forest score, or the standardised log "
                              "anomaly score) plus what the verdicts added through the leaves "
                              "the item shares with them"));
    } else {
        header->setText(tr("UAI"));
        header->setToolTip(tr("The UAI layer's anomaly probability once the layer ranks the "
                              "queue, and n/a while another ranking orders it"));
    }
}

void QueuePanel::updateVerdict(qsizetype item)
{
    const int row = rowOfItem(item);
    if (row < 0 || !m_table->item(row, VerdictColumn))
        return;
    const auto verdict = m_session->verdictFor(item);
    auto *cell = m_table->item(row, VerdictColumn);
    cell->setText(verdict ? verdictName(*verdict) : QString());
    cell->setForeground(verdictColor(verdict));
}

void QueuePanel::followCurrent(qsizetype item)
{
    const int row = rowOfItem(item);
    if (row < 0) {
        m_table->clearSelection();
        return;
    }
    m_table->selectRow(row);
    m_table->scrollToItem(m_table->item(row, 0));
}

} // namespace uai
