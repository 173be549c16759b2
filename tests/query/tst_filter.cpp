#include "core/decode/flow_record.h"
#include "core/decode/ip_address.h"
#include "core/query/filter.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include <QtTest>

using namespace flowlens;
using decode::FlowField;
using decode::FlowRecord;
using query::CounterMode;
using query::Filter;

Q_DECLARE_METATYPE(flowlens::decode::FlowRecord)

// Counts heap allocations while g_counting is set, to prove that matches() never allocates.
namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
} // namespace

void* operator new(std::size_t size)
{
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

namespace {

decode::IpAddress addr(const char* text)
{
    const auto a = decode::IpAddress::parse(text);
    if (!a)
        qFatal("bad address in test: %s", text);
    return *a;
}

constexpr std::uint64_t kStart = 1'700'000'000'000'000'000ull;

/// A TCP flow 10.0.0.1:51000 -> 192.168.1.10:443, 1500 bytes in 3 packets over 2.5 s, flags SA.
FlowRecord baseRecord()
{
    FlowRecord r;
    r.type = decode::FlowType::Ipfix;
    r.time_received_ns = kStart + 3'000'000'000ull;
    r.time_flow_start_ns = kStart;
    r.time_flow_end_ns = kStart + 2'500'000'000ull;
    r.bytes = 1500;
    r.packets = 3;
    r.sampling_rate = 0;
    r.src_mac = 0x001122334455ull;
    r.dst_mac = 0xaabbccddeeffull;
    r.sampler_address = addr("192.0.2.1");
    r.src_addr = addr("10.0.0.1");
    r.dst_addr = addr("192.168.1.10");
    r.next_hop = addr("10.0.0.254");
    r.bgp_next_hop = addr("198.51.100.1");
    r.in_if = 3;
    r.out_if = 7;
    r.src_as = 64500;
    r.dst_as = 15169;
    r.etype = 0x0800;
    r.src_port = 51000;
    r.dst_port = 443;
    r.src_vlan = 10;
    r.dst_vlan = 20;
    r.tcp_flags = 0x12;
    r.proto = 6;
    r.ip_tos = 0x20;
    r.src_net = 24;
    r.dst_net = 16;
    return r;
}

/// Changes to the base record, chained: R().proto(17).dstPort(53).
struct R
{
    FlowRecord r = baseRecord();
    R& src(const char* a)
    {
        r.src_addr = a ? addr(a) : decode::IpAddress{};
        return *this;
    }
    R& dst(const char* a)
    {
        r.dst_addr = a ? addr(a) : decode::IpAddress{};
        return *this;
    }
    R& proto(std::uint8_t p)
    {
        r.proto = p;
        return *this;
    }
    R& ports(std::uint16_t s, std::uint16_t d)
    {
        r.src_port = s;
        r.dst_port = d;
        return *this;
    }
    R& flags(std::uint16_t f)
    {
        r.tcp_flags = f;
        return *this;
    }
    R& icmp(std::uint8_t type, std::uint8_t code)
    {
        r.icmp_type = type;
        r.icmp_code = code;
        return *this;
    }
    R& counters(std::uint64_t bytes, std::uint64_t packets, std::uint64_t rate)
    {
        r.bytes = bytes;
        r.packets = packets;
        r.sampling_rate = rate;
        return *this;
    }
    R& durationMs(std::uint64_t ms)
    {
        r.time_flow_end_ns = r.time_flow_start_ns + ms * 1'000'000ull;
        return *this;
    }
    R& vlanId(std::uint16_t v)
    {
        r.vlan_id = v;
        return *this;
    }
    R& etype(std::uint16_t e)
    {
        r.etype = e;
        return *this;
    }
    R& nextHopAs(std::uint32_t as)
    {
        r.next_hop_as = as;
        return *this;
    }
    operator FlowRecord() const { return r; }
};

FlowRecord v6Record()
{
    return R().src("2001:db8::1").dst("2001:db8:1::53").etype(0x86dd);
}

Filter mustParse(const QString& text, CounterMode mode = CounterMode::Scaled)
{
    auto f = Filter::parse(text, mode);
    if (!f)
        qFatal("filter did not parse: %s: %s", qPrintable(text), qPrintable(f.error().toString()));
    return *f;
}

QStringList fieldNames(const std::vector<FlowField>& fields)
{
    QStringList names;
    for (const FlowField f : fields)
        names << QString::fromLatin1(decode::fieldInfo(f).name.data(),
                                     qsizetype(decode::fieldInfo(f).name.size()));
    return names;
}

/// "dst_port=0-100,src_addr=10.0.0.0-10.255.255.255" -> ranges for mayMatch().
void parseRanges(const QString& spec, std::vector<query::FieldRange>& values,
                 std::vector<query::AddressRange>& addresses)
{
    for (const QString& part : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = part.section(QLatin1Char('='), 0, 0);
        const QString range = part.section(QLatin1Char('='), 1);
        const QString lo = range.section(QLatin1Char('-'), 0, 0);
        const QString hi = range.section(QLatin1Char('-'), 1);
        const decode::FieldInfo* info = decode::findField(name.toStdString());
        if (!info)
            qFatal("unknown field in test: %s", qPrintable(name));
        if (info->kind == decode::FieldKind::Address)
            addresses.push_back(
                {info->field, addr(lo.toLatin1().constData()), addr(hi.toLatin1().constData())});
        else
            values.push_back({info->field, lo.toULongLong(), hi.toULongLong()});
    }
}

} // namespace

class TestFilter : public QObject
{
    Q_OBJECT

private slots:
    void emptyFilterMatchesEverything_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("blanks") << QStringLiteral("   \t\n ");
        QTest::newRow("only a comment") << QStringLiteral("  # nothing to see");
    }

    void emptyFilterMatchesEverything()
    {
        QFETCH(QString, text);
        const Filter f = mustParse(text);
        QVERIFY(f.isEmpty());
        QVERIFY(f.matchesEverything());
        QCOMPARE(f.text(), text);
        QVERIFY(f.fields().empty());
        QVERIFY(f.matches(baseRecord()));
        QVERIFY(f.matches(FlowRecord{}));
        QVERIFY(f.mayMatchRange(FlowField::DstPort, 1, 2));
    }

    void defaultFilterMatchesEverything()
    {
        const Filter f;
        QVERIFY(f.isEmpty());
        QVERIFY(f.matches(baseRecord()));
        QVERIFY(f.matches(FlowRecord{}));
        QCOMPARE(f.counterMode(), CounterMode::Scaled);
    }

    void accepts_data()
    {
        QTest::addColumn<QString>("text");
        const char* const texts[] = {
            "any",
            "PORT 80 AND PROTO TCP",
            "port 80 # web\n and proto tcp",
            "src net 10.0.0.0/8 and not dst port in [22, 23] or (ipv6 && bytes >= 1M)",
            "host 2001:db8::1 or net 2001:db8::/32 or ip ::1",
            "src ip in [10.0.0.1 10.0.0.0/8, 2001:db8::/48 ::ffff:1.2.3.4]",
            "as in [15169,13335] and next as 3356",
            "in if 3 and out if > 5 and if in [1 2 3]",
            "vlan 10 and src vlan 10 and dst vlan < 100 and src mask 24 and dst mask ge 16",
            "src mac 00:11:22:33:44:55 or dst mac aa-bb-cc-dd-ee-ff",
            "tos 0x20 and ethertype 0x0800",
            "flags SA and not flags FRPU and flags == 0x12 and flags X",
            "icmp-type 8 or icmp-code 0 or icmp type 3 or icmp code 1",
            "next ip 10.0.0.254 and bgp next ip 198.51.100.1 and bgpnext ip 198.51.100.1",
            "exporter 192.0.2.1 or exporter ip 192.0.2.1 or exporter net 192.0.2.0/24 or router ip 192.0.2.1",
            "bytes > 1.5k and packets lt 1g and duration >= 100 and bps > 1m and pps < 10k and bpp eq 500",
            "sampled or ipv4 or inet or inet6",
            "proto icmp6 or proto gre or proto esp or proto 132 or proto in [tcp udp 47]",
            "tcp or udp or icmp or icmp6 or sctp",
            "port!=80&&port<1024||!(port>=2000)",
            "net 10.0.0.0 mask 255.0.0.0 or net 172.16.0.0 255.240.0.0",
            "((((port 1))))",
            "not not not port 1",
        };
        for (const char* t : texts)
            QTest::newRow(
                QString::fromLatin1(t).replace(QLatin1Char('\n'), QLatin1Char(' ')).toLatin1().constData())
                << QString::fromLatin1(t);
    }

    void accepts()
    {
        QFETCH(QString, text);
        const auto f = Filter::parse(text);
        QVERIFY2(f.has_value(), f ? "" : qPrintable(f.error().toString()));
        QVERIFY(!f->isEmpty());
        QCOMPARE(f->text(), text);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("position");
        QTest::addColumn<int>("length");
        QTest::addColumn<QString>("message");

        QTest::newRow("bad IPv4") << QStringLiteral("src ip 10.0.0.300") << 7 << 10
                                  << QStringLiteral(
                                         "expected an IPv4 or IPv6 address after \"src ip\", found "
                                         "\"10.0.0.300\"");
        QTest::newRow("bad IPv6") << QStringLiteral("dst host 2001:db8:::1") << 9 << 12
                                  << QStringLiteral(
                                         "expected an IPv4 or IPv6 address after \"dst host\", found "
                                         "\"2001:db8:::1\"");
        QTest::newRow("mistyped keyword")
            << QStringLiteral("potr 443") << 0 << 4
            << QStringLiteral("unknown keyword \"potr\" (did you mean 'port'?)");
        QTest::newRow("mistyped qualifier")
            << QStringLiteral("dts port 80") << 0 << 3
            << QStringLiteral("unknown keyword \"dts\" (did you mean 'dst'?)");
        QTest::newRow("mistyped protocol keyword")
            << QStringLiteral("protocl tcp") << 0 << 7
            << QStringLiteral("unknown keyword \"protocl\" (did you mean 'protocol'?)");
        QTest::newRow("unknown word, no suggestion") << QStringLiteral("port 80 or frobnicate") << 11 << 10
                                                     << QStringLiteral("unknown keyword \"frobnicate\"");
        QTest::newRow("bare address")
            << QStringLiteral("10.0.0.1") << 0 << 8
            << QStringLiteral("unknown keyword \"10.0.0.1\" (did you mean 'host 10.0.0.1'?)");
        QTest::newRow("bare prefix") << QStringLiteral("10.0.0.0/8") << 0 << 10
                                     << QStringLiteral("unknown keyword \"10.0.0.0/8\" (did you mean 'net "
                                                       "10.0.0.0/8'?)");
        QTest::newRow("bare number") << QStringLiteral("proto tcp and 443") << 14 << 3
                                     << QStringLiteral("unknown keyword \"443\" (did you mean 'port 443'?)");
        QTest::newRow("after src")
            << QStringLiteral("src prot 80") << 4 << 4
            << QStringLiteral(
                   "expected \"ip\", \"host\", \"net\", \"port\", \"as\", \"vlan\", \"mask\", \"mac\" or "
                   "\"country\" after \"src\", found \"prot\" (did you mean 'port'?)");
        QTest::newRow("after in") << QStringLiteral("in port 3") << 3 << 4
                                  << QStringLiteral("expected \"if\" after \"in\", found \"port\"");
        QTest::newRow("bgp without next") << QStringLiteral("bgp ip 1.2.3.4") << 4 << 2
                                          << QStringLiteral("expected \"next\" after \"bgp\", found \"ip\"");
        QTest::newRow("port missing")
            << QStringLiteral("port") << 4 << 0
            << QStringLiteral("expected a port number (0-65535) after \"port\", found "
                              "end of filter");
        QTest::newRow("port too big")
            << QStringLiteral("port 70000") << 5 << 5
            << QStringLiteral("expected a port number (0-65535) after \"port\", found "
                              "\"70000\"");
        QTest::newRow("port not a number")
            << QStringLiteral("dst port > abc") << 11 << 3
            << QStringLiteral("expected a port number (0-65535) after \"dst port >\", found \"abc\"");
        QTest::newRow("unknown protocol")
            << QStringLiteral("proto tcpp") << 6 << 4
            << QStringLiteral(
                   "expected a protocol name or number after \"proto\", found \"tcpp\" (did you mean "
                   "'tcp'?)");
        QTest::newRow("protocol out of range")
            << QStringLiteral("proto 256") << 6 << 3
            << QStringLiteral("expected a protocol name or number after \"proto\", found \"256\"");
        QTest::newRow("unclosed paren")
            << QStringLiteral("(port 80") << 8 << 0
            << QStringLiteral("expected \")\" to close the \"(\" at column 1, found end "
                              "of filter");
        QTest::newRow("extra paren") << QStringLiteral("port 80)") << 7 << 1
                                     << QStringLiteral("unbalanced \")\": there is no \"(\" to close");
        QTest::newRow("missing and") << QStringLiteral("port 80 proto tcp") << 8 << 5
                                     << QStringLiteral(
                                            "expected \"and\", \"or\" or end of filter after \"80\", found "
                                            "\"proto\"");
        QTest::newRow("dangling and")
            << QStringLiteral("port 80 and") << 11 << 0
            << QStringLiteral("expected a filter term after \"and\", found end of filter");
        QTest::newRow("leading and") << QStringLiteral("and port 80") << 0 << 3
                                     << QStringLiteral("expected a filter term, found \"and\"");
        QTest::newRow("dangling not")
            << QStringLiteral("not") << 3 << 0
            << QStringLiteral("expected a filter term after \"not\", found end of filter");
        QTest::newRow("empty parens") << QStringLiteral("()") << 1 << 1
                                      << QStringLiteral("expected a filter term after \"(\", found \")\"");
        QTest::newRow("net without prefix")
            << QStringLiteral("net 10.0.0.0") << 4 << 8
            << QStringLiteral(
                   "expected a network with a prefix length after \"net\", found \"10.0.0.0\" (write "
                   "\"10.0.0.0/24\" or \"10.0.0.0 mask 255.255.255.0\")");
        QTest::newRow("IPv4 prefix too long")
            << QStringLiteral("src net 10.0.0.0/33") << 8 << 11
            << QStringLiteral("invalid prefix length in \"10.0.0.0/33\": IPv4 allows 0-32");
        QTest::newRow("IPv6 prefix too long")
            << QStringLiteral("net 2001:db8::/129") << 4 << 14
            << QStringLiteral("invalid prefix length in \"2001:db8::/129\": IPv6 allows 0-128");
        QTest::newRow("prefix not a number")
            << QStringLiteral("net 10.0.0.0/x") << 4 << 10
            << QStringLiteral("invalid prefix length in \"10.0.0.0/x\": IPv4 allows "
                              "0-32");
        QTest::newRow("non-contiguous mask")
            << QStringLiteral("net 10.0.0.0 mask 255.0.255.0") << 18 << 11
            << QStringLiteral(
                   "expected an IPv4 netmask such as 255.255.255.0 after \"net 10.0.0.0 mask\", found "
                   "\"255.0.255.0\"");
        QTest::newRow("single ampersand") << QStringLiteral("port 80 & port 443") << 8 << 1
                                          << QStringLiteral("unexpected \"&\" (use \"and\" or \"&&\")");
        QTest::newRow("single pipe") << QStringLiteral("port 80 | port 443") << 8 << 1
                                     << QStringLiteral("unexpected \"|\" (use \"or\" or \"||\")");
        QTest::newRow("bad flags")
            << QStringLiteral("flags SYN") << 6 << 3
            << QStringLiteral(
                   "expected TCP flag letters (F S R P A U E C, X = all) or a number (0-255) after "
                   "\"flags\", found \"SYN\"");
        QTest::newRow("fraction without suffix")
            << QStringLiteral("bytes > 1.5") << 8 << 3
            << QStringLiteral("expected a number after \"bytes >\", found \"1.5\"");
        QTest::newRow("fraction too fine")
            << QStringLiteral("bytes > 1.0005k") << 8 << 7
            << QStringLiteral("expected a number after \"bytes >\", found \"1.0005k\"");
        QTest::newRow("number overflows") << QStringLiteral("packets > 18446744073709551616") << 10 << 20
                                          << QStringLiteral("expected a number after \"packets >\", found "
                                                            "\"18446744073709551616\"");
        QTest::newRow("suffix overflows") << QStringLiteral("bytes > 20000000000t") << 8 << 12
                                          << QStringLiteral("expected a number after \"bytes >\", found "
                                                            "\"20000000000t\"");
        QTest::newRow("unknown suffix")
            << QStringLiteral("bytes > 10x") << 8 << 3
            << QStringLiteral("expected a number after \"bytes >\", found \"10x\"");
        QTest::newRow("empty list") << QStringLiteral("port in [ ]") << 10 << 1
                                    << QStringLiteral(
                                           "expected a port number (0-65535) in the list after \"port "
                                           "in\", found an empty list");
        QTest::newRow("unclosed list")
            << QStringLiteral("port in [80 443") << 15 << 0
            << QStringLiteral("expected a port number (0-65535) or \"]\" after \"port "
                              "in\", found end of filter");
        QTest::newRow("list without brackets")
            << QStringLiteral("port in 80") << 8 << 2
            << QStringLiteral("expected \"[\" to start a list after \"port in\", found \"80\"");
        QTest::newRow("bad list item")
            << QStringLiteral("src ip in [10.0.0.1 banana]") << 20 << 6
            << QStringLiteral(
                   "expected an IPv4 or IPv6 address or network after \"src ip in\", found \"banana\"");
        QTest::newRow("vlan out of range")
            << QStringLiteral("vlan 5000") << 5 << 4
            << QStringLiteral("expected a VLAN ID (0-4095) after \"vlan\", found "
                              "\"5000\"");
        QTest::newRow("icmp type out of range")
            << QStringLiteral("icmp-type 300") << 10 << 3
            << QStringLiteral("expected an ICMP type (0-255) after \"icmp-type\", found \"300\"");
        QTest::newRow("bad mac") << QStringLiteral("src mac 00:11:22:33:44") << 8 << 14
                                 << QStringLiteral(
                                        "expected a MAC address (aa:bb:cc:dd:ee:ff) after \"src mac\", "
                                        "found \"00:11:22:33:44\"");
        QTest::newRow("comparator then nothing")
            << QStringLiteral("duration >=") << 11 << 0
            << QStringLiteral(
                   "expected a duration in milliseconds after \"duration >=\", found end of filter");
    }

    void rejects()
    {
        QFETCH(QString, text);
        QFETCH(int, position);
        QFETCH(int, length);
        QFETCH(QString, message);
        const auto f = Filter::parse(text);
        QVERIFY(!f.has_value());
        QCOMPARE(f.error().message, message);
        QCOMPARE(f.error().position, position);
        QCOMPARE(f.error().length, length);
        QCOMPARE(f.error().toString(), QStringLiteral("column %1: %2").arg(position + 1).arg(message));
    }

    void errorColumnIsOneBased()
    {
        const auto f = Filter::parse(QStringLiteral("src ip 10.0.0.300"));
        QVERIFY(!f.has_value());
        QCOMPARE(f.error().toString(),
                 QStringLiteral("column 8: expected an IPv4 or IPv6 address after \"src ip\", "
                                "found \"10.0.0.300\""));
    }

    void deepNestingIsAnErrorNotACrash()
    {
        const int depth = 5000;
        const QString parens =
            QString(depth, QLatin1Char('(')) + QStringLiteral("any") + QString(depth, QLatin1Char(')'));
        const auto f = Filter::parse(parens);
        QVERIFY(!f.has_value());
        QVERIFY2(f.error().message.contains(QStringLiteral("levels deep")), qPrintable(f.error().message));
        QCOMPARE(f.error().position, 200);

        QString nots;
        for (int i = 0; i < depth; ++i)
            nots += QStringLiteral("not ");
        QVERIFY(!Filter::parse(nots + QStringLiteral("any")).has_value());

        // Nesting within the limit is fine.
        const QString ok =
            QString(150, QLatin1Char('(')) + QStringLiteral("port 1") + QString(150, QLatin1Char(')'));
        QVERIFY(mustParse(ok).matches(R().ports(1, 2)));
    }

    void longChainsAreFine()
    {
        QString text;
        for (int i = 0; i < 20000; ++i)
            text += (i ? QStringLiteral(" or port ") : QStringLiteral("port ")) + QString::number(i + 1);
        const Filter f = mustParse(text);
        QVERIFY(f.matches(R().ports(19999, 1)));
        QVERIFY(f.matches(R().ports(0, 20000)));
        QVERIFY(!f.matches(R().ports(0, 20001)));
    }

    void evaluates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<FlowRecord>("record");
        QTest::addColumn<bool>("expected");
        const FlowRecord base = baseRecord();
        const FlowRecord v6 = v6Record();
        const auto row = [](const char* name, const char* text, const FlowRecord& r, bool expected) {
            QTest::newRow(name) << QString::fromLatin1(text) << r << expected;
        };

        row("any", "any", base, true);
        // addresses
        row("src ip hit", "src ip 10.0.0.1", base, true);
        row("src ip miss", "src ip 10.0.0.2", base, false);
        row("dst ip is not src", "dst ip 10.0.0.1", base, false);
        row("ip either side", "ip 192.168.1.10", base, true);
        row("host = ip", "host 10.0.0.1", base, true);
        row("src host on dst address", "src host 192.168.1.10", base, false);
        row("keywords any case", "SRC IP 10.0.0.1 And Proto TCP", base, true);
        row("ip with prefix", "src ip 10.0.0.0/24", base, true);
        row("src net", "src net 10.0.0.0/8", base, true);
        row("dst net miss", "dst net 10.0.0.0/8", base, false);
        row("net either", "net 192.168.0.0/16", base, true);
        row("net mask keyword", "net 10.0.0.0 mask 255.0.0.0", base, true);
        row("net nfdump mask", "src net 10.0.0.0 255.255.255.0", base, true);
        row("net host bits ignored", "src net 10.0.0.77/24", base, true);
        row("net narrower miss", "net 10.1.0.0/16", base, false);
        row("net /32", "src net 10.0.0.1/32", base, true);
        row("v4 /0 matches v4", "src net 0.0.0.0/0", base, true);
        row("v4 /0 not v6", "src net 0.0.0.0/0", v6, false);
        row("v4 /0 not unset", "src net 0.0.0.0/0", R().src(nullptr), false);
        row("v4-mapped text", "ip ::ffff:10.0.0.1", base, true);
        row("ip in list", "src ip in [10.0.0.9 10.0.0.1]", base, true);
        row("ip in list net", "ip in [172.16.0.0/12, 192.168.0.0/16]", base, true);
        row("ip in list miss", "ip in [172.16.0.0/12, 10.0.0.2]", base, false);
        row("dst ip in list", "dst ip in [10.0.0.1]", base, false);
        // IPv6
        row("v6 src ip", "src ip 2001:db8::1", v6, true);
        row("v6 ip uppercase", "ip 2001:DB8::1", v6, true);
        row("v6 net either", "net 2001:db8::/32", v6, true);
        row("v6 dst net", "net 2001:db8:1::/48", v6, true);
        row("v6 src net miss", "src net 2001:db8:1::/48", v6, false);
        row("v6 /0 matches v6", "src net ::/0", v6, true);
        row("v6 /0 not v4", "src net ::/0", base, false);
        row("v6 /64", "dst net 2001:db8:1::/64", v6, true);
        row("v6 /127 boundary", "dst net 2001:db8:1::52/127", v6, true);
        row("v6 /128 miss", "dst net 2001:db8:1::52/128", v6, false);
        row("v6 in list", "ip in [2001:db8:1::/48]", v6, true);
        row("v6 /0 in list not v4", "ip in [::/0]", base, false);
        row("v6 /0 in list v6", "ip in [::/0]", v6, true);
        row("v6 address vs v4 record", "ip 2001:db8::1", base, false);
        // families
        row("ipv4", "ipv4", base, true);
        row("inet", "inet", base, true);
        row("ipv6 on v4", "ipv6", base, false);
        row("ipv6", "ipv6", v6, true);
        row("inet6", "inet6", v6, true);
        row("ipv4 on v6", "ipv4", v6, false);
        row("family from etype", "ipv6", R().src(nullptr).dst(nullptr).etype(0x86dd), true);
        row("family from dst", "ipv4", R().src(nullptr), true);
        row("no family", "ipv4 or ipv6", R().src(nullptr).dst(nullptr).etype(0x0806), false);
        // ports
        row("port", "port 443", base, true);
        row("src port miss", "src port 443", base, false);
        row("dst port", "dst port 443", base, true);
        row("port miss", "port 80", base, false);
        row("port >", "port > 1024", base, true);
        row("dst port > miss", "dst port > 1024", base, false);
        row("port <", "port < 1024", base, true);
        row("src port < miss", "src port < 1024", base, false);
        row("port != is none-equal", "port != 443", base, false);
        row("port != other", "port != 80", base, true);
        row("dst port !=", "dst port != 443", base, false);
        row("src port !=", "src port != 443", base, true);
        row("port >=", "dst port >= 443", base, true);
        row("port <= miss", "dst port <= 442", base, false);
        row("port ==", "port == 443", base, true);
        row("port =", "port = 443", base, true);
        row("port eq", "port eq 443", base, true);
        row("port ne", "port ne 443", base, false);
        row("port lt", "dst port lt 444", base, true);
        row("port gt", "dst port gt 443", base, false);
        row("port ge", "dst port ge 443", base, true);
        row("port le", "dst port le 443", base, true);
        row("port EQ uppercase", "port EQ 443", base, true);
        row("port < 0 never", "port < 0", base, false);
        row("port > 65535 never", "port > 65535", base, false);
        row("port hex", "port 0x1bb", base, true);
        row("port in", "port in [ 80 443 8443 ]", base, true);
        row("port in miss", "port in [80,8080]", base, false);
        row("dst port in", "dst port in [22, 443]", base, true);
        row("src port in miss", "src port in [443]", base, false);
        // protocols
        row("proto tcp", "proto tcp", base, true);
        row("proto TCP", "proto TCP", base, true);
        row("proto 6", "proto 6", base, true);
        row("proto udp miss", "proto udp", base, false);
        row("tcp shorthand", "tcp", base, true);
        row("udp shorthand miss", "udp", base, false);
        row("proto icmp", "proto icmp", R().proto(1), true);
        row("icmp shorthand", "icmp", R().proto(1), true);
        row("proto icmp6", "proto icmp6", R().proto(58), true);
        row("icmp6 shorthand", "icmp6", R().proto(58), true);
        row("proto ipv6-icmp", "proto ipv6-icmp", R().proto(58), true);
        row("proto gre", "proto gre", R().proto(47), true);
        row("proto esp", "proto esp", R().proto(50), true);
        row("sctp", "sctp", R().proto(132), true);
        row("protocol alias", "protocol udp", R().proto(17), true);
        row("proto in", "proto in [udp tcp]", base, true);
        row("proto in miss", "proto in [udp 47]", base, false);
        row("proto !=", "proto != tcp", base, false);
        // AS, interfaces, VLANs, masks, MACs
        row("src as", "src as 64500", base, true);
        row("as either", "as 15169", base, true);
        row("dst as miss", "dst as 64500", base, false);
        row("as > miss", "as > 65000", base, false);
        row("as in", "as in [15169 13335]", base, true);
        row("next as", "next as 3356", R().nextHopAs(3356), true);
        row("next as miss", "next as 3356", base, false);
        row("in if", "in if 3", base, true);
        row("out if miss", "out if 3", base, false);
        row("if either", "if 7", base, true);
        row("if miss", "if 5", base, false);
        row("out if >", "out if > 5", base, true);
        row("vlan src", "vlan 10", base, true);
        row("src vlan miss", "src vlan 20", base, false);
        row("dst vlan", "dst vlan 20", base, true);
        row("vlan id", "vlan 30", R().vlanId(30), true);
        row("src vlan not vlan id", "src vlan 30", R().vlanId(30), false);
        row("src mask", "src mask 24", base, true);
        row("mask either", "mask 16", base, true);
        row("dst mask miss", "dst mask 24", base, false);
        row("src mac", "src mac 00:11:22:33:44:55", base, true);
        row("mac either", "mac AA:BB:CC:DD:EE:FF", base, true);
        row("dst mac miss", "dst mac 00-11-22-33-44-55", base, false);
        row("tos", "tos 32", base, true);
        row("tos hex", "tos 0x20", base, true);
        row("tos > miss", "tos > 32", base, false);
        row("ethertype", "ethertype 0x0800", base, true);
        row("ethertype miss", "ethertype 0x86dd", base, false);
        // TCP flags
        row("flags S", "flags S", base, true);
        row("flags SA", "flags SA", base, true);
        row("flags order", "flags AS", base, true);
        row("flags lower case", "flags as", base, true);
        row("flags F miss", "flags F", base, false);
        row("flags all given", "flags SAF", base, false);
        // "not flags AFRPU" is the plain negation of "all of AFRPU set" (nfdump's man page still shows
        // it as "none of them", which only its old engine did); exact numbers select only-SYN flows.
        row("not flags is plain negation", "flags S and not flags AFRPU", base, true);
        row("not flags, all set", "not flags AFRPU", R().flags(0x3f), false);
        row("only SYN, exact number", "flags == 2", R().flags(0x02), true);
        row("only SYN, exact number, SYN-ACK", "flags == 2", base, false);
        row("none of A F R", "flags S and not (flags A or flags F or flags R)", R().flags(0x02), true);
        row("flags number exact", "flags 18", base, true);
        row("flags number exact miss", "flags 2", base, false);
        row("flags X miss", "flags X", base, false);
        row("flags X", "flags X", R().flags(0x3f), true);
        row("flags ECE CWR", "flags EC", R().flags(0xc2), true);
        row("flags imply tcp", "flags S", R().proto(17).flags(0x02), false);
        // ICMP
        row("icmp-type", "icmp-type 8", R().proto(1).icmp(8, 0), true);
        row("icmp-code", "icmp-code 0", R().proto(1).icmp(8, 0), true);
        row("icmp type words", "icmp type 8", R().proto(1).icmp(8, 0), true);
        row("icmp code words", "icmp code 3", R().proto(1).icmp(3, 3), true);
        row("icmp-type miss", "icmp-type 0", R().proto(1).icmp(8, 0), false);
        row("icmp-type implies icmp", "icmp-type 0", base, false);
        row("icmp-type from dst port", "icmp-type 3", R().proto(1).ports(0, 0x0303), true);
        row("icmp-code from dst port", "icmp-code 3", R().proto(1).ports(0, 0x0303), true);
        row("icmp echo reply", "icmp-type 0 and icmp-code 0", R().proto(1).ports(0, 0), true);
        row("icmpv6 type", "icmp-type 128", R().proto(58).icmp(128, 0), true);
        row("icmp-type !=", "icmp-type != 8", R().proto(1).icmp(8, 0), false);
        row("icmp-type != other", "icmp-type != 0", R().proto(1).icmp(8, 0), true);
        row("icmp-type != implies icmp", "icmp-type != 8", base, false);
        row("icmp-type >", "icmp-type > 5", R().proto(1).icmp(8, 0), true);
        // next hops and exporter
        row("next ip", "next ip 10.0.0.254", base, true);
        row("next ip miss", "next ip 198.51.100.1", base, false);
        row("bgp next ip", "bgp next ip 198.51.100.1", base, true);
        row("bgpnext ip", "bgpnext ip 198.51.100.1", base, true);
        row("next net", "next net 10.0.0.0/8", base, true);
        row("exporter", "exporter 192.0.2.1", base, true);
        row("exporter ip", "exporter ip 192.0.2.1", base, true);
        row("router ip", "router ip 192.0.2.1", base, true);
        row("exporter net", "exporter net 192.0.2.0/24", base, true);
        row("exporter miss", "exporter 192.0.2.2", base, false);
        // counters (base: not sampled)
        row("bytes", "bytes 1500", base, true);
        row("bytes > k", "bytes > 1k", base, true);
        row("bytes > 1.5k", "bytes > 1.5k", base, false);
        row("bytes >= 1.5k", "bytes >= 1.5K", base, true);
        row("packets", "packets 3", base, true);
        row("packets <", "packets < 3", base, false);
        row("bytes !=", "bytes != 1500", base, false);
        row("sampled scales bytes", "bytes > 100k", R().counters(1500, 3, 100), true);
        row("sampled bytes exact", "bytes 150k", R().counters(1500, 3, 100), true);
        row("sampled packets", "packets 300", R().counters(1500, 3, 100), true);
        row("sampled packets raw value", "packets 3", R().counters(1500, 3, 100), false);
        row("rate 1 unscaled", "bytes 1500", R().counters(1500, 3, 1), true);
        row("m suffix", "bytes >= 1M", R().counters(1'000'000, 3, 0), true);
        row("g suffix", "bytes >= 1g", R().counters(999'999'999, 3, 0), false);
        row("t suffix", "bytes == 2t", R().counters(2'000'000'000'000ull, 3, 0), true);
        row("scaled saturates", "bytes > 1000000t", R().counters(1ull << 62, 1, 1000), true);
        row("sampled", "sampled", R().counters(1500, 3, 100), true);
        row("sampled rate 1", "sampled", R().counters(1500, 3, 1), false);
        row("sampled rate 0", "sampled", base, false);
        // duration and rates: 1500 bytes, 3 packets, 2500 ms
        row("duration", "duration 2500", base, true);
        row("duration >", "duration > 2000", base, true);
        row("duration <", "duration < 2500", base, false);
        row("duration truncates to ms", "duration 2", R().durationMs(2).r, true);
        row(
            "duration of end before start", "duration 0",
            [] {
                FlowRecord r = baseRecord();
                r.time_flow_end_ns = r.time_flow_start_ns - 5;
                return r;
            }(),
            true);
        row("bps", "bps 4800", base, true);
        row("bps > miss", "bps > 5k", base, false);
        row("pps truncates", "pps 1", base, true);
        row("bpp", "bpp 500", base, true);
        row("bpp > miss", "bpp > 500", base, false);
        row("bpp no packets", "bpp 0", R().counters(100, 0, 0), true);
        row("bps scaled", "bps 480k", R().counters(1500, 3, 100), true);
        row("pps scaled", "pps 120", R().counters(1500, 3, 100), true);
        row("bpp unchanged by sampling", "bpp 500", R().counters(1500, 3, 100), true);
        row("bps zero duration", "bps 0 and pps 0", R().durationMs(0), true);
        // combinations
        row("and", "proto tcp and dst port 443", base, true);
        row("and miss", "proto udp and dst port 443", base, false);
        row("or", "port 80 or port 443", base, true);
        row("symbols", "port 80 || port 443 && ! proto udp", base, true);
        row("grouped", "(port 80 or port 443) and src net 10.0.0.0/8", base, true);
        row("not", "not port 80", base, true);
        row("bang", "!port 443", base, false);
        row("comment", "port 443 # https only", base, true);
        row("comment between lines", "port 80 # web\nor port 443", base, true);
    }

    void evaluates()
    {
        QFETCH(QString, text);
        QFETCH(FlowRecord, record);
        QFETCH(bool, expected);
        const Filter f = mustParse(text);
        QCOMPARE(f.matches(record), expected);
    }

    void precedence_data()
    {
        // A = "proto udp" (false on the base record), B = "port 443" (true), C = "src ip 10.0.0.2" (false).
        // Each row's expected value differs from what a wrong precedence would give.
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("expected");
        QTest::newRow("not binds tighter than and") << QStringLiteral("not port 443 and proto udp") << false;
        QTest::newRow("and binds tighter than or")
            << QStringLiteral("proto udp and port 443 or port 443") << true;
        QTest::newRow("or after and") << QStringLiteral("port 443 or proto udp and src ip 10.0.0.2") << true;
        QTest::newRow("parentheses override")
            << QStringLiteral("(port 443 or proto udp) and src ip 10.0.0.2") << false;
        QTest::newRow("not of group") << QStringLiteral("not (port 443 or proto udp)") << false;
        QTest::newRow("double not") << QStringLiteral("not not port 443") << true;
        QTest::newRow("mixed") << QStringLiteral("port 443 and not proto udp or src ip 10.0.0.2") << true;
        QTest::newRow("not then or") << QStringLiteral("not proto udp or src ip 10.0.0.2") << true;
        QTest::newRow("not group and") << QStringLiteral("not (proto udp or port 443) and port 443") << false;
        QTest::newRow("symbol precedence") << QStringLiteral("proto udp && port 443 || port 443") << true;
        QTest::newRow("nested groups")
            << QStringLiteral("((proto udp) or (port 443 and (not src ip 10.0.0.2)))") << true;
    }

    void precedence()
    {
        QFETCH(QString, text);
        QFETCH(bool, expected);
        QCOMPARE(mustParse(text).matches(baseRecord()), expected);
    }

    void counterModes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("scaled");
        QTest::addColumn<bool>("raw");
        // 1500 bytes, 3 packets, 1 in 100 sampled, over 2500 ms.
        QTest::newRow("bytes") << QStringLiteral("bytes > 100k") << true << false;
        QTest::newRow("bytes raw value") << QStringLiteral("bytes 1500") << false << true;
        QTest::newRow("packets") << QStringLiteral("packets == 300") << true << false;
        QTest::newRow("bps") << QStringLiteral("bps 480k") << true << false;
        QTest::newRow("bps raw") << QStringLiteral("bps 4800") << false << true;
        QTest::newRow("pps") << QStringLiteral("pps 120") << true << false;
        QTest::newRow("bpp same either way") << QStringLiteral("bpp 500") << true << true;
        QTest::newRow("sampled same either way") << QStringLiteral("sampled") << true << true;
    }

    void counterModes()
    {
        QFETCH(QString, text);
        QFETCH(bool, scaled);
        QFETCH(bool, raw);
        const FlowRecord r = R().counters(1500, 3, 100);
        const Filter s = mustParse(text, CounterMode::Scaled);
        const Filter w = mustParse(text, CounterMode::Raw);
        QCOMPARE(s.counterMode(), CounterMode::Scaled);
        QCOMPARE(w.counterMode(), CounterMode::Raw);
        QCOMPARE(s.matches(r), scaled);
        QCOMPARE(w.matches(r), raw);
    }

    void suffixes_data()
    {
        QTest::addColumn<QString>("number");
        QTest::addColumn<quint64>("value");
        QTest::newRow("plain") << QStringLiteral("1234") << quint64(1234);
        QTest::newRow("k") << QStringLiteral("2k") << quint64(2000);
        QTest::newRow("K") << QStringLiteral("2K") << quint64(2000);
        QTest::newRow("m") << QStringLiteral("3m") << quint64(3'000'000);
        QTest::newRow("M") << QStringLiteral("3M") << quint64(3'000'000);
        QTest::newRow("g") << QStringLiteral("4g") << quint64(4'000'000'000ull);
        QTest::newRow("G") << QStringLiteral("4G") << quint64(4'000'000'000ull);
        QTest::newRow("t") << QStringLiteral("5T") << quint64(5'000'000'000'000ull);
        QTest::newRow("fraction k") << QStringLiteral("1.5k") << quint64(1500);
        QTest::newRow("fraction M") << QStringLiteral("0.25M") << quint64(250'000);
        QTest::newRow("fraction g") << QStringLiteral("2.000000001g") << quint64(2'000'000'001ull);
        QTest::newRow("hex") << QStringLiteral("0x10") << quint64(16);
        QTest::newRow("HEX") << QStringLiteral("0XFF") << quint64(255);
        QTest::newRow("max") << QStringLiteral("18446744073709551615") << quint64(18446744073709551615ull);
        QTest::newRow("hex max") << QStringLiteral("0xffffffffffffffff") << quint64(18446744073709551615ull);
    }

    void suffixes()
    {
        QFETCH(QString, number);
        QFETCH(quint64, value);
        // Exactly `value` matches, its neighbours do not.
        const Filter f = mustParse(QStringLiteral("bytes ") + number, CounterMode::Raw);
        QVERIFY(f.matches(R().counters(value, 1, 0)));
        if (value > 0)
            QVERIFY(!f.matches(R().counters(value - 1, 1, 0)));
        if (value < std::numeric_limits<quint64>::max())
            QVERIFY(!f.matches(R().counters(value + 1, 1, 0)));
    }

    void fields_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("mode");
        QTest::addColumn<QStringList>("expected");
        const auto names = [](std::initializer_list<const char*> list) {
            QStringList out;
            for (const char* s : list)
                out << QString::fromLatin1(s);
            return out;
        };
        const int scaled = int(CounterMode::Scaled);
        const int raw = int(CounterMode::Raw);
        QTest::newRow("empty") << QString() << scaled << QStringList();
        QTest::newRow("any") << QStringLiteral("any") << scaled << QStringList();
        QTest::newRow("always true range") << QStringLiteral("port >= 0") << scaled << QStringList();
        QTest::newRow("port") << QStringLiteral("port 443") << scaled << names({"src_port", "dst_port"});
        QTest::newRow("src port") << QStringLiteral("src port 443") << scaled << names({"src_port"});
        QTest::newRow("bytes scaled")
            << QStringLiteral("bytes > 1k") << scaled << names({"bytes", "sampling_rate"});
        QTest::newRow("bytes raw") << QStringLiteral("bytes > 1k") << raw << names({"bytes"});
        QTest::newRow("address and proto")
            << QStringLiteral("proto tcp and src ip 10.0.0.1") << scaled << names({"src_addr", "proto"});
        QTest::newRow("icmp") << QStringLiteral("icmp-type 8") << scaled
                              << names({"dst_port", "proto", "icmp_type", "icmp_code"});
        QTest::newRow("flags") << QStringLiteral("flags S") << scaled << names({"tcp_flags", "proto"});
        QTest::newRow("duration") << QStringLiteral("duration > 10") << scaled
                                  << names({"time_flow_start_ns", "time_flow_end_ns"});
        QTest::newRow("bps scaled") << QStringLiteral("bps > 10") << scaled
                                    << names({"time_flow_start_ns", "time_flow_end_ns", "bytes",
                                              "sampling_rate"});
        QTest::newRow("pps raw") << QStringLiteral("pps > 10") << raw
                                 << names({"time_flow_start_ns", "time_flow_end_ns", "packets"});
        QTest::newRow("bpp") << QStringLiteral("bpp > 10") << scaled << names({"bytes", "packets"});
        QTest::newRow("family") << QStringLiteral("ipv6") << scaled
                                << names({"src_addr", "dst_addr", "etype"});
        QTest::newRow("exporter and next hops")
            << QStringLiteral("exporter 192.0.2.1 or next ip 1.2.3.4 or bgp next ip 1.2.3.5") << scaled
            << names({"sampler_address", "next_hop", "bgp_next_hop"});
        QTest::newRow("lists") << QStringLiteral("dst port in [1 2] and ip in [10.0.0.0/8]") << scaled
                               << names({"src_addr", "dst_addr", "dst_port"});
        QTest::newRow("vlan") << QStringLiteral("vlan 1") << scaled
                              << names({"src_vlan", "dst_vlan", "vlan_id"});
        QTest::newRow("interfaces and as") << QStringLiteral("if 1 or as 2 or next as 3")
                                           << scaled
                                           // "as" matches the exporter's AS or the one GeoIP looked up.
                                           << names({"in_if", "out_if", "src_as", "dst_as", "next_hop_as",
                                                     "src_lookup_as", "dst_lookup_as"});
        QTest::newRow("sampled") << QStringLiteral("sampled") << scaled << names({"sampling_rate"});
        QTest::newRow("constant folded away")
            << QStringLiteral("port < 0 and proto tcp") << scaled << QStringList();
    }

    void fields()
    {
        QFETCH(QString, text);
        QFETCH(int, mode);
        QFETCH(QStringList, expected);
        const Filter f = mustParse(text, CounterMode(mode));
        QCOMPARE(fieldNames(f.fields()), expected);
    }

    void constantFilters()
    {
        QVERIFY(mustParse(QStringLiteral("any")).matchesEverything());
        QVERIFY(!mustParse(QStringLiteral("any")).isEmpty());
        QVERIFY(mustParse(QStringLiteral("port >= 0")).matchesEverything());
        QVERIFY(mustParse(QStringLiteral("not port < 0")).matchesEverything());
        QVERIFY(mustParse(QStringLiteral("proto tcp or any")).matchesEverything());
        const Filter never = mustParse(QStringLiteral("port > 65535"));
        QVERIFY(!never.matchesEverything());
        QVERIFY(!never.matches(baseRecord()));
        QVERIFY(!never.mayMatch({}));
        QVERIFY(!mustParse(QStringLiteral("not any")).matches(baseRecord()));
    }

    void pruning_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("ranges");
        QTest::addColumn<bool>("mayMatch");
        const auto row = [](const char* name, const char* text, const char* ranges, bool expected) {
            QTest::newRow(name) << QString::fromLatin1(text) << QString::fromLatin1(ranges) << expected;
        };
        row("no ranges", "dst port 443", "", true);
        row("below", "dst port 443", "dst_port=0-100", false);
        row("above", "dst port 443", "dst_port=444-65535", false);
        row("inside", "dst port 443", "dst_port=400-500", true);
        row("other side unknown", "port 443", "dst_port=0-100", true);
        row("both sides excluded", "port 443", "dst_port=0-100,src_port=1024-65535", false);
        row("unrelated column", "dst port 443", "src_port=0-100", true);
        row("not, all equal", "not dst port 443", "dst_port=443-443", false);
        row("not, some differ", "not dst port 443", "dst_port=443-444", true);
        row("!=, all equal", "dst port != 443", "dst_port=443-443", false);
        row("and, first fails", "proto tcp and dst port 443", "proto=17-17", false);
        row("and, second fails", "proto tcp and dst port 443", "dst_port=80-80", false);
        row("or, one fails", "proto tcp or dst port 443", "proto=17-17", true);
        row("or, both fail", "proto tcp or dst port 443", "proto=17-17,dst_port=0-100", false);
        row(">", "dst port > 1000", "dst_port=0-1000", false);
        row(">=", "dst port >= 1000", "dst_port=0-1000", true);
        row("scaled, rate unknown", "bytes > 1M", "bytes=0-1000", true);
        row("scaled, rate bounded", "bytes > 1M", "bytes=0-1000,sampling_rate=0-100", false);
        row("scaled, rate large", "bytes > 1M", "bytes=0-1000,sampling_rate=0-2000", true);
        row("scaled never below raw", "bytes < 100", "bytes=200-300", false);
        row("scaled, rate 0 counts as 1", "packets > 10", "packets=1-10,sampling_rate=0-0", false);
        row("list outside", "port in [22 80 443]", "dst_port=100-200,src_port=100-200", false);
        row("list inside", "port in [22 80 443]", "dst_port=50-100,src_port=100-200", true);
        row("not list, single value in it", "not dst port in [22 80]", "dst_port=80-80", false);
        row("flags impossible", "flags S", "tcp_flags=0-1", false);
        row("flags possible", "flags S", "tcp_flags=0-255", true);
        row("flags fixed, set", "not flags S", "tcp_flags=2-2,proto=6-6", false);
        row("src net outside", "src net 10.0.0.0/8", "src_addr=11.0.0.0-11.255.255.255", false);
        row("src net overlaps", "src net 10.0.0.0/8", "src_addr=9.0.0.0-10.0.0.5", true);
        row("not src net, all inside", "not src net 10.0.0.0/8", "src_addr=10.1.0.0-10.2.0.0", false);
        row("host outside", "dst host 192.168.1.10", "dst_addr=192.168.1.11-192.168.1.255", false);
        row("v4 net vs v6 block", "src net 0.0.0.0/0", "src_addr=2001:db8::-2001:db8::ffff", false);
        row("ip list outside", "src ip in [10.0.0.1 192.168.0.0/16]", "src_addr=172.16.0.0-172.31.255.255",
            false);
        row("ip list net inside", "src ip in [10.0.0.1 192.168.0.0/16]", "src_addr=192.168.5.0-192.168.5.255",
            true);
        row("ip list exact inside", "src ip in [10.0.0.1 192.168.0.0/16]", "src_addr=10.0.0.0-10.0.0.7",
            true);
        row("exporter", "exporter 192.0.2.1", "sampler_address=192.0.2.1-192.0.2.1", true);
        row("exporter other", "exporter 192.0.2.1", "sampler_address=192.0.2.2-192.0.2.2", false);
        row("any", "any", "dst_port=0-0", true);
        row("unknown metric", "duration > 10", "bytes=0-0", true);
        row("sampled", "sampled", "sampling_rate=0-1", false);
        row("vlan, vlan_id unknown", "vlan 10", "src_vlan=0-5,dst_vlan=0-5", true);
        row("vlan, all excluded", "vlan 10", "src_vlan=0-5,dst_vlan=0-5,vlan_id=0-0", false);
    }

    void pruning()
    {
        QFETCH(QString, text);
        QFETCH(QString, ranges);
        QFETCH(bool, mayMatch);
        const Filter f = mustParse(text);
        std::vector<query::FieldRange> values;
        std::vector<query::AddressRange> addresses;
        parseRanges(ranges, values, addresses);
        QCOMPARE(f.mayMatch(values, addresses), mayMatch);
    }

    void pruningRawCounters()
    {
        const Filter scaled = mustParse(QStringLiteral("bytes > 1k"));
        const Filter raw = mustParse(QStringLiteral("bytes > 1k"), CounterMode::Raw);
        // Scaled: the sampling rate could lift any raw value past 1k; raw: it cannot.
        QVERIFY(scaled.mayMatchRange(FlowField::Bytes, 0, 999));
        QVERIFY(!raw.mayMatchRange(FlowField::Bytes, 0, 999));
        QVERIFY(raw.mayMatchRange(FlowField::Bytes, 0, 1001));
    }

    void pruningSingleColumnHelpers()
    {
        const Filter f = mustParse(QStringLiteral("dst port 443 and dst net 192.168.0.0/16"));
        QVERIFY(!f.mayMatchRange(FlowField::DstPort, 0, 442));
        QVERIFY(f.mayMatchRange(FlowField::DstPort, 443, 443));
        QVERIFY(f.mayMatchRange(FlowField::SrcPort, 0, 1));
        // An address column given as integers is not understood, so it cannot prune.
        QVERIFY(f.mayMatchRange(FlowField::DstAddr, 0, 1));
        QVERIFY(!f.mayMatchAddressRange(FlowField::DstAddr, addr("10.0.0.0"), addr("10.255.255.255")));
        QVERIFY(f.mayMatchAddressRange(FlowField::DstAddr, addr("192.168.3.0"), addr("192.168.3.255")));
        QVERIFY(f.mayMatchAddressRange(FlowField::SrcAddr, addr("10.0.0.0"), addr("10.255.255.255")));
    }

    void keywords()
    {
        const QStringList k = Filter::keywords();
        for (const char* word :
             {"and",      "or",      "not",   "any",     "src",      "dst",   "ip",        "host",
              "net",      "port",    "in",    "proto",   "ipv4",     "inet",  "ipv6",      "inet6",
              "exporter", "as",      "if",    "vlan",    "tos",      "flags", "icmp-type", "icmp-code",
              "next",     "bgpnext", "bytes", "packets", "duration", "bps",   "pps",       "bpp",
              "sampled",  "eq",      "ne",    "lt",      "gt",       "le",    "ge"})
            QVERIFY2(k.contains(QLatin1String(word)), word);
        QStringList sorted = k;
        sorted.sort();
        QCOMPARE(k, sorted);
        QCOMPARE(k.size(), int(QSet<QString>(k.begin(), k.end()).size()));
    }

    void matchesDoesNotAllocate()
    {
        const Filter f = mustParse(QStringLiteral(
            "(src net 10.0.0.0/8 or ip in [192.168.0.0/16 2001:db8::/32 10.0.0.1]) and port in [22 80 443] "
            "and "
            "not flags R and bytes > 1k and bps > 1 and pps >= 0 and bpp > 1 and duration > 1 and ipv4 and "
            "not icmp-type 3 or exporter 192.0.2.9 or src net 2001:db8::/32"));
        const FlowRecord records[] = {baseRecord(), v6Record(), R().proto(1).icmp(3, 1), FlowRecord{}};
        int matched = 0;
        g_allocations = 0;
        g_counting = true;
        for (int i = 0; i < 10000; ++i)
            matched += f.matches(records[i % 4]) ? 1 : 0;
        g_counting = false;
        QCOMPARE(g_allocations.load(), 0L);
        QCOMPARE(matched, 5000); // the base and IPv6 records match; ICMP type 3 and the empty record do not
    }

    void filtersAreValues()
    {
        const Filter a = mustParse(QStringLiteral("port in [443] and src ip in [10.0.0.1]"));
        Filter b = a;
        QVERIFY(b.matches(baseRecord()));
        b = mustParse(QStringLiteral("port 80"));
        QVERIFY(a.matches(baseRecord()));
        QVERIFY(!b.matches(baseRecord()));
        const Filter moved = std::move(b);
        QVERIFY(moved.matches(R().ports(1, 80)));
    }

    // Random token soup: every input either parses (and then evaluates and prunes without trouble)
    // or yields an error that points inside the text.
    void randomTextIsHandled()
    {
        const char* const pieces[] = {"src",
                                      "dst",
                                      "ip",
                                      "host",
                                      "net",
                                      "port",
                                      "proto",
                                      "tcp",
                                      "not",
                                      "and",
                                      "or",
                                      "(",
                                      ")",
                                      "[",
                                      "]",
                                      ",",
                                      "in",
                                      "!",
                                      "!=",
                                      "==",
                                      "<",
                                      ">=",
                                      "&&",
                                      "||",
                                      "&",
                                      "|",
                                      "#",
                                      "\n",
                                      "10.0.0.1",
                                      "10.0.0.0/8",
                                      "::1",
                                      "2001:db8::/32",
                                      "/",
                                      "80",
                                      "0x1f",
                                      "1.5k",
                                      "99999999999999999999",
                                      "mask",
                                      "255.0.0.0",
                                      "flags",
                                      "SA",
                                      "icmp",
                                      "type",
                                      "icmp-type",
                                      "bytes",
                                      "bps",
                                      "duration",
                                      "as",
                                      "if",
                                      "vlan",
                                      "mac",
                                      "00:11:22:33:44:55",
                                      "exporter",
                                      "bgp",
                                      "next",
                                      "any",
                                      "ipv6",
                                      "sampled",
                                      "eq",
                                      "lt",
                                      "é",
                                      "\t",
                                      "",
                                      "x"};
        std::mt19937 rng(7);
        const FlowRecord records[] = {baseRecord(), v6Record(), FlowRecord{}};
        int parsed = 0;
        for (int i = 0; i < 20000; ++i) {
            QString text;
            const int n = int(rng() % 9);
            for (int k = 0; k < n; ++k) {
                text += QString::fromUtf8(pieces[rng() % std::size(pieces)]);
                if (rng() % 4)
                    text += QLatin1Char(' ');
            }
            const auto f = Filter::parse(text);
            if (f) {
                ++parsed;
                for (const FlowRecord& r : records)
                    f->matches(r);
                const query::FieldRange range{FlowField::DstPort, 0, 100};
                QVERIFY(f->mayMatch(std::span<const query::FieldRange>(&range, 1)) ||
                        !f->matches(records[2]));
                continue;
            }
            const query::FilterError& e = f.error();
            QVERIFY2(e.position >= 0 && e.length >= 0 && e.position + e.length <= text.size(),
                     qPrintable(text));
            QVERIFY2(!e.message.isEmpty(), qPrintable(text));
        }
        QVERIFY(parsed > 100);
    }

    // Property checks over random records: the compiled graph agrees with boolean algebra, and
    // pruning never rejects a block that holds a matching record.
    void randomisedAlgebraAndPruning()
    {
        const char* const atoms[] = {
            "port 80",
            "src port < 1000",
            "dst port in [53 80 443]",
            "proto udp",
            "tcp",
            "src net 10.0.0.0/30",
            "dst ip 10.0.0.2",
            "ip in [10.0.0.1 2001:db8::/127]",
            "bytes > 2k",
            "packets <= 2",
            "flags SA",
            "icmp-type 3",
            "ipv6",
            "net 2001:db8::/127",
            "sampled",
            "vlan 2",
            "bps > 100",
            "duration >= 1000",
            "as in [1 2]",
            "dst port != 80",
            "not src port 443",
            "in if 1 or out if > 2",
            "exporter 192.0.2.1",
            "bpp < 300",
        };
        const int atomCount = int(std::size(atoms));
        std::vector<Filter> atomFilters;
        for (const char* a : atoms)
            atomFilters.push_back(mustParse(QString::fromLatin1(a)));

        std::mt19937_64 rng(20240611);
        const auto pick = [&rng](auto n) {
            return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng);
        };
        const char* const addresses[] = {"10.0.0.0", "10.0.0.1",   "10.0.0.2",    "10.0.0.3",
                                         "10.0.0.4", "2001:db8::", "2001:db8::1", "2001:db8::2"};
        const auto randomRecord = [&] {
            FlowRecord r;
            r.src_addr = addr(addresses[pick(8)]);
            r.dst_addr = addr(addresses[pick(8)]);
            r.sampler_address = addr(pick(2) ? "192.0.2.1" : "192.0.2.2");
            const std::uint16_t ports[] = {53, 80, 443, 999, 1000, 40000};
            r.src_port = ports[pick(6)];
            r.dst_port = pick(5) ? ports[pick(6)] : std::uint16_t(0x0301);
            const std::uint8_t protos[] = {1, 6, 17, 58};
            r.proto = protos[pick(4)];
            r.bytes = pick(4000);
            r.packets = pick(6);
            r.sampling_rate = pick(3);
            r.tcp_flags = std::uint16_t(pick(64));
            r.icmp_type = pick(2) ? std::uint8_t(pick(5)) : 0;
            r.src_vlan = std::uint16_t(pick(3));
            r.dst_vlan = std::uint16_t(pick(3));
            r.in_if = std::uint32_t(pick(4));
            r.out_if = std::uint32_t(pick(4));
            r.src_as = std::uint32_t(pick(4));
            r.dst_as = std::uint32_t(pick(4));
            r.time_flow_start_ns = kStart;
            r.time_flow_end_ns = kStart + pick(3000) * 1'000'000ull;
            r.etype = r.src_addr.isV4() ? 0x0800 : 0x86dd;
            return r;
        };

        const FlowField intFields[] = {FlowField::SrcPort,  FlowField::DstPort, FlowField::Proto,
                                       FlowField::Bytes,    FlowField::Packets, FlowField::SamplingRate,
                                       FlowField::TcpFlags, FlowField::SrcVlan, FlowField::DstVlan,
                                       FlowField::VlanId,   FlowField::InIf,    FlowField::OutIf,
                                       FlowField::SrcAs,    FlowField::DstAs,   FlowField::IcmpType};
        const FlowField addrFields[] = {FlowField::SrcAddr, FlowField::DstAddr, FlowField::SamplerAddress};

        int checks = 0;
        int pruned = 0;
        for (int round = 0; round < 300; ++round) {
            const int a = int(pick(atomCount));
            const int b = int(pick(atomCount));
            const QString ta = QString::fromLatin1(atoms[a]);
            const QString tb = QString::fromLatin1(atoms[b]);
            const Filter notA = mustParse(QStringLiteral("not (") + ta + QLatin1Char(')'));
            const Filter aAndB =
                mustParse(QLatin1Char('(') + ta + QStringLiteral(") and (") + tb + QLatin1Char(')'));
            const Filter aOrB =
                mustParse(QLatin1Char('(') + ta + QStringLiteral(") or (") + tb + QLatin1Char(')'));
            const Filter deMorgan = mustParse(QStringLiteral("not (not (") + ta +
                                              QStringLiteral(") or not (") + tb + QStringLiteral("))"));

            std::vector<FlowRecord> block;
            for (int i = 0; i < 8; ++i)
                block.push_back(randomRecord());
            for (const FlowRecord& r : block) {
                const bool ma = atomFilters[std::size_t(a)].matches(r);
                const bool mb = atomFilters[std::size_t(b)].matches(r);
                QCOMPARE(notA.matches(r), !ma);
                QCOMPARE(aAndB.matches(r), ma && mb);
                QCOMPARE(aOrB.matches(r), ma || mb);
                QCOMPARE(deMorgan.matches(r), ma && mb);
                ++checks;
            }

            std::vector<query::FieldRange> values;
            for (const FlowField f : intFields) {
                query::FieldRange range{f, std::numeric_limits<std::uint64_t>::max(), 0};
                for (const FlowRecord& r : block) {
                    range.min = std::min(range.min, decode::fieldValue(r, f));
                    range.max = std::max(range.max, decode::fieldValue(r, f));
                }
                values.push_back(range);
            }
            std::vector<query::AddressRange> addressRanges;
            for (const FlowField f : addrFields) {
                const auto get = [f](const FlowRecord& r) {
                    return f == FlowField::SrcAddr
                               ? r.src_addr
                               : (f == FlowField::DstAddr ? r.dst_addr : r.sampler_address);
                };
                query::AddressRange range{f, get(block.front()), get(block.front())};
                for (const FlowRecord& r : block) {
                    range.min = std::min(range.min, get(r));
                    range.max = std::max(range.max, get(r));
                }
                addressRanges.push_back(range);
            }
            for (const Filter* f : std::initializer_list<const Filter*>{&atomFilters[std::size_t(a)], &notA,
                                                                        &aAndB, &aOrB, &deMorgan}) {
                const bool anyMatch = std::any_of(block.begin(), block.end(),
                                                  [f](const FlowRecord& r) { return f->matches(r); });
                const bool may = f->mayMatch(values, addressRanges);
                if (anyMatch)
                    QVERIFY2(may, qPrintable(f->text()));
                if (!may)
                    ++pruned;
            }
        }
        QCOMPARE(checks, 300 * 8);
        QVERIFY(pruned > 0); // the ranges are informative enough to prune some blocks
    }
};

QTEST_GUILESS_MAIN(TestFilter)
#include "tst_filter.moc"
