#include "core/collect/collector.h"
#include "core/collect/flow_queue.h"
#include "core/collect/udp_receiver.h"
#include "core/store/flow_reader.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

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

/// A NetFlow v5 datagram with `count` records: source 10.0.0.<i+1>, 1000*(i+1) bytes, 10 packets.
std::vector<std::uint8_t> v5Datagram(int count, std::uint32_t sequence)
{
    std::vector<std::uint8_t> b(24 + 48 * std::size_t(count), 0);
    put16(b, 0, 5);
    put16(b, 2, std::uint16_t(count));
    put32(b, 4, 100000);                         // sysUptime ms
    put32(b, 8, std::uint32_t(::time(nullptr))); // unix secs
    put32(b, 16, sequence);
    for (int i = 0; i < count; ++i) {
        const std::size_t r = 24 + 48 * std::size_t(i);
        put32(b, r + 0, 0x0a000001u + std::uint32_t(i)); // src
        put32(b, r + 4, 0xc6336401u);                    // dst 198.51.100.1
        put32(b, r + 16, 10);                            // packets
        put32(b, r + 20, 1000u * std::uint32_t(i + 1));  // bytes
        put32(b, r + 24, 90000);                         // first
        put32(b, r + 28, 99000);                         // last
        put16(b, r + 32, std::uint16_t(40000 + i));
        put16(b, r + 34, 443);
        b[r + 38] = 6;
    }
    return b;
}

/// Sends from one socket, so every datagram comes from the same exporter address and port.
int sendTo(std::uint16_t port, const std::vector<std::uint8_t>& payload)
{
    static const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return int(::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to));
}

} // namespace

class TestCollector : public QObject
{
    Q_OBJECT

private slots:
    void receivesDecodesAndStoresEverything()
    {
        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("c.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY2(bound.has_value(), bound ? "" : qPrintable(bound.error()));
        QCOMPARE(int(bound->size()), 1);
        QVERIFY(bound->front().listening);
        const std::uint16_t port = bound->front().endpoint.port;
        QVERIFY(port != 0);
        QVERIFY(bound->front().receiveBufferBytes > 0);

        for (std::uint32_t d = 0; d < 200; ++d)
            QCOMPARE(sendTo(port, v5Datagram(30, d * 30)), 24 + 48 * 30);
        QSignalSpy spy(&collector, &collect::Collector::snapshotReady);
        QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().receiver.flowsDecoded == 6000, 10000);

        auto stopped = collector.stop();
        QVERIFY(stopped.has_value());
        QCOMPARE(stopped->flowsStored, std::uint64_t(6000));
        const auto last = collector.lastSnapshot();
        QCOMPARE(last.receiver.datagrams, std::uint64_t(200));
        QCOMPARE(last.receiver.flowsDropped, std::uint64_t(0));
        QCOMPARE(int(last.receiver.exporters.size()), 1);
        QCOMPARE(last.receiver.exporters.front().second.sequenceLost, std::uint64_t(0));

        auto reader = store::FlowReader::open(config.databasePath);
        QVERIFY(reader.has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(6000));
        std::uint64_t bytes = 0;
        QVERIFY((*reader)->scan({}, [&](std::span<const decode::FlowRecord> flows) {
            for (const auto& f : flows)
                bytes += f.bytes;
            return true;
        }));
        QCOMPARE(bytes, std::uint64_t(200) * 1000 * (30 * 31 / 2));
    }

    void stopFlushesWhatTheSocketHolds()
    {
        // Datagrams sent right before stop() are still stored: stop drains the socket first.
        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("c.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY(bound.has_value());
        for (std::uint32_t d = 0; d < 50; ++d)
            sendTo(bound->front().endpoint.port, v5Datagram(10, d * 10));
        auto stopped = collector.stop();
        QVERIFY(stopped.has_value());
        QCOMPARE(stopped->flowsStored, std::uint64_t(500));
    }

    void portInUseIsAClearError()
    {
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        const std::uint16_t busy = ntohs(a.sin_port);

        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("c.db"));
        config.endpoints = {decode::Endpoint{decode::IpAddress::fromV4(0x7f000001u), busy}};
        collect::Collector collector;
        auto r = collector.start(config);
        ::close(fd);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(QString::number(busy)) &&
                     r.error().contains(QStringLiteral("already in use")),
                 qPrintable(r.error()));
        QVERIFY(!collector.isRunning());
    }

    void unwritableDatabaseIsAClearError()
    {
        collect::CollectorConfig config;
        config.databasePath = QStringLiteral("/proc/flowlens-cannot-write-here/c.db");
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        collect::Collector collector;
        auto r = collector.start(config);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(QStringLiteral("/proc/flowlens-cannot-write-here/c.db")),
                 qPrintable(r.error()));
    }

    void allowlistDropsOtherExporters()
    {
        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("c.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        config.allow = {*collect::Cidr::parse("10.0.0.0/8"), *collect::Cidr::parse("2001:db8::/32")};
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY(bound.has_value());
        for (std::uint32_t d = 0; d < 20; ++d)
            sendTo(bound->front().endpoint.port, v5Datagram(10, d * 10));
        QTRY_COMPARE_WITH_TIMEOUT(collector.lastSnapshot().receiver.datagramsNotAllowed, std::uint64_t(20),
                                  10000);
        auto stopped = collector.stop();
        QVERIFY(stopped.has_value());
        QCOMPARE(stopped->flowsStored, std::uint64_t(0));
        const auto& refused = collector.lastSnapshot().receiver.refusedSources;
        QCOMPARE(int(refused.size()), 1);
        QVERIFY(refused.front().first.address == decode::IpAddress::fromV4(0x7f000001u));
        QCOMPARE(refused.front().second, std::uint64_t(20));

        // Allowing loopback lets the same exporter in.
        config.allow.push_back(*collect::Cidr::parse("127.0.0.0/8"));
        collect::Collector again;
        bound = again.start(config);
        QVERIFY(bound.has_value());
        for (std::uint32_t d = 0; d < 20; ++d)
            sendTo(bound->front().endpoint.port, v5Datagram(10, d * 10));
        QTRY_COMPARE_WITH_TIMEOUT(again.lastSnapshot().receiver.flowsDecoded, std::uint64_t(200), 10000);
        QCOMPARE(again.stop()->flowsStored, std::uint64_t(200));
    }

    void cidrParsing_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<QString>("inside");
        QTest::addColumn<QString>("outside");
        QTest::newRow("v4 /8") << QStringLiteral("10.1.2.3/8") << QStringLiteral("10.0.0.0/8")
                               << QStringLiteral("10.200.0.1") << QStringLiteral("11.0.0.1");
        QTest::newRow("v4 host") << QStringLiteral("192.0.2.7") << QStringLiteral("192.0.2.7/32")
                                 << QStringLiteral("192.0.2.7") << QStringLiteral("192.0.2.8");
        QTest::newRow("v6 /32") << QStringLiteral("2001:db8::/32") << QStringLiteral("2001:db8::/32")
                                << QStringLiteral("2001:db8:ffff::1") << QStringLiteral("2001:db9::1");
        QTest::newRow("v4 network never holds v6")
            << QStringLiteral("0.0.0.0/0") << QStringLiteral("0.0.0.0/0") << QStringLiteral("8.8.8.8")
            << QStringLiteral("::1");
        QTest::newRow("bad prefix") << QStringLiteral("10.0.0.0/33") << QString() << QString() << QString();
        QTest::newRow("not an address") << QStringLiteral("lab") << QString() << QString() << QString();
    }

    void cidrParsing()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QFETCH(QString, inside);
        QFETCH(QString, outside);
        const auto c = collect::Cidr::parse(text.toStdString());
        QCOMPARE(c.has_value(), !canonical.isEmpty());
        if (!c)
            return;
        QCOMPARE(QString::fromStdString(c->toString()), canonical);
        QVERIFY(c->contains(*decode::IpAddress::parse(inside.toStdString())));
        QVERIFY(!c->contains(*decode::IpAddress::parse(outside.toStdString())));
    }

    void queueOverflowIsCountedNotBlocking()
    {
        // A queue of 100 flows cannot take 30-flow batches fast enough when the writer is busy:
        // whatever does not fit is counted as dropped; received = stored + dropped.
        QTemporaryDir dir;
        collect::CollectorConfig config;
        config.databasePath = dir.filePath(QStringLiteral("c.db"));
        config.endpoints = {*decode::Endpoint::parse("127.0.0.1:0")};
        config.queueCapacityFlows = 100;
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY(bound.has_value());
        for (std::uint32_t d = 0; d < 2000; ++d)
            sendTo(bound->front().endpoint.port, v5Datagram(30, d * 30));
        auto stopped = collector.stop();
        QVERIFY(stopped.has_value());
        const auto last = collector.lastSnapshot();
        QCOMPARE(stopped->flowsStored + last.receiver.flowsDropped, last.receiver.flowsDecoded);
        QCOMPARE(last.receiver.flowsDecoded, last.receiver.datagrams * 30);
    }

    void fullQueueLeavesDatagramsToTheKernel()
    {
        // When the queue has no room for another read the receiver stops reading: datagrams wait
        // in the socket buffer (not decoded just to be dropped), what does not fit there is
        // dropped by the kernel and counted; once the writer makes room, the receiver reads on.
        // Nothing goes uncounted.
        collect::FlowQueue queue(5000);
        collect::UdpReceiver receiver(queue, decode::DecoderLimits{}, 256 * 1024);
        auto bound = receiver.bindAll({*decode::Endpoint::parse("127.0.0.1:0")}, false);
        QVERIFY(bound.has_value());
        const std::uint16_t port = bound->front().endpoint.port;

        // First a burst that fills the queue (5,000 flows are 167 datagrams; the receive buffer
        // holds ~200 of them, the rest the kernel drops at once: this thread sends them all
        // before the receiver, on the same thread, reads).
        std::uint32_t sent = 0;
        for (; sent < 400; ++sent)
            QCOMPARE(sendTo(port, v5Datagram(30, sent * 30)), 24 + 48 * 30);
        QTRY_VERIFY_WITH_TIMEOUT(queue.depth() > 5000 / 2, 5000);
        QTest::qWait(200); // reads as long as the queue has room for a read, then pauses
        const auto full = receiver.snapshot();
        QVERIFY(full.datagramsDropped > 0);
        QCOMPARE(full.flowsDropped, std::uint64_t(0)); // nothing read that the queue could not take
        QCOMPARE(full.flowsDecoded, full.datagrams * 30);
        QCOMPARE(std::uint64_t(queue.depth()), full.flowsDecoded);
        QVERIFY(full.datagrams + full.datagramsDropped < sent); // some wait in the socket buffer

        // Paused: what comes now waits in the socket buffer (or is dropped by the kernel).
        for (; sent < 800; ++sent)
            QCOMPARE(sendTo(port, v5Datagram(30, sent * 30)), 24 + 48 * 30);
        QTest::qWait(200);
        auto s = receiver.snapshot();
        QCOMPARE(s.datagrams, full.datagrams);      // not read
        QCOMPARE(s.flowsDropped, std::uint64_t(0)); // not decoded just to be dropped
        QVERIFY(s.datagramsDropped > full.datagramsDropped);
        QVERIFY(s.datagrams + s.datagramsDropped < sent); // some wait in the socket buffer
        const std::uint64_t decodedWhilePaused = s.flowsDecoded;
        const std::uint32_t kSent = sent;

        // The writer makes room: the receiver reads what waited in the socket buffer.
        std::vector<collect::PackedFlows> taken;
        std::uint64_t stored = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                while (queue.take(taken, SIZE_MAX) || !taken.empty()) {
                    for (const auto& b : taken)
                        stored += b.size();
                    queue.recycle(taken);
                }
                const auto now = receiver.snapshot();
                return now.datagrams + now.datagramsDropped == kSent;
            }(),
            10000);
        const auto final = receiver.drainAndClose();
        QVERIFY(final.flowsDecoded > decodedWhilePaused);
        QCOMPARE(final.datagrams + final.datagramsDropped, std::uint64_t(kSent));
        while (queue.take(taken, SIZE_MAX) || !taken.empty()) {
            for (const auto& b : taken)
                stored += b.size();
            queue.recycle(taken);
        }
        QCOMPARE(stored + final.flowsDropped, final.flowsDecoded);
    }
};

QTEST_GUILESS_MAIN(TestCollector)
#include "tst_collector.moc"
