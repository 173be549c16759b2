#include "core/gen/traffic_model.h"
#include "gen/export_parse.h"

#include <algorithm>
#include <map>
#include <set>

#include <QtTest>

using namespace flowlens;

namespace {

constexpr std::uint64_t kNow = 1'700'000'000'123'456'789ull;

std::vector<decode::FlowRecord> generate(const gen::TrafficModelOptions& options, int n)
{
    gen::TrafficModel model(options);
    std::vector<decode::FlowRecord> out;
    out.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i)
        out.push_back(model.next(kNow + std::uint64_t(i) * 1'000'000));
    return out;
}

bool isPrivate(const decode::IpAddress& a)
{
    if (a.isV4()) {
        const std::uint32_t v = a.v4();
        return (v >> 24) == 10 || (v >> 16) == 0xc0a8 || (v >> 20) == 0xac1;
    }
    return a.bytes[0] == 0x20 && a.bytes[1] == 0x01 && a.bytes[2] == 0x0d &&
           a.bytes[3] == 0xb8; // 2001:db8::/32
}

/// Share of the total held by the ten largest values.
double topTenShare(const std::map<decode::IpAddress, double>& totals)
{
    std::vector<double> v;
    double sum = 0;
    for (const auto& [k, x] : totals) {
        v.push_back(x);
        sum += x;
    }
    std::sort(v.rbegin(), v.rend());
    double top = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(10, v.size()); ++i)
        top += v[i];
    return sum > 0 ? top / sum : 0;
}

} // namespace

class TestTrafficModel : public QObject
{
    Q_OBJECT

private slots:
    void sameSeedSameSequence_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<double>("ipv6Share");
        QTest::newRow("seed 1") << quint64(1) << 0.25;
        QTest::newRow("seed 42, IPv4 only") << quint64(42) << 0.0;
        QTest::newRow("seed 2^63, IPv6 heavy") << (quint64(1) << 63) << 0.9;
    }

    void sameSeedSameSequence()
    {
        QFETCH(quint64, seed);
        QFETCH(double, ipv6Share);
        gen::TrafficModelOptions o;
        o.seed = seed;
        o.ipv6Share = ipv6Share;
        const auto a = generate(o, 20000);
        const auto b = generate(o, 20000);
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string diff = gentest::firstDifference(a[i], b[i]);
            QVERIFY2(diff.empty(),
                     qPrintable(
                         QStringLiteral("record %1 differs in %2").arg(i).arg(QString::fromStdString(diff))));
        }
    }

    void onlyTimesDependOnNow()
    {
        // Tests replay a seed with a fixed "now" to compute what a live run sent: whatever the
        // clock did, everything but the times is the same, and a constant shift of "now" shifts
        // every time by exactly that much.
        gen::TrafficModel fixed, shifted, wandering;
        const std::uint64_t shift = 86'400'000'000'000ull;
        for (int i = 0; i < 5000; ++i) {
            decode::FlowRecord x = fixed.next(kNow);
            const decode::FlowRecord y = shifted.next(kNow + shift);
            const decode::FlowRecord z = wandering.next(kNow + std::uint64_t(i) * 7'000'000'000ull);
            QCOMPARE(y.time_flow_start_ns - x.time_flow_start_ns, shift);
            QCOMPARE(y.time_flow_end_ns - x.time_flow_end_ns, shift);
            x.time_flow_start_ns = z.time_flow_start_ns;
            x.time_flow_end_ns = z.time_flow_end_ns;
            QCOMPARE(QString::fromStdString(gentest::firstDifference(x, z)), QString());
        }
    }

    void differentSeedsDiffer()
    {
        gen::TrafficModelOptions o1, o2;
        o1.seed = 1;
        o2.seed = 2;
        const auto a = generate(o1, 1000);
        const auto b = generate(o2, 1000);
        int same = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            same += gentest::firstDifference(a[i], b[i]).empty() ? 1 : 0;
        QCOMPARE(same, 0);
    }

    void recordsArePlausible()
    {
        const auto flows = generate({}, 50000);
        const auto interfaces = gen::TrafficModel::interfaces();
        std::set<std::uint8_t> protocols;
        for (const auto& r : flows) {
            QVERIFY(r.packets >= 1);
            QVERIFY2(r.bytes >= 40 * r.packets, "every packet carries at least an IP and a transport header");
            QVERIFY2(r.bytes <= 1500 * r.packets, "no packet above the 1500-byte MTU");
            QVERIFY(r.time_flow_start_ns <= r.time_flow_end_ns);
            QVERIFY(r.time_flow_end_ns <= kNow + 50'000ull * 1'000'000);
            QCOMPARE(r.time_flow_start_ns % 1'000'000, std::uint64_t(0));
            QVERIFY(r.time_flow_end_ns - r.time_flow_start_ns <= 60'000ull * 1'000'000);
            QCOMPARE(r.src_addr.isV4(), r.dst_addr.isV4());
            QCOMPARE(r.etype, r.src_addr.isV4() ? std::uint16_t(0x0800) : std::uint16_t(0x86dd));
            // AS numbers only for public addresses; lab addresses have none.
            QCOMPARE(r.src_as == 0, isPrivate(r.src_addr));
            QCOMPARE(r.dst_as == 0, isPrivate(r.dst_addr));
            QVERIFY(r.src_net > 0 && r.dst_net > 0);
            QVERIFY(r.in_if >= 1 && r.in_if <= interfaces.size());
            QVERIFY(r.out_if >= 1 && r.out_if <= interfaces.size());
            QVERIFY(r.ip_ttl > 0);
            QVERIFY(r.src_mac != 0 && r.dst_mac != 0);
            if (r.proto == 6)
                QVERIFY(r.tcp_flags != 0);
            else
                QCOMPARE(r.tcp_flags, std::uint16_t(0));
            if (r.proto == 1 || r.proto == 58) {
                QCOMPARE(r.src_port, std::uint16_t(0));
                QCOMPARE(r.dst_port, std::uint16_t(0));
                QCOMPARE(r.proto == 58, !r.src_addr.isV4());
            } else {
                QVERIFY(r.src_port != 0 && r.dst_port != 0);
            }
            protocols.insert(r.proto);
        }
        QVERIFY(protocols == (std::set<std::uint8_t>{1, 6, 17, 58}));
    }

    void heavyTailedTalkers()
    {
        const auto flows = generate({}, 100000);
        std::map<decode::IpAddress, double> bytes, count;
        for (const auto& r : flows) {
            bytes[r.src_addr] += double(r.bytes);
            count[r.src_addr] += 1;
        }
        // Thousands of sources, yet the ten heaviest carry a large share: a Zipf-like head.
        QVERIFY2(bytes.size() > 5000, qPrintable(QString::number(bytes.size())));
        const double byBytes = topTenShare(bytes), byFlows = topTenShare(count);
        QVERIFY2(byBytes > 0.25, qPrintable(QString::number(byBytes)));
        QVERIFY2(byFlows > 0.15, qPrintable(QString::number(byFlows)));
        // Byte counts are heavy tailed: the largest flow dwarfs the median.
        std::vector<std::uint64_t> sizes;
        for (const auto& r : flows)
            sizes.push_back(r.bytes);
        std::sort(sizes.begin(), sizes.end());
        QVERIFY(sizes.back() > 1000 * sizes[sizes.size() / 2]);
    }

    void bothFamiliesWhenIpv6IsOn()
    {
        const auto flows = generate({}, 20000);
        const auto v6 =
            std::count_if(flows.begin(), flows.end(), [](const auto& r) { return !r.src_addr.isV4(); });
        const double share = double(v6) / double(flows.size());
        QVERIFY2(share > 0.10 && share < 0.35, qPrintable(QString::number(share)));

        gen::TrafficModelOptions v4only;
        v4only.ipv6Share = 0;
        for (const auto& r : generate(v4only, 20000))
            QVERIFY(r.src_addr.isV4());
    }

    void commonServicesDominate()
    {
        const auto flows = generate({}, 50000);
        std::map<std::pair<int, int>, int> services; // (proto, server port)
        for (const auto& r : flows)
            ++services[{r.proto, std::min(r.src_port, r.dst_port)}];
        const auto share = [&](int proto, int port) {
            return double(services[{proto, port}]) / double(flows.size());
        };
        double common = 0;
        for (auto [proto, port] : std::initializer_list<std::pair<int, int>>{{6, 443},
                                                                             {17, 443},
                                                                             {6, 80},
                                                                             {17, 53},
                                                                             {17, 123},
                                                                             {6, 22},
                                                                             {6, 25},
                                                                             {6, 587},
                                                                             {6, 993},
                                                                             {6, 3389},
                                                                             {6, 445}})
            common += share(proto, port);
        QVERIFY2(common > 0.75, qPrintable(QString::number(common)));
        QVERIFY(share(6, 443) > 0.25);   // https leads
        QVERIFY(share(17, 443) > 0.05);  // QUIC
        QVERIFY(share(17, 53) > 0.08);   // DNS
        QVERIFY(share(17, 123) > 0.005); // NTP
        QVERIFY(share(6, 3389) > 0.005); // RDP
    }
};

QTEST_GUILESS_MAIN(TestTrafficModel)
#include "tst_traffic_model.moc"
