// flowlens-capture: benchmark data sets that both FlowLens and the peers can read.
//
//   flowlens-capture write --proto v5|v9|ipfix --flows N --span SECONDS --out FILE.pcap [--seed N]
//       encodes N traffic-model flows as export datagrams whose export times (and pcap timestamps)
//       are spread evenly over SPAN seconds ending now, into a pcap (Ethernet/IPv4/UDP to port 2055).
//       `flowlens-cli import` stores them with those times: a day of flows made by the ingest path.
//   flowlens-capture replay --in FILE.pcap --target 127.0.0.1:PORT [--rate FLOWS_PER_S]
//       sends the UDP payloads of a capture to a loopback collector (e.g. nfcapd), paced, so the
//       peer stores exactly the same datagrams.

#include "core/collect/pcap_reader.h"
#include "core/gen/flow_encoder.h"
#include "core/gen/traffic_model.h"
#include "core/gen/udp_sender.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

using namespace flowlens;

namespace {

std::uint64_t nowNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

void put16be(std::uint8_t* p, std::uint16_t v)
{
    p[0] = std::uint8_t(v >> 8);
    p[1] = std::uint8_t(v);
}

/// Classic pcap with nanosecond timestamps, Ethernet link type.
class PcapWriter
{
public:
    explicit PcapWriter(const char* path)
        : m_file(std::fopen(path, "wb"))
    {
        if (!m_file)
            return;
        const std::uint32_t header[6] = {0xa1b23c4du, 0x00040002u, 0, 0, 65535, 1};
        std::fwrite(header, sizeof header, 1, m_file);
    }
    ~PcapWriter()
    {
        if (m_file)
            std::fclose(m_file);
    }
    bool ok() const { return m_file != nullptr; }

    void write(std::span<const std::byte> payload, std::uint64_t timeNs)
    {
        std::uint8_t frame[14 + 20 + 8];
        std::memset(frame, 0, sizeof frame);
        frame[12] = 0x08; // IPv4
        std::uint8_t* ip = frame + 14;
        ip[0] = 0x45;
        put16be(ip + 2, std::uint16_t(20 + 8 + payload.size()));
        ip[8] = 64;
        ip[9] = 17;
        const std::uint8_t src[4] = {192, 0, 2, 10}, dst[4] = {192, 0, 2, 1};
        std::memcpy(ip + 12, src, 4);
        std::memcpy(ip + 16, dst, 4);
        std::uint8_t* udp = ip + 20;
        put16be(udp, 40000);
        put16be(udp + 2, 2055);
        put16be(udp + 4, std::uint16_t(8 + payload.size()));
        const std::uint32_t length = std::uint32_t(sizeof frame + payload.size());
        const std::uint32_t record[4] = {std::uint32_t(timeNs / 1000000000ull),
                                         std::uint32_t(timeNs % 1000000000ull), length, length};
        std::fwrite(record, sizeof record, 1, m_file);
        std::fwrite(frame, sizeof frame, 1, m_file);
        std::fwrite(payload.data(), 1, payload.size(), m_file);
    }

private:
    std::FILE* m_file;
};

int write(int argc, char** argv)
{
    decode::Protocol proto = decode::Protocol::NetFlowV5;
    std::uint64_t flows = 1'000'000, seed = 1;
    double span = 86400;
    const char* out = nullptr;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view o = argv[i], v = argv[i + 1];
        if (o == "--proto")
            proto = v == "v9" ? decode::Protocol::NetFlowV9
                              : (v == "ipfix" ? decode::Protocol::Ipfix : decode::Protocol::NetFlowV5);
        else if (o == "--flows")
            flows = std::stoull(std::string(v));
        else if (o == "--span")
            span = std::stod(std::string(v));
        else if (o == "--seed")
            seed = std::stoull(std::string(v));
        else if (o == "--out")
            out = argv[i + 1];
    }
    if (!out) {
        std::fputs("flowlens-capture write: --out FILE.pcap is required\n", stderr);
        return 2;
    }
    PcapWriter pcap(out);
    if (!pcap.ok()) {
        std::fprintf(stderr, "flowlens-capture: cannot write %s: %s\n", out, std::strerror(errno));
        return 1;
    }
    gen::TrafficModelOptions mo;
    mo.seed = seed;
    mo.ipv6Share = proto == decode::Protocol::NetFlowV5 ? 0.0 : mo.ipv6Share;
    gen::TrafficModel model(mo);
    gen::EncoderOptions eo;
    const std::uint64_t end = nowNs();
    const std::uint64_t spanNs = std::uint64_t(span * 1e9);
    eo.bootTimeNs = end - spanNs - 3600ull * 1000000000ull;
    auto encoder = gen::makeEncoder(proto, eo);
    gen::DatagramBatch batch;
    std::vector<decode::FlowRecord> chunk;
    const std::uint64_t perChunk = 30;
    std::uint64_t written = 0, datagrams = 0;
    for (std::uint64_t i = 0; i < flows; i += perChunk) {
        const std::uint64_t t = end - spanNs + std::uint64_t(double(spanNs) * double(i) / double(flows));
        chunk.clear();
        for (std::uint64_t k = 0; k < perChunk && i + k < flows; ++k) {
            auto r = model.next(t);
            if (encoder->canEncode(r))
                chunk.push_back(r);
        }
        batch.clear();
        written += encoder->encode(chunk, t, batch);
        for (std::size_t d = 0; d < batch.size(); ++d)
            pcap.write(batch.at(d), t);
        datagrams += batch.size();
    }
    std::fprintf(stderr, "flowlens-capture: %llu flows in %llu datagrams over %.0f s into %s\n",
                 static_cast<unsigned long long>(written), static_cast<unsigned long long>(datagrams), span,
                 out);
    return 0;
}

int replay(int argc, char** argv)
{
    const char* in = nullptr;
    std::optional<decode::Endpoint> target;
    double rate = 500000;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view o = argv[i], v = argv[i + 1];
        if (o == "--in")
            in = argv[i + 1];
        else if (o == "--target")
            target = decode::Endpoint::parse(v);
        else if (o == "--rate")
            rate = std::stod(std::string(v));
    }
    if (!in || !target) {
        std::fputs("flowlens-capture replay: needs --in FILE.pcap and --target 127.0.0.1:PORT\n", stderr);
        return 2;
    }
    if (!(target->address.isV4() && (target->address.v4() >> 24) == 127)) {
        std::fputs("flowlens-capture replay: only loopback targets (127.0.0.0/8)\n", stderr);
        return 2;
    }
    auto reader = collect::PcapReader::open(QString::fromLocal8Bit(in));
    if (!reader) {
        std::fprintf(stderr, "flowlens-capture: %s\n", reader.error().toLocal8Bit().constData());
        return 1;
    }
    auto sender = gen::UdpSender::open(*target);
    if (!sender) {
        std::fprintf(stderr, "flowlens-capture: %s\n", sender.error().toLocal8Bit().constData());
        return 1;
    }
    // Flows per datagram are counted from the v5/v9/IPFIX header only roughly: pace by datagrams
    // assuming 30 flows each, which is what `write` produces for v5.
    const double datagramsPerSecond = rate / 30.0;
    gen::DatagramBatch batch;
    collect::CapturedDatagram d;
    std::uint64_t sent = 0;
    const auto start = std::chrono::steady_clock::now();
    bool more = true;
    while (more) {
        batch.clear();
        for (int i = 0; i < 64 && (more = reader->next(d)); ++i) {
            auto& buf = batch.buffer();
            const auto* p = d.payload.data();
            buf.insert(buf.end(), p, p + d.payload.size());
            batch.finishDatagram();
        }
        if (batch.empty())
            break;
        if (auto r = sender->send(batch); !r) {
            std::fprintf(stderr, "flowlens-capture: %s\n", r.error().toLocal8Bit().constData());
            return 1;
        }
        sent += batch.size();
        const auto due = start + std::chrono::duration<double>(double(sent) / datagramsPerSecond);
        std::this_thread::sleep_until(due);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "flowlens-capture: replayed %llu datagrams in %.1f s\n",
                 static_cast<unsigned long long>(sent), seconds);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc >= 2 && std::string_view(argv[1]) == "write")
        return write(argc, argv);
    if (argc >= 2 && std::string_view(argv[1]) == "replay")
        return replay(argc, argv);
    std::fputs("usage: flowlens-capture write --proto v5|v9|ipfix --flows N --span SECONDS --out FILE.pcap "
               "[--seed N]\n"
               "       flowlens-capture replay --in FILE.pcap --target 127.0.0.1:PORT [--rate FLOWS_PER_S]\n",
               stderr);
    return 2;
}
