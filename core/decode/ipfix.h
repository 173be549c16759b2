#pragma once

#include "flow_record.h"
#include "ip_address.h"
#include "set_decoder.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::decode {

/// IPFIX (RFC 7011): 16-byte message header with its own length, then template (2), options
/// template (3) and data sets (>= 256).
class IpfixDecoder
{
public:
    explicit IpfixDecoder(DecoderContext& context);

    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out);

private:
    DecoderContext& m_context;
    SetDecoder m_sets;
};

} // namespace flowlens::decode
