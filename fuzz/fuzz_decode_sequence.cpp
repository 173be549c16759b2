// FlowDecoder::decode over a sequence of datagrams (any protocol, four exporters) fed to one decoder,
// so templates, options, pending sets and limits carry from one datagram to the next; then the
// template state must survive saveTemplates/loadTemplates. Input: [options byte] then chunks (see
// FuzzInput::nextChunk and limitsFor).

#include "fuzz_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::fuzz::FuzzInput in(data, size);
    const flowlens::decode::DecoderLimits limits = flowlens::fuzz::limitsFor(in.byte());
    flowlens::decode::FlowDecoder decoder(limits);
    flowlens::fuzz::decodeSequence(decoder, in, flowlens::decode::Protocol::Unknown);
    flowlens::fuzz::checkTemplateRoundTrip(decoder, limits);
    return 0;
}
