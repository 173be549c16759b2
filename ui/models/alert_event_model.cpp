#include "alert_event_model.h"

#include "ui/format.h"
#include "ui/models/alert_rule_model.h"
#include "ui/models/model_roles.h"

#include <cmath>

#include <QBrush>
#include <QColor>

namespace flowlens::ui {

namespace {

QString valueText(const alert::AlertEvent& e, double v)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    if (e.metric == alert::Metric::BytesPerSecond)
        return fmt::bytes(v) + QStringLiteral("/s");
    return alert::formatValue(v) + QLatin1Char(' ') + alert::metricUnit(e.metric);
}

} // namespace

AlertEventModel::AlertEventModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

void AlertEventModel::setEvents(const std::vector<alert::AlertEvent>& events, std::uint64_t nowNs)
{
    beginResetModel();
    m_events = events;
    m_nowNs = nowNs;
    endResetModel();
}

const alert::AlertEvent* AlertEventModel::event(int row) const
{
    return row >= 0 && row < rowCount() ? &m_events[std::size_t(row)] : nullptr;
}

int AlertEventModel::rowOf(std::int64_t id) const
{
    for (std::size_t i = 0; i < m_events.size(); ++i)
        if (m_events[i].id == id)
            return int(i);
    return -1;
}

int AlertEventModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int AlertEventModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertEventModel::data(const QModelIndex& index, int role) const
{
    const alert::AlertEvent* e = index.isValid() ? event(index.row()) : nullptr;
    if (!e)
        return {};
    const std::uint64_t end = e->active() ? std::max(m_nowNs, e->startedNs) : e->resolvedNs;
    const auto seconds = std::int64_t((end - std::min(end, e->startedNs)) / 1000000000ull);
    switch (role) {
    case RawRole:
        switch (index.column()) {
        case FiredColumn:
            return qulonglong(e->firedNs);
        case StateColumn:
            return e->active() ? qulonglong(0) : qulonglong(e->resolvedNs);
        case RuleColumn:
            return e->rule;
        case KeyColumn:
            return e->key;
        case ValueColumn:
            return e->value;
        case ThresholdColumn:
            return e->threshold;
        case PeakColumn:
            return e->peak;
        case DurationColumn:
            return qlonglong(seconds);
        }
        break;
    case FilterTermRole:
        return e->flowFilter();
    case Qt::DisplayRole:
        switch (index.column()) {
        case FiredColumn:
            return fmt::time(e->firedNs);
        case StateColumn:
            return e->active() ? QStringLiteral("firing")
                               : QStringLiteral("resolved %1").arg(fmt::time(e->resolvedNs));
        case RuleColumn:
            return e->rule;
        case KeyColumn:
            return e->key.isEmpty() ? QStringLiteral("all traffic") : e->key;
        case ValueColumn:
            return valueText(*e, e->value);
        case ThresholdColumn:
            return valueText(*e, e->threshold);
        case PeakColumn:
            return valueText(*e, e->peak);
        case DurationColumn:
            return AlertRuleModel::durationText(seconds);
        }
        break;
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2\nFlows: %3")
            .arg(e->summary(), e->expression,
                 e->flowFilter().isEmpty() ? QStringLiteral("all traffic") : e->flowFilter());
    case Qt::ForegroundRole:
        if (e->active() && (index.column() == StateColumn || index.column() == RuleColumn))
            return QBrush(QColor(0xd0, 0x3b, 0x3b));
        break;
    default:
        break;
    }
    return {};
}

QVariant AlertEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case FiredColumn:
        return QStringLiteral("Fired");
    case StateColumn:
        return QStringLiteral("State");
    case RuleColumn:
        return QStringLiteral("Rule");
    case KeyColumn:
        return QStringLiteral("Key");
    case ValueColumn:
        return QStringLiteral("Value");
    case ThresholdColumn:
        return QStringLiteral("Threshold");
    case PeakColumn:
        return QStringLiteral("Peak");
    case DurationColumn:
        return QStringLiteral("Duration");
    }
    return {};
}

} // namespace flowlens::ui
