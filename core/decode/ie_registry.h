#pragma once

#include "flow_record.h"
#include "packet_header.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace flowlens::decode {

/// One field specifier of a v9/IPFIX template as sent (pen 0 = IANA / Cisco v9 numbering).
struct FieldSpec
{
    std::uint16_t id = 0;
    std::uint16_t length = 0; ///< kVariableLength for IPFIX variable-length fields
    std::uint32_t pen = 0;

    friend bool operator==(const FieldSpec&, const FieldSpec&) = default;
};

inline constexpr std::uint16_t kVariableLength = 0xFFFF;
inline constexpr std::uint32_t kReversePen = 29305; ///< RFC 5103 reverse information elements
inline constexpr std::uint32_t kJuniperPen = 2636;

/// What one template field does to a FlowRecord (or to the per-record scratch state).
enum class FieldAction : std::uint8_t
{
    Skip,
    Bytes,
    Packets,
    ReverseBytes,
    ReversePackets,
    SrcAddrV4,
    DstAddrV4,
    SrcAddrV6,
    DstAddrV6,
    NextHopV4,
    NextHopV6,
    BgpNextHopV4,
    BgpNextHopV6,
    PostNatSrcV4,
    PostNatDstV4,
    PostNatSrcV6,
    PostNatDstV6,
    Proto,
    Tos,
    Dscp,
    TcpFlags,
    SrcPort,
    DstPort,
    PostNatSrcPort,
    PostNatDstPort,
    InIf,
    OutIf,
    SrcAs,
    DstAs,
    NextHopAs,
    SrcMask,
    DstMask,
    SrcMac,
    DstMac,
    SrcVlan,
    DstVlan,
    VlanId,
    FlowLabel,
    IcmpTypeCode,
    IcmpType,
    IcmpCode,
    Ttl,
    FragmentId,
    FragmentOffset,
    IpFlags,
    ForwardingStatus,
    Direction,
    IngressVrf,
    EgressVrf,
    ObservationPoint,
    IpVersion,
    EtherType,
    MplsLabel, ///< param = stack position (0 = top)
    NatEvent,
    SamplingInterval,
    SamplerRandomInterval,
    SamplerId,
    SelectorId,
    SamplingPacketInterval,
    SamplingPacketSpace,
    SamplingSize,
    SamplingPopulation,
    StartSeconds,
    EndSeconds,
    StartMillis,
    EndMillis,
    StartNtpMicros,
    EndNtpMicros,
    StartNtpNanos,
    EndNtpNanos,
    StartDeltaMicros,
    EndDeltaMicros,
    StartUptime,
    EndUptime,
    SystemInitMillis,
    DurationMillis,
    DurationMicros,
    IpHeaderSection,   ///< IE 313 ipHeaderPacketSection: the sampled packet from its IP header on
    DataLinkSection,   ///< IE 315 dataLinkFrameSection: the sampled frame from its Ethernet header on
    DataLinkFrameSize, ///< IE 312: length of that frame (bytes of non-IP frames)
    JuniperCpid,       ///< Juniper (PEN 2636) commonPropertiesId: type 2 is the forwarding exception code
    Count_
};

/// FlowRecord fields a sampled packet section (IEs 313/315) can fill, as bits of
/// CompiledLayout::sectionFieldsByIe.
enum SectionField : std::uint32_t
{
    SectionSrcMac = 1u << 0,
    SectionDstMac = 1u << 1,
    SectionVlan = 1u << 2,
    SectionEtype = 1u << 3,
    SectionMpls = 1u << 4,
    SectionSrcAddr = 1u << 5,
    SectionDstAddr = 1u << 6,
    SectionTos = 1u << 7,
    SectionTtl = 1u << 8,
    SectionIpFlags = 1u << 9,
    SectionFragmentId = 1u << 10,
    SectionFragmentOffset = 1u << 11,
    SectionFlowLabel = 1u << 12,
    SectionProto = 1u << 13,
    SectionSrcPort = 1u << 14,
    SectionDstPort = 1u << 15,
    SectionTcpFlags = 1u << 16,
    SectionIcmp = 1u << 17,
    SectionBytes = 1u << 18,
    SectionPackets = 1u << 19,
};

/// A pre-compiled template field: where it sits in the record and what to do with it.
struct Step
{
    std::uint16_t offset = 0; ///< byte offset in the record (only for fixed-layout templates)
    std::uint16_t length = 0; ///< kVariableLength: read the 1- or 3-byte length prefix
    FieldAction action = FieldAction::Skip;
    std::uint8_t param = 0;
};

/// Values a record carries that do not go straight into FlowRecord: times in their many forms,
/// sampling parameters, reverse (RFC 5103) counters. Reset for every record; plain data.
struct RecordScratch
{
    enum Have : std::uint32_t
    {
        HaveStartAbs = 1u << 0,
        HaveEndAbs = 1u << 1,
        HaveStartDelta = 1u << 2,
        HaveEndDelta = 1u << 3,
        HaveStartUptime = 1u << 4,
        HaveEndUptime = 1u << 5,
        HaveDuration = 1u << 6,
        HaveSystemInit = 1u << 7,
        HaveSelector = 1u << 8,
        HaveReverse = 1u << 9,
        HaveBytes = 1u << 10,
        HavePackets = 1u << 11,
        HaveIcmp = 1u << 12,
        HaveForwardingStatus = 1u << 13,
        HaveJuniperStatus = 1u << 14,
    };
    std::uint32_t have = 0;
    std::uint64_t startNs = 0;
    std::uint64_t endNs = 0;
    std::uint64_t startDeltaUs = 0;
    std::uint64_t endDeltaUs = 0;
    std::uint64_t durationUs = 0;
    std::uint64_t systemInitMs = 0;
    std::uint32_t startUptimeMs = 0;
    std::uint32_t endUptimeMs = 0;
    std::uint64_t samplingInterval = 0;
    std::uint64_t randomInterval = 0;
    std::uint64_t packetInterval = 0;
    std::uint64_t packetSpace = 0;
    std::uint64_t samplingSize = 0;
    std::uint64_t samplingPopulation = 0;
    std::uint32_t selectorId = 0;
    std::uint64_t reverseBytes = 0;
    std::uint64_t reversePackets = 0;
    std::uint8_t ipVersion = 0;
    std::uint8_t mplsPresent = 0;   ///< bit i: a non-zero label entry at stack position i
    std::uint8_t mplsBottom = 0xff; ///< first stack position with the bottom-of-stack bit
    std::uint8_t juniperStatus = 0; ///< forwardingStatus from a Juniper exception code (64 or 128)
    /// Sampled packet section (IE 313/315) inside the record being decoded; valid while it is.
    const std::uint8_t* section = nullptr;
    std::uint16_t sectionLength = 0;
    HeaderProtocol sectionProtocol = HeaderProtocol::Ethernet;
    std::uint64_t frameSize = 0; ///< IE 312

    /// Sampling rate the record states by itself (IEs 34/50/305+306/310/309); 0 = none.
    std::uint64_t statedRate() const;
};

/// Time context of the export packet a record came in.
struct TimeContext
{
    std::uint64_t receivedNs = 0;
    std::uint32_t exportSeconds = 0;
    std::uint32_t sysUptimeMs = 0; ///< v9 header uptime (valid when hasUptime)
    bool hasUptime = false;
    bool hasSystemInit = false; ///< IPFIX: systemInitTimeMilliseconds learned from options
    std::uint64_t systemInitMs = 0;
};

/// Result of compiling a template's field list.
struct CompiledLayout
{
    std::vector<Step> steps;
    bool variable = false;               ///< has variable-length fields: decode sequentially
    std::uint32_t fixedLength = 0;       ///< record length when !variable
    std::uint32_t minLength = 0;         ///< shortest possible record (variable fields as 1 byte)
    std::uint32_t badFields = 0;         ///< known IEs with impossible lengths (ignored)
    bool hasReverse = false;             ///< RFC 5103 biflow counters present
    bool hasSampling = false;            ///< records state a sampling rate or selector themselves
    bool hasPacketSection = false;       ///< IE 313 or 315 present: see applyPacketSection
    std::uint32_t sectionFieldsByIe = 0; ///< SectionField bits the template's own IEs fill
};

/// Compiles a field list to steps. `scopeFields` leading fields are v9 scope fields (their type
/// numbers are not IEs, so they are skipped); pass 0 for IPFIX, whose scope fields are IEs.
/// Among fields that fill the same FlowRecord member the best one wins (see ie_registry.cpp).
CompiledLayout compileLayout(std::span<const FieldSpec> fields, std::size_t v9ScopeFields);

/// The action an IE maps to, before priorities are resolved (Skip when not mapped).
FieldAction ieAction(std::uint32_t pen, std::uint16_t id);

/// IANA/Cisco name of an IE ("octetDeltaCount"); empty when this registry does not know it.
std::string_view ieName(std::uint32_t pen, std::uint16_t id);

/// Decodes one record at `p` (at most `available` bytes) into `rec` and `scratch`. Returns the
/// bytes consumed, or 0 when the record does not fit (truncated or bad variable length).
std::size_t decodeRecord(const CompiledLayout& layout, const std::uint8_t* p, std::size_t available,
                         FlowRecord& rec, RecordScratch& scratch);

/// Parses the sampled packet section a record carried (IE 313/315) and fills the fields the template's
/// own IEs do not: addresses, ports, proto, etype, MACs, VLAN (as vlan_id, src_vlan and dst_vlan: the
/// one tag the observed link shows), MPLS labels, TTL, TOS, fragment and flow label, TCP flags, ICMP.
/// A record without counters is one sampled packet: packets 1, bytes the IP length from the header
/// (as octetDeltaCount counts IP bytes), else the frame size (IE 312) for non-IP frames. Call after
/// decodeRecord and before finalizeRecord; does nothing when the record carried no section.
void applyPacketSection(FlowRecord& rec, RecordScratch& scratch, const CompiledLayout& layout,
                        Decapsulation decap);

/// Fills times (absolute, delta, uptime-relative or time received), etype and the MPLS count.
void finalizeRecord(FlowRecord& rec, const RecordScratch& scratch, const TimeContext& time);

/// UTC ns of a v5/v9 uptime-relative instant: the export time minus (sysUptime - instant), taken
/// modulo 2^32 as a signed difference so uptime wrap and instants just after export both work.
std::uint64_t uptimeToUnixNs(std::uint64_t exportNs, std::uint32_t sysUptimeMs, std::uint32_t instantMs);

} // namespace flowlens::decode
