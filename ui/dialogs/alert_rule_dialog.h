#pragma once

#include "core/alert/alert_rule.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace flowlens::ui {

/// Defines a new alert rule: metric, fixed threshold or learned baseline, key, filter, hold time
/// and cool-down, with the `--when` expression it amounts to and what a baseline means. OK
/// validates (the same checks as `flowlens-cli alert add`) and stays open on a problem.
class AlertRuleDialog : public QDialog
{
    Q_OBJECT

public:
    /// `filter`: the filter bar's current text, offered as the rule's filter.
    explicit AlertRuleDialog(const QString& filter = {}, QWidget* parent = nullptr);

    /// The rule as entered (valid after accept()).
    alert::AlertRule rule() const { return m_rule; }
    /// The `--when` expression the fields amount to.
    QString expression() const;
    /// Why OK was refused (empty when the input is valid).
    QString problem() const;

    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* metricBox() const { return m_metric; }
    QComboBox* modeBox() const { return m_mode; }
    QComboBox* comparisonBox() const { return m_comparison; }
    QLineEdit* thresholdEdit() const { return m_threshold; }
    QDoubleSpinBox* deviationsBox() const { return m_deviations; }
    QComboBox* keyBox() const { return m_key; }
    QLineEdit* filterEdit() const { return m_filter; }
    QLineEdit* forEdit() const { return m_for; }
    QLineEdit* cooldownEdit() const { return m_cooldown; }

    void accept() override;

private:
    void updateForm();
    Result<alert::AlertRule> build() const;

    QLineEdit* m_name;
    QComboBox* m_metric;
    QComboBox* m_mode;
    QComboBox* m_comparison;
    QLineEdit* m_threshold;
    QDoubleSpinBox* m_deviations;
    QComboBox* m_key;
    QLineEdit* m_filter;
    QLineEdit* m_for;
    QLineEdit* m_cooldown;
    QLabel* m_preview;
    QLabel* m_explain;
    QLabel* m_error;
    alert::AlertRule m_rule;
};

} // namespace flowlens::ui
