// NetFlow v5 only: a sequence of datagrams (as fuzz_decode_sequence) whose version field is forced to
// NetFlow v5, so no input is spent on another protocol.

#include "fuzz_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::fuzz::FuzzInput in(data, size);
    const flowlens::decode::DecoderLimits limits = flowlens::fuzz::limitsFor(in.byte());
    flowlens::decode::FlowDecoder decoder(limits);
    flowlens::fuzz::decodeSequence(decoder, in, flowlens::decode::Protocol::NetFlowV5);
    flowlens::fuzz::checkTemplateRoundTrip(decoder, limits);
    return 0;
}
