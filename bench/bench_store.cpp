// Store write path: what one writer-thread core does per flow (block encoding, rollups, SQLite).
#include "core/gen/traffic_model.h"
#include "core/store/flow_block.h"
#include "core/store/flow_writer.h"
#include "core/store/rollup.h"
#include "core/store/rollup_accumulator.h"

#include <benchmark/benchmark.h>

#include <QDir>
#include <QTemporaryDir>

using namespace flowlens;

namespace {

const std::vector<decode::FlowRecord>& flows()
{
    static const std::vector<decode::FlowRecord> v = [] {
        gen::TrafficModel model;
        std::vector<decode::FlowRecord> out(262144);
        std::uint64_t t = 1'800'000'000ull * 1'000'000'000ull;
        for (std::size_t i = 0; i < out.size(); ++i) {
            t += 500; // 2 M flows/s
            out[i] = model.next(t);
            out[i].time_received_ns = t - t % 1000000;
            out[i].sampler_address = decode::IpAddress::fromV4(0x7f000001u);
            out[i].type = decode::FlowType::NetFlowV9;
            out[i].sequence_num = std::uint32_t(i / 20);
        }
        return out;
    }();
    return v;
}

void BM_BlockEncode(benchmark::State& state)
{
    const auto& f = flows();
    store::BlockEncoder enc(int(state.range(0)));
    std::vector<std::byte> blob;
    const std::size_t n = 32768;
    std::size_t bytes = 0;
    for (auto _ : state) {
        enc.encode(std::span(f).first(n), blob);
        bytes = blob.size();
        benchmark::DoNotOptimize(blob.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * n));
    state.counters["bytes_per_flow"] = double(bytes) / double(n);
}
BENCHMARK(BM_BlockEncode)->Arg(-5)->Arg(-1)->Arg(1)->Arg(3);

void BM_ColumnBlockAppend(benchmark::State& state)
{
    // What the writer thread does for the open block: gather 512-flow slices into columns.
    // The slices are in cache there (just unpacked): here the same 512 flows are appended 64 times.
    const auto slice = std::span(flows()).first(512);
    store::ColumnBlock block;
    block.reserveFlows(32768);
    const std::size_t n = 32768;
    for (auto _ : state) {
        block.clear();
        for (std::size_t at = 0; at < n; at += 512)
            block.append(slice);
        benchmark::DoNotOptimize(block.size());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * n));
}
BENCHMARK(BM_ColumnBlockAppend);

void BM_BlockDecodeTopColumns(benchmark::State& state)
{
    const auto& f = flows();
    store::BlockEncoder enc(1);
    std::vector<std::byte> blob;
    const std::size_t n = 32768;
    enc.encode(std::span(f).first(n), blob);
    store::BlockDecoder dec;
    std::vector<decode::FlowRecord> out(n);
    const auto mask =
        store::fieldMask({decode::FlowField::SrcAddr, decode::FlowField::Bytes, decode::FlowField::Packets,
                          decode::FlowField::SamplingRate, decode::FlowField::TimeReceived});
    for (auto _ : state) {
        dec.open(blob);
        dec.decode(mask, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * n));
}
BENCHMARK(BM_BlockDecodeTopColumns);

/// One minute at 2 M flows/s is 120 M flows; replaying 256 k model flows in batches of 8192 keeps
/// the key counts of a realistic minute of this traffic model.
void rollupUpdate(benchmark::State& state, const std::vector<decode::FlowRecord>& f)
{
    store::RollupAccumulator acc(200000);
    std::size_t at = 0;
    const std::size_t batch = 8192;
    for (auto _ : state) {
        acc.add(std::span(f).subspan(at, batch));
        at = (at + batch) % f.size();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * batch));
    state.counters["src_keys"] = double(acc.keyCount(store::Dimension::Src));
    state.counters["pair_keys"] = double(acc.keyCount(store::Dimension::Pair));
    state.counters["city_keys"] = double(acc.keyCount(store::Dimension::SrcCity));
}

void BM_RollupUpdate(benchmark::State& state)
{
    rollupUpdate(state, flows());
}
BENCHMARK(BM_RollupUpdate);

/// The same with the enrichment fields filled (country, AS, city, network of each address, as
/// a GeoIP city database and a network list give them: a function of the address's /16).
void BM_RollupUpdateEnriched(benchmark::State& state)
{
    static const std::vector<decode::FlowRecord> enriched = [] {
        std::vector<decode::FlowRecord> v = flows();
        auto facts = [](const decode::IpAddress& a, std::uint16_t& country, std::uint32_t& as,
                        std::uint32_t& city, std::uint16_t& net) {
            const std::uint32_t n = a.isV4() ? a.v4() >> 16 : std::uint32_t(a.bytes[2]) << 8 | a.bytes[3];
            country = std::uint16_t(('A' + n % 26) << 8 | ('A' + n / 26 % 26));
            as = 64512 + n % 1000;
            city = 1 + n % 2000;
            net = std::uint16_t(n % 7 == 0 ? 1 + n % 5 : 0);
        };
        for (auto& r : v) {
            facts(r.src_addr, r.src_country, r.src_lookup_as, r.src_city, r.src_net_name);
            facts(r.dst_addr, r.dst_country, r.dst_lookup_as, r.dst_city, r.dst_net_name);
        }
        return v;
    }();
    rollupUpdate(state, enriched);
}
BENCHMARK(BM_RollupUpdateEnriched);

void BM_RollupTruncate(benchmark::State& state)
{
    const auto& f = flows();
    store::RollupAccumulator acc(200000);
    acc.add(f);
    for (auto _ : state)
        for (int d = 0; d < store::kDimensionCount; ++d)
            benchmark::DoNotOptimize(acc.rows(store::Dimension(d), store::kRollupKeepPerMetric));
    state.counters["pair_keys"] = double(acc.keyCount(store::Dimension::Pair));
}
BENCHMARK(BM_RollupTruncate)->Unit(benchmark::kMillisecond);

void BM_WriterAddCommit(benchmark::State& state)
{
    const auto& f = flows();
    QTemporaryDir dir;
    auto w = store::FlowWriter::open(dir.filePath(QStringLiteral("b.db")));
    std::size_t at = 0;
    const std::size_t batch = 8192;
    std::uint64_t shift = 0;
    std::vector<decode::FlowRecord> chunk(batch);
    std::size_t sinceCommit = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < batch; ++i) {
            chunk[i] = f[(at + i) % f.size()];
            chunk[i].time_received_ns += shift;
        }
        at += batch;
        if (at >= f.size()) {
            at = 0;
            shift += 131'072'000'000ull; // keep time moving forward across replays
        }
        (*w)->add(chunk);
        sinceCommit += batch;
        if (sinceCommit >= 2'000'000) { // one commit per second of 2 M flows/s
            (void)(*w)->commit();
            sinceCommit = 0;
        }
    }
    (void)(*w)->close();
    state.SetItemsProcessed(std::int64_t(state.iterations() * batch));
    state.counters["db_bytes_per_flow"] =
        double((*w)->stats().databaseBytes) / double(state.iterations() * batch);
}
BENCHMARK(BM_WriterAddCommit)->Unit(benchmark::kMillisecond)->MinTime(5.0);

} // namespace

BENCHMARK_MAIN();
