#include "chart_view.h"

#include <cmath>

#include <QAbstractAxis>
#include <QContextMenuEvent>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QMenu>

namespace flowlens::ui {

AxisScale axisScale(MetricKind metric, double maxValue)
{
    struct Step
    {
        double divisor;
        const char* prefix;
    };
    static const Step steps[] = {{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""}};
    Step chosen = steps[5];
    for (const Step& s : steps) {
        if (maxValue >= s.divisor) {
            chosen = s;
            break;
        }
    }
    AxisScale a;
    a.divisor = chosen.divisor;
    const QString prefix = QLatin1String(chosen.prefix);
    switch (metric) {
    case MetricKind::Bytes:
        a.unit = prefix + QStringLiteral("B");
        break;
    case MetricKind::BitsPerSecond:
        a.unit = prefix + QStringLiteral("b/s");
        break;
    case MetricKind::Packets:
        a.unit = prefix.isEmpty() ? QStringLiteral("packets") : prefix + QStringLiteral(" packets");
        break;
    case MetricKind::Flows:
        a.unit = prefix.isEmpty() ? QStringLiteral("flows") : prefix + QStringLiteral(" flows");
        break;
    }
    return a;
}

void applyChartTheme(QChart* chart, const QPalette& palette)
{
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    QColor line = text;
    line.setAlpha(90);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(line);
        axis->setShadesVisible(false);
    }
}

ChartView::ChartView(QWidget* parent)
    : QChartView(parent)
    , m_emptyLabel(new QLabel(this))
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(180);
    chart()->setAnimationOptions(QChart::NoAnimation);
    chart()->setMargins(QMargins(2, 2, 2, 2));
    chart()->layout()->setContentsMargins(0, 0, 0, 0);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyLabel->hide();
    applyChartTheme(chart(), palette());
}

void ChartView::setEmpty(bool empty, const QString& text)
{
    m_empty = empty;
    m_emptyLabel->setText(text.isEmpty() ? QStringLiteral("No flows in this range") : text);
    m_emptyLabel->setVisible(empty);
    m_emptyLabel->setGeometry(rect());
}

void ChartView::setHoverKey(const QString& term, const QString& label)
{
    m_hoverTerm = term;
    m_hoverLabel = label;
    setToolTip(term.isEmpty()
                   ? QString()
                   : QStringLiteral("%1\nDouble-click to filter on it; right-click for more.").arg(label));
}

void ChartView::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyChartTheme(chart(), palette());
}

void ChartView::resizeEvent(QResizeEvent* event)
{
    QChartView::resizeEvent(event);
    m_emptyLabel->setGeometry(rect());
}

void ChartView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (!m_hoverTerm.isEmpty())
        emit drillRequested(m_hoverTerm, DrillAction::Narrow);
    else
        QChartView::mouseDoubleClickEvent(event);
}

void ChartView::contextMenuEvent(QContextMenuEvent* event)
{
    if (m_hoverTerm.isEmpty()) {
        QChartView::contextMenuEvent(event);
        return;
    }
    QMenu menu(this);
    const QString term = m_hoverTerm;
    menu.addAction(QStringLiteral("Filter on %1").arg(m_hoverLabel),
                   [this, term] { emit drillRequested(term, DrillAction::Narrow); });
    menu.addAction(QStringLiteral("Exclude %1").arg(m_hoverLabel),
                   [this, term] { emit drillRequested(term, DrillAction::Exclude); });
    menu.addAction(QStringLiteral("Show flows of %1").arg(m_hoverLabel),
                   [this, term] { emit drillRequested(term, DrillAction::ShowFlows); });
    menu.exec(event->globalPos());
}

} // namespace flowlens::ui
