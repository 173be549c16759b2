#include "metric_switch.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QToolButton>

namespace flowlens::ui {

MetricSwitch::MetricSwitch(QWidget* parent)
    : QWidget(parent)
    , m_group(new QButtonGroup(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    const std::pair<MetricKind, QString> items[] = {{MetricKind::Bytes, QStringLiteral("Bytes")},
                                                    {MetricKind::BitsPerSecond, QStringLiteral("Bits/s")},
                                                    {MetricKind::Packets, QStringLiteral("Packets")},
                                                    {MetricKind::Flows, QStringLiteral("Flows")}};
    int shortcut = 1;
    for (const auto& [kind, text] : items) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setCheckable(true);
        b->setAutoRaise(false);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        b->setShortcut(QKeySequence(QStringLiteral("Alt+%1").arg(shortcut++)));
        b->setToolTip(QStringLiteral("Rank and show %1 (%2)")
                          .arg(text.toLower(), b->shortcut().toString(QKeySequence::NativeText)));
        m_group->addButton(b, int(kind));
        layout->addWidget(b);
    }
    m_group->button(int(MetricKind::Bytes))->setChecked(true);
    connect(m_group, &QButtonGroup::idClicked, this, [this](int id) {
        if (MetricKind(id) == m_metric)
            return;
        m_metric = MetricKind(id);
        emit metricChanged(m_metric);
    });
}

void MetricSwitch::setMetric(MetricKind metric)
{
    m_metric = metric;
    m_group->button(int(metric))->setChecked(true);
}

} // namespace flowlens::ui
