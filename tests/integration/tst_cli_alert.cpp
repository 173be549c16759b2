// flowlens-cli alert add/list/remove/log round trip, and alerts fired by `collect` on a generated
// burst (real binaries, loopback, port 0).
#include "support/cli_runner.h"
#include "support/test_paths.h"

#include <QJsonArray>
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

Run alertCmd(const QString& sub, const QString& db, const QStringList& more = {})
{
    return runCli(QStringList{QStringLiteral("alert"), sub, QStringLiteral("--db"), db} + more);
}

} // namespace

class TestCliAlert : public QObject
{
    Q_OBJECT

private slots:
    void addListRemoveRoundTrip()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("a.db"));
        Run r = alertCmd(QStringLiteral("add"), db,
                         {QStringLiteral("--name"), QStringLiteral("web"), QStringLiteral("--when"),
                          QStringLiteral("bytes_per_s > 50M"), QStringLiteral("--by"), QStringLiteral("dst"),
                          QStringLiteral("--filter"), QStringLiteral("port 443"), QStringLiteral("--for"),
                          QStringLiteral("30s"), QStringLiteral("--cooldown"), QStringLiteral("2m")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = alertCmd(QStringLiteral("add"), db,
                     {QStringLiteral("--name"), QStringLiteral("scan"), QStringLiteral("--when"),
                      QStringLiteral("distinct_dst > baseline + 4 dev"), QStringLiteral("--by"),
                      QStringLiteral("src")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        r = alertCmd(QStringLiteral("list"), db, {QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray rules = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(rules.size(), 2);
        const QJsonObject web = rules.at(1).toObject();
        QCOMPARE(web[QStringLiteral("name")].toString(), QStringLiteral("web"));
        QCOMPARE(web[QStringLiteral("when")].toString(), QStringLiteral("bytes_per_s > 50M"));
        QCOMPARE(web[QStringLiteral("by")].toString(), QStringLiteral("dst"));
        QCOMPARE(web[QStringLiteral("filter")].toString(), QStringLiteral("port 443"));
        QCOMPARE(web[QStringLiteral("for_s")].toInt(), 30);
        QCOMPARE(web[QStringLiteral("cooldown_s")].toInt(), 120);
        QCOMPARE(rules.at(0).toObject()[QStringLiteral("baseline")].toBool(), true);

        r = alertCmd(QStringLiteral("list"), db);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QRegularExpression(
                     QStringLiteral("web\\s+bytes_per_s > 50M\\s+dst\\s+port 443\\s+30s\\s+2m"))),
                 qPrintable(r.out));
        r = alertCmd(QStringLiteral("list"), db, {QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3);
        QVERIFY(r.out.startsWith(QStringLiteral("name,when,by,filter,for,cooldown,enabled\n")));

        r = runCli({QStringLiteral("alert"), QStringLiteral("remove"), QStringLiteral("--db"), db,
                    QStringLiteral("web")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({QStringLiteral("alert"), QStringLiteral("remove"), QStringLiteral("--db"), db,
                    QStringLiteral("web")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no rule named \"web\"")), qPrintable(r.err));
        r = alertCmd(QStringLiteral("list"), db, {QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 1);
    }

    void errorsAreClear_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString db = QStringLiteral("DB");
        auto add = [&](const QStringList& more) {
            return QStringList{QStringLiteral("alert"), QStringLiteral("add"), QStringLiteral("--db"), db} +
                   more;
        };
        QTest::newRow("unknown metric") << add({QStringLiteral("--name"), QStringLiteral("x"),
                                                QStringLiteral("--when"), QStringLiteral("bits_per_s > 1")})
                                        << 2 << QStringLiteral("unknown metric");
        QTest::newRow("bad key") << add({QStringLiteral("--name"), QStringLiteral("x"),
                                         QStringLiteral("--when"), QStringLiteral("flows_per_s > 1"),
                                         QStringLiteral("--by"), QStringLiteral("host")})
                                 << 2 << QStringLiteral("use src, dst, port or exporter");
        QTest::newRow("bad filter") << add({QStringLiteral("--name"), QStringLiteral("x"),
                                            QStringLiteral("--when"), QStringLiteral("flows_per_s > 1"),
                                            QStringLiteral("--filter"), QStringLiteral("port banana")})
                                    << 2 << QStringLiteral("bad filter");
        QTest::newRow("bad duration")
            << add({QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("--when"),
                    QStringLiteral("flows_per_s > 1"), QStringLiteral("--for"), QStringLiteral("soon")})
            << 2 << QStringLiteral("--for");
        QTest::newRow("missing --when")
            << add({QStringLiteral("--name"), QStringLiteral("x")}) << 2 << QStringLiteral("--when EXPR");
        QTest::newRow("duplicate") << add({QStringLiteral("--name"), QStringLiteral("dup"),
                                           QStringLiteral("--when"), QStringLiteral("flows_per_s > 1")})
                                   << 2 << QStringLiteral("already exists");
        QTest::newRow("bad format") << QStringList{QStringLiteral("alert"),    QStringLiteral("log"),
                                                   QStringLiteral("--db"),     db,
                                                   QStringLiteral("--format"), QStringLiteral("xml")}
                                    << 2 << QStringLiteral("table, csv or json");
        QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("alert"), QStringLiteral("frob")}
                                            << 2 << QStringLiteral("unknown subcommand");
        QTest::newRow("missing database") << QStringList{QStringLiteral("alert"), QStringLiteral("log"),
                                                         QStringLiteral("--db"), QStringLiteral("MISSING")}
                                          << 1 << QStringLiteral("cannot open");
    }

    void errorsAreClear()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("a.db"));
        QCOMPARE(alertCmd(QStringLiteral("add"), db,
                          {QStringLiteral("--name"), QStringLiteral("dup"), QStringLiteral("--when"),
                           QStringLiteral("flows_per_s > 1")})
                     .exitCode,
                 0);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^DB$")), db);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^MISSING$")),
                              dir.filePath(QStringLiteral("none.db")));
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void collectFiresAndLogNamesTheRule()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("a.db"));
        QCOMPARE(alertCmd(QStringLiteral("add"), db,
                          {QStringLiteral("--name"), QStringLiteral("burst"), QStringLiteral("--when"),
                           QStringLiteral("flows_per_s > 2k")})
                     .exitCode,
                 0);
        QCOMPARE(alertCmd(QStringLiteral("add"), db,
                          {QStringLiteral("--name"), QStringLiteral("port-burst"), QStringLiteral("--when"),
                           QStringLiteral("packets_per_s > 1"), QStringLiteral("--by"),
                           QStringLiteral("exporter"), QStringLiteral("--for"), QStringLiteral("2s")})
                     .exitCode,
                 0);
        QProcess collector;
        collector.setProcessEnvironment(test::cliEnvironment());
        collector.start(cli(),
                        {QStringLiteral("collect"), QStringLiteral("--db"), db, QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")});
        static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
        QString err;
        std::uint16_t port = 0;
        for (int i = 0; i < 100 && !port; ++i) {
            collector.waitForReadyRead(100);
            err += QString::fromUtf8(collector.readAllStandardError());
            if (const auto m = listening.match(err); m.hasMatch())
                port = std::uint16_t(m.captured(1).toUInt());
        }
        QVERIFY2(port, qPrintable(err));
        QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(collector.readAllStandardError()))
                                     .contains(QStringLiteral("evaluating 2 alert")),
                                 5000);

        const Run gen = runCli({QStringLiteral("gen"), QStringLiteral("--target"),
                                QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--proto"),
                                QStringLiteral("v9"), QStringLiteral("--count"), QStringLiteral("20000"),
                                QStringLiteral("--rate"), QStringLiteral("5000")});
        QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(collector.readAllStandardOutput()))
                                     .contains(QStringLiteral("ALERT fired burst:")),
                                 15000);
        collector.terminate();
        QVERIFY(collector.waitForFinished(30000));
        out += QString::fromUtf8(collector.readAllStandardOutput());
        err += QString::fromUtf8(collector.readAllStandardError());
        QVERIFY2(collector.exitCode() == 0, qPrintable(err));
        QVERIFY2(out.contains(QStringLiteral("ALERT fired port-burst [127.0.0.1]")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("ALERT resolved burst:")), qPrintable(out));
        QVERIFY2(err.contains(QStringLiteral("alert(s) fired")), qPrintable(err));

        Run log = alertCmd(QStringLiteral("log"), db,
                           {QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--samples")});
        QCOMPARE(log.exitCode, 0);
        const QJsonArray events = QJsonDocument::fromJson(log.out.toUtf8()).array();
        QCOMPARE(events.size(), 2);
        QStringList rules;
        for (const auto& v : events) {
            const QJsonObject e = v.toObject();
            rules << e[QStringLiteral("rule")].toString();
            QVERIFY(!e[QStringLiteral("resolved")].isNull());
            QVERIFY(e[QStringLiteral("value")].toDouble() > e[QStringLiteral("threshold")].toDouble());
            QVERIFY(!e[QStringLiteral("samples")].toArray().isEmpty());
            if (e[QStringLiteral("rule")].toString() == QLatin1String("port-burst")) {
                QCOMPARE(e[QStringLiteral("key")].toString(), QStringLiteral("127.0.0.1"));
                QCOMPARE(e[QStringLiteral("flows_filter")].toString(), QStringLiteral("exporter 127.0.0.1"));
            }
        }
        rules.sort();
        QCOMPARE(rules, (QStringList{QStringLiteral("burst"), QStringLiteral("port-burst")}));

        log = alertCmd(QStringLiteral("log"), db, {QStringLiteral("--format"), QStringLiteral("csv")});
        QStringList lines = log.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0],
                 QStringLiteral("fired,resolved,rule,key,metric,value,threshold,peak,duration,flows_filter"));
        log = alertCmd(QStringLiteral("log"), db, {QStringLiteral("--rule"), QStringLiteral("burst")});
        lines = log.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[1].contains(QStringLiteral("burst")) &&
                     lines[1].contains(QStringLiteral("flows_per_s")),
                 qPrintable(log.out));

        // The flows behind the port-burst alert, through the filter the log gives.
        const Run flows =
            runCli({QStringLiteral("flows"), QStringLiteral("--db"), db, QStringLiteral("--filter"),
                    QStringLiteral("exporter 127.0.0.1"), QStringLiteral("--limit"), QStringLiteral("5")});
        QVERIFY2(flows.exitCode == 0, qPrintable(flows.err));
        QCOMPARE(flows.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestCliAlert)
#include "tst_cli_alert.moc"
