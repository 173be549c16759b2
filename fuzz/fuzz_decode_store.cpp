// Decoded flows downstream: a sequence of datagrams (as fuzz_decode_sequence) is decoded, and every
// flow the decoders can produce must survive the store's block encoding unchanged (every field, byte
// for byte) and come out of the goflow2 JSON writer as valid JSON.

#include "core/query/flow_format.h"
#include "core/store/flow_block.h"
#include "fuzz_decoder.h"

#include <cstdlib>
#include <cstring>

#include <QByteArray>
#include <QJsonDocument>

namespace {

using flowlens::decode::FlowRecord;

// Every field the block stores must read back as written. Array fields hold only `count` elements
// (the rest is not part of the value), everything else is compared whole.
void checkSame(const FlowRecord& a, const FlowRecord& b)
{
    for (const auto& info : flowlens::decode::flowFields()) {
        const auto* pa = reinterpret_cast<const char*>(&a) + info.offset;
        const auto* pb = reinterpret_cast<const char*>(&b) + info.offset;
        std::size_t size = info.size;
        if (info.kind == flowlens::decode::FieldKind::Array32)
            size = std::min<std::size_t>(size, 4 * flowlens::decode::fieldValue(a, info.countField));
        if (std::memcmp(pa, pb, size) != 0)
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    flowlens::fuzz::FuzzInput in(data, size);
    flowlens::decode::FlowDecoder decoder(flowlens::fuzz::limitsFor(in.byte()));
    std::vector<FlowRecord> flows;
    std::vector<flowlens::decode::InterfaceCounters> counters;
    std::uint8_t flags = 0;
    std::span<const std::byte> payload;
    std::uint64_t now = 1'700'000'000'000'000'000ull;
    while (in.nextChunk(flags, payload) && flows.size() < 20000) {
        decoder.decode(payload, flowlens::fuzz::exporterFor(flags), now, flows, &counters);
        now += 1'000'000'000ull;
    }
    if (flows.empty())
        return 0;

    flowlens::store::BlockEncoder encoder;
    std::vector<std::byte> block;
    encoder.encode(flows, block);
    flowlens::store::BlockDecoder reader;
    if (!reader.open(block) || reader.count() != flows.size())
        std::abort();
    std::vector<FlowRecord> back(reader.count());
    if (!reader.decode(flowlens::store::allFields(), back))
        std::abort();
    for (std::size_t i = 0; i < flows.size(); ++i)
        checkSame(flows[i], back[i]);

    std::string json;
    std::string csv;
    for (const FlowRecord& r : flows) {
        json.clear();
        flowlens::query::appendFlowJson(json, r);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            std::abort();
        csv.clear();
        flowlens::query::appendFlowCsv(csv, r);
        if (csv.find('\n') != std::string::npos)
            std::abort(); // one row per flow
    }
    return 0;
}
