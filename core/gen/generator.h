#pragma once

#include "core/decode/flow_decoder.h"
#include "core/decode/ip_address.h"
#include "core/gen/traffic_model.h"
#include "core/util/result.h"

#include <atomic>
#include <cstdint>
#include <functional>

namespace flowlens::gen {

/// What runGenerator() sends, where, how fast and for how long.
struct GenOptions
{
    /// Collector address and UDP port (IPv4 or IPv6).
    decode::Endpoint target;
    /// NetFlowV5, NetFlowV9, Ipfix or SFlowV5.
    decode::Protocol proto = decode::Protocol::NetFlowV9;
    /// Flows per second; 0 = as fast as possible.
    double flowsPerSecond = 1000;
    /// Flows to send; 0 = unbounded.
    std::uint64_t count = 0;
    /// Seconds to run; 0 = unbounded.
    double durationSeconds = 0;
    /// TrafficModel seed: the same seed sends the same flows.
    std::uint64_t seed = 1;
    /// Flow records (sFlow: samples) per datagram; 0 = protocol default (v5: 30, others: as many
    /// as fit in 1400 bytes).
    int recordsPerDatagram = 0;
    /// NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent id; NetFlow v5 engine type
    /// (bits 8-15) and engine id (bits 0-7).
    std::uint32_t domainId = 0;
    /// Announced 1-in-N packet sampling (NetFlow v5: at most 16383); 1 = unsampled.
    std::uint64_t samplingRate = 1;
};

/// Totals of a run (or of the run so far, in progress reports).
struct GenStats
{
    std::uint64_t flows = 0;     ///< flow records (sFlow: flow samples) sent
    std::uint64_t datagrams = 0; ///< UDP datagrams sent
    std::uint64_t bytes = 0;     ///< UDP payload bytes sent
    double elapsedSeconds = 0;
};

/// Progress report; called on the thread running the generator.
using GenProgress = std::function<void(const GenStats&)>;

/// Sends TrafficModel flows (seeded with options.seed; IPv6 included except for NetFlow v5) to
/// options.target until `count` flows are sent, `durationSeconds` pass or `stop` becomes true,
/// whichever comes first. Paces to flowsPerSecond with batched sends (sendmmsg), waiting for a
/// full datagram's worth of flows but never holding flows back more than 50 ms. Blocks the
/// calling thread; run it on a worker thread and set `stop` to end it early. `progress` (may be
/// empty) is called about four times a second and once at the end. Invalid options, a socket
/// that cannot be created or connected, and a target that refuses the datagrams are errors.
/// A run with the same seed and count sends the same flows (only their times differ), so the
/// expected totals can be recomputed with TrafficModel in-process.
Result<GenStats> runGenerator(const GenOptions& options, const std::atomic<bool>& stop,
                              const GenProgress& progress = {});

/// Checks `options` without sending anything (runGenerator() does the same first): lets a
/// front end report a bad option before it starts a worker thread.
Result<void> checkOptions(const GenOptions& options);

/// The TrafficModel options runGenerator() uses for `options` (exposed so tests and tools can
/// replay exactly the same flows).
TrafficModelOptions modelOptionsFor(const GenOptions& options);

} // namespace flowlens::gen
