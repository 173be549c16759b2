// Forwarding cost per record on one core: JSON encoding (goflow2 fields + _timestamp + scaled
// counters), gzip of a 5000-record batch, and Outbox::prepare over stored blocks (decode + encode
// inside one write transaction). Reports items/s and bytes per record.

#include "core/forward/gzip.h"
#include "core/forward/outbox.h"
#include "core/forward/record_encoder.h"
#include "core/store/flow_writer.h"

#include <benchmark/benchmark.h>

#include <QTemporaryDir>

using namespace flowlens;

namespace {

decode::FlowRecord sampleFlow(std::uint32_t i)
{
    decode::FlowRecord r;
    r.type = decode::FlowType::Ipfix;
    r.time_received_ns = 1764322800000000000ull + i * 1000ull;
    r.time_flow_start_ns = r.time_received_ns - 5'000'000'000ull;
    r.time_flow_end_ns = r.time_received_ns - 1'000'000'000ull;
    r.bytes = 1500 + i % 100000;
    r.packets = 1 + i % 100;
    r.sampling_rate = 1000;
    r.src_addr = decode::IpAddress::fromV4(0x0a000000u + (i % 65536));
    r.dst_addr = decode::IpAddress::fromV4(0xc6336400u + (i % 251));
    r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
    r.etype = 0x0800;
    r.proto = i % 3 ? 6 : 17;
    r.src_port = std::uint16_t(1024 + i % 50000);
    r.dst_port = i % 2 ? 443 : 53;
    r.in_if = 3;
    r.out_if = 7;
    r.src_as = 64500;
    r.dst_as = 15169;
    r.sequence_num = i;
    return r;
}

void encodeRecords(benchmark::State& state)
{
    forward::RecordEncoder encoder;
    std::vector<decode::FlowRecord> flows;
    for (std::uint32_t i = 0; i < 5000; ++i)
        flows.push_back(sampleFlow(i));
    std::string body;
    for (auto _ : state) {
        body.clear();
        body.push_back('[');
        for (const auto& f : flows) {
            encoder.append(body, f);
            body.push_back(',');
        }
        body.back() = ']';
        benchmark::DoNotOptimize(body.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(flows.size()));
    state.counters["bytes/record"] = double(body.size()) / double(flows.size());
}
BENCHMARK(encodeRecords);

void gzipBatch(benchmark::State& state)
{
    forward::RecordEncoder encoder;
    std::string body = "[";
    for (std::uint32_t i = 0; i < 5000; ++i) {
        encoder.append(body, sampleFlow(i));
        body.push_back(',');
    }
    body.back() = ']';
    std::int64_t packed = 0;
    for (auto _ : state) {
        auto z = forward::gzipCompress(body, int(state.range(0)));
        packed = z ? z->size() : 0;
        benchmark::DoNotOptimize(packed);
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * 5000);
    state.counters["gzip bytes/record"] = double(packed) / 5000.0;
    state.counters["ratio"] = double(body.size()) / double(packed);
}
BENCHMARK(gzipBatch)->Arg(1)->Arg(6); // zlib level

void prepareFromStore(benchmark::State& state)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.db"));
    {
        auto writer = store::FlowWriter::open(path);
        std::vector<decode::FlowRecord> flows;
        for (std::uint32_t i = 0; i < 200000; ++i)
            flows.push_back(sampleFlow(i));
        (*writer)->add(flows);
        (void)(*writer)->commit();
    }
    forward::RecordEncoder encoder;
    forward::PrepareOptions options;
    options.maxRecords = 5000;
    options.nowNs = 1764322800000000000ull + 3600ull * 1000000000ull;
    std::uint64_t records = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto box = forward::Outbox::open(path, QStringLiteral("bench%1").arg(records),
                                         forward::StartPosition::Beginning);
        state.ResumeTiming();
        for (;;) {
            auto batch = (*box)->prepare(options, encoder);
            if (!batch || batch->isEmpty())
                break;
            records += batch->records;
            (void)(*box)->settle(*batch, forward::Settlement::Delivered, batch->records, 200, QString());
        }
    }
    state.SetItemsProcessed(std::int64_t(records));
}
BENCHMARK(prepareFromStore)->Unit(benchmark::kMillisecond)->Iterations(3);

} // namespace

BENCHMARK_MAIN();
