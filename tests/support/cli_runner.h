#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace flowlens::test {

/// The built flowlens-cli.
QString cliPath();

/// The environment test runs of flowlens-cli use: XDG_DATA_HOME and XDG_CONFIG_HOME in a
/// temporary folder of the test run, so the user's data (GeoIP databases found by default, a
/// default database) cannot change what a test sees.
QProcessEnvironment cliEnvironment();

/// What one flowlens-cli run printed and returned (exitCode -1: crashed or timed out).
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs flowlens-cli with `args` in cliEnvironment() and waits for it (killed after `timeoutMs`,
/// err says so).
CliRun runCli(const QStringList& args, int timeoutMs = 60000);

} // namespace flowlens::test
