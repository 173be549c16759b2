// FlowDecoder::loadTemplates on arbitrary bytes (a damaged or hostile saved state), then datagrams
// decoded with whatever was loaded. Input: [u16 blob length][blob][options byte][chunks...].
// Whatever loads must save and load again.

#include "fuzz_decoder.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::fuzz::FuzzInput in(data, size);
    const std::span<const std::byte> blob = in.take(in.u16());
    const flowlens::decode::DecoderLimits limits = flowlens::fuzz::limitsFor(in.byte());
    flowlens::decode::FlowDecoder decoder(limits);
    const std::vector<std::byte> empty = decoder.saveTemplates();
    if (!decoder.loadTemplates(blob)) {
        // Refused input changes nothing.
        if (decoder.saveTemplates() != empty)
            std::abort();
        return 0;
    }
    flowlens::fuzz::checkTemplateRoundTrip(decoder, limits);
    flowlens::fuzz::decodeSequence(decoder, in, flowlens::decode::Protocol::Unknown);
    flowlens::fuzz::checkTemplateRoundTrip(decoder, limits);
    return 0;
}
