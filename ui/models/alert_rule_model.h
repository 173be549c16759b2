#pragma once

#include "core/alert/alert_rule.h"

#include <map>
#include <vector>

#include <QAbstractTableModel>

namespace flowlens::ui {

/// Alert rules: one row per rule with its condition, key, filter, timings, whether it is on, and
/// how many of its alerts are firing now.
class AlertRuleModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        ConditionColumn,
        KeyColumn,
        FilterColumn,
        HoldColumn,
        CooldownColumn,
        EnabledColumn,
        FiringColumn,
        ColumnCount
    };

    explicit AlertRuleModel(QObject* parent = nullptr);

    void setRules(const std::vector<alert::AlertRule>& rules);
    /// Alerts firing now per rule name (from the collector's snapshot).
    void setFiring(const std::map<QString, int>& firing);
    const alert::AlertRule* rule(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// "30s", "5m", "1h30m".
    static QString durationText(std::int64_t seconds);

private:
    std::vector<alert::AlertRule> m_rules;
    std::map<QString, int> m_firing;
};

} // namespace flowlens::ui
