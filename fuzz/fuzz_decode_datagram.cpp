// FlowDecoder::decode on one datagram of any protocol, with a fresh decoder each time.

#include "fuzz_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::decode::FlowDecoder decoder;
    std::vector<flowlens::decode::FlowRecord> flows;
    std::vector<flowlens::decode::InterfaceCounters> counters;
    flowlens::fuzz::decodeChecked(decoder, {reinterpret_cast<const std::byte*>(data), size},
                                  flowlens::fuzz::exporterFor(0), 1'700'000'000'000'000'000ull, flows,
                                  counters);
    return 0;
}
