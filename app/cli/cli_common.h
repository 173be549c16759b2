#pragma once

#include <cstdint>

#include <QCommandLineParser>
#include <QObject>
#include <QString>
#include <QStringList>

namespace flowlens::cli {

/// Exit codes, as `flowlens-cli --help` documents them.
enum ExitCode
{
    kExitOk = 0,
    kExitFailure = 1, ///< something failed while running: unreadable input, database error
    kExitUsage = 2,   ///< bad arguments, or an endpoint that cannot be bound
};

void printOut(const QString& text);
void printErr(const QString& text);

/// What `--version` prints: "flowlens-cli VERSION" first (help2man reads it), then the build and
/// the run-time library versions.
QString versionText();

/// Parses `args` (command name first) with the common --help/--version handling. Returns -1 when
/// the command should continue, otherwise the exit code to return.
int parseOrExit(QCommandLineParser& parser, const QStringList& args, const QString& usageTail);

/// "1.2 G", "340 M", "12 k" with SI prefixes (1000-based, like nfdump).
QString humanCount(std::uint64_t value);
QString humanBytes(std::uint64_t value);

/// Quits the application on SIGINT/SIGTERM (through a self-pipe, safe for signal handlers).
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

signals:
    void signalled(int signal);
};

std::uint64_t nowNs();

} // namespace flowlens::cli
