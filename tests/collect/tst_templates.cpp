// Templates that arrive late, and templates that survive a collector restart (issue 3).
#include "core/collect/collector.h"
#include "core/gen/flow_encoder.h"
#include "core/gen/traffic_model.h"
#include "core/store/flow_reader.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000ull * 1'000'000'000ull;

/// One exporter socket (fixed source port), sending to a loopback collector.
class Exporter
{
public:
    Exporter() { m_fd = ::socket(AF_INET, SOCK_DGRAM, 0); }
    ~Exporter() { ::close(m_fd); }
    void send(std::uint16_t port, std::span<const std::byte> d) const
    {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::sendto(m_fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }

private:
    int m_fd = -1;
};

/// Datagrams of `count` model flows; datagram 0 carries the templates (refresh disabled).
gen::DatagramBatch encode(decode::Protocol proto, std::size_t count, std::uint64_t seed)
{
    gen::TrafficModelOptions mo;
    mo.seed = seed;
    gen::TrafficModel model(mo);
    std::vector<decode::FlowRecord> flows;
    for (std::size_t i = 0; i < count; ++i)
        flows.push_back(model.next(kNow));
    gen::EncoderOptions eo;
    eo.templateRefreshDatagrams = 1 << 30;
    eo.templateRefreshSeconds = 1e9;
    eo.domainId = 3;
    auto encoder = gen::makeEncoder(proto, eo);
    gen::DatagramBatch batch;
    encoder->encode(flows, kNow, batch);
    return batch;
}

/// Data sets in a datagram (IPFIX set id >= 256, v9 FlowSet id >= 256).
int dataSets(std::span<const std::byte> d, decode::Protocol proto)
{
    std::size_t at = proto == decode::Protocol::Ipfix ? 16 : 20;
    int n = 0;
    while (at + 4 <= d.size()) {
        const unsigned id = (unsigned(d[at]) << 8) | unsigned(d[at + 1]);
        const unsigned len = (unsigned(d[at + 2]) << 8) | unsigned(d[at + 3]);
        if (len < 4)
            break;
        n += id >= 256 ? 1 : 0;
        at += len;
    }
    return n;
}

std::uint64_t storedFlows(const QString& db)
{
    auto reader = store::FlowReader::open(db);
    return reader ? (*reader)->flowCount().value_or(0) : 0;
}

} // namespace

class TestTemplates : public QObject
{
    Q_OBJECT

private slots:
    void lateTemplatesLoseNothing_data()
    {
        QTest::addColumn<int>("proto");
        QTest::newRow("netflow v9") << int(decode::Protocol::NetFlowV9);
        QTest::newRow("ipfix") << int(decode::Protocol::Ipfix);
    }

    void lateTemplatesLoseNothing()
    {
        QFETCH(int, proto);
        const auto p = decode::Protocol(proto);
        const gen::DatagramBatch batch = encode(p, 3000, 11);
        QVERIFY(batch.size() > 10);
        QVERIFY(dataSets(batch.at(1), p) > 0);

        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("late.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY(bound.has_value());
        const std::uint16_t port = bound->front().endpoint.port;
        Exporter exporter;
        // Every data datagram first, the template datagram last (as after a collector restart
        // that missed the exporter's last template refresh).
        for (std::size_t i = 1; i < batch.size(); ++i)
            exporter.send(port, batch.at(i));
        QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().receiver.datagrams == batch.size() - 1, 10000);
        QCOMPARE(collector.lastSnapshot().receiver.flowsDecoded, std::uint64_t(0));
        exporter.send(port, batch.at(0));
        QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().receiver.flowsDecoded, std::uint64_t(3000), 10000);
        auto stopped = collector.stop();
        QVERIFY(stopped.has_value());
        QCOMPARE(stopped->flowsStored, std::uint64_t(3000));
        const auto& exporters = collector.lastSnapshot().receiver.exporters;
        QCOMPARE(int(exporters.size()), 1);
        QCOMPARE(exporters.front().second.pendingExpired, std::uint64_t(0));
        QCOMPARE(exporters.front().second.pendingSets, 0u);
        QCOMPARE(storedFlows(config.databasePath), std::uint64_t(3000));
    }

    void templatesSurviveARestart_data() { lateTemplatesLoseNothing_data(); }

    void templatesSurviveARestart()
    {
        QFETCH(int, proto);
        const auto p = decode::Protocol(proto);
        const gen::DatagramBatch batch = encode(p, 2000, 12);
        QVERIFY(batch.size() > 4);
        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("restart.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        Exporter exporter; // the same exporter address and port across both runs
        const std::size_t half = batch.size() / 2;
        std::uint64_t firstRun = 0;
        {
            collect::Collector collector;
            auto bound = collector.start(config);
            QVERIFY(bound.has_value());
            for (std::size_t i = 0; i < half; ++i)
                exporter.send(bound->front().endpoint.port, batch.at(i));
            QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().receiver.datagrams == half, 10000);
            auto stopped = collector.stop();
            QVERIFY(stopped.has_value());
            firstRun = stopped->flowsStored;
            QVERIFY(firstRun > 0);
        }
        {
            // The restarted collector never sees a template, yet decodes the rest at once.
            collect::Collector collector;
            auto bound = collector.start(config);
            QVERIFY(bound.has_value());
            for (std::size_t i = half; i < batch.size(); ++i)
                exporter.send(bound->front().endpoint.port, batch.at(i));
            QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().receiver.datagrams == batch.size() - half,
                                     10000);
            auto stopped = collector.stop();
            QVERIFY(stopped.has_value());
            QCOMPARE(firstRun + stopped->flowsStored, std::uint64_t(2000));
            QCOMPARE(collector.lastSnapshot().receiver.exporters.front().second.missingTemplateSets,
                     std::uint64_t(0));
        }
        QCOMPARE(storedFlows(config.databasePath), std::uint64_t(2000));
    }
};

QTEST_GUILESS_MAIN(TestTemplates)
#include "tst_templates.moc"
