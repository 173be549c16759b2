// Sampled packet header parser: synthetic headers for every layer the parser walks (expected values
// checked with tshark 4.0.17 on the same bytes), truncation at every length, and the logstash-codec-sflow
// raw-header fragments driven from their expected.json.

#include "core/decode/packet_header.h"
#include "support/test_paths.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::decode;

namespace {

std::span<const std::byte> bytesOf(const QByteArray& a)
{
    return {reinterpret_cast<const std::byte*>(a.constData()), std::size_t(a.size())};
}

IpAddress ip(const char* text)
{
    return IpAddress::parse(text).value_or(IpAddress{});
}

// The fields parsePacketHeader may write, as one comparable value (FlowRecord has no operator==).
struct HeaderFields
{
    std::uint64_t srcMac, dstMac;
    std::uint16_t etype, vlan;
    IpAddress src, dst;
    std::uint8_t proto, tos, ttl, ipFlags;
    std::uint32_t fragmentId;
    std::uint16_t fragmentOffset;
    std::uint32_t flowLabel;
    std::uint16_t srcPort, dstPort, tcpFlags;
    std::uint8_t icmpType, icmpCode, mplsCount;
    std::array<std::uint32_t, kMaxMplsLabels> mpls;

    static HeaderFields of(const FlowRecord& r)
    {
        return {r.src_mac,     r.dst_mac,         r.etype,           r.vlan_id,          r.src_addr,
                r.dst_addr,    r.proto,           r.ip_tos,          r.ip_ttl,           r.ip_flags,
                r.fragment_id, r.fragment_offset, r.ipv6_flow_label, r.src_port,         r.dst_port,
                r.tcp_flags,   r.icmp_type,       r.icmp_code,       r.mpls_label_count, r.mpls_label};
    }
};

} // namespace

Q_DECLARE_METATYPE(flowlens::decode::HeaderProtocol)
Q_DECLARE_METATYPE(flowlens::decode::Decapsulation)

class TestPacketHeader : public QObject
{
    Q_OBJECT

private slots:
    void layers_data();
    void layers();
    void truncatedAtEveryLength_data();
    void truncatedAtEveryLength();
    void unknownHeaderProtocolLeavesRecordAlone();
    void keepsFieldsTheHeaderDoesNotHave();
    void logstashRawHeaders_data();
    void logstashRawHeaders();
    void decapsulation_data();
    void decapsulation();
    void ethernetPseudowireKeepsOuterMacs();
    void nestedPseudowiresAreBounded();
};

void TestPacketHeader::layers_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<HeaderProtocol>("first");
    QTest::addColumn<quint32>("ipLength");
    QTest::addColumn<quint64>("srcMac");
    QTest::addColumn<quint64>("dstMac");
    QTest::addColumn<int>("etype");
    QTest::addColumn<int>("vlan");
    QTest::addColumn<QList<quint32>>("mpls");
    QTest::addColumn<QString>("src");
    QTest::addColumn<QString>("dst");
    QTest::addColumn<int>("proto");
    QTest::addColumn<int>("tos");
    QTest::addColumn<int>("ttl");
    QTest::addColumn<int>("ipFlags");
    QTest::addColumn<quint32>("fragmentId");
    QTest::addColumn<int>("fragmentOffset");
    QTest::addColumn<quint32>("flowLabel");
    QTest::addColumn<int>("srcPort");
    QTest::addColumn<int>("dstPort");
    QTest::addColumn<int>("tcpFlags");
    QTest::addColumn<int>("icmpType");
    QTest::addColumn<int>("icmpCode");

    const quint64 d = 0x001122334455ull; // 00:11:22:33:44:55
    const quint64 s = 0x66778899aabbull; // 66:77:88:99:aa:bb
    const QString a4 = QStringLiteral("10.0.0.1"), b4 = QStringLiteral("10.0.0.2");
    const QString a6 = QStringLiteral("2001:db8::1"), b6 = QStringLiteral("2001:db8::2");
    const auto hex = [](const char* h) {
        return QByteArray::fromHex(h);
    };
    const QList<quint32> none;

    // 802.1ad S-tag 100 around 802.1Q C-tag 200: vlan_id is the innermost tag (goflow2), tshark: vlan.id 200.
    QTest::newRow("eth 802.1ad+802.1Q ipv4 udp")
        << hex("00112233445566778899aabb88a860648100a0c808004500002012344000401100000a0000010a00000214e900350"
               "00c0000"
               "61626364")
        << HeaderProtocol::Ethernet << 32u << s << d << 0x0800 << 200 << none << a4 << b4 << 17 << 0 << 64
        << 2 << 0x1234u << 0 << 0u << 5353 << 53 << 0 << 0 << 0;
    QTest::newRow("eth mpls x3 ipv4 tcp syn")
        << hex("00112233445566778899aabb884703e8104005dc5040493101404500002812344000400600000a0000010a0000029"
               "c4001bb"
               "0000000100000000500203e800000000")
        << HeaderProtocol::Ethernet << 40u << s << d << 0x0800 << 0 << QList<quint32>{16001, 24005, 299792}
        << a4 << b4 << 6 << 0 << 64 << 2 << 0x1234u << 0 << 0u << 40000 << 443 << 0x02 << 0 << 0;
    // Five labels: the first kMaxMplsLabels are kept, the stack is still walked to reach IPv6.
    QTest::newRow("eth mpls x5 ipv6 udp")
        << hex("00112233445566778899aabb884700065040000660400006704000068040000691406b8123450008114020010db80"
               "00000"
               "00000000000000000120010db800000000000000000000000203e807d000080000")
        << HeaderProtocol::Ethernet << 48u << s << d << 0x86DD << 0 << QList<quint32>{101, 102, 103, 104}
        << a6 << b6 << 17 << 0xb8 << 64 << 0 << 0u << 0 << 0x12345u << 1000 << 2000 << 0 << 0 << 0;
    // Hop-by-hop, destination options, SRH routing header, fragment (offset 0, M set) then TCP.
    QTest::newRow("eth ipv6 hbh+dstopts+srh+frag tcp")
        << hex("00112233445566778899aabb86dd600abcde0044004020010db800000000000000000000000120010db8000000000"
               "000000"
               "000000002"
               "3c00010400000000"
               "2b00010400000000"
               "2c0204000000000020010db8000000000000000000000001"
               "0600000112345678"
               "0016c3500000000100000000501803e800000000")
        << HeaderProtocol::Ethernet << 108u << s << d << 0x86DD << 0 << none << a6 << b6 << 6 << 0 << 64 << 1
        << 0x12345678u << 0 << 0xabcdeu << 22 << 50000 << 0x18 << 0 << 0;
    // A later fragment carries payload, not a UDP header: no ports.
    QTest::newRow("ipv6 later fragment")
        << hex("6000000000102c4020010db800000000000000000000000120010db8000000000000000000000002110005c8deadb"
               "eef00"
               "07000700080000")
        << HeaderProtocol::Ipv6 << 56u << 0ull << 0ull << 0x86DD << 0 << none << a6 << b6 << 17 << 0 << 64
        << 0 << 0xdeadbeefu << 185 << 0u << 0 << 0 << 0 << 0 << 0;
    QTest::newRow("eth ipv6 ah icmpv6 echo")
        << hex("00112233445566778899aabb86dd60000000002033ff20010db800000000000000000000000120010db8000000000"
               "0000"
               "000000000023a040000000000000000000000000000000000000000000080000000000100"
               "01")
        << HeaderProtocol::Ethernet << 72u << s << d << 0x86DD << 0 << none << a6 << b6 << 58 << 0 << 255 << 0
        << 0u << 0 << 0u << 0 << 0 << 0 << 128 << 0;
    // ESP hides what follows: proto is ESP and nothing past it is read.
    QTest::newRow("eth ipv6 esp") << hex("00112233445566778899aabb86dd600000000010324020010db8000000000000000"
                                         "00000000120010db80000000000000"
                                         "00000000002000001000000000100000000000000"
                                         "00")
                                  << HeaderProtocol::Ethernet << 56u << s << d << 0x86DD << 0 << none << a6
                                  << b6 << 50 << 0 << 64 << 0 << 0u << 0 << 0u << 0 << 0 << 0 << 0 << 0;
    // IHL 6 (router alert option) moves the ICMP header by 4 bytes.
    QTest::newRow("ipv4 options icmp unreachable")
        << hex("462e002012344000010100000a0000010a000002940400000301000000000000") << HeaderProtocol::Ipv4
        << 32u << 0ull << 0ull << 0x0800 << 0 << none << a4 << b4 << 1 << 0x2e << 1 << 2 << 0x1234u << 0 << 0u
        << 0 << 0 << 0 << 3 << 1;
    QTest::newRow("ipv4 later fragment")
        << hex("4500001c12342064401100000a0000010a0000020009000900080000") << HeaderProtocol::Ipv4 << 28u
        << 0ull << 0ull << 0x0800 << 0 << none << a4 << b4 << 17 << 0 << 64 << 1 << 0x1234u << 100 << 0u << 0
        << 0 << 0 << 0 << 0;
    // An IPFIX ipHeaderPacketSection does not say which IP version it holds: both entry points follow the
    // version nibble.
    QTest::newRow("ipv4 bytes given as ipv6")
        << hex("4500001c12342064401100000a0000010a0000020009000900080000") << HeaderProtocol::Ipv6 << 28u
        << 0ull << 0ull << 0x0800 << 0 << none << a4 << b4 << 17 << 0 << 64 << 1 << 0x1234u << 100 << 0u << 0
        << 0 << 0 << 0 << 0;
    QTest::newRow("802.3 llc/snap ipv4 udp")
        << hex("00112233445566778899aabb003caaaa0300000008004500001c12344000401100000a0000010a000002007b007b0"
               "0080000")
        << HeaderProtocol::Ethernet << 28u << s << d << 0x0800 << 0 << none << a4 << b4 << 17 << 0 << 64 << 2
        << 0x1234u << 0 << 0u << 123 << 123 << 0 << 0 << 0;
    QTest::newRow("pppoe session ipv4 tcp")
        << hex("00112233445566778899aabb886411000001002a00214500002812344000400600000a0000010a000002040000500"
               "00000010"
               "0000000501103e800000000")
        << HeaderProtocol::Ethernet << 40u << s << d << 0x0800 << 0 << none << a4 << b4 << 6 << 0 << 64 << 2
        << 0x1234u << 0 << 0u << 1024 << 80 << 0x11 << 0 << 0;
    QTest::newRow("eth arp")
        << hex("00112233445566778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002")
        << HeaderProtocol::Ethernet << 0u << s << d << 0x0806 << 0 << none << QString() << QString() << 0 << 0
        << 0 << 0 << 0u << 0 << 0u << 0 << 0 << 0 << 0 << 0;
    QTest::newRow("mpls first") << hex("0006514040000000000000000a0000010a000002")
                                // one label (101, bottom), then an IPv4 header cut at 16 bytes: labels only.
                                << HeaderProtocol::Mpls << 0u << 0ull << 0ull << 0 << 0 << QList<quint32>{101}
                                << QString() << QString() << 0 << 0 << 0 << 0 << 0u << 0 << 0u << 0 << 0 << 0
                                << 0 << 0;
    // Real headers from the gopacket sFlow vectors; values as tshark 4.0.17 decodes them.
    QTest::newRow("gopacket packet1 sample1 (eth ipv4 tcp)")
        << hex("3c8ab0e75441b8ca3a6df0400800450005c06baa400040068f410a010e1636f0eb4576fd0050ca77ef96fc2863405"
               "010003c"
               "640000000c000000f400000277000000fd3b8ce7044a2db20c00000000001c00000148cc110de3002685300000076"
               "6000"
               "2d08a0002cef000297e800002d0980000000c00268530000000f4000002")
        << HeaderProtocol::Ethernet << 1472u << 0xb8ca3a6df040ull << 0x3c8ab0e75441ull << 0x0800 << 0 << none
        << QStringLiteral("10.1.14.22") << QStringLiteral("54.240.235.69") << 6 << 0 << 64 << 2 << 0x6baau
        << 0 << 0u << 30461 << 80 << 0x10 << 0 << 0;
}

void TestPacketHeader::layers()
{
    QFETCH(QByteArray, header);
    QFETCH(HeaderProtocol, first);
    QFETCH(quint32, ipLength);

    FlowRecord r;
    QCOMPARE(parsePacketHeader(bytesOf(header), first, r), ipLength);
    QTEST(quint64(r.src_mac), "srcMac");
    QTEST(quint64(r.dst_mac), "dstMac");
    QTEST(int(r.etype), "etype");
    QTEST(int(r.vlan_id), "vlan");
    QFETCH(QList<quint32>, mpls);
    QCOMPARE(int(r.mpls_label_count), int(mpls.size()));
    for (int i = 0; i < mpls.size(); ++i)
        QCOMPARE(r.mpls_label[std::size_t(i)], mpls[i]);
    QFETCH(QString, src);
    QFETCH(QString, dst);
    QCOMPARE(QString::fromStdString(r.src_addr.toString()), src);
    QCOMPARE(QString::fromStdString(r.dst_addr.toString()), dst);
    QTEST(int(r.proto), "proto");
    QTEST(int(r.ip_tos), "tos");
    QTEST(int(r.ip_ttl), "ttl");
    QTEST(int(r.ip_flags), "ipFlags");
    QTEST(quint32(r.fragment_id), "fragmentId");
    QTEST(int(r.fragment_offset), "fragmentOffset");
    QTEST(quint32(r.ipv6_flow_label), "flowLabel");
    QTEST(int(r.src_port), "srcPort");
    QTEST(int(r.dst_port), "dstPort");
    QTEST(int(r.tcp_flags), "tcpFlags");
    QTEST(int(r.icmp_type), "icmpType");
    QTEST(int(r.icmp_code), "icmpCode");
}

void TestPacketHeader::truncatedAtEveryLength_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<HeaderProtocol>("first");
    // Cut each layered header at every length: whatever is parsed from a prefix must be a subset of the
    // full parse (never a value the full header does not have), and no read may pass the cut (ASan/UBSan
    // builds check that part).
    QTest::newRow("qinq udp") << QByteArray::fromHex(
                                     "00112233445566778899aabb88a860648100a0c808004500002012344000401"
                                     "100000a0000010a00000214e90035000c000061626364")
                              << HeaderProtocol::Ethernet;
    QTest::newRow("ipv6 ext chain")
        << QByteArray::fromHex(
               "00112233445566778899aabb86dd600abcde0044004020010db800000000000000000000000120010db8"
               "0000000000000000000000023c000104000000002b000104000000002c0204000000000020010db8000"
               "000000000000000000106000001123456780016c3500000000100000000501803e800000000")
        << HeaderProtocol::Ethernet;
    QTest::newRow("mpls ipv6")
        << QByteArray::fromHex(
               "00112233445566778899aabb884700065040000660400006704000068040000691406b812345000811402"
               "0010db800000000000000000000000120010db800000000000000000000000203e807d000080000")
        << HeaderProtocol::Ethernet;
    QTest::newRow("pppoe tcp")
        << QByteArray::fromHex(
               "00112233445566778899aabb886411000001002a00214500002812344000400600000a0000010a000002"
               "040000500000000100000000501103e800000000")
        << HeaderProtocol::Ethernet;
}

void TestPacketHeader::truncatedAtEveryLength()
{
    QFETCH(QByteArray, header);
    QFETCH(HeaderProtocol, first);
    FlowRecord full;
    parsePacketHeader(bytesOf(header), first, full);
    const HeaderFields all = HeaderFields::of(full);
    for (int n = 0; n < header.size(); ++n) {
        // Copy into an exact-size buffer so a sanitizer sees any overrun.
        const QByteArray prefix(header.constData(), n);
        FlowRecord r;
        parsePacketHeader(bytesOf(prefix), first, r);
        const HeaderFields got = HeaderFields::of(r);
        const auto subset = [](auto value, auto reference) {
            return value == decltype(value){} || value == reference;
        };
        QVERIFY2(subset(got.srcMac, all.srcMac) && subset(got.dstMac, all.dstMac),
                 qPrintable(QString::number(n)));
        QVERIFY2(got.src.isZero() || got.src == all.src, qPrintable(QString::number(n)));
        QVERIFY2(got.dst.isZero() || got.dst == all.dst, qPrintable(QString::number(n)));
        QVERIFY2(subset(got.srcPort, all.srcPort) && subset(got.dstPort, all.dstPort),
                 qPrintable(QString::number(n)));
        QVERIFY2(subset(got.tcpFlags, all.tcpFlags), qPrintable(QString::number(n)));
        QVERIFY2(got.mplsCount <= all.mplsCount, qPrintable(QString::number(n)));
    }
    // vlan_id is the innermost tag that arrived: with the C-tag cut off, the S-tag.
    if (qstrcmp(QTest::currentDataTag(), "qinq udp") == 0) {
        FlowRecord outer;
        parsePacketHeader(bytesOf(header.left(18)), first, outer);
        QCOMPARE(int(outer.vlan_id), 100);
        QCOMPARE(int(outer.etype), 0x8100);
    }
    // 14 bytes is the first length at which the MACs are known.
    FlowRecord eth;
    parsePacketHeader(bytesOf(header.left(14)), first, eth);
    QCOMPARE(eth.src_mac, full.src_mac);
    FlowRecord short13;
    parsePacketHeader(bytesOf(header.left(13)), first, short13);
    QCOMPARE(quint64(short13.src_mac), quint64(0));
}

void TestPacketHeader::unknownHeaderProtocolLeavesRecordAlone()
{
    // sFlow header_protocol 7 (PPP) and 15 (802.11) are not parsed: nothing is made up.
    const QByteArray header = QByteArray::fromHex("ff03002145000028123440004006");
    FlowRecord r;
    r.bytes = 1500;
    QCOMPARE(parsePacketHeader(bytesOf(header), static_cast<HeaderProtocol>(7), r), 0u);
    QCOMPARE(parsePacketHeader(bytesOf(header), static_cast<HeaderProtocol>(15), r), 0u);
    QCOMPARE(quint64(r.bytes), quint64(1500));
    QCOMPARE(r.etype, std::uint16_t(0));
    QVERIFY(r.src_addr.isZero());
    QCOMPARE(parsePacketHeader({}, HeaderProtocol::Ethernet, r), 0u);
    QCOMPARE(parsePacketHeader({}, HeaderProtocol::Ipv4, r), 0u);
    QCOMPARE(parsePacketHeader({}, HeaderProtocol::Mpls, r), 0u);
}

void TestPacketHeader::keepsFieldsTheHeaderDoesNotHave()
{
    // Fields from other sFlow records (switch VLANs, next hop, AS) survive a header parse.
    FlowRecord r;
    r.src_vlan = 7;
    r.next_hop = ip("192.0.2.1");
    r.src_as = 65000;
    const QByteArray header = QByteArray::fromHex("4500001c12342064401100000a0000010a0000020009000900080000");
    parsePacketHeader(bytesOf(header), HeaderProtocol::Ipv4, r);
    QCOMPARE(r.src_vlan, std::uint16_t(7));
    QCOMPARE(r.next_hop, ip("192.0.2.1"));
    QCOMPARE(r.src_as, 65000u);
    QCOMPARE(r.src_addr, ip("10.0.0.1"));
}

void TestPacketHeader::logstashRawHeaders_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QJsonObject>("asserted");
    const QString dir = test::vectorsDir() + QStringLiteral("/logstash-codec-sflow");
    if (!QDir(dir).exists())
        QSKIP("oracle vectors not found; set FLOWLENS_VECTORS");
    const QJsonObject root =
        QJsonDocument::fromJson(test::readFile(dir + QStringLiteral("/expected.json"))).object();
    const QJsonObject headers = root.value(QStringLiteral("raw_sampled_headers")).toObject();
    int rows = 0;
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        if (it.key().startsWith(QLatin1Char('_')))
            continue;
        const QJsonObject o = it.value().toObject();
        QTest::newRow(qPrintable(it.key()))
            << dir + QLatin1Char('/') + it.key() << o.value(QStringLiteral("parser")).toString()
            << o.value(QStringLiteral("asserted")).toObject();
        ++rows;
    }
    QCOMPARE(rows, 5);
}

void TestPacketHeader::logstashRawHeaders()
{
    QFETCH(QString, file);
    QFETCH(QString, parser);
    QFETCH(QJsonObject, asserted);
    const QByteArray header = test::readFile(file);
    QVERIFY(!header.isEmpty());

    FlowRecord r;
    std::uint32_t ipLength = 0;
    if (parser == QLatin1String("UdpHeader"))
        parseTransportHeader(bytesOf(header), 17, r);
    else if (parser == QLatin1String("TcpHeader"))
        parseTransportHeader(bytesOf(header), 6, r);
    else if (parser == QLatin1String("IPV4Header"))
        ipLength = parsePacketHeader(bytesOf(header), HeaderProtocol::Ipv4, r);
    else if (parser == QLatin1String("EthernetHeader"))
        ipLength = parsePacketHeader(bytesOf(header), HeaderProtocol::Ethernet, r);
    else
        QFAIL(qPrintable(QStringLiteral("unknown parser ") + parser));

    // Codec field -> FlowRecord. Fields FlowRecord does not carry (TCP sequence/ack numbers, window,
    // checksums, header lengths, UDP length, urgent pointer) are listed so that nothing is silently ignored.
    static const QStringList notInFlowRecord = {
        QStringLiteral("udp_length"),
        QStringLiteral("tcp_seq_number"),
        QStringLiteral("tcp_ack_number"),
        QStringLiteral("tcp_header_length_bytes (tcp_header_length*4)"),
        QStringLiteral("tcp_header_length_bytes"),
        QStringLiteral("tcp_window_size"),
        QStringLiteral("tcp_checksum"),
        QStringLiteral("tcp_urgent_pointer"),
        QStringLiteral("tcp_is_nonce"),
        QStringLiteral("ip_version"),
        QStringLiteral("ip_header_length"),
        QStringLiteral("ip_checksum"),
    };
    static const QHash<QString, int> tcpFlagBits = {
        {QStringLiteral("tcp_is_fin"), 0x01},      {QStringLiteral("tcp_is_syn"), 0x02},
        {QStringLiteral("tcp_is_reset"), 0x04},    {QStringLiteral("tcp_is_push"), 0x08},
        {QStringLiteral("tcp_is_ack"), 0x10},      {QStringLiteral("tcp_is_urgent"), 0x20},
        {QStringLiteral("tcp_is_ecn_echo"), 0x40}, {QStringLiteral("tcp_is_cwr"), 0x80},
    };

    int checked = 0;
    int ipDscp = -1;
    int ipEcn = -1;
    for (auto it = asserted.begin(); it != asserted.end(); ++it) {
        QString key = it.key();
        for (const char* prefix :
             {"eth_data.ip_header.ip_data.", "eth_data.ip_header.", "eth_data.", "ip_data."})
            if (key.startsWith(QLatin1String(prefix)))
                key = key.mid(int(qstrlen(prefix)));
        const QJsonValue v = it.value();
        const qint64 n = v.toInteger();
        const QString where = file + QLatin1Char(' ') + it.key();
        if (notInFlowRecord.contains(key)) {
            continue;
        } else if (key == QLatin1String("src_port")) {
            QCOMPARE(qint64(r.src_port), n);
        } else if (key == QLatin1String("dst_port")) {
            QCOMPARE(qint64(r.dst_port), n);
        } else if (tcpFlagBits.contains(key)) {
            QVERIFY2(((r.tcp_flags & tcpFlagBits.value(key)) != 0) == (n != 0), qPrintable(where));
        } else if (key == QLatin1String("ip_dscp")) {
            ipDscp = int(n);
            continue;
        } else if (key == QLatin1String("ip_ecn")) {
            ipEcn = int(n);
            continue;
        } else if (key == QLatin1String("ip_total_length")) {
            QCOMPARE(qint64(ipLength), n);
        } else if (key == QLatin1String("ip_identification")) {
            QCOMPARE(qint64(r.fragment_id), n);
        } else if (key == QLatin1String("ip_flags")) {
            QCOMPARE(qint64(r.ip_flags), n);
        } else if (key == QLatin1String("ip_fragment_offset")) {
            QCOMPARE(qint64(r.fragment_offset), n);
        } else if (key == QLatin1String("ip_ttl")) {
            QCOMPARE(qint64(r.ip_ttl), n);
        } else if (key == QLatin1String("ip_protocol")) {
            QCOMPARE(qint64(r.proto), n);
        } else if (key == QLatin1String("src_ip")) {
            QCOMPARE(r.src_addr, ip(qPrintable(v.toString())));
        } else if (key == QLatin1String("dst_ip")) {
            QCOMPARE(r.dst_addr, ip(qPrintable(v.toString())));
        } else if (key == QLatin1String("eth_dst")) {
            QCOMPARE(QString::fromStdString(macToString(r.dst_mac)), v.toString());
        } else if (key == QLatin1String("eth_src")) {
            QCOMPARE(QString::fromStdString(macToString(r.src_mac)), v.toString());
        } else if (key == QLatin1String("eth_type")) {
            // The codec reports the outer type (0x8100 when tagged); FlowRecord.etype is the type after the
            // tags, checked against vlan_type below. Untagged, both are the same.
            if (n != 0x8100)
                QCOMPARE(qint64(r.etype), n);
            else
                QVERIFY(r.vlan_id != 0);
        } else if (key == QLatin1String("vlan_id")) {
            QCOMPARE(qint64(r.vlan_id), n);
        } else if (key == QLatin1String("vlan_type")) {
            QCOMPARE(qint64(r.etype), n);
        } else {
            QFAIL(qPrintable(QStringLiteral("unmapped codec field ") + where));
        }
        ++checked;
    }
    if (ipDscp >= 0 || ipEcn >= 0) {
        QCOMPARE(int(r.ip_tos), (std::max(ipDscp, 0) << 2) | std::max(ipEcn, 0));
        ++checked;
    }
    QVERIFY(checked >= 2);
}

void TestPacketHeader::decapsulation_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<HeaderProtocol>("first");
    QTest::addColumn<Decapsulation>("decap");
    QTest::addColumn<bool>("decapsulated");
    QTest::addColumn<quint32>("ipLength");
    QTest::addColumn<quint64>("srcMac");
    QTest::addColumn<QString>("src");
    QTest::addColumn<QString>("dst");
    QTest::addColumn<int>("proto");
    QTest::addColumn<int>("ttl");
    QTest::addColumn<int>("srcPort");
    QTest::addColumn<int>("dstPort");
    QTest::addColumn<int>("icmpType");
    QTest::addColumn<quint32>("flowLabel");

    // Synthetic tunnels; every layer as tshark 4.0.17 decodes the same bytes.
    const QByteArray ipip =
        QByteArray::fromHex("450000300001000040040000c0000201c00002024500001c000200003f1100000a00"
                            "00010a0000020400003500080000");
    const QByteArray srv6 = QByteArray::fromHex(
        "00112233445566778899aabb86dd6000000000342b4020010db800000000000000000000000120010db80000000000000000"
        "00000002040204000000000020010db80000000000000000000000024500001c000300003f01000008080808d5248c640800"
        "000000010001");
    const QByteArray greKeyV6 = QByteArray::fromHex("4500004c00010000402f0000c0000201c0000202200086dd0000002a"
                                                    "600123450008111e20010db80004000000000000000000"
                                                    "0120010db80004000000000000000000031388177000080000");
    const QByteArray greTeb =
        QByteArray::fromHex("00112233445566778899aabb08004500004200010000402f0000c0000201c0000202000065580200"
                            "0000000502000000000608"
                            "004500001c000200003f1100000a0000010a0000020400003500080000");
    const QByteArray vxlan = QByteArray::fromHex(
        "00112233445566778899aabb0800450000620001000040110000c0000201c0000202c73812b5004e00000800000000007b00"
        "02000000000502000000000686dd6000000000083a4020010db800040000000000000000000120010db80004000000000000"
        "000000038000000000010001");
    const quint64 outerMac = 0x66778899aabbull;
    const quint64 innerMac = 0x020000000006ull;
    const QString o1 = QStringLiteral("192.0.2.1"), o2 = QStringLiteral("192.0.2.2");
    const QString i1 = QStringLiteral("10.0.0.1"), i2 = QStringLiteral("10.0.0.2");
    const QString v1 = QStringLiteral("2001:db8:4::1"), v3 = QStringLiteral("2001:db8:4::3");

    QTest::newRow("ipip, no decap") << ipip << HeaderProtocol::Ipv4 << Decapsulation::None << false << 48u
                                    << 0ull << o1 << o2 << 4 << 64 << 0 << 0 << 0 << 0u;
    QTest::newRow("ipip") << ipip << HeaderProtocol::Ipv4 << Decapsulation::IpInIp << true << 28u << 0ull
                          << i1 << i2 << 17 << 63 << 1024 << 53 << 0 << 0u;
    // SRv6 wants an IPv6 outer header: IPv4-in-IPv4 is left alone, as is a tunnel of another kind.
    QTest::newRow("ipip, srv6 asked") << ipip << HeaderProtocol::Ipv4 << Decapsulation::Srv6 << false << 48u
                                      << 0ull << o1 << o2 << 4 << 64 << 0 << 0 << 0 << 0u;
    QTest::newRow("ipip, gre asked") << ipip << HeaderProtocol::Ipv4 << Decapsulation::Gre << false << 48u
                                     << 0ull << o1 << o2 << 4 << 64 << 0 << 0 << 0 << 0u;
    // Ethernet, IPv6, segment routing header (one segment), IPv4 ICMP echo: the flow is the inner packet
    // alone, without the outer MACs.
    QTest::newRow("srv6 with srh") << srv6 << HeaderProtocol::Ethernet << Decapsulation::Srv6 << true << 28u
                                   << 0ull << QStringLiteral("8.8.8.8") << QStringLiteral("213.36.140.100")
                                   << 1 << 63 << 0 << 0 << 8 << 0u;
    QTest::newRow("srv6 with srh, no decap")
        << srv6 << HeaderProtocol::Ethernet << Decapsulation::None << false << 92u << outerMac
        << QStringLiteral("2001:db8::1") << QStringLiteral("2001:db8::2") << 4 << 64 << 0 << 0 << 0 << 0u;
    QTest::newRow("srv6 with srh, ipip asked")
        << srv6 << HeaderProtocol::Ethernet << Decapsulation::IpInIp << true << 28u << 0ull
        << QStringLiteral("8.8.8.8") << QStringLiteral("213.36.140.100") << 1 << 63 << 0 << 0 << 8 << 0u;
    QTest::newRow("gre with key, ipv6 inside")
        << greKeyV6 << HeaderProtocol::Ipv4 << Decapsulation::Gre << true << 48u << 0ull << v1 << v3 << 17
        << 30 << 5000 << 6000 << 0 << 0x12345u;
    QTest::newRow("gre transparent ethernet bridging")
        << greTeb << HeaderProtocol::Ethernet << Decapsulation::Gre << true << 28u << innerMac << i1 << i2
        << 17 << 63 << 1024 << 53 << 0 << 0u;
    QTest::newRow("vxlan") << vxlan << HeaderProtocol::Ethernet << Decapsulation::Vxlan << true << 48u
                           << innerMac << v1 << v3 << 58 << 64 << 0 << 0 << 128 << 0u;
    QTest::newRow("vxlan, no decap") << vxlan << HeaderProtocol::Ethernet << Decapsulation::None << false
                                     << 98u << outerMac << o1 << o2 << 17 << 64 << 51000 << 4789 << 0 << 0u;
    // The inner IP header cut off: nothing inner to describe, the outer packet stays.
    QTest::newRow("vxlan cut in the inner frame")
        << vxlan.left(14 + 20 + 8 + 8 + 20) << HeaderProtocol::Ethernet << Decapsulation::Vxlan << false
        << 98u << outerMac << o1 << o2 << 17 << 64 << 51000 << 4789 << 0 << 0u;
}

void TestPacketHeader::decapsulation()
{
    QFETCH(QByteArray, header);
    QFETCH(HeaderProtocol, first);
    QFETCH(Decapsulation, decap);
    QFETCH(quint32, ipLength);

    FlowRecord r;
    r.in_if = 7; // fields from elsewhere survive decapsulation
    QFETCH(bool, decapsulated);
    bool got = !decapsulated; // the parser must set it either way
    QCOMPARE(parsePacketHeader(bytesOf(header), first, r, decap, &got), ipLength);
    QCOMPARE(got, decapsulated);
    QCOMPARE(r.in_if, 7u);
    QTEST(quint64(r.src_mac), "srcMac");
    QFETCH(QString, src);
    QFETCH(QString, dst);
    QCOMPARE(QString::fromStdString(r.src_addr.toString()), src);
    QCOMPARE(QString::fromStdString(r.dst_addr.toString()), dst);
    QTEST(int(r.proto), "proto");
    QTEST(int(r.ip_ttl), "ttl");
    QTEST(int(r.src_port), "srcPort");
    QTEST(int(r.dst_port), "dstPort");
    QTEST(int(r.icmp_type), "icmpType");
    QTEST(quint32(r.ipv6_flow_label), "flowLabel");
    QCOMPARE(int(r.etype), r.src_addr.isV4() ? 0x0800 : 0x86DD);
    if (decapsulated)
        QCOMPARE(int(r.mpls_label_count), 0);
}

void TestPacketHeader::ethernetPseudowireKeepsOuterMacs()
{
    // Ethernet, MPLS 300012 / 17 (bottom), control word 0, customer frame with IPv4 UDP: as an EVPN or
    // VPLS exporter samples it. Labels and MACs are the outer ones, IP and ports the inner ones.
    const QByteArray header = QByteArray::fromHex(
        "00112233445566778899aabb8847493ec0ff000111ff00000000020000000005020000000006080045000"
        "01c000200003f1100000a0000010a0000020400003500080000");
    FlowRecord r;
    QCOMPARE(parsePacketHeader(bytesOf(header), HeaderProtocol::Ethernet, r), 28u);
    QCOMPARE(r.src_mac, 0x66778899aabbull);
    QCOMPARE(r.dst_mac, 0x001122334455ull);
    QCOMPARE(int(r.mpls_label_count), 2);
    QCOMPARE(r.mpls_label[0], 300012u);
    QCOMPARE(r.mpls_label[1], 17u);
    QCOMPARE(r.src_addr, ip("10.0.0.1"));
    QCOMPARE(r.dst_port, std::uint16_t(53));
    QCOMPARE(int(r.etype), 0x0800);
    // Without the control word the payload's first nibble is not 0, 4 or 6: labels only, as before.
    FlowRecord noCw;
    const QByteArray raw = header.left(22) + header.mid(26);
    QCOMPARE(parsePacketHeader(bytesOf(raw), HeaderProtocol::Ethernet, noCw), 0u);
    QCOMPARE(int(noCw.mpls_label_count), 2);
    QVERIFY(noCw.src_addr.isZero());
}

void TestPacketHeader::nestedPseudowiresAreBounded()
{
    // Pseudowire in pseudowire in ...: each level is a nested parse, so the depth is capped (4 levels)
    // rather than following the bytes for as long as they go.
    const QByteArray level = QByteArray::fromHex("00112233445566778899aabb884700011"
                                                 "1ff"
                                                 "00000000");
    const QByteArray ipv4 = QByteArray::fromHex("0011223344556677889900aa08004500001c000200003f1100000a00000"
                                                "10a0000020400003500080000");
    for (int depth = 1; depth <= 64; depth *= 2) {
        QByteArray header;
        for (int i = 0; i < depth; ++i)
            header += level;
        header += ipv4;
        FlowRecord r;
        const std::uint32_t length = parsePacketHeader(bytesOf(header), HeaderProtocol::Ethernet, r);
        QCOMPARE(length, depth <= 4 ? 28u : 0u);
        QCOMPARE(int(r.mpls_label_count), 1);
    }
}

QTEST_GUILESS_MAIN(TestPacketHeader)
#include "tst_packet_header.moc"
