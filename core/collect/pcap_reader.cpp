#include "pcap_reader.h"

#include <cstring>

#include <pcap/pcap.h>

namespace flowlens::collect {

namespace {

constexpr int kLinkNull = 0;
constexpr int kLinkEthernet = 1;
constexpr int kLinkRaw = 101;
constexpr int kLinkRawAlt1 = 12;
constexpr int kLinkRawAlt2 = 14;
constexpr int kLinkLoop = 108;
constexpr int kLinkSll = 113;
constexpr int kLinkIpv4 = 228;
constexpr int kLinkIpv6 = 229;
constexpr int kLinkSll2 = 276;

std::uint16_t be16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

bool parseUdp(const std::uint8_t* p, std::size_t len, CapturedDatagram& out)
{
    if (len < 8)
        return false;
    out.from.port = be16(p);
    out.to.port = be16(p + 2);
    std::size_t udpLen = be16(p + 4);
    if (udpLen < 8 || udpLen > len)
        udpLen = len; // trust the capture when the header disagrees (e.g. offloaded checksums/lengths)
    const auto* begin = reinterpret_cast<const std::byte*>(p + 8);
    out.payload.assign(begin, begin + (udpLen - 8));
    return true;
}

bool parseIp(const std::uint8_t* p, std::size_t len, CapturedDatagram& out)
{
    if (len < 1)
        return false;
    const int version = p[0] >> 4;
    if (version == 4) {
        if (len < 20)
            return false;
        const std::size_t ihl = std::size_t(p[0] & 0x0f) * 4;
        std::size_t total = be16(p + 2);
        if (ihl < 20 || ihl > len)
            return false;
        if (total < ihl || total > len)
            total = len;
        const std::uint16_t frag = be16(p + 6);
        if ((frag & 0x1fff) != 0)
            return false; // non-first fragment: no UDP header here
        if (p[9] != 17)
            return false;
        out.from.address = decode::IpAddress::fromV4Bytes(p + 12);
        out.to.address = decode::IpAddress::fromV4Bytes(p + 16);
        return parseUdp(p + ihl, total - ihl, out);
    }
    if (version == 6) {
        if (len < 40)
            return false;
        std::size_t payloadLen = be16(p + 4);
        if (payloadLen + 40 > len)
            payloadLen = len - 40;
        out.from.address = decode::IpAddress::fromV6Bytes(p + 8);
        out.to.address = decode::IpAddress::fromV6Bytes(p + 24);
        std::uint8_t next = p[6];
        const std::uint8_t* q = p + 40;
        std::size_t remaining = payloadLen;
        for (int hops = 0; hops < 8; ++hops) {
            if (next == 17)
                return parseUdp(q, remaining, out);
            if (next == 0 || next == 43 || next == 60) { // hop-by-hop, routing, destination options
                if (remaining < 8)
                    return false;
                const std::size_t extLen = (std::size_t(q[1]) + 1) * 8;
                if (extLen > remaining)
                    return false;
                next = q[0];
                q += extLen;
                remaining -= extLen;
                continue;
            }
            if (next == 44) { // fragment header: only the first fragment carries UDP
                if (remaining < 8 || (be16(q + 2) & 0xfff8) != 0)
                    return false;
                next = q[0];
                q += 8;
                remaining -= 8;
                continue;
            }
            return false;
        }
    }
    return false;
}

bool parseEthernetPayload(std::uint16_t etherType, const std::uint8_t* p, std::size_t len,
                          CapturedDatagram& out)
{
    for (int tags = 0; tags < 4 && (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100);
         ++tags) {
        if (len < 4)
            return false;
        etherType = be16(p + 2);
        p += 4;
        len -= 4;
    }
    if (etherType != 0x0800 && etherType != 0x86dd)
        return false;
    return parseIp(p, len, out);
}

} // namespace

bool parseUdpFrame(int linkType, const std::uint8_t* data, std::size_t length, CapturedDatagram& out)
{
    switch (linkType) {
    case kLinkEthernet:
        if (length < 14)
            return false;
        return parseEthernetPayload(be16(data + 12), data + 14, length - 14, out);
    case kLinkSll:
        if (length < 16)
            return false;
        return parseEthernetPayload(be16(data + 14), data + 16, length - 16, out);
    case kLinkSll2:
        if (length < 20)
            return false;
        return parseEthernetPayload(be16(data), data + 20, length - 20, out);
    case kLinkNull:
    case kLinkLoop:
        if (length < 4)
            return false;
        return parseIp(data + 4, length - 4, out);
    case kLinkRaw:
    case kLinkRawAlt1:
    case kLinkRawAlt2:
    case kLinkIpv4:
    case kLinkIpv6:
        return parseIp(data, length, out);
    default:
        return false;
    }
}

struct PcapReader::Handle
{
    pcap_t* pcap = nullptr;
    ~Handle()
    {
        if (pcap)
            pcap_close(pcap);
    }
};

Result<PcapReader> PcapReader::open(const QString& path)
{
    char err[PCAP_ERRBUF_SIZE] = {};
    const QByteArray local = path.toLocal8Bit();
    pcap_t* p = pcap_open_offline_with_tstamp_precision(local.constData(), PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p)
        return fail(QStringLiteral("cannot read capture %1: %2").arg(path, QString::fromLocal8Bit(err)));
    PcapReader reader;
    reader.m_handle = std::make_unique<Handle>();
    reader.m_handle->pcap = p;
    reader.m_linkType = pcap_datalink(p);
    return reader;
}

PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;
PcapReader::~PcapReader() = default;

bool PcapReader::next(CapturedDatagram& out)
{
    if (!m_handle)
        return false;
    for (;;) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(m_handle->pcap, &hdr, &data);
        if (rc == PCAP_ERROR_BREAK)
            return false;
        if (rc < 0) {
            m_error = QString::fromLocal8Bit(pcap_geterr(m_handle->pcap));
            return false;
        }
        if (rc == 0)
            continue;
        ++m_frames;
        out.payload.clear();
        out.from = {};
        out.to = {};
        if (!parseUdpFrame(m_linkType, data, hdr->caplen, out)) {
            ++m_skipped;
            continue;
        }
        out.timeNs = std::uint64_t(hdr->ts.tv_sec) * 1000000000ull + std::uint64_t(hdr->ts.tv_usec);
        return true;
    }
}

Result<std::vector<CapturedDatagram>> PcapReader::readAll(const QString& path)
{
    auto reader = open(path);
    if (!reader)
        return fail(reader.error());
    std::vector<CapturedDatagram> all;
    CapturedDatagram d;
    while (reader->next(d))
        all.push_back(d);
    if (!reader->error().isEmpty())
        return fail(QStringLiteral("error reading capture %1: %2").arg(path, reader->error()));
    return all;
}

} // namespace flowlens::collect
