// Alert rules evaluated on replayed traffic: flows are encoded as IPFIX export datagrams by the
// generator's encoder, decoded by the collector's decoder with receive times second by second (as a
// capture replays), and fed to the engine as the writer feeds it.
#include "core/alert/alert_engine.h"
#include "core/decode/flow_decoder.h"
#include "core/gen/ipfix_encoder.h"

#include <cmath>

#include <QtTest>

using namespace flowlens;

namespace {

constexpr std::int64_t kT0 = 1764320000; // unix seconds of the first replayed second

decode::IpAddress v4(std::uint32_t a)
{
    return decode::IpAddress::fromV4(a);
}

/// Quiet traffic: `n` flows of 1000 bytes / 2 packets from 10.0.0.1-5 to 192.168.0.1:443.
std::vector<decode::FlowRecord> quietFlows(int n)
{
    std::vector<decode::FlowRecord> out;
    for (int i = 0; i < n; ++i) {
        decode::FlowRecord r;
        r.src_addr = v4(0x0a000001u + std::uint32_t(i % 5));
        r.dst_addr = v4(0xc0a80001u);
        r.src_port = std::uint16_t(40000 + i);
        r.dst_port = 443;
        r.proto = 6;
        r.bytes = 1000;
        r.packets = 2;
        out.push_back(r);
    }
    return out;
}

/// A burst: `n` flows of 1000 bytes / 10 packets from 10.9.9.9 to 100 hosts of 192.168.1.0/24, port 53.
std::vector<decode::FlowRecord> burstFlows(int n)
{
    std::vector<decode::FlowRecord> out;
    for (int i = 0; i < n; ++i) {
        decode::FlowRecord r;
        r.src_addr = v4(0x0a090909u);
        r.dst_addr = v4(0xc0a80100u + std::uint32_t(i % 100));
        r.src_port = std::uint16_t(50000 + i);
        r.dst_port = 53;
        r.proto = 17;
        r.bytes = 1000;
        r.packets = 10;
        out.push_back(r);
    }
    return out;
}

/// Encodes flows as one exporter's IPFIX datagrams and decodes them as received in a given second.
class Replay
{
public:
    Replay()
        : m_encoder(gen::EncoderOptions{})
    {}

    /// Feeds one second of traffic to the engine and returns the decoded flows' count.
    std::size_t second(alert::AlertEngine& engine, std::int64_t second,
                       const std::vector<decode::FlowRecord>& flows)
    {
        gen::DatagramBatch batch;
        const std::uint64_t base = std::uint64_t(second) * 1000000000ull;
        std::vector<decode::FlowRecord> timed = flows;
        for (auto& f : timed) {
            f.time_flow_start_ns = base - 2000000000ull;
            f.time_flow_end_ns = base - 1000000000ull;
        }
        m_encoder.encode(timed, base, batch);
        std::vector<decode::FlowRecord> decoded;
        for (std::size_t i = 0; i < batch.size(); ++i)
            m_decoder.decode(batch.at(i), m_exporter, base + 1000 * i, decoded);
        engine.add(decoded);
        return decoded.size();
    }

private:
    gen::IpfixEncoder m_encoder;
    decode::FlowDecoder m_decoder;
    decode::Endpoint m_exporter{v4(0x0a010001u), 4739};
};

alert::AlertRule rule(const QString& when, alert::GroupBy by = alert::GroupBy::None,
                      const QString& filter = {}, std::int64_t forS = 0, std::int64_t cooldownS = 300)
{
    auto r = alert::makeRule(QStringLiteral("r"), when, by, filter, forS, cooldownS);
    if (!r)
        qFatal("bad rule in test: %s", qPrintable(r.error()));
    return *r;
}

/// Collects every change the engine reports, keeping the latest copy of each alert.
struct Recorder
{
    std::vector<alert::AlertEvent> events;
    void take(alert::AlertEngine& engine)
    {
        for (auto& e : engine.takeChanges(1)) {
            auto it = std::find_if(events.begin(), events.end(),
                                   [&](const auto& x) { return x.serial == e.serial; });
            if (it == events.end())
                events.push_back(e);
            else
                *it = e;
        }
    }
};

/// Quiet seconds [from, to) with `perSecond(s)` quiet flows each.
template <class F>
void quiet(Replay& replay, alert::AlertEngine& engine, Recorder& rec, std::int64_t from, std::int64_t to,
           F perSecond)
{
    for (std::int64_t s = from; s < to; ++s) {
        replay.second(engine, s, quietFlows(perSecond(s)));
        rec.take(engine);
    }
}

int steady(std::int64_t)
{
    return 10;
}

/// 8, 9, 10, 11, 12, 11, 10, 9, ... flows a second: quiet traffic that is not flat.
int jitter(std::int64_t s)
{
    static const int pattern[] = {8, 9, 10, 11, 12, 11, 10, 9};
    return pattern[s % 8];
}

std::uint64_t ns(std::int64_t s)
{
    return std::uint64_t(s) * 1000000000ull;
}

} // namespace

class TestAlertEngine : public QObject
{
    Q_OBJECT

private slots:
    void parseCondition_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("metric");
        QTest::addColumn<bool>("baseline");
        QTest::addColumn<double>("value"); // threshold, or deviations for a baseline

        QTest::newRow("M suffix") << QStringLiteral("bytes_per_s > 50M") << true
                                  << int(alert::Metric::BytesPerSecond) << false << 50e6;
        QTest::newRow("k decimal") << QStringLiteral("flows_per_s>=1.5k") << true
                                   << int(alert::Metric::FlowsPerSecond) << false << 1500.0;
        QTest::newRow("G") << QStringLiteral("  packets_per_s < 2G ") << true
                           << int(alert::Metric::PacketsPerSecond) << false << 2e9;
        QTest::newRow("plain") << QStringLiteral("distinct_dst > 100") << true
                               << int(alert::Metric::DistinctDestinations) << false << 100.0;
        QTest::newRow("ports") << QStringLiteral("distinct_dst_ports > 20") << true
                               << int(alert::Metric::DistinctPorts) << false << 20.0;
        QTest::newRow("baseline") << QStringLiteral("bytes_per_s > baseline") << true
                                  << int(alert::Metric::BytesPerSecond) << true << 3.0;
        QTest::newRow("baseline dev") << QStringLiteral("distinct_src > BASELINE + 4.5 dev") << true
                                      << int(alert::Metric::DistinctSources) << true << 4.5;
        QTest::newRow("unknown metric") << QStringLiteral("bits_per_s > 5") << false << 0 << false << 0.0;
        QTest::newRow("no operator") << QStringLiteral("bytes_per_s 5") << false << 0 << false << 0.0;
        QTest::newRow("bad number") << QStringLiteral("bytes_per_s > 5X") << false << 0 << false << 0.0;
        QTest::newRow("baseline below")
            << QStringLiteral("bytes_per_s < baseline") << false << 0 << false << 0.0;
        QTest::newRow("empty") << QString() << false << 0 << false << 0.0;
    }

    void parseCondition()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(int, metric);
        QFETCH(bool, baseline);
        QFETCH(double, value);
        const auto c = alert::parseCondition(text);
        QCOMPARE(c.has_value(), ok);
        if (!ok) {
            QVERIFY(!c.error().isEmpty());
            return;
        }
        QCOMPARE(int(c->metric), metric);
        QCOMPARE(c->baseline, baseline);
        QCOMPARE(baseline ? c->deviations : c->threshold, value);
    }

    void makeRuleChecksInput()
    {
        QVERIFY(!alert::makeRule(QStringLiteral("has space"), QStringLiteral("flows_per_s > 1"),
                                 alert::GroupBy::None, {}, 0, 0));
        const auto badFilter = alert::makeRule(QStringLiteral("x"), QStringLiteral("flows_per_s > 1"),
                                               alert::GroupBy::None, QStringLiteral("port banana"), 0, 0);
        QVERIFY(!badFilter);
        QVERIFY2(badFilter.error().contains(QStringLiteral("filter")), qPrintable(badFilter.error()));
        QVERIFY(!alert::makeRule(QStringLiteral("x"), QStringLiteral("flows_per_s > 1"), alert::GroupBy::None,
                                 {}, -1, 0));
        QCOMPARE(alert::formatValue(52.3e6), QStringLiteral("52.3M"));
        QCOMPARE(alert::formatValue(1500), QStringLiteral("1.5k"));
        QCOMPARE(alert::formatValue(12), QStringLiteral("12"));
    }

    void thresholdFiresOnReplayedBurst_data()
    {
        QTest::addColumn<QString>("when");
        QTest::addColumn<int>("by");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("fires");
        QTest::addColumn<QString>("key");
        QTest::addColumn<double>("value"); // in the second it fired

        // Quiet: 10 flows/s, 10 kB/s, 20 packets/s, 1 destination. Burst: +100 flows/s of 1 kB / 10
        // packets from 10.9.9.9 to 100 destinations on port 53.
        const int none = int(alert::GroupBy::None);
        QTest::newRow("bytes") << QStringLiteral("bytes_per_s > 50k") << none << QString() << 1 << QString()
                               << 110000.0;
        QTest::newRow("packets") << QStringLiteral("packets_per_s > 500") << none << QString() << 1
                                 << QString() << 1020.0;
        QTest::newRow("flows") << QStringLiteral("flows_per_s >= 110") << none << QString() << 1 << QString()
                               << 110.0;
        QTest::newRow("distinct dst")
            << QStringLiteral("distinct_dst > 50") << none << QString() << 1 << QString() << 101.0;
        QTest::newRow("per source") << QStringLiteral("bytes_per_s > 50k") << int(alert::GroupBy::Source)
                                    << QString() << 1 << QStringLiteral("10.9.9.9") << 100000.0;
        QTest::newRow("per port") << QStringLiteral("flows_per_s > 50") << int(alert::GroupBy::Port)
                                  << QString() << 1 << QStringLiteral("53") << 100.0;
        QTest::newRow("per exporter") << QStringLiteral("flows_per_s > 50") << int(alert::GroupBy::Exporter)
                                      << QString() << 1 << QStringLiteral("10.1.0.1") << 110.0;
        QTest::newRow("distinct dst per source")
            << QStringLiteral("distinct_dst > 50") << int(alert::GroupBy::Source) << QString() << 1
            << QStringLiteral("10.9.9.9") << 100.0;
        QTest::newRow("filter matching the burst")
            << QStringLiteral("flows_per_s > 50") << none << QStringLiteral("udp and dst port 53") << 1
            << QString() << 100.0;
        QTest::newRow("filter missing the burst") << QStringLiteral("flows_per_s > 50") << none
                                                  << QStringLiteral("dst port 443") << 0 << QString() << 0.0;
        QTest::newRow("per destination stays under")
            << QStringLiteral("flows_per_s > 50") << int(alert::GroupBy::Destination) << QString() << 0
            << QString() << 0.0;
        QTest::newRow("below the burst")
            << QStringLiteral("bytes_per_s > 200k") << none << QString() << 0 << QString() << 0.0;
    }

    void thresholdFiresOnReplayedBurst()
    {
        QFETCH(QString, when);
        QFETCH(int, by);
        QFETCH(QString, filter);
        QFETCH(int, fires);
        QFETCH(QString, key);
        QFETCH(double, value);
        alert::AlertEngine engine;
        engine.setRules({rule(when, alert::GroupBy(by), filter)});
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 30, steady);
        QCOMPARE(rec.events.size(), std::size_t(0));
        for (std::int64_t s = kT0 + 30; s < kT0 + 40; ++s) {
            auto flows = quietFlows(10);
            const auto burst = burstFlows(100);
            flows.insert(flows.end(), burst.begin(), burst.end());
            QCOMPARE(replay.second(engine, s, flows), std::size_t(110));
            rec.take(engine);
        }
        quiet(replay, engine, rec, kT0 + 40, kT0 + 60, steady);
        QCOMPARE(int(rec.events.size()), fires);
        if (!fires)
            return;
        const auto& e = rec.events.front();
        QCOMPARE(e.rule, QStringLiteral("r"));
        QCOMPARE(e.key, key);
        QCOMPARE(e.value, value);
        QCOMPARE(e.peak, value);
        QCOMPARE(e.startedNs, ns(kT0 + 30));
        QCOMPARE(e.firedNs, ns(kT0 + 31)); // at the end of the first second over the line
        QCOMPARE(e.resolvedNs, ns(kT0 + 40));
        QCOMPARE(e.threshold, rule(when).condition.threshold);
        // The chart: the seconds before firing, then every second while active, in order.
        QVERIFY(e.samples.size() >= (by == int(alert::GroupBy::None) ? 40u : 11u));
        QCOMPARE(e.samples.back().second, kT0 + 40);
        for (std::size_t i = 1; i < e.samples.size(); ++i)
            QCOMPARE(e.samples[i].second, e.samples[i - 1].second + 1);
        const auto fired = std::find_if(e.samples.begin(), e.samples.end(),
                                        [](const alert::AlertSample& s) { return s.second == kT0 + 30; });
        QVERIFY(fired != e.samples.end());
        QCOMPARE(fired->value, value);
        QCOMPARE(fired->threshold, e.threshold);
        // The flows behind the alert.
        if (!key.isEmpty())
            QVERIFY2(e.flowFilter().contains(key), qPrintable(e.flowFilter()));
        if (!filter.isEmpty())
            QVERIFY2(e.flowFilter().startsWith(QStringLiteral("(") + filter + QStringLiteral(")")),
                     qPrintable(e.flowFilter()));
        QVERIFY(query::Filter::parse(e.flowFilter()).has_value());
    }

    void baselineFiresOnReplayedBurst_data()
    {
        QTest::addColumn<QString>("when");
        QTest::addColumn<double>("normal");
        QTest::newRow("flows") << QStringLiteral("flows_per_s > baseline") << 10.0;
        QTest::newRow("bytes, 5 deviations") << QStringLiteral("bytes_per_s > baseline + 5 dev") << 10000.0;
        QTest::newRow("distinct sources") << QStringLiteral("distinct_src > baseline") << 5.0;
    }

    void baselineFiresOnReplayedBurst()
    {
        QFETCH(QString, when);
        QFETCH(double, normal);
        alert::AlertEngine engine;
        engine.setRules({rule(when)});
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 600, jitter);
        QCOMPARE(rec.events.size(), std::size_t(0));
        // A burst from many sources, ten times the usual traffic.
        for (std::int64_t s = kT0 + 600; s < kT0 + 605; ++s) {
            auto flows = quietFlows(10);
            for (int i = 0; i < 90; ++i) {
                auto f = burstFlows(1).front();
                f.src_addr = v4(0x0a090000u + std::uint32_t(i));
                f.packets = 2;
                flows.push_back(f);
            }
            replay.second(engine, s, flows);
            rec.take(engine);
        }
        quiet(replay, engine, rec, kT0 + 605, kT0 + 620, steady);
        QCOMPARE(rec.events.size(), std::size_t(1));
        const auto& e = rec.events.front();
        QCOMPARE(e.startedNs, ns(kT0 + 600));
        QVERIFY(!e.active());
        // The learned line: above the normal level, far below the burst.
        QVERIFY2(e.threshold > normal && e.threshold < 2.5 * normal,
                 qPrintable(QString::number(e.threshold)));
        QVERIFY(e.value > 5 * normal);
    }

    void quietTrafficFiresNeither()
    {
        alert::AlertEngine engine;
        std::vector<alert::AlertRule> rules{
            rule(QStringLiteral("bytes_per_s > 50k")), rule(QStringLiteral("flows_per_s > baseline")),
            rule(QStringLiteral("bytes_per_s > baseline"), alert::GroupBy::Source)};
        rules[1].name = QStringLiteral("b");
        rules[2].name = QStringLiteral("c");
        engine.setRules(rules);
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 900, jitter);
        QCOMPARE(rec.events.size(), std::size_t(0));
        QCOMPARE(engine.firedCount(), std::uint64_t(0));
    }

    void baselineWarmsUpBeforeFiring()
    {
        // A burst in the first seconds: nothing to compare with yet, so the baseline rule is silent.
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s > baseline"))});
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 10, steady);
        replay.second(engine, kT0 + 10, burstFlows(200));
        quiet(replay, engine, rec, kT0 + 11, kT0 + 20, steady);
        QCOMPARE(rec.events.size(), std::size_t(0));
    }

    void forHoldsBeforeFiring_data()
    {
        QTest::addColumn<int>("burstSeconds");
        QTest::addColumn<int>("fires");
        QTest::newRow("shorter than --for") << 4 << 0;
        QTest::newRow("exactly --for") << 5 << 1;
        QTest::newRow("longer than --for") << 12 << 1;
    }

    void forHoldsBeforeFiring()
    {
        QFETCH(int, burstSeconds);
        QFETCH(int, fires);
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s > 50"), alert::GroupBy::None, {}, 5)});
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 10, steady);
        for (int i = 0; i < burstSeconds; ++i) {
            replay.second(engine, kT0 + 10 + i, burstFlows(100));
            rec.take(engine);
        }
        // A one-second dip does not resolve an alert held for 5 s.
        const std::int64_t end = kT0 + 10 + burstSeconds;
        quiet(replay, engine, rec, end, end + 1, steady);
        if (fires)
            QVERIFY(rec.events.front().active());
        for (int i = 0; i < 3; ++i)
            replay.second(engine, end + 1 + i, burstFlows(100));
        rec.take(engine);
        quiet(replay, engine, rec, end + 4, end + 20, steady);
        if (burstSeconds < 5) {
            // 4 s, a dip, 3 s: never 5 seconds in a row.
            QCOMPARE(rec.events.size(), std::size_t(0));
            return;
        }
        QCOMPARE(int(rec.events.size()), fires);
        const auto& e = rec.events.front();
        QCOMPARE(e.startedNs, ns(kT0 + 10));
        QCOMPARE(e.firedNs, ns(kT0 + 15));   // the 5th second over the line ended
        QCOMPARE(e.resolvedNs, ns(end + 4)); // clear for 5 s after the last burst second
    }

    void cooldownKeepsTheRuleQuiet_data()
    {
        QTest::addColumn<int>("cooldown");
        QTest::addColumn<int>("fires");
        QTest::newRow("no cool-down") << 0 << 3;
        QTest::newRow("30 s cool-down") << 30 << 2;
        QTest::newRow("1 h cool-down") << 3600 << 1;
    }

    void cooldownKeepsTheRuleQuiet()
    {
        QFETCH(int, cooldown);
        QFETCH(int, fires);
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s > 50"), alert::GroupBy::None, {}, 0, cooldown)});
        Replay replay;
        Recorder rec;
        // Bursts of 3 s starting at +10, +20 and +60: the second within 30 s of the first's end.
        std::int64_t s = kT0;
        for (std::int64_t burstStart : {kT0 + 10, kT0 + 20, kT0 + 60}) {
            quiet(replay, engine, rec, s, burstStart, steady);
            for (int i = 0; i < 3; ++i) {
                replay.second(engine, burstStart + i, burstFlows(100));
                rec.take(engine);
            }
            s = burstStart + 3;
        }
        quiet(replay, engine, rec, s, s + 10, steady);
        QCOMPARE(int(rec.events.size()), fires);
        QCOMPARE(rec.events.front().startedNs, ns(kT0 + 10));
        if (fires == 2)
            QCOMPARE(rec.events[1].startedNs, ns(kT0 + 60));
        for (const auto& e : rec.events)
            QVERIFY(!e.active());
    }

    void resolvesWhenTrafficStops()
    {
        alert::AlertEngine engine(alert::EngineOptions{});
        engine.setRules({rule(QStringLiteral("bytes_per_s > 50k"))});
        Replay replay;
        Recorder rec;
        for (int i = 0; i < 3; ++i)
            replay.second(engine, kT0 + i, burstFlows(100));
        engine.advanceTo(ns(kT0 + 5)); // seconds up to +2 are complete (2 s grace)
        rec.take(engine);
        QCOMPARE(rec.events.size(), std::size_t(1));
        QVERIFY(rec.events.front().active());
        QCOMPARE(engine.active().size(), std::size_t(1));
        // No flow at all any more: the clock alone closes the seconds.
        engine.advanceTo(ns(kT0 + 10));
        rec.take(engine);
        QCOMPARE(rec.events.front().resolvedNs, ns(kT0 + 3));
        QVERIFY(engine.active().empty());
    }

    void lessThanFiresWhenTrafficStops()
    {
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s < 1"), alert::GroupBy::None, {}, 10)});
        Replay replay;
        Recorder rec;
        quiet(replay, engine, rec, kT0, kT0 + 20, steady);
        engine.advanceTo(ns(kT0 + 40));
        rec.take(engine);
        QCOMPARE(rec.events.size(), std::size_t(1));
        QCOMPARE(rec.events.front().startedNs, ns(kT0 + 20));
        QCOMPARE(rec.events.front().firedNs, ns(kT0 + 30));
    }

    void finishResolvesActiveAlerts()
    {
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s > 50"))});
        Replay replay;
        Recorder rec;
        replay.second(engine, kT0, burstFlows(100));
        replay.second(engine, kT0 + 1, burstFlows(100));
        engine.finish(ns(kT0 + 2));
        rec.take(engine);
        QCOMPARE(rec.events.size(), std::size_t(1));
        QCOMPARE(rec.events.front().firedNs, ns(kT0 + 1));
        QCOMPARE(rec.events.front().resolvedNs, ns(kT0 + 2));
    }

    void changedRulesKeepOrDropState()
    {
        alert::AlertEngine engine;
        engine.setRules({rule(QStringLiteral("flows_per_s > 50"))});
        Replay replay;
        Recorder rec;
        replay.second(engine, kT0, burstFlows(100));
        replay.second(engine, kT0 + 1, burstFlows(100));
        rec.take(engine);
        QCOMPARE(engine.active().size(), std::size_t(1));
        // The same rule again (a reload of unchanged rules): the alert stays active, nothing new.
        engine.setRules({rule(QStringLiteral("flows_per_s > 50"))});
        rec.take(engine);
        QCOMPARE(engine.active().size(), std::size_t(1));
        QCOMPARE(rec.events.size(), std::size_t(1));
        // Removing the rule ends its alert.
        engine.setRules({});
        rec.take(engine);
        QVERIFY(engine.active().empty());
        QCOMPARE(rec.events.size(), std::size_t(1));
        QVERIFY(!rec.events.front().active());
    }

    void keyedRulesAreBounded()
    {
        alert::EngineOptions o;
        o.maxKeysPerRule = 50;
        alert::AlertEngine engine(o);
        engine.setRules({rule(QStringLiteral("flows_per_s > 0"), alert::GroupBy::Destination)});
        Replay replay;
        Recorder rec;
        replay.second(engine, kT0, burstFlows(100)); // 100 destinations, 50 tracked
        replay.second(engine, kT0 + 1, {});
        engine.advanceTo(ns(kT0 + 4));
        rec.take(engine);
        QCOMPARE(rec.events.size(), std::size_t(50));
    }
};

QTEST_GUILESS_MAIN(TestAlertEngine)
#include "tst_alert_engine.moc"
