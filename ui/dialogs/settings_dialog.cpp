#include "settings_dialog.h"

#include "core/enrich/enricher.h"
#include "ui/dialogs/forward_settings_page.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace flowlens::ui {

SettingsDialog::SettingsDialog(const AppSettings& settings, bool viewOnly, const QString& sessionDatabase,
                               const SecretStore* secrets, QWidget* parent)
    : QDialog(parent)
    , m_endpoints(new QPlainTextEdit(this))
    , m_database(new QLineEdit(settings.databasePath, this))
    , m_retention(new QSpinBox(this))
    , m_maxSize(new QSpinBox(this))
    , m_overrides(new QTableWidget(0, 3, this))
    , m_tabs(new QTabWidget(this))
    , m_forward(new ForwardSettingsPage(settings.forward, secrets, this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(
          QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(QStringLiteral("FlowLens settings"));
    resize(680, 720);
    m_endpoints->setPlainText(settings.endpoints.join(QLatin1Char('\n')));
    m_endpoints->setPlaceholderText(
        QStringLiteral("Empty: 0.0.0.0 and [::] on 2055 (NetFlow), 4739 (IPFIX) and 6343 "
                       "(sFlow).\nOne ADDR:PORT per line, e.g.\n0.0.0.0:2055\n[::]:4739"));
    m_endpoints->setMaximumHeight(110);
    m_database->setPlaceholderText(AppSettings::defaultDatabasePath());
    m_retention->setRange(0, 3650);
    m_retention->setSpecialValueText(QStringLiteral("keep everything"));
    m_retention->setSuffix(QStringLiteral(" days"));
    m_retention->setValue(settings.retentionDays);
    m_maxSize->setRange(0, 10'000'000);
    m_maxSize->setSpecialValueText(QStringLiteral("no limit"));
    m_maxSize->setSuffix(QStringLiteral(" MB"));
    m_maxSize->setValue(settings.maxSizeMb);
    m_overrides->setHorizontalHeaderLabels({QStringLiteral("Exporter address"), QStringLiteral("1-in-N rate"),
                                            QStringLiteral("Replace stated rate")});
    m_overrides->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_overrides->verticalHeader()->hide();
    for (const auto& o : settings.samplingOverrides)
        addOverrideRow(o);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);

    auto* browse = new QPushButton(QStringLiteral("Browse…"), this);
    auto* dbRow = new QHBoxLayout;
    dbRow->addWidget(m_database, 1);
    dbRow->addWidget(browse);
    auto* collector = new QGroupBox(QStringLiteral("Collector"), this);
    auto* form = new QFormLayout(collector);
    form->addRow(QStringLiteral("Listen on (UDP):"), m_endpoints);
    m_allow = new QLineEdit(settings.allow.join(QStringLiteral(", ")), this);
    m_allow->setPlaceholderText(QStringLiteral("any exporter (e.g. 192.0.2.0/24, 2001:db8::/32, 10.1.2.3)"));
    m_allow->setToolTip(QStringLiteral("Only these networks may send flows; datagrams from others are "
                                       "counted (Exporters view) and dropped."));
    form->addRow(QStringLiteral("Accept exporters from:"), m_allow);
    form->addRow(QStringLiteral("Database file:"), dbRow);
    if (!sessionDatabase.isEmpty() && sessionDatabase != settings.effectiveDatabasePath()) {
        auto* note =
            new QLabel(QStringLiteral("This session uses %1 (given with --db); the file above is used "
                                      "when FlowLens starts without --db, or when you apply it here.")
                           .arg(sessionDatabase),
                       collector);
        note->setWordWrap(true);
        note->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(QString(), note);
    }
    form->addRow(QStringLiteral("Delete flows older than:"), m_retention);
    form->addRow(QStringLiteral("Keep the database under:"), m_maxSize);

    auto* sampling = new QGroupBox(QStringLiteral("Sampling overrides"), this);
    auto* sv = new QVBoxLayout(sampling);
    auto* explain =
        new QLabel(QStringLiteral("For exporters that sample without saying so (or say it wrong): "
                                  "their counters are multiplied by the rate. Applied at once."),
                   sampling);
    explain->setWordWrap(true);
    auto* add = new QPushButton(QStringLiteral("Add"), sampling);
    auto* remove = new QPushButton(QStringLiteral("Remove"), sampling);
    auto* sb = new QHBoxLayout;
    sb->addStretch(1);
    sb->addWidget(add);
    sb->addWidget(remove);
    sv->addWidget(explain);
    sv->addWidget(m_overrides, 1);
    sv->addLayout(sb);

    // GeoIP: what the collector enriches flows with, and which databases that finds.
    m_geoip =
        new QCheckBox(QStringLiteral("Look addresses up (GeoIP, address classes, your networks)"), this);
    m_geoip->setChecked(settings.geoip);
    m_geoipPaths = new QLineEdit(settings.geoipPaths.join(QLatin1Char(';')), this);
    m_geoipPaths->setPlaceholderText(QStringLiteral("more .mmdb files, separated by ;"));
    m_networks = new QLineEdit(settings.networksPath, this);
    m_networks->setPlaceholderText(QStringLiteral("file of CIDR,NAME[,ROLE[,SITE]] lines"));
    m_geoipFound = new QLabel(this);
    m_geoipFound->setWordWrap(true);
    m_geoipFound->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* geo = new QGroupBox(QStringLiteral("GeoIP"), this);
    auto* geoForm = new QFormLayout(geo);
    geoForm->addRow(m_geoip);
    geoForm->addRow(QStringLiteral("Databases:"), m_geoipPaths);
    geoForm->addRow(QStringLiteral("Networks file:"), m_networks);
    geoForm->addRow(m_geoipFound);
    connect(m_geoip, &QCheckBox::toggled, this, &SettingsDialog::describeGeoip);
    connect(m_geoipPaths, &QLineEdit::editingFinished, this, &SettingsDialog::describeGeoip);
    connect(m_networks, &QLineEdit::editingFinished, this, &SettingsDialog::describeGeoip);
    describeGeoip();

    auto* layout = new QVBoxLayout(this);
    if (viewOnly) {
        auto* note =
            new QLabel(QStringLiteral("Started with --no-listen: nothing is collected, so these settings "
                                      "take effect the next time FlowLens collects."),
                       this);
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    auto* collectorTab = new QWidget(this);
    auto* cv = new QVBoxLayout(collectorTab);
    cv->addWidget(collector);
    cv->addWidget(geo);
    cv->addWidget(sampling, 1);
    m_tabs->addTab(collectorTab, QStringLiteral("Collector"));
    m_tabs->addTab(m_forward, QStringLiteral("Forwarding"));
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, QStringLiteral("Database file"),
            m_database->text().isEmpty() ? AppSettings::defaultDatabasePath() : m_database->text(),
            QStringLiteral("FlowLens database (*.db);;All files (*)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_database->setText(path);
    });
    connect(add, &QPushButton::clicked, this, [this] { addOverrideRow({QString(), 1000, false}); });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_overrides->currentRow();
        if (row >= 0)
            m_overrides->removeRow(row);
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons, &QDialogButtonBox::clicked, this, [this](QAbstractButton* b) {
        const auto role = m_buttons->buttonRole(b);
        if (role == QDialogButtonBox::ApplyRole) {
            m_closeOnSuccess = false;
            validateAndRequest();
        } else if (role == QDialogButtonBox::AcceptRole) {
            m_closeOnSuccess = true;
            validateAndRequest();
        }
    });
}

void SettingsDialog::addOverrideRow(const AppSettings::SamplingOverrideSetting& o)
{
    const int row = m_overrides->rowCount();
    m_overrides->insertRow(row);
    m_overrides->setItem(row, 0, new QTableWidgetItem(o.exporter));
    auto* rate = new QSpinBox(m_overrides);
    rate->setRange(1, 1 << 30);
    rate->setValue(int(std::min<quint64>(o.rate, 1u << 30)));
    m_overrides->setCellWidget(row, 1, rate);
    auto* force = new QCheckBox(m_overrides);
    force->setChecked(o.force);
    m_overrides->setCellWidget(row, 2, force);
}

void SettingsDialog::describeGeoip()
{
    if (!m_geoip->isChecked()) {
        m_geoipFound->setText(QStringLiteral("Flows are stored without GeoIP data."));
        return;
    }
    const AppSettings s = settings();
    enrich::EnrichConfig config;
    config.geoipPaths = s.geoipPaths;
    config.networksPath = s.networksPath;
    auto enricher = enrich::Enricher::create(config);
    if (!enricher) {
        m_geoipFound->setText(enricher.error().toHtmlEscaped());
        return;
    }
    QStringList lines;
    for (const auto& db : (*enricher)->databases())
        lines << QStringLiteral("<b>%1</b> (%2 data, built %3, %4 tree nodes%5)<br><small>%6</small>")
                     .arg(db.databaseType.toHtmlEscaped(),
                          QString::fromLatin1(enrich::geoDatabaseKindName(db.kind)),
                          QDateTime::fromSecsSinceEpoch(db.buildEpoch, Qt::UTC)
                              .toString(QStringLiteral("yyyy-MM-dd")))
                     .arg(db.nodeCount)
                     .arg(db.ipVersion == 4 ? QStringLiteral(", IPv4 only") : QString(),
                          db.path.toHtmlEscaped());
    if (lines.isEmpty())
        lines << QStringLiteral(
                     "No GeoIP database found in %1. Run <code>./dev.sh geoip</code> for DB-IP's free "
                     "city database, or add MaxMind GeoLite2 files.")
                     .arg(enrich::defaultGeoipFolders().join(QStringLiteral(", ")).toHtmlEscaped());
    if (!(*enricher)->networks().empty())
        lines << QStringLiteral("%1 networks from %2")
                     .arg((*enricher)->networks().networks().size())
                     .arg(s.networksPath.toHtmlEscaped());
    if ((*enricher)->usesDbIp())
        lines << QString::fromLatin1(enrich::kDbIpAttribution);
    m_geoipFound->setText(lines.join(QStringLiteral("<br>")));
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s;
    for (const QString& a :
         m_allow->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        s.allow << a;
    for (const QString& line : m_endpoints->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty())
            s.endpoints << line.trimmed();
    s.databasePath = m_database->text().trimmed();
    s.retentionDays = m_retention->value();
    s.maxSizeMb = m_maxSize->value();
    s.geoip = m_geoip->isChecked();
    for (const QString& path : m_geoipPaths->text().split(QLatin1Char(';'), Qt::SkipEmptyParts))
        if (!path.trimmed().isEmpty())
            s.geoipPaths << path.trimmed();
    s.networksPath = m_networks->text().trimmed();
    for (int r = 0; r < m_overrides->rowCount(); ++r) {
        AppSettings::SamplingOverrideSetting o;
        o.exporter = m_overrides->item(r, 0) ? m_overrides->item(r, 0)->text().trimmed() : QString();
        o.rate = quint64(static_cast<QSpinBox*>(m_overrides->cellWidget(r, 1))->value());
        o.force = static_cast<QCheckBox*>(m_overrides->cellWidget(r, 2))->isChecked();
        if (!o.exporter.isEmpty())
            s.samplingOverrides << o;
    }
    s.forward = m_forward->settings();
    return s;
}

void SettingsDialog::showForwarding()
{
    m_tabs->setCurrentWidget(m_forward);
}

bool SettingsDialog::validateAndRequest()
{
    const AppSettings s = settings();
    m_problems = s.validate();
    if (!m_problems.isEmpty()) {
        QStringList items;
        for (const QString& p : std::as_const(m_problems))
            items << QStringLiteral("<li>%1</li>").arg(p.toHtmlEscaped());
        m_status->setText(QStringLiteral("<span style='color:#d03b3b'><b>Please fix:</b><ul>%1</ul></span>")
                              .arg(items.join(QString())));
        if (s.forward.enabled && m_problems == QStringList{s.forward.problem()})
            showForwarding();
        return false;
    }
    m_status->setText(
        QStringLiteral("Applying… (the collector restarts when endpoints, database or retention "
                       "change)"));
    m_buttons->setEnabled(false);
    emit applyRequested(s);
    return true;
}

void SettingsDialog::setApplyResult(bool ok, const QString& error)
{
    m_buttons->setEnabled(true);
    if (ok) {
        m_status->setText(QStringLiteral("<span style='color:#2e9e4f'>Applied and saved.</span>"));
        if (m_closeOnSuccess)
            accept();
        return;
    }
    m_problems = {error};
    m_status->setText(
        QStringLiteral("<span style='color:#d03b3b'><b>Not applied:</b> %1<br>The collector keeps "
                       "running with the previous settings.</span>")
            .arg(error.toHtmlEscaped()));
}

} // namespace flowlens::ui
