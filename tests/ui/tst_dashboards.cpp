#include "ui_test_data.h"

#include "ui/dashboards/exporters_dashboard.h"
#include "ui/dashboards/flows_dashboard.h"
#include "ui/dashboards/geography_dashboard.h"
#include "ui/dashboards/overview_dashboard.h"
#include "ui/dashboards/ports_dashboard.h"
#include "ui/dashboards/talkers_dashboard.h"
#include "ui/dashboards/welcome_page.h"
#include "ui/format.h"
#include "ui/models/exporter_table_model.h"
#include "ui/models/flow_table_model.h"
#include "ui/models/model_roles.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/bar_chart.h"
#include "ui/widgets/pie_chart.h"
#include "ui/widgets/tile.h"
#include "ui/widgets/time_series_chart.h"

#include "core/query/query_service.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeWidget>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;
using store::Dimension;
using store::Metric;
using ui::MetricKind;

namespace {

std::vector<decode::FlowRecord> filtered(const std::vector<decode::FlowRecord>& flows, const QString& text)
{
    auto f = query::Filter::parse(text);
    std::vector<decode::FlowRecord> out;
    for (const auto& r : flows)
        if (f && f->matches(r))
            out.push_back(r);
    return out;
}

QString keyText(Dimension d, const store::RollupKey& k)
{
    return QString::fromStdString(store::rollupKeyText(d, k));
}

/// Checks a top table against the brute-force reference: same keys in the same order, raw
/// values behind the text, share of the total.
void compareTop(const ui::TopTableModel& model, const std::vector<decode::FlowRecord>& flows, Metric order,
                std::size_t limit)
{
    const auto expected = bruteTop(flows, model.dimension(), order, limit);
    QCOMPARE(model.rowCount(), int(expected.size()));
    store::Counters total;
    for (const auto& r : flows)
        total.add(r);
    for (int row = 0; row < model.rowCount(); ++row) {
        const auto& [key, counters] = expected[std::size_t(row)];
        QCOMPARE(model.index(row, ui::TopTableModel::KeyColumn).data(ui::RawRole).toString(),
                 keyText(model.dimension(), key));
        QCOMPARE(model.index(row, ui::TopTableModel::FlowsColumn).data(ui::RawRole).toULongLong(),
                 qulonglong(counters.flows));
        QCOMPARE(model.index(row, ui::TopTableModel::BytesColumn).data(ui::RawRole).toULongLong(),
                 qulonglong(counters.scaledBytes));
        QCOMPARE(model.index(row, ui::TopTableModel::PacketsColumn).data(ui::RawRole).toULongLong(),
                 qulonglong(counters.scaledPackets));
        const double share = double(store::metricValue(counters, order, false)) /
                             double(store::metricValue(total, order, false));
        QVERIFY(qAbs(model.index(row, ui::TopTableModel::ShareColumn).data(ui::RawRole).toDouble() - share) <
                1e-9);
        QCOMPARE(model.index(row, ui::TopTableModel::RankColumn).data(Qt::DisplayRole).toInt(), row + 1);
        QCOMPARE(model.index(row, ui::TopTableModel::KeyColumn).data(Qt::DisplayRole).toString(),
                 ui::fmt::keyText(model.dimension(), key));
    }
}

} // namespace

class TestDashboards : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::vector<decode::FlowRecord> m_flows;
    std::unique_ptr<query::QueryService> m_service;

    ui::ViewContext view(MetricKind metric = MetricKind::Bytes, const QString& filter = {}) const
    {
        ui::ViewContext v;
        v.state.metric = metric;
        v.state.filter = filter;
        v.range.sinceNs = kBase;
        v.range.untilNs = kBase + kSpanNs;
        v.range.nowNs = v.range.untilNs;
        auto f = query::Filter::parse(filter);
        if (f)
            v.filter = *f;
        return v;
    }

    /// Runs a dashboard's request through the query service and applies the reply.
    bool refresh(ui::Dashboard& d, const ui::ViewContext& v)
    {
        query::DashboardRequest req;
        if (!d.buildRequest(v, req))
            return false;
        req.sinceNs = v.range.sinceNs;
        req.untilNs = v.range.untilNs;
        req.nowNs = v.range.nowNs;
        req.filter = v.filter;
        QSignalSpy spy(m_service.get(), &query::QueryService::dashboardReady);
        const quint64 id = m_service->requestDashboard(d.id(), req);
        if (!spy.wait(20000))
            return false;
        const auto reply = spy.at(0).at(0).value<query::DashboardReply>();
        if (reply.id != id || !reply.error.isEmpty())
            return false;
        d.applyReply(reply, v);
        // Charts update one per event-loop turn; the tables at once.
        return QTest::qWaitFor([&] { return !d.hasPendingUpdates(); }, 5000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir);
        m_flows = uiDataset();
        m_path = m_dir.filePath(QStringLiteral("ui.db"));
        QCOMPARE(writeUiDatabase(m_path, m_flows), QString());
        m_service = std::make_unique<query::QueryService>(m_path, 2);
    }

    void overviewHoldsTopPairsTilesAndProtocols()
    {
        ui::OverviewDashboard d;
        QAbstractItemModelTester t1(d.chattyByBytes(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(d.chattyByPackets(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refresh(d, view()));
        compareTop(*d.chattyByBytes(), m_flows, Metric::Bytes, 10);
        compareTop(*d.chattyByPackets(), m_flows, Metric::Packets, 10);
        QCOMPARE(d.sourceBars()->barCount(), 9);
        QCOMPARE(d.destinationBars()->barCount(), 4);
        store::Counters total;
        for (const auto& r : m_flows)
            total.add(r);
        QCOMPARE(d.trafficTile()->value(), ui::fmt::bytes(double(total.scaledBytes)));
        QCOMPARE(d.flowsTile()->value(), ui::fmt::integer(12000));
        QCOMPARE(d.exportersTile()->value(), QStringLiteral("2"));
        QCOMPARE(d.dropsTile()->value(), QStringLiteral("3")); // sequence loss of 192.0.2.2, not collecting
        QCOMPARE(d.protocolChart()->bandCount(), 3);           // TCP, UDP, ICMP
        QVERIFY(!d.protocolChart()->isEmpty());
        QVERIFY(d.statusText().contains(QStringLiteral("12,000 flows")) ||
                d.statusText().contains(QStringLiteral("12000 flows")));
    }

    void ratesAreOverAtLeastASecond()
    {
        // Flows a capture replay sent in one burst span microseconds: rates over the export's
        // default range (oldest to newest flow) are per second, not per microsecond.
        ui::ResolvedRange r;
        r.sinceNs = kBase;
        r.untilNs = kBase + 1500; // 1.5 us
        QCOMPARE(r.seconds(), 1.0);
        r.untilNs = kBase + 90'000'000'000ull;
        QCOMPARE(r.seconds(), 90.0);
        r.untilNs = kBase;
        QCOMPARE(r.seconds(), 0.0);
        r.untilNs = UINT64_MAX; // live: up to now
        r.nowNs = kBase + 2'500'000'000ull;
        QCOMPARE(r.seconds(), 2.5);
        ui::OverviewDashboard d;
        ui::ViewContext v = view();
        v.range.untilNs = v.range.sinceNs + 1000;
        v.range.nowNs = v.range.untilNs;
        QVERIFY(refresh(d, v));
        QVERIFY2(!d.trafficTile()->value().isEmpty(), "the tile is filled");
    }

    void talkersHoldTopN_data()
    {
        QTest::addColumn<int>("metric");
        QTest::addColumn<QString>("filter");
        QTest::newRow("bytes") << int(MetricKind::Bytes) << QString();
        QTest::newRow("bits/s") << int(MetricKind::BitsPerSecond) << QString();
        QTest::newRow("packets") << int(MetricKind::Packets) << QString();
        QTest::newRow("flows") << int(MetricKind::Flows) << QString();
        QTest::newRow("bytes, filtered")
            << int(MetricKind::Bytes) << QStringLiteral("proto udp or dst port 22");
        QTest::newRow("flows, filtered") << int(MetricKind::Flows) << QStringLiteral("not src ip 10.1.0.9");
    }

    void talkersHoldTopN()
    {
        QFETCH(int, metric);
        QFETCH(QString, filter);
        ui::TalkersDashboard d;
        QAbstractItemModelTester t1(d.sources(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(d.destinations(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(d.conversations(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refresh(d, view(MetricKind(metric), filter)));
        const auto flows = filter.isEmpty() ? m_flows : filtered(m_flows, filter);
        const Metric order = ui::storeMetric(MetricKind(metric));
        compareTop(*d.sources(), flows, order, 20);
        compareTop(*d.destinations(), flows, order, 20);
        compareTop(*d.conversations(), flows, order, 20);
        if (MetricKind(metric) == MetricKind::BitsPerSecond) {
            // Average rate over the 10 minutes.
            const double expected =
                8.0 * double(bruteTop(flows, Dimension::Src, Metric::Bytes, 1)[0].second.scaledBytes) / 600.0;
            QVERIFY(qAbs(d.sources()->index(0, ui::TopTableModel::ValueColumn).data(ui::RawRole).toDouble() -
                         expected) < 1e-6);
        }
        const int sources = int(bruteTop(flows, Dimension::Src, order, 0).size());
        QCOMPARE(d.sourceDonut()->sliceCount(), std::min(sources, 8) + (sources > 8 ? 1 : 0));
    }

    void portsHoldTopPortsAndProtocols()
    {
        ui::PortsDashboard d;
        QAbstractItemModelTester t1(d.destinationPorts(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(d.sourcePorts(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refresh(d, view(MetricKind::Packets)));
        compareTop(*d.destinationPorts(), m_flows, Metric::Packets, 15);
        compareTop(*d.sourcePorts(), m_flows, Metric::Packets, 15);
        // Service names in the display text, numbers behind it.
        const auto top = bruteTop(m_flows, Dimension::DstPort, Metric::Packets, 1);
        QCOMPARE(d.destinationPorts()->index(0, ui::TopTableModel::KeyColumn).data(ui::RawRole).toString(),
                 QStringLiteral("443"));
        QCOMPARE(
            d.destinationPorts()->index(0, ui::TopTableModel::KeyColumn).data(Qt::DisplayRole).toString(),
            QStringLiteral("443 (https)"));
        QCOMPARE(
            d.destinationPorts()->index(0, ui::TopTableModel::KeyColumn).data(ui::FilterTermRole).toString(),
            QStringLiteral("dst port 443"));
        QCOMPARE(d.protocols().rows.size(), std::size_t(3));
        QCOMPARE(d.protocolPie()->sliceCount(), 3);
        QCOMPARE(d.protocolChart()->bandCount(), 3);
    }

    void exportersHoldHealthAndActivity()
    {
        ui::ExportersDashboard d;
        QAbstractItemModelTester t(d.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refresh(d, view()));
        QCOMPARE(d.model()->rowCount(), 2);
        const auto* first = d.model()->exporter(0);
        QVERIFY(first);
        QCOMPARE(first->endpoint, QStringLiteral("192.0.2.1:2055"));
        QCOMPARE(d.model()->index(0, ui::ExporterTableModel::FlowsColumn).data(ui::RawRole).toULongLong(),
                 9600ull);
        QCOMPARE(d.model()->index(1, ui::ExporterTableModel::LossColumn).data(ui::RawRole).toULongLong(),
                 3ull);
        QCOMPARE(d.model()->index(1, ui::ExporterTableModel::SamplingColumn).data(Qt::DisplayRole).toString(),
                 QStringLiteral("1:4"));
        // Sparklines: flows per bucket of each exporter sum to its flows in the range.
        for (int row = 0; row < 2; ++row) {
            const QList<double> spark = d.model()
                                            ->index(row, ui::ExporterTableModel::ActivityColumn)
                                            .data(ui::SeriesRole)
                                            .value<QList<double>>();
            QVERIFY(spark.size() > 1);
            double sum = 0;
            for (double v : spark)
                sum += v;
            const auto exporter = d.model()->exporter(row)->address;
            const double expected = exporter == QLatin1String("192.0.2.1") ? 9600 : 2400;
            QCOMPARE(sum, expected);
        }
        QCOMPARE(d.chart()->bandCount(), 2);
        QCOMPARE(d.model()->index(0, 0).data(ui::FilterTermRole).toString(),
                 QStringLiteral("exporter 192.0.2.1"));
    }

    void flowsPageAndSortInTheWorker()
    {
        ui::FlowsDashboard d(m_service.get());
        QAbstractItemModelTester t(d.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loading(d.model(), &ui::FlowTableModel::loadingChanged);
        d.viewChanged(view(MetricKind::Bytes, QStringLiteral("proto tcp")), false);
        QTRY_VERIFY_WITH_TIMEOUT(!d.model()->isLoading() && d.model()->rowCount() > 0, 20000);
        const auto tcp = filtered(m_flows, QStringLiteral("proto tcp"));
        QCOMPARE(d.model()->totalRows(), std::uint64_t(tcp.size()));
        QCOMPARE(d.model()->rowCount(), 500);
        // Newest first.
        QCOMPARE(d.model()->flow(0)->time_received_ns, tcp.back().time_received_ns);
        QCOMPARE(
            d.model()->index(0, ui::FlowTableModel::columnOf(decode::FlowField::Proto)).data().toString(),
            QStringLiteral("TCP"));
        // More rows arrive later: fetchMore returns at once.
        QVERIFY(d.model()->canFetchMore({}));
        d.model()->fetchMore({});
        QVERIFY(d.model()->isLoading());
        QCOMPARE(d.model()->rowCount(), 500);
        QTRY_COMPARE_WITH_TIMEOUT(d.model()->rowCount(), 2500, 20000);
        // Sort by bytes (descending): a partial sort in the worker.
        d.model()->sort(ui::FlowTableModel::columnOf(decode::FlowField::Bytes), Qt::DescendingOrder);
        QCOMPARE(d.model()->rowCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!d.model()->isLoading() && d.model()->rowCount() > 0, 20000);
        std::uint64_t maxBytes = 0;
        for (const auto& r : tcp)
            maxBytes = std::max(maxBytes, r.bytes);
        QCOMPARE(d.model()->flow(0)->bytes, maxBytes);
        for (int row = 1; row < d.model()->rowCount(); ++row)
            QVERIFY(d.model()->flow(row - 1)->bytes >= d.model()->flow(row)->bytes);
        QCOMPARE(d.model()
                     ->index(0, ui::FlowTableModel::columnOf(decode::FlowField::Bytes))
                     .data(ui::RawRole)
                     .toULongLong(),
                 qulonglong(maxBytes));
        // Details pane: every field of the selected flow; copy as JSON.
        d.table()->selectRow(0);
        QCOMPARE(d.details()->topLevelItemCount(), decode::kFlowFieldCount);
        QVERIFY(d.selectedJson().startsWith(QLatin1Char('{')));
        QVERIFY(d.selectedJson().contains(QStringLiteral("\"bytes\":%1").arg(maxBytes)));
        QVERIFY(d.selectedText().contains(QStringLiteral("src_addr: 10.1.0.")));
    }

    void geographyAsksForGeoDimensions()
    {
        ui::GeographyDashboard d;
        query::DashboardRequest req;
        QVERIFY(d.buildRequest(view(), req));
        QCOMPARE(req.tops.size(), std::size_t(6));
        QCOMPARE(req.tops[0].by, store::Dimension::SrcCountry);
        QCOMPARE(req.tops[5].by, store::Dimension::DstAs);
        QVERIFY(d.setupHint().contains(QStringLiteral("--geoip")));
    }

    void welcomeNamesListeningAddresses()
    {
        ui::WelcomePage page;
        ui::CollectorStatus status;
        status.running = true;
        status.databasePath = QStringLiteral("/tmp/flows.db");
        collect::EndpointState a;
        a.endpoint = *decode::Endpoint::parse("0.0.0.0:9995");
        a.listening = true;
        collect::EndpointState b;
        b.endpoint = *decode::Endpoint::parse("[::]:4739");
        b.listening = true;
        collect::EndpointState c;
        c.endpoint = *decode::Endpoint::parse("0.0.0.0:6343");
        c.error = QStringLiteral("port 6343 is in use");
        status.endpoints = {a, b, c};
        page.setCollectorStatus(status, false);
        QVERIFY(page.listeningText().contains(QStringLiteral("0.0.0.0:9995")));
        QVERIFY(page.listeningText().contains(QStringLiteral("[::]:4739")));
        QVERIFY(page.listeningText().contains(QStringLiteral("port 6343 is in use")));
        QVERIFY(page.demoButton()->isEnabled());
        // Instructions use the port actually listened on.
        QVERIFY(page.instructions(QStringLiteral("Cisco IOS / IOS-XE"))
                    .contains(QStringLiteral("transport udp 9995")));
        QVERIFY(
            page.instructions(QStringLiteral("MikroTik")).contains(QStringLiteral("port=9995 version=9")));
        QVERIFY(page.instructions(QStringLiteral("Juniper")).contains(QStringLiteral("port 4739")));
        QVERIFY(page.instructions(QStringLiteral("Linux (softflowd)"))
                    .contains(QStringLiteral("softflowd -i eth0 -n ")));
        status.running = false;
        status.error = QStringLiteral("cannot listen on 0.0.0.0:2055: address in use");
        page.setCollectorStatus(status, false);
        QVERIFY(page.listeningText().contains(QStringLiteral("address in use")));
        QVERIFY(!page.demoButton()->isEnabled());
    }
};

QTEST_MAIN(TestDashboards)
#include "tst_dashboards.moc"
