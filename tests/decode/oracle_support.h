#pragma once

// Helpers shared by the decoder conformance tests: reading vectors, feeding one decoder, and
// mapping each oracle's naming (logstash, akvorado, telegraf, netflow_parser, ...) onto FlowRecord.
// Header-only because every tests/<area>/tst_*.cpp is its own program.

#include "core/collect/pcap_reader.h"
#include "core/decode/flow_decoder.h"
#include "support/test_paths.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>
#include <QTimeZone>
#include <QtTest>

namespace flowlens::test {

using decode::Anomaly;
using decode::Endpoint;
using decode::FlowRecord;
using decode::IpAddress;

inline QString vectorPath(const QString& relative)
{
    return vectorsDir() + QLatin1Char('/') + relative;
}

inline std::vector<std::byte> toBytes(const QByteArray& a)
{
    const auto* p = reinterpret_cast<const std::byte*>(a.constData());
    return std::vector<std::byte>(p, p + a.size());
}

inline Endpoint endpoint(const char* text)
{
    return *Endpoint::parse(text);
}

/// One input datagram and where it came from.
struct Datagram
{
    std::vector<std::byte> payload;
    Endpoint from;
    std::uint64_t timeNs = 0;
};

/// A .pcap gives all its UDP payloads (with their sources); any other file is one raw payload.
inline std::vector<Datagram> readDatagrams(const QString& path, const Endpoint& rawFrom)
{
    std::vector<Datagram> out;
    if (path.endsWith(QLatin1String(".pcap"))) {
        auto all = collect::PcapReader::readAll(path);
        if (!all)
            return out;
        for (auto& d : *all)
            out.push_back(Datagram{std::move(d.payload), d.from, d.timeNs});
        return out;
    }
    const QByteArray bytes = readFile(path);
    if (!bytes.isEmpty())
        out.push_back(Datagram{toBytes(bytes), rawFrom, 0});
    return out;
}

inline QJsonObject readJsonObject(const QString& path)
{
    return QJsonDocument::fromJson(readFile(path)).object();
}

inline int fileVersion(const QString& path);

/// Fixed receive time used by the tests (2024-01-01T00:00:00Z): far from every vector's export time.
inline constexpr std::uint64_t kReceivedNs = 1704067200ull * 1'000'000'000ull;

/// One decoder fed with inputs in order, remembering what each input produced.
struct DecodeRun
{
    decode::FlowDecoder decoder;
    std::vector<FlowRecord> flows;
    struct PerInput
    {
        std::size_t firstFlow = 0;
        std::size_t flows = 0;
        std::uint64_t optionsRecords = 0;
    };
    std::vector<PerInput> inputs;

    DecodeRun() = default;
    explicit DecodeRun(decode::DecoderLimits limits)
        : decoder(limits)
    {}

    void feed(std::span<const std::byte> payload, const Endpoint& from,
              std::uint64_t receivedNs = kReceivedNs)
    {
        PerInput in;
        in.firstFlow = flows.size();
        const std::uint64_t optionsBefore = optionsRecords();
        decoder.decode(payload, from, receivedNs, flows);
        in.flows = flows.size() - in.firstFlow;
        in.optionsRecords = optionsRecords() - optionsBefore;
        inputs.push_back(in);
    }
    /// Feeds every datagram of a file; returns false when it could not be read.
    bool feedFile(const QString& path, const Endpoint& rawFrom, std::uint64_t receivedNs = kReceivedNs)
    {
        const auto datagrams = readDatagrams(path, rawFrom);
        if (datagrams.empty())
            return false;
        for (const auto& d : datagrams)
            feed(d.payload, d.from, receivedNs);
        return true;
    }

    std::uint64_t optionsRecords() const
    {
        std::uint64_t n = 0;
        decoder.forEachDomain(
            [&](const decode::DomainKey&, const decode::DomainStats& s) { n += s.optionsRecords; });
        return n;
    }
    std::uint64_t anomaly(Anomaly a) const
    {
        std::uint64_t n = decoder.unattributedAnomalies()[static_cast<std::size_t>(a)];
        decoder.forEachDomain([&](const decode::DomainKey&, const decode::DomainStats& s) {
            n += s.anomalies[static_cast<std::size_t>(a)];
        });
        return n;
    }
    std::uint64_t anomalies() const
    {
        std::uint64_t n = 0;
        for (int i = 0; i < decode::kAnomalyCount; ++i)
            n += anomaly(static_cast<Anomaly>(i));
        return n;
    }
    QString anomalySummary() const
    {
        QStringList parts;
        for (int i = 0; i < decode::kAnomalyCount; ++i)
            if (const auto n = anomaly(static_cast<Anomaly>(i)))
                parts << QStringLiteral("%1=%2")
                             .arg(QLatin1String(decode::anomalyName(static_cast<Anomaly>(i)).data()))
                             .arg(n);
        return parts.join(QLatin1Char(' '));
    }
    decode::DomainStats domain(const Endpoint& from, std::uint32_t domainId) const
    {
        decode::DomainStats out;
        decoder.forEachDomain([&](const decode::DomainKey& k, const decode::DomainStats& s) {
            if (k.exporter == from && k.domain == domainId)
                out = s;
        });
        return out;
    }
};

/// An expected value the oracle gets wrong, with the evidence (checked in the test: a listed
/// deviation that does not occur fails, so the list cannot go stale).
struct KnownDeviation
{
    const char* row;
    const char* field; ///< "event 3: first_switched" style key, or a bare field name for all events
    const char* reason;
};

/// Collects field comparisons of one test row; mismatches fail unless listed as oracle errors.
class FieldChecker
{
public:
    void compare(const QString& where, const QString& actual, const QString& expected)
    {
        ++m_checked;
        if (actual != expected)
            m_mismatches << QStringLiteral("%1: got %2, expected %3").arg(where, actual, expected);
    }
    void compare(const QString& where, std::uint64_t actual, std::uint64_t expected)
    {
        compare(where, QString::number(actual), QString::number(expected));
    }
    void fail(const QString& what) { m_mismatches << what; }
    int checked() const { return m_checked; }
    const QStringList& mismatches() const { return m_mismatches; }

    /// Removes mismatches explained by a known oracle error of this row; returns what is left.
    /// Deviations listed for the row that did not occur are reported as failures too.
    QStringList unexplained(const char* row, std::span<const KnownDeviation> known) const
    {
        QStringList left;
        std::vector<bool> used(known.size(), false);
        for (const QString& m : m_mismatches) {
            bool explained = false;
            for (std::size_t i = 0; i < known.size(); ++i) {
                if (qstrcmp(known[i].row, row) != 0 && qstrcmp(known[i].row, "*") != 0)
                    continue;
                const QString key = QLatin1String(known[i].field);
                if (m.startsWith(key) || m.contains(QLatin1String(": ") + key)) {
                    used[i] = true;
                    explained = true;
                    qInfo("oracle deviation [%s] %s -- %s", row, qPrintable(m), known[i].reason);
                }
            }
            if (!explained)
                left << m;
        }
        for (std::size_t i = 0; i < known.size(); ++i)
            if (qstrcmp(known[i].row, row) == 0 && !used[i])
                left << QStringLiteral("listed oracle deviation did not occur: %1")
                            .arg(QLatin1String(known[i].field));
        return left;
    }

private:
    int m_checked = 0;
    QStringList m_mismatches;
};

/// "N of M pass" per oracle source, printed at the end of a test program.
class SourceTally
{
public:
    void add(const QString& source) { ++m_total[source]; }
    void pass(const QString& source) { ++m_pass[source]; }
    void notApplicable(const QString& source) { ++m_skipped[source]; }
    void print() const
    {
        for (auto it = m_total.cbegin(); it != m_total.cend(); ++it)
            qInfo("source %s: %d of %d pass (%d more not applicable, skipped)", qPrintable(it.key()),
                  m_pass.value(it.key()), it.value() - m_skipped.value(it.key()), m_skipped.value(it.key()));
    }

private:
    QMap<QString, int> m_total;
    QMap<QString, int> m_pass;
    QMap<QString, int> m_skipped;
};

// ----------------------------------------------------------------------------- value helpers

inline QString addr(const IpAddress& a)
{
    return a.isZero() ? QStringLiteral("::") : QString::fromStdString(a.toString());
}

/// Canonical text of an expected address ("::ffff:1.2.3.4" -> "1.2.3.4").
inline QString canonicalAddr(const QString& text)
{
    const auto a = IpAddress::parse(text.toStdString());
    return a ? addr(*a) : text;
}

inline bool zeroAddrText(const QString& t)
{
    return t == QLatin1String("0.0.0.0") || t == QLatin1String("::") || t == QLatin1String("::ffff:0.0.0.0");
}

inline QString mac(std::uint64_t m)
{
    return QString::fromStdString(decode::macToString(m));
}

/// Parses an ISO-8601 UTC time with 0..9 fraction digits; returns ns and the digits given.
inline std::optional<std::pair<std::uint64_t, int>> parseIsoNs(const QString& text)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$)"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    QDateTime dt = QDateTime::fromString(m.captured(1), Qt::ISODate);
    dt.setTimeSpec(Qt::UTC);
    if (!dt.isValid())
        return std::nullopt;
    const QString frac = m.captured(2);
    std::uint64_t ns = std::uint64_t(dt.toSecsSinceEpoch()) * 1'000'000'000ull;
    if (!frac.isEmpty())
        ns += QString(frac + QString(9 - frac.size(), QLatin1Char('0'))).toULongLong();
    return std::make_pair(ns, int(frac.size()));
}

/// Compares a time in ns with an expected ISO string at the expected string's precision.
inline void compareIso(FieldChecker& c, const QString& where, std::uint64_t actualNs, const QString& expected)
{
    const auto e = parseIsoNs(expected);
    if (!e) {
        c.fail(QStringLiteral("%1: unparsable expected time %2").arg(where, expected));
        return;
    }
    std::uint64_t unit = 1;
    for (int i = e->second; i < 9; ++i)
        unit *= 10;
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(qint64(actualNs / 1000000), Qt::UTC);
    const QString actualText = dt.toString(Qt::ISODateWithMs) + QStringLiteral(" (%1 ns)").arg(actualNs);
    if (actualNs / unit == e->first / unit)
        c.compare(where, expected, expected);
    else
        c.compare(where, actualText, expected);
}

inline std::uint64_t jsonU64(const QJsonValue& v)
{
    if (v.isString())
        return v.toString().toULongLong();
    return static_cast<std::uint64_t>(v.toDouble());
}

// ------------------------------------------------------------------------------- logstash

/// Logstash event keys that name a flow rather than an options record.
inline bool logstashFlowKey(const QString& k)
{
    static const QStringList keys = {
        QStringLiteral("ipv4_src_addr"),
        QStringLiteral("ipv6_src_addr"),
        QStringLiteral("ipv4_dst_addr"),
        QStringLiteral("l4_src_port"),
        QStringLiteral("in_bytes"),
        QStringLiteral("in_pkts"),
        QStringLiteral("sourceIPv4Address"),
        QStringLiteral("sourceIPv6Address"),
        QStringLiteral("octetDeltaCount"),
        QStringLiteral("sourceTransportPort"),
        QStringLiteral("destinationIPv4Address"),
    };
    return keys.contains(k);
}

/// Logstash event keys only options records carry.
inline bool logstashOptionsKey(const QString& k)
{
    static const QStringList keys = {
        QStringLiteral("scope_system"),
        QStringLiteral("systemInitTimeMilliseconds"),
        QStringLiteral("samplingInterval"),
        QStringLiteral("application_name"),
        QStringLiteral("if_desc"),
        QStringLiteral("total_flows_exp"),
        QStringLiteral("exporterIPv4Address"),
        QStringLiteral("flowTablePeakCount"),
    };
    return keys.contains(k);
}

/// Compares one logstash netflow.* field with a decoded flow. Fields with no FlowRecord
/// counterpart (vendor IEs, raw uptimes, option scopes, header counts) are not compared.
inline void checkLogstashField(FieldChecker& c, const QString& where, const QString& k, const QJsonValue& v,
                               const QJsonObject& event, const FlowRecord& r)
{
    const auto has = [&](const char* key) {
        return event.contains(QLatin1String(key));
    };
    const QString w = where + k;
    const auto cmpAddr = [&](const IpAddress& actual) {
        const QString e = v.toString();
        // Dual-family templates: the zero field of the unused family is not the flow's address.
        if (zeroAddrText(e) && !actual.isZero() && !(actual.isV4() && actual.v4() == 0))
            return;
        if (zeroAddrText(e) && (actual.isZero() || (actual.isV4() && actual.v4() == 0)))
            c.compare(w, e, e);
        else
            c.compare(w, addr(actual), canonicalAddr(e));
    };
    const auto cmpTime = [&](std::uint64_t ns) {
        if (v.isString()) {
            // logstash's uptime conversion can be exactly 1 s late (see the deviation tables):
            // recognise exactly that case and report it as such.
            const auto e = parseIsoNs(v.toString());
            if (e && r.type != decode::FlowType::Ipfix &&
                (k == QLatin1String("first_switched") || k == QLatin1String("last_switched"))) {
                std::uint64_t unit = 1;
                for (int i = e->second; i < 9; ++i)
                    unit *= 10;
                if ((ns + 1'000'000'000ull) / unit == e->first / unit) {
                    c.fail(w + QStringLiteral(": logstash 1 s late (%1)").arg(v.toString()));
                    return;
                }
            }
            compareIso(c, w, ns, v.toString());
        } else if (k.endsWith(QLatin1String("msec")) || k.endsWith(QLatin1String("Milliseconds"))) {
            c.compare(w, ns / 1'000'000ull, jsonU64(v));
        } else {
            c.compare(w, ns / 1'000'000'000ull, jsonU64(v)); // integer seconds
        }
    };

    if (k == QLatin1String("ipv4_src_addr") || k == QLatin1String("ipv6_src_addr") ||
        k == QLatin1String("sourceIPv4Address") || k == QLatin1String("sourceIPv6Address"))
        cmpAddr(r.src_addr);
    else if (k == QLatin1String("ipv4_dst_addr") || k == QLatin1String("ipv6_dst_addr") ||
             k == QLatin1String("destinationIPv4Address") || k == QLatin1String("destinationIPv6Address"))
        cmpAddr(r.dst_addr);
    else if (k == QLatin1String("ipv4_next_hop") || k == QLatin1String("ipv6_next_hop") ||
             k == QLatin1String("ipNextHopIPv4Address") || k == QLatin1String("ipNextHopIPv6Address"))
        cmpAddr(r.next_hop);
    else if (k == QLatin1String("bgp_ipv4_next_hop") || k == QLatin1String("bgp_ipv6_next_hop") ||
             k == QLatin1String("bgpNextHopIPv4Address"))
        cmpAddr(r.bgp_next_hop);
    else if (k == QLatin1String("xlate_src_addr_ipv4") || k == QLatin1String("postNATSourceIPv4Address"))
        cmpAddr(r.post_nat_src_addr);
    else if (k == QLatin1String("xlate_dst_addr_ipv4") || k == QLatin1String("postNATDestinationIPv4Address"))
        cmpAddr(r.post_nat_dst_addr);
    else if (k == QLatin1String("xlate_src_port"))
        c.compare(w, r.post_nat_src_port, jsonU64(v));
    else if (k == QLatin1String("xlate_dst_port"))
        c.compare(w, r.post_nat_dst_port, jsonU64(v));
    else if (k == QLatin1String("l4_src_port") || k == QLatin1String("sourceTransportPort"))
        c.compare(w, r.src_port, jsonU64(v));
    else if (k == QLatin1String("l4_dst_port") || k == QLatin1String("destinationTransportPort"))
        c.compare(w, r.dst_port, jsonU64(v));
    else if ((k == QLatin1String("tcp_src_port") || k == QLatin1String("udp_src_port")) &&
             !has("l4_src_port"))
        c.compare(w, r.src_port, jsonU64(v));
    else if ((k == QLatin1String("tcp_dst_port") || k == QLatin1String("udp_dst_port")) &&
             !has("l4_dst_port"))
        c.compare(w, r.dst_port, jsonU64(v));
    else if (k == QLatin1String("protocol") || k == QLatin1String("protocolIdentifier"))
        c.compare(w, r.proto, jsonU64(v));
    else if (k == QLatin1String("src_tos") || k == QLatin1String("ipClassOfService"))
        c.compare(w, r.ip_tos, jsonU64(v));
    else if (k == QLatin1String("tcp_flags") || k == QLatin1String("tcpControlBits"))
        c.compare(w, r.tcp_flags, jsonU64(v));
    else if (k == QLatin1String("in_bytes") || k == QLatin1String("octetDeltaCount"))
        c.compare(w, r.bytes, jsonU64(v));
    else if (k == QLatin1String("in_pkts") || k == QLatin1String("packetDeltaCount"))
        c.compare(w, r.packets, jsonU64(v));
    else if (k == QLatin1String("out_bytes") && !has("in_bytes"))
        c.compare(w, r.bytes, jsonU64(v));
    else if (k == QLatin1String("out_pkts") && !has("in_pkts"))
        c.compare(w, r.packets, jsonU64(v));
    else if ((k == QLatin1String("in_permanent_bytes") || k == QLatin1String("octetTotalCount")) &&
             !has("in_bytes") && !has("out_bytes") && !has("octetDeltaCount"))
        c.compare(w, r.bytes, jsonU64(v));
    else if (k == QLatin1String("packetTotalCount") && !has("packetDeltaCount"))
        c.compare(w, r.packets, jsonU64(v));
    else if (k == QLatin1String("fwd_flow_delta_bytes") && !has("in_bytes") && !has("in_permanent_bytes"))
        c.compare(w, r.bytes, jsonU64(v));
    else if (k == QLatin1String("input_snmp") || k == QLatin1String("ingressInterface"))
        c.compare(w, r.in_if, jsonU64(v));
    else if (k == QLatin1String("output_snmp") || k == QLatin1String("egressInterface"))
        c.compare(w, r.out_if, jsonU64(v));
    else if (k == QLatin1String("ingressPhysicalInterface") && !has("input_snmp") && !has("ingressInterface"))
        c.compare(w, r.in_if, jsonU64(v));
    else if (k == QLatin1String("egressPhysicalInterface") && !has("output_snmp") && !has("egressInterface"))
        c.compare(w, r.out_if, jsonU64(v));
    else if (k == QLatin1String("src_as") || k == QLatin1String("bgpSourceAsNumber"))
        c.compare(w, r.src_as, jsonU64(v));
    else if (k == QLatin1String("dst_as") || k == QLatin1String("bgpDestinationAsNumber"))
        c.compare(w, r.dst_as, jsonU64(v));
    else if (k == QLatin1String("src_mask"))
        c.compare(w, r.src_net, jsonU64(v));
    else if (k == QLatin1String("dst_mask"))
        c.compare(w, r.dst_net, jsonU64(v));
    else if (k == QLatin1String("in_src_mac") || k == QLatin1String("sourceMacAddress") ||
             (k == QLatin1String("out_src_mac") && !has("in_src_mac")))
        c.compare(w, mac(r.src_mac), v.toString());
    else if (k == QLatin1String("in_dst_mac") || (k == QLatin1String("out_dst_mac") && !has("in_dst_mac")))
        c.compare(w, mac(r.dst_mac), v.toString());
    else if (k == QLatin1String("src_vlan") || k == QLatin1String("vlanId"))
        c.compare(w, r.src_vlan, jsonU64(v));
    else if (k == QLatin1String("dst_vlan"))
        c.compare(w, r.dst_vlan, jsonU64(v));
    else if (k == QLatin1String("direction") || k == QLatin1String("flowDirection"))
        c.compare(w, r.flow_direction, jsonU64(v));
    else if (k == QLatin1String("forwarding_status")) {
        // logstash splits the byte into status (top 2 bits) and reason code (low 6 bits).
        const QJsonObject fs = v.toObject();
        c.compare(w, r.forwarding_status,
                  (jsonU64(fs.value(QLatin1String("status"))) << 6) |
                      jsonU64(fs.value(QLatin1String("reason"))));
    } else if (k == QLatin1String("icmp_type"))
        c.compare(w, r.icmp_type, jsonU64(v));
    else if (k == QLatin1String("icmp_code"))
        c.compare(w, r.icmp_code, jsonU64(v));
    else if (k == QLatin1String("icmpTypeCodeIPv4"))
        c.compare(w, (std::uint64_t(r.icmp_type) << 8) | r.icmp_code, jsonU64(v));
    else if (k == QLatin1String("ip_protocol_version") || k == QLatin1String("ipVersion"))
        c.compare(w, r.etype, jsonU64(v) == 6 ? 0x86dd : 0x0800);
    else if (k == QLatin1String("ethernetType"))
        c.compare(w, r.etype, jsonU64(v));
    else if (k == QLatin1String("ipv4_ident"))
        c.compare(w, r.fragment_id, jsonU64(v));
    else if (k == QLatin1String("ingressVRFID"))
        c.compare(w, r.ingress_vrf_id, jsonU64(v));
    else if (k == QLatin1String("egressVRFID"))
        c.compare(w, r.egress_vrf_id, jsonU64(v));
    else if (k == QLatin1String("observationPointId"))
        c.compare(w, r.observation_point_id, jsonU64(v));
    else if (k == QLatin1String("flow_seq_num"))
        c.compare(w, r.sequence_num, jsonU64(v));
    else if (k == QLatin1String("version"))
        c.compare(w, static_cast<std::uint64_t>(r.type),
                  jsonU64(v) == 5    ? 2
                  : jsonU64(v) == 9  ? 3
                  : jsonU64(v) == 10 ? 4
                                     : 0);
    else if (k == QLatin1String("engine_type"))
        c.compare(w, r.observation_domain_id >> 8, jsonU64(v));
    else if (k == QLatin1String("engine_id") && r.type == decode::FlowType::NetFlowV5)
        c.compare(w, r.observation_domain_id & 0xff, jsonU64(v));
    else if (k == QLatin1String("sampling_interval") && r.type == decode::FlowType::NetFlowV5)
        c.compare(w, r.sampling_rate, jsonU64(v));
    else if (k == QLatin1String("first_switched") || k == QLatin1String("flowStartMilliseconds") ||
             k == QLatin1String("flowStartSeconds") || k == QLatin1String("flowStartMicroseconds") ||
             k == QLatin1String("flow_start_msec"))
        cmpTime(r.time_flow_start_ns);
    else if (k == QLatin1String("last_switched") || k == QLatin1String("flowEndMilliseconds") ||
             k == QLatin1String("flowEndSeconds") || k == QLatin1String("flowEndMicroseconds"))
        cmpTime(r.time_flow_end_ns);
}

/// Expected logstash events per index: all asserted keys merged (field asserts + full events).
inline std::map<int, QJsonObject> logstashEvents(const QJsonObject& expected)
{
    std::map<int, QJsonObject> events;
    for (const auto& fa : expected.value(QLatin1String("field_assertions")).toArray()) {
        const QJsonObject o = fa.toObject();
        events[o.value(QLatin1String("event_index")).toInt()].insert(
            o.value(QLatin1String("field")).toString(), o.value(QLatin1String("expected")));
    }
    for (const auto& fe : expected.value(QLatin1String("full_event_equality")).toArray()) {
        const QJsonObject o = fe.toObject();
        const QJsonObject nf =
            o.value(QLatin1String("event")).toObject().value(QLatin1String("netflow")).toObject();
        QJsonObject& target = events[o.value(QLatin1String("event_index")).toInt()];
        for (auto it = nf.begin(); it != nf.end(); ++it)
            target.insert(it.key(), it.value());
    }
    return events;
}

/// Event index -> flow index (-1 = options record), assuming options data precede flow data
/// within one export packet (true for every logstash vector that mixes them).
inline std::vector<int> logstashEventMap(const DecodeRun& run)
{
    std::vector<int> map;
    for (const auto& in : run.inputs) {
        for (std::uint64_t i = 0; i < in.optionsRecords; ++i)
            map.push_back(-1);
        for (std::size_t i = 0; i < in.flows; ++i)
            map.push_back(int(in.firstFlow + i));
    }
    return map;
}

// ------------------------------------------------------------------------------- akvorado

/// Compares an akvorado expected flow (normalised FlowMessage) with a decoded flow. Absent keys
/// are zero in akvorado's literals, so the listed columns are always compared.
inline void checkAkvoradoFlow(FieldChecker& c, const QString& where, const QJsonObject& e,
                              const FlowRecord& r)
{
    const QJsonObject o = e.value(QLatin1String("OtherColumns")).toObject();
    const auto u = [](const QJsonObject& obj, const char* key) {
        return jsonU64(obj.value(QLatin1String(key)));
    };
    const auto a = [&](const char* key) {
        const QString t = e.value(QLatin1String(key)).toString();
        return t.isEmpty() ? QStringLiteral("::") : canonicalAddr(t);
    };
    const auto ours = [](const IpAddress& x) {
        return addr(x);
    };
    c.compare(where + QStringLiteral("SrcAddr"), ours(r.src_addr), a("SrcAddr"));
    c.compare(where + QStringLiteral("DstAddr"), ours(r.dst_addr), a("DstAddr"));
    // akvorado has one next-hop column: the IP next hop, else the BGP next hop. "No next hop"
    // is :: or ::ffff:0.0.0.0 depending on which zero field came last; both mean unset.
    const IpAddress& hop = r.next_hop.isZero() ? r.bgp_next_hop : r.next_hop;
    const auto unset = [](const QString& t) {
        return t == QLatin1String("::") || t == QLatin1String("0.0.0.0");
    };
    if (unset(ours(hop)) && unset(a("NextHop")))
        c.compare(where + QStringLiteral("NextHop"), a("NextHop"), a("NextHop"));
    else
        c.compare(where + QStringLiteral("NextHop"), ours(hop), a("NextHop"));
    c.compare(where + QStringLiteral("ExporterAddress"), ours(r.sampler_address), a("ExporterAddress"));
    // akvorado writes 1 for "not sampled"; FlowRecord writes 0 ("not known, treat as 1").
    c.compare(where + QStringLiteral("SamplingRate"), r.sampling_rate ? r.sampling_rate : 1,
              u(e, "SamplingRate") ? u(e, "SamplingRate") : 1);
    c.compare(where + QStringLiteral("InIf"), r.in_if, u(e, "InIf"));
    c.compare(where + QStringLiteral("OutIf"), r.out_if, u(e, "OutIf"));
    c.compare(where + QStringLiteral("SrcAS"), r.src_as, u(e, "SrcAS"));
    c.compare(where + QStringLiteral("DstAS"), r.dst_as, u(e, "DstAS"));
    c.compare(where + QStringLiteral("SrcNetMask"), r.src_net, u(e, "SrcNetMask"));
    c.compare(where + QStringLiteral("DstNetMask"), r.dst_net, u(e, "DstNetMask"));
    c.compare(where + QStringLiteral("SrcVlan"), r.src_vlan, u(e, "SrcVlan"));
    c.compare(where + QStringLiteral("DstVlan"), r.dst_vlan, u(e, "DstVlan"));
    c.compare(where + QStringLiteral("Bytes"), r.bytes, u(o, "Bytes"));
    c.compare(where + QStringLiteral("Packets"), r.packets, u(o, "Packets"));
    c.compare(where + QStringLiteral("EType"), r.etype, u(o, "EType"));
    c.compare(where + QStringLiteral("Proto"), r.proto, u(o, "Proto"));
    c.compare(where + QStringLiteral("SrcPort"), r.src_port, u(o, "SrcPort"));
    c.compare(where + QStringLiteral("DstPort"), r.dst_port, u(o, "DstPort"));
    c.compare(where + QStringLiteral("TCPFlags"), r.tcp_flags, u(o, "TCPFlags"));
    c.compare(where + QStringLiteral("ForwardingStatus"), r.forwarding_status, u(o, "ForwardingStatus"));
    // akvorado: 1 ingress, 2 egress, 0 unknown; IE 61: 0 ingress, 1 egress.
    if (o.contains(QLatin1String("FlowDirection")))
        c.compare(where + QStringLiteral("FlowDirection"), r.flow_direction,
                  u(o, "FlowDirection") == 2 ? 1 : 0);
    c.compare(where + QStringLiteral("IngressVRFID"), r.ingress_vrf_id, u(o, "IngressVRFID"));
    c.compare(where + QStringLiteral("EgressVRFID"), r.egress_vrf_id, u(o, "EgressVRFID"));
    c.compare(where + QStringLiteral("SrcMAC"), r.src_mac, u(o, "SrcMAC"));
    c.compare(where + QStringLiteral("DstMAC"), r.dst_mac, u(o, "DstMAC"));
    c.compare(where + QStringLiteral("IPTTL"), r.ip_ttl, u(o, "IPTTL"));
    c.compare(where + QStringLiteral("IPTos"), r.ip_tos, u(o, "IPTos"));
    c.compare(where + QStringLiteral("IPFragmentID"), r.fragment_id, u(o, "IPFragmentID"));
    c.compare(where + QStringLiteral("IPv6FlowLabel"), r.ipv6_flow_label, u(o, "IPv6FlowLabel"));
    if (o.contains(QLatin1String("ICMPv4Type")) || o.contains(QLatin1String("ICMPv6Type")))
        c.compare(where + QStringLiteral("ICMPType"), r.icmp_type, u(o, "ICMPv4Type") + u(o, "ICMPv6Type"));
    QStringList labels;
    for (int i = 0; i < r.mpls_label_count; ++i)
        labels << QString::number(r.mpls_label[i]);
    QStringList expectedLabels;
    for (const auto& l : o.value(QLatin1String("MPLSLabels")).toArray())
        expectedLabels << QString::number(jsonU64(l));
    c.compare(where + QStringLiteral("MPLSLabels"), labels.join(QLatin1Char(',')),
              expectedLabels.join(QLatin1Char(',')));
    if (o.contains(QLatin1String("SrcAddrNAT"))) {
        c.compare(where + QStringLiteral("SrcAddrNAT"), addr(r.post_nat_src_addr),
                  canonicalAddr(o.value(QLatin1String("SrcAddrNAT")).toString()));
        c.compare(where + QStringLiteral("DstAddrNAT"), addr(r.post_nat_dst_addr),
                  canonicalAddr(o.value(QLatin1String("DstAddrNAT")).toString()));
        c.compare(where + QStringLiteral("SrcPortNAT"), r.post_nat_src_port, u(o, "SrcPortNAT"));
        c.compare(where + QStringLiteral("DstPortNAT"), r.post_nat_dst_port, u(o, "DstPortNAT"));
    }
}

// ------------------------------------------------------------------------------- telegraf

/// One InfluxDB line-protocol metric.
struct LineMetric
{
    QString measurement;
    QMap<QString, QString> tags;
    QMap<QString, QString> fields; ///< raw value text: "443u", "\"tcp\"", "1.5"
};

inline std::vector<LineMetric> parseLineProtocol(const QByteArray& text)
{
    std::vector<LineMetric> out;
    for (const QByteArray& rawLine : text.split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        // measurement,tags fields [timestamp]; fields may hold quoted strings with spaces/commas.
        LineMetric m;
        int i = 0;
        const int n = int(line.size());
        int spaceAfterTags = -1;
        for (int j = 0; j < n; ++j) {
            if (line[j] == QLatin1Char('\\')) {
                ++j;
                continue;
            }
            if (line[j] == QLatin1Char(' ')) {
                spaceAfterTags = j;
                break;
            }
        }
        if (spaceAfterTags < 0)
            continue;
        const QStringList head = line.left(spaceAfterTags).split(QLatin1Char(','));
        m.measurement = head.value(0);
        for (int h = 1; h < head.size(); ++h) {
            const auto kv = head[h].split(QLatin1Char('='));
            m.tags.insert(kv.value(0), kv.value(1));
        }
        i = spaceAfterTags + 1;
        while (i < n) {
            const int eq = int(line.indexOf(QLatin1Char('='), i));
            if (eq < 0)
                break;
            const QString key = line.mid(i, eq - i);
            int j = eq + 1;
            QString value;
            if (j < n && line[j] == QLatin1Char('"')) {
                ++j;
                QString s;
                while (j < n && line[j] != QLatin1Char('"')) {
                    if (line[j] == QLatin1Char('\\') && j + 1 < n)
                        ++j;
                    s += line[j];
                    ++j;
                }
                ++j; // closing quote
                value = QLatin1Char('"') + s + QLatin1Char('"');
            } else {
                while (j < n && line[j] != QLatin1Char(',') && line[j] != QLatin1Char(' '))
                    value += line[j++];
            }
            m.fields.insert(key, value);
            if (j >= n || line[j] == QLatin1Char(' '))
                break;
            i = j + 1; // past the comma
        }
        out.push_back(std::move(m));
    }
    return out;
}

inline QString unquote(const QString& v)
{
    return v.startsWith(QLatin1Char('"')) ? v.mid(1, v.size() - 2) : v;
}

inline std::uint64_t lineUint(const QString& v)
{
    QString t = v;
    if (t.endsWith(QLatin1Char('u')) || t.endsWith(QLatin1Char('i')))
        t.chop(1);
    return t.toULongLong();
}

/// telegraf's 8-character TCP flag string, "CEUAPRSF" with dots for clear bits.
inline QString telegrafTcpFlags(std::uint16_t flags)
{
    static const char kNames[] = "CEUAPRSF";
    QString s;
    for (int i = 0; i < 8; ++i)
        s += (flags & (0x80 >> i)) ? QLatin1Char(kNames[i]) : QLatin1Char('.');
    return s;
}

/// Compares a telegraf "netflow" metric with a decoded flow (fields FlowRecord holds).
inline void checkTelegrafFlow(FieldChecker& c, const QString& where, const LineMetric& m, const FlowRecord& r)
{
    for (auto it = m.fields.cbegin(); it != m.fields.cend(); ++it) {
        const QString& k = it.key();
        const QString v = unquote(it.value());
        const QString w = where + k;
        if (k == QLatin1String("src"))
            c.compare(w, addr(r.src_addr), canonicalAddr(v));
        else if (k == QLatin1String("dst"))
            c.compare(w, addr(r.dst_addr), canonicalAddr(v));
        else if (k == QLatin1String("next_hop"))
            c.compare(w, addr(r.next_hop), canonicalAddr(v));
        else if (k == QLatin1String("src_port"))
            c.compare(w, r.src_port, lineUint(v));
        else if (k == QLatin1String("dst_port"))
            c.compare(w, r.dst_port, lineUint(v));
        else if (k == QLatin1String("protocol"))
            c.compare(w, QString::number(r.proto),
                      QString::number(decode::protoNumber(v.toStdString()) >= 0
                                          ? decode::protoNumber(v.toStdString())
                                          : int(v.toUInt())));
        else if (k == QLatin1String("in_bytes") ||
                 (k == QLatin1String("in_total_bytes") && !m.fields.contains(QLatin1String("in_bytes"))))
            c.compare(w, r.bytes, lineUint(v));
        else if (k == QLatin1String("in_packets") ||
                 (k == QLatin1String("in_total_packets") && !m.fields.contains(QLatin1String("in_packets"))))
            c.compare(w, r.packets, lineUint(v));
        else if (k == QLatin1String("tcp_flags"))
            c.compare(w, telegrafTcpFlags(r.tcp_flags), v);
        else if (k == QLatin1String("src_tos"))
            c.compare(w, QStringLiteral("0x%1").arg(r.ip_tos, 2, 16, QLatin1Char('0')), v);
        else if (k == QLatin1String("in_snmp"))
            c.compare(w, r.in_if, lineUint(v));
        else if (k == QLatin1String("out_snmp"))
            c.compare(w, r.out_if, lineUint(v));
        else if (k == QLatin1String("bgp_src_as"))
            c.compare(w, r.src_as, lineUint(v));
        else if (k == QLatin1String("bgp_dst_as"))
            c.compare(w, r.dst_as, lineUint(v));
        else if (k == QLatin1String("src_mask"))
            c.compare(w, r.src_net, lineUint(v));
        else if (k == QLatin1String("dst_mask"))
            c.compare(w, r.dst_net, lineUint(v));
        else if (k == QLatin1String("flow_start_ms"))
            c.compare(w, r.time_flow_start_ns / 1'000'000, lineUint(v));
        else if (k == QLatin1String("flow_end_ms"))
            c.compare(w, r.time_flow_end_ns / 1'000'000, lineUint(v));
        else if (k == QLatin1String("icmp_type"))
            c.compare(w, r.icmp_type, lineUint(v));
        else if (k == QLatin1String("icmp_code"))
            c.compare(w, r.icmp_code, lineUint(v));
        else if (k == QLatin1String("seq_number"))
            c.compare(w, r.sequence_num, lineUint(v));
        else if (k == QLatin1String("in_src_mac"))
            c.compare(w, mac(r.src_mac), v);
        else if (k == QLatin1String("out_dst_mac") || k == QLatin1String("in_dst_mac"))
            c.compare(w, mac(r.dst_mac), v);
        else if (k == QLatin1String("vlan_src"))
            c.compare(w, r.src_vlan, lineUint(v));
        else if (k == QLatin1String("direction"))
            c.compare(w, QString::fromLatin1(r.flow_direction ? "egress" : "ingress"), v);
        else if (k == QLatin1String("sampling_interval") && r.type == decode::FlowType::NetFlowV5)
            c.compare(w, r.sampling_rate, lineUint(v));
        else if (k == QLatin1String("engine_type") && r.type == decode::FlowType::NetFlowV5)
            c.compare(w, r.observation_domain_id >> 8, v.toULongLong());
        else if (k == QLatin1String("engine_id") && r.type == decode::FlowType::NetFlowV5)
            c.compare(w, r.observation_domain_id & 0xff, v.toULongLong(nullptr, 16));
    }
}

/// Finds the decoded flow a telegraf metric describes (metrics are compared unordered).
inline int matchTelegrafFlow(const LineMetric& m, const std::vector<FlowRecord>& flows,
                             std::vector<bool>& used)
{
    const QString src = canonicalAddr(unquote(m.fields.value(QStringLiteral("src"))));
    const QString dst = canonicalAddr(unquote(m.fields.value(QStringLiteral("dst"))));
    const auto sport = lineUint(m.fields.value(QStringLiteral("src_port")));
    const auto dport = lineUint(m.fields.value(QStringLiteral("dst_port")));
    QString bytesKey = QStringLiteral("in_bytes");
    if (!m.fields.contains(bytesKey))
        bytesKey = QStringLiteral("in_total_bytes");
    const bool haveBytes = m.fields.contains(bytesKey);
    const auto bytes = lineUint(m.fields.value(bytesKey));
    for (std::size_t i = 0; i < flows.size(); ++i) {
        if (used[i])
            continue;
        const FlowRecord& r = flows[i];
        if (addr(r.src_addr) == src && addr(r.dst_addr) == dst && r.src_port == sport &&
            r.dst_port == dport && (!haveBytes || r.bytes == bytes)) {
            used[i] = true;
            return int(i);
        }
    }
    return -1;
}

// ------------------------------------------------------------------------- netflow_parser

/// One data record of a netflow_parser insta snapshot: field enum name -> value text.
struct SnapRecord
{
    bool options = false;
    std::vector<std::pair<QString, QString>> fields;
};

/// Reads the data/options-data records out of a netflow_parser snapshot (a small subset of YAML:
/// records are "- - - Name" lists, values follow as "- Kind: value" or nested scalars).
inline std::vector<SnapRecord> parseSnapshot(const QByteArray& text)
{
    std::vector<SnapRecord> out;
    const QList<QByteArray> lines = text.split('\n');
    static const QRegularExpression recStart(
        QStringLiteral(R"(^(\s*)- - - (?:[A-Za-z]+: )?([A-Za-z0-9_]+)\s*$)"));
    static const QRegularExpression fieldStart(
        QStringLiteral(R"(^(\s*)- - (?:[A-Za-z]+: )?([A-Za-z0-9_]+)\s*$)"));
    static const QRegularExpression valueLine(QStringLiteral(R"(^\s*- ([A-Za-z0-9]+):\s*(.*)$)"));
    static const QRegularExpression scalarLine(QStringLiteral(R"(^\s*([A-Za-z0-9_]+):\s*(.*)$)"));
    bool inData = false;
    bool options = false;
    int bodyIndent = -1;
    SnapRecord* current = nullptr;
    QString pendingField;
    QString valueKind;
    QStringList valueParts;
    const auto flushValue = [&]() {
        if (current && !pendingField.isEmpty())
            current->fields.emplace_back(pendingField,
                                         valueKind + QLatin1Char('=') + valueParts.join(QLatin1Char(',')));
        pendingField.clear();
        valueKind.clear();
        valueParts.clear();
    };
    // NetFlow v5 packets are plain "key: value" records under flowsets.
    static const QRegularExpression v5Start(QStringLiteral("^\\s*- src_addr: (\\S+)\\s*$"));
    static const QRegularExpression v5Field(QStringLiteral("^\\s+([a-z_0-9]+): (\\S+)\\s*$"));
    static const QMap<QString, QString> v5Names = {
        {QStringLiteral("src_addr"), QStringLiteral("Ipv4SrcAddr")},
        {QStringLiteral("dst_addr"), QStringLiteral("Ipv4DstAddr")},
        {QStringLiteral("next_hop"), QStringLiteral("Ipv4NextHop")},
        {QStringLiteral("input"), QStringLiteral("InputSnmp")},
        {QStringLiteral("output"), QStringLiteral("OutputSnmp")},
        {QStringLiteral("d_pkts"), QStringLiteral("InPkts")},
        {QStringLiteral("d_octets"), QStringLiteral("InBytes")},
        {QStringLiteral("src_port"), QStringLiteral("L4SrcPort")},
        {QStringLiteral("dst_port"), QStringLiteral("L4DstPort")},
        {QStringLiteral("tcp_flags"), QStringLiteral("TcpFlags")},
        {QStringLiteral("protocol_number"), QStringLiteral("Protocol")},
        {QStringLiteral("tos"), QStringLiteral("SrcTos")},
        {QStringLiteral("src_as"), QStringLiteral("SrcAs")},
        {QStringLiteral("dst_as"), QStringLiteral("DstAs")},
        {QStringLiteral("src_mask"), QStringLiteral("SrcMask")},
        {QStringLiteral("dst_mask"), QStringLiteral("DstMask")},
    };
    bool inV5 = false;
    for (const QByteArray& raw : lines) {
        const QString line = QString::fromUtf8(raw);
        const QString trimmed = line.trimmed();
        if (auto m = v5Start.match(line); m.hasMatch()) {
            out.push_back(SnapRecord{
                false, {{QStringLiteral("Ipv4SrcAddr"), QStringLiteral("Ip4Addr=") + m.captured(1)}}});
            inV5 = true;
            continue;
        }
        if (inV5) {
            if (auto m = v5Field.match(line); m.hasMatch() && !trimmed.startsWith(QLatin1Char('-'))) {
                const QString name = v5Names.value(m.captured(1));
                if (name.isEmpty())
                    continue;
                const bool address =
                    name.endsWith(QLatin1String("Addr")) || name == QLatin1String("Ipv4NextHop");
                out.back().fields.emplace_back(
                    name, (address ? QStringLiteral("Ip4Addr=") : QStringLiteral("DataNumber=U32:")) +
                              m.captured(2));
                continue;
            }
            inV5 = false;
        }
        const int indent =
            int(line.size() - QString(line).remove(QRegularExpression(QStringLiteral("^\\s+"))).size());
        if (trimmed == QLatin1String("Data:") || trimmed == QLatin1String("OptionsData:")) {
            flushValue();
            inData = true;
            options = trimmed == QLatin1String("OptionsData:");
            bodyIndent = indent;
            current = nullptr;
            continue;
        }
        if (inData && !trimmed.isEmpty() && indent <= bodyIndent) {
            flushValue();
            inData = false;
            current = nullptr;
        }
        if (!inData)
            continue;
        if (options) {
            // Options records list scope_fields/options_fields; only their number is used.
            static const QRegularExpression optionsRecord(QStringLiteral("^\\s*- - - "));
            if (trimmed == QLatin1String("- scope_fields:") || optionsRecord.match(line).hasMatch())
                out.push_back(SnapRecord{true, {}});
            continue;
        }
        if (auto m = recStart.match(line); m.hasMatch()) {
            flushValue();
            out.push_back(SnapRecord{options, {}});
            current = &out.back();
            pendingField = m.captured(2);
            continue;
        }
        if (auto m = fieldStart.match(line); m.hasMatch()) {
            flushValue();
            pendingField = m.captured(2);
            continue;
        }
        if (auto m = valueLine.match(line); m.hasMatch() && !pendingField.isEmpty() && valueKind.isEmpty()) {
            valueKind = m.captured(1);
            QString v = m.captured(2).trimmed();
            if (v.size() >= 2 && v.startsWith(QLatin1Char('"')) && v.endsWith(QLatin1Char('"')))
                v = v.mid(1, v.size() - 2);
            if (!v.isEmpty())
                valueParts << v;
            continue;
        }
        if (auto m = scalarLine.match(line); m.hasMatch() && !pendingField.isEmpty()) {
            valueParts << m.captured(1) + QLatin1Char(':') + m.captured(2);
            continue;
        }
    }
    flushValue();
    return out;
}

/// Numeric part of a snapshot value ("DataNumber=U32:827" -> 827).
inline std::optional<std::uint64_t> snapNumber(const QString& value)
{
    const int colon = int(value.lastIndexOf(QLatin1Char(':')));
    if (!value.startsWith(QLatin1String("DataNumber=")) || colon < 0)
        return std::nullopt;
    bool ok = false;
    const auto n = value.mid(colon + 1).trimmed().toULongLong(&ok);
    return ok ? std::optional<std::uint64_t>(n) : std::nullopt;
}

/// netflow_parser's ProtocolType enum names for the protocols its vectors use.
inline int snapProtocol(const QString& name)
{
    static const QMap<QString, int> names = {
        {QStringLiteral("Hopopt"), 0}, {QStringLiteral("Icmp"), 1}, {QStringLiteral("Tcp"), 6},
        {QStringLiteral("Egp"), 8},    {QStringLiteral("Udp"), 17}, {QStringLiteral("Ipv6Icmp"), 58},
        {QStringLiteral("Gre"), 47},
    };
    return names.value(name, -1);
}

/// Compares one netflow_parser snapshot record with a decoded flow; returns fields compared.
inline void checkSnapRecord(FieldChecker& c, const QString& where, const SnapRecord& e, const FlowRecord& r)
{
    for (const auto& [name, value] : e.fields) {
        const QString w = where + name;
        const QString kind = value.section(QLatin1Char('='), 0, 0);
        const QString text = value.section(QLatin1Char('='), 1);
        const auto num = snapNumber(value);
        const auto cmpAddr = [&](const IpAddress& a) {
            c.compare(w, addr(a), canonicalAddr(text));
        };
        if (name == QLatin1String("Ipv4SrcAddr") || name == QLatin1String("SourceIpv4address") ||
            name == QLatin1String("Ipv6SrcAddr") || name == QLatin1String("SourceIpv6address"))
            cmpAddr(r.src_addr);
        else if (name == QLatin1String("Ipv4DstAddr") || name == QLatin1String("DestinationIpv4address") ||
                 name == QLatin1String("Ipv6DstAddr") || name == QLatin1String("DestinationIpv6address"))
            cmpAddr(r.dst_addr);
        else if (name == QLatin1String("Ipv4NextHop") || name == QLatin1String("IpNextHopIpv4address"))
            cmpAddr(r.next_hop);
        else if (name == QLatin1String("BgpNextHopIpv4address") || name == QLatin1String("BgpIpv4NextHop"))
            cmpAddr(r.bgp_next_hop);
        else if ((name == QLatin1String("FlowStartMilliseconds") ||
                  name == QLatin1String("FlowEndMilliseconds")) &&
                 kind == QLatin1String("Duration")) {
            std::uint64_t secs = 0;
            std::uint64_t nanos = 0;
            for (const QString& part : text.split(QLatin1Char(','))) {
                if (part.startsWith(QLatin1String("secs:")))
                    secs = part.mid(5).trimmed().toULongLong();
                else if (part.startsWith(QLatin1String("nanos:")))
                    nanos = part.mid(6).trimmed().toULongLong();
            }
            const bool start = name == QLatin1String("FlowStartMilliseconds");
            c.compare(w, start ? r.time_flow_start_ns : r.time_flow_end_ns, secs * 1'000'000'000ull + nanos);
        } else if (!num && name != QLatin1String("Protocol") && name != QLatin1String("ProtocolIdentifier") &&
                   name != QLatin1String("TcpFlags") && name != QLatin1String("TcpControlBits"))
            continue; // durations (uptimes), enums without a FlowRecord field
        else if (name == QLatin1String("L4SrcPort") || name == QLatin1String("SourceTransportPort"))
            c.compare(w, r.src_port, *num);
        else if (name == QLatin1String("L4DstPort") || name == QLatin1String("DestinationTransportPort"))
            c.compare(w, r.dst_port, *num);
        else if (name == QLatin1String("InBytes") || name == QLatin1String("OctetDeltaCount"))
            c.compare(w, r.bytes, *num);
        else if (name == QLatin1String("InPkts") || name == QLatin1String("PacketDeltaCount"))
            c.compare(w, r.packets, *num);
        else if (name == QLatin1String("InputSnmp") || name == QLatin1String("IngressInterface"))
            c.compare(w, r.in_if, *num);
        else if (name == QLatin1String("OutputSnmp") || name == QLatin1String("EgressInterface"))
            c.compare(w, r.out_if, *num);
        else if (name == QLatin1String("SrcAs") || name == QLatin1String("BgpSourceAsNumber"))
            c.compare(w, r.src_as, *num);
        else if (name == QLatin1String("DstAs") || name == QLatin1String("BgpDestinationAsNumber"))
            c.compare(w, r.dst_as, *num);
        else if (name == QLatin1String("SrcMask") || name == QLatin1String("SourceIpv4prefixLength"))
            c.compare(w, r.src_net, *num);
        else if (name == QLatin1String("DstMask") || name == QLatin1String("DestinationIpv4prefixLength"))
            c.compare(w, r.dst_net, *num);
        else if (name == QLatin1String("SrcTos") || name == QLatin1String("IpClassOfService"))
            c.compare(w, r.ip_tos, *num);
        else if (name == QLatin1String("Direction"))
            c.compare(w, r.flow_direction, *num);
        else if (name == QLatin1String("FlowLabel") || name == QLatin1String("Ipv6FlowLabel"))
            c.compare(w, r.ipv6_flow_label, *num);
        else if (name == QLatin1String("IpProtocolVersion") || name == QLatin1String("IpVersion"))
            c.compare(w, r.etype, *num == 6 ? 0x86dd : 0x0800);
        else if (name == QLatin1String("IcmpTypeCodeIpv4") || name == QLatin1String("IcmpType"))
            c.compare(w, (std::uint64_t(r.icmp_type) << 8) | r.icmp_code, *num);
        else if (name == QLatin1String("Protocol") || name == QLatin1String("ProtocolIdentifier")) {
            if (kind == QLatin1String("ProtocolType") && snapProtocol(text) >= 0)
                c.compare(w, r.proto, std::uint64_t(snapProtocol(text)));
            else if (num)
                c.compare(w, r.proto, *num);
        } else if (name == QLatin1String("TcpFlags") || name == QLatin1String("TcpControlBits")) {
            if (num) {
                c.compare(w, r.tcp_flags, *num);
                continue;
            }
            static const char* kBits[] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"};
            std::uint64_t flags = 0;
            for (int b = 0; b < 9; ++b)
                if (text.contains(QLatin1String(kBits[b]) + QLatin1String(":true")))
                    flags |= 1u << b;
            c.compare(w, r.tcp_flags, flags);
        }
    }
}

/// Outcome of one oracle row: what did not match (after known oracle errors) and how much was
/// compared, so that a row can never pass vacuously.
struct RowResult
{
    QStringList problems;
    int checked = 0;
    QString summary;
};

// ------------------------------------------------------------------------- by IE number

/// The FlowRecord value an IE number fills (for oracles that give raw IE values).
inline std::optional<std::uint64_t> ieNumber(const FlowRecord& r, int type)
{
    switch (type) {
    case 1:
    case 23:
        return r.bytes;
    case 2:
    case 24:
        return r.packets;
    case 4:
        return r.proto;
    case 5:
        return r.ip_tos;
    case 6:
        return r.tcp_flags;
    case 7:
        return r.src_port;
    case 9:
    case 29:
        return r.src_net;
    case 10:
        return r.in_if;
    case 11:
        return r.dst_port;
    case 13:
    case 30:
        return r.dst_net;
    case 14:
        return r.out_if;
    case 16:
        return r.src_as;
    case 17:
        return r.dst_as;
    case 61:
        return r.flow_direction;
    case 89:
        return r.forwarding_status;
    case 234:
        return r.ingress_vrf_id;
    case 235:
        return r.egress_vrf_id;
    default:
        return std::nullopt;
    }
}

inline const IpAddress* ieAddress(const FlowRecord& r, int type)
{
    switch (type) {
    case 8:
    case 27:
        return &r.src_addr;
    case 12:
    case 28:
        return &r.dst_addr;
    case 15:
    case 62:
        return &r.next_hop;
    case 18:
    case 63:
        return &r.bgp_next_hop;
    default:
        return nullptr;
    }
}

// ------------------------------------------------------------------------------- pmacct

/// pmacct aggregate check: the goldens sum packets/bytes over their aggregate key; summing the
/// golden rows and the decoded flows over (ip_src, ip_dst, port_src, port_dst, proto) — a key
/// every scenario aggregates on — must give the same totals per key.
inline RowResult runPmacct(const QString& test, const QString& golden, const char* row,
                           std::span<const KnownDeviation> known)
{
    RowResult out;
    const QString dir = vectorPath(QStringLiteral("pmacct/") + test);
    const QJsonObject facts = readJsonObject(vectorPath(QStringLiteral("pmacct/TEST_FACTS.json")))
                                  .value(QLatin1String("tests"))
                                  .toObject()
                                  .value(test)
                                  .toObject();
    const QString scenario = golden.contains(QLatin1Char('/'))
                                 ? golden.section(QLatin1Char('/'), 0, 0) + QLatin1Char('/')
                                 : QString();
    const QJsonObject config =
        facts.value(QStringLiteral("nfacctd_config[%1nfacctd-00.conf]").arg(scenario)).toObject();
    const bool renormalize =
        config.value(QLatin1String("nfacctd_renormalize")).toString() == QLatin1String("true");
    const QString aggregate = config.value(QLatin1String("aggregate[nfacctd_kafka]")).toString();
    FieldChecker c;
    for (const char* key : {"src_host", "dst_host", "src_port", "dst_port", "proto"}) {
        if (!aggregate.contains(QLatin1String(key)))
            out.problems << QStringLiteral("scenario does not aggregate on %1").arg(QLatin1String(key));
    }
    // Also part of the key when the scenario aggregates on them.
    const QStringList keys = aggregate.split(QLatin1Char(','));
    const auto aggregates = [&](const char* key) {
        for (const QString& k : keys)
            if (k.trimmed() == QLatin1String(key))
                return true;
        return false;
    };
    const bool withTos = aggregates("tos");
    const bool withIfaces = aggregates("in_iface") && aggregates("out_iface");
    const bool withLabels = aggregates("mpls_label_stack");
    DecodeRun run;
    // A sampling map (sampling-NN.map for output-flow-NN) sets the rate per exporter, as
    // setSamplingOverride(force) does; its ip is the replayed address, mapped back to the pcap's.
    const QString index = golden.section(QLatin1Char('-'), -1).section(QLatin1Char('.'), 0, 0);
    const QJsonArray samplingMap = facts.value(QLatin1String("maps"))
                                       .toObject()
                                       .value(QStringLiteral("pmacct_mount/sampling-%1.map").arg(index))
                                       .toArray();
    static const QRegularExpression mapLine(QStringLiteral("id=(\\d+)\\s+ip=([0-9.:a-f]+)"));
    for (const auto& line : samplingMap) {
        const auto m = mapLine.match(line.toString());
        if (!m.hasMatch())
            continue;
        const QJsonObject reproducers = facts.value(QLatin1String("traffic_reproducer")).toObject();
        for (auto r = reproducers.begin(); r != reproducers.end(); ++r) {
            for (const auto& pair : r.value().toObject().value(QLatin1String("src_ip_map")).toArray()) {
                if (pair.toArray().at(1).toString() != m.captured(2))
                    continue;
                const auto exporter = IpAddress::parse(pair.toArray().at(0).toString().toStdString());
                if (exporter)
                    run.decoder.setSamplingOverride(*exporter, m.captured(1).toULongLong(), true);
            }
        }
    }
    for (const QString& pcap :
         QDir(dir).entryList({QStringLiteral("traffic-*.pcap")}, QDir::Files, QDir::Name))
        run.feedFile(dir + QLatin1Char('/') + pcap, endpoint("192.0.2.1:2055"));

    using Key = QString;
    QMap<Key, QPair<std::uint64_t, std::uint64_t>> ours;
    QMap<Key, QPair<std::uint64_t, std::uint64_t>> theirs;
    for (const FlowRecord& r : run.flows) {
        const std::uint64_t scale = renormalize && r.sampling_rate ? r.sampling_rate : 1;
        QStringList extra;
        if (withTos)
            extra << QStringLiteral("tos=%1").arg(r.ip_tos);
        if (withIfaces)
            extra << QStringLiteral("if=%1/%2").arg(r.in_if).arg(r.out_if);
        if (withLabels) {
            QStringList labels;
            for (int i = 0; i < r.mpls_label_count; ++i)
                labels << QString::number(r.mpls_label[i]);
            extra << QStringLiteral("mpls=") + labels.join(QLatin1Char(','));
        }
        const Key k = QStringLiteral("%1 %2 %3 %4 %5 %6")
                          .arg(addr(r.src_addr), addr(r.dst_addr))
                          .arg(r.src_port)
                          .arg(r.dst_port)
                          .arg(r.proto)
                          .arg(extra.join(QLatin1Char(' ')));
        ours[k].first += r.packets * scale;
        ours[k].second += r.bytes * scale;
    }
    for (const QByteArray& line : readFile(dir + QLatin1Char('/') + golden).split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;
        // pmacct names protocols ("udp", "ipv6-icmp") or gives their number.
        const QJsonValue p = o.value(QLatin1String("ip_proto"));
        const int protoNumber =
            p.isString() ? decode::protoNumber(p.toString().toStdString()) : int(jsonU64(p));
        const QString proto = QString::number(protoNumber);
        QStringList extra;
        if (withTos)
            extra << QStringLiteral("tos=%1").arg(jsonU64(o.value(QLatin1String("tos"))));
        if (withIfaces)
            extra << QStringLiteral("if=%1/%2")
                         .arg(jsonU64(o.value(QLatin1String("iface_in"))))
                         .arg(jsonU64(o.value(QLatin1String("iface_out"))));
        if (withLabels) {
            // ["0-69", "1-24305"]: position-label, top of stack first.
            QStringList labels;
            for (const auto& l : o.value(QLatin1String("mpls_label_stack")).toArray())
                labels << l.toString().section(QLatin1Char('-'), 1);
            extra << QStringLiteral("mpls=") + labels.join(QLatin1Char(','));
        }
        const Key k = QStringLiteral("%1 %2 %3 %4 %5 %6")
                          .arg(canonicalAddr(o.value(QLatin1String("ip_src")).toString()),
                               canonicalAddr(o.value(QLatin1String("ip_dst")).toString()))
                          .arg(jsonU64(o.value(QLatin1String("port_src"))))
                          .arg(jsonU64(o.value(QLatin1String("port_dst"))))
                          .arg(proto)
                          .arg(extra.join(QLatin1Char(' ')));
        theirs[k].first += jsonU64(o.value(QLatin1String("packets")));
        theirs[k].second += jsonU64(o.value(QLatin1String("bytes")));
    }
    for (auto it = theirs.cbegin(); it != theirs.cend(); ++it) {
        const auto mine = ours.value(it.key());
        c.compare(QStringLiteral("[%1] packets").arg(it.key()), mine.first, it.value().first);
        c.compare(QStringLiteral("[%1] bytes").arg(it.key()), mine.second, it.value().second);
    }
    for (auto it = ours.cbegin(); it != ours.cend(); ++it)
        if (!theirs.contains(it.key()))
            c.fail(QStringLiteral("[%1] decoded but not in the golden").arg(it.key()));
    out.summary = QStringLiteral("%1 flows, %2 golden keys; anomalies: %3")
                      .arg(run.flows.size())
                      .arg(theirs.size())
                      .arg(run.anomalySummary());
    out.checked = c.checked();
    out.problems << c.unexplained(row, known);
    return out;
}

/// pmacct test folders and golden files whose first pcap has the given version.
inline QList<QPair<QString, QString>> pmacctGoldens(int version)
{
    QList<QPair<QString, QString>> out;
    const QString root = vectorPath(QStringLiteral("pmacct"));
    for (const QString& test : QDir(root).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString dir = root + QLatin1Char('/') + test;
        const QStringList pcaps =
            QDir(dir).entryList({QStringLiteral("traffic-*.pcap")}, QDir::Files, QDir::Name);
        if (pcaps.isEmpty() || fileVersion(dir + QLatin1Char('/') + pcaps.front()) != version)
            continue;
        QDirIterator it(dir, {QStringLiteral("output-flow-*.json")}, QDir::Files,
                        QDirIterator::Subdirectories);
        QStringList goldens;
        while (it.hasNext())
            goldens << QDir(dir).relativeFilePath(it.next());
        goldens.sort();
        for (const QString& g : goldens)
            out.append({test, g});
    }
    return out;
}

// ------------------------------------------------------------------------------- runners

inline QString logstashDir()
{
    return vectorPath(QStringLiteral("logstash-codec-netflow"));
}

/// Feeds one logstash test context's packets to one decoder and compares event count and every
/// asserted field that FlowRecord carries.
inline RowResult runLogstash(const QString& context, const char* row, std::span<const KnownDeviation> known)
{
    RowResult out;
    const QJsonObject e = readJsonObject(logstashDir() + QStringLiteral("/expected/") + context +
                                         QStringLiteral(".expected.json"));
    if (e.isEmpty()) {
        out.problems << QStringLiteral("cannot read expected file for %1").arg(context);
        return out;
    }
    const Endpoint from = endpoint("192.0.2.1:2055");
    // logstash emits one event per record (RFC 5103 reverse counters stay in that event).
    decode::DecoderLimits perRecord;
    perRecord.emitReverseFlows = false;
    DecodeRun run(perRecord);
    // Template caching contexts: templates come from a separate decoder, saved and loaded.
    const QJsonArray cached =
        e.value(QLatin1String("template_packets_decoded_first_in_a_separate_decoder_then_cached")).toArray();
    if (!cached.isEmpty()) {
        decode::FlowDecoder first(perRecord);
        std::vector<FlowRecord> ignored;
        for (const auto& f : cached) {
            const auto bytes = toBytes(readFile(logstashDir() + QStringLiteral("/dat/") + f.toString()));
            first.decode(bytes, from, kReceivedNs, ignored);
        }
        if (!run.decoder.loadTemplates(first.saveTemplates()))
            out.problems << QStringLiteral("saved templates did not load");
    }
    for (const auto& input : e.value(QLatin1String("input_packets_in_order")).toArray()) {
        if (!run.feedFile(logstashDir() + QStringLiteral("/dat/") + input.toString(), from))
            out.problems << QStringLiteral("cannot read %1").arg(input.toString());
    }
    const std::uint64_t events = run.flows.size() + run.optionsRecords();
    out.summary = QStringLiteral("%1 flows + %2 options records; anomalies: %3")
                      .arg(run.flows.size())
                      .arg(run.optionsRecords())
                      .arg(run.anomalySummary());
    FieldChecker c;
    // Every logstash input is a whole export packet that must be accepted (even the "invalid"
    // ones: logstash expects no exception and so do we, with anomalies counted).
    std::uint64_t accepted = 0;
    run.decoder.forEachDomain(
        [&](const decode::DomainKey&, const decode::DomainStats& st) { accepted += st.datagrams; });
    c.compare(QStringLiteral("datagrams accepted"), accepted, run.inputs.size());
    if (e.contains(QLatin1String("expected_event_count")))
        c.compare(QStringLiteral("event count"), events,
                  jsonU64(e.value(QLatin1String("expected_event_count"))));
    const auto map = logstashEventMap(run);
    for (const auto& [index, event] : logstashEvents(e)) {
        const QString where = QStringLiteral("event %1: ").arg(index);
        if (index >= int(map.size())) {
            c.fail(where + QStringLiteral("not decoded"));
            continue;
        }
        bool flowKey = false;
        bool optionsKey = false;
        for (auto it = event.begin(); it != event.end(); ++it) {
            flowKey |= logstashFlowKey(it.key());
            optionsKey |= logstashOptionsKey(it.key());
        }
        const int flow = map[std::size_t(index)];
        if (flow < 0) {
            if (flowKey)
                c.fail(where + QStringLiteral("a flow in the oracle, an options record here"));
            else
                c.compare(where + QStringLiteral("kind"), QStringLiteral("options"),
                          QStringLiteral("options"));
            continue;
        }
        if (optionsKey && !flowKey)
            c.fail(where + QStringLiteral("an options record in the oracle, a flow here"));
        for (auto it = event.begin(); it != event.end(); ++it)
            checkLogstashField(c, where, it.key(), it.value(), event, run.flows[std::size_t(flow)]);
    }
    out.checked = c.checked();
    out.problems << c.unexplained(row, known);
    return out;
}

/// The akvorado pcaps are NetFlow/IPFIX from ::ffff:127.0.0.1 in the upstream test.
inline Endpoint akvoradoExporter()
{
    return endpoint("127.0.0.1:2055");
}

/// akvorado metrics (Prometheus counters) that map onto DomainStats, compared at that point.
inline void checkAkvoradoMetrics(FieldChecker& c, const QString& where, const QJsonObject& metrics,
                                 const DecodeRun& run)
{
    static const QRegularExpression labelRe(QStringLiteral("(\\w+)=\"([^\"]*)\""));
    std::uint64_t packets = 0;
    std::uint64_t flowRecords = 0;
    std::uint64_t optionRecords = 0;
    std::uint64_t templateRecords = 0;
    bool havePackets = false;
    bool haveFlows = false;
    bool haveOptions = false;
    bool haveTemplates = false;
    QMap<quint32, int> templatesPerDomain;
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        const QString name = it.key().section(QLatin1Char('{'), 0, 0);
        QMap<QString, QString> labels;
        for (auto m = labelRe.globalMatch(it.key()); m.hasNext();) {
            const auto match = m.next();
            labels.insert(match.captured(1), match.captured(2));
        }
        const std::uint64_t value = it.value().toString().toULongLong();
        const QString type = labels.value(QStringLiteral("type"));
        if (name == QLatin1String("packets_total")) {
            packets += value;
            havePackets = true;
        } else if (name == QLatin1String("records_total") && type == QLatin1String("DataFlowSet")) {
            flowRecords += value;
            haveFlows = true;
        } else if (name == QLatin1String("records_total") && type == QLatin1String("OptionsDataFlowSet")) {
            optionRecords += value;
            haveOptions = true;
        } else if (name == QLatin1String("records_total") &&
                   type.endsWith(QLatin1String("TemplateFlowSet"))) {
            templateRecords += value;
            haveTemplates = true;
        } else if (name == QLatin1String("templates_total")) {
            ++templatesPerDomain[labels.value(QStringLiteral("obs_domain_id")).toUInt()];
        }
    }
    std::uint64_t datagrams = 0;
    std::uint64_t flows = 0;
    std::uint64_t options = 0;
    std::uint64_t learned = 0;
    run.decoder.forEachDomain([&](const decode::DomainKey&, const decode::DomainStats& st) {
        datagrams += st.datagrams;
        flows += st.flows;
        options += st.optionsRecords;
        learned += st.templatesLearned;
    });
    if (havePackets)
        c.compare(where + QStringLiteral("packets_total"), datagrams, packets);
    // A test lists the counters it filters for; records_total entries absent from a list that
    // has other records_total entries are zero.
    const bool recordCounters = haveFlows || haveOptions || haveTemplates;
    if (recordCounters) {
        c.compare(where + QStringLiteral("records_total{DataFlowSet}"), flows, haveFlows ? flowRecords : 0);
        c.compare(where + QStringLiteral("records_total{OptionsDataFlowSet}"), options,
                  haveOptions ? optionRecords : 0);
    }
    if (haveTemplates)
        c.compare(where + QStringLiteral("records_total{*TemplateFlowSet}"), learned, templateRecords);
    for (auto it = templatesPerDomain.cbegin(); it != templatesPerDomain.cend(); ++it)
        c.compare(where + QStringLiteral("templates_total{obs_domain_id=%1}").arg(it.key()),
                  run.domain(akvoradoExporter(), it.key()).templatesActive, std::uint64_t(it.value()));
}

/// Runs one akvorado NetFlow test, event by event (read_pcap, expectedMetrics, expectedFlows,
/// expectedFlow4, expectedFirstSwitched, diff).
/// Decoder settings for akvorado's decoder_options: its DecapsulationProtocol maps to
/// DecoderLimits::decapsulation.
inline decode::DecoderLimits akvoradoLimits(const QJsonObject& test)
{
    decode::DecoderLimits limits;
    for (const auto& ev : test.value(QLatin1String("events")).toArray()) {
        const QString options = ev.toObject().value(QLatin1String("decoder_options")).toString();
        if (options.contains(QLatin1String("DECAP_SRV6")))
            limits.decapsulation = decode::Decapsulation::Srv6;
        else if (options.contains(QLatin1String("DECAP_VXLAN")))
            limits.decapsulation = decode::Decapsulation::Vxlan;
        else if (options.contains(QLatin1String("DECAP_GRE")))
            limits.decapsulation = decode::Decapsulation::Gre;
        else if (options.contains(QLatin1String("DECAP_IPIP")))
            limits.decapsulation = decode::Decapsulation::IpInIp;
    }
    return limits;
}

inline RowResult runAkvorado(const QJsonObject& test, const char* row, std::span<const KnownDeviation> known)
{
    RowResult out;
    DecodeRun run(akvoradoLimits(test));
    FieldChecker c;
    const QString dir = vectorPath(QStringLiteral("akvorado/netflow/"));
    std::vector<std::byte> lastPayload;
    QJsonArray expected;
    bool haveExpected = false;
    int firstIndex = 0;
    for (const auto& ev : test.value(QLatin1String("events")).toArray()) {
        const QJsonObject o = ev.toObject();
        if (o.contains(QLatin1String("read_pcap"))) {
            // The upstream harness concatenates a pcap's UDP payloads into one buffer; each of
            // these pcaps holds one datagram, fed here from the address the test uses.
            for (const auto& d :
                 readDatagrams(dir + o.value(QLatin1String("read_pcap")).toString(), akvoradoExporter())) {
                run.feed(d.payload, akvoradoExporter());
                lastPayload = d.payload;
            }
        } else if (o.contains(QLatin1String("expectedMetrics"))) {
            checkAkvoradoMetrics(c, QStringLiteral("after %1 datagrams: ").arg(run.inputs.size()),
                                 o.value(QLatin1String("expectedMetrics")).toObject(), run);
        } else if (o.contains(QLatin1String("expectedFlows"))) {
            expected = o.value(QLatin1String("expectedFlows")).toArray();
            haveExpected = true;
            firstIndex = 0;
        } else if (o.contains(QLatin1String("expectedFlow4"))) {
            expected = QJsonArray{o.value(QLatin1String("expectedFlow4"))};
            haveExpected = true;
            firstIndex = 3;
        } else if (o.contains(QLatin1String("expectedFirstSwitched"))) {
            // Raw FIRST_SWITCHED (ms of uptime) per flow: start = export - (sysUptime - first).
            const auto* h = reinterpret_cast<const std::uint8_t*>(lastPayload.data());
            if (lastPayload.size() < 20)
                continue;
            const std::uint64_t sysUptime = (std::uint64_t(h[4]) << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
            const std::uint64_t exportSecs =
                (std::uint64_t(h[8]) << 24) | (h[9] << 16) | (h[10] << 8) | h[11];
            const QJsonArray firsts = o.value(QLatin1String("expectedFirstSwitched")).toArray();
            c.compare(QStringLiteral("flow count"), run.flows.size(), std::uint64_t(firsts.size()));
            for (int i = 0; i < firsts.size() && i < int(run.flows.size()); ++i)
                c.compare(QStringLiteral("flow %1: start").arg(i),
                          run.flows[std::size_t(i)].time_flow_start_ns,
                          exportSecs * 1'000'000'000ull - (sysUptime - jsonU64(firsts.at(i))) * 1'000'000ull);
        } else if (o.contains(QLatin1String("diff")) && haveExpected) {
            const QString got = o.value(QLatin1String("diff")).toArray().at(0).toString();
            const QString want = o.value(QLatin1String("diff")).toArray().at(1).toString();
            if (got.startsWith(QLatin1String("gotMetrics")))
                continue;
            const bool sorted = want.contains(QLatin1String("SortSlices"));
            if ((got == QLatin1String("got") || got == QLatin1String("*got") ||
                 got == QLatin1String("(*got)")) &&
                firstIndex == 0)
                c.compare(QStringLiteral("flow count"), run.flows.size(), std::uint64_t(expected.size()));
            std::vector<bool> used(run.flows.size(), false);
            for (int i = 0; i < expected.size(); ++i) {
                const QJsonObject e = expected.at(i).toObject();
                int index = firstIndex + i;
                if (sorted) {
                    // Order-insensitive: the flow with the same addresses, ports and bytes.
                    index = -1;
                    const QJsonObject oc = e.value(QLatin1String("OtherColumns")).toObject();
                    for (std::size_t k = 0; k < run.flows.size(); ++k) {
                        const FlowRecord& r = run.flows[k];
                        if (!used[k] &&
                            addr(r.src_addr) == canonicalAddr(e.value(QLatin1String("SrcAddr")).toString()) &&
                            addr(r.dst_addr) == canonicalAddr(e.value(QLatin1String("DstAddr")).toString()) &&
                            r.bytes == jsonU64(oc.value(QLatin1String("Bytes"))) &&
                            r.src_port == jsonU64(oc.value(QLatin1String("SrcPort")))) {
                            index = int(k);
                            used[k] = true;
                            break;
                        }
                    }
                }
                if (index < 0 || index >= int(run.flows.size())) {
                    c.fail(QStringLiteral("flow %1: not decoded").arg(i));
                    continue;
                }
                checkAkvoradoFlow(c, QStringLiteral("flow %1: ").arg(index), e,
                                  run.flows[std::size_t(index)]);
            }
            expected = QJsonArray();
            haveExpected = false;
        }
    }
    out.summary = QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
    out.checked = c.checked();
    out.problems << c.unexplained(row, known);
    return out;
}

/// akvorado tests that exercise options this decoder does not have: the timestamp source, and the
/// VXLAN decapsulation test, which also expects non-encapsulated packets to be dropped (FlowLens keeps
/// them as they are; decapsulation itself is DecoderLimits::decapsulation).
inline QString akvoradoNotApplicable(const QJsonObject& test)
{
    for (const auto& ev : test.value(QLatin1String("events")).toArray()) {
        const QJsonObject o = ev.toObject();
        if (o.contains(QLatin1String("expectedTS")))
            return QStringLiteral(
                "asserts akvorado's TimestampSource=packet option (flow time = export time)");
        if (o.value(QLatin1String("decoder_options")).toString().contains(QLatin1String("DECAP_VXLAN")))
            return QStringLiteral("asserts that akvorado's VXLAN decapsulation drops packets that are not "
                                  "VXLAN (FlowLens keeps them)");
    }
    return {};
}

/// Runs one telegraf case: every "netflow" metric must match a decoded flow (unordered) and the
/// "netflow_options" metrics count the options records.
inline RowResult runTelegraf(const QString& caseName, const char* row, std::span<const KnownDeviation> known)
{
    RowResult out;
    const QString dir = vectorPath(QStringLiteral("telegraf/") + caseName);
    QStringList inputs = QDir(dir).entryList({QStringLiteral("*.bin")}, QDir::Files, QDir::Name);
    decode::DecoderLimits perRecord; // telegraf: one metric per record
    perRecord.emitReverseFlows = false;
    DecodeRun run(perRecord);
    for (const QString& f : inputs)
        run.feedFile(dir + QLatin1Char('/') + f, endpoint("127.0.0.1:2055"));
    const auto metrics = parseLineProtocol(readFile(dir + QStringLiteral("/expected.out")));
    FieldChecker c;
    std::uint64_t flowMetrics = 0;
    std::uint64_t optionMetrics = 0;
    std::vector<bool> used(run.flows.size(), false);
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        const LineMetric& m = metrics[i];
        if (m.measurement == QLatin1String("netflow_options")) {
            ++optionMetrics;
            continue;
        }
        ++flowMetrics;
        const int index = matchTelegrafFlow(m, run.flows, used);
        const QString where = QStringLiteral("metric %1 (%2 -> %3): ")
                                  .arg(i)
                                  .arg(unquote(m.fields.value(QStringLiteral("src"))),
                                       unquote(m.fields.value(QStringLiteral("dst"))));
        if (index < 0) {
            c.fail(where + QStringLiteral("no decoded flow with these addresses, ports and bytes"));
            continue;
        }
        checkTelegrafFlow(c, where, m, run.flows[std::size_t(index)]);
    }
    c.compare(QStringLiteral("flow count"), run.flows.size(), flowMetrics);
    c.compare(QStringLiteral("options record count"), run.optionsRecords(), optionMetrics);
    out.summary = QStringLiteral("%1 flows + %2 options records; anomalies: %3")
                      .arg(run.flows.size())
                      .arg(run.optionsRecords())
                      .arg(run.anomalySummary());
    out.checked = c.checked();
    out.problems << c.unexplained(row, known);
    return out;
}

/// Runs one netflow_parser snapshot test from INDEX.json.
inline RowResult runSnapshot(const QJsonObject& test, const char* row, std::span<const KnownDeviation> known)
{
    RowResult out;
    const QString dir = vectorPath(QStringLiteral("netflow_parser_rs/"));
    decode::DecoderLimits perRecord;
    perRecord.emitReverseFlows = false;
    DecodeRun run(perRecord);
    const QJsonArray inputs = test.value(QLatin1String("inputs_in_order")).toArray();
    for (const auto& in : inputs)
        run.feedFile(dir + QStringLiteral("bin/") + in.toString(), endpoint("192.0.2.1:2055"));
    const bool lastOnly =
        test.value(QLatin1String("snapshot_covers")).toString().contains(QLatin1String("LAST"));
    std::vector<FlowRecord> flows;
    std::uint64_t options = 0;
    for (std::size_t i = 0; i < run.inputs.size(); ++i) {
        if (lastOnly && i + 1 != run.inputs.size())
            continue;
        const auto& in = run.inputs[i];
        flows.insert(flows.end(), run.flows.begin() + std::ptrdiff_t(in.firstFlow),
                     run.flows.begin() + std::ptrdiff_t(in.firstFlow + in.flows));
        options += in.optionsRecords;
    }
    const auto records = parseSnapshot(readFile(dir + test.value(QLatin1String("snapshot")).toString()));
    FieldChecker c;
    std::size_t expectedFlows = 0;
    std::size_t expectedOptions = 0;
    for (const auto& r : records) {
        if (r.options) {
            ++expectedOptions;
            continue;
        }
        const QString where = QStringLiteral("flow %1: ").arg(expectedFlows);
        if (expectedFlows < flows.size())
            checkSnapRecord(c, where, r, flows[expectedFlows]);
        ++expectedFlows;
    }
    c.compare(QStringLiteral("flow count"), flows.size(), expectedFlows);
    c.compare(QStringLiteral("options record count"), options, expectedOptions);
    out.summary = QStringLiteral("%1 flows + %2 options records; anomalies: %3")
                      .arg(flows.size())
                      .arg(options)
                      .arg(run.anomalySummary());
    out.checked = c.checked();
    out.problems << c.unexplained(row, known);
    return out;
}

// ------------------------------------------------------------------------------ row tables

/// Version number (5, 9, 10) of the first datagram of a file; 0 when unreadable.
inline int fileVersion(const QString& path)
{
    const auto d = readDatagrams(path, endpoint("192.0.2.1:2055"));
    if (d.empty() || d.front().payload.size() < 2)
        return 0;
    const auto* p = reinterpret_cast<const std::uint8_t*>(d.front().payload.data());
    return (p[0] << 8) | p[1];
}

/// Logstash contexts whose first input has the given version.
inline QStringList logstashContexts(int version)
{
    QStringList out;
    const QString dir = logstashDir() + QStringLiteral("/expected");
    for (const QString& f :
         QDir(dir).entryList({QStringLiteral("*.expected.json")}, QDir::Files, QDir::Name)) {
        const QJsonObject e = readJsonObject(dir + QLatin1Char('/') + f);
        const QString first = e.value(QLatin1String("input_packets_in_order")).toArray().at(0).toString();
        if (fileVersion(logstashDir() + QStringLiteral("/dat/") + first) == version)
            out << f.chopped(int(qstrlen(".expected.json")));
    }
    return out;
}

/// akvorado NetFlow tests whose first pcap has the given version (name -> test object).
inline QList<QPair<QString, QJsonObject>> akvoradoTests(int version)
{
    QList<QPair<QString, QJsonObject>> out;
    const QJsonObject all = readJsonObject(vectorPath(QStringLiteral("akvorado/expected.json")));
    for (const auto& t : all.value(QLatin1String("netflow_tests")).toArray()) {
        const QJsonObject test = t.toObject();
        QString firstPcap;
        for (const auto& ev : test.value(QLatin1String("events")).toArray()) {
            const QJsonObject o = ev.toObject();
            if (o.contains(QLatin1String("read_pcap"))) {
                firstPcap = o.value(QLatin1String("read_pcap")).toString();
                break;
            }
            if (o.contains(QLatin1String("pcaps_case")) && firstPcap.isEmpty())
                firstPcap = o.value(QLatin1String("pcaps_case")).toArray().at(0).toString();
        }
        if (!firstPcap.isEmpty() &&
            fileVersion(vectorPath(QStringLiteral("akvorado/netflow/") + firstPcap)) == version)
            out.append({test.value(QLatin1String("test")).toString(), test});
    }
    return out;
}

/// telegraf cases whose first input has the given version.
inline QStringList telegrafCases(int version)
{
    QStringList out;
    const QString dir = vectorPath(QStringLiteral("telegraf"));
    for (const QString& c : QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QStringList bins =
            QDir(dir + QLatin1Char('/') + c).entryList({QStringLiteral("*.bin")}, QDir::Files, QDir::Name);
        if (!bins.isEmpty() &&
            fileVersion(dir + QLatin1Char('/') + c + QLatin1Char('/') + bins.front()) == version)
            out << c;
    }
    return out;
}

/// netflow_parser snapshot tests whose first input has the given version.
inline QList<QPair<QString, QJsonObject>> snapshotTests(int version)
{
    QList<QPair<QString, QJsonObject>> out;
    const QJsonObject index = readJsonObject(vectorPath(QStringLiteral("netflow_parser_rs/INDEX.json")));
    for (const auto& t : index.value(QLatin1String("tests")).toArray()) {
        const QJsonObject test = t.toObject();
        const QString first = test.value(QLatin1String("inputs_in_order")).toArray().at(0).toString();
        if (fileVersion(vectorPath(QStringLiteral("netflow_parser_rs/bin/") + first)) == version)
            out.append(
                {test.value(QLatin1String("test")).toString().section(QStringLiteral("::"), -1), test});
    }
    return out;
}

/// Reports a row: prints what was decoded, fails on unexplained mismatches or an empty check.
#define FLOWLENS_CHECK_ROW(result, tally, source)                                                            \
    do {                                                                                                     \
        (tally).add(source);                                                                                 \
        qInfo("%s: %s; %d values compared", QTest::currentDataTag(), qPrintable((result).summary),           \
              (result).checked);                                                                             \
        QVERIFY2((result).problems.isEmpty(), qPrintable((result).problems.join(QStringLiteral("\n"))));     \
        QVERIFY2((result).checked > 0, "nothing was compared");                                              \
        (tally).pass(source);                                                                                \
    } while (false)

} // namespace flowlens::test
