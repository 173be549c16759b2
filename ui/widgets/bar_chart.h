#pragma once

#include "ui/widgets/chart_view.h"

#include "core/query/top_query.h"

#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QHorizontalBarSeries;
class QValueAxis;

namespace flowlens::ui {

/// A ranked top-N as horizontal bars, the largest on top.
class BarChart : public ChartView
{
    Q_OBJECT

public:
    explicit BarChart(QWidget* parent = nullptr);

    /// `seconds`: length of the range (bits/s are averages over it).
    void setEntries(store::Dimension dimension, const std::vector<query::TopEntry>& rows, MetricKind metric,
                    bool raw, double seconds, int maxBars = 10);
    void clear();
    int barCount() const;

private:
    QHorizontalBarSeries* m_series;
    QBarSet* m_set;
    QBarCategoryAxis* m_categories;
    QValueAxis* m_values;
    QStringList m_terms;  ///< filter term per bar, bottom to top
    QStringList m_labels; ///< key text per bar, bottom to top
    QList<qreal> m_lastBars;
};

} // namespace flowlens::ui
