#include "pie_chart.h"

#include "ui/format.h"

#include <algorithm>

#include <QLegend>
#include <QPieSeries>
#include <QPieSlice>

namespace flowlens::ui {

PieChart::PieChart(bool donut, QWidget* parent)
    : ChartView(parent)
    , m_series(new QPieSeries(this))
{
    if (donut)
        m_series->setHoleSize(0.45);
    m_series->setPieSize(0.62); // room for the labels outside
    chart()->addSeries(m_series);
    chart()->legend()->setAlignment(Qt::AlignRight);
    applyChartTheme(chart(), palette());
    setEmpty(true);
}

int PieChart::sliceCount() const
{
    return m_series->count();
}

void PieChart::clear()
{
    m_series->clear();
    setEmpty(true);
}

void PieChart::setEntries(store::Dimension dimension, const std::vector<query::TopEntry>& rows,
                          const store::Counters& total, MetricKind metric, bool raw, int maxSlices)
{
    // Shares are the same for bytes and bits/s; a pie of rates is a pie of volumes.
    const MetricKind m = metric == MetricKind::BitsPerSecond ? MetricKind::Bytes : metric;
    const double all = fmt::metricNumber(m, total, raw, 0);
    m_series->clear();
    double shown = 0;
    const int n = std::min<int>(int(rows.size()), maxSlices);
    const QColor text = palette().color(QPalette::Text);
    auto addSlice = [&](const QString& label, double value, const QColor& color, const QString& term) {
        const double share = all > 0 ? value / all : 0;
        auto* slice = new QPieSlice(QStringLiteral("%1  %2").arg(label, fmt::percent(share)), value);
        slice->setColor(color);
        slice->setBorderColor(palette().color(QPalette::Base));
        slice->setLabelColor(text);
        slice->setLabelVisible(share >= 0.04);
        m_series->append(slice);
        connect(slice, &QPieSlice::hovered, this, [this, slice, term, label](bool state) {
            slice->setExploded(state);
            setHoverKey(state ? term : QString(), label);
        });
    };
    for (int i = 0; i < n; ++i) {
        const auto& row = rows[std::size_t(i)];
        const double v = fmt::metricNumber(m, row.counters, raw, 0);
        shown += v;
        addSlice(fmt::keyText(dimension, row.key), v, fmt::keyColor(dimension, row.key),
                 filterTerm(dimension, row.key));
    }
    if (all - shown > all * 0.001)
        addSlice(QStringLiteral("other"), all - shown, fmt::otherColor(), QString());
    setUnitText(metricKindName(m));
    setEmpty(n == 0 || all <= 0);
}

} // namespace flowlens::ui
