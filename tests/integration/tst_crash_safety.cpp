// A collector killed with SIGKILL at any moment leaves a database that opens, passes
// PRAGMA integrity_check and holds everything committed before the kill (issue 8).
#include "core/store/flow_reader.h"
#include "core/store/rollup_blob.h"
#include "core/store/sqlite_db.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

#include <random>

#include <signal.h>

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

QString cli()
{
    return test::binaryDir() + QStringLiteral("/app/flowlens-cli");
}

std::uint16_t startCollector(QProcess& p, const QString& db, QString& err)
{
    p.setProcessEnvironment(test::cliEnvironment()); // no GeoIP of the user's to load first
    p.start(cli(), {QStringLiteral("collect"), QStringLiteral("--db"), db, QStringLiteral("--listen"),
                    QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")});
    static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    for (int i = 0; i < 100; ++i) {
        p.waitForReadyRead(100);
        err += QString::fromUtf8(p.readAllStandardError());
        if (const auto m = listening.match(err); m.hasMatch())
            return std::uint16_t(m.captured(1).toUInt());
        if (p.state() == QProcess::NotRunning)
            break;
    }
    return 0;
}

struct Check
{
    QString integrity;
    std::uint64_t blockFlows = 0;
    std::uint64_t rollupFlows = 0;
};

Check check(const QString& db)
{
    Check c;
    auto d = store::Database::open(db, store::Database::Mode::ReadOnly);
    if (!d)
        return c;
    auto st = d->prepare("PRAGMA integrity_check");
    if (st && st->step())
        c.integrity = st->columnText(0);
    auto n = d->prepare("SELECT coalesce(sum(n), 0) FROM flow_blocks");
    if (n && n->step())
        c.blockFlows = std::uint64_t(n->columnInt(0));
    // Rollups are written in the same transactions as the blocks: the minute rows of the protocol
    // dimension (never truncated, never sparse) count exactly the stored flows.
    auto r = d->prepare("SELECT bucket, data FROM rollup_rows WHERE tier=60 AND dim=0");
    std::vector<store::RollupRow> rows;
    while (r && r->step())
        if (!store::decodeRollupRows(r->columnBlob(1), r->columnInt(0), rows))
            c.integrity = QStringLiteral("rollup value of minute %1 does not decode").arg(r->columnInt(0));
    for (const auto& row : rows)
        c.rollupFlows += row.counters.flows;
    return c;
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

private slots:
    void killedCollectorsLeaveAConsistentDatabase()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("crash.db"));
        std::mt19937 rng(2024);
        std::uint64_t committed = 0;
        for (int round = 0; round < 5; ++round) {
            QProcess collector;
            QString err;
            const std::uint16_t port = startCollector(collector, db, err);
            QVERIFY2(port != 0, qPrintable(err));
            if (round > 0)
                QVERIFY2(err.contains(QStringLiteral("did not stop cleanly")), qPrintable(err));
            QProcess gen;
            gen.start(cli(), {QStringLiteral("gen"), QStringLiteral("--target"),
                              QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--proto"),
                              round % 2 ? QStringLiteral("ipfix") : QStringLiteral("v5"),
                              QStringLiteral("--rate"), QStringLiteral("50000"), QStringLiteral("--duration"),
                              QStringLiteral("20"), QStringLiteral("--seed"), QString::number(round)});
            QVERIFY(gen.waitForStarted());
            // Kill at a random moment, mid-commit or not.
            QTest::qWait(int(1200 + rng() % 2500));
            ::kill(pid_t(collector.processId()), SIGKILL);
            QVERIFY(collector.waitForFinished(10000));
            gen.kill();
            gen.waitForFinished(10000);

            const Check c = check(db);
            QCOMPARE(c.integrity, QStringLiteral("ok"));
            QVERIFY2(c.blockFlows >= committed, "flows committed before a kill were lost");
            QVERIFY(c.blockFlows > committed); // the round stored something before it was killed
            QCOMPARE(c.rollupFlows, c.blockFlows);
            committed = c.blockFlows;
            auto reader = store::FlowReader::open(db);
            QVERIFY2(reader.has_value(), reader ? "" : qPrintable(reader.error()));
            QCOMPARE((*reader)->flowCount().value(), committed);
        }
        // A clean run afterwards reports the last unclean stop, and its own stop is clean.
        QProcess collector;
        QString err;
        QVERIFY(startCollector(collector, db, err) != 0);
        QVERIFY(err.contains(QStringLiteral("did not stop cleanly")));
        collector.terminate();
        QVERIFY(collector.waitForFinished(30000));
        QCOMPARE(collector.exitCode(), 0);
        QProcess next;
        err.clear();
        QVERIFY(startCollector(next, db, err) != 0);
        QVERIFY2(!err.contains(QStringLiteral("did not stop cleanly")), qPrintable(err));
        next.terminate();
        QVERIFY(next.waitForFinished(30000));
        QCOMPARE(check(db).integrity, QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crash_safety.moc"
