#pragma once

#include "ui/widgets/chart_view.h"

#include "core/query/series_query.h"

#include <vector>

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace flowlens::ui {

/// Traffic over time as stacked areas, one band per key (protocols, exporters) plus "other".
/// Buckets are drawn as steps: every value covers its whole bucket. Each refresh replaces the
/// points of every band's series once; the bands are rebuilt only when the set of keys changes.
class TimeSeriesChart : public ChartView
{
    Q_OBJECT

public:
    explicit TimeSeriesChart(QWidget* parent = nullptr);

    void setSeries(const query::SeriesResult& series, MetricKind metric, bool raw);
    void clear();
    /// "per 1 min" / "per 5 s" for bucketed totals, empty for rates.
    QString bucketText() const { return m_bucketText; }
    int bandCount() const { return int(m_bands.size()); }

private:
    struct Band
    {
        store::RollupKey key;
        bool other = false;
        QLineSeries* upper = nullptr;
        QLineSeries* lower = nullptr;
        QAreaSeries* area = nullptr;
    };
    void rebuildBands(const std::vector<store::RollupKey>& keys, bool withOther);

    QDateTimeAxis* m_x;
    QValueAxis* m_y;
    std::vector<Band> m_bands;
    store::Dimension m_dimension = store::Dimension::Proto;
    QString m_bucketText;
};

} // namespace flowlens::ui
