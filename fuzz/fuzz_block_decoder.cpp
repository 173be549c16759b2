// store::BlockDecoder on arbitrary blobs (a damaged database file): open, then decode every column the
// way FlowReader::scan does, into count() records.

#include "core/store/flow_block.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::store::BlockDecoder decoder;
    if (!decoder.open({reinterpret_cast<const std::byte*>(data), size}))
        return 0;
    std::vector<flowlens::decode::FlowRecord> records(decoder.count());
    (void)decoder.decode(flowlens::store::allFields(), records);
    // A second decode of a subset reuses the decoder's buffers.
    (void)decoder.decode(flowlens::store::fieldMask({flowlens::decode::FlowField::SrcAddr,
                                                     flowlens::decode::FlowField::TimeReceived}),
                         records);
    return 0;
}
