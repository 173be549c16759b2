// collect::parseUdpFrame: one captured frame of any supported link type. Input: [link type selector]
// frame bytes. A parsed datagram's payload must lie inside the frame.

#include "core/collect/pcap_reader.h"
#include "fuzz_input.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using flowlens::fuzz::kPcapLinkTypes;
    if (size == 0)
        return 0;
    const int linkType = kPcapLinkTypes[data[0] % std::size(kPcapLinkTypes)];
    flowlens::collect::CapturedDatagram out;
    if (flowlens::collect::parseUdpFrame(linkType, data + 1, size - 1, out) && out.payload.size() > size)
        std::abort();
    return 0;
}
