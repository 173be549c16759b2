#include "netflow_v9.h"

#include "byte_reader.h"

namespace flowlens::decode {

namespace {

constexpr std::size_t kHeaderSize = 20;

void countAnomaly(AnomalyCounters& c, Anomaly a)
{
    ++c[static_cast<std::size_t>(a)];
}

bool allZero(const std::uint8_t* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i])
            return false;
    return true;
}

} // namespace

NetflowV9Decoder::NetflowV9Decoder(DecoderContext& context)
    : m_context(context)
    , m_sets(context)
{}

std::size_t NetflowV9Decoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                     std::uint64_t receivedNs, std::vector<FlowRecord>& out)
{
    ByteReader header(datagram);
    PacketContext packet;
    packet.type = FlowType::NetFlowV9;
    packet.version = header.u16();
    const std::uint16_t count = header.u16();
    packet.sysUptimeMs = header.u32();
    packet.exportSeconds = header.u32();
    packet.sequence = header.u32();
    packet.domainId = header.u32();
    packet.receivedNs = receivedNs;
    if (!header.ok()) {
        countAnomaly(m_context.registry.unattributed(), Anomaly::TruncatedHeader);
        return 0;
    }

    SetDecoder::Domain d;
    d.key = DomainKey{from, packet.domainId};
    d.stats = m_context.registry.get(from, packet.domainId, FlowType::NetFlowV9, packet.version, receivedNs);
    d.state = d.stats ? m_context.templates.get(d.key) : nullptr;
    if (!d.stats || !d.state) {
        countAnomaly(m_context.registry.unattributed(), Anomaly::ExporterLimit);
        return 0;
    }
    d.samplingOverride = m_context.overrideFor(from.address);
    DomainStats& stats = *d.stats;
    ++stats.datagrams;
    stats.bytes += datagram.size();
    stats.templatesActive = static_cast<std::uint32_t>(d.state->templates.size());
    // v9 numbers export packets, not flows (RFC 3954 5.1).
    accountSequence(stats, packet.sequence, 1);
    m_sets.expirePending(d, receivedNs);

    const std::size_t before = out.size();
    const auto* data = reinterpret_cast<const std::uint8_t*>(datagram.data());
    const std::size_t size = datagram.size();
    std::size_t pos = kHeaderSize;
    std::uint32_t records = 0;
    bool recordsKnown = true;
    while (pos < size) {
        const std::size_t remaining = size - pos;
        if (allZero(data + pos, remaining))
            break; // zero-filled tail after the last FlowSet
        if (remaining < 4) {
            countAnomaly(stats.anomalies, Anomaly::TrailingBytes);
            break;
        }
        const std::uint16_t setId = loadBe16(data + pos);
        std::size_t setLength = loadBe16(data + pos + 2);
        if (setLength < 4) {
            // A zero run followed by something else is trailing garbage, not a set.
            countAnomaly(stats.anomalies,
                         setId == 0 && setLength == 0 ? Anomaly::TrailingBytes : Anomaly::BadSetLength);
            break; // cannot find the next FlowSet
        }
        if (setLength > remaining) {
            // Truncated datagram: decode the records that are there.
            countAnomaly(stats.anomalies, Anomaly::BadSetLength);
            setLength = remaining;
        }
        const std::uint8_t* body = data + pos + 4;
        const std::size_t bodyLength = setLength - 4;
        if (setId == 0 || setId == 1) {
            records += m_sets.templateSet(d, body, bodyLength, false, setId == 1, out);
        } else if (setId < 256) {
            countAnomaly(stats.anomalies, Anomaly::BadSetId);
            recordsKnown = false; // its records count in the header, but cannot be counted here
        } else {
            const auto r = m_sets.dataSet(d, setId, body, bodyLength, packet, out);
            records += r.flows + r.optionsRecords;
            if (r.missingTemplate)
                recordsKnown = false;
        }
        pos += setLength;
    }
    // The header counts records of all kinds; many exporters count FlowSets instead.
    if (recordsKnown && records != count)
        countAnomaly(stats.anomalies, Anomaly::CountMismatch);
    return out.size() - before;
}

} // namespace flowlens::decode
