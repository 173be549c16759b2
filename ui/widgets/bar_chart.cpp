#include "bar_chart.h"

#include "ui/format.h"

#include <algorithm>

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QValueAxis>

namespace flowlens::ui {

BarChart::BarChart(QWidget* parent)
    : ChartView(parent)
    , m_series(new QHorizontalBarSeries(this))
    , m_set(new QBarSet(QString(), this))
    , m_categories(new QBarCategoryAxis(this))
    , m_values(new QValueAxis(this))
{
    m_series->append(m_set);
    // Axis-aligned bars need no antialiasing, and painting without it is several times cheaper.
    setRenderHint(QPainter::Antialiasing, false);
    m_series->setBarWidth(0.7);
    chart()->addSeries(m_series);
    chart()->addAxis(m_categories, Qt::AlignLeft);
    chart()->addAxis(m_values, Qt::AlignBottom);
    m_series->attachAxis(m_categories);
    m_series->attachAxis(m_values);
    m_values->setLabelFormat(QStringLiteral("%.4g"));
    // Addresses must stay readable; the chart grows instead (see setEntries).
    m_categories->setTruncateLabels(false);
    chart()->legend()->hide();
    m_set->setColor(fmt::paletteColor(0));
    m_set->setBorderColor(fmt::paletteColor(0));
    connect(m_set, &QBarSet::hovered, this, [this](bool status, int index) {
        if (status && index >= 0 && index < m_terms.size())
            setHoverKey(m_terms[index], m_labels[index]);
        else
            setHoverKey({}, {});
    });
    applyChartTheme(chart(), palette());
    setEmpty(true);
}

int BarChart::barCount() const
{
    return m_set->count();
}

void BarChart::clear()
{
    m_set->remove(0, m_set->count());
    m_lastBars.clear();
    m_categories->clear();
    m_terms.clear();
    m_labels.clear();
    setEmpty(true);
}

void BarChart::setEntries(store::Dimension dimension, const std::vector<query::TopEntry>& rows,
                          MetricKind metric, bool raw, double seconds, int maxBars)
{
    const int n = std::min<int>(int(rows.size()), maxBars);
    double maxValue = 0;
    std::vector<double> values;
    for (int i = 0; i < n; ++i) {
        values.push_back(fmt::metricNumber(metric, rows[std::size_t(i)].counters, raw, seconds));
        maxValue = std::max(maxValue, values.back());
    }
    const AxisScale scale = axisScale(metric, maxValue);
    QList<qreal> bars;
    QStringList categories;
    m_terms.clear();
    m_labels.clear();
    // Horizontal bars grow upwards: the first category is drawn at the bottom.
    for (int i = n - 1; i >= 0; --i) {
        const auto& row = rows[std::size_t(i)];
        bars.append(values[std::size_t(i)] / scale.divisor);
        // Long IPv6 addresses and pairs would squeeze the bars: shorten in the middle (the
        // tooltip and the table have the full text).
        QString label = fontMetrics().elidedText(fmt::keyText(dimension, row.key), Qt::ElideMiddle,
                                                 std::clamp(width() / 3, 90, 230));
        // Categories must be unique; keys are, but their texts could collide after formatting.
        while (categories.contains(label))
            label += QLatin1Char(' ');
        categories.append(label);
        m_labels.append(fmt::keyText(dimension, row.key));
        m_terms.append(filterTerm(dimension, row.key));
    }
    // Live refreshes often bring the same ranking: then there is nothing to redraw.
    if (bars == m_lastBars && categories == m_categories->categories() &&
        scale.unit == m_values->titleText()) {
        setEmpty(n == 0);
        return;
    }
    m_lastBars = bars;
    m_set->remove(0, m_set->count());
    m_set->append(bars);
    if (categories != m_categories->categories())
        m_categories->setCategories(categories);
    m_values->setRange(0, std::max(1.0, maxValue / scale.divisor * 1.05));
    m_values->applyNiceNumbers();
    if (m_values->titleText() != scale.unit)
        m_values->setTitleText(scale.unit);
    setUnitText(scale.unit);
    m_series->setBarWidth(n < 4 ? 0.4 : 0.7);
    const int height = std::max(160, 64 + n * 18);
    if (minimumHeight() != height)
        setMinimumHeight(height);
    setEmpty(n == 0);
}

} // namespace flowlens::ui
