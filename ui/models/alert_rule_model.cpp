#include "alert_rule_model.h"

#include "ui/models/model_roles.h"

#include <QBrush>
#include <QColor>

namespace flowlens::ui {

AlertRuleModel::AlertRuleModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

void AlertRuleModel::setRules(const std::vector<alert::AlertRule>& rules)
{
    beginResetModel();
    m_rules = rules;
    endResetModel();
}

void AlertRuleModel::setFiring(const std::map<QString, int>& firing)
{
    if (firing == m_firing)
        return;
    m_firing = firing;
    if (!m_rules.empty())
        emit dataChanged(index(0, FiringColumn), index(rowCount() - 1, FiringColumn));
}

const alert::AlertRule* AlertRuleModel::rule(int row) const
{
    return row >= 0 && row < rowCount() ? &m_rules[std::size_t(row)] : nullptr;
}

int AlertRuleModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rules.size());
}

int AlertRuleModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AlertRuleModel::durationText(std::int64_t s)
{
    if (s == 0)
        return QStringLiteral("0s");
    QString out;
    if (s >= 3600)
        out += QStringLiteral("%1h").arg(s / 3600);
    if (s % 3600 >= 60)
        out += QStringLiteral("%1m").arg(s % 3600 / 60);
    if (s % 60)
        out += QStringLiteral("%1s").arg(s % 60);
    return out;
}

QVariant AlertRuleModel::data(const QModelIndex& index, int role) const
{
    const alert::AlertRule* r = index.isValid() ? rule(index.row()) : nullptr;
    if (!r)
        return {};
    const auto firingIt = m_firing.find(r->name);
    const int firing = firingIt == m_firing.end() ? 0 : firingIt->second;
    if (role == RawRole) {
        switch (index.column()) {
        case HoldColumn:
            return qlonglong(r->forSeconds);
        case CooldownColumn:
            return qlonglong(r->cooldownSeconds);
        case EnabledColumn:
            return r->enabled;
        case FiringColumn:
            return firing;
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return r->name;
        case ConditionColumn:
            return r->expression;
        case KeyColumn:
            return r->by == alert::GroupBy::None ? QStringLiteral("all traffic")
                                                 : QStringLiteral("per ") + alert::groupByName(r->by);
        case FilterColumn:
            return r->filterText.isEmpty() ? QStringLiteral("–") : r->filterText;
        case HoldColumn:
            return durationText(r->forSeconds);
        case CooldownColumn:
            return durationText(r->cooldownSeconds);
        case EnabledColumn:
            return r->enabled ? QStringLiteral("on") : QStringLiteral("off");
        case FiringColumn:
            return firing ? QStringLiteral("%1 firing").arg(firing) : QStringLiteral("–");
        }
        break;
    case Qt::ToolTipRole:
        if (r->condition.baseline)
            return QStringLiteral(
                       "Learned baseline: fires when the value is more than %1 deviations above its "
                       "recent average (see the note above the table).")
                .arg(r->condition.deviations);
        return QStringLiteral("Fixed threshold: %1 %2 %3")
            .arg(alert::metricName(r->condition.metric), alert::comparisonText(r->condition.comparison),
                 alert::formatValue(r->condition.threshold));
    case Qt::ForegroundRole:
        if (index.column() == FiringColumn && firing)
            return QBrush(QColor(0xd0, 0x3b, 0x3b));
        if (!r->enabled)
            return QBrush(QColor(Qt::gray));
        break;
    default:
        break;
    }
    return {};
}

QVariant AlertRuleModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return QStringLiteral("Rule");
    case ConditionColumn:
        return QStringLiteral("When");
    case KeyColumn:
        return QStringLiteral("Evaluated");
    case FilterColumn:
        return QStringLiteral("Filter");
    case HoldColumn:
        return QStringLiteral("For");
    case CooldownColumn:
        return QStringLiteral("Cool-down");
    case EnabledColumn:
        return QStringLiteral("On");
    case FiringColumn:
        return QStringLiteral("Now");
    }
    return {};
}

} // namespace flowlens::ui
