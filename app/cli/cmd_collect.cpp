#include "cli_common.h"
#include "commands.h"
#include "forward_options.h"
#include "geo_options.h"

#include "core/collect/collector.h"
#include "core/forward/connection_tester.h"
#include "core/forward/forward_history.h"
#include "core/query/time_spec.h"

#include <cstdio>

#include <QCoreApplication>
#include <QEventLoop>
#include <QSet>
#include <QTimer>

namespace flowlens::cli {

namespace {

/// One stdout line per alert that fired or resolved since the last call (each transition once).
void printAlerts(const alert::AlertSnapshot& alerts, QSet<QString>& printed)
{
    for (auto it = alerts.recent.rbegin(); it != alerts.recent.rend(); ++it) {
        const alert::AlertEvent& e = *it;
        const QString firedKey = QStringLiteral("%1:fired").arg(e.serial);
        if (!printed.contains(firedKey)) {
            printed.insert(firedKey);
            printOut(QStringLiteral("%1 ALERT fired %2\n").arg(query::formatTime(e.firedNs), e.summary()));
        }
        if (!e.active()) {
            const QString resolvedKey = QStringLiteral("%1:resolved").arg(e.serial);
            if (!printed.contains(resolvedKey)) {
                printed.insert(resolvedKey);
                printOut(QStringLiteral("%1 ALERT resolved %2 (peak %3)\n")
                             .arg(query::formatTime(e.resolvedNs), e.summary(), alert::formatValue(e.peak)));
            }
        }
    }
    std::fflush(stdout); // alert lines reach a pipe (a script, a log) as they happen
}

QString statusLine(const collect::CollectorSnapshot& s)
{
    QString line = QStringLiteral("%1 flows/s, %2 flows decoded, %3 stored, %4 dropped, %5 exporters")
                       .arg(humanCount(std::uint64_t(s.flowsPerSecond)))
                       .arg(s.receiver.flowsDecoded)
                       .arg(s.writer.flowsStored)
                       .arg(s.receiver.flowsDropped)
                       .arg(s.receiver.exporters.size());
    if (s.receiver.datagramsDropped > 0)
        line += QStringLiteral(", %1 datagrams dropped by the kernel").arg(s.receiver.datagramsDropped);
    if (!s.writerError.isEmpty())
        line += QStringLiteral(" | STORE ERROR: ") + s.writerError;
    if (s.forward)
        line += QStringLiteral("\n  ") + forwardStatusLine(*s.forward);
    return line + QLatin1Char('\n');
}

/// --forward-test: reachability and credentials, checked separately.
int runForwardTest(const forward::ForwardConfig& config)
{
    forward::ConnectionTester tester;
    forward::ConnectionTestResult result;
    QEventLoop loop;
    QObject::connect(&tester, &forward::ConnectionTester::finished, &loop,
                     [&](const forward::ConnectionTestResult& r) {
                         result = r;
                         loop.quit();
                     });
    tester.start(config);
    loop.exec();
    printErr(QStringLiteral("testing %1\n%2\n").arg(config.destinationText(), result.summary()));
    return result.ok() ? kExitOk : kExitFailure;
}

} // namespace

int runCollect(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Receives NetFlow v5/v9 and IPFIX on UDP and stores the flows in a FlowLens database "
                       "until SIGINT/SIGTERM "
                       "or --duration, then stores everything received and exits 0."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file (created when missing)."),
                                QStringLiteral("FILE"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("UDP endpoint to listen on, repeatable: 0.0.0.0:2055, "
                                                   "[::]:4739, 127.0.0.1:0 (0 = any free port). Default: "
                                                   "0.0.0.0 and [::] on 2055 and 4739."),
                                    QStringLiteral("ADDR:PORT"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Stop after this long (seconds, or 30s, 15m, 2h)."),
                                      QStringLiteral("SECONDS"));
    const QCommandLineOption retention(
        QStringLiteral("retention"), QStringLiteral("Delete flows older than this (e.g. 7d); default keep."),
        QStringLiteral("DURATION"));
    const QCommandLineOption maxSize(
        QStringLiteral("max-size-mb"),
        QStringLiteral("Delete the oldest flows when the database grows past this."), QStringLiteral("MB"));
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No status lines on stderr."));
    const QCommandLineOption sampling(
        QStringLiteral("sampling"),
        QStringLiteral("Sampling rate of an exporter that samples without saying so "
                       "(used when it states none), repeatable: 192.0.2.1=100."),
        QStringLiteral("EXPORTER=N"));
    const QCommandLineOption samplingForce(
        QStringLiteral("sampling-force"),
        QStringLiteral("Sampling rate that replaces whatever the exporter states, "
                       "repeatable."),
        QStringLiteral("EXPORTER=N"));
    const QCommandLineOption allow(
        QStringLiteral("allow"),
        QStringLiteral("Accept flows only from exporters in this network, repeatable "
                       "(e.g. 10.0.0.0/8, 192.0.2.1, 2001:db8::/32); others are "
                       "counted and dropped. Default: any."),
        QStringLiteral("CIDR"));
    p.addOptions({db, listen, duration, retention, maxSize, quiet, sampling, samplingForce, allow});
    const ForwardOptions forwardOptions;
    forwardOptions.addTo(p);
    const GeoOptions geoOptions;
    geoOptions.addTo(p);
    if (int rc = parseOrExit(
            p, args,
            QStringLiteral("\n\nForwarding: the secret comes from $FLOWLENS_FORWARD_PASSWORD only. "
                           "Undelivered flows stay in the database and are sent by the next run.\n"
                           "Exit codes: 0 stopped cleanly, 1 database error (or --forward-test "
                           "failed), 2 bad arguments or an endpoint that cannot be bound."));
        rc >= 0)
        return rc;
    auto forwardConfig = forwardOptions.read(p, QProcessEnvironment::systemEnvironment());
    if (!forwardConfig) {
        printErr(QStringLiteral("flowlens-cli collect: %1\n").arg(forwardConfig.error()));
        return kExitUsage;
    }
    if (p.isSet(forwardOptions.test)) {
        if (!*forwardConfig) {
            printErr(QStringLiteral("flowlens-cli collect: --forward-test needs --forward-url\n"));
            return kExitUsage;
        }
        return runForwardTest(**forwardConfig);
    }
    if (!p.isSet(db)) {
        printErr(QStringLiteral("flowlens-cli collect: --db FILE is required\n"));
        return kExitUsage;
    }
    collect::CollectorConfig config;
    config.databasePath = p.value(db);
    config.forward = *forwardConfig;
    config.enrich = geoOptions.read(p);
    if (config.enrich)
        if (auto r = reportEnrichment(*config.enrich, QStringLiteral("collect")); !r) {
            printErr(QStringLiteral("flowlens-cli collect: %1\n").arg(r.error()));
            return kExitUsage;
        }
    for (const QString& text : p.values(listen)) {
        const auto ep = decode::Endpoint::parse(text.toStdString());
        if (!ep) {
            printErr(QStringLiteral("flowlens-cli collect: \"%1\" is not an endpoint; use ADDR:PORT such as "
                                    "0.0.0.0:2055 or [::]:4739\n")
                         .arg(text));
            return kExitUsage;
        }
        config.endpoints.push_back(*ep);
    }
    for (const auto* option : {&sampling, &samplingForce}) {
        for (const QString& text : p.values(*option)) {
            const auto parts = text.split(QLatin1Char('='));
            bool ok = false;
            const qulonglong rate = parts.size() == 2 ? parts[1].toULongLong(&ok) : 0;
            const auto addr =
                parts.size() == 2 ? decode::IpAddress::parse(parts[0].trimmed().toStdString()) : std::nullopt;
            if (!addr || !ok || rate == 0) {
                printErr(
                    QStringLiteral("flowlens-cli collect: --%1 \"%2\": use EXPORTER=N with the exporter's IP "
                                   "address and a rate >= 1, e.g. 192.0.2.1=100\n")
                        .arg(option->names().first(), text));
                return kExitUsage;
            }
            config.samplingOverrides.push_back({*addr, rate, option == &samplingForce});
        }
    }
    for (const QString& text : p.values(allow)) {
        const auto cidr = collect::Cidr::parse(text.toStdString());
        if (!cidr) {
            printErr(
                QStringLiteral("flowlens-cli collect: --allow \"%1\" is not a network; use an address or "
                               "ADDRESS/PREFIX such as 10.0.0.0/8 or 2001:db8::/32\n")
                    .arg(text));
            return kExitUsage;
        }
        config.allow.push_back(*cidr);
    }
    std::int64_t durationS = 0;
    if (p.isSet(duration)) {
        auto d = query::parseDuration(p.value(duration));
        if (!d) {
            printErr(QStringLiteral("flowlens-cli collect: --duration: %1\n").arg(d.error()));
            return kExitUsage;
        }
        durationS = *d;
    }
    if (p.isSet(retention)) {
        auto d = query::parseDuration(p.value(retention));
        if (!d || *d <= 0) {
            printErr(QStringLiteral("flowlens-cli collect: --retention: %1\n")
                         .arg(d ? QStringLiteral("must be positive") : d.error()));
            return kExitUsage;
        }
        config.writer.retentionSeconds = *d;
    }
    if (p.isSet(maxSize)) {
        bool ok = false;
        const qint64 mb = p.value(maxSize).toLongLong(&ok);
        if (!ok || mb <= 0) {
            printErr(QStringLiteral("flowlens-cli collect: --max-size-mb needs a positive number\n"));
            return kExitUsage;
        }
        config.writer.maxDatabaseBytes = mb * 1024 * 1024;
    }

    collect::Collector collector;
    auto started = collector.start(config);
    if (!started) {
        printErr(QStringLiteral("flowlens-cli collect: %1\n").arg(started.error()));
        const bool dbError = !started.error().startsWith(QStringLiteral("cannot listen"));
        return dbError ? kExitFailure : kExitUsage;
    }
    for (const auto& st : *started) {
        if (st.listening)
            printErr(QStringLiteral("listening on %1 (receive buffer %2)\n")
                         .arg(QString::fromStdString(st.endpoint.toString()),
                              humanBytes(std::uint64_t(st.receiveBufferBytes))));
        else
            printErr(QStringLiteral("not listening: %1\n").arg(st.error));
    }
    if (!collector.lastSnapshot().uncleanShutdown.isEmpty())
        printErr(QStringLiteral("warning: %1\n").arg(collector.lastSnapshot().uncleanShutdown));
    printErr(QStringLiteral("storing flows in %1; stop with Ctrl-C\n").arg(config.databasePath));
    if (config.forward)
        printErr(QStringLiteral("forwarding every stored flow to %1%2\n")
                     .arg(config.forward->destinationText(),
                          config.forward->verifyTls ? QString()
                                                    : QStringLiteral(" (TLS certificate verification OFF)")));

    if (const auto& alerts = collector.lastSnapshot().alerts; alerts.rules > 0 || !alerts.error.isEmpty())
        printErr(
            alerts.error.isEmpty()
                ? QStringLiteral("evaluating %1 alert rule(s); alerts print on stdout\n").arg(alerts.rules)
                : QStringLiteral("warning: %1\n").arg(alerts.error));

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::signalled, qApp, [](int) { QCoreApplication::quit(); });
    if (durationS > 0)
        QTimer::singleShot(std::chrono::seconds(durationS), qApp, [] { QCoreApplication::quit(); });
    const bool isQuiet = p.isSet(quiet);
    int ticks = 0;
    QString shownSetupError;
    QSet<QString> printedAlerts;
    QObject::connect(&collector, &collect::Collector::snapshotReady, qApp,
                     [&](const collect::CollectorSnapshot& s) {
                         // A new forwarding setup error is shown at once (then with the usual lines).
                         const QString setupError = s.forward ? s.forward->setupError : QString();
                         const bool newSetupError = setupError != shownSetupError && !setupError.isEmpty();
                         shownSetupError = setupError;
                         if (!isQuiet && (++ticks % 10 == 0 || !s.writerError.isEmpty() || newSetupError))
                             printErr(statusLine(s));
                         printAlerts(s.alerts, printedAlerts);
                     });
    QCoreApplication::exec();

    auto stopped = collector.stop();
    const auto last = collector.lastSnapshot();
    if (!stopped) {
        printErr(QStringLiteral("flowlens-cli collect: %1\n").arg(stopped.error()));
        return kExitFailure;
    }
    printAlerts(last.alerts, printedAlerts);
    if (last.alerts.firedThisRun)
        printErr(QStringLiteral("%1 alert(s) fired; see flowlens-cli alert log --db %2\n")
                     .arg(last.alerts.firedThisRun)
                     .arg(config.databasePath));
    if (last.receiver.datagramsNotAllowed) {
        QStringList sources;
        for (const auto& [ep, n] : last.receiver.refusedSources)
            sources << QStringLiteral("%1 (%2)").arg(QString::fromStdString(ep.toString())).arg(n);
        printErr(QStringLiteral("refused %1 datagrams from exporters outside --allow: %2\n")
                     .arg(last.receiver.datagramsNotAllowed)
                     .arg(sources.join(QStringLiteral(", "))));
    }
    printErr(QStringLiteral("stopped: %1 datagrams, %2 flows decoded, %3 stored, %4 dropped (queue full)\n")
                 .arg(last.receiver.datagrams)
                 .arg(last.receiver.flowsDecoded)
                 .arg(stopped->flowsStored)
                 .arg(last.receiver.flowsDropped));
    if (last.receiver.datagramsDropped > 0)
        printErr(
            QStringLiteral("the kernel dropped %1 datagrams: the receive buffer was full while the writer "
                           "could not keep up (their flows were never decoded); this machine cannot store "
                           "that rate: sample at the exporter or spread exporters over collectors\n")
                .arg(last.receiver.datagramsDropped));
    if (last.forward) {
        printErr(forwardStatusLine(*last.forward) + QLatin1Char('\n'));
        if (last.forward->counters.setAside + last.forward->counters.failed > 0) {
            auto history = forward::readForwardHistory(config.databasePath, config.forward->cursorName, 5);
            for (const auto& b : history ? history->rejected : std::vector<forward::RejectedBatch>{})
                printErr(QStringLiteral(
                             "  %1: %2 of %3 records not accepted (HTTP %4, blocks %5:%6 to %7:%8): %9\n")
                             .arg(b.kind)
                             .arg(b.failed)
                             .arg(b.records)
                             .arg(b.httpStatus)
                             .arg(b.firstBlock)
                             .arg(b.firstRow)
                             .arg(b.lastBlock)
                             .arg(b.endRow)
                             .arg(b.error));
        }
    }
    for (const auto& [key, st] : last.receiver.exporters) {
        QString anomalies;
        for (int a = 0; a < decode::kAnomalyCount; ++a)
            if (st.anomalies[std::size_t(a)])
                anomalies += QStringLiteral(" %1=%2")
                                 .arg(QString::fromLatin1(decode::anomalyName(decode::Anomaly(a))))
                                 .arg(st.anomalies[std::size_t(a)]);
        printErr(QStringLiteral("  exporter %1 domain %2 %3: %4 datagrams, %5 flows, sequence lost %6%7\n")
                     .arg(QString::fromStdString(key.exporter.toString()))
                     .arg(key.domain)
                     .arg(QString::fromLatin1(decode::flowTypeName(st.type)))
                     .arg(st.datagrams)
                     .arg(st.flows)
                     .arg(st.sequenceLost)
                     .arg(anomalies));
    }
    return kExitOk;
}

} // namespace flowlens::cli
