// The collector evaluates the database's alert rules while it stores flows: live traffic from the
// generator on loopback (port 0), a quiet minute and then a burst; and the rules survive a restart.
#include "core/alert/alert_store.h"
#include "core/collect/collector.h"
#include "core/gen/generator.h"

#include <atomic>

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

alert::AlertRule testRule(const QString& name, const QString& when, std::int64_t cooldownS = 300)
{
    auto r = alert::makeRule(name, when, alert::GroupBy::None, {}, 0, cooldownS);
    if (!r)
        qFatal("bad rule in test: %s", qPrintable(r.error()));
    return *r;
}

collect::CollectorConfig configFor(const QString& db)
{
    collect::CollectorConfig config;
    config.databasePath = db;
    config.endpoints = {decode::Endpoint{decode::IpAddress::fromV4(0x7f000001u), 0}};
    return config;
}

Result<gen::GenStats> send(std::uint16_t port, double rate, std::uint64_t count, std::uint64_t seed)
{
    gen::GenOptions o;
    o.target = decode::Endpoint{decode::IpAddress::fromV4(0x7f000001u), port};
    o.proto = decode::Protocol::Ipfix;
    o.flowsPerSecond = rate;
    o.count = count;
    o.seed = seed;
    std::atomic<bool> stop{false};
    return gen::runGenerator(o, stop);
}

std::vector<alert::AlertEvent> storedEvents(const QString& db)
{
    auto s = alert::AlertStore::open(db, true);
    if (!s)
        return {};
    auto e = (*s)->events();
    return e ? *e : std::vector<alert::AlertEvent>{};
}

} // namespace

class TestCollectorAlerts : public QObject
{
    Q_OBJECT

private slots:
    void burstFiresThresholdAndBaselineRules()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("alerts.db"));
        {
            auto s = alert::AlertStore::open(db);
            QVERIFY2(s, qPrintable(s ? QString() : s.error()));
            QVERIFY((*s)->addRule(testRule(QStringLiteral("burst"), QStringLiteral("flows_per_s > 2k"))));
            QVERIFY(
                (*s)->addRule(testRule(QStringLiteral("spike"), QStringLiteral("flows_per_s > baseline"))));
            QVERIFY((*s)->addRule(testRule(QStringLiteral("never"), QStringLiteral("bytes_per_s > 10G"))));
        }
        collect::Collector collector;
        auto bound = collector.start(configFor(db));
        QVERIFY2(bound, qPrintable(bound ? QString() : bound.error()));
        const std::uint16_t port = bound->front().endpoint.port;
        QCOMPARE(collector.lastSnapshot().alerts.rules, 3);
        QVERIFY(collector.lastSnapshot().alerts.error.isEmpty());

        // A quiet minute (longer than the baseline's warm-up): 300 flows/s fire nothing.
        const auto quiet = send(port, 300, 300 * (alert::kBaselineWarmupS + 8), 1);
        QVERIFY2(quiet, qPrintable(quiet ? QString() : quiet.error()));
        QCOMPARE(collector.lastSnapshot().alerts.firedThisRun, std::uint64_t(0));

        // The burst: 6000 flows/s for 3 s. Alerts must start with it, not during the quiet minute.
        const auto burstStartNs = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
        QVERIFY(send(port, 6000, 18000, 2));
        QTRY_VERIFY_WITH_TIMEOUT(collector.lastSnapshot().alerts.firedThisRun >= 2, 15000);
        auto snap = collector.lastSnapshot().alerts;
        QStringList fired;
        for (const auto& e : snap.recent)
            fired << e.rule;
        fired.removeDuplicates();
        fired.sort();
        QCOMPARE(fired, (QStringList{QStringLiteral("burst"), QStringLiteral("spike")}));
        for (const auto& e : snap.recent) {
            QVERIFY(e.startedNs + 1000000000ull >= burstStartNs);
            // The first second over the line may be the burst's partial first second.
            QVERIFY2(e.value > e.threshold, qPrintable(e.summary()));
            QVERIFY(e.id > 0);
            if (e.rule == QLatin1String("spike"))
                QVERIFY2(e.threshold > 300 && e.threshold < 1000, qPrintable(QString::number(e.threshold)));
        }
        QVERIFY(collector.stop());
        const auto events = storedEvents(db);
        QCOMPARE(events.size(), std::size_t(2));
        for (const auto& e : events) {
            QVERIFY(
                !e.active()); // resolved when the burst ended, or at the latest when the collector stopped
            QVERIFY(!e.samples.empty());
        }

        // Restart: the rules are still there and evaluated. Cool-downs and baselines belong to a run:
        // "burst" fires again, "spike" learns afresh and stays silent while warming up.
        collect::Collector again;
        bound = again.start(configFor(db));
        QVERIFY2(bound, qPrintable(bound ? QString() : bound.error()));
        QCOMPARE(again.lastSnapshot().alerts.rules, 3);
        QVERIFY(send(bound->front().endpoint.port, 6000, 12000, 3));
        QTRY_VERIFY_WITH_TIMEOUT(again.lastSnapshot().alerts.firedThisRun >= 1, 15000);
        QCOMPARE(again.lastSnapshot().alerts.recent.front().rule, QStringLiteral("burst"));
        QVERIFY(again.stop());
        QCOMPARE(storedEvents(db).size(), std::size_t(3));
    }

    void brokenAlertTablesDoNotStopCollecting()
    {
        // Alerting is an add-on: the collector still stores flows when a rule cannot be parsed.
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("alerts.db"));
        {
            auto s = alert::AlertStore::open(db);
            QVERIFY(s);
            auto bad = testRule(QStringLiteral("bad"), QStringLiteral("flows_per_s > 1"));
            bad.expression = QStringLiteral("nonsense");
            QVERIFY((*s)->addRule(bad));
            QVERIFY((*s)->addRule(testRule(QStringLiteral("good"), QStringLiteral("flows_per_s > 100k"))));
        }
        collect::Collector collector;
        auto bound = collector.start(configFor(db));
        QVERIFY(bound);
        QCOMPARE(collector.lastSnapshot().alerts.rules, 1);
        QVERIFY2(collector.lastSnapshot().alerts.error.contains(QStringLiteral("bad")),
                 qPrintable(collector.lastSnapshot().alerts.error));
        QVERIFY(send(bound->front().endpoint.port, 5000, 1000, 4));
        auto stats = collector.stop();
        QVERIFY(stats);
        QCOMPARE(stats->flowsStored, std::uint64_t(1000));
    }
};

QTEST_GUILESS_MAIN(TestCollectorAlerts)
#include "tst_collector_alerts.moc"
