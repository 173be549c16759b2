#include "cli_common.h"
#include "commands.h"

#include "core/query/time_spec.h"
#include "core/store/flow_reader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::cli {

namespace {

QString anomalySummary(const QJsonObject& detail)
{
    QStringList parts;
    const QJsonObject a = detail[QStringLiteral("anomalies")].toObject();
    for (auto it = a.begin(); it != a.end(); ++it)
        parts << QStringLiteral("%1=%2").arg(it.key()).arg(it.value().toInteger());
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QLatin1Char(' '));
}

double lossPercent(const store::ExporterRow& r)
{
    return r.sequenceExpected ? 100.0 * double(r.sequenceLost) / double(r.sequenceExpected) : 0.0;
}

QString csvQuote(QString s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')))
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return s;
}

} // namespace

int runExporters(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Health of every exporter and observation domain the collector has seen: protocol, first/last seen, "
        "rates, sequence loss, templates, data waiting for templates, sampling, anomalies, and the sFlow "
        "agents' "
        "interface counters."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file."),
                                QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("table, csv or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({db, format});
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 success, 1 the database cannot be read, 2 bad "
                                            "arguments."));
        rc >= 0)
        return rc;
    if (!p.isSet(db)) {
        printErr(QStringLiteral("flowlens-cli exporters: --db FILE is required\n"));
        return kExitUsage;
    }
    const QString fmt = p.value(format);
    if (fmt != QLatin1String("table") && fmt != QLatin1String("csv") && fmt != QLatin1String("json")) {
        printErr(QStringLiteral("flowlens-cli exporters: --format must be table, csv or json\n"));
        return kExitUsage;
    }
    auto reader = store::FlowReader::open(p.value(db));
    if (!reader) {
        printErr(QStringLiteral("flowlens-cli exporters: %1\n").arg(reader.error()));
        return kExitFailure;
    }
    auto rows = (*reader)->exporters();
    auto ifaces = (*reader)->interfaces();
    if (!rows || !ifaces) {
        printErr(QStringLiteral("flowlens-cli exporters: %1\n").arg(rows ? ifaces.error() : rows.error()));
        return kExitFailure;
    }
    const std::uint64_t now = nowNs();
    auto age = [&](std::uint64_t ns) -> QString {
        if (!ns)
            return QStringLiteral("-");
        const qint64 s = qint64((now > ns ? now - ns : 0) / 1000000000ull);
        if (s < 120)
            return QStringLiteral("%1s").arg(s);
        if (s < 7200)
            return QStringLiteral("%1m").arg(s / 60);
        return QStringLiteral("%1h").arg(s / 3600);
    };

    if (fmt == QLatin1String("json")) {
        QJsonArray exporters;
        for (const auto& r : *rows) {
            QJsonObject o = r.detail;
            o[QStringLiteral("exporter")] = r.exporter;
            o[QStringLiteral("address")] = r.address;
            o[QStringLiteral("domain")] = qint64(r.domain);
            o[QStringLiteral("type")] = r.type;
            o[QStringLiteral("version")] = r.version;
            o[QStringLiteral("first_seen")] = query::formatTime(r.firstSeenNs, true);
            o[QStringLiteral("last_seen")] = query::formatTime(r.lastSeenNs, true);
            o[QStringLiteral("datagrams")] = qint64(r.datagrams);
            o[QStringLiteral("bytes")] = qint64(r.bytes);
            o[QStringLiteral("flows")] = qint64(r.flows);
            o[QStringLiteral("sampling_rate")] = qint64(r.samplingRate);
            o[QStringLiteral("sequence_lost")] = qint64(r.sequenceLost);
            o[QStringLiteral("sequence_expected")] = qint64(r.sequenceExpected);
            o[QStringLiteral("loss_percent")] = lossPercent(r);
            exporters.append(o);
        }
        QJsonArray interfaces;
        for (const auto& i : *ifaces) {
            QJsonObject o;
            o[QStringLiteral("agent")] = i.agent;
            o[QStringLiteral("sub_agent")] = qint64(i.subAgent);
            o[QStringLiteral("if_index")] = qint64(i.ifIndex);
            o[QStringLiteral("port_name")] = i.portName;
            o[QStringLiteral("last_seen")] = query::formatTime(i.lastSeenNs, true);
            o[QStringLiteral("if_speed")] = qint64(i.ifSpeed);
            o[QStringLiteral("oper_up")] = i.operUp;
            o[QStringLiteral("in_octets")] = qint64(i.inOctets);
            o[QStringLiteral("in_packets")] = qint64(i.inPackets);
            o[QStringLiteral("in_errors")] = qint64(i.inErrors);
            o[QStringLiteral("in_discards")] = qint64(i.inDiscards);
            o[QStringLiteral("out_octets")] = qint64(i.outOctets);
            o[QStringLiteral("out_packets")] = qint64(i.outPackets);
            o[QStringLiteral("out_errors")] = qint64(i.outErrors);
            o[QStringLiteral("out_discards")] = qint64(i.outDiscards);
            o[QStringLiteral("in_bps")] = i.inBps;
            o[QStringLiteral("out_bps")] = i.outBps;
            interfaces.append(o);
        }
        QJsonObject doc;
        doc[QStringLiteral("exporters")] = exporters;
        doc[QStringLiteral("interfaces")] = interfaces;
        printOut(QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }
    if (fmt == QLatin1String("csv")) {
        QString out =
            QStringLiteral("exporter,domain,type,version,first_seen,last_seen,datagrams,flows,"
                           "datagrams_per_s,flows_per_s,sequence_lost,loss_percent,templates_active,"
                           "template_refresh,pending_sets,pending_expired,missing_template_sets,"
                           "sampling_rate,anomalies\n");
        for (const auto& r : *rows) {
            const auto& d = r.detail;
            out +=
                QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19\n")
                    .arg(csvQuote(r.exporter))
                    .arg(r.domain)
                    .arg(r.type)
                    .arg(r.version)
                    .arg(query::formatTime(r.firstSeenNs, true), query::formatTime(r.lastSeenNs, true))
                    .arg(r.datagrams)
                    .arg(r.flows)
                    .arg(d[QStringLiteral("datagrams_per_s")].toDouble(), 0, 'f', 1)
                    .arg(d[QStringLiteral("flows_per_s")].toDouble(), 0, 'f', 1)
                    .arg(r.sequenceLost)
                    .arg(lossPercent(r), 0, 'f', 3)
                    .arg(d[QStringLiteral("templates_active")].toInteger())
                    .arg(d[QStringLiteral("template_refresh_ns")].toInteger()
                             ? query::formatTime(
                                   std::uint64_t(d[QStringLiteral("template_refresh_ns")].toInteger()), true)
                             : QString())
                    .arg(d[QStringLiteral("pending_sets")].toInteger())
                    .arg(d[QStringLiteral("pending_expired")].toInteger())
                    .arg(d[QStringLiteral("missing_template_sets")].toInteger())
                    .arg(r.samplingRate)
                    .arg(csvQuote(anomalySummary(d)));
        }
        printOut(out);
        return kExitOk;
    }
    QString out;
    if (rows->empty())
        out += QStringLiteral("No exporter has sent anything to this database yet.\n");
    for (const auto& r : *rows) {
        const auto& d = r.detail;
        out += QStringLiteral("%1  domain %2  %3 (v%4)\n")
                   .arg(r.exporter)
                   .arg(r.domain)
                   .arg(r.type)
                   .arg(r.version);
        out += QStringLiteral("  seen      first %1, last %2 (%3 ago)\n")
                   .arg(query::formatTime(r.firstSeenNs), query::formatTime(r.lastSeenNs), age(r.lastSeenNs));
        out += QStringLiteral("  traffic   %1 datagrams, %2 flows; now %3 datagrams/s, %4 flows/s\n")
                   .arg(r.datagrams)
                   .arg(r.flows)
                   .arg(d[QStringLiteral("datagrams_per_s")].toDouble(), 0, 'f', 1)
                   .arg(d[QStringLiteral("flows_per_s")].toDouble(), 0, 'f', 1);
        out += QStringLiteral("  sequence  %1 lost of %2 (%3%), %4 gaps, %5 resets\n")
                   .arg(r.sequenceLost)
                   .arg(r.sequenceExpected)
                   .arg(lossPercent(r), 0, 'f', 3)
                   .arg(d[QStringLiteral("sequence_gaps")].toInteger())
                   .arg(d[QStringLiteral("sequence_resets")].toInteger());
        if (r.type == QLatin1String("NETFLOW_V9") || r.type == QLatin1String("IPFIX"))
            out += QStringLiteral(
                       "  templates %1 active, last refresh %2 ago; %3 data sets waiting, %4 expired, %5 "
                       "sets without template\n")
                       .arg(d[QStringLiteral("templates_active")].toInteger())
                       .arg(age(std::uint64_t(d[QStringLiteral("template_refresh_ns")].toInteger())))
                       .arg(d[QStringLiteral("pending_sets")].toInteger())
                       .arg(d[QStringLiteral("pending_expired")].toInteger())
                       .arg(d[QStringLiteral("missing_template_sets")].toInteger());
        out += QStringLiteral("  sampling  %1\n")
                   .arg(r.samplingRate > 1 ? QStringLiteral("1 in %1").arg(r.samplingRate)
                                           : QStringLiteral("none stated"));
        out += QStringLiteral("  anomalies %1\n").arg(anomalySummary(d));
    }
    if (!ifaces->empty()) {
        out += QStringLiteral("\nsFlow interfaces\n");
        out += QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                   .arg(QStringLiteral("agent"), -16)
                   .arg(QStringLiteral("ifIndex"), 7)
                   .arg(QStringLiteral("name"), -12)
                   .arg(QStringLiteral("status"), -6)
                   .arg(QStringLiteral("in bit/s"), 12)
                   .arg(QStringLiteral("out bit/s"), 12)
                   .arg(QStringLiteral("errors in/out"), 14)
                   .arg(QStringLiteral("discards in/out"), 16);
        for (const auto& i : *ifaces)
            out += QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                       .arg(i.agent, -16)
                       .arg(i.ifIndex, 7)
                       .arg(i.portName.isEmpty() ? QStringLiteral("-") : i.portName, -12)
                       .arg(i.operUp ? QStringLiteral("up") : QStringLiteral("down"), -6)
                       .arg(humanCount(std::uint64_t(i.inBps)), 12)
                       .arg(humanCount(std::uint64_t(i.outBps)), 12)
                       .arg(QStringLiteral("%1/%2").arg(i.inErrors).arg(i.outErrors), 14)
                       .arg(QStringLiteral("%1/%2").arg(i.inDiscards).arg(i.outDiscards), 16);
    }
    printOut(out);
    return kExitOk;
}

} // namespace flowlens::cli
