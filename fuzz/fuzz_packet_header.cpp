// decode::parsePacketHeader (sFlow raw headers, IPFIX IEs 313/315). Input: [first-protocol byte]
// [decapsulation byte] header bytes. Also checks what the header promises: bytes it cannot hold are
// never invented (a fresh record's untouched fields stay zero).

#include "core/decode/packet_header.h"
#include "fuzz_input.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace flowlens::decode;
    static constexpr HeaderProtocol kFirst[] = {HeaderProtocol::Ethernet, HeaderProtocol::Ipv4,
                                                HeaderProtocol::Ipv6, HeaderProtocol::Mpls};
    flowlens::fuzz::FuzzInput in(data, size);
    const std::uint8_t firstByte = in.byte();
    // Mostly the real values, sometimes a raw sFlow header_protocol number the parser must ignore.
    const HeaderProtocol first =
        firstByte < 0xF0 ? kFirst[firstByte % 4] : static_cast<HeaderProtocol>(firstByte & 0x0F);
    const auto decap = static_cast<Decapsulation>(in.byte() % 5);
    const std::span<const std::byte> header = in.rest();

    FlowRecord r;
    r.in_if = 42;
    bool decapsulated = true;
    const std::uint32_t length = parsePacketHeader(header, first, r, decap, &decapsulated);
    if (r.in_if != 42 || r.bytes != 0 || r.packets != 0 || r.sampling_rate != 0)
        std::abort();
    if (decap == Decapsulation::None && decapsulated)
        std::abort();
    if (length != 0 && r.etype != 0x0800 && r.etype != 0x86DD)
        std::abort(); // an IP length comes with the IP EtherType
    if (r.mpls_label_count > kMaxMplsLabels)
        std::abort();
    if (!header.empty())
        parseTransportHeader(header, std::to_integer<std::uint8_t>(header[0]), r);
    return 0;
}
