#include "chartspanel.h"

#include "discoverychartview.h"
#include "labelingsession.h"
#include "latentchartview.h"
#include "latentprojection.h"
#include "simulatedanalyst.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace uai {

namespace {

/// Pause after the last change before the charts redraw, so key presses stay instant.
constexpr int kRefreshDelayMs = 250;

std::vector<DiscoveryPoint> toDiscoveryPoints(const std::vector<LabelingSession::CurvePoint> &curve)
{
    std::vector<DiscoveryPoint> points;
    points.reserve(curve.size());
    for (const auto &point : curve)
        points.push_back({0, point.verdicts, point.anomalies, false});
    return points;
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_latent(new LatentChartView(this))
    , m_discovery(new DiscoveryChartView(this))
    , m_axisBox(new QComboBox(this))
    , m_logScale(new QCheckBox(tr("Log score"), this))
    , m_roundSlider(new QSlider(Qt::Horizontal, this))
    , m_roundLabel(new QLabel(this))
    , m_notice(new QLabel(this))
    , m_refreshTimer(new QTimer(this))
{
    m_axisBox->setFocusPolicy(Qt::NoFocus);
    m_logScale->setFocusPolicy(Qt::NoFocus);
    m_roundSlider->setFocusPolicy(Qt::NoFocus);
    m_tabs->setFocusPolicy(Qt::NoFocus);
    m_axisBox->setToolTip(tr("Horizontal axis: the latent projected onto the UAI layer's weights "
                             "(its decision boundary is then a straight line), the latent's first "
                             "principal component, or the single unit of a 1-unit latent."));
    m_roundSlider->setToolTip(tr("Scrub back through the rounds; the right end follows the newest "
                                 "ranking."));
    m_logScale->setChecked(true);
    m_axisBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_roundSlider->setMinimumWidth(120);
    m_roundLabel->setMinimumWidth(m_roundLabel->fontMetrics().horizontalAdvance(
        QStringLiteral("round 9999, b = 99999 (newest)")));
    m_notice->setWordWrap(true);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Axis:"), this));
    controls->addWidget(m_axisBox);
    controls->addWidget(m_logScale);
    controls->addStretch(1);
    // The round scrubber runs under the chart like a timeline, so that a narrow panel squeezes
    // neither it nor the axis choice.
    auto *timeline = new QHBoxLayout;
    timeline->addWidget(m_roundSlider, 1);
    timeline->addWidget(m_roundLabel);

    auto *latentPage = new QWidget(this);
    auto *latentLayout = new QVBoxLayout(latentPage);
    latentLayout->setContentsMargins(0, 0, 0, 0);
    latentLayout->addLayout(controls);
    latentLayout->addWidget(m_latent, 1);
    latentLayout->addLayout(timeline);
    latentLayout->addWidget(m_notice);
    m_tabs->addTab(latentPage, tr("Latent Space"));
    m_tabs->addTab(m_discovery, tr("Discovery Curve"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(kRefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &ChartsPanel::refreshNow);
    connect(m_latent, &LatentChartView::itemActivated, this, &ChartsPanel::itemActivated);
    connect(m_axisBox, &QComboBox::currentIndexChanged, this, &ChartsPanel::refreshLatent);
    connect(m_logScale, &QCheckBox::toggled, m_latent, &LatentChartView::setLogScale);
    connect(m_roundSlider, &QSlider::valueChanged, this, &ChartsPanel::refreshLatent);
    m_latent->setLogScale(true);
    updateSlider();
}

void ChartsPanel::setSession(LabelingSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (m_session) {
        connect(m_session, &LabelingSession::rankingChanged, this, [this] {
            const bool followLatest = m_roundSlider->value() == m_roundSlider->maximum();
            updateAxisChoices();
            updateSlider();
            if (followLatest)
                m_roundSlider->setValue(m_roundSlider->maximum());
            scheduleRefresh();
        });
        connect(m_session, &LabelingSession::verdictRecorded, this, &ChartsPanel::scheduleRefresh);
        connect(m_session,
                &LabelingSession::currentItemChanged,
                m_latent,
                &LatentChartView::setSelectedItem);
    }
    updateAxisChoices();
    updateSlider();
    refreshNow();
}

void ChartsPanel::scheduleRefresh()
{
    m_refreshTimer->start();
}

void ChartsPanel::refreshNow()
{
    m_refreshTimer->stop();
    refreshLatent();
    refreshDiscovery();
}

void ChartsPanel::updateAxisChoices()
{
    const auto report = m_session ? m_session->latestReport() : nullptr;
    const QVariant previous = m_axisBox->currentData();
    const QSignalBlocker blocker(m_axisBox);
    m_axisBox->clear();
    if (!report)
        return;
    for (const auto &choice : latentAxisAvailability(*report)) {
        m_axisBox->addItem(latentAxisName(choice.axis), int(choice.axis));
        if (!choice.available) {
            const int index = m_axisBox->count() - 1;
            m_axisBox->setItemData(index, choice.reason, Qt::ToolTipRole);
            m_axisBox->setItemData(index, 0, Qt::UserRole - 1); // disables the entry
        }
    }
    int index = m_axisBox->findData(previous);
    if (index < 0) {
        // A 1-unit latent is best shown directly; otherwise the projection on the layer.
        const auto axes = availableLatentAxes(*report);
        const bool single =
            std::find(axes.begin(), axes.end(), LatentAxis::SingleUnit) != axes.end();
        index =
            m_axisBox->findData(int(single ? LatentAxis::SingleUnit : LatentAxis::UaiProjection));
    }
    m_axisBox->setCurrentIndex(std::max(index, 0));
}

void ChartsPanel::updateSlider()
{
    const QSignalBlocker blocker(m_roundSlider);
    const int count = m_session ? int(m_session->history().size()) : 0;
    m_roundSlider->setEnabled(count > 1);
    m_roundSlider->setRange(0, std::max(0, count - 1));
}

void ChartsPanel::refreshLatent()
{
    if (!m_session || m_session->history().empty()) {
        m_latent->clear();
        m_roundLabel->setText(tr("no ranking yet"));
        return;
    }
    const auto &history = m_session->history();
    const int index = std::clamp(m_roundSlider->value(), 0, int(history.size()) - 1);
    const bool latest = index == int(history.size()) - 1;
    const auto &snapshot = history[size_t(index)];

    std::vector<std::optional<Verdict>> verdicts(size_t(m_session->dataset().itemCount));
    qsizetype spent = snapshot.verdictsSpent;
    if (latest) {
        for (size_t i = 0; i < verdicts.size(); ++i)
            verdicts[i] = m_session->verdictFor(qsizetype(i));
        spent = m_session->verdictsSpent();
    } else {
        for (size_t i = 0; i < verdicts.size(); ++i) {
            if (snapshot.verdicts[i] >= 0)
                verdicts[i] = static_cast<Verdict>(snapshot.verdicts[i]);
        }
    }
    const auto axis = static_cast<LatentAxis>(m_axisBox->currentData().toInt());
    auto projected = projectLatent(*snapshot.report, axis, verdicts, m_session->dataset().truth);
    if (!projected.ok()) {
        m_latent->clear();
        m_notice->setText(projected.error());
        return;
    }
    const qsizetype skipped = projected.value().skippedNonFinite;
    m_notice->setText(skipped > 0 ? tr("%1 items with a non-finite latent value or score are not "
                                       "shown.")
                                        .arg(skipped)
                                  : QString());
    m_latent->setData(std::move(projected).value());
    m_latent->setSelectedItem(m_session->currentItem());
    m_roundLabel->setText(tr("round %1, b = %2%3")
                              .arg(snapshot.report->round)
                              .arg(spent)
                              .arg(latest ? tr(" (newest)") : QString()));
}

void ChartsPanel::refreshDiscovery()
{
    if (!m_session) {
        m_discovery->setCurves({}, {}, 0);
        return;
    }
    const auto &data = m_session->dataset();
    // The base model's curve is cut at the verdicts spent, so both curves share the x range.
    std::vector<LabelingSession::CurvePoint> base = m_session->baseCurve();
    if (base.size() > size_t(m_session->verdictsSpent()) + 1)
        base.resize(size_t(m_session->verdictsSpent()) + 1);
    m_discovery->setCurves(toDiscoveryPoints(m_session->discoveryCurve()),
                           toDiscoveryPoints(base),
                           data.hasTruth() ? data.anomalyCount() : 0);
}

} // namespace uai
