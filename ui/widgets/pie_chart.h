#pragma once

#include "ui/widgets/chart_view.h"

#include "core/query/top_query.h"

#include <vector>

class QPieSeries;

namespace flowlens::ui {

/// Shares of the top keys (and "other") as a pie or a donut.
class PieChart : public ChartView
{
    Q_OBJECT

public:
    explicit PieChart(bool donut, QWidget* parent = nullptr);

    void setEntries(store::Dimension dimension, const std::vector<query::TopEntry>& rows,
                    const store::Counters& total, MetricKind metric, bool raw, int maxSlices = 8);
    void clear();
    int sliceCount() const;

private:
    QPieSeries* m_series;
};

} // namespace flowlens::ui
