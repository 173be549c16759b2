#include "cli_runner.h"

#include "test_paths.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace flowlens::test {

QString cliPath()
{
    return binaryDir() + QStringLiteral("/app/flowlens-cli");
}

QProcessEnvironment cliEnvironment()
{
    // A data and config home of the tests' own: what the user has in ~/.local/share/flowlens (a
    // GeoIP database, a default flows.db) must not change what a test sees.
    static QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    return env;
}

CliRun runCli(const QStringList& args, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(cliEnvironment());
    p.start(cliPath(), args);
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace flowlens::test
