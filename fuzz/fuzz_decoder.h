#pragma once

// The decoder side of the fuzz targets: decoder settings chosen by an option byte, and a sequence
// of datagrams fed to one FlowDecoder with the invariants every decode must keep.

#include "core/decode/flow_decoder.h"
#include "fuzz_input.h"

#include <cstdlib>
#include <vector>

namespace flowlens::fuzz {

/// Option byte: bits 0-2 decapsulation (mod 5), bit 3 tight limits (so the bounds are reached with
/// small inputs), bit 4 no reverse (biflow) records.
inline decode::DecoderLimits limitsFor(std::uint8_t options)
{
    decode::DecoderLimits limits;
    limits.decapsulation = static_cast<decode::Decapsulation>((options & 7) % 5);
    if (options & 8) {
        limits.maxDomains = 3;
        limits.maxTemplatesPerDomain = 4;
        limits.maxTemplateFields = 12;
        limits.maxPendingSets = 2;
        limits.maxPendingBytes = 600;
        limits.maxPendingBytesTotal = 1000;
        limits.maxPendingAgeNs = 1'000'000'000;
    }
    limits.emitReverseFlows = (options & 16) == 0;
    return limits;
}

/// Overwrites the version field so a protocol-specific target never wastes inputs on another one.
inline void forceVersion(std::vector<std::byte>& datagram, decode::Protocol protocol)
{
    static constexpr std::uint8_t kV5[] = {0, 5};
    static constexpr std::uint8_t kV9[] = {0, 9};
    static constexpr std::uint8_t kIpfix[] = {0, 10};
    static constexpr std::uint8_t kSFlow[] = {0, 0, 0, 5};
    std::span<const std::uint8_t> version;
    switch (protocol) {
    case decode::Protocol::NetFlowV5:
        version = kV5;
        break;
    case decode::Protocol::NetFlowV9:
        version = kV9;
        break;
    case decode::Protocol::Ipfix:
        version = kIpfix;
        break;
    case decode::Protocol::SFlowV5:
        version = kSFlow;
        break;
    case decode::Protocol::Unknown:
        break;
    }
    for (std::size_t i = 0; i < version.size() && i < datagram.size(); ++i)
        datagram[i] = std::byte{version[i]};
}

/// Decodes one datagram and checks what the API promises: the return value is the number of flows
/// appended, and nothing appended before is touched.
inline void decodeChecked(decode::FlowDecoder& decoder, std::span<const std::byte> datagram,
                          const decode::Endpoint& from, std::uint64_t receivedNs,
                          std::vector<decode::FlowRecord>& flows,
                          std::vector<decode::InterfaceCounters>& counters)
{
    const std::size_t before = flows.size();
    const std::size_t appended = decoder.decode(datagram, from, receivedNs, flows, &counters);
    if (flows.size() - before != appended)
        std::abort();
    // Keep memory flat over long sequences; the records were produced, that is what is checked.
    if (flows.size() > 4096)
        flows.clear();
    if (counters.size() > 4096)
        counters.clear();
}

/// Feeds every element of the sequence to `decoder`, ten seconds apart (so pending sets can expire
/// under tight limits). `protocol` other than Unknown forces each datagram's version.
inline void decodeSequence(decode::FlowDecoder& decoder, FuzzInput& in, decode::Protocol protocol)
{
    std::vector<decode::FlowRecord> flows;
    std::vector<decode::InterfaceCounters> counters;
    std::vector<std::byte> datagram;
    std::uint64_t now = 1'700'000'000'000'000'000ull;
    std::uint8_t flags = 0;
    std::span<const std::byte> payload;
    while (in.nextChunk(flags, payload)) {
        datagram.assign(payload.begin(), payload.end());
        forceVersion(datagram, protocol);
        decodeChecked(decoder, datagram, exporterFor(flags), now, flows, counters);
        now += 10'000'000'000ull;
    }
}

/// What loadTemplates(saveTemplates()) must give: a decoder that saves the same amount of state.
inline void checkTemplateRoundTrip(const decode::FlowDecoder& decoder, const decode::DecoderLimits& limits)
{
    const std::vector<std::byte> saved = decoder.saveTemplates();
    decode::FlowDecoder restored(limits);
    if (!restored.loadTemplates(saved))
        std::abort();
    if (restored.saveTemplates().size() != saved.size())
        std::abort();
}

} // namespace flowlens::fuzz
