#include "cli_common.h"

#include "core/util/build_info.h"

#include <chrono>
#include <csignal>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QSocketNotifier>

namespace flowlens::cli {

QString versionText()
{
    const BuildInfo b = BuildInfo::current();
    return QStringLiteral("flowlens-cli %1\nBuild: %2\nLibraries: %3\n")
        .arg(b.version, b.buildLine(), b.librariesLine());
}

namespace {
int g_signalFd[2] = {-1, -1};

void onSignal(int sig)
{
    const char c = char(sig);
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}
} // namespace

void printOut(const QString& text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
}

void printErr(const QString& text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
}

int parseOrExit(QCommandLineParser& parser, const QStringList& args, const QString& usageTail)
{
    parser.setApplicationDescription(parser.applicationDescription() + usageTail);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), QStringLiteral("Show the version."));
    parser.addOption(help);
    parser.addOption(version);
    if (!parser.parse(args)) {
        printErr(QStringLiteral("flowlens-cli %1: %2\nRun 'flowlens-cli %1 --help' for the options.\n")
                     .arg(args.value(0), parser.errorText()));
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        // Qt names the program by its path; the usage line should read as the user types it.
        QString text = parser.helpText();
        const QString program = QStringLiteral("Usage: ") + QCoreApplication::arguments().value(0);
        if (text.startsWith(program))
            text.replace(0, program.size(), QStringLiteral("Usage: flowlens-cli ") + args.value(0));
        printOut(text);
        return kExitOk;
    }
    if (parser.isSet(version)) {
        printOut(versionText());
        return kExitOk;
    }
    return -1;
}

QString humanCount(std::uint64_t v)
{
    const char* units[] = {"", " k", " M", " G", " T", " P"};
    double d = double(v);
    int u = 0;
    while (d >= 1000.0 && u < 5) {
        d /= 1000.0;
        ++u;
    }
    if (u == 0)
        return QString::number(v);
    return QString::number(d, 'f', d < 10 ? 2 : (d < 100 ? 1 : 0)) + QLatin1String(units[u]);
}

QString humanBytes(std::uint64_t v)
{
    return humanCount(v) + QStringLiteral("B");
}

SignalWatcher::SignalWatcher(QObject* parent)
    : QObject(parent)
{
    if (g_signalFd[0] < 0)
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalFd);
    auto* notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, [this] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        emit signalled(int(c));
    });
    struct sigaction sa
    {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

SignalWatcher::~SignalWatcher()
{
    struct sigaction sa
    {};
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

std::uint64_t nowNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

} // namespace flowlens::cli
