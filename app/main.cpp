// flowlens: the desktop application. Wiring only: parse the command line, build the services
// (query service, collector) and hand them to the main window, or run a headless export.

#include "ui/export/headless_export.h"
#include "ui/main_window.h"
#include "ui/services/app_settings.h"
#include "ui/services/collector_controller.h"
#include "ui/services/latency_probe.h"
#include "ui/services/single_instance.h"

#include "core/query/query_service.h"
#include "core/util/build_info.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#include <sys/socket.h>
#include <unistd.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QPalette>
#include <QScreen>
#include <QSettings>
#include <QSocketNotifier>
#include <QStyle>
#include <QStyleFactory>

using namespace flowlens;

namespace {

/// Reverse-DNS application id: desktop entry, AppStream id, icon name, single-instance socket.
constexpr char kAppId[] = "io.github.flowlens.FlowLens";

/// True for runs that show no window: a headless export, --help, --version.
bool wantsHeadless(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strcmp(a, "--export") == 0 || std::strncmp(a, "--export=", 9) == 0 ||
            std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0 || std::strcmp(a, "--version") == 0 ||
            std::strcmp(a, "-v") == 0)
            return true;
    }
    return false;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9e, 0xa6));
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb4));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7f, 0xb2, 0xff));
    p.setColor(QPalette::Mid, QColor(0x44, 0x47, 0x4d));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x77, 0x7a, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x77, 0x7a, 0x80));
    return p;
}

int g_signalPipe[2] = {-1, -1};

/// SIGTERM, SIGINT and SIGHUP end the app like closing its window (the collector commits what it
/// holds), not like a crash. The handler only writes a byte; the event loop does the rest.
void installQuitOnSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return;
    auto* notifier = new QSocketNotifier(g_signalPipe[1], QSocketNotifier::Read, qApp);
    QObject::connect(notifier, &QSocketNotifier::activated, qApp, [notifier] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[1], &c, 1);
        notifier->setEnabled(false);
        std::fprintf(stderr, "flowlens: stopping (signal); storing what was received\n");
        QApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = [](int) {
        const char c = 1;
        [[maybe_unused]] const auto n = ::write(g_signalPipe[0], &c, 1);
    };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        ::sigaction(sig, &sa, nullptr);
}

} // namespace

int main(int argc, char** argv)
{
    // A headless export (or --help/--version) must work without a display: choose the offscreen
    // platform before Qt starts.
    if (wantsHeadless(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("flowlens"));
    QApplication::setOrganizationName(QStringLiteral("FlowLens"));
    QApplication::setApplicationVersion(QStringLiteral(FLOWLENS_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("FlowLens"));
    // Wayland's app id and the desktop entry the shell matches the window with.
    QGuiApplication::setDesktopFileName(QLatin1String(kAppId));

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "FlowLens: NetFlow / IPFIX / sFlow traffic analyzer. Collects on UDP 2055, 4739 and 6343 "
        "(configurable in Settings) into a local database and shows live dashboards.\n\n"
        "Headless export: flowlens --db FILE --export overview|talkers|ports|geography|flows|exporters "
        "--out FILE.png|.svg|.pdf [--since T] [--until T] [--filter EXPR] [--width W --height H]"));
    p.addHelpOption();
    // Our own --version: Qt's prints one line, a bug report wants the build and library versions too.
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Displays version information."));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Database file (default: the one in Settings, "
                                               "else the data folder)."),
                                QStringLiteral("FILE"));
    const QCommandLineOption noListen(QStringLiteral("no-listen"),
                                      QStringLiteral("Open the database for viewing only; do not collect."));
    const QCommandLineOption exportOpt(
        QStringLiteral("export"), QStringLiteral("Render a dashboard to --out without a display and exit."),
        QStringLiteral("DASHBOARD"));
    const QCommandLineOption out(QStringLiteral("out"),
                                 QStringLiteral("Output of --export (.png, .svg or .pdf)."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption since(
        QStringLiteral("since"),
        QStringLiteral("Start of the exported range: ISO 8601, unix seconds or -1h "
                       "(default: oldest stored flow)."),
        QStringLiteral("T"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("End of the exported range (default: newest stored flow)."),
                                   QStringLiteral("T"));
    const QCommandLineOption filter(QStringLiteral("filter"),
                                    QStringLiteral("Filter of the export, e.g. \"proto tcp\"."),
                                    QStringLiteral("EXPR"));
    const QCommandLineOption width(QStringLiteral("width"),
                                   QStringLiteral("Export width in pixels (default 1600)."),
                                   QStringLiteral("W"), QStringLiteral("1600"));
    const QCommandLineOption height(QStringLiteral("height"),
                                    QStringLiteral("Export height in pixels (default 1000)."),
                                    QStringLiteral("H"), QStringLiteral("1000"));
    const QCommandLineOption dpi(QStringLiteral("dpi"), QStringLiteral("Export resolution (default 96)."),
                                 QStringLiteral("DPI"), QStringLiteral("96"));
    const QCommandLineOption metric(
        QStringLiteral("metric"),
        QStringLiteral("Export metric: bytes, bits/s, packets or flows (default bytes)."),
        QStringLiteral("METRIC"), QStringLiteral("bytes"));
    const QCommandLineOption palette(QStringLiteral("palette"),
                                     QStringLiteral("light or dark instead of the system palette."),
                                     QStringLiteral("NAME"));
    p.addOptions(
        {version, db, noListen, exportOpt, out, since, until, filter, width, height, dpi, metric, palette});
    p.process(app);
    if (p.isSet(version)) {
        const BuildInfo b = BuildInfo::current();
        std::printf("flowlens %s\nBuild: %s\nLibraries: %s\n", qPrintable(b.version),
                    qPrintable(b.buildLine()), qPrintable(b.librariesLine()));
        return 0;
    }

    if (p.isSet(palette)) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        if (p.value(palette) == QLatin1String("dark"))
            QApplication::setPalette(darkPalette());
        else if (p.value(palette) == QLatin1String("light"))
            QApplication::setPalette(QApplication::style()->standardPalette());
        else {
            std::fprintf(stderr, "flowlens: --palette: use light or dark\n");
            return 2;
        }
    }

    if (p.isSet(exportOpt)) {
        ui::HeadlessExportOptions o;
        o.databasePath = p.value(db);
        o.dashboard = p.value(exportOpt);
        o.output = p.value(out);
        o.since = p.value(since);
        o.until = p.value(until);
        o.filter = p.value(filter);
        o.metric = p.value(metric);
        bool okW = false, okH = false, okD = false;
        o.width = p.value(width).toInt(&okW);
        o.height = p.value(height).toInt(&okH);
        o.dpi = p.value(dpi).toInt(&okD);
        if (!okW || !okH || !okD) {
            std::fprintf(stderr, "flowlens: --width, --height and --dpi take whole numbers\n");
            return 2;
        }
        return ui::runHeadlessExport(o);
    }
    for (const QCommandLineOption* o : {&out, &since, &until, &filter}) {
        if (p.isSet(*o)) {
            std::fprintf(stderr, "flowlens: --%s is only used with --export\n",
                         qPrintable(o->names().first()));
            return 2;
        }
    }

    // One collecting FlowLens per user: a second start shows the running window instead of failing
    // to bind the ports. A --no-listen viewer binds nothing and may run beside it.
    std::unique_ptr<ui::SingleInstance> instance;
    if (!p.isSet(noListen)) {
        instance = std::make_unique<ui::SingleInstance>(QLatin1String(kAppId));
        switch (instance->start()) {
        case ui::SingleInstance::Role::Secondary:
            std::fprintf(
                stderr,
                "flowlens: FlowLens is already running (process %lld); brought its window to the front.\n"
                "flowlens: use --no-listen --db FILE to view another database beside it.\n",
                static_cast<long long>(instance->otherPid()));
            return 0;
        case ui::SingleInstance::Role::Unreachable:
            std::fprintf(stderr,
                         "flowlens: FlowLens is already running (process %lld) but does not answer; "
                         "close it (or end that process) and start again.\n",
                         static_cast<long long>(instance->otherPid()));
            return 1;
        case ui::SingleInstance::Role::Primary:
            if (!instance->warning().isEmpty())
                std::fprintf(stderr, "flowlens: %s\n", qPrintable(instance->warning()));
            break;
        }
    }

    QSettings settings;
    ui::MainWindowOptions options;
    options.settings = ui::AppSettings::load(settings);
    options.viewOnly = p.isSet(noListen);
    options.databasePath =
        p.isSet(db) ? QFileInfo(p.value(db)).absoluteFilePath() : options.settings.effectiveDatabasePath();

    std::unique_ptr<ui::LatencyProbe> probe;
    if (qEnvironmentVariableIsSet("FLOWLENS_LATENCY_PROBE")) {
        probe = std::make_unique<ui::LatencyProbe>(qEnvironmentVariable("FLOWLENS_LATENCY_PROBE"));
        options.traceTimings = true;
    }

    query::QueryService queries(options.databasePath, 2);
    std::unique_ptr<ui::CollectorController> collector;
    if (!options.viewOnly) {
        collector = std::make_unique<ui::CollectorController>();
        collect::CollectorConfig config = options.settings.collectorConfig();
        config.databasePath = options.databasePath;
        collector->apply(config);
    }
    ui::MainWindow window(&queries, collector.get(), options);
    if (!QSettings().contains(QStringLiteral("ui/geometry"))) {
        const QRect screen = window.screen()->availableGeometry();
        window.resize(screen.size() * 0.9);
    }
    if (instance) {
        QObject::connect(instance.get(), &ui::SingleInstance::activationRequested, &window, [&window] {
            std::fprintf(stderr, "flowlens: another start asked for this window; bringing it to the front\n");
            window.bringToFront();
        });
    }
    installQuitOnSignals();
    window.show();
    return QApplication::exec();
}
