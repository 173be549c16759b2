#pragma once

#include "ui/view_state.h"

#include "core/query/top_query.h"

#include <memory>
#include <vector>

#include <QAbstractTableModel>

namespace flowlens::store {
struct Dictionaries;
}

namespace flowlens::ui {

/// A ranked top-N table (sources, ports, conversations, ...): rank, key, the chosen metric, its
/// share of the total, and the raw flows/packets/bytes. Values are applied as one snapshot.
class TopTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        RankColumn,
        KeyColumn,
        ValueColumn,
        ShareColumn,
        FlowsColumn,
        PacketsColumn,
        BytesColumn,
        ColumnCount
    };

    explicit TopTableModel(store::Dimension dimension, QObject* parent = nullptr);

    /// Replaces the rows. `seconds` is the length of the range (bits/s are averages over it).
    void setResult(const query::TopResult& result, MetricKind metric, bool raw, double seconds);
    void clear();
    /// Names for GeoIP keys (countries, AS organisations, cities, networks); null: numbers/ids.
    void setDictionaries(std::shared_ptr<const store::Dictionaries> dictionaries);

    store::Dimension dimension() const { return m_dimension; }
    const query::TopEntry* entry(int row) const;
    const query::TopResult& result() const { return m_result; }
    MetricKind metric() const { return m_metric; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    double value(const query::TopEntry& e) const;
    QString keyText(const store::RollupKey& key) const;

    store::Dimension m_dimension;
    query::TopResult m_result;
    MetricKind m_metric = MetricKind::Bytes;
    bool m_raw = false;
    double m_seconds = 0;
    double m_totalValue = 0;
    std::shared_ptr<const store::Dictionaries> m_dict;
};

} // namespace flowlens::ui
