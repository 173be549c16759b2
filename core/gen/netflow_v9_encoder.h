#pragma once

#include "core/gen/flow_encoder.h"

#include <vector>

namespace flowlens::gen {

/// NetFlow v9 (RFC 3954) export datagrams. The template FlowSet (IPv4 template 256, IPv6
/// template 257, see template_fields.h) leads the first datagram and is repeated every
/// templateRefreshDatagrams datagrams or templateRefreshSeconds; when the exporter samples, an
/// options template (258: scope System, SAMPLING_INTERVAL, SAMPLING_ALGORITHM) and its record ride
/// along. Within a datagram IPv4 records come first, then IPv6 records, one data FlowSet each.
/// The header's sequence counts datagrams, its count all records (templates included), and its
/// unix_secs/sysUptime pair is exact to the millisecond so record times decode exactly.
class NetflowV9Encoder final : public FlowEncoder
{
public:
    static constexpr std::size_t kHeaderBytes = 20;

    explicit NetflowV9Encoder(const EncoderOptions& options);

    decode::Protocol protocol() const override { return decode::Protocol::NetFlowV9; }
    std::size_t encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                       DatagramBatch& out) override;
    decode::FlowRecord expectedDecode(const decode::FlowRecord& flow) const override;

private:
    bool templatesDue(std::uint64_t nowNs) const;
    /// Writes the template FlowSet (and the sampling options); returns the records written.
    int writeTemplates(std::vector<std::byte>& buffer);

    std::uint32_t m_sequence = 0;
    int m_sinceTemplates = 0;
    std::uint64_t m_lastTemplatesNs = 0;
    bool m_templatesSent = false;
    std::vector<std::size_t> m_v4, m_v6; ///< scratch: flow indices of the datagram being built
};

} // namespace flowlens::gen
