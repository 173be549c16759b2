#include "ipfix.h"

#include "byte_reader.h"

#include <algorithm>

namespace flowlens::decode {

namespace {

constexpr std::size_t kHeaderSize = 16;

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

IpfixDecoder::IpfixDecoder(DecoderContext& context)
    : m_context(context)
    , m_sets(context)
{}

std::size_t IpfixDecoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                 std::uint64_t receivedNs, std::vector<FlowRecord>& out)
{
    ByteReader header(datagram);
    PacketContext packet;
    packet.type = FlowType::Ipfix;
    packet.version = header.u16();
    const std::uint16_t messageLength = header.u16();
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
    d.stats = m_context.registry.get(from, packet.domainId, FlowType::Ipfix, packet.version, receivedNs);
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
    m_sets.expirePending(d, receivedNs);

    const auto* data = reinterpret_cast<const std::uint8_t*>(datagram.data());
    const std::size_t size = datagram.size();
    // Sets start within the message length; a set may run past it as long as it fits the
    // datagram (some exporters get the header length wrong), which is counted as BadLength.
    // Bytes after the message that are not zero fill (e.g. a second, concatenated message: one
    // message per datagram, RFC 7011 10.3.3) are TrailingBytes and not decoded.
    const std::size_t end = messageLength < kHeaderSize ? size : std::min<std::size_t>(messageLength, size);
    if (messageLength > size || messageLength < kHeaderSize)
        countAnomaly(stats.anomalies, Anomaly::BadLength);

    const std::size_t before = out.size();
    std::size_t pos = kHeaderSize;
    std::uint32_t records = 0;
    bool recordsKnown = true;
    while (pos < end) {
        const std::size_t remaining = size - pos;
        if (allZero(data + pos, end - pos))
            break;
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
            break;
        }
        if (setLength > remaining) {
            countAnomaly(stats.anomalies, Anomaly::BadSetLength);
            setLength = remaining;
        }
        const std::uint8_t* body = data + pos + 4;
        const std::size_t bodyLength = setLength - 4;
        if (setId == 2 || setId == 3) {
            m_sets.templateSet(d, body, bodyLength, true, setId == 3, out);
        } else if (setId == 0 || setId == 1) {
            // Not used in IPFIX (RFC 7011 3.3.2), but some exporters (and scapy) send NetFlow v9
            // template (0) and options template (1) sets; decoded as such, and counted.
            countAnomaly(stats.anomalies, Anomaly::BadSetId);
            m_sets.templateSet(d, body, bodyLength, setId == 0, setId == 1, out);
        } else if (setId < 256) {
            countAnomaly(stats.anomalies, Anomaly::BadSetId);
        } else {
            const auto r = m_sets.dataSet(d, setId, body, bodyLength, packet, out);
            records += r.flows + r.optionsRecords;
            if (r.missingTemplate)
                recordsKnown = false;
        }
        pos += setLength;
    }
    if (pos > end && end == messageLength)
        countAnomaly(stats.anomalies, Anomaly::BadLength);
    const std::size_t tail = std::max(pos, end);
    if (tail < size && !allZero(data + tail, size - tail))
        countAnomaly(stats.anomalies, Anomaly::TrailingBytes);
    // IPFIX numbers data records (options data included). Without a set's template its record
    // count is unknown: account what is known, then resynchronise on the next message.
    accountSequence(stats, packet.sequence, records);
    if (!recordsKnown)
        stats.sequenceKnown = false;
    return out.size() - before;
}

} // namespace flowlens::decode
