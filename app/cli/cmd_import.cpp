#include "cli_common.h"
#include "commands.h"
#include "geo_options.h"

#include "core/collect/importer.h"
#include "core/store/flow_writer.h"

namespace flowlens::cli {

int runImport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Decodes pcap/pcapng captures of NetFlow/IPFIX export "
                                               "datagrams (or, with --raw, files that each hold one "
                                               "datagram) into a FlowLens database."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file (created when missing)."),
                                QStringLiteral("FILE"));
    const QCommandLineOption raw(QStringLiteral("raw"), QStringLiteral("Each FILE is one raw UDP payload."));
    p.addOptions({db, raw});
    const GeoOptions geoOptions;
    geoOptions.addTo(p);
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Captures (or raw datagrams), in order."),
                            QStringLiteral("FILE..."));
    if (int rc =
            parseOrExit(p, args,
                        QStringLiteral("\n\nExit codes: 0 all files imported, 1 a file or the database could "
                                       "not be read or written (the readable files are imported), 2 bad "
                                       "arguments."));
        rc >= 0)
        return rc;
    if (!p.isSet(db) || p.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("flowlens-cli import: needs --db FILE and at least one input file\n"));
        return kExitUsage;
    }
    auto writer = store::FlowWriter::open(p.value(db));
    if (!writer) {
        printErr(QStringLiteral("flowlens-cli import: %1\n").arg(writer.error()));
        return kExitFailure;
    }
    if (const auto geo = geoOptions.read(p)) {
        if (auto r = reportEnrichment(*geo, QStringLiteral("import")); !r) {
            printErr(QStringLiteral("flowlens-cli import: %1\n").arg(r.error()));
            return kExitUsage;
        }
        auto enricher = enrich::Enricher::create(*geo);
        if (!enricher) {
            printErr(QStringLiteral("flowlens-cli import: %1\n").arg(enricher.error()));
            return kExitUsage;
        }
        if (auto r = (*writer)->setEnricher(std::move(*enricher)); !r) {
            printErr(QStringLiteral("flowlens-cli import: %1\n").arg(r.error()));
            return kExitFailure;
        }
    }
    decode::FlowDecoder decoder;
    auto stats = collect::importFiles(p.positionalArguments(), p.isSet(raw), decoder, **writer);
    if (!stats) {
        printErr(QStringLiteral("flowlens-cli import: %1\n").arg(stats.error()));
        return kExitFailure;
    }
    for (const QString& e : stats->errors)
        printErr(QStringLiteral("flowlens-cli import: %1\n").arg(e));
    std::uint64_t anomalies = 0;
    decoder.forEachDomain(
        [&](const decode::DomainKey&, const decode::DomainStats& s) { anomalies += s.anomalyTotal(); });
    for (auto v : decoder.unattributedAnomalies())
        anomalies += v;
    printErr(
        QStringLiteral("imported %1 flows from %2 datagrams in %3 files into %4 (%5 anomalies, %6 non-UDP "
                       "frames skipped)\n")
            .arg(stats->flows)
            .arg(stats->datagrams)
            .arg(stats->files)
            .arg(p.value(db))
            .arg(anomalies)
            .arg(stats->framesSkipped));
    return stats->errors.isEmpty() ? kExitOk : kExitFailure;
}

} // namespace flowlens::cli
