#include "alert_chart.h"

#include "ui/format.h"

#include <algorithm>
#include <cmath>

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

namespace flowlens::ui {

AlertChart::AlertChart(QWidget* parent)
    : ChartView(parent)
    , m_x(new QDateTimeAxis(this))
    , m_y(new QValueAxis(this))
    , m_value(new QLineSeries(this))
    , m_threshold(new QLineSeries(this))
    , m_firing(new QLineSeries(this))
{
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_x->setFormat(QStringLiteral("HH:mm:ss"));
    m_x->setTickCount(6);
    m_y->setLabelFormat(QStringLiteral("%.4g"));
    m_y->setMin(0);
    for (QLineSeries* s : {m_value, m_threshold, m_firing}) {
        chart()->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_value->setName(QStringLiteral("Value"));
    m_threshold->setName(QStringLiteral("Threshold"));
    m_firing->setName(QStringLiteral("Firing"));
    applyChartTheme(chart(), palette());
    QPen valuePen(fmt::paletteColor(0));
    valuePen.setWidthF(2);
    m_value->setPen(valuePen);
    QPen thresholdPen(QColor(0xd0, 0x3b, 0x3b));
    thresholdPen.setWidthF(1.5);
    thresholdPen.setStyle(Qt::DashLine);
    m_threshold->setPen(thresholdPen);
    QPen firingPen(QColor(0xd0, 0x3b, 0x3b, 160));
    firingPen.setWidthF(6);
    m_firing->setPen(firingPen);
    chart()->legend()->setVisible(true);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    setEmpty(true, QStringLiteral("Select an alert to see its metric"));
}

void AlertChart::clear()
{
    m_value->clear();
    m_threshold->clear();
    m_firing->clear();
    m_span = {0, 0};
    setEmpty(true, QStringLiteral("Select an alert to see its metric"));
}

void AlertChart::setAlert(const alert::AlertEvent& e)
{
    if (e.samples.empty()) {
        clear();
        return;
    }
    QList<QPointF> values;
    QList<QPointF> thresholds;
    QList<QPointF> firing;
    double maxValue = 0;
    for (const auto& s : e.samples) {
        // Each second's value drawn at the end of its second, like the engine evaluates it.
        const double x = double(s.second + 1) * 1000.0;
        values << QPointF(x, s.value);
        maxValue = std::max(maxValue, s.value);
        // A baseline that was still warming up has no line yet (NaN): leave those seconds out.
        if (!std::isnan(s.threshold)) {
            thresholds << QPointF(x, s.threshold);
            maxValue = std::max(maxValue, s.threshold);
        }
    }
    const double top = maxValue > 0 ? maxValue * 1.1 : 1.0;
    const auto startS = qint64(e.firedNs / 1000000000ull) - 1;
    const qint64 endS = e.active() ? e.samples.back().second + 1 : qint64(e.resolvedNs / 1000000000ull);
    firing << QPointF(double(startS + 1) * 1000.0, top)
           << QPointF(double(std::max(endS, startS + 1)) * 1000.0, top);
    m_span = {e.samples.front().second, e.samples.back().second + 1};
    // One replace() per series per update (no per-point signals).
    m_value->replace(values);
    m_threshold->replace(thresholds);
    m_firing->replace(firing);
    m_x->setRange(QDateTime::fromMSecsSinceEpoch(m_span.first * 1000),
                  QDateTime::fromMSecsSinceEpoch(m_span.second * 1000));
    m_y->setRange(0, top * 1.05);
    m_y->setTitleText(alert::metricName(e.metric) + QStringLiteral(" (") + alert::metricUnit(e.metric) +
                      QLatin1Char(')'));
    setUnitText(alert::metricUnit(e.metric));
    setEmpty(false);
}

int AlertChart::valuePointCount() const
{
    return int(m_value->count());
}

int AlertChart::thresholdPointCount() const
{
    return int(m_threshold->count());
}

} // namespace flowlens::ui
