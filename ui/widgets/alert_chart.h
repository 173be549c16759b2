#pragma once

#include "ui/widgets/chart_view.h"

#include "core/alert/alert_event.h"

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace flowlens::ui {

/// The metric that triggered an alert, second by second, with the line it was compared with
/// (dashed: the fixed threshold, or the learned baseline's line as it moved) and the firing
/// period shaded by a second series along the top.
class AlertChart : public ChartView
{
    Q_OBJECT

public:
    explicit AlertChart(QWidget* parent = nullptr);

    /// Shows one alert's samples; an alert without samples empties the chart.
    void setAlert(const alert::AlertEvent& event);
    void clear();

    int valuePointCount() const;
    int thresholdPointCount() const;
    /// Seconds (unix) the chart spans, for tests and captions.
    std::pair<qint64, qint64> span() const { return m_span; }

private:
    QDateTimeAxis* m_x;
    QValueAxis* m_y;
    QLineSeries* m_value;
    QLineSeries* m_threshold;
    QLineSeries* m_firing;
    std::pair<qint64, qint64> m_span{0, 0};
};

} // namespace flowlens::ui
