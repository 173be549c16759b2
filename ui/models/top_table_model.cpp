#include "top_table_model.h"

#include "core/store/dictionary.h"

#include "model_roles.h"

#include "ui/drill_down.h"
#include "ui/format.h"

namespace flowlens::ui {

TopTableModel::TopTableModel(store::Dimension dimension, QObject* parent)
    : QAbstractTableModel(parent)
    , m_dimension(dimension)
{}

void TopTableModel::setResult(const query::TopResult& result, MetricKind metric, bool raw, double seconds)
{
    const bool sameShape = int(result.rows.size()) == int(m_result.rows.size()) && metric == m_metric;
    if (!sameShape)
        beginResetModel();
    m_result = result;
    m_metric = metric;
    m_raw = raw;
    m_seconds = seconds;
    m_totalValue = fmt::metricNumber(metric, result.total, raw, seconds);
    if (!sameShape) {
        endResetModel();
    } else if (!m_result.rows.empty()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
}

void TopTableModel::clear()
{
    beginResetModel();
    m_result = {};
    m_totalValue = 0;
    endResetModel();
}

const query::TopEntry* TopTableModel::entry(int row) const
{
    return row >= 0 && row < int(m_result.rows.size()) ? &m_result.rows[std::size_t(row)] : nullptr;
}

int TopTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_result.rows.size());
}

int TopTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

double TopTableModel::value(const query::TopEntry& e) const
{
    return fmt::metricNumber(m_metric, e.counters, m_raw, m_seconds);
}

void TopTableModel::setDictionaries(std::shared_ptr<const store::Dictionaries> dictionaries)
{
    m_dict = std::move(dictionaries);
    if (rowCount() > 0)
        emit dataChanged(index(0, KeyColumn), index(rowCount() - 1, KeyColumn));
}

QString TopTableModel::keyText(const store::RollupKey& key) const
{
    return m_dict ? fmt::keyText(m_dimension, key, *m_dict) : fmt::keyText(m_dimension, key);
}

QVariant TopTableModel::data(const QModelIndex& index, int role) const
{
    const query::TopEntry* e = index.isValid() ? entry(index.row()) : nullptr;
    if (!e)
        return {};
    const bool raw = m_raw;
    const std::uint64_t packets = raw ? e->counters.packets : e->counters.scaledPackets;
    const std::uint64_t bytes = raw ? e->counters.bytes : e->counters.scaledBytes;
    const double share = m_totalValue > 0 ? value(*e) / m_totalValue : 0.0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RankColumn:
            return index.row() + 1;
        case KeyColumn:
            return keyText(e->key);
        case ValueColumn:
            return fmt::metricText(m_metric, value(*e));
        case ShareColumn:
            return fmt::percent(share);
        case FlowsColumn:
            return fmt::integer(e->counters.flows);
        case PacketsColumn:
            return fmt::integer(packets);
        case BytesColumn:
            return fmt::bytes(double(bytes));
        }
        break;
    case RawRole:
        switch (index.column()) {
        case RankColumn:
            return index.row() + 1;
        case KeyColumn:
            return QString::fromStdString(m_dict ? store::rollupKeyText(m_dimension, e->key, *m_dict)
                                                 : store::rollupKeyText(m_dimension, e->key));
        case ValueColumn:
            return value(*e);
        case ShareColumn:
            return share;
        case FlowsColumn:
            return qulonglong(e->counters.flows);
        case PacketsColumn:
            return qulonglong(packets);
        case BytesColumn:
            return qulonglong(bytes);
        }
        break;
    case KeyRole:
        return QByteArray(reinterpret_cast<const char*>(e->key.bytes.data()), e->key.size);
    case FilterTermRole:
        return filterTerm(m_dimension, e->key);
    case Qt::TextAlignmentRole:
        return index.column() == KeyColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                           : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == KeyColumn)
            return QStringLiteral("%1\nDouble-click to filter on it; right-click for more.")
                .arg(keyText(e->key));
        break;
    case Qt::DecorationRole:
        // Colours mean something only where a chart uses the same ones (protocols, the sources donut).
        if (index.column() == KeyColumn &&
            (m_dimension == store::Dimension::Proto || m_dimension == store::Dimension::Src))
            return fmt::keyColor(m_dimension, e->key);
        break;
    default:
        break;
    }
    return {};
}

QVariant TopTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case RankColumn:
            return QStringLiteral("#");
        case KeyColumn:
            return fmt::dimensionTitle(m_dimension);
        case ValueColumn: {
            QString name = metricKindName(m_metric);
            name[0] = name[0].toUpper();
            return name;
        }
        case ShareColumn:
            return QStringLiteral("Share");
        case FlowsColumn:
            return QStringLiteral("Flows");
        case PacketsColumn:
            return QStringLiteral("Packets");
        case BytesColumn:
            return QStringLiteral("Bytes");
        }
    } else if (role == RawRole) {
        // CSV headers: machine-friendly names.
        switch (section) {
        case RankColumn:
            return QStringLiteral("rank");
        case KeyColumn:
            return QString::fromLatin1(store::dimensionName(m_dimension).data());
        case ValueColumn:
            return m_metric == MetricKind::BitsPerSecond ? QStringLiteral("bits_per_second")
                                                         : metricKindName(m_metric);
        case ShareColumn:
            return QStringLiteral("share");
        case FlowsColumn:
            return QStringLiteral("flows");
        case PacketsColumn:
            return m_raw ? QStringLiteral("packets") : QStringLiteral("packets_scaled");
        case BytesColumn:
            return m_raw ? QStringLiteral("bytes") : QStringLiteral("bytes_scaled");
        }
    }
    return {};
}

} // namespace flowlens::ui
