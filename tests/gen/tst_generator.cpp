#include "core/gen/flow_encoder.h"
#include "core/gen/generator.h"
#include "gen/encoder_harness.h"

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtTest>

using namespace flowlens;

namespace {

/// Collects every datagram arriving on a loopback port, on its own thread.
class LoopbackReceiver
{
public:
    explicit LoopbackReceiver(bool v6)
    {
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        const int buffer = 4 << 20;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        sockaddr_storage addr{};
        socklen_t length = 0;
        if (v6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            length = sizeof(sockaddr_in6);
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&addr);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof(sockaddr_in);
        }
        m_bound = ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), length) == 0;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &length);
        m_endpoint.address = v6 ? *decode::IpAddress::parse("::1") : decode::IpAddress::fromV4(0x7f000001);
        m_endpoint.port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
        m_thread = std::thread([this] { run(); });
    }

    ~LoopbackReceiver()
    {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }

    bool bound() const { return m_bound; }
    decode::Endpoint endpoint() const { return m_endpoint; }
    std::size_t count() const
    {
        std::lock_guard lock(m_mutex);
        return m_datagrams.size();
    }
    std::vector<std::vector<std::byte>> datagrams() const
    {
        std::lock_guard lock(m_mutex);
        return m_datagrams;
    }

private:
    void run()
    {
        std::vector<std::byte> buffer(65536);
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0)
                continue;
            const ssize_t n = ::recv(m_fd, buffer.data(), buffer.size(), 0);
            if (n <= 0)
                continue;
            std::lock_guard lock(m_mutex);
            m_datagrams.emplace_back(buffer.begin(), buffer.begin() + n);
        }
    }

    int m_fd = -1;
    bool m_bound = false;
    decode::Endpoint m_endpoint;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::vector<std::vector<std::byte>> m_datagrams;
    std::thread m_thread;
};

/// A loopback port nothing listens on (bound once, then released).
std::uint16_t closedPort()
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t length = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
    ::close(fd);
    return ntohs(a.sin_port);
}

decode::FlowRecord withoutTimes(decode::FlowRecord r)
{
    r.time_flow_start_ns = r.time_flow_end_ns = 0;
    return r;
}

} // namespace

Q_DECLARE_METATYPE(decode::Protocol)

class TestGenerator : public QObject
{
    Q_OBJECT

private slots:
    void receivesEveryFlow_data()
    {
        QTest::addColumn<decode::Protocol>("proto");
        QTest::addColumn<bool>("v6");
        QTest::addColumn<quint64>("samplingRate");
        QTest::addColumn<int>("recordsPerDatagram");
        QTest::newRow("NetFlow v5") << decode::Protocol::NetFlowV5 << false << quint64(1) << 0;
        QTest::newRow("NetFlow v9") << decode::Protocol::NetFlowV9 << false << quint64(1) << 0;
        QTest::newRow("NetFlow v9 to [::1], sampled")
            << decode::Protocol::NetFlowV9 << true << quint64(100) << 0;
        QTest::newRow("IPFIX") << decode::Protocol::Ipfix << false << quint64(1) << 0;
        QTest::newRow("IPFIX to [::1], 30 per message")
            << decode::Protocol::Ipfix << true << quint64(1) << 30;
        QTest::newRow("sFlow v5, 1:256") << decode::Protocol::SFlowV5 << false << quint64(256) << 0;
    }

    void receivesEveryFlow()
    {
        QFETCH(decode::Protocol, proto);
        QFETCH(bool, v6);
        QFETCH(quint64, samplingRate);
        QFETCH(int, recordsPerDatagram);
        LoopbackReceiver receiver(v6);
        QVERIFY(receiver.bound());

        gen::GenOptions o;
        o.target = receiver.endpoint();
        o.proto = proto;
        o.count = 5000;
        o.flowsPerSecond = 50000;
        o.seed = 17;
        o.domainId = 12;
        o.samplingRate = samplingRate;
        o.recordsPerDatagram = recordsPerDatagram;
        std::atomic<bool> stop{false};
        int reports = 0;
        std::uint64_t lastReported = 0;
        const auto result = gen::runGenerator(o, stop, [&](const gen::GenStats& s) {
            QVERIFY(s.flows >= lastReported);
            lastReported = s.flows;
            ++reports;
        });
        QVERIFY2(result.has_value(), result ? "" : qPrintable(result.error()));
        QCOMPARE(result->flows, o.count);
        QVERIFY(reports >= 1);
        QCOMPARE(lastReported, o.count); // the final report carries the totals
        // Paced: never ahead of the rate.
        QVERIFY(double(result->flows) <= o.flowsPerSecond * result->elapsedSeconds + 1);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.count(), std::size_t(result->datagrams), 10000);

        // Parse what arrived and compare with a replay of the same seed.
        gentest::ExportParser parser(proto);
        std::vector<decode::FlowRecord> got;
        std::uint64_t bytes = 0;
        for (const auto& d : receiver.datagrams()) {
            bytes += d.size();
            const auto p = parser.parse(d);
            QVERIFY2(p.error.empty(), p.error.c_str());
            for (const auto& f : p.flows)
                got.push_back(withoutTimes(f));
        }
        QCOMPARE(bytes, result->bytes);
        QCOMPARE(got.size(), std::size_t(o.count));

        gen::EncoderOptions eo;
        eo.samplingRate = samplingRate;
        eo.domainId = o.domainId;
        const auto encoder = gen::makeEncoder(proto, eo);
        gen::TrafficModel model(gen::modelOptionsFor(o));
        std::vector<decode::FlowRecord> expected;
        for (std::uint64_t i = 0; i < o.count; ++i)
            expected.push_back(withoutTimes(encoder->expectedDecode(model.next(gentest::kNow))));
        const auto byKey = [](const auto& a, const auto& b) {
            return gentest::canonical(a) < gentest::canonical(b);
        };
        std::sort(expected.begin(), expected.end(), byKey);
        std::sort(got.begin(), got.end(), byKey);
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const std::string diff = gentest::firstDifference(expected[i], got[i]);
            QVERIFY2(
                diff.empty(),
                qPrintable(QStringLiteral("flow %1 differs in %2").arg(i).arg(QString::fromStdString(diff))));
        }
    }

    void stopsOnTheFlag()
    {
        LoopbackReceiver receiver(false);
        gen::GenOptions o;
        o.target = receiver.endpoint();
        o.proto = decode::Protocol::NetFlowV9;
        o.flowsPerSecond = 20000; // unbounded count and duration
        std::atomic<bool> stop{false};
        std::thread stopper([&] {
            for (int i = 0; i < 500 && receiver.count() < 20; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            stop = true;
        });
        const auto result = gen::runGenerator(o, stop);
        stopper.join();
        QVERIFY(result.has_value());
        QVERIFY(result->flows > 0);
        QVERIFY(result->datagrams >= 20);
    }

    void stopsAfterTheDuration()
    {
        LoopbackReceiver receiver(false);
        gen::GenOptions o;
        o.target = receiver.endpoint();
        o.proto = decode::Protocol::SFlowV5;
        o.flowsPerSecond = 2000;
        o.durationSeconds = 0.3;
        std::atomic<bool> stop{false};
        const auto result = gen::runGenerator(o, stop);
        QVERIFY(result.has_value());
        QVERIFY(result->flows > 0);
        QVERIFY(result->flows <= 600); // never more than rate x duration
        QVERIFY(result->elapsedSeconds >= 0.3);
    }

    void refusedTargetIsAnError()
    {
        gen::GenOptions o;
        o.target.address = decode::IpAddress::fromV4(0x7f000001);
        o.target.port = closedPort();
        o.proto = decode::Protocol::NetFlowV5;
        o.flowsPerSecond = 0;
        o.count = 1'000'000;
        std::atomic<bool> stop{false};
        const auto result = gen::runGenerator(o, stop);
        QVERIFY(!result.has_value());
        QVERIFY2(result.error().contains(QStringLiteral("Nothing is listening")), qPrintable(result.error()));
        QVERIFY(result.error().contains(QString::number(o.target.port)));
    }

    void invalidOptionsAreErrors_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no protocol") << 0 << QStringLiteral("protocol");
        QTest::newRow("v5 with 31 records") << 1 << QStringLiteral("30 records");
        QTest::newRow("negative rate") << 2 << QStringLiteral("rate");
        QTest::newRow("NaN duration") << 3 << QStringLiteral("duration");
        QTest::newRow("port 0") << 4 << QStringLiteral("port");
        QTest::newRow("no address") << 5 << QStringLiteral("address");
        QTest::newRow("v5 sampling beyond 14 bits") << 6 << QStringLiteral("16383");
    }

    void invalidOptionsAreErrors()
    {
        QFETCH(int, which);
        QFETCH(QString, mentions);
        gen::GenOptions o;
        o.target = *decode::Endpoint::parse("127.0.0.1:9");
        o.proto = decode::Protocol::NetFlowV5;
        o.count = 1;
        switch (which) {
        case 0:
            o.proto = decode::Protocol::Unknown;
            break;
        case 1:
            o.recordsPerDatagram = 31;
            break;
        case 2:
            o.flowsPerSecond = -5;
            break;
        case 3:
            o.durationSeconds = std::nan("");
            break;
        case 4:
            o.target.port = 0;
            break;
        case 5:
            o.target.address = decode::IpAddress::fromV4(0);
            break;
        case 6:
            o.samplingRate = 20000;
            break;
        }
        std::atomic<bool> stop{false};
        const auto result = gen::runGenerator(o, stop);
        QVERIFY(!result.has_value());
        QVERIFY2(result.error().contains(mentions), qPrintable(result.error()));
    }

    void checkOptionsAcceptsASensibleRun()
    {
        gen::GenOptions o;
        o.target = *decode::Endpoint::parse("[::1]:4739");
        o.proto = decode::Protocol::Ipfix;
        QVERIFY(gen::checkOptions(o).has_value());
        o.target.port = 0;
        QVERIFY(!gen::checkOptions(o).has_value());
    }

    void protocolNames()
    {
        for (auto p : {decode::Protocol::NetFlowV5, decode::Protocol::NetFlowV9, decode::Protocol::Ipfix,
                       decode::Protocol::SFlowV5})
            QCOMPARE(gen::parseProtocol(gen::protocolName(p)), std::optional<decode::Protocol>(p));
        QCOMPARE(gen::parseProtocol("V5"), std::optional<decode::Protocol>(decode::Protocol::NetFlowV5));
        QCOMPARE(gen::parseProtocol("sflow"), std::optional<decode::Protocol>(decode::Protocol::SFlowV5));
        QVERIFY(!gen::parseProtocol("netflow7").has_value());
        QCOMPARE(gen::defaultPort(decode::Protocol::Ipfix), std::uint16_t(4739));
        QCOMPARE(gen::defaultPort(decode::Protocol::SFlowV5), std::uint16_t(6343));
        QCOMPARE(gen::defaultPort(decode::Protocol::NetFlowV9), std::uint16_t(2055));
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
