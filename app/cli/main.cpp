#include "cli_common.h"
#include "commands.h"

#include "core/util/allocator.h"

#include <QCoreApplication>

using namespace flowlens::cli;

namespace {

const QString kUsage = QStringLiteral(
    "Usage: flowlens-cli COMMAND [options]\n"
    "\n"
    "FlowLens command line: collect and analyse NetFlow v5/v9, IPFIX and sFlow without a display.\n"
    "\n"
    "Commands:\n"
    "  collect    receive flows on UDP and store them (until Ctrl-C or --duration)\n"
    "  import     decode pcap/pcapng captures or raw datagrams into a database\n"
    "  top        top-N addresses, pairs, ports, protocols or exporters (like nfdump -s)\n"
    "  flows      print stored flows as NDJSON or CSV, with a filter\n"
    "  exporters  health of every exporter: rates, sequence loss, templates, sampling, anomalies\n"
    "  gen        send synthetic NetFlow/IPFIX/sFlow to a collector (demo, tests, load)\n"
    "  alert      alert rules (add, list, remove) and the log of alerts they fired\n"
    "\n"
    "Run 'flowlens-cli COMMAND --help' for a command's options, 'flowlens-cli --version' for the\n"
    "version, build and library versions.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  failure while running (unreadable input, database error)\n"
    "  2  bad arguments or an endpoint that cannot be bound\n");

} // namespace

int main(int argc, char** argv)
{
    flowlens::tuneAllocator();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("flowlens"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLOWLENS_VERSION));
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    if (args.isEmpty()) {
        printErr(kUsage);
        return kExitUsage;
    }
    const QString command = args.first();
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        printOut(kUsage);
        return kExitOk;
    }
    if (command == QLatin1String("--version")) {
        printOut(versionText());
        return kExitOk;
    }
    if (command == QLatin1String("collect"))
        return runCollect(args);
    if (command == QLatin1String("import"))
        return runImport(args);
    if (command == QLatin1String("top"))
        return runTop(args);
    if (command == QLatin1String("flows"))
        return runFlows(args);
    if (command == QLatin1String("gen"))
        return runGen(args);
    if (command == QLatin1String("exporters"))
        return runExporters(args);
    if (command == QLatin1String("alert"))
        return runAlert(args);
    printErr(QStringLiteral("flowlens-cli: unknown command \"%1\"\n\n").arg(command) + kUsage);
    return kExitUsage;
}
