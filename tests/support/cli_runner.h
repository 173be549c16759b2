#pragma once

#include <QString>
#include <QStringList>

namespace flowlens::test {

/// The built flowlens-cli.
QString cliPath();

/// What one flowlens-cli run printed and returned (exitCode -1: crashed or timed out).
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs flowlens-cli with `args` and waits for it (killed after `timeoutMs`, err says so).
CliRun runCli(const QStringList& args, int timeoutMs = 60000);

} // namespace flowlens::test
