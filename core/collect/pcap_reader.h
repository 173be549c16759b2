#pragma once

#include "core/decode/ip_address.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <vector>

#include <QString>

namespace flowlens::collect {

/// One UDP datagram taken from a capture file.
struct CapturedDatagram
{
    std::vector<std::byte> payload;
    decode::Endpoint from;
    decode::Endpoint to;
    std::uint64_t timeNs = 0; ///< capture timestamp, UTC ns
};

/// Reads UDP datagrams out of pcap/pcapng files (libpcap) over Ethernet (with 802.1Q/QinQ), Linux
/// cooked (SLL, SLL2), raw IP and BSD loopback link types, IPv4 and IPv6. Frames that are not UDP,
/// truncated, or IPv4 fragments after the first are skipped and counted.
class PcapReader
{
public:
    static Result<PcapReader> open(const QString& path);
    PcapReader(PcapReader&&) noexcept;
    PcapReader& operator=(PcapReader&&) noexcept;
    ~PcapReader();

    /// Next UDP datagram; false at the end of the file or on a read error (see error()).
    bool next(CapturedDatagram& out);

    QString error() const { return m_error; }
    std::uint64_t framesRead() const { return m_frames; }
    std::uint64_t framesSkipped() const { return m_skipped; }

    /// Reads every UDP datagram of a file.
    static Result<std::vector<CapturedDatagram>> readAll(const QString& path);

private:
    PcapReader() = default;
    struct Handle;
    std::unique_ptr<Handle> m_handle;
    int m_linkType = 0;
    QString m_error;
    std::uint64_t m_frames = 0;
    std::uint64_t m_skipped = 0;
};

/// Parses one link-layer frame into a UDP datagram (exposed for fuzzing and tests).
bool parseUdpFrame(int linkType, const std::uint8_t* data, std::size_t length, CapturedDatagram& out);

} // namespace flowlens::collect
