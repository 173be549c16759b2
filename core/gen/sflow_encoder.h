#pragma once

#include "core/gen/flow_encoder.h"

#include <vector>

namespace flowlens::gen {

/// sFlow version 5 datagrams (sflow.org sflow_version_5.txt). Each flow record becomes one flow
/// sample standing for one sampled packet of that flow: a raw Ethernet/IPv4|IPv6/TCP|UDP|ICMP
/// header built from the record (frame_length = the flow's mean packet size + 14-byte Ethernet
/// header + 4-byte FCS, which is stripped; only headers are captured, no payload), followed by
/// extended switch (VLANs), extended router (next hop, masks) and, when an AS is known, extended
/// gateway (src AS, AS path [next-hop AS, dst AS]) records. Every counterIntervalSeconds each
/// interface seen so far gets a counters sample with generic interface counters that add up the
/// sampled traffic. Flow samples are per data source (the input ifIndex) with their own sequence
/// numbers and sample pools; the datagram sequence counts datagrams.
class SflowEncoder final : public FlowEncoder
{
public:
    explicit SflowEncoder(const EncoderOptions& options);

    decode::Protocol protocol() const override { return decode::Protocol::SFlowV5; }
    std::size_t encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                       DatagramBatch& out) override;
    decode::FlowRecord expectedDecode(const decode::FlowRecord& flow) const override;

    /// Length of the IP packet that stands for `flow`: its mean packet size, at least the
    /// headers written, at most 1500.
    static std::uint32_t sampledPacketLength(const decode::FlowRecord& flow);
    /// TCP flags of the sampled packet: a lone SYN stays SYN, a reset answer stays RST|ACK,
    /// anything else is a data segment (ACK, with PSH when the flow had it).
    static std::uint8_t sampledTcpFlags(std::uint16_t flowFlags);
    /// The agent address written in the datagram header.
    const decode::IpAddress& agentAddress() const { return m_agent; }

private:
    struct Interface
    {
        std::uint32_t ifIndex = 0;
        std::uint32_t flowSequence = 0;
        std::uint32_t counterSequence = 0;
        std::uint32_t samplePool = 0;
        std::uint64_t inOctets = 0, outOctets = 0;
        std::uint32_t inPackets = 0, outPackets = 0;
    };

    Interface& interfaceFor(std::uint32_t ifIndex);
    void writeFlowSample(const decode::FlowRecord& flow);
    void writeCounterSample(Interface& itf);
    void openDatagram(DatagramBatch& out, std::uint64_t nowNs);
    void closeDatagram(DatagramBatch& out);
    /// Moves the sample in m_sample into the open datagram, starting a new one when full.
    void appendSample(DatagramBatch& out, std::uint64_t nowNs, bool isFlowSample);

    decode::IpAddress m_agent;
    std::uint32_t m_rate;
    std::uint32_t m_sequence = 0;
    std::uint64_t m_lastCountersNs = 0;
    bool m_countersSent = false;
    std::vector<Interface> m_interfaces;
    std::vector<std::byte> m_sample; ///< scratch: the sample being built
    bool m_open = false;
    std::size_t m_openSamples = 0, m_openFlowSamples = 0, m_samplesCountAt = 0;
};

} // namespace flowlens::gen
