#pragma once

#include "core/gen/flow_encoder.h"

namespace flowlens::gen {

/// NetFlow v5 export datagrams: 24-byte header and up to 30 fixed 48-byte IPv4 records.
/// The header's flow_sequence counts flows sent before the datagram; sysUptime, unix_secs and
/// unix_nsecs describe the same instant, so record times decode to whole milliseconds exactly.
/// Wire limits: counters 32 bits, interfaces 16 bits, AS numbers 16 bits (larger ones become
/// AS_TRANS 23456, RFC 6793); ICMP type/code go in the destination port as type*256+code.
class NetflowV5Encoder final : public FlowEncoder
{
public:
    static constexpr int kMaxRecords = 30;
    static constexpr std::size_t kHeaderBytes = 24;
    static constexpr std::size_t kRecordBytes = 48;

    explicit NetflowV5Encoder(const EncoderOptions& options);

    decode::Protocol protocol() const override { return decode::Protocol::NetFlowV5; }
    std::size_t encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                       DatagramBatch& out) override;
    bool canEncode(const decode::FlowRecord& flow) const override;
    decode::FlowRecord expectedDecode(const decode::FlowRecord& flow) const override;

private:
    int m_recordsPerDatagram;
    std::uint32_t m_sequence = 0;
};

} // namespace flowlens::gen
