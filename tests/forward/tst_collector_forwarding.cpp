// The collector with forwarding on: flows received on UDP reach the fake OpenObserve exactly once
// across a server outage and across a collector restart with a full outbox.

#include "support/fake_openobserve.h"
#include "support/forward_fixtures.h"
#include "support/test_paths.h"

#include "core/collect/collector.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using flowlens::test::FakeOpenObserve;

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v)
{
    b[at] = std::uint8_t(v >> 8);
    b[at + 1] = std::uint8_t(v);
}

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + std::size_t(i)] = std::uint8_t(v >> (24 - 8 * i));
}

/// NetFlow v5 with `count` records: flow i of the datagram comes from 10.0.0.<i+1>.
std::vector<std::uint8_t> v5Datagram(int count, std::uint32_t sequence)
{
    std::vector<std::uint8_t> b(24 + 48 * std::size_t(count), 0);
    put16(b, 0, 5);
    put16(b, 2, std::uint16_t(count));
    put32(b, 4, 100000);
    put32(b, 8, std::uint32_t(::time(nullptr)));
    put32(b, 16, sequence);
    for (int i = 0; i < count; ++i) {
        const std::size_t r = 24 + 48 * std::size_t(i);
        put32(b, r + 0, 0x0a000001u + std::uint32_t(i));
        put32(b, r + 4, 0xc6336401u);
        put32(b, r + 16, 10);
        put32(b, r + 20, 1000u * std::uint32_t(i + 1));
        put32(b, r + 24, 90000);
        put32(b, r + 28, 99000);
        put16(b, r + 32, std::uint16_t(40000 + i));
        put16(b, r + 34, 443);
        b[r + 38] = 6;
    }
    return b;
}

/// Sends `datagrams` datagrams of 10 flows, sequence numbers starting at firstSequence.
void sendFlows(std::uint16_t port, std::uint32_t firstDatagram, std::uint32_t datagrams)
{
    static const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (std::uint32_t d = firstDatagram; d < firstDatagram + datagrams; ++d) {
        const auto payload = v5Datagram(10, d * 10);
        ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
}

/// Every (sequence, source) of datagrams [0, datagrams) exactly once, nothing else.
QString eachFlowOnce(const QList<QJsonObject>& records, std::uint32_t datagrams)
{
    QHash<QString, int> seen;
    for (const QJsonObject& o : records)
        ++seen[QStringLiteral("%1/%2")
                   .arg(o.value(QStringLiteral("sequence_num")).toInteger())
                   .arg(o.value(QStringLiteral("src_addr")).toString())];
    QStringList problems;
    for (std::uint32_t d = 0; d < datagrams; ++d)
        for (std::uint32_t i = 0; i < 10; ++i) {
            const QString key = QStringLiteral("%1/10.0.0.%2").arg(d * 10).arg(i + 1);
            if (seen.value(key) != 1 && problems.size() < 10)
                problems << QStringLiteral("%1 received %2 times").arg(key).arg(seen.value(key));
            seen.remove(key);
        }
    for (auto it = seen.begin(); it != seen.end() && problems.size() < 10; ++it)
        problems << QStringLiteral("unexpected %1").arg(it.key());
    return problems.join(QStringLiteral("; "));
}

collect::CollectorConfig collectorConfig(const QString& db, const FakeOpenObserve& fake)
{
    collect::CollectorConfig config;
    config.databasePath = db;
    config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
    auto forward = test::fastForwardConfig(fake);
    forward.startAt = forward::StartPosition::End;
    forward.shutdownGraceMs = 1000;
    config.forward = forward;
    return config;
}

} // namespace

class TestCollectorForwarding : public QObject
{
    Q_OBJECT

private slots:
    void serverDownDuringCollectionThenUp()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("c.db"));
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const quint16 port = fake.port();
        fake.close();

        collect::Collector collector;
        auto bound = collector.start(collectorConfig(db, fake));
        QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
        QVERIFY(collector.forwarder());
        sendFlows(bound->front().endpoint.port, 0, 100);
        QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().writer.flowsStored, std::uint64_t(1000), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().forward &&
                                     collector.lastSnapshot().forward->state ==
                                         forward::ForwardState::BackingOff &&
                                     collector.lastSnapshot().forward->backlogFlows == 1000,
                                 20000);
        QVERIFY2(collector.lastSnapshot().forward->lastError.contains(QStringLiteral("refused")),
                 qPrintable(collector.lastSnapshot().forward->lastError));

        QVERIFY(fake.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1000, 20000);
        sendFlows(bound->front().endpoint.port, 100, 50);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1500, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().forward->counters.delivered, std::uint64_t(1500),
                                  10000);
        QVERIFY(collector.stop().has_value());
        const auto last = collector.lastSnapshot();
        QVERIFY(last.forward.has_value());
        QCOMPARE(last.forward->state, forward::ForwardState::Stopped);
        QCOMPARE(last.forward->counters.delivered, std::uint64_t(1500));
        QCOMPARE(last.forward->backlogFlows, std::uint64_t(0));
        QCOMPARE(eachFlowOnce(fake.records(), 150), QString());
    }

    void restartedCollectorDeliversAFullOutbox()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("c.db"));
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const quint16 port = fake.port();
        fake.close();
        {
            collect::Collector collector;
            auto bound = collector.start(collectorConfig(db, fake));
            QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
            sendFlows(bound->front().endpoint.port, 0, 200);
            QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().writer.flowsStored, std::uint64_t(2000),
                                      20000);
            QElapsedTimer clock;
            clock.start();
            QVERIFY(collector.stop().has_value());
            QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
            QCOMPARE(collector.lastSnapshot().forward->backlogFlows, std::uint64_t(2000));
            QCOMPARE(collector.lastSnapshot().forward->counters.settled(), std::uint64_t(0));
        }
        QVERIFY(fake.listen(port));
        collect::Collector collector;
        auto bound = collector.start(collectorConfig(db, fake));
        QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 2000, 20000);
        sendFlows(bound->front().endpoint.port, 200, 30);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 2300, 20000);
        QVERIFY(collector.stop().has_value());
        QCOMPARE(collector.lastSnapshot().forward->counters.delivered, std::uint64_t(2300));
        QCOMPARE(eachFlowOnce(fake.records(), 230), QString());
    }

    void lastFlowsLeaveAtStop()
    {
        // Flows received just before stop() are committed, then flushed within the grace time.
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("c.db"));
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = collectorConfig(db, fake);
        config.forward->flushIntervalMs = 60000; // only the stop can flush this partial batch
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
        sendFlows(bound->front().endpoint.port, 0, 5);
        QVERIFY(collector.stop().has_value());
        QCOMPARE(fake.recordCount(), 50);
        QCOMPARE(eachFlowOnce(fake.records(), 5), QString());
        QCOMPARE(collector.lastSnapshot().forward->counters.delivered, std::uint64_t(50));
    }

    void geoFieldsUnderOpenObserveNames()
    {
        // With GeoIP configured, forwarded records carry OpenObserve's enrichment fields, so its
        // published Geography dashboard works without a server-side function.
        const QString city = QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-City-Test.mmdb"));
        if (!QFile::exists(city))
            QSKIP("GeoIP test databases not found (set FLOWLENS_GEO)");
        QTemporaryDir dir;
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = collectorConfig(dir.filePath(QStringLiteral("g.db")), fake);
        enrich::EnrichConfig geo;
        geo.searchDefaultFolders = false;
        geo.geoipPaths = {city, QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-ASN-Test.mmdb"))};
        config.enrich = geo;
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
        auto datagram = v5Datagram(1, 0);
        put32(datagram, 24, 0x027da0d8u); // 2.125.160.216: Boxford, England, GB
        put32(datagram, 28, 0x01800001u); // 1.128.0.1: AS1221 Telstra
        static const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(bound->front().endpoint.port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().writer.flowsStored, std::uint64_t(1), 10000);
        QVERIFY(collector.stop().has_value());
        QCOMPARE(fake.recordCount(), 1);
        const QJsonObject r = fake.records().front();
        QCOMPARE(r.value(QStringLiteral("src_geo_city_name")).toString(), QStringLiteral("Boxford"));
        QCOMPARE(r.value(QStringLiteral("src_geo_country_code")).toString(), QStringLiteral("GB"));
        QCOMPARE(r.value(QStringLiteral("src_geo_country_name")).toString(),
                 QStringLiteral("United Kingdom"));
        QCOMPARE(r.value(QStringLiteral("src_geo_continent_code")).toString(), QStringLiteral("EU"));
        QCOMPARE(r.value(QStringLiteral("src_geo_region_name")).toString(), QStringLiteral("England"));
        QCOMPARE(r.value(QStringLiteral("src_geo_timezone")).toString(), QStringLiteral("Europe/London"));
        QCOMPARE(r.value(QStringLiteral("src_geo_latitude")).toDouble(), 51.75);
        QCOMPARE(r.value(QStringLiteral("src_geo_longitude")).toDouble(), -1.25);
        QCOMPARE(r.value(QStringLiteral("dst_asn_autonomous_system_number")).toInteger(), 1221);
        QCOMPARE(r.value(QStringLiteral("dst_asn_autonomous_system_organization")).toString(),
                 QStringLiteral("Telstra Pty Ltd"));
        QCOMPARE(r.value(QStringLiteral("src_addr_class")).toString(), QStringLiteral("public"));
        QVERIFY(!r.contains(QStringLiteral("dst_geo_city_name"))); // unknown: left out, never null
    }

    void badForwardConfigFailsTheStart()
    {
        QTemporaryDir dir;
        FakeOpenObserve fake;
        auto config = collectorConfig(dir.filePath(QStringLiteral("c.db")), fake);
        config.forward->secret.clear();
        collect::Collector collector;
        auto r = collector.start(config);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(QStringLiteral("secret")), qPrintable(r.error()));
        QVERIFY(!collector.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestCollectorForwarding)
#include "tst_collector_forwarding.moc"
