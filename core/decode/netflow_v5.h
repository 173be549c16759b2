#pragma once

#include "flow_record.h"
#include "ip_address.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::decode {

struct DecoderContext;

/// NetFlow v5 (Cisco fixed format: 24-byte header, 48-byte records). Stateless apart from the
/// shared per-exporter counters and sampling overrides.
class NetflowV5Decoder
{
public:
    explicit NetflowV5Decoder(DecoderContext& context);

    /// Appends the records the datagram really holds; returns how many.
    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out);

private:
    DecoderContext& m_context;
};

} // namespace flowlens::decode
