#include "cli_common.h"
#include "commands.h"
#include "query_options.h"

#include "core/query/flow_format.h"
#include "core/store/flow_reader.h"

#include <cstdio>

namespace flowlens::cli {

int runFlows(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Prints stored flows in arrival order, as goflow2-style NDJSON (proto and etype as "
                       "names, addresses as "
                       "strings, times in ns, counters as sent with sampling_rate beside them) or CSV."));
    QueryOptions q(QStringLiteral("ndjson|csv"), QStringLiteral("ndjson"));
    q.addTo(p);
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("Flows to print (0 = all)."),
                                   QStringLiteral("N"), QStringLiteral("100"));
    p.addOption(limit);
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 success, 1 the database cannot be read, 2 bad "
                                            "arguments or filter."));
        rc >= 0)
        return rc;
    if (int rc = q.read(p, QStringLiteral("flows")); rc >= 0)
        return rc;
    bool ok = false;
    const qint64 max = p.value(limit).toLongLong(&ok);
    if (!ok || max < 0) {
        printErr(QStringLiteral("flowlens-cli flows: --limit needs a number >= 0\n"));
        return kExitUsage;
    }
    auto reader = store::FlowReader::open(q.dbPath);
    if (!reader) {
        printErr(QStringLiteral("flowlens-cli flows: %1\n").arg(reader.error()));
        return kExitFailure;
    }
    const bool csv = q.formatValue == QLatin1String("csv");
    std::string out;
    if (csv)
        out = query::flowCsvHeader() + "\n";
    qint64 printed = 0;
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = q.sinceNs;
    opts.untilNs = q.untilNs;
    const bool filtered = !q.parsedFilter.isEmpty();
    auto scanned = (*reader)->scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        for (const auto& r : flows) {
            if (filtered && !q.parsedFilter.matches(r))
                continue;
            if (csv)
                query::appendFlowCsv(out, r);
            else
                query::appendFlowJson(out, r);
            out.push_back('\n');
            if (out.size() > (1 << 20)) {
                std::fwrite(out.data(), 1, out.size(), stdout);
                out.clear();
            }
            if (max && ++printed >= max)
                return false;
        }
        return true;
    });
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (!scanned) {
        printErr(QStringLiteral("flowlens-cli flows: %1\n").arg(scanned.error()));
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace flowlens::cli
