#include "query_options.h"

#include "cli_common.h"

#include "core/query/time_spec.h"

namespace flowlens::cli {

QueryOptions::QueryOptions(const QString& formatList, const QString& defaultFormat)
    : format(QStringLiteral("format"), QStringLiteral("Output format: %1.").arg(formatList),
             QStringLiteral("FORMAT"), defaultFormat)
    , formats(formatList)
{}

void QueryOptions::addTo(QCommandLineParser& p) const
{
    p.addOptions({db, since, until, filter, format});
}

int QueryOptions::read(const QCommandLineParser& p, const QString& command)
{
    if (!p.isSet(db)) {
        printErr(QStringLiteral("flowlens-cli %1: --db FILE is required\n").arg(command));
        return kExitUsage;
    }
    dbPath = p.value(db);
    const std::uint64_t now = nowNs();
    if (p.isSet(since)) {
        auto t = query::parseTime(p.value(since), now);
        if (!t) {
            printErr(QStringLiteral("flowlens-cli %1: --since: %2\n").arg(command, t.error()));
            return kExitUsage;
        }
        sinceNs = *t;
    }
    if (p.isSet(until)) {
        auto t = query::parseTime(p.value(until), now);
        if (!t) {
            printErr(QStringLiteral("flowlens-cli %1: --until: %2\n").arg(command, t.error()));
            return kExitUsage;
        }
        untilNs = *t;
    }
    if (sinceNs >= untilNs) {
        printErr(QStringLiteral("flowlens-cli %1: --since must be before --until\n").arg(command));
        return kExitUsage;
    }
    if (p.isSet(filter)) {
        auto f = query::Filter::parse(p.value(filter));
        if (!f) {
            const auto& e = f.error();
            const QString text = p.value(filter);
            printErr(QStringLiteral("flowlens-cli %1: bad filter: %2\n  %3\n  %4^\n")
                         .arg(command, e.toString(), text, QString(e.position, QLatin1Char(' '))));
            return kExitUsage;
        }
        parsedFilter = *f;
    }
    formatValue = p.value(format);
    if (!formats.split(QLatin1Char('|')).contains(formatValue)) {
        printErr(QStringLiteral("flowlens-cli %1: --format must be one of %2\n").arg(command, formats));
        return kExitUsage;
    }
    return -1;
}

} // namespace flowlens::cli
