#pragma once

#include "ui/view_state.h"

#include <QWidget>

class QButtonGroup;

namespace flowlens::ui {

/// Bytes | Bits/s | Packets | Flows: what every chart and table ranks and shows.
class MetricSwitch : public QWidget
{
    Q_OBJECT

public:
    explicit MetricSwitch(QWidget* parent = nullptr);
    MetricKind metric() const { return m_metric; }
    /// Selects without emitting metricChanged.
    void setMetric(MetricKind metric);

signals:
    void metricChanged(flowlens::ui::MetricKind metric);

private:
    QButtonGroup* m_group;
    MetricKind m_metric = MetricKind::Bytes;
};

} // namespace flowlens::ui
