#include "generator.h"

#include "core/gen/flow_encoder.h"
#include "core/gen/traffic_model.h"
#include "core/gen/udp_sender.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

namespace flowlens::gen {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kDatagramsPerSend = 32;
constexpr double kMaxHoldSeconds = 0.05;
constexpr double kProgressSeconds = 0.25;

std::uint64_t wallClockNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

/// Typical flows per datagram of each protocol when the count is left to the encoder.
std::uint64_t typicalRecordsPerDatagram(const GenOptions& o)
{
    if (o.recordsPerDatagram > 0)
        return std::uint64_t(o.recordsPerDatagram);
    switch (o.proto) {
    case decode::Protocol::NetFlowV5:
        return 30;
    case decode::Protocol::NetFlowV9:
        return 20;
    case decode::Protocol::Ipfix:
        return 16;
    default:
        return 5;
    }
}

} // namespace

Result<void> checkOptions(const GenOptions& o)
{
    if (o.proto == decode::Protocol::Unknown)
        return fail(
            QStringLiteral("No export protocol chosen: use NetFlow v5, NetFlow v9, IPFIX or sFlow v5."));
    if (!(o.flowsPerSecond >= 0) || !std::isfinite(o.flowsPerSecond))
        return fail(
            QStringLiteral("The flow rate must be 0 (as fast as possible) or a positive number of flows "
                           "per second."));
    if (!(o.durationSeconds >= 0) || !std::isfinite(o.durationSeconds))
        return fail(QStringLiteral("The duration must be 0 (unbounded) or a positive number of seconds."));
    if (o.recordsPerDatagram < 0 || o.recordsPerDatagram > 1000)
        return fail(QStringLiteral("Records per datagram must be between 1 and 1000 (or 0 for the protocol's "
                                   "default)."));
    if (o.proto == decode::Protocol::NetFlowV5 && o.recordsPerDatagram > 30)
        return fail(QStringLiteral("NetFlow v5 carries at most 30 records per datagram."));
    if (o.proto == decode::Protocol::NetFlowV5 && o.samplingRate > 0x3fff)
        return fail(QStringLiteral("NetFlow v5 announces sampling rates up to 16383 only; use v9, IPFIX or "
                                   "sFlow for 1 in %1.")
                        .arg(o.samplingRate));
    if (o.samplingRate > 0xffffffffull)
        return fail(QStringLiteral("The sampling rate must fit in 32 bits."));
    if (o.target.port == 0 || o.target.address.isZero() ||
        (o.target.address.isV4() && o.target.address.v4() == 0))
        return fail(
            QStringLiteral("No collector given (%1): name its address and port, e.g. 127.0.0.1:2055 or "
                           "[::1]:2055.")
                .arg(QString::fromStdString(o.target.toString())));
    return {};
}

TrafficModelOptions modelOptionsFor(const GenOptions& options)
{
    TrafficModelOptions m;
    m.seed = options.seed;
    if (options.proto == decode::Protocol::NetFlowV5)
        m.ipv6Share = 0; // v5 has no IPv6 record
    return m;
}

Result<GenStats> runGenerator(const GenOptions& options, const std::atomic<bool>& stop,
                              const GenProgress& progress)
{
    if (auto valid = checkOptions(options); !valid)
        return fail(valid.error());
    auto sender = UdpSender::open(options.target);
    if (!sender)
        return fail(sender.error());

    EncoderOptions encoderOptions;
    encoderOptions.recordsPerDatagram = options.recordsPerDatagram;
    encoderOptions.domainId = options.domainId;
    encoderOptions.samplingRate = options.samplingRate;
    const auto encoder = makeEncoder(options.proto, encoderOptions);
    TrafficModel model(modelOptionsFor(options));

    const std::uint64_t perDatagram = typicalRecordsPerDatagram(options);
    const std::uint64_t perSend = perDatagram * kDatagramsPerSend;
    const double rate = options.flowsPerSecond;
    std::vector<decode::FlowRecord> flows;
    flows.reserve(perSend);
    DatagramBatch batch;
    GenStats stats;
    const Clock::time_point start = Clock::now();
    Clock::time_point lastSend = start, lastProgress = start;
    const auto seconds = [](Clock::duration d) {
        return std::chrono::duration<double>(d).count();
    };

    while (!stop.load(std::memory_order_relaxed)) {
        const Clock::time_point now = Clock::now();
        const double elapsed = seconds(now - start);
        if (options.durationSeconds > 0 && elapsed >= options.durationSeconds)
            break;
        if (options.count > 0 && stats.flows >= options.count)
            break;
        std::uint64_t due = perSend;
        if (rate > 0) {
            const double allowed = std::floor(rate * elapsed);
            due = allowed > double(stats.flows) ? std::uint64_t(allowed - double(stats.flows)) : 0;
        }
        const std::uint64_t remaining = options.count > 0 ? options.count - stats.flows : UINT64_MAX;
        due = std::min({due, perSend, remaining});
        // Wait for a full datagram unless the run is ending or flows have waited long enough.
        const bool holdBack =
            due < perDatagram && due < remaining && seconds(now - lastSend) < kMaxHoldSeconds;
        if (due == 0 || holdBack) {
            const double wantFlows = double(stats.flows + std::min(perDatagram, remaining));
            double wait = rate > 0 ? wantFlows / rate - elapsed : 0;
            if (options.durationSeconds > 0)
                wait = std::min(wait, options.durationSeconds - elapsed);
            wait = std::clamp(wait, 0.0002, kMaxHoldSeconds);
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
            continue;
        }
        const std::uint64_t nowNs = wallClockNs();
        flows.clear();
        for (std::uint64_t i = 0; i < due; ++i)
            flows.push_back(model.next(nowNs));
        batch.clear();
        const std::size_t encoded = encoder->encode(flows, nowNs, batch);
        auto sent = sender->send(batch);
        if (!sent)
            return fail(sent.error());
        stats.flows += encoded;
        stats.datagrams += batch.size();
        stats.bytes += batch.totalBytes();
        lastSend = now;
        if (progress && seconds(now - lastProgress) >= kProgressSeconds) {
            stats.elapsedSeconds = elapsed;
            progress(stats);
            lastProgress = now;
        }
    }
    stats.elapsedSeconds = seconds(Clock::now() - start);
    if (progress)
        progress(stats);
    return stats;
}

} // namespace flowlens::gen
