// Decoder throughput: records per second for NetFlow v5, v9 and IPFIX datagrams shaped like
// common exporters' (30 v5 records; 24 records of an 18-field template for v9/IPFIX).
#include "core/decode/flow_decoder.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

using namespace flowlens::decode;

namespace {

struct Bytes
{
    std::vector<std::byte> b;
    void u8(std::uint32_t v) { b.push_back(std::byte(v & 0xff)); }
    void u16(std::uint32_t v)
    {
        u8(v >> 8);
        u8(v);
    }
    void u32(std::uint32_t v)
    {
        u16(v >> 16);
        u16(v);
    }
    void patch16(std::size_t at, std::size_t v)
    {
        b[at] = std::byte((v >> 8) & 0xff);
        b[at + 1] = std::byte(v & 0xff);
    }
};

constexpr int kRecords = 24;
// IE, length: addresses, ports, proto/tos/flags, interfaces, AS, masks, next hop, counters, times.
constexpr std::uint16_t kFields[][2] = {{8, 4},  {12, 4}, {7, 2},  {11, 2}, {4, 1},  {5, 1},
                                        {6, 1},  {10, 4}, {14, 4}, {16, 4}, {17, 4}, {9, 1},
                                        {13, 1}, {15, 4}, {1, 4},  {2, 4},  {22, 4}, {21, 4}};

void record(Bytes& d, int i)
{
    d.u32(0x0a000000u + std::uint32_t(i));
    d.u32(0xc0a80000u + std::uint32_t(i));
    d.u16(40000 + i);
    d.u16(443);
    d.u8(6);
    d.u8(0);
    d.u8(0x18);
    d.u32(3);
    d.u32(4);
    d.u32(64500);
    d.u32(64501);
    d.u8(24);
    d.u8(16);
    d.u32(0x0a0000fe);
    d.u32(1500 * (i + 1));
    d.u32(i + 1);
    d.u32(90000);
    d.u32(99000);
}

std::vector<std::byte> v5Datagram()
{
    Bytes d;
    d.u16(5);
    d.u16(30);
    d.u32(100000);
    d.u32(1600000000);
    d.u32(0);
    d.u32(0);
    d.u16(0);
    d.u16(0);
    for (int i = 0; i < 30; ++i) {
        d.u32(0x0a000000u + std::uint32_t(i));
        d.u32(0xc0a80001u);
        d.u32(0);
        d.u16(1);
        d.u16(2);
        d.u32(10);
        d.u32(1000);
        d.u32(90000);
        d.u32(99000);
        d.u16(40000 + i);
        d.u16(443);
        d.u8(0);
        d.u8(0x18);
        d.u8(6);
        d.u8(0);
        d.u16(0);
        d.u16(0);
        d.u8(24);
        d.u8(16);
        d.u16(0);
    }
    return d.b;
}

std::vector<std::byte> templatePacket(bool ipfix)
{
    Bytes d;
    if (ipfix) {
        d.u16(10);
        d.u16(0);
        d.u32(1600000000);
        d.u32(0);
        d.u32(1);
    } else {
        d.u16(9);
        d.u16(1);
        d.u32(100000);
        d.u32(1600000000);
        d.u32(0);
        d.u32(1);
    }
    d.u16(ipfix ? 2 : 0);
    d.u16(4 + 4 + 4 * std::size(kFields));
    d.u16(256);
    d.u16(std::size(kFields));
    for (const auto& f : kFields) {
        d.u16(f[0]);
        d.u16(f[1]);
    }
    if (ipfix)
        d.patch16(2, d.b.size());
    return d.b;
}

std::vector<std::byte> dataPacket(bool ipfix)
{
    Bytes d;
    if (ipfix) {
        d.u16(10);
        d.u16(0);
        d.u32(1600000000);
        d.u32(0);
        d.u32(1);
    } else {
        d.u16(9);
        d.u16(kRecords);
        d.u32(100000);
        d.u32(1600000000);
        d.u32(0);
        d.u32(1);
    }
    const std::size_t set = d.b.size();
    d.u16(256);
    d.u16(0);
    for (int i = 0; i < kRecords; ++i)
        record(d, i);
    while ((d.b.size() - set) % 4)
        d.u8(0);
    d.patch16(set + 2, d.b.size() - set);
    if (ipfix)
        d.patch16(2, d.b.size());
    return d.b;
}

void run(benchmark::State& state, FlowDecoder& decoder, const std::vector<std::byte>& datagram, int records)
{
    Endpoint from;
    from.address = IpAddress::fromV4(0xc0000201);
    from.port = 2055;
    std::vector<FlowRecord> out;
    out.reserve(64);
    for (auto _ : state) {
        out.clear();
        decoder.decode(datagram, from, 1, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["records/s"] =
        benchmark::Counter(double(state.iterations()) * records, benchmark::Counter::kIsRate);
}

void BM_DecodeV5(benchmark::State& state)
{
    FlowDecoder decoder;
    run(state, decoder, v5Datagram(), 30);
}

void BM_DecodeV9(benchmark::State& state)
{
    FlowDecoder decoder;
    std::vector<FlowRecord> out;
    Endpoint from;
    from.address = IpAddress::fromV4(0xc0000201);
    from.port = 2055;
    decoder.decode(templatePacket(false), from, 1, out);
    run(state, decoder, dataPacket(false), kRecords);
}

void BM_DecodeIpfix(benchmark::State& state)
{
    FlowDecoder decoder;
    std::vector<FlowRecord> out;
    Endpoint from;
    from.address = IpAddress::fromV4(0xc0000201);
    from.port = 2055;
    decoder.decode(templatePacket(true), from, 1, out);
    run(state, decoder, dataPacket(true), kRecords);
}

} // namespace

BENCHMARK(BM_DecodeV5);
BENCHMARK(BM_DecodeV9);
BENCHMARK(BM_DecodeIpfix);
BENCHMARK_MAIN();
