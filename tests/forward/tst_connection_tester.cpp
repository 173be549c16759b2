// "Test connection" (GUI button, collect --forward-test): reachability and credentials are
// checked separately and the result says which failed.

#include "support/fake_openobserve.h"
#include "support/forward_fixtures.h"
#include "support/test_paths.h"

#include "core/forward/connection_tester.h"

#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

using namespace flowlens;
using flowlens::test::FakeOpenObserve;

class TestConnectionTester : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<forward::ConnectionTestResult>(); }

    void reportsWhichCheckFailed_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("reachable");
        QTest::addColumn<bool>("credentialsOk");
        QTest::addColumn<QString>("messageHas");
        QTest::newRow("all good") << QStringLiteral("good") << true << true << QStringLiteral("accepted");
        QTest::newRow("wrong secret")
            << QStringLiteral("secret") << true << false << QStringLiteral("rejected user");
        QTest::newRow("unknown organisation")
            << QStringLiteral("org") << true << false << QStringLiteral("organisation \"nope\" not found");
        QTest::newRow("server down") << QStringLiteral("down") << false << false << QStringLiteral("refused");
        QTest::newRow("not OpenObserve at that path")
            << QStringLiteral("path") << false << false << QStringLiteral("HTTP 404");
    }

    void reportsWhichCheckFailed()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, reachable);
        QFETCH(bool, credentialsOk);
        QFETCH(QString, messageHas);
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        if (scenario == QLatin1String("secret"))
            config.secret = QStringLiteral("wrong");
        else if (scenario == QLatin1String("org"))
            config.org = QStringLiteral("nope");
        else if (scenario == QLatin1String("down"))
            fake.close();
        else if (scenario == QLatin1String("path"))
            config.url += QStringLiteral("/not-here");
        forward::ConnectionTester tester;
        QSignalSpy spy(&tester, &forward::ConnectionTester::finished);
        tester.start(config);
        QVERIFY(spy.wait(10000));
        QCOMPARE(spy.count(), 1);
        const auto result = spy.at(0).at(0).value<forward::ConnectionTestResult>();
        QCOMPARE(result.reachable, reachable);
        QCOMPARE(result.credentialsOk, credentialsOk);
        QCOMPARE(result.ok(), reachable && credentialsOk);
        QVERIFY2(result.summary().contains(messageHas), qPrintable(result.summary()));
        if (!reachable)
            QVERIFY2(result.credentialsError.contains(QStringLiteral("not checked")),
                     qPrintable(result.summary()));
        // The credential check sends an empty array: nothing is stored.
        QCOMPARE(fake.recordCount(), 0);
    }

    void cliForwardTest_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("fine") << QStringLiteral("Complexpass#123") << 0
                              << QStringLiteral("credentials accepted");
        QTest::newRow("wrong secret")
            << QStringLiteral("nope") << 1 << QStringLiteral("credentials NOT accepted");
        QTest::newRow("no secret in the environment")
            << QString() << 2 << QStringLiteral("FLOWLENS_FORWARD_PASSWORD");
    }

    void cliForwardTest()
    {
        QFETCH(QString, secret);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        const QString cli = test::binaryDir() + QStringLiteral("/app/flowlens-cli");
        if (!QFileInfo::exists(cli))
            QSKIP("flowlens-cli is not built in this build folder");
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("FLOWLENS_FORWARD_PASSWORD"));
        if (!secret.isEmpty())
            env.insert(QStringLiteral("FLOWLENS_FORWARD_PASSWORD"), secret);
        p.setProcessEnvironment(env);
        p.start(cli, {QStringLiteral("collect"), QStringLiteral("--forward-url"), fake.url(),
                      QStringLiteral("--forward-user"), QStringLiteral("root@example.com"),
                      QStringLiteral("--forward-test")});
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), exitCode);
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        if (!secret.isEmpty())
            QVERIFY(!err.contains(secret)); // never printed
    }

    void cliCollectForwardsAndReports()
    {
        const QString cli = test::binaryDir() + QStringLiteral("/app/flowlens-cli");
        if (!QFileInfo::exists(cli))
            QSKIP("flowlens-cli is not built in this build folder");
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("c.db"));
        QCOMPARE(test::storeFlows(db, 0, 1200, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FLOWLENS_FORWARD_PASSWORD"), QStringLiteral("Complexpass#123"));
        p.setProcessEnvironment(env);
        p.start(cli, {QStringLiteral("collect"), QStringLiteral("--db"), db, QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--duration"), QStringLiteral("3"),
                      QStringLiteral("--forward-url"), fake.url(), QStringLiteral("--forward-user"),
                      QStringLiteral("root@example.com"), QStringLiteral("--forward-gzip"),
                      QStringLiteral("--forward-batch"), QStringLiteral("400"),
                      QStringLiteral("--forward-from-start")});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1200), QString());
        QCOMPARE(fake.ingestRequests(), 3);
        for (const auto& r : fake.requests())
            QCOMPARE(r.encoding, QByteArray("gzip"));
        QVERIFY2(err.contains(QStringLiteral("1200 delivered (1200 this run), backlog 0")), qPrintable(err));
        QVERIFY(!err.contains(QStringLiteral("Complexpass")));
    }
};

QTEST_GUILESS_MAIN(TestConnectionTester)
#include "tst_connection_tester.moc"
