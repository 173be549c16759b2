// GeoIP enrichment cost on the writer thread: a cache hit, a database lookup (miss), a batch of
// generated traffic, and the writer's flows/s with and without enrichment. The database is
// synthetic (a city for every public /16: 50k+ networks, a realistic tree depth), built at start.
#include "core/enrich/enricher.h"
#include "core/gen/traffic_model.h"
#include "core/store/flow_writer.h"
#include "tests/support/mmdb_writer.h"

#include <benchmark/benchmark.h>

#include <random>

#include <QDir>
#include <QTemporaryDir>

using namespace flowlens;

namespace {

QTemporaryDir& tempDir()
{
    static QTemporaryDir dir;
    return dir;
}

QString cityDatabase()
{
    static const QString path = [] {
        const QString p = tempDir().filePath(QStringLiteral("bench-city.mmdb"));
        test::MmdbWriter w("GeoLite2-City");
        const char* countries[] = {"US", "GB", "DE", "FR", "JP", "BR", "AU", "IN", "CN", "NL"};
        int n = 0;
        for (int a = 1; a < 224; ++a) {
            if (a == 10 || a == 127)
                continue;
            for (int b = 0; b < 256; ++b, ++n) {
                using MV = test::MmdbValue;
                const std::string city = "City " + std::to_string(n % 2000);
                w.insert(
                    std::to_string(a) + "." + std::to_string(b) + ".0.0/16",
                    MV::object({{"city", MV::object({{"names", MV::object({{"en", MV::string(city)}})}})},
                                {"country", MV::object({{"iso_code", MV::string(countries[n % 10])}})},
                                {"location", MV::object({{"latitude", MV::real(double(n % 170) - 85)},
                                                         {"longitude", MV::real(double(n % 360) - 180)}})}}));
            }
        }
        w.writeTo(p);
        return p;
    }();
    return path;
}

std::unique_ptr<enrich::Enricher> makeEnricher()
{
    enrich::EnrichConfig c;
    c.searchDefaultFolders = false;
    c.geoipPaths = {cityDatabase()};
    auto e = enrich::Enricher::create(c);
    return e ? std::move(*e) : nullptr;
}

const std::vector<decode::FlowRecord>& flows()
{
    static const std::vector<decode::FlowRecord> v = [] {
        gen::TrafficModel model;
        std::vector<decode::FlowRecord> out(262144);
        std::uint64_t t = 1'800'000'000ull * 1'000'000'000ull;
        for (std::size_t i = 0; i < out.size(); ++i) {
            t += 500;
            out[i] = model.next(t);
            out[i].time_received_ns = t - t % 1000000;
            out[i].sampler_address = decode::IpAddress::fromV4(0x7f000001u);
            out[i].type = decode::FlowType::NetFlowV9;
        }
        return out;
    }();
    return v;
}

void BM_CacheHit(benchmark::State& state)
{
    auto e = makeEnricher();
    std::vector<decode::IpAddress> addresses;
    for (std::uint32_t i = 0; i < 1024; ++i)
        addresses.push_back(decode::IpAddress::fromV4(0x08080000u + i * 977));
    for (const auto& a : addresses)
        e->facts(a);
    std::size_t i = 0;
    for (auto _ : state) {
        const enrich::AddressFacts f = e->facts(addresses[i++ & 1023]);
        benchmark::DoNotOptimize(f);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheHit);

void BM_DatabaseLookup(benchmark::State& state)
{
    auto db = enrich::GeoDatabase::open(cityDatabase());
    std::mt19937 rng(1);
    for (auto _ : state) {
        enrich::GeoLookup g;
        (*db)->lookup(decode::IpAddress::fromV4(0x01000000u + rng() % 0xD0000000u), g);
        benchmark::DoNotOptimize(g.countryCode.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DatabaseLookup);

void BM_EnrichTraffic(benchmark::State& state)
{
    auto e = makeEnricher();
    std::vector<decode::FlowRecord> batch(flows().begin(), flows().begin() + 8192);
    std::size_t at = 0;
    for (auto _ : state) {
        std::copy(flows().begin() + std::ptrdiff_t(at), flows().begin() + std::ptrdiff_t(at + 8192),
                  batch.begin());
        at = (at + 8192) % (flows().size() - 8192);
        e->enrich(batch);
        benchmark::DoNotOptimize(batch.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * 8192));
    state.counters["hit_rate"] = double(e->cache().hits()) / double(e->cache().hits() + e->cache().misses());
}
BENCHMARK(BM_EnrichTraffic);

/// Arg 0: no enrichment; 1: address classes only; 2: GeoIP city database.
void BM_WriterWithEnrichment(benchmark::State& state)
{
    const auto& f = flows();
    QTemporaryDir dir;
    auto w = store::FlowWriter::open(dir.filePath(QStringLiteral("b.db")));
    if (state.range(0) == 1) {
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        (void)(*w)->setEnricher(std::move(*enrich::Enricher::create(c)));
    } else if (state.range(0) == 2) {
        (void)(*w)->setEnricher(makeEnricher());
    }
    std::size_t at = 0;
    const std::size_t batchSize = 8192;
    std::uint64_t shift = 0;
    std::vector<decode::FlowRecord> chunk(batchSize);
    std::size_t sinceCommit = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < batchSize; ++i) {
            chunk[i] = f[(at + i) % f.size()];
            chunk[i].time_received_ns += shift;
        }
        at += batchSize;
        if (at >= f.size()) {
            at = 0;
            shift += 131'072'000'000ull;
        }
        (*w)->enrichAndAdd(chunk); // the collector's path (in place)
        sinceCommit += batchSize;
        if (sinceCommit >= 2'000'000) {
            (void)(*w)->commit();
            sinceCommit = 0;
        }
    }
    (void)(*w)->close();
    state.SetItemsProcessed(std::int64_t(state.iterations() * batchSize));
}
BENCHMARK(BM_WriterWithEnrichment)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(5.0);

} // namespace

BENCHMARK_MAIN();
