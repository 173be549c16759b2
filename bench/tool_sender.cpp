// flowlens-sender: a cheap, high-rate loopback load generator for ingest benchmarks.
//
// Pre-encodes a ring of NetFlow v5 / v9 / IPFIX datagrams from the traffic model, then replays
// it with sendmmsg at a fixed flow rate for a fixed duration. Each send only patches what must
// move: header sequence numbers, export time and uptime, and the flow times (shifted by the time
// elapsed since the ring was built), so the sender stays far cheaper than any collector.
// Only loopback targets are accepted: this is a benchmark tool, not a traffic cannon.

#include "core/gen/byte_writer.h"
#include "core/gen/flow_encoder.h"
#include "core/gen/ipfix_encoder.h"
#include "core/gen/netflow_v5_encoder.h"
#include "core/gen/netflow_v9_encoder.h"
#include "core/gen/template_fields.h"
#include "core/gen/traffic_model.h"
#include "core/gen/udp_sender.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/prctl.h>

using namespace flowlens;

namespace {

struct Args
{
    decode::Protocol proto = decode::Protocol::NetFlowV5;
    decode::Endpoint target;
    bool targetGiven = false;
    double rate = 1'000'000;
    double duration = 10;
    std::uint64_t seed = 1;
    std::size_t ring = 8192;
    std::size_t batch = 0; ///< 0 = about a millisecond of traffic per sendmmsg call
    int records = 0;
};

/// What one ring datagram needs patched on every send.
struct RingEntry
{
    std::uint32_t flows = 0;
    std::uint32_t dataRecords = 0;         ///< IPFIX sequence step (flows + options records)
    std::vector<std::uint32_t> timeFields; ///< offsets: 32-bit uptime ms (v5, v9) or 64-bit ms (IPFIX)
    std::int64_t appliedShiftMs = 0;       ///< shift already added to the time fields
};

void usage(std::FILE* out)
{
    std::fputs("usage: flowlens-sender [--proto v5|v9|ipfix] [--target ADDR:PORT] [--rate FLOWS/S]\n"
               "                       [--duration SECONDS] [--seed N] [--ring DATAGRAMS] [--batch N]\n"
               "                       [--records PER_DATAGRAM]\n"
               "Replays pre-encoded export datagrams to a loopback collector at a fixed flow rate.\n"
               "  --proto     export format (default v5, 30 records per datagram)\n"
               "  --target    127.0.0.0/8 or [::1] only (default 127.0.0.1 and the protocol's port)\n"
               "  --rate      flows per second, k/M suffixes allowed, 0 = as fast as possible (default 1M)\n"
               "  --duration  seconds to send (default 10)\n"
               "  --ring      datagrams pre-encoded and replayed in a loop (default 8192)\n"
               "  --batch     datagrams per sendmmsg call, 1-1024 (default: a millisecond of traffic,\n"
               "              16 to 256 datagrams)\n",
               out);
}

std::optional<double> parseNumber(std::string_view text)
{
    double scale = 1;
    if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) {
        scale = 1e3;
        text.remove_suffix(1);
    } else if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) {
        scale = 1e6;
        text.remove_suffix(1);
    }
    char* end = nullptr;
    const std::string s(text);
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < 0)
        return std::nullopt;
    return v * scale;
}

bool isLoopback(const decode::IpAddress& a)
{
    if (a.isV4())
        return (a.v4() >> 24) == 127;
    return a == *decode::IpAddress::parse("::1");
}

std::optional<Args> parseArgs(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string_view opt = argv[i];
        if (opt == "-h" || opt == "--help") {
            usage(stdout);
            std::exit(0);
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "flowlens-sender: %s needs a value\n", argv[i]);
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        const auto number = parseNumber(value);
        if (opt == "--proto") {
            const auto p = gen::parseProtocol(value);
            if (!p || *p == decode::Protocol::SFlowV5) {
                std::fprintf(
                    stderr, "flowlens-sender: --proto takes v5, v9 or ipfix (sFlow: use flowlens-cli gen)\n");
                return std::nullopt;
            }
            a.proto = *p;
        } else if (opt == "--target") {
            const auto e = decode::Endpoint::parse(value);
            if (!e) {
                std::fprintf(stderr, "flowlens-sender: cannot read target '%s' (ADDR:PORT or [V6]:PORT)\n",
                             argv[i]);
                return std::nullopt;
            }
            a.target = *e;
            a.targetGiven = true;
        } else if (number && opt == "--rate") {
            a.rate = *number;
        } else if (number && *number > 0 && opt == "--duration") {
            a.duration = *number;
        } else if (number && opt == "--seed") {
            a.seed = std::uint64_t(*number);
        } else if (number && *number >= 1 && opt == "--ring") {
            a.ring = std::size_t(*number);
        } else if (number && *number >= 1 && *number <= 1024 && opt == "--batch") {
            a.batch = std::size_t(*number);
        } else if (number && *number >= 1 && *number <= 1000 && opt == "--records") {
            a.records = int(*number);
        } else {
            std::fprintf(stderr, "flowlens-sender: bad option or value: %s %s\n", argv[i - 1], argv[i]);
            return std::nullopt;
        }
    }
    if (!a.targetGiven) {
        a.target.address = decode::IpAddress::fromV4(0x7f000001);
        a.target.port = gen::defaultPort(a.proto);
    }
    if (a.proto == decode::Protocol::NetFlowV5 && a.records > 30) {
        std::fprintf(stderr, "flowlens-sender: NetFlow v5 carries at most 30 records per datagram\n");
        return std::nullopt;
    }
    if (!isLoopback(a.target.address)) {
        std::fprintf(
            stderr,
            "flowlens-sender: refusing to send to %s: only loopback targets (127.0.0.0/8, [::1]) are "
            "allowed; use flowlens-cli gen for other collectors\n",
            a.target.toString().c_str());
        return std::nullopt;
    }
    return a;
}

std::uint64_t realtimeMs()
{
    timespec t{};
    clock_gettime(CLOCK_REALTIME, &t);
    return std::uint64_t(t.tv_sec) * 1000 + std::uint64_t(t.tv_nsec) / 1'000'000;
}

double monotonicSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

void sleepUntil(double monotonic)
{
    timespec t{};
    t.tv_sec = time_t(monotonic);
    t.tv_nsec = long((monotonic - double(t.tv_sec)) * 1e9);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr);
}

/// Finds the time fields and record counts of each v9/IPFIX datagram (our own encoders' layout).
void indexTemplated(decode::Protocol proto, const gen::DatagramBatch& ring, std::vector<RingEntry>& entries)
{
    const bool ipfix = proto == decode::Protocol::Ipfix;
    const std::size_t header = ipfix ? gen::IpfixEncoder::kHeaderBytes : gen::NetflowV9Encoder::kHeaderBytes;
    const auto t4 = ipfix ? gen::ipfixIpv4Template() : gen::v9Ipv4Template();
    const auto t6 = ipfix ? gen::ipfixIpv6Template() : gen::v9Ipv6Template();
    const std::uint16_t startId = ipfix ? 152 : 22, endId = ipfix ? 153 : 21;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto d = ring.at(i);
        RingEntry& e = entries[i];
        for (std::size_t off = header; off + 4 <= d.size();) {
            const std::uint16_t id = gen::load16(d.data() + off);
            const std::uint16_t length = gen::load16(d.data() + off + 2);
            if (length < 4)
                break;
            if (id == gen::kTemplateIpv4 || id == gen::kTemplateIpv6) {
                const auto fields = id == gen::kTemplateIpv4 ? t4 : t6;
                const std::size_t rl = gen::recordLength(fields);
                const std::size_t first = *gen::fieldOffset(fields, startId),
                                  last = *gen::fieldOffset(fields, endId);
                for (std::size_t r = off + 4; r + rl <= off + length; r += rl) {
                    e.timeFields.push_back(std::uint32_t(r + first));
                    e.timeFields.push_back(std::uint32_t(r + last));
                    ++e.flows;
                    ++e.dataRecords;
                }
            } else if (id == gen::kTemplateSampling) {
                ++e.dataRecords;
            }
            off += length;
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    const auto parsed = parseArgs(argc, argv);
    if (!parsed) {
        usage(stderr);
        return 2;
    }
    const Args& args = *parsed;
    prctl(PR_SET_TIMERSLACK, 1000UL); // wake-ups within a microsecond keep high rates smooth

    // Build the ring.
    gen::EncoderOptions eo;
    eo.recordsPerDatagram = args.records;
    const auto encoder = gen::makeEncoder(args.proto, eo);
    gen::TrafficModelOptions mo;
    mo.seed = args.seed;
    mo.ipv6Share = args.proto == decode::Protocol::NetFlowV5 ? 0.0 : 0.25;
    gen::TrafficModel model(mo);
    const std::uint64_t ringMs = realtimeMs();
    const std::uint64_t ringNs = ringMs * 1'000'000;
    gen::DatagramBatch ring;
    std::vector<decode::FlowRecord> flows;
    while (ring.size() < args.ring) {
        flows.clear();
        for (int i = 0; i < 300; ++i)
            flows.push_back(model.next(ringNs));
        encoder->encode(flows, ringNs, ring);
    }
    std::vector<RingEntry> entries(ring.size());
    if (args.proto == decode::Protocol::NetFlowV5) {
        for (std::size_t i = 0; i < ring.size(); ++i) {
            const auto d = ring.at(i);
            entries[i].flows = gen::load16(d.data() + 2);
            for (std::uint32_t r = 0; r < entries[i].flows; ++r) {
                entries[i].timeFields.push_back(24 + 48 * r + 24);
                entries[i].timeFields.push_back(24 + 48 * r + 28);
            }
        }
    } else {
        indexTemplated(args.proto, ring, entries);
    }
    std::uint64_t ringFlows = 0;
    for (const auto& e : entries)
        ringFlows += e.flows;
    // Small batches keep low rates smooth; large ones save system calls at high rates.
    const double datagramsPerSecond =
        args.rate > 0 ? args.rate * double(ring.size()) / double(ringFlows) : 1e9;
    const std::size_t batch =
        args.batch ? args.batch : std::clamp<std::size_t>(std::size_t(datagramsPerSecond / 1000), 16, 256);
    // The boot instant the encoder chose, read back from the first header.
    const auto first = ring.at(0);
    const std::uint32_t ringUptime = gen::load32(first.data() + 4);
    const std::uint64_t bootMs = args.proto == decode::Protocol::NetFlowV5
                                     ? gen::load32(first.data() + 8) * 1000ull +
                                           gen::load32(first.data() + 12) / 1'000'000 - ringUptime
                                     : gen::load32(first.data() + 8) * 1000ull - ringUptime;

    auto sender = gen::UdpSender::open(args.target);
    if (!sender) {
        std::fprintf(stderr, "flowlens-sender: %s\n", qPrintable(sender.error()));
        return 1;
    }
    std::printf(
        "flowlens-sender: %s -> %s, ring of %zu datagrams (%.1f flows each), batch %zu, target %.0f flows/s "
        "for %.1f s\n",
        std::string(gen::protocolName(args.proto)).c_str(), args.target.toString().c_str(), ring.size(),
        double(ringFlows) / double(ring.size()), batch, args.rate, args.duration);
    std::fflush(stdout);

    std::uint64_t sentFlows = 0, sentDatagrams = 0, sentBytes = 0;
    std::uint32_t v5Sequence = 0, v9Sequence = 0, ipfixSequence = 0;
    std::size_t next = 0;
    const double cpuStart = cpuSeconds();
    const double start = monotonicSeconds();
    double lastReport = start;
    std::uint64_t flowsAtReport = 0;
    for (;;) {
        const double now = monotonicSeconds();
        if (now - start >= args.duration)
            break;
        const std::size_t n = std::min(batch, ring.size() - next);
        const std::uint64_t wallMs = realtimeMs();
        std::uint64_t batchFlows = 0;
        for (std::size_t i = next; i < next + n; ++i) {
            RingEntry& e = entries[i];
            std::byte* d = ring.mutableAt(i).data();
            std::int64_t shiftMs = 0;
            switch (args.proto) {
            case decode::Protocol::NetFlowV5: {
                const std::uint32_t uptime = std::uint32_t(wallMs - bootMs);
                gen::store32(d + 4, uptime);
                gen::store32(d + 8, std::uint32_t(wallMs / 1000));
                gen::store32(d + 12, std::uint32_t(wallMs % 1000) * 1'000'000);
                gen::store32(d + 16, v5Sequence);
                v5Sequence += e.flows;
                shiftMs = std::int64_t(uptime) - std::int64_t(ringUptime);
                break;
            }
            case decode::Protocol::NetFlowV9: {
                const std::uint64_t secondMs = wallMs / 1000 * 1000;
                const std::uint32_t uptime = std::uint32_t(secondMs - bootMs);
                gen::store32(d + 4, uptime);
                gen::store32(d + 8, std::uint32_t(wallMs / 1000));
                gen::store32(d + 12, v9Sequence++);
                shiftMs = std::int64_t(uptime) - std::int64_t(ringUptime);
                break;
            }
            default:
                gen::store32(d + 4, std::uint32_t(wallMs / 1000));
                gen::store32(d + 8, ipfixSequence);
                ipfixSequence += e.dataRecords;
                shiftMs = std::int64_t(wallMs) - std::int64_t(ringMs);
                break;
            }
            const std::int64_t step = shiftMs - e.appliedShiftMs;
            if (step != 0) {
                if (args.proto == decode::Protocol::Ipfix) {
                    for (std::uint32_t off : e.timeFields)
                        gen::store64(d + off, gen::load64(d + off) + std::uint64_t(step));
                } else {
                    for (std::uint32_t off : e.timeFields)
                        gen::store32(d + off, gen::load32(d + off) + std::uint32_t(step));
                }
                e.appliedShiftMs = shiftMs;
            }
            batchFlows += e.flows;
            sentBytes += ring.at(i).size();
        }
        const auto sent = sender->send(ring, next, n);
        if (!sent) {
            std::fprintf(stderr, "flowlens-sender: %s\n", qPrintable(sent.error()));
            return 1;
        }
        sentFlows += batchFlows;
        sentDatagrams += n;
        next = (next + n) % ring.size();

        if (now - lastReport >= 1.0) {
            std::printf("  %6.1f s  %12.0f flows/s\n", now - start,
                        double(sentFlows - flowsAtReport) / (now - lastReport));
            std::fflush(stdout);
            lastReport = now;
            flowsAtReport = sentFlows;
        }
        if (args.rate > 0) {
            const double due = start + double(sentFlows) / args.rate;
            if (due > monotonicSeconds())
                sleepUntil(std::min(due, start + args.duration));
        }
    }
    const double elapsed = monotonicSeconds() - start;
    const double cpu = cpuSeconds() - cpuStart;
    std::printf(
        "offered %llu flows in %.3f s = %.0f flows/s (target %.0f); %llu datagrams = %.0f/s, %.1f MB\n",
        static_cast<unsigned long long>(sentFlows), elapsed, double(sentFlows) / elapsed, args.rate,
        static_cast<unsigned long long>(sentDatagrams), double(sentDatagrams) / elapsed,
        double(sentBytes) / 1e6);
    std::printf("sender CPU %.3f s (%.1f%% of one core)\n", cpu, 100.0 * cpu / elapsed);
    return 0;
}
