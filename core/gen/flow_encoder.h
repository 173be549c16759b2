#pragma once

#include "core/decode/flow_decoder.h"
#include "core/decode/flow_record.h"
#include "core/gen/datagram_batch.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace flowlens::gen {

/// Settings shared by the encoders; each uses the ones its format has.
struct EncoderOptions
{
    /// Flow records (sFlow: flow samples) per datagram. 0 = as many as fit in maxDatagramBytes
    /// (NetFlow v5: 30, its maximum). An explicit count is honoured up to the 65,000-byte UDP limit.
    int recordsPerDatagram = 0;
    /// Largest UDP payload when recordsPerDatagram is 0; 1400 keeps frames under a 1500-byte MTU.
    std::size_t maxDatagramBytes = 1400;
    /// NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent id; NetFlow v5 takes the
    /// engine type from bits 8-15 and the engine id from bits 0-7.
    std::uint32_t domainId = 0;
    /// 1-in-N packet sampling the exporter announces (v5 header, v9/IPFIX options record, sFlow
    /// samples). 0 or 1 = unsampled (sFlow then says 1).
    std::uint64_t samplingRate = 1;
    /// When the exporter booted (UTC ns); 0 = one hour before the first encode() call.
    std::uint64_t bootTimeNs = 0;
    /// NetFlow v9 / IPFIX: templates go out in the first datagram, then again every N datagrams
    /// and at least every T seconds (UDP transport has no other way to recover lost templates).
    int templateRefreshDatagrams = 20;
    double templateRefreshSeconds = 10;
    /// sFlow: seconds between counter samples (one per interface seen so far).
    double counterIntervalSeconds = 5;
    /// sFlow agent address; zero = 10.1.0.1 (the modelled router).
    decode::IpAddress agentAddress;
};

/// Turns flow records into export datagrams of one protocol, keeping the exporter state that the
/// format needs (sequence numbers, uptime, template refresh, sFlow sample pools and interface
/// counters). One instance is one exporter/observation domain. Not thread-safe.
class FlowEncoder
{
public:
    virtual ~FlowEncoder() = default;

    virtual decode::Protocol protocol() const = 0;
    /// Appends complete datagrams carrying `flows` to `out`, templates (v9/IPFIX) or counter
    /// samples (sFlow) first when they are due. `nowNs` (UTC ns) is the export time written in the
    /// headers. Returns how many flows were encoded; flows the format cannot carry (see
    /// canEncode) are skipped.
    virtual std::size_t encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                               DatagramBatch& out) = 0;
    /// Whether the format can carry this flow (NetFlow v5: IPv4 only).
    virtual bool canEncode(const decode::FlowRecord& flow) const;
    /// The record a faithful decoder reports for `flow` after this encoding: fields the format
    /// lacks are 0, counters and AS numbers clamped to the wire widths, times truncated to the
    /// wire precision (whole ms; sFlow has no flow times: 0), sampling rate and observation domain
    /// as announced, `type` set. Receive time, sequence number and exporter address are left 0:
    /// they depend on the transport, not on the flow.
    virtual decode::FlowRecord expectedDecode(const decode::FlowRecord& flow) const = 0;

    std::uint64_t flowsEncoded() const { return m_flows; }
    std::uint64_t datagramsEncoded() const { return m_datagrams; }

protected:
    /// Fixes the boot time on first use and returns it in ms.
    std::uint64_t bootMs(std::uint64_t nowNs);
    /// Byte budget for one datagram given the options.
    std::size_t datagramBudget() const;

    explicit FlowEncoder(const EncoderOptions& options)
        : m_options(options)
    {}

    EncoderOptions m_options;
    std::uint64_t m_flows = 0;
    std::uint64_t m_datagrams = 0;
    std::uint64_t m_bootMs = 0;
};

/// Creates the encoder for a protocol; nullptr for decode::Protocol::Unknown.
std::unique_ptr<FlowEncoder> makeEncoder(decode::Protocol protocol, const EncoderOptions& options);

/// "netflow-v5", "netflow-v9", "ipfix", "sflow-v5".
std::string_view protocolName(decode::Protocol protocol);
/// Accepts the names users type: v5, netflow5, netflow-v5, v9, netflow9, netflow-v9, ipfix, v10,
/// sflow, sflow5, sflow-v5 (case-insensitive).
std::optional<decode::Protocol> parseProtocol(std::string_view name);
/// Conventional collector port: 2055 for NetFlow, 4739 for IPFIX, 6343 for sFlow.
std::uint16_t defaultPort(decode::Protocol protocol);

} // namespace flowlens::gen
