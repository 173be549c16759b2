#include "alert_rule_dialog.h"

#include "core/query/time_spec.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

const alert::Metric kMetrics[] = {alert::Metric::BytesPerSecond,       alert::Metric::PacketsPerSecond,
                                  alert::Metric::FlowsPerSecond,       alert::Metric::DistinctSources,
                                  alert::Metric::DistinctDestinations, alert::Metric::DistinctPorts};
const alert::GroupBy kKeys[] = {alert::GroupBy::None, alert::GroupBy::Source, alert::GroupBy::Destination,
                                alert::GroupBy::Port, alert::GroupBy::Exporter};

QString metricLabel(alert::Metric m)
{
    switch (m) {
    case alert::Metric::BytesPerSecond:
        return QStringLiteral("Bytes per second");
    case alert::Metric::PacketsPerSecond:
        return QStringLiteral("Packets per second");
    case alert::Metric::FlowsPerSecond:
        return QStringLiteral("Flows per second");
    case alert::Metric::DistinctSources:
        return QStringLiteral("Distinct sources per second");
    case alert::Metric::DistinctDestinations:
        return QStringLiteral("Distinct destinations per second");
    case alert::Metric::DistinctPorts:
        return QStringLiteral("Distinct destination ports per second");
    }
    return {};
}

QString keyLabel(alert::GroupBy by)
{
    switch (by) {
    case alert::GroupBy::None:
        return QStringLiteral("All traffic together");
    case alert::GroupBy::Source:
        return QStringLiteral("Each source address");
    case alert::GroupBy::Destination:
        return QStringLiteral("Each destination address");
    case alert::GroupBy::Port:
        return QStringLiteral("Each destination port");
    case alert::GroupBy::Exporter:
        return QStringLiteral("Each exporter");
    }
    return {};
}

} // namespace

AlertRuleDialog::AlertRuleDialog(const QString& filter, QWidget* parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_metric(new QComboBox(this))
    , m_mode(new QComboBox(this))
    , m_comparison(new QComboBox(this))
    , m_threshold(new QLineEdit(this))
    , m_deviations(new QDoubleSpinBox(this))
    , m_key(new QComboBox(this))
    , m_filter(new QLineEdit(filter, this))
    , m_for(new QLineEdit(QStringLiteral("0s"), this))
    , m_cooldown(new QLineEdit(QStringLiteral("5m"), this))
    , m_preview(new QLabel(this))
    , m_explain(new QLabel(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(QStringLiteral("New alert rule"));
    m_name->setPlaceholderText(QStringLiteral("e.g. web-spike"));
    for (alert::Metric m : kMetrics)
        m_metric->addItem(metricLabel(m), int(m));
    m_mode->addItem(QStringLiteral("a fixed threshold"));
    m_mode->addItem(QStringLiteral("its learned baseline (spike)"));
    for (const char* op : {">", ">=", "<", "<="})
        m_comparison->addItem(QLatin1String(op));
    m_threshold->setText(QStringLiteral("50M"));
    m_threshold->setPlaceholderText(QStringLiteral("number with K, M, G suffix"));
    m_deviations->setRange(0.5, 100);
    m_deviations->setSingleStep(0.5);
    m_deviations->setValue(3);
    m_deviations->setSuffix(QStringLiteral(" deviations"));
    for (alert::GroupBy by : kKeys)
        m_key->addItem(keyLabel(by), int(by));
    m_filter->setPlaceholderText(
        QStringLiteral("all traffic (filter language, e.g. \"udp and dst port 53\")"));
    m_for->setToolTip(QStringLiteral("The condition must hold this long before the alert fires, and be clear "
                                     "this long before it resolves (e.g. 0s, 30s, 2m)."));
    m_cooldown->setToolTip(
        QStringLiteral("After an alert resolves, the rule (per key) stays quiet this long."));
    m_explain->setWordWrap(true);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d03b3b"));
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* compare = new QHBoxLayout;
    compare->addWidget(m_comparison);
    compare->addWidget(m_threshold, 1);
    compare->addWidget(m_deviations, 1);
    auto* form = new QFormLayout;
    form->addRow(QStringLiteral("Name:"), m_name);
    form->addRow(QStringLiteral("Watch:"), m_metric);
    form->addRow(QStringLiteral("Compared with:"), m_mode);
    form->addRow(QStringLiteral("Fire when above:"), compare);
    form->addRow(QStringLiteral("Evaluated for:"), m_key);
    form->addRow(QStringLiteral("Only flows matching:"), m_filter);
    form->addRow(QStringLiteral("For at least:"), m_for);
    form->addRow(QStringLiteral("Cool-down:"), m_cooldown);
    form->addRow(QStringLiteral("Condition:"), m_preview);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &AlertRuleDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_explain);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    for (QComboBox* box : {m_metric, m_mode, m_comparison, m_key})
        connect(box, &QComboBox::currentIndexChanged, this, &AlertRuleDialog::updateForm);
    connect(m_threshold, &QLineEdit::textChanged, this, &AlertRuleDialog::updateForm);
    connect(m_deviations, &QDoubleSpinBox::valueChanged, this, &AlertRuleDialog::updateForm);
    updateForm();
}

QString AlertRuleDialog::expression() const
{
    const QString metric = alert::metricName(alert::Metric(m_metric->currentData().toInt()));
    if (m_mode->currentIndex() == 1)
        return QStringLiteral("%1 > baseline + %2 dev").arg(metric, QString::number(m_deviations->value()));
    return QStringLiteral("%1 %2 %3").arg(metric, m_comparison->currentText(), m_threshold->text().trimmed());
}

void AlertRuleDialog::updateForm()
{
    const bool baseline = m_mode->currentIndex() == 1;
    m_comparison->setVisible(!baseline);
    m_threshold->setVisible(!baseline);
    m_deviations->setVisible(baseline);
    m_preview->setText(expression());
    m_explain->setText(
        baseline ? QStringLiteral(
                       "A learned baseline follows the metric's recent average (an exponentially weighted "
                       "moving average over about %1 minutes) and how far it usually strays from it (the "
                       "average deviation). A spike is a second above average + N × deviation, where the "
                       "deviation counts as at least a quarter of the average: with N = 3 at least 1.75 "
                       "times the usual level. Each key learns for %2 s before it can fire.")
                       .arg(alert::kBaselineTimeConstantS / 60)
                       .arg(alert::kBaselineWarmupS)
                 : QStringLiteral("A fixed threshold is compared with the metric every second; K, M and G "
                                  "multiply by a thousand, a million and a billion (bytes per second "
                                  "are sampling-scaled, like every view)."));
    m_error->clear();
}

Result<alert::AlertRule> AlertRuleDialog::build() const
{
    auto forS = query::parseDuration(m_for->text());
    if (!forS)
        return fail(QStringLiteral("For at least: %1").arg(forS.error()));
    auto coolS = query::parseDuration(m_cooldown->text());
    if (!coolS)
        return fail(QStringLiteral("Cool-down: %1").arg(coolS.error()));
    return alert::makeRule(m_name->text().trimmed(), expression(),
                           alert::GroupBy(m_key->currentData().toInt()), m_filter->text(), *forS, *coolS);
}

QString AlertRuleDialog::problem() const
{
    auto r = build();
    return r ? QString() : r.error();
}

void AlertRuleDialog::accept()
{
    auto r = build();
    if (!r) {
        m_error->setText(r.error());
        return;
    }
    m_rule = *r;
    QDialog::accept();
}

} // namespace flowlens::ui
