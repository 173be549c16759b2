// sFlow v5 decode throughput on real datagrams from the oracle vectors. Reports flow samples per second
// (items) for one core: the target is more than 5 M samples/s.

#include "core/decode/domain_registry.h"
#include "core/decode/packet_header.h"
#include "core/decode/sflow.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace flowlens::decode;

namespace {

std::vector<std::byte> readVector(const std::string& relative)
{
    const char* env = std::getenv("FLOWLENS_VECTORS");
    const std::string dir = env && *env ? env : FLOWLENS_VECTORS_DEFAULT;
    std::ifstream in(dir + "/" + relative, std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i)
        out[i] = std::byte(static_cast<unsigned char>(raw[i]));
    return out;
}

void decodeVector(benchmark::State& state, const std::string& relative)
{
    const std::vector<std::byte> dg = readVector(relative);
    if (dg.empty()) {
        state.SkipWithError("vector not found; set FLOWLENS_VECTORS");
        return;
    }
    DomainRegistry registry(16);
    SFlowDecoder decoder(registry);
    std::vector<FlowRecord> flows;
    std::vector<InterfaceCounters> counters;
    flows.reserve(64);
    counters.reserve(64);
    const Endpoint from{IpAddress::fromV4(0xC0000201), 6343};
    std::uint64_t samples = 0;
    std::uint64_t now = 1;
    for (auto _ : state) {
        flows.clear();
        counters.clear();
        decoder.decode(dg, from, ++now, flows, &counters);
        samples += flows.size() + counters.size();
        benchmark::DoNotOptimize(flows.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(samples));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * dg.size()));
}

void BM_SFlowRawHeaders(benchmark::State& state)
{
    // 5 flow samples: raw Ethernet/IPv4/TCP headers (128 bytes) + extended switch/router.
    decodeVector(state, "vflow/sflow5_vflow_TestsFlowRawPacket.bin");
}

void BM_SFlowSwitchMixed(benchmark::State& state)
{
    // 6 flow samples (IPv4, IPv6 with hop-by-hop) + 1 counter sample with generic + Ethernet counters.
    decodeVector(state, "telegraf/sflow_issue_15918/message.bin");
}

void BM_SFlowCore(benchmark::State& state)
{
    // 6 flow samples (raw Ethernet/IPv4/TCP headers + extended switch) + 1 generic/Ethernet counter sample.
    decodeVector(state, "gopacket-sflow/SFlowTestPacket1.sflow.bin");
}

void BM_SFlowGateway(benchmark::State& state)
{
    // 3 flow samples with extended gateway (9-AS path, communities), user and URL records.
    decodeVector(state, "gopacket-sflow/SFlowTestPacket2.sflow.bin");
}

void BM_PacketHeaderEthIpv4Tcp(benchmark::State& state)
{
    // One 128-byte Ethernet/IPv4/TCP header, parsed alone.
    const std::vector<std::byte> dg = readVector("gopacket-sflow/SFlowTestPacket1.sflow.bin");
    if (dg.size() < 262) {
        state.SkipWithError("vector not found; set FLOWLENS_VECTORS");
        return;
    }
    const std::span<const std::byte> header(dg.data() + 134, 128);
    for (auto _ : state) {
        FlowRecord r;
        benchmark::DoNotOptimize(parsePacketHeader(header, HeaderProtocol::Ethernet, r));
        benchmark::DoNotOptimize(r.src_port);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_SFlowRawHeaders);
BENCHMARK(BM_SFlowSwitchMixed);
BENCHMARK(BM_SFlowCore);
BENCHMARK(BM_SFlowGateway);
BENCHMARK(BM_PacketHeaderEthIpv4Tcp);
BENCHMARK_MAIN();
