#pragma once

// Shared by the encoder tests: runs TrafficModel flows through an encoder, parses every datagram
// with the test-side ExportParser and compares what comes back with expectedDecode().

#include "core/gen/flow_encoder.h"
#include "core/gen/traffic_model.h"
#include "gen/export_parse.h"

#include <algorithm>
#include <string>
#include <vector>

namespace flowlens::gentest {

inline constexpr std::uint64_t kNow = 1'700'000'000'123'456'789ull;

struct EncodedRun
{
    std::vector<decode::FlowRecord> sent;     ///< model flows handed to the encoder
    std::vector<std::size_t> encodedPerCall;  ///< encode() return values
    std::vector<std::vector<std::byte>> raw;  ///< every datagram
    std::vector<ParsedDatagram> parsed;       ///< the same, parsed
    std::vector<std::uint64_t> nowOfDatagram; ///< export time given for each datagram
    std::uint64_t samplingRateSeen = 0;       ///< sampling rate announced in v9/IPFIX options
};

/// Encodes `flows` model flows, `perCall` per encode() call, advancing "now" by `stepNs` per call.
inline EncodedRun encodeModel(gen::FlowEncoder& encoder, const gen::TrafficModelOptions& model, int flows,
                              int perCall, std::uint64_t stepNs = 1'000'000'000)
{
    EncodedRun run;
    gen::TrafficModel m(model);
    ExportParser parser(encoder.protocol());
    gen::DatagramBatch batch;
    std::uint64_t now = kNow;
    for (int done = 0; done < flows; done += perCall, now += stepNs) {
        std::vector<decode::FlowRecord> chunk;
        for (int i = 0; i < perCall && done + i < flows; ++i)
            chunk.push_back(m.next(now));
        batch.clear();
        run.encodedPerCall.push_back(encoder.encode(chunk, now, batch));
        run.sent.insert(run.sent.end(), chunk.begin(), chunk.end());
        for (std::size_t d = 0; d < batch.size(); ++d) {
            const auto bytes = batch.at(d);
            run.raw.emplace_back(bytes.begin(), bytes.end());
            run.parsed.push_back(parser.parse(bytes));
            run.nowOfDatagram.push_back(now);
        }
    }
    run.samplingRateSeen = parser.samplingRate();
    return run;
}

/// All registry fields as bytes: a total order for comparing multisets of records.
inline std::string canonical(const decode::FlowRecord& r)
{
    std::string s;
    for (const decode::FieldInfo& f : decode::flowFields())
        s.append(reinterpret_cast<const char*>(&r) + f.offset, f.size);
    return s;
}

/// Empty when the parsed flows are exactly expectedDecode() of the encodable sent flows (as
/// multisets: v9/IPFIX group IPv4 before IPv6 inside a datagram); else what differs.
inline std::string compareWithExpected(const gen::FlowEncoder& encoder, const EncodedRun& run)
{
    std::vector<decode::FlowRecord> expected, got;
    for (const auto& r : run.sent)
        if (encoder.canEncode(r))
            expected.push_back(encoder.expectedDecode(r));
    for (const auto& p : run.parsed) {
        if (!p.error.empty())
            return "datagram error: " + p.error;
        got.insert(got.end(), p.flows.begin(), p.flows.end());
    }
    if (expected.size() != got.size())
        return "expected " + std::to_string(expected.size()) + " flows, parsed " + std::to_string(got.size());
    const auto byKey = [](const decode::FlowRecord& a, const decode::FlowRecord& b) {
        return canonical(a) < canonical(b);
    };
    std::sort(expected.begin(), expected.end(), byKey);
    std::sort(got.begin(), got.end(), byKey);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::string diff = firstDifference(expected[i], got[i]);
        if (!diff.empty())
            return "flow " + std::to_string(i) + " (sorted) differs in " + diff + ": expected src " +
                   expected[i].src_addr.toString() + ", got src " + got[i].src_addr.toString();
    }
    return {};
}

} // namespace flowlens::gentest
