// gen -> collect -> top / flows through the real flowlens-cli binary, on loopback.
#include "core/gen/generator.h"
#include "core/gen/traffic_model.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

#include <map>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

using Run = test::CliRun;
using test::runCli;

QString cli()
{
    return test::cliPath();
}

struct Totals
{
    std::uint64_t flows = 0, packets = 0, bytes = 0;
};

/// Starts `collect` on an ephemeral loopback port and returns the port (0 on failure).
std::uint16_t startCollector(QProcess& collector, const QString& db, QString& stderrSoFar)
{
    collector.start(cli(), {QStringLiteral("collect"), QStringLiteral("--db"), db, QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")});
    static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    for (int i = 0; i < 100; ++i) {
        collector.waitForReadyRead(100);
        stderrSoFar += QString::fromUtf8(collector.readAllStandardError());
        const auto m = listening.match(stderrSoFar);
        if (m.hasMatch())
            return std::uint16_t(m.captured(1).toUInt());
        if (collector.state() == QProcess::NotRunning)
            break;
    }
    return 0;
}

} // namespace

class TestCliPipeline : public QObject
{
    Q_OBJECT

private slots:
    void genCollectTopFlows_data()
    {
        QTest::addColumn<QString>("proto");
        QTest::addColumn<int>("sampling");
        QTest::newRow("netflow v5") << QStringLiteral("v5") << 1;
        QTest::newRow("netflow v5 sampled 1:10") << QStringLiteral("v5") << 10;
        QTest::newRow("netflow v9") << QStringLiteral("v9") << 1;
        QTest::newRow("ipfix") << QStringLiteral("ipfix") << 1;
        QTest::newRow("ipfix sampled 1:100") << QStringLiteral("ipfix") << 100;
    }

    void genCollectTopFlows()
    {
        QFETCH(QString, proto);
        QFETCH(int, sampling);
        constexpr std::uint64_t kCount = 20000;
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("flows.db"));
        QProcess collector;
        collector.setProcessEnvironment(test::cliEnvironment());
        QString collectErr;
        const std::uint16_t port = startCollector(collector, db, collectErr);
        QVERIFY2(port != 0, qPrintable(collectErr));

        const Run gen = runCli({QStringLiteral("gen"), QStringLiteral("--target"),
                                QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--proto"), proto,
                                QStringLiteral("--count"), QString::number(kCount), QStringLiteral("--rate"),
                                QStringLiteral("40000"), QStringLiteral("--seed"), QStringLiteral("7"),
                                QStringLiteral("--sampling"), QString::number(sampling)});
        QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
        QVERIFY2(gen.err.contains(QStringLiteral("sent %1 flows").arg(kCount)), qPrintable(gen.err));

        collector.terminate(); // SIGTERM: flush and exit 0
        QVERIFY(collector.waitForFinished(30000));
        collectErr += QString::fromUtf8(collector.readAllStandardError());
        QCOMPARE(collector.exitStatus(), QProcess::NormalExit);
        QVERIFY2(collector.exitCode() == 0, qPrintable(collectErr));
        QVERIFY2(collectErr.contains(QStringLiteral("%1 stored, 0 dropped").arg(kCount)),
                 qPrintable(collectErr));

        // The same flows, recomputed in-process from the generator's model.
        gen::GenOptions o;
        o.proto = proto == QLatin1String("v5") ? decode::Protocol::NetFlowV5
                                               : (proto == QLatin1String("v9") ? decode::Protocol::NetFlowV9
                                                                               : decode::Protocol::Ipfix);
        o.seed = 7;
        o.count = kCount;
        gen::TrafficModel model(gen::modelOptionsFor(o));
        std::map<std::string, Totals> bySrc;
        Totals all;
        for (std::uint64_t i = 0; i < kCount; ++i) {
            const auto r = model.next(1'800'000'000ull * 1'000'000'000ull);
            auto& t = bySrc[r.src_addr.toString()];
            t.flows += 1;
            t.packets += r.packets * std::uint64_t(sampling);
            t.bytes += r.bytes * std::uint64_t(sampling);
            all.flows += 1;
            all.packets += r.packets;
            all.bytes += r.bytes;
        }
        std::vector<std::pair<std::string, Totals>> ranked(bySrc.begin(), bySrc.end());
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.second.bytes != b.second.bytes ? a.second.bytes > b.second.bytes : a.first < b.first;
        });

        const Run top = runCli({QStringLiteral("top"), QStringLiteral("--db"), db, QStringLiteral("--by"),
                                QStringLiteral("src"), QStringLiteral("--order"), QStringLiteral("bytes"),
                                QStringLiteral("--limit"), QStringLiteral("10"), QStringLiteral("--format"),
                                QStringLiteral("csv")});
        QVERIFY2(top.exitCode == 0, qPrintable(top.err));
        const QStringList lines = top.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.value(0), QStringLiteral("rank,key,flows,packets,bytes"));
        QCOMPARE(lines.size(), 11);
        for (int i = 0; i < 10; ++i) {
            const auto& [key, t] = ranked[std::size_t(i)];
            QCOMPARE(lines[i + 1], QStringLiteral("%1,%2,%3,%4,%5")
                                       .arg(i + 1)
                                       .arg(QString::fromStdString(key))
                                       .arg(t.flows)
                                       .arg(t.packets)
                                       .arg(t.bytes));
        }

        // --raw shows the counters as sent; JSON says whether data was sampled.
        const Run raw = runCli({QStringLiteral("top"), QStringLiteral("--db"), db, QStringLiteral("--by"),
                                QStringLiteral("proto"), QStringLiteral("--raw"), QStringLiteral("--limit"),
                                QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(raw.exitCode == 0, qPrintable(raw.err));
        const QJsonObject doc = QJsonDocument::fromJson(raw.out.toUtf8()).object();
        QCOMPARE(doc[QStringLiteral("total")].toObject()[QStringLiteral("bytes")].toInteger(),
                 qint64(all.bytes));
        QCOMPARE(doc[QStringLiteral("total")].toObject()[QStringLiteral("flows")].toInteger(),
                 qint64(kCount));
        QCOMPARE(doc[QStringLiteral("sampled")].toBool(), sampling > 1);

        const Run flows = runCli({QStringLiteral("flows"), QStringLiteral("--db"), db,
                                  QStringLiteral("--limit"), QStringLiteral("0")});
        QVERIFY2(flows.exitCode == 0, qPrintable(flows.err));
        const QStringList rows = flows.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), int(kCount));
        std::uint64_t bytes = 0;
        for (const QString& row : rows) {
            const QJsonObject f = QJsonDocument::fromJson(row.toUtf8()).object();
            bytes += std::uint64_t(f[QStringLiteral("bytes")].toInteger());
            if (sampling > 1)
                QCOMPARE(f[QStringLiteral("sampling_rate")].toInteger(), qint64(sampling));
            else
                QVERIFY(f[QStringLiteral("sampling_rate")].toInteger() <= 1); // 0 = not stated
        }
        QCOMPARE(bytes, all.bytes);
        const QJsonObject first = QJsonDocument::fromJson(rows.first().toUtf8()).object();
        QVERIFY(first[QStringLiteral("proto")].isString());
        QVERIFY(first[QStringLiteral("src_addr")].isString());
        QVERIFY(first[QStringLiteral("time_received_ns")].toInteger() > 0);

        // A filter narrows the listing to what it names.
        const Run https =
            runCli({QStringLiteral("flows"), QStringLiteral("--db"), db, QStringLiteral("--filter"),
                    QStringLiteral("proto tcp and dst port 443"), QStringLiteral("--limit"),
                    QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(https.exitCode == 0, qPrintable(https.err));
        const QStringList csv = https.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(csv.size() > 100);
        const QStringList header = csv.first().split(QLatin1Char(','));
        const int protoCol = int(header.indexOf(QStringLiteral("proto")));
        const int portCol = int(header.indexOf(QStringLiteral("dst_port")));
        for (int i = 1; i < csv.size(); ++i) {
            const QStringList cols = csv[i].split(QLatin1Char(','));
            QCOMPARE(cols[protoCol], QStringLiteral("TCP"));
            QCOMPARE(cols[portCol], QStringLiteral("443"));
        }
    }

    void usageErrorsExitTwo()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("none.db"));
        const Run badFilter = runCli({QStringLiteral("flows"), QStringLiteral("--db"), db,
                                      QStringLiteral("--filter"), QStringLiteral("src ip 10.0.0.300")});
        QCOMPARE(badFilter.exitCode, 2);
        QVERIFY2(badFilter.err.contains(QStringLiteral("column 8")), qPrintable(badFilter.err));
        const Run missing = runCli({QStringLiteral("top"), QStringLiteral("--db"), db, QStringLiteral("--by"),
                                    QStringLiteral("src")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains(QStringLiteral("does not exist")));
        const Run badBy = runCli({QStringLiteral("top"), QStringLiteral("--db"), db, QStringLiteral("--by"),
                                  QStringLiteral("color")});
        QCOMPARE(badBy.exitCode, 2);
        const Run unknown = runCli({QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        const Run version = runCli({QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith(QStringLiteral("flowlens-cli ")));
        for (const char* cmd : {"collect", "import", "top", "flows", "gen"}) {
            const Run help = runCli({QString::fromLatin1(cmd), QStringLiteral("--help")});
            QCOMPARE(help.exitCode, 0);
            QVERIFY(help.out.contains(QStringLiteral("Exit codes")));
        }
    }

    void portInUseExitsTwo()
    {
        QTemporaryDir dir;
        QProcess first;
        first.setProcessEnvironment(test::cliEnvironment());
        QString err;
        const std::uint16_t port = startCollector(first, dir.filePath(QStringLiteral("a.db")), err);
        QVERIFY(port != 0);
        const Run second =
            runCli({QStringLiteral("collect"), QStringLiteral("--db"), dir.filePath(QStringLiteral("b.db")),
                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                    QStringLiteral("--duration"), QStringLiteral("5")});
        first.terminate();
        first.waitForFinished(30000);
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(second.err.contains(QStringLiteral("already in use")) &&
                     second.err.contains(QString::number(port)),
                 qPrintable(second.err));
    }

    void importsCaptures()
    {
        const QString pcap = test::vectorsDir() + QStringLiteral("/scapy/netflowv9.pcap");
        if (!QFile::exists(pcap))
            QSKIP("oracle vectors not found; set FLOWLENS_VECTORS");
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("i.db"));
        const Run imp = runCli({QStringLiteral("import"), QStringLiteral("--db"), db, pcap});
        QVERIFY2(imp.exitCode == 0, qPrintable(imp.err));
        QVERIFY2(imp.err.contains(QStringLiteral("imported 24 flows")), qPrintable(imp.err));
        const Run bad = runCli({QStringLiteral("import"), QStringLiteral("--db"), db,
                                dir.filePath(QStringLiteral("nope.pcap"))});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains(QStringLiteral("nope.pcap")));
    }
};

QTEST_GUILESS_MAIN(TestCliPipeline)
#include "tst_cli_pipeline.moc"
