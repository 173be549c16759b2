// The Forwarding page of the Settings dialog: persistence (the secret only through the SecretStore's
// file backend, mode 0600, never in QSettings), validation messages, "Test connection" against the
// fake OpenObserve, and applying forwarding to a running collector without restarting it.

#include "support/fake_openobserve.h"
#include "support/forward_fixtures.h"

#include "ui/dialogs/forward_settings_page.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/main_window.h"
#include "ui/services/app_settings.h"
#include "ui/services/collector_controller.h"
#include "ui/services/secret_store.h"

#include "core/query/query_service.h"

#include <sys/stat.h>

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

using namespace flowlens;
using flowlens::test::FakeOpenObserve;

namespace {

const QString kSecret = QStringLiteral("S3cret-Token#42");

int fileMode(const QString& path)
{
    struct stat st
    {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

ui::AppSettings::ForwardSettings customForward()
{
    ui::AppSettings::ForwardSettings f;
    f.enabled = true;
    f.url = QStringLiteral("https://o2.example.net:5443");
    f.org = QStringLiteral("acme");
    f.stream = QStringLiteral("netflow_lab");
    f.user = QStringLiteral("ingest@example.net");
    f.secret = kSecret;
    f.gzip = true;
    f.batchRecords = 1234;
    f.verifyTls = false;
    f.caFile = QStringLiteral("/etc/ssl/certs/private-ca.pem");
    f.ingestWindowHours = 8;
    f.expiredPolicy = forward::ExpiredPolicy::Restamp;
    f.startAt = forward::StartPosition::Beginning;
    return f;
}

template <class T>
T* child(QObject* parent, const char* name)
{
    return parent->findChild<T*>(QLatin1String(name));
}

void setText(QObject* parent, const char* name, const QString& text)
{
    auto* edit = child<QLineEdit>(parent, name);
    QVERIFY2(edit, name);
    edit->setText(text);
}

Result<QString> readSecret(ui::SecretStore& store)
{
    std::optional<Result<QString>> out;
    store.read(ui::SecretStore::forwardKey(), [&](const Result<QString>& r) { out = r; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 10000);
    return out ? *out : fail(QStringLiteral("no answer within 10 s"));
}

Result<void> writeSecret(ui::SecretStore& store, const QString& secret)
{
    std::optional<Result<void>> out;
    store.write(ui::SecretStore::forwardKey(), secret, [&](const Result<void>& r) { out = r; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 10000);
    return out ? *out : fail(QStringLiteral("no answer within 10 s"));
}

} // namespace

class TestForwardSettings : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void pageShowsTheDefaults()
    {
        ui::SecretStore store(false, m_dir.filePath(QStringLiteral("unused.json")));
        ui::SettingsDialog dialog(ui::AppSettings{}, false, QString(), &store);
        const auto f = dialog.forwardPage()->settings();
        QCOMPARE(f.enabled, false);
        QCOMPARE(f.org, QStringLiteral("default"));
        QCOMPARE(f.stream, QStringLiteral("netflow1"));
        QCOMPARE(f.verifyTls, true);
        QCOMPARE(f.expiredPolicy, forward::ExpiredPolicy::Skip);
        QCOMPARE(f.startAt, forward::StartPosition::End);
        QCOMPARE(child<QLineEdit>(&dialog, "forwardSecret")->echoMode(), QLineEdit::Password);
        // The file backend is weaker than a keychain: the page says so and where the file is.
        QVERIFY(dialog.forwardPage()->storageWarning().contains(store.filePath()));
        QVERIFY(dialog.forwardPage()->storageWarning().contains(QStringLiteral("0600")));
    }

    void persistsAndReloads()
    {
        const QString iniPath = m_dir.filePath(QStringLiteral("persist.ini"));
        const QString secretPath = m_dir.filePath(QStringLiteral("config/secrets.json"));
        ui::AppSettings s;
        s.forward = customForward();
        {
            // Through the page: what it shows is what it returns.
            ui::SecretStore store(false, secretPath);
            ui::SettingsDialog dialog(s, false, QString(), &store);
            const ui::AppSettings edited = dialog.settings();
            QCOMPARE(edited.forward, s.forward);
            QSettings q(iniPath, QSettings::IniFormat);
            edited.save(q);
            q.sync();
            // Created 0600 whatever the umask says.
            const mode_t old = ::umask(0);
            const auto written = writeSecret(store, edited.forward.secret);
            ::umask(old);
            QVERIFY2(written, written ? "" : qPrintable(written.error()));
        }
        QCOMPARE(fileMode(secretPath), 0600);
        QFile ini(iniPath);
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray iniBytes = ini.readAll();
        QVERIFY(iniBytes.contains("ingest@example.net")); // the settings are there...
        QVERIFY(!iniBytes.contains(kSecret.toUtf8()));    // ...the secret is not
        QFile secrets(secretPath);
        QVERIFY(secrets.open(QIODevice::ReadOnly));
        QVERIFY(secrets.readAll().contains(kSecret.toUtf8()));

        // A new session: QSettings plus the store give back the same settings.
        QSettings q(iniPath, QSettings::IniFormat);
        for (const QString& key : q.allKeys())
            QVERIFY2(!key.contains(QStringLiteral("secret"), Qt::CaseInsensitive), qPrintable(key));
        ui::AppSettings loaded = ui::AppSettings::load(q);
        QVERIFY(loaded.forward.secret.isEmpty());
        ui::SecretStore store(false, secretPath);
        const auto secret = readSecret(store);
        QVERIFY(secret);
        loaded.forward.secret = *secret;
        QCOMPARE(loaded, s);
        ui::SettingsDialog again(loaded, false, QString(), &store);
        QCOMPARE(again.forwardPage()->settings(), s.forward);
        QCOMPARE(child<QLineEdit>(&again, "forwardSecret")->text(), kSecret);

        // A copy that lost its mode is narrowed again when read.
        QVERIFY(QFile::setPermissions(secretPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                      QFileDevice::ReadGroup | QFileDevice::ReadOther));
        QCOMPARE(fileMode(secretPath), 0644);
        QCOMPARE(readSecret(store).value_or(QString()), kSecret);
        QCOMPARE(fileMode(secretPath), 0600);

        // Clearing the secret removes the entry (and the file, now empty).
        QVERIFY(writeSecret(store, QString()));
        QVERIFY(!QFileInfo::exists(secretPath));
        QCOMPARE(readSecret(store).value_or(QStringLiteral("?")), QString());
    }

    void fallsBackToTheFileWithoutAKeychainService()
    {
        // No session bus: like CI and Xvfb. The store must say so and keep working with the file.
        const QByteArray saved = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/flowlens-test-bus");
        const QString path = m_dir.filePath(QStringLiteral("fallback.json"));
        ui::SecretStore store(true, path);
        QSignalSpy changed(&store, &ui::SecretStore::backendChanged);
        const auto written = writeSecret(store, kSecret);
        if (saved.isNull())
            qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        else
            qputenv("DBUS_SESSION_BUS_ADDRESS", saved);
        QVERIFY2(written, written ? "" : qPrintable(written.error()));
        QCOMPARE(store.backend(), ui::SecretStore::Backend::File);
        QCOMPARE(changed.count(), 1);
        QVERIFY(!store.warning().isEmpty());
        QCOMPARE(fileMode(path), 0600);
        QCOMPARE(readSecret(store).value_or(QString()), kSecret);
    }

    void validationMessages_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("message"); // empty: accepted
        QTest::newRow("fine") << QString() << QString() << true << QString();
        QTest::newRow("not http") << QStringLiteral("forwardUrl") << QStringLiteral("ftp://o2.lan") << true
                                  << QStringLiteral("is not an http:// or https:// URL");
        QTest::newRow("no host") << QStringLiteral("forwardUrl") << QStringLiteral("o2.lan:5080") << true
                                 << QStringLiteral("is not an http:// or https:// URL");
        QTest::newRow("credentials in URL")
            << QStringLiteral("forwardUrl") << QStringLiteral("http://me:pw@o2.lan:5080") << true
            << QStringLiteral("must not contain credentials");
        QTest::newRow("organisation") << QStringLiteral("forwardOrg") << QStringLiteral("my org") << true
                                      << QStringLiteral("organisation \"my org\" must be letters");
        QTest::newRow("stream") << QStringLiteral("forwardStream") << QStringLiteral("net/flow") << true
                                << QStringLiteral("stream \"net/flow\" must be letters");
        QTest::newRow("no user") << QStringLiteral("forwardUser") << QString() << true
                                 << QStringLiteral("needs a user");
        QTest::newRow("no secret") << QStringLiteral("forwardSecret") << QString() << true
                                   << QStringLiteral("needs a secret");
        QTest::newRow("off: not checked") << QStringLiteral("forwardUser") << QString() << false << QString();
    }

    void validationMessages()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(bool, enabled);
        QFETCH(QString, message);
        ui::AppSettings s;
        s.forward = customForward();
        s.forward.enabled = enabled;
        ui::SettingsDialog dialog(s, false);
        if (!field.isEmpty())
            setText(&dialog, field.toLatin1().constData(), value);
        QSignalSpy requested(&dialog, &ui::SettingsDialog::applyRequested);
        QTest::mouseClick(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Apply),
                          Qt::LeftButton);
        if (message.isEmpty()) {
            QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(QLatin1Char('\n'))));
            QCOMPARE(requested.count(), 1);
            return;
        }
        QCOMPARE(requested.count(), 0);
        QCOMPARE(dialog.problems().size(), 1);
        QVERIFY2(dialog.problems()[0].contains(message), qPrintable(dialog.problems()[0]));
        QVERIFY(dialog.problems()[0].startsWith(QStringLiteral("Forwarding")));
        // The dialog turns to the page that holds the problem.
        QCOMPARE(dialog.findChild<QTabWidget*>()->currentWidget(), dialog.forwardPage());
        // "Test connection" refuses the same settings with the same words, without a request.
        dialog.forwardPage()->testConnection();
        QVERIFY(dialog.forwardPage()->reachabilityText().startsWith(QStringLiteral("Not tested")));
        QVERIFY2(dialog.forwardPage()->reachabilityText().contains(message),
                 qPrintable(dialog.forwardPage()->reachabilityText()));
    }

    void testConnection_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QStringList>("reachHas");
        QTest::addColumn<QStringList>("credentialsHas");
        QTest::newRow("all good") << QStringLiteral("good") << true
                                  << QStringList{QStringLiteral("✔ Server reachable")}
                                  << QStringList{QStringLiteral("✔ Credentials accepted"),
                                                 QStringLiteral("stream netflow1 of organisation default")};
        QTest::newRow("wrong credentials")
            << QStringLiteral("credentials") << false << QStringList{QStringLiteral("✔ Server reachable")}
            << QStringList{QStringLiteral("✘ Credentials not accepted"), QStringLiteral("rejected user"),
                           QStringLiteral("Check the user and the password or token")};
        QTest::newRow("server down") << QStringLiteral("down") << false
                                     << QStringList{QStringLiteral("✘ Server not reachable"),
                                                    QStringLiteral("refused"),
                                                    QStringLiteral("Check the URL")}
                                     << QStringList{QStringLiteral("Credentials not checked")};
    }

    void testConnection()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, ok);
        QFETCH(QStringList, reachHas);
        QFETCH(QStringList, credentialsHas);
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        ui::AppSettings s;
        ui::SettingsDialog dialog(s, false);
        auto* page = dialog.forwardPage();
        setText(page, "forwardUrl", fake.url());
        setText(page, "forwardUser", QStringLiteral("root@example.com"));
        setText(page, "forwardSecret",
                scenario == QLatin1String("credentials") ? QStringLiteral("not-the-password")
                                                         : QStringLiteral("Complexpass#123"));
        if (scenario == QLatin1String("down"))
            fake.close();
        QSignalSpy finished(page, &ui::ForwardSettingsPage::testFinished);
        QTest::mouseClick(child<QPushButton>(page, "forwardTest"), Qt::LeftButton);
        QVERIFY(page->isTesting()); // the button waits for the worker thread's answer
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), ok);
        QVERIFY(!page->isTesting());
        for (const QString& part : reachHas)
            QVERIFY2(page->reachabilityText().contains(part), qPrintable(page->reachabilityText()));
        for (const QString& part : credentialsHas)
            QVERIFY2(page->credentialsText().contains(part), qPrintable(page->credentialsText()));
        QVERIFY(!page->credentialsText().contains(QStringLiteral("Complexpass")));
        QCOMPARE(fake.recordCount(), 0); // the credential check sends an empty batch
    }

    void forwardingAppliesWithoutRestart()
    {
        const QString db = m_dir.filePath(QStringLiteral("apply.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 100), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        ui::CollectorController controller;
        QSignalSpy applied(&controller, &ui::CollectorController::applied);
        QSignalSpy forwardApplied(&controller, &ui::CollectorController::forwardApplied);
        collect::CollectorConfig config;
        config.databasePath = db;
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        controller.apply(config);
        QVERIFY(applied.wait(10000));
        QVERIFY(applied.at(0).at(0).toBool());
        const auto port = controller.status().endpoints.at(0).endpoint.port;

        // Wrong settings are refused and the collector goes on.
        forward::ForwardConfig bad = test::fastForwardConfig(fake);
        bad.user.clear();
        controller.setForward(bad);
        QVERIFY(forwardApplied.wait(10000));
        QCOMPARE(forwardApplied.at(0).at(0).toBool(), false);
        QVERIFY(forwardApplied.at(0).at(1).toString().contains(QStringLiteral("needs a user")));

        controller.setForward(test::fastForwardConfig(fake));
        QVERIFY(forwardApplied.wait(10000));
        QVERIFY2(forwardApplied.at(1).at(0).toBool(), qPrintable(forwardApplied.at(1).at(1).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 300, 15000);
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 300), QString());

        // Turned off again: still the same collector, never restarted.
        controller.setForward(std::nullopt);
        QVERIFY(forwardApplied.wait(10000));
        QVERIFY(forwardApplied.at(2).at(0).toBool());
        QCOMPARE(applied.count(), 1);
        QVERIFY(controller.status().running);
        QCOMPARE(controller.status().endpoints.at(0).endpoint.port, port);
    }

    void windowStartsForwardingWithTheStoredSecret()
    {
        // At start the collector runs without forwarding; once the secret is read the window adds it.
        const QString db = m_dir.filePath(QStringLiteral("window.db"));
        QCOMPARE(test::storeFlows(db, 0, 200, 100), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        ui::SecretStore store(false, m_dir.filePath(QStringLiteral("window-secrets.json")));
        QVERIFY(writeSecret(store, QStringLiteral("Complexpass#123")));
        ui::CollectorController controller;
        QSignalSpy applied(&controller, &ui::CollectorController::applied);
        QSignalSpy forwardApplied(&controller, &ui::CollectorController::forwardApplied);
        collect::CollectorConfig config;
        config.databasePath = db;
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        controller.apply(config);
        QVERIFY(applied.wait(10000));
        query::QueryService queries(db, 1);
        ui::MainWindowOptions options;
        options.databasePath = db;
        options.secrets = &store;
        options.settings.forward.enabled = true;
        options.settings.forward.url = fake.url();
        options.settings.forward.user = QStringLiteral("root@example.com");
        options.settings.forward.startAt = forward::StartPosition::Beginning;
        ui::MainWindow window(&queries, &controller, options);
        QVERIFY(forwardApplied.wait(10000));
        QVERIFY2(forwardApplied.at(0).at(0).toBool(), qPrintable(forwardApplied.at(0).at(1).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 200, 15000);
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 200), QString());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestForwardSettings)
#include "tst_forward_settings.moc"
