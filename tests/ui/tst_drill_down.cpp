#include "ui_test_data.h"

#include "ui/dashboards/flows_dashboard.h"
#include "ui/dashboards/overview_dashboard.h"
#include "ui/dashboards/talkers_dashboard.h"
#include "ui/drill_down.h"
#include "ui/main_window.h"
#include "ui/models/flow_table_model.h"
#include "ui/models/model_roles.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/filter_bar.h"
#include "ui/widgets/table_panel.h"

#include "core/query/query_service.h"

#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;
using store::Dimension;
using ui::DrillAction;

namespace {

store::RollupKey keyOf(Dimension d, const decode::FlowRecord& r)
{
    store::RollupKey keys[2];
    store::rollupKeys(d, r, keys);
    return keys[0];
}

} // namespace

class TestDrillDown : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    std::vector<decode::FlowRecord> m_flows;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir);
        m_flows = uiDataset();
        m_db = m_dir.filePath(QStringLiteral("drill.db"));
        QCOMPARE(writeUiDatabase(m_db, m_flows), QString());
    }

    void termsForEveryDimension_data()
    {
        QTest::addColumn<int>("dimension");
        QTest::addColumn<QString>("term");
        QTest::newRow("proto") << int(Dimension::Proto) << QStringLiteral("proto tcp");
        QTest::newRow("src") << int(Dimension::Src) << QStringLiteral("src ip 10.1.0.8");
        QTest::newRow("dst") << int(Dimension::Dst) << QStringLiteral("dst ip 198.51.100.2");
        QTest::newRow("ip") << int(Dimension::Ip) << QStringLiteral("ip 10.1.0.8");
        QTest::newRow("pair") << int(Dimension::Pair)
                              << QStringLiteral("src ip 10.1.0.8 and dst ip 198.51.100.2");
        QTest::newRow("srcport") << int(Dimension::SrcPort) << QStringLiteral("src port 40001");
        QTest::newRow("dstport") << int(Dimension::DstPort) << QStringLiteral("dst port 80");
        QTest::newRow("exporter") << int(Dimension::Exporter) << QStringLiteral("exporter 192.0.2.1");
    }

    void termsForEveryDimension()
    {
        QFETCH(int, dimension);
        QFETCH(QString, term);
        const decode::FlowRecord& r = m_flows[1]; // 10.1.0.8 -> 198.51.100.2, TCP 40001 -> 80, via 192.0.2.1
        const auto key = keyOf(Dimension(dimension), r);
        QCOMPARE(ui::filterTerm(Dimension(dimension), key), term);
        // The term parses and selects the flow it came from.
        auto f = query::Filter::parse(term);
        QVERIFY(f.has_value());
        QVERIFY(f->matches(r));
        QCOMPARE(ui::filterTerm(Dimension(dimension), store::RollupKey{}), QString()); // "other"
    }

    void unnamedProtocolsByNumber()
    {
        store::RollupKey k;
        k.size = 1;
        k.bytes[0] = 89; // OSPF: no name in the filter language's table
        const QString term = ui::filterTerm(Dimension::Proto, k);
        QVERIFY(query::Filter::parse(term).has_value());
        decode::FlowRecord r;
        r.proto = 89;
        QVERIFY(query::Filter::parse(term)->matches(r));
    }

    void combineFilter_data()
    {
        QTest::addColumn<QString>("current");
        QTest::addColumn<QString>("term");
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << QStringLiteral("dst port 443") << int(DrillAction::Narrow)
                               << QStringLiteral("dst port 443");
        QTest::newRow("and") << QStringLiteral("proto tcp") << QStringLiteral("dst port 443")
                             << int(DrillAction::Narrow) << QStringLiteral("proto tcp and dst port 443");
        QTest::newRow("or is grouped")
            << QStringLiteral("port 53 or port 123") << QStringLiteral("src ip 10.0.0.1")
            << int(DrillAction::Narrow) << QStringLiteral("(port 53 or port 123) and src ip 10.0.0.1");
        QTest::newRow("or inside parentheses")
            << QStringLiteral("(port 53 or port 123) and proto udp") << QStringLiteral("src ip 10.0.0.1")
            << int(DrillAction::Narrow)
            << QStringLiteral("(port 53 or port 123) and proto udp and src ip 10.0.0.1");
        QTest::newRow("already required")
            << QStringLiteral("proto tcp and dst port 443") << QStringLiteral("dst port 443")
            << int(DrillAction::Narrow) << QStringLiteral("proto tcp and dst port 443");
        QTest::newRow("pair adds only the new side")
            << QStringLiteral("src ip 10.1.0.7") << QStringLiteral("src ip 10.1.0.7 and dst ip 198.51.100.3")
            << int(DrillAction::Narrow) << QStringLiteral("src ip 10.1.0.7 and dst ip 198.51.100.3");
        QTest::newRow("exclude") << QStringLiteral("proto tcp") << QStringLiteral("dst port 443")
                                 << int(DrillAction::Exclude)
                                 << QStringLiteral("proto tcp and not dst port 443");
        QTest::newRow("exclude pair")
            << QString() << QStringLiteral("src ip 10.0.0.1 and dst ip 10.0.0.2") << int(DrillAction::Exclude)
            << QStringLiteral("not (src ip 10.0.0.1 and dst ip 10.0.0.2)");
        QTest::newRow("show flows narrows")
            << QStringLiteral("proto udp") << QStringLiteral("dst port 53") << int(DrillAction::ShowFlows)
            << QStringLiteral("proto udp and dst port 53");
    }

    void combineFilter()
    {
        QFETCH(QString, current);
        QFETCH(QString, term);
        QFETCH(int, action);
        QFETCH(QString, expected);
        const QString combined = ui::combineFilter(current, term, DrillAction(action));
        QCOMPARE(combined, expected);
        QVERIFY(query::Filter::parse(combined).has_value());
    }

    void mainWindowDrillDownSetsTheFilter()
    {
        query::QueryService queries(m_db, 2);
        ui::MainWindowOptions options;
        options.viewOnly = true; // no collector: all stored data
        options.databasePath = m_db;
        options.refreshIntervalMs = 60000;
        ui::MainWindow window(&queries, nullptr, options);
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showDashboard(QStringLiteral("talkers"));
        auto* talkers = qobject_cast<ui::TalkersDashboard*>(window.dashboard(QStringLiteral("talkers")));
        QVERIFY(talkers);
        QTRY_COMPARE_WITH_TIMEOUT(talkers->sources()->rowCount(), 9, 20000);
        QVERIFY(!window.isShowingWelcome());
        QCOMPARE(window.viewState().range.preset, ui::RangePreset::AllData);

        // Double-click on the top source in its table narrows the filter to it.
        const QString top =
            talkers->sources()->index(0, ui::TopTableModel::KeyColumn).data(ui::RawRole).toString();
        QCOMPARE(top, QStringLiteral("10.1.0.7"));
        ui::TablePanel* sourcesTable = nullptr;
        for (ui::TablePanel* t : talkers->tablePanels())
            if (t->model() == talkers->sources())
                sourcesTable = t;
        QVERIFY(sourcesTable);
        QTableView* view = sourcesTable->view();
        view->scrollTo(talkers->sources()->index(0, ui::TopTableModel::KeyColumn));
        const QRect cell = view->visualRect(talkers->sources()->index(0, ui::TopTableModel::KeyColumn));
        // A real double-click: press and release, then the double-click event (QTest::mouseDClick
        // alone sends only the latter).
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(window.viewState().filter, QStringLiteral("src ip 10.1.0.7"));
        QCOMPARE(window.filterBar()->lineEdit()->text(), QStringLiteral("src ip 10.1.0.7"));
        QVERIFY(window.canGoBack());
        // The dashboard is refreshed with the filter: one source left.
        QTRY_COMPARE_WITH_TIMEOUT(talkers->sources()->rowCount(), 1, 20000);
        QCOMPARE(talkers->destinations()->rowCount(), 4);

        // A conversation of that source: only the destination is added.
        const QModelIndex pair = talkers->conversations()->index(0, ui::TopTableModel::KeyColumn);
        window.drillDown(pair.data(ui::FilterTermRole).toString(), DrillAction::Narrow);
        QVERIFY(
            window.viewState().filter.startsWith(QStringLiteral("src ip 10.1.0.7 and dst ip 198.51.100.")));
        QCOMPARE(window.viewState().filter.count(QStringLiteral("src ip")), 1);

        // "Show flows" narrows and opens the Flows view on the flows behind it.
        window.drillDown(QStringLiteral("proto tcp"), DrillAction::ShowFlows);
        QCOMPARE(window.currentDashboard()->id(), QStringLiteral("flows"));
        auto* flows = qobject_cast<ui::FlowsDashboard*>(window.currentDashboard());
        QTRY_VERIFY_WITH_TIMEOUT(!flows->model()->isLoading() && flows->model()->rowCount() > 0, 20000);
        auto filter = query::Filter::parse(window.viewState().filter);
        QVERIFY(filter.has_value());
        std::uint64_t expected = 0;
        for (const auto& r : m_flows)
            expected += filter->matches(r) ? 1 : 0;
        QVERIFY(expected > 0);
        QCOMPARE(flows->model()->totalRows(), expected);
        for (int row = 0; row < flows->model()->rowCount(); ++row)
            QVERIFY(filter->matches(*flows->model()->flow(row)));

        // Back and forward walk through the filters.
        const QString last = window.viewState().filter;
        window.goBack();
        QVERIFY(!window.viewState().filter.contains(QStringLiteral("proto tcp")));
        window.goBack();
        QCOMPARE(window.viewState().filter, QStringLiteral("src ip 10.1.0.7"));
        window.goForward();
        window.goForward();
        QCOMPARE(window.viewState().filter, last);

        // Exclude from a chart's context: "not" is added.
        window.drillDown(QStringLiteral("dst port 22"), DrillAction::Exclude);
        QVERIFY(window.viewState().filter.endsWith(QStringLiteral("and not dst port 22")));
    }

    void metricAndKeyboardShortcuts()
    {
        query::QueryService queries(m_db, 2);
        ui::MainWindowOptions options;
        options.viewOnly = true;
        options.databasePath = m_db;
        options.refreshIntervalMs = 60000;
        ui::MainWindow window(&queries, nullptr, options);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.currentDashboard()->id(), QStringLiteral("ports"));
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.currentDashboard()->id(), QStringLiteral("talkers"));
        auto* talkers = qobject_cast<ui::TalkersDashboard*>(window.currentDashboard());
        QTRY_COMPARE_WITH_TIMEOUT(talkers->sources()->rowCount(), 9, 20000);
        // Alt+3: packets. The ranking follows.
        QTest::keyClick(&window, Qt::Key_3, Qt::AltModifier);
        QTRY_COMPARE(window.viewState().metric,
                     ui::MetricKind::Packets); // button shortcuts click after a moment
        QTRY_COMPARE_WITH_TIMEOUT(talkers->sources()->metric(), ui::MetricKind::Packets, 20000);
        const auto expected = bruteTop(m_flows, Dimension::Src, store::Metric::Packets, 1);
        QTRY_COMPARE_WITH_TIMEOUT(
            talkers->sources()->index(0, ui::TopTableModel::KeyColumn).data(ui::RawRole).toString(),
            QString::fromStdString(store::rollupKeyText(Dimension::Src, expected[0].first)), 20000);
        // Ctrl+L focuses the filter.
        QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
        QVERIFY(window.filterBar()->lineEdit()->hasFocus());
        // Alt+Left goes back to bytes.
        QTest::keyClick(&window, Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(window.viewState().metric, ui::MetricKind::Bytes);
    }

    void emptyDatabaseShowsTheWelcomePage()
    {
        const QString missing = m_dir.filePath(QStringLiteral("not-yet.db"));
        query::QueryService queries(missing, 1);
        ui::MainWindowOptions options;
        options.viewOnly = true;
        options.databasePath = missing;
        ui::MainWindow window(&queries, nullptr, options);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.isShowingWelcome(), 10000);
        QVERIFY(window.statusText().contains(QStringLiteral("View only")));
        // Geography has no data to wait for.
        window.showDashboard(QStringLiteral("geography"));
        QVERIFY(!window.isShowingWelcome());
    }
};

QTEST_MAIN(TestDrillDown)
#include "tst_drill_down.moc"
