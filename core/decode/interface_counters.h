#pragma once

#include "ip_address.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace flowlens::decode {

/// One interface's counters as an sFlow agent reported them in a counter sample (generic interface
/// counters, format 0:1, plus Ethernet counters 0:2 and the port name 0:1005 when the same sample
/// carries them). Values are raw: cumulative counters as the agent keeps them (they wrap and reset on
/// agent restart); 0xFFFFFFFF in a 32-bit counter usually means "not supported". Plain data.
struct InterfaceCounters
{
    std::uint64_t timeReceivedNs = 0; ///< when the datagram arrived, UTC ns
    IpAddress agent;                  ///< sFlow agent address (IPv4-mapped for IPv4)
    std::uint32_t subAgentId = 0;
    std::uint32_t agentUptimeMs = 0;  ///< agent uptime from the datagram header
    std::uint32_t sampleSequence = 0; ///< counter sample sequence number (per data source)
    std::uint32_t sourceIdType = 0;   ///< data source: 0 ifIndex, 1 smonVlanDataSource, 2 entPhysicalEntry
    std::uint32_t sourceIdIndex = 0;

    std::uint32_t ifIndex = 0;
    std::uint32_t ifType = 0;      ///< IANAifType (6 = ethernetCsmacd)
    std::uint64_t ifSpeed = 0;     ///< bits per second
    std::uint32_t ifDirection = 0; ///< 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out
    std::uint32_t ifStatus = 0;    ///< bit 0 ifAdminStatus up, bit 1 ifOperStatus up
    std::uint32_t ifPromiscuousMode = 0;

    std::uint64_t inOctets = 0;
    std::uint32_t inUcastPkts = 0;
    std::uint32_t inMulticastPkts = 0;
    std::uint32_t inBroadcastPkts = 0;
    std::uint32_t inDiscards = 0;
    std::uint32_t inErrors = 0;
    std::uint32_t inUnknownProtos = 0;
    std::uint64_t outOctets = 0;
    std::uint32_t outUcastPkts = 0;
    std::uint32_t outMulticastPkts = 0;
    std::uint32_t outBroadcastPkts = 0;
    std::uint32_t outDiscards = 0;
    std::uint32_t outErrors = 0;

    /// Ethernet (dot3) counters, valid when hasEthernet.
    bool hasEthernet = false;
    std::uint32_t dot3AlignmentErrors = 0;
    std::uint32_t dot3FcsErrors = 0;
    std::uint32_t dot3SingleCollisionFrames = 0;
    std::uint32_t dot3MultipleCollisionFrames = 0;
    std::uint32_t dot3SqeTestErrors = 0;
    std::uint32_t dot3DeferredTransmissions = 0;
    std::uint32_t dot3LateCollisions = 0;
    std::uint32_t dot3ExcessiveCollisions = 0;
    std::uint32_t dot3InternalMacTransmitErrors = 0;
    std::uint32_t dot3CarrierSenseErrors = 0;
    std::uint32_t dot3FrameTooLongs = 0;
    std::uint32_t dot3InternalMacReceiveErrors = 0;
    std::uint32_t dot3SymbolErrors = 0;

    /// Port name (0:1005), cut to the buffer; empty when the agent sent none.
    static constexpr std::size_t kMaxPortName = 63;
    std::array<char, kMaxPortName + 1> portNameBuffer{};
    std::uint8_t portNameLength = 0;

    std::string_view portName() const { return {portNameBuffer.data(), portNameLength}; }
    bool adminUp() const { return (ifStatus & 0x1) != 0; }
    bool operUp() const { return (ifStatus & 0x2) != 0; }
};

} // namespace flowlens::decode
