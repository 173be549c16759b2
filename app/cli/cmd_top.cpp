#include "cli_common.h"
#include "commands.h"
#include "query_options.h"

#include "core/enrich/enricher.h"
#include "core/query/time_spec.h"
#include "core/query/top_query.h"
#include "core/store/dictionary.h"
#include "core/store/flow_reader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::cli {

int runTop(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Top-N statistics like nfdump -s: the addresses, pairs, ports, protocols or exporters with the most "
        "bytes, packets or flows. Values are sampling-scaled unless --raw."));
    QueryOptions q(QStringLiteral("table|csv|json"), QStringLiteral("table"));
    q.addTo(p);
    const QCommandLineOption by(
        QStringLiteral("by"),
        QStringLiteral("src, dst, ip (to or from), pair, srcport, dstport, proto, exporter, or (GeoIP) "
                       "src-country, dst-country, src-as, dst-as, src-city, dst-city, src-net, dst-net."),
        QStringLiteral("DIM"));
    const QCommandLineOption order(QStringLiteral("order"), QStringLiteral("bytes, packets or flows."),
                                   QStringLiteral("METRIC"), QStringLiteral("bytes"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("Rows to show (0 = all)."),
                                   QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption raw(QStringLiteral("raw"),
                                 QStringLiteral("Counters as the exporters sent them, not sampling-scaled."));
    p.addOptions({by, order, limit, raw});
    if (int rc = parseOrExit(
            p, args,
            QStringLiteral(
                "\n\nCSV has the header rank,key,flows,packets,bytes; protocol keys are "
                "IANA numbers, pairs are SRC->DST, countries ISO alpha-2 codes (\"unknown\" when not "
                "located), AS "
                "numbers, cities \"City, Region, CC\", networks their names.\nExit codes: 0 success, 1 the "
                "database cannot be read, 2 bad arguments or filter."));
        rc >= 0)
        return rc;
    if (int rc = q.read(p, QStringLiteral("top")); rc >= 0)
        return rc;
    query::TopRequest req;
    if (!p.isSet(by)) {
        printErr(
            QStringLiteral("flowlens-cli top: --by is required (src, dst, ip, pair, srcport, dstport, proto, "
                           "exporter, src-country, dst-country, src-as, dst-as, src-city, dst-city, src-net, "
                           "dst-net)\n"));
        return kExitUsage;
    }
    const auto dim = store::dimensionFromName(p.value(by).toStdString());
    if (!dim) {
        printErr(
            QStringLiteral(
                "flowlens-cli top: --by %1 is not one of src, dst, ip, pair, srcport, dstport, proto, "
                "exporter, src-country, dst-country, src-as, dst-as, src-city, dst-city, src-net, dst-net\n")
                .arg(p.value(by)));
        return kExitUsage;
    }
    const auto metric = store::metricFromName(p.value(order).toStdString());
    if (!metric) {
        printErr(QStringLiteral("flowlens-cli top: --order must be bytes, packets or flows\n"));
        return kExitUsage;
    }
    bool ok = false;
    req.limit = p.value(limit).toInt(&ok);
    if (!ok || req.limit < 0) {
        printErr(QStringLiteral("flowlens-cli top: --limit needs a number >= 0\n"));
        return kExitUsage;
    }
    req.by = *dim;
    req.order = *metric;
    req.sinceNs = q.sinceNs;
    req.untilNs = q.untilNs;
    req.filter = q.parsedFilter;
    req.raw = p.isSet(raw);

    auto reader = store::FlowReader::open(q.dbPath);
    if (!reader) {
        printErr(QStringLiteral("flowlens-cli top: %1\n").arg((reader.error())));
        return kExitFailure;
    }
    auto result = query::runTop(**reader, req);
    if (!result) {
        printErr(QStringLiteral("flowlens-cli top: %1\n").arg(result.error()));
        return kExitFailure;
    }
    auto dictionaries = store::readDictionaries((*reader)->database());
    if (!dictionaries) {
        printErr(QStringLiteral("flowlens-cli top: %1\n").arg(dictionaries.error()));
        return kExitFailure;
    }
    const auto keyText = [&](const store::RollupKey& key) {
        return QString::fromStdString(store::rollupKeyText(req.by, key, *dictionaries));
    };
    const bool geoDimension = req.by >= store::Dimension::SrcCountry && req.by <= store::Dimension::DstCity;
    const QString attribution =
        geoDimension && dictionaries->usesDbIp() ? QString::fromLatin1(enrich::kDbIpAttribution) : QString();
    auto value = [&](const store::Counters& c, store::Metric m) {
        return query::reportedValue(c, m, req.raw);
    };
    const QString dimName = QString::fromLatin1(store::dimensionName(req.by));
    if (q.formatValue == QLatin1String("csv")) {
        QString out = QStringLiteral("rank,key,flows,packets,bytes\n");
        // City keys ("Boxford, England, GB") hold commas: quote as RFC 4180 says.
        const auto csvField = [](QString s) -> QString {
            if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) &&
                !s.contains(QLatin1Char('\n')))
                return s;
            s.replace(QStringLiteral("\""), QStringLiteral("\"\""));
            return QLatin1Char('"') + s + QLatin1Char('"');
        };
        int rank = 0;
        for (const auto& row : result->rows)
            out += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(++rank)
                       .arg(csvField(keyText(row.key)))
                       .arg(row.counters.flows)
                       .arg(value(row.counters, store::Metric::Packets))
                       .arg(value(row.counters, store::Metric::Bytes));
        printOut(out);
    } else if (q.formatValue == QLatin1String("json")) {
        QJsonArray rows;
        int rank = 0;
        for (const auto& row : result->rows) {
            QJsonObject o;
            o[QStringLiteral("rank")] = ++rank;
            o[QStringLiteral("key")] = keyText(row.key);
            o[QStringLiteral("flows")] = qint64(row.counters.flows);
            o[QStringLiteral("packets")] = qint64(value(row.counters, store::Metric::Packets));
            o[QStringLiteral("bytes")] = qint64(value(row.counters, store::Metric::Bytes));
            rows.append(o);
        }
        QJsonObject total;
        total[QStringLiteral("flows")] = qint64(result->total.flows);
        total[QStringLiteral("packets")] = qint64(value(result->total, store::Metric::Packets));
        total[QStringLiteral("bytes")] = qint64(value(result->total, store::Metric::Bytes));
        QJsonObject doc;
        doc[QStringLiteral("by")] = dimName;
        doc[QStringLiteral("order")] = QString::fromLatin1(store::metricName(req.order));
        doc[QStringLiteral("scaled")] = !req.raw;
        doc[QStringLiteral("sampled")] = result->sampled;
        doc[QStringLiteral("exact")] = result->exact;
        doc[QStringLiteral("rows")] = rows;
        doc[QStringLiteral("total")] = total;
        if (!attribution.isEmpty())
            doc[QStringLiteral("attribution")] = attribution;
        printOut(QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Indented)));
    } else {
        QString out =
            QStringLiteral("Top %1 %2 by %3%4%5\n")
                .arg(req.limit ? QString::number(req.limit) : QStringLiteral("all"), dimName,
                     QString::fromLatin1(store::metricName(req.order)),
                     req.raw ? QStringLiteral(" (counters as sent)")
                             : (result->sampled ? QStringLiteral(" (sampling-scaled)") : QString()),
                     q.parsedFilter.isEmpty() ? QString()
                                              : QStringLiteral(", filter: ") + q.parsedFilter.text());
        QStringList keys;
        int keyWidth = int(dimName.size());
        for (const auto& row : result->rows) {
            keys << keyText(row.key);
            keyWidth = std::max(keyWidth, int(keys.back().size()));
        }
        auto pct = [](std::uint64_t v, std::uint64_t total) {
            return total ? QString::number(100.0 * double(v) / double(total), 'f', 1) + QLatin1Char('%')
                         : QString();
        };
        out += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                   .arg(QStringLiteral("rank"), 4)
                   .arg(dimName, -keyWidth)
                   .arg(QStringLiteral("flows"), 14)
                   .arg(QStringLiteral("packets"), 14)
                   .arg(QStringLiteral("bytes"), 18)
                   .arg(QStringLiteral("share"), 6);
        int rank = 0;
        for (const auto& row : result->rows) {
            ++rank;
            out += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                       .arg(rank, 4)
                       .arg(keys[rank - 1], -keyWidth)
                       .arg(row.counters.flows, 14)
                       .arg(value(row.counters, store::Metric::Packets), 14)
                       .arg(value(row.counters, store::Metric::Bytes), 18)
                       .arg(pct(value(row.counters, req.order), value(result->total, req.order)), 6);
        }
        out += QStringLiteral("total: %1 flows, %2 packets, %3 bytes (%4)%5\n")
                   .arg(result->total.flows)
                   .arg(value(result->total, store::Metric::Packets))
                   .arg(value(result->total, store::Metric::Bytes))
                   .arg(humanBytes(value(result->total, store::Metric::Bytes)))
                   .arg(result->exact
                            ? QString()
                            : (result->keysCapped ? QStringLiteral(" - approximate: more than 4 million "
                                                                   "distinct keys, the rest counted together")
                                                  : QStringLiteral(" - approximate")));
        if (!attribution.isEmpty())
            out += attribution + QLatin1Char('\n');
        printOut(out);
    }
    return kExitOk;
}

} // namespace flowlens::cli
