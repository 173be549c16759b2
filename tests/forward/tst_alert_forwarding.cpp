// Alerts forwarded to OpenObserve (the strict fake server on loopback): one record per firing and
// per resolution in "<stream>_alerts", durable across a server outage, and end to end from a
// collector that forwards flows.
#include "support/fake_openobserve.h"
#include "support/forward_fixtures.h"

#include "core/alert/alert_forwarder.h"
#include "core/alert/alert_store.h"
#include "core/collect/collector.h"
#include "core/gen/generator.h"

#include <atomic>

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

std::uint64_t wallNs()
{
    return std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
}

alert::AlertEvent storedAlert(const QString& rule, bool active)
{
    alert::AlertEvent e;
    e.rule = rule;
    e.key = QStringLiteral("10.0.0.1");
    e.by = alert::GroupBy::Source;
    e.expression = QStringLiteral("bytes_per_s > 1M");
    e.metric = alert::Metric::BytesPerSecond;
    const std::uint64_t now = wallNs() / 1000000000ull * 1000000000ull;
    e.startedNs = now - 20'000'000'000ull;
    e.firedNs = now - 19'000'000'000ull;
    e.resolvedNs = active ? 0 : now - 10'000'000'000ull;
    e.value = 2e6;
    e.threshold = 1e6;
    e.peak = 3e6;
    e.samples = {{std::int64_t(e.startedNs / 1000000000ull), 2e6, 1e6}};
    return e;
}

QStringList events(const QList<QJsonObject>& records)
{
    QStringList out;
    for (const auto& r : records)
        out << r[QStringLiteral("rule")].toString() + QLatin1Char(':') +
                   r[QStringLiteral("event")].toString();
    out.sort();
    return out;
}

} // namespace

class TestAlertForwarding : public QObject
{
    Q_OBJECT

private slots:
    void sendsEachTransitionOnce()
    {
        test::FakeOpenObserve fake;
        QVERIFY(fake.listen());
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("a.db"));
        auto store = alert::AlertStore::open(db);
        QVERIFY(store);
        std::vector<alert::AlertEvent> saved{storedAlert(QStringLiteral("firing"), true),
                                             storedAlert(QStringLiteral("over"), false)};
        QVERIFY((*store)->saveEvents(saved));

        auto f = alert::AlertForwarder::open(db, test::fastForwardConfig(fake));
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE((*f)->stream(), QStringLiteral("netflow1_alerts"));
        const QString stream = QStringLiteral("netflow1_alerts");
        (*f)->tick(wallNs());
        QTRY_COMPARE(fake.recordCount(stream), 3);
        QTRY_VERIFY(!(*f)->isBusy());
        QCOMPARE(events(fake.records(stream)),
                 (QStringList{QStringLiteral("firing:fired"), QStringLiteral("over:fired"),
                              QStringLiteral("over:resolved")}));
        const QJsonObject first = fake.records(stream).front();
        QCOMPARE(first[QStringLiteral("key")].toString(), QStringLiteral("10.0.0.1"));
        QCOMPARE(first[QStringLiteral("flows_filter")].toString(), QStringLiteral("src ip 10.0.0.1"));
        QCOMPARE(first[QStringLiteral("threshold")].toDouble(), 1e6);
        QVERIFY(first[QStringLiteral("_timestamp")].toInteger() > 0);

        // Nothing new: nothing sent. The firing alert resolving: its resolution alone.
        (*f)->tick(wallNs());
        QVERIFY(!(*f)->isBusy()); // nothing pending, nothing posted
        QCOMPARE(fake.ingestRequests(), 1);
        saved[0].resolvedNs = wallNs();
        std::vector<alert::AlertEvent> update{saved[0]};
        QVERIFY((*store)->saveEvents(update));
        (*f)->tick(wallNs());
        QTRY_COMPARE(fake.recordCount(stream), 4);
        QVERIFY(events(fake.records(stream)).contains(QStringLiteral("firing:resolved")));
        QCOMPARE(fake.recordCount(), 0); // nothing in the flows' stream
    }

    void keepsAlertsWhileTheServerIsDown()
    {
        test::FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const quint16 port = fake.port();
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("a.db"));
        auto store = alert::AlertStore::open(db);
        std::vector<alert::AlertEvent> saved{storedAlert(QStringLiteral("r"), false)};
        QVERIFY((*store)->saveEvents(saved));
        const auto config = test::fastForwardConfig(fake);
        fake.close();
        {
            auto f = alert::AlertForwarder::open(db, config);
            QVERIFY(f);
            (*f)->tick(wallNs());
            QTRY_VERIFY(!(*f)->isBusy());
            QVERIFY(!(*f)->lastError().isEmpty());
            QCOMPARE((*f)->delivered(), std::uint64_t(0));
        }
        // A later run (a restart) with the server back: the alert goes out.
        QVERIFY(fake.listen(port));
        fake.queueStatuses({503});
        auto f = alert::AlertForwarder::open(db, config);
        QVERIFY(f);
        (*f)->tick(wallNs());
        QTRY_VERIFY(!(*f)->isBusy());
        QCOMPARE(fake.recordCount(QStringLiteral("netflow1_alerts")), 0);
        // Backing off after the 503, then delivered.
        QTRY_VERIFY_WITH_TIMEOUT(
            ((*f)->tick(wallNs()), fake.recordCount(QStringLiteral("netflow1_alerts")) == 2), 5000);
        QCOMPARE((*f)->delivered(), std::uint64_t(2));
    }

    void collectorForwardsItsAlerts()
    {
        test::FakeOpenObserve fake;
        QVERIFY(fake.listen());
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("c.db"));
        {
            auto store = alert::AlertStore::open(db);
            auto rule = alert::makeRule(QStringLiteral("burst"), QStringLiteral("flows_per_s > 1k"),
                                        alert::GroupBy::None, {}, 0, 300);
            QVERIFY((*store)->addRule(*rule));
        }
        collect::CollectorConfig config;
        config.databasePath = db;
        config.endpoints = {decode::Endpoint{decode::IpAddress::fromV4(0x7f000001u), 0}};
        config.forward = test::fastForwardConfig(fake);
        collect::Collector collector;
        auto bound = collector.start(config);
        QVERIFY2(bound, qPrintable(bound ? QString() : bound.error()));
        gen::GenOptions o;
        o.target = bound->front().endpoint;
        o.proto = decode::Protocol::Ipfix;
        o.flowsPerSecond = 4000;
        o.count = 10000;
        std::atomic<bool> stop{false};
        QVERIFY(gen::runGenerator(o, stop));
        // Fired during the burst, resolved a few seconds after it.
        QTRY_VERIFY_WITH_TIMEOUT(fake.recordCount(QStringLiteral("netflow1_alerts")) >= 2, 20000);
        QVERIFY(collector.stop());
        QCOMPARE(events(fake.records(QStringLiteral("netflow1_alerts"))),
                 (QStringList{QStringLiteral("burst:fired"), QStringLiteral("burst:resolved")}));
        QVERIFY(fake.recordCount() > 0); // the flows go to their own stream
    }
};

QTEST_GUILESS_MAIN(TestAlertForwarding)
#include "tst_alert_forwarding.moc"
