#pragma once

#include <QWidget>

class QLabel;
class QTableWidget;

namespace uai {

class LabelingSession;

/// Lists the current round's suspects with rank, id, scores and verdict, and follows the
/// session's current suspect. Clicking a row makes it the current suspect. The table takes no
/// keyboard focus, so the window's verdict and arrow keys always reach the session.
class QueuePanel : public QWidget
{
    Q_OBJECT

public:
    explicit QueuePanel(QWidget *parent = nullptr);

    /// Shows the session's queue; nullptr clears the panel.
    void setSession(LabelingSession *session);

    /// Row of the item in the table, or -1.
    int rowOfItem(qsizetype item) const;
    QTableWidget *table() const { return m_table; }

private:
    void rebuild();
    /// Names the ranking column after what ordered the queue.
    void setRankingHeader(bool forestLayer);
    void updateVerdict(qsizetype item);
    void followCurrent(qsizetype item);

    LabelingSession *m_session = nullptr;
    QLabel *m_title = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace uai
