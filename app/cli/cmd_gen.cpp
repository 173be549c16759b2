#include "cli_common.h"
#include "commands.h"

#include "core/gen/generator.h"
#include "core/query/time_spec.h"

#include <atomic>
#include <csignal>
#include <thread>

#include <QCoreApplication>

namespace flowlens::cli {

namespace {
std::atomic<bool> g_stop{false};
void stopOnSignal(int)
{
    g_stop = true;
}
} // namespace

int runGen(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "A synthetic exporter: sends realistic, deterministic (per seed) flows to a collector: a lab network "
        "with "
        "a heavy-tailed talker distribution, common services, TCP/UDP/ICMP, IPv4 and (except v5) IPv6."));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("Collector address, e.g. 127.0.0.1:2055."),
                                    QStringLiteral("HOST:PORT"));
    const QCommandLineOption proto(QStringLiteral("proto"), QStringLiteral("v5, v9, ipfix or sflow."),
                                   QStringLiteral("PROTO"), QStringLiteral("v9"));
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Flows per second (0 = as fast as possible)."),
                                  QStringLiteral("FLOWS_PER_S"), QStringLiteral("1000"));
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Flows to send (0 = no limit)."),
                                   QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Seconds to send (0 = no limit)."), QStringLiteral("S"),
                                      QStringLiteral("0"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the traffic model."),
                                  QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption sampling(
        QStringLiteral("sampling"),
        QStringLiteral("Announce 1-in-N sampling (v5 header, v9/IPFIX options, sFlow)."), QStringLiteral("N"),
        QStringLiteral("1"));
    const QCommandLineOption domain(
        QStringLiteral("domain"),
        QStringLiteral("v9 source id / IPFIX observation domain / sFlow sub-agent."), QStringLiteral("ID"),
        QStringLiteral("0"));
    p.addOptions({target, proto, rate, count, duration, seed, sampling, domain});
    if (int rc = parseOrExit(
            p, args,
            QStringLiteral("\n\nWithout --count or --duration it runs until Ctrl-C.\nExit codes: 0 "
                           "sent, 1 sending failed, 2 bad arguments."));
        rc >= 0)
        return rc;
    gen::GenOptions o;
    if (!p.isSet(target)) {
        printErr(QStringLiteral("flowlens-cli gen: --target HOST:PORT is required\n"));
        return kExitUsage;
    }
    const auto ep = decode::Endpoint::parse(p.value(target).toStdString());
    if (!ep || ep->port == 0) {
        printErr(
            QStringLiteral("flowlens-cli gen: \"%1\" is not HOST:PORT (e.g. 127.0.0.1:2055 or [::1]:4739)\n")
                .arg(p.value(target)));
        return kExitUsage;
    }
    o.target = *ep;
    const QString pr = p.value(proto).toLower();
    if (pr == QLatin1String("v5"))
        o.proto = decode::Protocol::NetFlowV5;
    else if (pr == QLatin1String("v9"))
        o.proto = decode::Protocol::NetFlowV9;
    else if (pr == QLatin1String("ipfix") || pr == QLatin1String("v10"))
        o.proto = decode::Protocol::Ipfix;
    else if (pr == QLatin1String("sflow"))
        o.proto = decode::Protocol::SFlowV5;
    else {
        printErr(QStringLiteral("flowlens-cli gen: --proto must be v5, v9, ipfix or sflow\n"));
        return kExitUsage;
    }
    bool ok1 = false, ok2 = false, ok3 = false, ok4 = false, ok5 = false;
    o.flowsPerSecond = p.value(rate).toDouble(&ok1);
    o.count = p.value(count).toULongLong(&ok2);
    o.seed = p.value(seed).toULongLong(&ok3);
    o.samplingRate = p.value(sampling).toULongLong(&ok4);
    o.domainId = p.value(domain).toUInt(&ok5);
    auto dur = query::parseDuration(p.value(duration));
    if (!ok1 || o.flowsPerSecond < 0 || !ok2 || !ok3 || !ok4 || o.samplingRate == 0 || !ok5 || !dur) {
        printErr(QStringLiteral(
            "flowlens-cli gen: --rate, --count, --seed, --sampling, --domain and --duration take "
            "non-negative numbers (sampling >= 1)\n"));
        return kExitUsage;
    }
    o.durationSeconds = double(*dur);
    if (o.count == 0 && o.durationSeconds == 0)
        printErr(QStringLiteral("sending until Ctrl-C\n"));
    std::signal(SIGINT, stopOnSignal);
    std::signal(SIGTERM, stopOnSignal);
    auto result = gen::runGenerator(o, g_stop);
    if (!result) {
        printErr(QStringLiteral("flowlens-cli gen: %1\n").arg(result.error()));
        return kExitFailure;
    }
    printErr(QStringLiteral("sent %1 flows in %2 datagrams (%3) to %4 in %5 s\n")
                 .arg(result->flows)
                 .arg(result->datagrams)
                 .arg(humanBytes(result->bytes))
                 .arg(QString::fromStdString(o.target.toString()))
                 .arg(result->elapsedSeconds, 0, 'f', 2));
    return kExitOk;
}

} // namespace flowlens::cli
