#include "time_series_chart.h"

#include "ui/format.h"

#include <algorithm>
#include <cmath>

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

namespace flowlens::ui {

namespace {

QString widthText(std::int64_t s)
{
    if (s % 86400 == 0)
        return QStringLiteral("%1 d").arg(s / 86400);
    if (s % 3600 == 0)
        return QStringLiteral("%1 h").arg(s / 3600);
    if (s % 60 == 0)
        return QStringLiteral("%1 min").arg(s / 60);
    return QStringLiteral("%1 s").arg(s);
}

} // namespace

TimeSeriesChart::TimeSeriesChart(QWidget* parent)
    : ChartView(parent)
    , m_x(new QDateTimeAxis(this))
    , m_y(new QValueAxis(this))
{
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_x->setTickCount(7);
    m_y->setLabelFormat(QStringLiteral("%.4g"));
    m_y->setMin(0);
    // Steps are axis-aligned: no antialiasing needed, and painting without it is much cheaper.
    setRenderHint(QPainter::Antialiasing, false);
    applyChartTheme(chart(), palette());
    setEmpty(true);
}

void TimeSeriesChart::clear()
{
    rebuildBands({}, false);
    setEmpty(true);
}

void TimeSeriesChart::rebuildBands(const std::vector<store::RollupKey>& keys, bool withOther)
{
    for (Band& b : m_bands) {
        chart()->removeSeries(b.area);
        delete b.area; // owns nothing: the line series are children of this view
        delete b.upper;
        delete b.lower;
    }
    m_bands.clear();
    std::vector<Band> bands;
    for (const auto& k : keys)
        bands.push_back(Band{k, false, nullptr, nullptr, nullptr});
    if (withOther)
        bands.push_back(Band{store::RollupKey{}, true, nullptr, nullptr, nullptr});
    for (std::size_t i = 0; i < bands.size(); ++i) {
        Band& b = bands[i];
        b.upper = new QLineSeries(this);
        b.lower = i == 0 ? nullptr : new QLineSeries(this);
        b.area = new QAreaSeries(b.upper, b.lower);
        const QString name = m_dimension == store::Dimension::Count_
                                 ? QStringLiteral("All traffic")
                                 : (b.other ? QStringLiteral("other") : fmt::keyText(m_dimension, b.key));
        b.area->setName(name);
        const QColor color = m_dimension == store::Dimension::Count_ ? fmt::paletteColor(0)
                                                                     : fmt::keyColor(m_dimension, b.key);
        QColor fill = color;
        fill.setAlpha(200);
        b.area->setBrush(fill);
        b.area->setPen(QPen(color.darker(115), 1));
        chart()->addSeries(b.area);
        b.area->attachAxis(m_x);
        b.area->attachAxis(m_y);
        const QString term = b.other ? QString() : filterTerm(m_dimension, b.key);
        connect(b.area, &QAreaSeries::hovered, this, [this, term, name](const QPointF&, bool state) {
            setHoverKey(state ? term : QString(), name);
        });
    }
    m_bands = std::move(bands);
    chart()->legend()->setVisible(m_bands.size() > 1);
    applyChartTheme(chart(), palette());
}

void TimeSeriesChart::setSeries(const query::SeriesResult& s, MetricKind metric, bool raw)
{
    const int buckets = s.bucketCount();
    const std::size_t nBuckets = std::size_t(buckets);
    bool anyOther = false;
    for (const auto& c : s.other)
        anyOther = anyOther || c.flows > 0;
    // Values per band and bucket, in chart units before scaling.
    std::vector<std::vector<double>> values;
    auto valueOf = [&](const store::Counters& c, int b) {
        return fmt::metricNumber(metric, c, raw, s.coveredSeconds[std::size_t(b)]);
    };
    if (s.spec.by == store::Dimension::Count_) {
        std::vector<double> v(nBuckets);
        for (int b = 0; b < buckets; ++b)
            v[std::size_t(b)] = valueOf(s.total[std::size_t(b)], b);
        values.push_back(std::move(v));
    } else {
        for (const auto& keyValues : s.values) {
            std::vector<double> v(nBuckets);
            for (int b = 0; b < buckets; ++b)
                v[std::size_t(b)] = valueOf(keyValues[std::size_t(b)], b);
            values.push_back(std::move(v));
        }
        if (anyOther) {
            std::vector<double> v(nBuckets);
            for (int b = 0; b < buckets; ++b)
                v[std::size_t(b)] = valueOf(s.other[std::size_t(b)], b);
            values.push_back(std::move(v));
        }
    }

    const bool sameBands = s.spec.by == m_dimension && [&] {
        const std::size_t want =
            s.spec.by == store::Dimension::Count_ ? 1 : s.keys.size() + (anyOther ? 1 : 0);
        if (want != m_bands.size())
            return false;
        for (std::size_t i = 0; i < s.keys.size() && s.spec.by != store::Dimension::Count_; ++i)
            if (m_bands[i].other || !(m_bands[i].key == s.keys[i]))
                return false;
        return true;
    }();
    m_dimension = s.spec.by;
    if (!sameBands) {
        if (s.spec.by == store::Dimension::Count_)
            rebuildBands({store::RollupKey{}}, false);
        else
            rebuildBands(s.keys, anyOther);
    }

    double maxStack = 0;
    std::vector<double> stack(std::size_t(buckets), 0.0);
    for (const auto& v : values)
        for (int b = 0; b < buckets; ++b)
            stack[std::size_t(b)] += v[std::size_t(b)];
    for (double v : stack)
        maxStack = std::max(maxStack, v);
    const AxisScale scale = axisScale(metric, maxStack);

    const std::int64_t widthMs = s.bucketSeconds * 1000;
    std::vector<double> lower(std::size_t(buckets), 0.0);
    QList<QPointF> lowerPoints;
    for (std::size_t k = 0; k < values.size() && k < m_bands.size(); ++k) {
        QList<QPointF> upperPoints;
        upperPoints.reserve(buckets * 2);
        for (int b = 0; b < buckets; ++b) {
            const double x0 = double(s.bucketStartNs(b) / 1000000ull);
            const double top = (lower[std::size_t(b)] + values[k][std::size_t(b)]) / scale.divisor;
            upperPoints.append(QPointF(x0, top));
            upperPoints.append(QPointF(x0 + double(widthMs), top));
            lower[std::size_t(b)] += values[k][std::size_t(b)];
        }
        m_bands[k].upper->replace(upperPoints);
        if (m_bands[k].lower)
            m_bands[k].lower->replace(lowerPoints);
        lowerPoints = std::move(upperPoints);
    }

    const qint64 startMs = qint64(s.firstBucketNs / 1000000ull);
    const qint64 endMs = startMs + qint64(buckets) * widthMs;
    const qint64 spanS = (endMs - startMs) / 1000;
    // Ticks every round interval (1 min, 5 min, 1 h …): the axis starts on a bucket boundary and
    // ends on the next tick after the data, so every label is a round time.
    static const std::int64_t kTickSeconds[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                                600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    std::int64_t tick = kTickSeconds[std::size(kTickSeconds) - 1];
    for (std::int64_t t : kTickSeconds) {
        if (t * 1000 >= widthMs && (endMs - startMs) / (t * 1000) <= 7) {
            tick = t;
            break;
        }
    }
    const qint64 tickMs = tick * 1000;
    const qint64 firstTickMs = startMs - startMs % tickMs;
    const qint64 ticks = std::max<qint64>(1, (endMs - firstTickMs + tickMs - 1) / tickMs);
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(firstTickMs),
                    to = QDateTime::fromMSecsSinceEpoch(firstTickMs + ticks * tickMs);
    if (m_x->min() != from || m_x->max() != to) {
        m_x->setRange(from, to);
        m_x->setTickCount(int(ticks) + 1);
    }
    const QString format =
        tick < 60 ? QStringLiteral("HH:mm:ss")
                  : (spanS <= 36 * 3600 ? QStringLiteral("HH:mm") : QStringLiteral("MM-dd HH:mm"));
    if (m_x->format() != format)
        m_x->setFormat(format);
    // Nice numbers, computed here so that an unchanged axis is not laid out again.
    const double top = std::max(1.0, maxStack / scale.divisor * 1.05);
    const double step = std::pow(10.0, std::floor(std::log10(top)));
    double niceTop = step;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (step * m >= top) {
            niceTop = step * m;
            break;
        }
    }
    if (m_y->max() != niceTop || m_y->min() != 0) {
        m_y->setRange(0, niceTop);
        const double ratio = niceTop / step;
        m_y->setTickCount(ratio > 5 ? 6 : (ratio <= 2.5 ? int(ratio * 2) + 1 : int(ratio) + 1));
    }
    m_bucketText = metric == MetricKind::BitsPerSecond
                       ? QString()
                       : QStringLiteral("per %1").arg(widthText(s.bucketSeconds));
    const QString unit = m_bucketText.isEmpty() ? scale.unit : scale.unit + QLatin1Char(' ') + m_bucketText;
    if (m_y->titleText() != unit)
        m_y->setTitleText(unit);
    setUnitText(unit);
    setEmpty(maxStack <= 0);
}

} // namespace flowlens::ui
