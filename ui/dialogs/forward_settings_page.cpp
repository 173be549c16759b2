#include "forward_settings_page.h"

#include "core/forward/connection_tester.h"
#include "ui/services/secret_store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

const QString kBad = QStringLiteral("color:#d03b3b");
const QString kGood = QStringLiteral("color:#2e9e4f");
const QString kWarn = QStringLiteral("color:#b7791f");

QLabel* wrappingLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    // Server replies end up in these labels: never interpret them as markup.
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

ForwardSettingsPage::ForwardSettingsPage(const AppSettings::ForwardSettings& settings,
                                         const SecretStore* secrets, QWidget* parent)
    : QWidget(parent)
    , m_secrets(secrets)
    , m_enabled(new QCheckBox(QStringLiteral("Forward every stored flow to OpenObserve"), this))
    , m_url(new QLineEdit(settings.url, this))
    , m_org(new QLineEdit(settings.org, this))
    , m_stream(new QLineEdit(settings.stream, this))
    , m_user(new QLineEdit(settings.user, this))
    , m_secret(new QLineEdit(settings.secret, this))
    , m_storage(wrappingLabel(this))
    , m_gzip(new QCheckBox(QStringLiteral("Compress requests (gzip)"), this))
    , m_batch(new QSpinBox(this))
    , m_verifyTls(new QCheckBox(QStringLiteral("Verify the server's certificate"), this))
    , m_tlsWarning(wrappingLabel(this))
    , m_caFile(new QLineEdit(settings.caFile, this))
    , m_window(new QSpinBox(this))
    , m_expired(new QComboBox(this))
    , m_startAt(new QComboBox(this))
    , m_test(new QPushButton(QStringLiteral("Test connection"), this))
    , m_reach(wrappingLabel(this))
    , m_credentials(wrappingLabel(this))
    , m_testThread(new QThread(this))
    , m_tester(new forward::ConnectionTester)
{
    m_enabled->setObjectName(QStringLiteral("forwardEnabled"));
    m_url->setObjectName(QStringLiteral("forwardUrl"));
    m_org->setObjectName(QStringLiteral("forwardOrg"));
    m_stream->setObjectName(QStringLiteral("forwardStream"));
    m_user->setObjectName(QStringLiteral("forwardUser"));
    m_secret->setObjectName(QStringLiteral("forwardSecret"));
    m_test->setObjectName(QStringLiteral("forwardTest"));

    m_enabled->setChecked(settings.enabled);
    m_url->setPlaceholderText(QStringLiteral("http://openobserve.lan:5080"));
    m_org->setPlaceholderText(QStringLiteral("default"));
    m_stream->setPlaceholderText(QStringLiteral("netflow1"));
    m_stream->setToolTip(QStringLiteral("OpenObserve's NetFlow dashboards read the stream netflow1."));
    m_user->setPlaceholderText(QStringLiteral("you@example.com, or the organisation with an org token"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setPlaceholderText(QStringLiteral("password, ingestion passcode or org token"));
    m_gzip->setChecked(settings.gzip);
    m_batch->setRange(1, 100'000);
    m_batch->setSuffix(QStringLiteral(" records"));
    m_batch->setValue(settings.batchRecords);
    m_batch->setToolTip(
        QStringLiteral("Records per request at most; requests also stay under 4 MiB of JSON."));
    m_verifyTls->setChecked(settings.verifyTls);
    m_caFile->setPlaceholderText(QStringLiteral("system certificates"));
    m_window->setRange(1, 24 * 365);
    m_window->setSuffix(QStringLiteral(" h"));
    m_window->setValue(settings.ingestWindowHours);
    m_window->setToolTip(QStringLiteral("The server's ZO_INGEST_ALLOWED_UPTO: it refuses older records."));
    m_expired->addItem(QStringLiteral("Skip them and count them as expired"),
                       int(forward::ExpiredPolicy::Skip));
    m_expired->addItem(QStringLiteral("Send them stamped now (original time in original_timestamp)"),
                       int(forward::ExpiredPolicy::Restamp));
    m_expired->setCurrentIndex(m_expired->findData(int(settings.expiredPolicy)));
    m_startAt->addItem(QStringLiteral("Flows stored from now on"), int(forward::StartPosition::End));
    m_startAt->addItem(QStringLiteral("Every flow the database holds"),
                       int(forward::StartPosition::Beginning));
    m_startAt->setCurrentIndex(m_startAt->findData(int(settings.startAt)));
    m_startAt->setToolTip(QStringLiteral("Only for a database that never forwarded; afterwards forwarding "
                                         "resumes where it stopped."));

    auto* browse = new QPushButton(QStringLiteral("Browse…"), this);
    auto* caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);

    auto* destination = new QGroupBox(QStringLiteral("Destination"), this);
    auto* form = new QFormLayout(destination);
    form->addRow(QStringLiteral("URL:"), m_url);
    form->addRow(QStringLiteral("Organisation:"), m_org);
    form->addRow(QStringLiteral("Stream:"), m_stream);
    form->addRow(QStringLiteral("User:"), m_user);
    form->addRow(QStringLiteral("Password or token:"), m_secret);
    form->addRow(QString(), m_storage);

    auto* transport = new QGroupBox(QStringLiteral("Sending"), this);
    auto* tf = new QFormLayout(transport);
    tf->addRow(QString(), m_gzip);
    tf->addRow(QStringLiteral("Batch size:"), m_batch);
    tf->addRow(QString(), m_verifyTls);
    tf->addRow(QString(), m_tlsWarning);
    tf->addRow(QStringLiteral("Extra CA file (PEM):"), caRow);

    auto* backlog = new QGroupBox(QStringLiteral("Backlog"), this);
    auto* bf = new QFormLayout(backlog);
    bf->addRow(QStringLiteral("Server ingest window:"), m_window);
    bf->addRow(QStringLiteral("Flows older than that:"), m_expired);
    bf->addRow(QStringLiteral("First time, start with:"), m_startAt);

    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_enabled);
    layout->addWidget(destination);
    layout->addWidget(transport);
    layout->addWidget(backlog);
    layout->addLayout(testRow);
    layout->addWidget(m_reach);
    layout->addWidget(m_credentials);
    layout->addStretch(1);

    // Name lookups, TLS handshakes and reading the CA file stay off the GUI thread.
    m_testThread->setObjectName(QStringLiteral("flowlens-forward-test"));
    m_tester->moveToThread(m_testThread);
    connect(m_testThread, &QThread::finished, m_tester, &QObject::deleteLater);
    connect(m_tester, &forward::ConnectionTester::finished, this, &ForwardSettingsPage::showResult);

    connect(m_test, &QPushButton::clicked, this, &ForwardSettingsPage::testConnection);
    connect(m_verifyTls, &QCheckBox::toggled, this, &ForwardSettingsPage::updateTlsWarning);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, QStringLiteral("CA certificates"), m_caFile->text(),
                                         QStringLiteral("PEM (*.pem *.crt);;All files (*)"));
        if (!path.isEmpty())
            m_caFile->setText(path);
    });
    if (m_secrets)
        connect(m_secrets, &SecretStore::backendChanged, this, &ForwardSettingsPage::updateStorageNote);
    updateStorageNote();
    updateTlsWarning();
}

ForwardSettingsPage::~ForwardSettingsPage()
{
    if (!m_testThread->isRunning()) {
        delete m_tester; // never started: no event loop would run its deleteLater
        return;
    }
    m_testThread->quit();
    m_testThread->wait();
}

AppSettings::ForwardSettings ForwardSettingsPage::settings() const
{
    AppSettings::ForwardSettings s;
    s.enabled = m_enabled->isChecked();
    s.url = m_url->text().trimmed();
    s.org = m_org->text().trimmed();
    s.stream = m_stream->text().trimmed();
    s.user = m_user->text().trimmed();
    s.secret = m_secret->text();
    s.gzip = m_gzip->isChecked();
    s.batchRecords = m_batch->value();
    s.verifyTls = m_verifyTls->isChecked();
    s.caFile = m_caFile->text().trimmed();
    s.ingestWindowHours = m_window->value();
    s.expiredPolicy = forward::ExpiredPolicy(m_expired->currentData().toInt());
    s.startAt = forward::StartPosition(m_startAt->currentData().toInt());
    return s;
}

void ForwardSettingsPage::updateStorageNote()
{
    if (!m_secrets) {
        m_storage->hide();
        return;
    }
    const QString warning = m_secrets->warning();
    m_storage->setText(warning.isEmpty() ? QStringLiteral("Kept in the system keychain, never in the "
                                                          "settings file.")
                                         : warning);
    m_storage->setStyleSheet(warning.isEmpty() ? QString() : kWarn);
    m_storage->show();
}

void ForwardSettingsPage::updateTlsWarning()
{
    m_tlsWarning->setText(
        QStringLiteral("Certificates are not checked: anyone on the path can pose as the server and read "
                       "the password and the flows. Trust a private CA with the file below instead."));
    m_tlsWarning->setStyleSheet(kBad);
    m_tlsWarning->setVisible(!m_verifyTls->isChecked());
}

QString ForwardSettingsPage::storageWarning() const
{
    return m_secrets ? m_secrets->warning() : QString();
}

bool ForwardSettingsPage::isTesting() const
{
    return !m_test->isEnabled();
}

QString ForwardSettingsPage::reachabilityText() const
{
    return m_reach->text();
}

QString ForwardSettingsPage::credentialsText() const
{
    return m_credentials->text();
}

void ForwardSettingsPage::testConnection()
{
    const forward::ForwardConfig config = settings().config();
    if (auto valid = config.validate(); !valid) {
        QString problem = valid.error();
        problem[0] = problem[0].toUpper();
        m_reach->setText(QStringLiteral("Not tested: %1.").arg(problem));
        m_reach->setStyleSheet(kBad);
        m_credentials->clear();
        emit testFinished(false);
        return;
    }
    m_reach->setText(QStringLiteral("Checking %1 …").arg(config.healthUrl().toString()));
    m_reach->setStyleSheet(QString());
    m_credentials->clear();
    m_test->setEnabled(false);
    if (!m_testThread->isRunning())
        m_testThread->start();
    QMetaObject::invokeMethod(m_tester, [tester = m_tester, config] { tester->start(config); });
}

void ForwardSettingsPage::showResult(const forward::ConnectionTestResult& result)
{
    m_test->setEnabled(true);
    if (result.reachable) {
        m_reach->setText(QStringLiteral("✔ Server reachable: /healthz answered."));
        m_reach->setStyleSheet(kGood);
    } else {
        m_reach->setText(QStringLiteral("✘ Server not reachable: %1\nCheck the URL (scheme, host and port, "
                                        "5080 by default) and that OpenObserve is running; a proxy or "
                                        "firewall may be in the way.")
                             .arg(result.reachError));
        m_reach->setStyleSheet(kBad);
    }
    if (result.credentialsOk) {
        m_credentials->setText(QStringLiteral("✔ Credentials accepted: flows can be sent to stream %1 of "
                                              "organisation %2.")
                                   .arg(m_stream->text().trimmed(), m_org->text().trimmed()));
        m_credentials->setStyleSheet(kGood);
    } else if (!result.reachable) {
        m_credentials->setText(
            QStringLiteral("– Credentials not checked: the server must be reachable first."));
        m_credentials->setStyleSheet(QString());
    } else {
        m_credentials->setText(QStringLiteral("✘ Credentials not accepted: %1\nCheck the user and the "
                                              "password or token (with an organisation token the user is "
                                              "the organisation), and the organisation name.")
                                   .arg(result.credentialsError));
        m_credentials->setStyleSheet(kBad);
    }
    if (!result.verifyTls)
        m_credentials->setText(m_credentials->text() +
                               QStringLiteral("\nWarning: the certificate was not verified."));
    emit testFinished(result.ok());
}

} // namespace flowlens::ui
