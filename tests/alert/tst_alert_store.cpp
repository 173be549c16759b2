// Alert rules and fired alerts in the database, and the monitor the collector runs on them.
#include "core/alert/alert_monitor.h"
#include "core/alert/alert_store.h"
#include "core/store/flow_writer.h"

#include <cmath>
#include <limits>

#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

alert::AlertRule testRule(const QString& name, const QString& when, alert::GroupBy by = alert::GroupBy::None,
                          const QString& filter = {}, std::int64_t forS = 0, std::int64_t cooldownS = 300)
{
    auto r = alert::makeRule(name, when, by, filter, forS, cooldownS);
    if (!r)
        qFatal("bad rule in test: %s", qPrintable(r.error()));
    return *r;
}

std::vector<decode::FlowRecord> flowsAt(std::uint64_t timeNs, int n, std::uint64_t bytes)
{
    std::vector<decode::FlowRecord> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        out[std::size_t(i)].time_received_ns = timeNs;
        out[std::size_t(i)].src_addr = decode::IpAddress::fromV4(0x0a000001u + std::uint32_t(i));
        out[std::size_t(i)].dst_addr = decode::IpAddress::fromV4(0xc0a80001u);
        out[std::size_t(i)].bytes = bytes;
        out[std::size_t(i)].packets = 1;
    }
    return out;
}

constexpr std::uint64_t kS = 1000000000ull;

} // namespace

class TestAlertStore : public QObject
{
    Q_OBJECT

private slots:
    void rulesSurviveReopening()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.db"));
        {
            auto s = alert::AlertStore::open(path);
            QVERIFY2(s, qPrintable(s ? QString() : s.error()));
            QVERIFY((*s)->addRule(testRule(QStringLiteral("web"), QStringLiteral("bytes_per_s > 50M"),
                                           alert::GroupBy::Destination, QStringLiteral("port 443"), 10, 60)));
            QVERIFY((*s)->addRule(testRule(QStringLiteral("scan"),
                                           QStringLiteral("distinct_dst > baseline + 4 dev"),
                                           alert::GroupBy::Source)));
            const auto dup =
                (*s)->addRule(testRule(QStringLiteral("web"), QStringLiteral("flows_per_s > 1")));
            QVERIFY(!dup);
            QVERIFY2(dup.error().contains(QStringLiteral("already exists")), qPrintable(dup.error()));
        }
        auto s = alert::AlertStore::open(path, true);
        QVERIFY2(s, qPrintable(s ? QString() : s.error()));
        auto rules = (*s)->rules();
        QVERIFY(rules);
        QCOMPARE(rules->size(), std::size_t(2));
        const auto& scan = (*rules)[0]; // by name
        const auto& web = (*rules)[1];
        QCOMPARE(scan.name, QStringLiteral("scan"));
        QVERIFY(scan.condition.baseline);
        QCOMPARE(scan.condition.deviations, 4.0);
        QCOMPARE(scan.by, alert::GroupBy::Source);
        QCOMPARE(web.name, QStringLiteral("web"));
        QCOMPARE(web.expression, QStringLiteral("bytes_per_s > 50M"));
        QCOMPARE(web.condition.threshold, 50e6);
        QCOMPARE(web.by, alert::GroupBy::Destination);
        QCOMPARE(web.filterText, QStringLiteral("port 443"));
        QCOMPARE(web.forSeconds, std::int64_t(10));
        QCOMPARE(web.cooldownSeconds, std::int64_t(60));
        QVERIFY(web.enabled);
        QVERIFY(web.createdNs > 0);

        auto rw = alert::AlertStore::open(path);
        QVERIFY(rw);
        const auto before = (*rw)->rulesVersion();
        QVERIFY((*rw)->setEnabled(QStringLiteral("web"), false));
        QVERIFY(*(*rw)->rulesVersion() != *before);
        QVERIFY(!(*rw)->setEnabled(QStringLiteral("nope"), false));
        QCOMPARE(*(*rw)->removeRule(QStringLiteral("web")), true);
        QCOMPARE(*(*rw)->removeRule(QStringLiteral("web")), false);
        QCOMPARE((*rw)->rules()->size(), std::size_t(1));
    }

    void eventsRoundTrip()
    {
        QTemporaryDir dir;
        auto s = alert::AlertStore::open(dir.filePath(QStringLiteral("a.db")));
        QVERIFY(s);
        alert::AlertEvent e;
        e.rule = QStringLiteral("web");
        e.key = QStringLiteral("10.0.0.1");
        e.by = alert::GroupBy::Source;
        e.expression = QStringLiteral("bytes_per_s > baseline");
        e.metric = alert::Metric::BytesPerSecond;
        e.filterText = QStringLiteral("tcp");
        e.startedNs = 100 * kS;
        e.firedNs = 101 * kS;
        e.value = 5e6;
        e.threshold = 1e6;
        e.peak = 5e6;
        e.samples = {{99, 1000, std::numeric_limits<double>::quiet_NaN()}, {100, 5e6, 1e6}};
        alert::AlertEvent other = e;
        other.rule = QStringLiteral("dns");
        other.firedNs = 50 * kS;
        other.resolvedNs = 60 * kS;
        std::vector<alert::AlertEvent> batch{e, other};
        QVERIFY((*s)->saveEvents(batch));
        QVERIFY(batch[0].id > 0 && batch[1].id > batch[0].id);

        auto all = (*s)->events();
        QVERIFY(all);
        QCOMPARE(all->size(), std::size_t(2));
        const auto& got = all->front(); // newest first
        QCOMPARE(got.rule, QStringLiteral("web"));
        QCOMPARE(got.key, QStringLiteral("10.0.0.1"));
        QCOMPARE(got.by, alert::GroupBy::Source);
        QCOMPARE(got.metric, alert::Metric::BytesPerSecond);
        QVERIFY(got.active());
        QCOMPARE(got.samples.size(), std::size_t(2));
        QVERIFY(std::isnan(got.samples[0].threshold));
        QCOMPARE(got.samples[1].value, 5e6);
        QCOMPARE(got.flowFilter(), QStringLiteral("(tcp) and src ip 10.0.0.1"));

        alert::EventQuery q;
        q.activeOnly = true;
        QCOMPARE((*s)->events(q)->size(), std::size_t(1));
        q = {};
        q.rule = QStringLiteral("dns");
        QCOMPARE((*s)->events(q)->size(), std::size_t(1));
        q = {};
        q.sinceNs = 70 * kS; // dns resolved before: only the active one
        QCOMPARE((*s)->events(q)->size(), std::size_t(1));

        // Update: resolved, more samples.
        batch[0].resolvedNs = 110 * kS;
        batch[0].peak = 7e6;
        batch[0].samples.push_back({101, 7e6, 1e6});
        std::vector<alert::AlertEvent> update{batch[0]};
        QVERIFY((*s)->saveEvents(update));
        all = (*s)->events();
        QCOMPARE(all->size(), std::size_t(2));
        QCOMPARE(all->front().resolvedNs, 110 * kS);
        QCOMPARE(all->front().peak, 7e6);
        QCOMPARE(all->front().samples.size(), std::size_t(3));
    }

    void danglingAlertsEndAtTheirLastSample()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.db"));
        auto s = alert::AlertStore::open(path);
        alert::AlertEvent e;
        e.rule = QStringLiteral("r");
        e.firedNs = 10 * kS;
        e.samples = {{9, 1, 0}, {10, 1, 0}, {11, 1, 0}};
        std::vector<alert::AlertEvent> batch{e};
        QVERIFY((*s)->saveEvents(batch));
        QCOMPARE(*(*s)->resolveDangling(), 1);
        QCOMPARE((*s)->events()->front().resolvedNs, 12 * kS);
        QCOMPARE(*(*s)->resolveDangling(), 0);
    }

    void readOnlyOpenRefusesMissingFiles()
    {
        QTemporaryDir dir;
        QVERIFY(!alert::AlertStore::open(dir.filePath(QStringLiteral("missing.db")), true));
    }

    void monitorPicksUpRulesAndStoresAlerts()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.db"));
        auto monitor = alert::AlertMonitor::open(path);
        QVERIFY2(monitor, qPrintable(monitor ? QString() : monitor.error()));
        auto& m = **monitor;
        QCOMPARE(m.snapshot().rules, 0);

        // Another connection (flowlens-cli alert add) adds a rule while the monitor runs.
        auto cli = alert::AlertStore::open(path);
        QVERIFY((*cli)->addRule(testRule(QStringLiteral("big"), QStringLiteral("bytes_per_s > 1M"))));
        auto disabled = testRule(QStringLiteral("off"), QStringLiteral("bytes_per_s > 1"));
        disabled.enabled = false;
        QVERIFY((*cli)->addRule(disabled));
        const std::uint64_t t0 = 1764320000 * kS;
        m.tick(t0);
        QCOMPARE(m.snapshot().rules, 1);

        for (int s = 0; s < 5; ++s)
            m.add(flowsAt(t0 + std::uint64_t(s) * kS, 10, s >= 2 ? 500000 : 1000));
        m.tick(t0 + 6 * kS); // seconds 0..3 complete
        auto snap = m.snapshot();
        QCOMPARE(snap.active.size(), std::size_t(1));
        QCOMPARE(snap.active.front().rule, QStringLiteral("big"));
        QVERIFY(snap.active.front().id > 0);
        QCOMPARE(snap.recent.size(), std::size_t(1));
        QCOMPARE(snap.firedThisRun, std::uint64_t(1));
        auto transitions = m.takeTransitions();
        QCOMPARE(transitions.size(), std::size_t(1));
        QVERIFY(transitions.front().active());
        auto stored = (*cli)->events();
        QCOMPARE(stored->size(), std::size_t(1));
        QVERIFY(stored->front().active());
        QCOMPARE(stored->front().value, 5e6);

        m.finish(t0 + 10 * kS);
        snap = m.snapshot();
        QVERIFY(snap.active.empty());
        QVERIFY(!snap.recent.front().active());
        stored = (*cli)->events();
        QCOMPARE(stored->size(), std::size_t(1));
        QCOMPARE(stored->front().resolvedNs, t0 + 10 * kS);
        QCOMPARE(stored->front().peak, 5e6);

        // Removing the rule: the next tick evaluates nothing, the history stays.
        QVERIFY(*(*cli)->removeRule(QStringLiteral("big")));
        m.tick(t0 + 20 * kS);
        QCOMPARE(m.snapshot().rules, 0);
        QCOMPARE((*cli)->events()->size(), std::size_t(1));
    }

    void writerAndAlertsShareTheFile()
    {
        // The collector's writer and monitor open the same file: both migrations agree.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY2(w, qPrintable(w ? QString() : w.error()));
        auto m = alert::AlertMonitor::open(path);
        QVERIFY2(m, qPrintable(m ? QString() : m.error()));
        auto flows = flowsAt(1764320000 * kS, 3, 100);
        (*w)->add(flows);
        QVERIFY((*w)->commit());
        auto s = alert::AlertStore::open(path, true);
        QVERIFY(s);
        QVERIFY((*s)->rules()->empty());
    }
};

QTEST_GUILESS_MAIN(TestAlertStore)
#include "tst_alert_store.moc"
