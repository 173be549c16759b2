// Alert evaluation on the writer thread: what each rule adds per stored flow (the writer must keep
// up with 1-2 M flows/s). Flows at 2 M flows/s of receive time, so seconds close as they would live.
#include "core/alert/alert_engine.h"
#include "core/gen/traffic_model.h"

#include <benchmark/benchmark.h>

using namespace flowlens;

namespace {

const std::vector<decode::FlowRecord>& flows()
{
    static const std::vector<decode::FlowRecord> v = [] {
        gen::TrafficModel model;
        std::vector<decode::FlowRecord> out(1 << 20);
        std::uint64_t t = 1'800'000'000ull * 1'000'000'000ull;
        for (std::size_t i = 0; i < out.size(); ++i) {
            t += 500;
            out[i] = model.next(t);
            out[i].time_received_ns = t;
            out[i].sampler_address = decode::IpAddress::fromV4(0x7f000001u);
        }
        return out;
    }();
    return v;
}

const char* const kRules[][3] = {
    {"none", "", ""},
    {"bytes_per_s > 50M", "", ""},
    {"bytes_per_s > 50M", "", "tcp and dst port 443"},
    {"flows_per_s > baseline", "src", ""},
    {"distinct_dst > 100", "src", ""},
    {"bytes_per_s > baseline", "port", ""},
};

void BM_AlertAdd(benchmark::State& state)
{
    const auto& row = kRules[state.range(0)];
    alert::AlertEngine engine;
    if (QLatin1String(row[0]) != QLatin1String("none")) {
        auto by = alert::parseGroupBy(QLatin1String(row[1]));
        auto rule =
            alert::makeRule(QStringLiteral("r"), QLatin1String(row[0]), *by, QLatin1String(row[2]), 0, 0);
        if (!rule) {
            state.SkipWithError(qPrintable(rule.error()));
            return;
        }
        engine.setRules({*rule});
    }
    const auto& f = flows();
    const std::size_t batch = 4096;
    std::size_t at = 0;
    // A fixed iteration count (below) keeps `at` inside the prepared flows: time only moves forward.
    for (auto _ : state) {
        engine.add(std::span(f).subspan(at, batch));
        at += batch;
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * batch));
    state.SetLabel(QStringLiteral("%1 %2 %3")
                       .arg(QLatin1String(row[0]), QLatin1String(row[1]), QLatin1String(row[2]))
                       .toStdString());
    (void)engine.takeChanges();
}

} // namespace

BENCHMARK(BM_AlertAdd)->DenseRange(0, 5)->Iterations(250); // 250 x 4096 < 2^20 flows

BENCHMARK_MAIN();
