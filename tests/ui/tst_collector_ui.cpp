#include "ui_test_data.h"

#include "ui/dashboards/overview_dashboard.h"
#include "ui/dashboards/welcome_page.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/main_window.h"
#include "ui/models/top_table_model.h"
#include "ui/services/app_settings.h"
#include "ui/services/collector_controller.h"
#include "ui/services/demo_traffic.h"

#include "core/query/query_service.h"

#include <unistd.h>

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QUdpSocket>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;

namespace {

collect::CollectorConfig loopbackConfig(const QString& db)
{
    collect::CollectorConfig c;
    c.databasePath = db;
    c.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
    return c;
}

} // namespace

class TestCollectorUi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir);
    }

    void settingsAreValidated_data()
    {
        QTest::addColumn<QStringList>("endpoints");
        QTest::addColumn<QString>("database");
        QTest::addColumn<int>("maxSizeMb");
        QTest::addColumn<QString>("samplingExporter");
        QTest::addColumn<QString>("problem");
        QTest::newRow("fine") << QStringList{QStringLiteral("0.0.0.0:2055"), QStringLiteral("[::]:4739")}
                              << QString() << 0 << QString() << QString();
        QTest::newRow("not an endpoint") << QStringList{QStringLiteral("2055")} << QString() << 0 << QString()
                                         << QStringLiteral("is not an endpoint");
        QTest::newRow("random port") << QStringList{QStringLiteral("0.0.0.0:0")} << QString() << 0
                                     << QString() << QStringLiteral("port 0");
        QTest::newRow("twice") << QStringList{QStringLiteral("0.0.0.0:2055"), QStringLiteral("0.0.0.0:2055")}
                               << QString() << 0 << QString() << QStringLiteral("listed twice");
        QTest::newRow("relative database") << QStringList{} << QStringLiteral("flows.db") << 0 << QString()
                                           << QStringLiteral("absolute path");
        QTest::newRow("tiny size limit")
            << QStringList{} << QString() << 4 << QString() << QStringLiteral("below 16 MB");
        QTest::newRow("bad sampling exporter")
            << QStringList{} << QString() << 0 << QStringLiteral("router-1")
            << QStringLiteral("not an IPv4 or IPv6 address");
        QTest::newRow("privileged port") << QStringList{QStringLiteral("0.0.0.0:514")} << QString() << 0
                                         << QString() << QStringLiteral("below 1024 need root");
    }

    void settingsAreValidated()
    {
        QFETCH(QStringList, endpoints);
        QFETCH(QString, database);
        QFETCH(int, maxSizeMb);
        QFETCH(QString, samplingExporter);
        QFETCH(QString, problem);
        if (problem.contains(QLatin1String("below 1024")) && ::geteuid() == 0)
            QSKIP("running as root: privileged ports are allowed");
        ui::AppSettings s;
        s.endpoints = endpoints;
        s.databasePath = database;
        s.maxSizeMb = maxSizeMb;
        if (!samplingExporter.isEmpty())
            s.samplingOverrides << ui::AppSettings::SamplingOverrideSetting{samplingExporter, 100, false};
        const QStringList problems = s.validate();
        if (problem.isEmpty()) {
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        } else {
            QCOMPARE(problems.size(), 1);
            QVERIFY2(problems[0].contains(problem), qPrintable(problems[0]));
        }
    }

    void allowlistIsValidatedAndApplied()
    {
        ui::AppSettings s;
        s.allow = {QStringLiteral("192.0.2.0/24"), QStringLiteral("router-1")};
        const QStringList problems = s.validate();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems[0].contains(QStringLiteral("“router-1” is not an address or network")),
                 qPrintable(problems[0]));
        s.allow = {QStringLiteral("192.0.2.0/24"), QStringLiteral("2001:db8::1")};
        QVERIFY(s.validate().isEmpty());
        {
            QSettings q;
            s.save(q);
        }
        QSettings q;
        QCOMPARE(ui::AppSettings::load(q).allow, s.allow);
        const collect::CollectorConfig c = s.collectorConfig();
        QCOMPARE(c.allow.size(), std::size_t(2));
        QVERIFY(c.allow[0].contains(*decode::IpAddress::parse("192.0.2.77")));
        QVERIFY(!c.allow[0].contains(*decode::IpAddress::parse("198.51.100.1")));
        QVERIFY(c.allow[1].contains(*decode::IpAddress::parse("2001:db8::1")));
        // The dialog reads "a, b c" into the list.
        ui::AppSettings shown;
        shown.allow = {QStringLiteral("10.0.0.0/8"), QStringLiteral("192.0.2.1")};
        ui::SettingsDialog dialog(shown, false, QString());
        QCOMPARE(dialog.settings().allow, shown.allow);
    }

    void settingsRoundTripThroughQSettings()
    {
        ui::AppSettings s;
        s.endpoints = {QStringLiteral("127.0.0.1:9995")};
        s.databasePath = m_dir.filePath(QStringLiteral("x.db"));
        s.retentionDays = 30;
        s.maxSizeMb = 2048;
        s.samplingOverrides << ui::AppSettings::SamplingOverrideSetting{QStringLiteral("192.0.2.1"), 512,
                                                                        true};
        {
            QSettings q;
            s.save(q);
        }
        QSettings q;
        QCOMPARE(ui::AppSettings::load(q), s);
        const collect::CollectorConfig c = s.collectorConfig();
        QCOMPARE(c.endpoints.size(), std::size_t(1));
        QCOMPARE(c.endpoints[0].port, std::uint16_t(9995));
        QCOMPARE(c.writer.retentionSeconds, std::int64_t(30) * 86400);
        QCOMPARE(c.writer.maxDatabaseBytes, std::int64_t(2048) * 1024 * 1024);
        QCOMPARE(c.samplingOverrides.size(), std::size_t(1));
        QCOMPARE(c.samplingOverrides[0].rate, std::uint64_t(512));
        QVERIFY(c.samplingOverrides[0].force);
    }

    void settingsDialogShowsProblems()
    {
        ui::AppSettings s;
        s.endpoints = {QStringLiteral("nonsense")};
        ui::SettingsDialog dialog(s, false);
        QSignalSpy requested(&dialog, &ui::SettingsDialog::applyRequested);
        auto* apply = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Apply);
        QTest::mouseClick(apply, Qt::LeftButton);
        QCOMPARE(requested.count(), 0);
        QCOMPARE(dialog.problems().size(), 1);
        QVERIFY(dialog.problems()[0].contains(QStringLiteral("nonsense")));
    }

    void restartRefusesAPortInUseAndKeepsCollecting()
    {
        ui::CollectorController controller;
        QSignalSpy applied(&controller, &ui::CollectorController::applied);
        const QString db = m_dir.filePath(QStringLiteral("restart.db"));
        controller.apply(loopbackConfig(db));
        QVERIFY(applied.wait(10000));
        QCOMPARE(applied.at(0).at(0).toBool(), true);
        QVERIFY(controller.status().running);
        QCOMPARE(controller.status().endpoints.size(), std::size_t(1));
        const std::uint16_t port = controller.status().endpoints[0].endpoint.port;
        QVERIFY(port != 0);

        // Another program holds a port: the restart fails with a message and the collector goes on.
        QUdpSocket blocker;
        QVERIFY(blocker.bind(QHostAddress::LocalHost, 0));
        collect::CollectorConfig busy = loopbackConfig(db);
        busy.endpoints = {*decode::Endpoint::parse("127.0.0.1:" + std::to_string(blocker.localPort()))};
        controller.apply(busy);
        QVERIFY(applied.wait(10000));
        QCOMPARE(applied.at(1).at(0).toBool(), false);
        QVERIFY2(applied.at(1).at(1).toString().contains(QStringLiteral("in use")),
                 qPrintable(applied.at(1).at(1).toString()));
        QVERIFY(controller.status().running);
        QCOMPARE(controller.status().databasePath, db);
        QVERIFY(!controller.status().error.isEmpty());

        // A database folder that cannot be created: refused before anything stops.
        collect::CollectorConfig unwritable = loopbackConfig(QStringLiteral("/proc/flowlens-test/flows.db"));
        controller.apply(unwritable);
        QVERIFY(applied.wait(10000));
        QCOMPARE(applied.at(2).at(0).toBool(), false);
        QVERIFY(applied.at(2).at(1).toString().contains(QStringLiteral("/proc/flowlens-test")));
        QVERIFY(controller.status().running);
        QCOMPARE(controller.status().databasePath, db);
    }

    void storeTroubleAndUncleanShutdownAreShown()
    {
        // A writer that cannot store (here: a full disk) and a previous run that was killed are
        // both visible in the status bar, with what to do in the tooltip; the notice can be dismissed.
        const QString db = m_dir.filePath(QStringLiteral("status.db"));
        ui::CollectorController controller;
        query::QueryService queries(db, 1);
        ui::MainWindowOptions options;
        options.databasePath = db;
        ui::MainWindow window(&queries, &controller, options);
        window.show();
        collect::CollectorSnapshot snap;
        snap.writerError = QStringLiteral("database or disk is full: free space on the disk");
        snap.uncleanShutdown = QStringLiteral("The previous collector run did not stop cleanly.");
        emit controller.snapshotReady(snap);
        QVERIFY(window.statusText().contains(
            QStringLiteral("Cannot write to the database: database or disk is full")));
        QVERIFY(window.statusText().contains(QStringLiteral("did not stop cleanly")));
        auto labels = window.statusBar()->findChildren<QLabel*>();
        QLabel* notice = nullptr;
        for (QLabel* l : labels)
            if (l->text().contains(QStringLiteral("ended unexpectedly")))
                notice = l;
        QVERIFY(notice);
        emit notice->linkActivated(QStringLiteral("dismiss"));
        QVERIFY(!window.statusText().contains(QStringLiteral("did not stop cleanly")));
        // Space is back: the writer commits again and the warning goes away.
        snap.writerError.clear();
        emit controller.snapshotReady(snap);
        QVERIFY(!window.statusText().contains(QStringLiteral("Cannot write")));
        QVERIFY(!window.statusText().contains(QStringLiteral("did not stop cleanly")));
    }

    void demoTrafficLeavesTheEmptyState()
    {
        const QString db = m_dir.filePath(QStringLiteral("demo.db"));
        ui::CollectorController controller;
        QSignalSpy status(&controller, &ui::CollectorController::statusChanged);
        controller.apply(loopbackConfig(db));
        QVERIFY(status.wait(10000));
        QVERIFY(controller.status().running);
        query::QueryService queries(db, 2);
        ui::MainWindowOptions options;
        options.databasePath = db;
        options.refreshIntervalMs = 500;
        ui::MainWindow window(&queries, &controller, options);
        window.show();
        // First start: an empty database shows the exporter instructions with the real address.
        QTRY_VERIFY_WITH_TIMEOUT(window.isShowingWelcome(), 10000);
        const QString port = QString::number(controller.status().endpoints[0].endpoint.port);
        QVERIFY(window.welcomePage()->listeningText().contains(QStringLiteral("127.0.0.1:") + port));
        QVERIFY(window.welcomePage()->demoButton()->isEnabled());
        // "Send demo traffic": the generator feeds the collector; the dashboards take over.
        QTest::mouseClick(window.welcomePage()->demoButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isShowingWelcome(), 30000);
        auto* overview = qobject_cast<ui::OverviewDashboard*>(window.dashboard(QStringLiteral("overview")));
        QTRY_VERIFY_WITH_TIMEOUT(overview->chattyByBytes()->rowCount() > 0, 30000);
        QVERIFY(window.statusText().contains(QStringLiteral("Listening on 127.0.0.1:") + port));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusText().contains(QStringLiteral("flows/s")), 10000);
    }
};

QTEST_MAIN(TestCollectorUi)
#include "tst_collector_ui.moc"
