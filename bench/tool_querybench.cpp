// flowlens-querybench: in-process query latencies over a FlowLens database (median of N runs).
//   flowlens-querybench --db FILE [--runs 5] [--end UNIX_S] [--only DIM:WINDOW]
// Prints one line per query: "top <dim> <window> <median_ms> <rollups[+N-flows-read]|scan> <exact>" and
// "flows-first-page <filter> <median_ms>". Windows end at --end (default: the newest flow).

#include "core/query/filter.h"
#include "core/query/flow_format.h"
#include "core/query/top_query.h"
#include "core/store/flow_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

using namespace flowlens;

namespace {

double medianMs(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QString db;
    int runs = 5;
    std::uint64_t endNs = 0;
    std::string only; // "DIM:WINDOW", e.g. "pair:24h": that query alone (for profiling)
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view o = argv[i];
        if (o == "--db")
            db = QString::fromLocal8Bit(argv[i + 1]);
        else if (o == "--runs")
            runs = std::max(1, std::atoi(argv[i + 1]));
        else if (o == "--end")
            endNs = std::stoull(argv[i + 1]) * 1000000000ull;
        else if (o == "--only")
            only = argv[i + 1];
    }
    if (db.isEmpty()) {
        std::fputs("usage: flowlens-querybench --db FILE [--runs N] [--end UNIX_S] [--only DIM:WINDOW]\n",
                   stderr);
        return 2;
    }
    auto reader = store::FlowReader::open(db);
    if (!reader) {
        std::fprintf(stderr, "flowlens-querybench: %s\n", reader.error().toLocal8Bit().constData());
        return 1;
    }
    if (!endNs)
        endNs = (*reader)->timeRange()->second + 1;
    struct Window
    {
        const char* name;
        std::uint64_t seconds;
    };
    const Window windows[] = {{"5m", 300}, {"1h", 3600}, {"24h", 86400}};
    const store::Dimension dims[] = {store::Dimension::Src,       store::Dimension::Dst,
                                     store::Dimension::Pair,      store::Dimension::DstPort,
                                     store::Dimension::Proto,     store::Dimension::SrcCountry,
                                     store::Dimension::DstCountry};
    for (const Window& w : windows) {
        for (store::Dimension d : dims) {
            if (!only.empty() && only != std::string(store::dimensionName(d)) + ":" + w.name)
                continue;
            query::TopRequest req;
            req.by = d;
            req.limit = 10;
            req.sinceNs = endNs - w.seconds * 1000000000ull;
            req.untilNs = endNs;
            std::vector<double> times;
            bool rollups = false, exact = false;
            std::uint64_t read = 0;
            for (int r = 0; r < runs; ++r) {
                const std::uint64_t before = (*reader)->flowsScanned();
                const auto t0 = std::chrono::steady_clock::now();
                auto result = query::runTop(**reader, req);
                times.push_back(
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
                if (!result) {
                    std::fprintf(stderr, "flowlens-querybench: %s\n",
                                 result.error().toLocal8Bit().constData());
                    return 1;
                }
                rollups = result->fromRollups;
                exact = result->exact;
                read = (*reader)->flowsScanned() - before;
            }
            // How: "rollups" (and how many flows it read: edges, re-opened minutes, refinement) or
            // "scan" (every flow of the window).
            char how[64];
            if (!rollups)
                std::snprintf(how, sizeof how, "scan");
            else if (read)
                std::snprintf(how, sizeof how, "rollups+%llu-flows-read",
                              static_cast<unsigned long long>(read));
            else
                std::snprintf(how, sizeof how, "rollups");
            std::printf("top %s %s %.2f %s %s\n", std::string(store::dimensionName(d)).c_str(), w.name,
                        medianMs(times), how, exact ? "exact" : "approximate");
        }
    }
    for (const char* text : {"proto udp and dst port 53", "src net 10.0.0.0/8 and bytes > 100k"}) {
        if (!only.empty())
            break;
        const auto filter = query::Filter::parse(QString::fromLatin1(text));
        std::vector<double> times;
        std::size_t rows = 0;
        for (int r = 0; r < runs; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            std::string out;
            rows = 0;
            store::FlowReader::ScanOptions o;
            o.sinceNs = endNs - 86400ull * 1000000000ull;
            o.untilNs = endNs;
            (void)(*reader)->scan(o, [&](std::span<const decode::FlowRecord> flows) {
                for (const auto& f : flows) {
                    if (!filter->matches(f))
                        continue;
                    query::appendFlowJson(out, f);
                    out.push_back('\n');
                    if (++rows == 100)
                        return false;
                }
                return true;
            });
            times.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::printf("flows-first-page \"%s\" %.2f %zu\n", text, medianMs(times), rows);
    }
    return 0;
}
