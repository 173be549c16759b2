#pragma once

#include "ui/drill_down.h"
#include "ui/view_state.h"

#include <QChartView>

class QLabel;

namespace flowlens::ui {

/// Unit prefix for an axis: values are divided by `divisor` and the axis names `unit`.
struct AxisScale
{
    double divisor = 1;
    QString unit;
};
AxisScale axisScale(MetricKind metric, double maxValue);

/// Colours a chart from a palette (light or dark, following the system).
void applyChartTheme(QChart* chart, const QPalette& palette);

/// Base of FlowLens charts: no animations, palette-following theme, an empty-state text, and
/// drill-down on the key under the mouse (double-click narrows the filter, right-click offers
/// narrow / exclude / show flows).
class ChartView : public QChartView
{
    Q_OBJECT

public:
    explicit ChartView(QWidget* parent = nullptr);

    /// Shown over the chart when `empty` (e.g. "No flows in this range").
    void setEmpty(bool empty, const QString& text = {});
    bool isEmpty() const { return m_empty; }
    /// Text describing the unit of the values ("Mb/s", "MB per minute"), for captions.
    QString unitText() const { return m_unitText; }

signals:
    void drillRequested(const QString& term, flowlens::ui::DrillAction action);

protected:
    /// Subclasses call this from their hover handlers (empty term: nothing under the mouse).
    void setHoverKey(const QString& term, const QString& label);
    void setUnitText(const QString& text) { m_unitText = text; }
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QLabel* m_emptyLabel;
    bool m_empty = false;
    QString m_hoverTerm;
    QString m_hoverLabel;
    QString m_unitText;
};

} // namespace flowlens::ui
