// The Alerts view: models, the new-rule dialog, the service that reads and edits rules off the GUI
// thread, the chart, "show flows", the badge and the tray notification; and the whole way from a
// generated burst through the collector to the window. Offscreen.
#include "ui_test_data.h"

#include "ui/dashboards/alerts_dashboard.h"
#include "ui/dashboards/flows_dashboard.h"
#include "ui/dialogs/alert_rule_dialog.h"
#include "ui/main_window.h"
#include "ui/models/alert_event_model.h"
#include "ui/models/alert_rule_model.h"
#include "ui/models/flow_table_model.h"
#include "ui/models/model_roles.h"
#include "ui/services/alert_notifier.h"
#include "ui/services/alert_service.h"
#include "ui/services/collector_controller.h"
#include "ui/widgets/alert_chart.h"
#include "ui/widgets/table_panel.h"

#include "core/alert/alert_store.h"
#include "core/gen/generator.h"
#include "core/query/query_service.h"

#include <atomic>
#include <cmath>
#include <limits>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;

namespace {

alert::AlertRule testRule(const QString& name, const QString& when, alert::GroupBy by = alert::GroupBy::None,
                          const QString& filter = {})
{
    auto r = alert::makeRule(name, when, by, filter, 0, 300);
    if (!r)
        qFatal("bad rule in test: %s", qPrintable(r.error()));
    return *r;
}

/// A stored alert of rule "web" on 10.1.0.1 over the dataset's first minutes, with a baseline line
/// that warms up (NaN) for its first two samples.
alert::AlertEvent webAlert(bool active)
{
    alert::AlertEvent e;
    e.rule = QStringLiteral("web");
    e.key = QStringLiteral("10.1.0.1");
    e.by = alert::GroupBy::Source;
    e.expression = QStringLiteral("bytes_per_s > baseline");
    e.metric = alert::Metric::BytesPerSecond;
    e.filterText = QStringLiteral("tcp");
    const auto s0 = std::int64_t(kBase / kNs) + 60;
    e.startedNs = std::uint64_t(s0 + 5) * kNs;
    e.firedNs = std::uint64_t(s0 + 6) * kNs;
    e.resolvedNs = active ? 0 : std::uint64_t(s0 + 9) * kNs;
    e.value = 9000;
    e.threshold = 3000;
    e.peak = 12000;
    for (int i = 0; i < 10; ++i)
        e.samples.push_back({s0 + i, i >= 5 && i < 9 ? 9000.0 + i : 1000.0,
                             i < 2 ? std::numeric_limits<double>::quiet_NaN() : 3000.0});
    return e;
}

QString writeAlertDb(const QTemporaryDir& dir, const QString& name, bool withFlows)
{
    const QString path = dir.filePath(name);
    if (withFlows) {
        auto w = store::FlowWriter::open(path);
        auto flows = uiDataset();
        (*w)->add(flows);
        (void)(*w)->close();
    }
    auto s = alert::AlertStore::open(path);
    (void)(*s)->addRule(testRule(QStringLiteral("web"), QStringLiteral("bytes_per_s > baseline"),
                                 alert::GroupBy::Source, QStringLiteral("tcp")));
    (void)(*s)->addRule(testRule(QStringLiteral("dns"), QStringLiteral("flows_per_s > 5k")));
    std::vector<alert::AlertEvent> events{webAlert(false)};
    (void)(*s)->saveEvents(events);
    return path;
}

} // namespace

class TestAlertsUi : public QObject
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

    void modelsPassTheTester()
    {
        ui::AlertRuleModel rules;
        QAbstractItemModelTester rulesTester(&rules, QAbstractItemModelTester::FailureReportingMode::QtTest);
        rules.setRules({testRule(QStringLiteral("a"), QStringLiteral("bytes_per_s > 50M"),
                                 alert::GroupBy::Destination, QStringLiteral("port 443")),
                        testRule(QStringLiteral("b"), QStringLiteral("flows_per_s > baseline + 4 dev"))});
        rules.setFiring({{QStringLiteral("a"), 2}});
        QCOMPARE(rules.rowCount(), 2);
        QCOMPARE(rules.index(0, ui::AlertRuleModel::KeyColumn).data().toString(), QStringLiteral("per dst"));
        QCOMPARE(rules.index(0, ui::AlertRuleModel::FiringColumn).data().toString(),
                 QStringLiteral("2 firing"));
        QCOMPARE(rules.index(0, ui::AlertRuleModel::CooldownColumn).data().toString(), QStringLiteral("5m"));
        QVERIFY(rules.index(1, ui::AlertRuleModel::ConditionColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("4 deviations")));

        ui::AlertEventModel events;
        QAbstractItemModelTester eventsTester(&events,
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        events.setEvents({webAlert(true), webAlert(false)}, webAlert(true).firedNs + 10 * kNs);
        QCOMPARE(events.rowCount(), 2);
        QCOMPARE(events.index(0, ui::AlertEventModel::StateColumn).data().toString(),
                 QStringLiteral("firing"));
        QVERIFY(events.index(1, ui::AlertEventModel::StateColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("resolved")));
        QCOMPARE(events.index(0, ui::AlertEventModel::DurationColumn).data(ui::RawRole).toLongLong(), 11);
        QCOMPARE(events.index(1, ui::AlertEventModel::DurationColumn).data(ui::RawRole).toLongLong(), 4);
        QCOMPARE(events.index(1, ui::AlertEventModel::PeakColumn).data(ui::RawRole).toDouble(), 12000.0);
        QCOMPARE(events.index(1, ui::AlertEventModel::ValueColumn).data().toString(),
                 QStringLiteral("9.00 kB/s"));
    }

    void ruleDialogBuildsAndChecksTheRule()
    {
        ui::AlertRuleDialog dialog(QStringLiteral("udp"));
        QCOMPARE(dialog.filterEdit()->text(), QStringLiteral("udp"));
        dialog.nameEdit()->setText(QStringLiteral("dns-flood"));
        dialog.metricBox()->setCurrentIndex(2); // flows per second
        dialog.comparisonBox()->setCurrentIndex(1);
        dialog.thresholdEdit()->setText(QStringLiteral("2k"));
        dialog.keyBox()->setCurrentIndex(3); // per port
        dialog.forEdit()->setText(QStringLiteral("10s"));
        QCOMPARE(dialog.expression(), QStringLiteral("flows_per_s >= 2k"));
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.accept();
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(dialog.rule().name, QStringLiteral("dns-flood"));
        QCOMPARE(dialog.rule().by, alert::GroupBy::Port);
        QCOMPARE(dialog.rule().forSeconds, std::int64_t(10));
        QCOMPARE(dialog.rule().filterText, QStringLiteral("udp"));
        QCOMPARE(dialog.rule().condition.threshold, 2000.0);

        // Baseline mode: the expression changes, the explanation says what a spike is.
        dialog.modeBox()->setCurrentIndex(1);
        dialog.deviationsBox()->setValue(4);
        QCOMPARE(dialog.expression(), QStringLiteral("flows_per_s > baseline + 4 dev"));
        QVERIFY(dialog.problem().isEmpty());

        // Problems keep the dialog open and say what is wrong.
        ui::AlertRuleDialog bad;
        bad.nameEdit()->setText(QStringLiteral("x"));
        bad.thresholdEdit()->setText(QStringLiteral("lots"));
        QSignalSpy badAccepted(&bad, &QDialog::accepted);
        bad.accept();
        QCOMPARE(badAccepted.count(), 0);
        QVERIFY2(bad.problem().contains(QStringLiteral("threshold")), qPrintable(bad.problem()));
        bad.thresholdEdit()->setText(QStringLiteral("5M"));
        bad.cooldownEdit()->setText(QStringLiteral("later"));
        QVERIFY2(bad.problem().contains(QStringLiteral("Cool-down")), qPrintable(bad.problem()));
    }

    void serviceEditsRulesOffTheGuiThread()
    {
        const QString db = m_dir.filePath(QStringLiteral("service.db"));
        ui::AlertService service(db);
        QSignalSpy loaded(&service, &ui::AlertService::loaded);
        QSignalSpy changed(&service, &ui::AlertService::ruleChanged);
        service.refresh();
        QVERIFY(loaded.wait(5000));
        QVERIFY(service.data().rules.empty()); // no database yet: empty, not an error
        QVERIFY(service.data().error.isEmpty());

        service.addRule(testRule(QStringLiteral("web"), QStringLiteral("bytes_per_s > 50M")));
        QVERIFY(changed.wait(5000));
        QCOMPARE(changed.last().at(0).toBool(), true);
        QTRY_COMPARE(service.data().rules.size(), std::size_t(1));
        service.addRule(testRule(QStringLiteral("web"), QStringLiteral("bytes_per_s > 50M")));
        QVERIFY(changed.wait(5000));
        QCOMPARE(changed.last().at(0).toBool(), false);
        QVERIFY(changed.last().at(1).toString().contains(QStringLiteral("already exists")));
        service.setEnabled(QStringLiteral("web"), false);
        QVERIFY(changed.wait(5000));
        QTRY_VERIFY(!service.data().rules.empty() && !service.data().rules.front().enabled);
        service.removeRule(QStringLiteral("web"));
        QVERIFY(changed.wait(5000));
        QTRY_VERIFY(service.data().rules.empty());
    }

    void chartDrawsValueAndThreshold()
    {
        ui::AlertChart chart;
        chart.resize(600, 300);
        chart.setAlert(webAlert(false));
        QVERIFY(!chart.isEmpty());
        QCOMPARE(chart.valuePointCount(), 10);
        QCOMPARE(chart.thresholdPointCount(), 8); // two warm-up seconds without a line
        const auto e = webAlert(false);
        QCOMPARE(chart.span().first, e.samples.front().second);
        QCOMPARE(chart.span().second, e.samples.back().second + 1);
        chart.setAlert(alert::AlertEvent{});
        QVERIFY(chart.isEmpty());
    }

    void windowShowsAlertsBadgeAndFlows()
    {
        const QString db = writeAlertDb(m_dir, QStringLiteral("window.db"), true);
        query::QueryService queries(db, 2);
        ui::MainWindowOptions options;
        options.databasePath = db;
        options.viewOnly = true;
        ui::MainWindow window(&queries, nullptr, options);
        window.show();
        window.showDashboard(QStringLiteral("alerts"));
        ui::AlertsDashboard* alerts = window.alertsDashboard();
        QTRY_COMPARE_WITH_TIMEOUT(alerts->ruleModel()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(alerts->eventModel()->rowCount(), 1, 10000);
        // The newest alert is charted until the user picks another.
        QTRY_VERIFY(alerts->selectedAlert() != nullptr);
        QCOMPARE(alerts->alertChart()->valuePointCount(), 10);
        QVERIFY(alerts->showFlowsButton()->isEnabled());

        // Select a rule: switch it off and on again through the service.
        alerts->rulePanel()->view()->selectRow(0); // "dns" (by name)
        QVERIFY(alerts->toggleButton()->isEnabled());
        QCOMPARE(alerts->toggleButton()->text(), QStringLiteral("Turn off"));
        QTest::mouseClick(alerts->toggleButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(
            alerts->ruleModel()->index(0, ui::AlertRuleModel::EnabledColumn).data().toString(),
            QStringLiteral("off"), 5000);

        // A snapshot with a firing alert: badge on the sidebar and in the status bar, a notification.
        collect::CollectorSnapshot snap;
        alert::AlertEvent firing = webAlert(true);
        firing.id = 99;
        firing.serial = 1;
        snap.alerts.rules = 2;
        snap.alerts.active = {firing};
        snap.alerts.recent = {firing};
        window.alertNotifier()->setSnapshot(snap.alerts);
        QCOMPARE(window.alertNotifier()->firingCount(), 1);
        QCOMPARE(window.alertNotifier()->notificationCount(), 1);
        QVERIFY(window.alertNotifier()->lastTitle().contains(QStringLiteral("web")));
        QVERIFY(window.alertNotifier()->lastMessage().contains(QStringLiteral("10.1.0.1")));
        auto* sidebar = window.findChild<QListWidget*>(QStringLiteral("sidebar"));
        QVERIFY(sidebar);
        QCOMPARE(sidebar->item(sidebar->count() - 1)->text(), QStringLiteral("Alerts (1)"));
        auto* badge = window.findChild<QLabel*>(QStringLiteral("alertBadge"));
        QVERIFY(badge && badge->isVisible());
        QVERIFY(badge->text().contains(QStringLiteral("1 alert firing")));
        // The same snapshot again notifies nothing new; the alert resolving clears the badge.
        window.alertNotifier()->setSnapshot(snap.alerts);
        QCOMPARE(window.alertNotifier()->notificationCount(), 1);
        snap.alerts.active.clear();
        window.alertNotifier()->setSnapshot(snap.alerts);
        QCOMPARE(sidebar->item(sidebar->count() - 1)->text(), QStringLiteral("Alerts"));
        QVERIFY(!badge->isVisible());

        // "Show flows": the Flows view with the alert's filter and time span.
        const alert::AlertEvent stored = *alerts->selectedAlert();
        QTest::mouseClick(alerts->showFlowsButton(), Qt::LeftButton);
        QCOMPARE(window.currentDashboard()->id(), QStringLiteral("flows"));
        QCOMPARE(window.viewState().filter, QStringLiteral("(tcp) and src ip 10.1.0.1"));
        QCOMPARE(window.viewState().range.preset, ui::RangePreset::Custom);
        QCOMPARE(window.viewState().range.sinceNs, stored.startedNs - 60 * kNs);
        QCOMPARE(window.viewState().range.untilNs, stored.resolvedNs);
        auto* flows = qobject_cast<ui::FlowsDashboard*>(window.dashboard(QStringLiteral("flows")));
        QVERIFY(flows);
        // The dataset's flows from 10.1.0.1 over TCP in that span (flows sit on whole seconds too: the
        // bounds may count or not).
        const std::uint64_t since = stored.startedNs - 60 * kNs;
        std::uint64_t inside = 0, onBounds = 0;
        for (const auto& f : uiDataset()) {
            if (f.proto != 6 || f.src_addr != v4(0x0a010001u))
                continue;
            if (f.time_received_ns > since && f.time_received_ns < stored.resolvedNs)
                ++inside;
            else if (f.time_received_ns == since || f.time_received_ns == stored.resolvedNs)
                ++onBounds;
        }
        QVERIFY(inside > 0);
        QTRY_VERIFY_WITH_TIMEOUT(flows->model()->totalRows() >= inside, 10000);
        QVERIFY2(flows->model()->totalRows() <= inside + onBounds,
                 qPrintable(QString::number(flows->model()->totalRows())));
    }

    void burstThroughTheCollectorReachesTheWindow()
    {
        const QString db = m_dir.filePath(QStringLiteral("live.db"));
        {
            auto s = alert::AlertStore::open(db);
            QVERIFY(s);
            QVERIFY((*s)->addRule(testRule(QStringLiteral("burst"), QStringLiteral("flows_per_s > 1k"))));
        }
        ui::CollectorController controller;
        QSignalSpy status(&controller, &ui::CollectorController::statusChanged);
        collect::CollectorConfig config;
        config.databasePath = db;
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        controller.apply(config);
        QVERIFY(status.wait(10000));
        QVERIFY(controller.status().running);
        query::QueryService queries(db, 2);
        ui::MainWindowOptions options;
        options.databasePath = db;
        options.refreshIntervalMs = 500;
        ui::MainWindow window(&queries, &controller, options);
        window.show();
        QSignalSpy fired(window.alertNotifier(), &ui::AlertNotifier::alertFired);

        gen::GenOptions o;
        o.target = controller.status().endpoints[0].endpoint;
        o.proto = decode::Protocol::NetFlowV9;
        o.flowsPerSecond = 5000;
        o.count = 15000;
        std::atomic<bool> stop{false};
        QVERIFY(gen::runGenerator(o, stop));
        QTRY_VERIFY_WITH_TIMEOUT(fired.count() >= 1, 15000);
        QVERIFY(window.alertNotifier()->lastTitle().contains(QStringLiteral("burst")));
        window.showDashboard(QStringLiteral("alerts"));
        QTRY_VERIFY_WITH_TIMEOUT(window.alertsDashboard()->eventModel()->rowCount() >= 1, 10000);
        QCOMPARE(window.alertsDashboard()->eventModel()->event(0)->rule, QStringLiteral("burst"));
        QTRY_VERIFY_WITH_TIMEOUT(window.alertsDashboard()->alertChart()->valuePointCount() > 0, 10000);
    }
};

QTEST_MAIN(TestAlertsUi)
#include "tst_alerts_ui.moc"
