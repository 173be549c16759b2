#pragma once

#include "flow_record.h"
#include "ip_address.h"
#include "set_decoder.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::decode {

/// NetFlow v9 (RFC 3954): 20-byte header, then template (id 0), options template (id 1) and
/// data FlowSets (id >= 256) until the end of the datagram.
class NetflowV9Decoder
{
public:
    explicit NetflowV9Decoder(DecoderContext& context);

    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out);

private:
    DecoderContext& m_context;
    SetDecoder m_sets;
};

} // namespace flowlens::decode
