// runTop against a brute-force count of the same flows: rollup tiers, edges, truncation bounds.
#include "core/query/top_query.h"
#include "core/store/flow_reader.h"
#include "core/store/flow_writer.h"

#include <map>
#include <random>
#include <set>

#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;

namespace {

constexpr std::uint64_t kNs = 1'000'000'000ull;
constexpr std::uint64_t kStart = 1'800'000'000ull * kNs; // on an hour boundary (1.8e9 s = 500000 h)

std::vector<FlowRecord> makeFlows()
{
    std::mt19937_64 rng(99);
    std::vector<FlowRecord> flows;
    // Three hours, one flow every 100 ms; sources Zipf-like over 6000 addresses so hours keep more
    // keys than a bucket stores.
    for (std::uint64_t t = kStart; t < kStart + 3 * 3600 * kNs; t += 100'000'000ull) {
        FlowRecord r;
        r.time_received_ns = t;
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        const auto rank = std::uint32_t(std::pow(6000.0, u)); // heavy head, long tail
        r.src_addr = decode::IpAddress::fromV4(0x0a000000u + rank);
        r.dst_addr = decode::IpAddress::fromV4(0xc6336400u + std::uint32_t(rng() % 300));
        r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
        r.proto = (rng() % 10) < 7 ? 6 : 17;
        r.src_port = std::uint16_t(32768 + rng() % 20000);
        r.dst_port = std::uint16_t((rng() % 4) ? 443 : 53 + rng() % 50);
        r.packets = 1 + rng() % 40;
        r.bytes = r.packets * (40 + rng() % 1400);
        r.sampling_rate = (rng() % 3) ? 0 : 10;
        r.type = decode::FlowType::Ipfix;
        flows.push_back(r);
    }
    return flows;
}

std::vector<std::pair<std::string, store::Counters>> bruteForce(const std::vector<FlowRecord>& flows,
                                                                store::Dimension by, std::uint64_t since,
                                                                std::uint64_t until, store::Metric order,
                                                                int limit)
{
    std::map<store::RollupKey, store::Counters> m;
    for (const auto& r : flows) {
        if (r.time_received_ns < since || r.time_received_ns >= until)
            continue;
        store::RollupKey keys[2];
        const int n = store::rollupKeys(by, r, keys);
        for (int k = 0; k < n; ++k)
            m[keys[k]].add(r);
    }
    std::vector<std::pair<store::RollupKey, store::Counters>> v(m.begin(), m.end());
    std::sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
        const auto va = store::metricValue(a.second, order, true),
                   vb = store::metricValue(b.second, order, true);
        return va != vb ? va > vb : a.first < b.first;
    });
    std::vector<std::pair<std::string, store::Counters>> out;
    for (int i = 0; i < limit && i < int(v.size()); ++i)
        out.emplace_back(store::rollupKeyText(by, v[std::size_t(i)].first), v[std::size_t(i)].second);
    return out;
}

} // namespace

class TestTopQuery : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::vector<FlowRecord> m_flows;
    QString m_db;

private slots:
    void initTestCase()
    {
        m_flows = makeFlows();
        m_db = m_dir.filePath(QStringLiteral("top.db"));
        auto w = store::FlowWriter::open(m_db);
        QVERIFY(w.has_value());
        for (std::size_t i = 0; i < m_flows.size(); i += 5000) {
            (*w)->add(std::span(m_flows).subspan(i, std::min<std::size_t>(5000, m_flows.size() - i)));
            QVERIFY((*w)->commit().has_value());
        }
        QVERIFY((*w)->close().has_value());
    }

    void matchesBruteForce_data()
    {
        QTest::addColumn<int>("by");
        QTest::addColumn<qint64>("sinceS");
        QTest::addColumn<qint64>("untilS");
        QTest::addColumn<int>("order");
        const qint64 s = qint64(kStart / kNs);
        const int dims[] = {int(store::Dimension::Src),    int(store::Dimension::Dst),
                            int(store::Dimension::Proto),  int(store::Dimension::DstPort),
                            int(store::Dimension::Ip),     int(store::Dimension::Pair),
                            int(store::Dimension::SrcPort)};
        for (int d : dims) {
            const QByteArray name(store::dimensionName(store::Dimension(d)).data());
            QTest::newRow(QByteArray(name + " everything").constData())
                << d << qint64(0) << qint64(0) << int(store::Metric::Bytes);
            QTest::newRow(QByteArray(name + " one hour").constData())
                << d << s + 3600 << s + 7200 << int(store::Metric::Bytes);
            QTest::newRow(QByteArray(name + " unaligned").constData())
                << d << s + 617 << s + 2 * 3600 + 1931 << int(store::Metric::Packets);
            QTest::newRow(QByteArray(name + " ten minutes").constData())
                << d << s + 1200 << s + 1800 << int(store::Metric::Flows);
            QTest::newRow(QByteArray(name + " 90 seconds").constData())
                << d << s + 30 << s + 120 << int(store::Metric::Bytes);
        }
    }

    void matchesBruteForce()
    {
        QFETCH(int, by);
        QFETCH(qint64, sinceS);
        QFETCH(qint64, untilS);
        QFETCH(int, order);
        query::TopRequest req;
        req.by = store::Dimension(by);
        req.order = store::Metric(order);
        req.limit = 10;
        req.raw = true;
        if (sinceS)
            req.sinceNs = std::uint64_t(sinceS) * kNs;
        if (untilS)
            req.untilNs = std::uint64_t(untilS) * kNs;
        auto reader = store::FlowReader::open(m_db);
        QVERIFY(reader.has_value());
        auto result = query::runTop(**reader, req);
        QVERIFY(result.has_value());
        QVERIFY(result->exact);
        // Low-cardinality dimensions are never truncated: rollups always answer them.
        if (req.by == store::Dimension::Proto || req.by == store::Dimension::DstPort)
            QVERIFY(result->fromRollups);
        qInfo("%s", result->fromRollups ? "answered from rollups" : "answered by scanning");
        const auto expected = bruteForce(m_flows, req.by, req.sinceNs, req.untilNs, req.order, 10);
        QCOMPARE(int(result->rows.size()), int(expected.size()));
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(store::rollupKeyText(req.by, result->rows[i].key), expected[i].first);
            QCOMPARE(result->rows[i].counters.bytes, expected[i].second.bytes);
            QCOMPARE(result->rows[i].counters.packets, expected[i].second.packets);
            QCOMPARE(result->rows[i].counters.flows, expected[i].second.flows);
            QCOMPARE(result->rows[i].counters.scaledBytes, expected[i].second.scaledBytes);
        }
    }

    void usesCoarseTiersAndSaysSo()
    {
        auto reader = store::FlowReader::open(m_db);
        query::TopRequest req;
        req.by = store::Dimension::Proto;
        auto r = query::runTop(**reader, req);
        QVERIFY(r.has_value());
        QVERIFY(r->fromRollups);
        QCOMPARE(r->total.flows, std::uint64_t(m_flows.size()));
        QVERIFY(r->sampled);
        // Three complete hours are stored in the hour tier.
        auto hours = (*reader)->completeBuckets(3600, 0, INT64_MAX / 2);
        QVERIFY(hours.has_value());
        QCOMPARE(int(hours->size()), 3);
    }

    void approximateWhenAllowedAndUnprovable()
    {
        // Without requireExact, a long-tail ranking that the truncation bounds cannot prove is
        // returned from rollups and flagged as approximate rather than scanned.
        auto reader = store::FlowReader::open(m_db);
        query::TopRequest req;
        req.by = store::Dimension::Src;
        req.order = store::Metric::Flows;
        req.limit = 1000;
        req.requireExact = false;
        auto r = query::runTop(**reader, req);
        QVERIFY(r.has_value());
        QVERIFY(r->fromRollups);
        QVERIFY(!r->exact);
        req.requireExact = true;
        auto exact = query::runTop(**reader, req);
        QVERIFY(exact->exact);
        QVERIFY(!exact->fromRollups);
        QCOMPARE(int(exact->rows.size()), 1000);
    }

    /// Two hours (and ten minutes more) of a long tail (20,000 sources) plus twelve steady heavy
    /// sources, and an elephant: one huge flow in the first hour (and, with `returns`, one small
    /// flow in the second hour, which that hour's rows drop).
    static std::vector<FlowRecord> elephantFlows(bool returns)
    {
        std::mt19937_64 rng(5);
        std::vector<FlowRecord> flows;
        for (std::uint64_t t = kStart; t < kStart + (2 * 3600 + 600) * kNs; t += 100'000'000ull) {
            FlowRecord r;
            r.time_received_ns = t;
            const std::uint64_t n = (t - kStart) / 100'000'000ull;
            if (n % 10 == 0) {
                const std::uint32_t heavy = std::uint32_t(n / 10 % 12);
                r.src_addr = decode::IpAddress::fromV4(0xac100000u + heavy);
                r.bytes = 100'000 + heavy * 1000;
            } else {
                r.src_addr = decode::IpAddress::fromV4(0x0a000000u + std::uint32_t(rng() % 20000));
                r.bytes = 100 + rng() % 1000;
            }
            if (t == kStart + 1800 * kNs) {
                r.src_addr = decode::IpAddress::fromV4(0xc0a80001u);
                r.bytes = 900'000'000;
            }
            if (returns && t == kStart + 5400 * kNs) {
                r.src_addr = decode::IpAddress::fromV4(0xc0a80001u);
                r.bytes = 150;
            }
            r.dst_addr = decode::IpAddress::fromV4(0x08080808u);
            r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
            r.proto = 6;
            r.packets = 1;
            flows.push_back(r);
        }
        return flows;
    }

    static QString writeFlows(const QTemporaryDir& dir, const std::vector<FlowRecord>& flows)
    {
        const QString path = dir.filePath(QStringLiteral("e.db"));
        auto w = store::FlowWriter::open(path);
        if (!w)
            return {};
        (*w)->add(flows);
        return (*w)->close() ? path : QString();
    }

    void keySetsProveAnElephantExact()
    {
        // Two hours (and ten minutes more) of a long tail (20,000 sources) plus twelve steady heavy sources,
        // and one elephant: a single huge flow in the first hour. The second hour's rows do not show the
        // elephant; only its key set says it had nothing there, so the top 10 is exact from the
        // hour rollups without reading a single flow.
        QTemporaryDir dir;
        const std::vector<FlowRecord> flows = elephantFlows(false);
        const QString path = writeFlows(dir, flows);
        QVERIFY(!path.isEmpty());
        auto reader = store::FlowReader::open(path);
        query::TopRequest req;
        req.by = store::Dimension::Src;
        req.limit = 10;
        req.raw = true;
        req.sinceNs = kStart;
        req.untilNs = kStart + 2 * 3600 * kNs; // the two hours: read from the hour tier alone
        auto r = query::runTop(**reader, req);
        QVERIFY(r.has_value());
        QVERIFY(r->exact);
        QVERIFY(r->fromRollups);
        QVERIFY(r->keysAtLeast); // truncated hours do not show every source
        QVERIFY(r->keys < 20000);
        const auto expected = bruteForce(flows, req.by, req.sinceNs, req.untilNs, req.order, 10);
        QCOMPARE(store::rollupKeyText(req.by, r->rows[0].key), QStringLiteral("192.168.0.1").toStdString());
        QCOMPARE(int(r->rows.size()), int(expected.size()));
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(store::rollupKeyText(req.by, r->rows[i].key), expected[i].first);
            QCOMPARE(r->rows[i].counters.bytes, expected[i].second.bytes);
            QCOMPARE(r->rows[i].counters.flows, expected[i].second.flows);
        }
        // The elephant is not among the second hour's rows: the key set decided.
        const std::int64_t hour2 = std::int64_t(kStart / kNs) + 3600;
        auto rows = (*reader)->rollupRows(store::Dimension::Src, hour2, hour2 + 3600, 3600);
        for (const auto& row : *rows)
            QVERIFY(store::rollupKeyText(req.by, row.key) != "192.168.0.1");
    }

    void candidatesAreReadWhereUncertain()
    {
        // The elephant comes back with one small flow in the second hour: that hour dropped it and
        // its key set cannot rule it out, so the bounds leave its value uncertain. Only it (and
        // keys that could still reach the top 10) is read from the second hour's flows; the answer
        // is exact and matches counting every flow.
        QTemporaryDir dir;
        const std::vector<FlowRecord> flows = elephantFlows(true);
        const QString path = writeFlows(dir, flows);
        QVERIFY(!path.isEmpty());
        auto reader = store::FlowReader::open(path);
        for (auto order : {store::Metric::Bytes, store::Metric::Flows}) {
            query::TopRequest req;
            req.by = store::Dimension::Src;
            req.order = order;
            req.limit = 10;
            req.raw = true;
            req.sinceNs = kStart;
            req.untilNs = kStart + 2 * 3600 * kNs;
            auto r = query::runTop(**reader, req);
            QVERIFY(r.has_value());
            QVERIFY(r->exact);
            if (order == store::Metric::Bytes)
                QVERIFY(r->fromRollups); // refined, not scanned whole
            const auto expected = bruteForce(flows, req.by, req.sinceNs, req.untilNs, req.order, 10);
            QCOMPARE(int(r->rows.size()), int(expected.size()));
            for (std::size_t i = 0; i < expected.size(); ++i) {
                QCOMPARE(store::rollupKeyText(req.by, r->rows[i].key), expected[i].first);
                QCOMPARE(r->rows[i].counters.bytes, expected[i].second.bytes);
                QCOMPARE(r->rows[i].counters.flows, expected[i].second.flows);
            }
            if (order == store::Metric::Bytes)
                QCOMPARE(r->rows[0].counters.bytes, std::uint64_t(900'000'150));
        }
    }

    void coarseBucketsKeepEveryPort()
    {
        // Two hours of client traffic from 30,000 ephemeral source ports (far more than a bucket's
        // 500 rows per metric), and an ephemeral port carried by one huge flow in the first hour and
        // one small flow in the second: the case that used to leave every hour unprovable and made
        // a day's port ranking read every flow. 10-minute and hour buckets keep all their ports, so
        // the ranking is exact from rollups without reading a flow.
        QTemporaryDir dir;
        std::mt19937_64 rng(17);
        std::vector<FlowRecord> flows;
        for (std::uint64_t t = kStart; t < kStart + 2 * 3600 * kNs; t += 50'000'000ull) {
            FlowRecord r;
            r.time_received_ns = t;
            r.src_addr = decode::IpAddress::fromV4(0x0a000000u + std::uint32_t(rng() % 500));
            r.dst_addr = decode::IpAddress::fromV4(0x08080808u);
            r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
            r.proto = 6;
            r.src_port = std::uint16_t(32768 + rng() % 30000);
            r.dst_port = 443;
            r.packets = 1 + rng() % 10;
            r.bytes = r.packets * (60 + rng() % 1400);
            if (t == kStart + 1800 * kNs || t == kStart + 5400 * kNs) {
                r.src_port = 61000;
                r.bytes = t == kStart + 1800 * kNs ? 700'000'000 : 90;
            }
            flows.push_back(r);
        }
        const QString path = writeFlows(dir, flows);
        QVERIFY(!path.isEmpty());
        auto reader = store::FlowReader::open(path);
        const std::int64_t hour1 = std::int64_t(kStart / kNs);
        std::set<std::uint16_t> ports, allPorts;
        for (const auto& f : flows) {
            allPorts.insert(f.src_port);
            if (f.time_received_ns < kStart + 3600 * kNs)
                ports.insert(f.src_port);
        }
        auto rows = (*reader)->rollupRows(store::Dimension::SrcPort, hour1, hour1 + 3600, 3600);
        QVERIFY(rows.has_value());
        QCOMPARE(rows->size(), ports.size()); // every port, no "other" row
        auto cuts = (*reader)->rollupCuts(store::Dimension::SrcPort, hour1, hour1 + 7200, 3600);
        QVERIFY(cuts.has_value());
        QVERIFY(cuts->empty());
        auto minuteCuts = (*reader)->rollupCuts(store::Dimension::SrcPort, hour1, hour1 + 60, 60);
        QCOMPARE(int(minuteCuts->size()), 1); // minutes still keep 100 per metric

        for (auto order : {store::Metric::Bytes, store::Metric::Flows, store::Metric::Packets}) {
            query::TopRequest req;
            req.by = store::Dimension::SrcPort;
            req.order = order;
            req.limit = 10;
            req.raw = true;
            req.sinceNs = kStart;
            req.untilNs = kStart + 2 * 3600 * kNs;
            const std::uint64_t before = (*reader)->flowsScanned();
            auto r = query::runTop(**reader, req);
            QVERIFY(r.has_value());
            QVERIFY(r->exact);
            QVERIFY(r->fromRollups);
            QCOMPARE((*reader)->flowsScanned(), before); // not a flow read
            QVERIFY(!r->keysAtLeast);
            QCOMPARE(int(r->keys), int(allPorts.size()));
            const auto expected = bruteForce(flows, req.by, req.sinceNs, req.untilNs, req.order, 10);
            QCOMPARE(int(r->rows.size()), int(expected.size()));
            for (std::size_t i = 0; i < expected.size(); ++i) {
                QCOMPARE(store::rollupKeyText(req.by, r->rows[i].key), expected[i].first);
                QCOMPARE(r->rows[i].counters.bytes, expected[i].second.bytes);
                QCOMPARE(r->rows[i].counters.packets, expected[i].second.packets);
                QCOMPARE(r->rows[i].counters.flows, expected[i].second.flows);
            }
            if (order == store::Metric::Bytes) // the elephant, with its small flow of the second hour
                QCOMPARE(store::rollupKeyText(req.by, r->rows[0].key), std::string("61000"));
        }
    }

    void reopenedMinuteIsReadNotTrusted()
    {
        // Late flows for a minute that already closed and was truncated re-open it ("merged": its
        // bounds prove nothing). The planner reads that minute's flows and keeps the rest from
        // rollups, so protocols stay a rollup answer and every ranking stays exact.
        const QString path = m_dir.filePath(QStringLiteral("reopened.db"));
        // Dense minutes (20,000 flows over 400 sources), so each keeps rows and records a cut.
        std::mt19937_64 rng(7);
        std::vector<FlowRecord> flows;
        for (std::uint64_t t = kStart; t < kStart + 1800 * kNs; t += 3'000'000ull) {
            FlowRecord r;
            r.time_received_ns = t;
            const double u = std::uniform_real_distribution<double>(0, 1)(rng);
            r.src_addr = decode::IpAddress::fromV4(0x0a000000u + std::uint32_t(std::pow(400.0, u)));
            r.dst_addr = decode::IpAddress::fromV4(0xc6336400u + std::uint32_t(rng() % 50));
            r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
            r.proto = (rng() % 10) < 7 ? 6 : 17;
            r.dst_port = std::uint16_t((rng() % 4) ? 443 : 53 + rng() % 200);
            r.packets = 1 + rng() % 40;
            r.bytes = r.packets * (40 + rng() % 1400);
            r.type = decode::FlowType::Ipfix;
            flows.push_back(r);
        }
        {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
            for (std::size_t i = 0; i < flows.size(); i += 20000) {
                (*w)->add(std::span(flows).subspan(i, std::min<std::size_t>(20000, flows.size() - i)));
                QVERIFY((*w)->commit().has_value());
            }
            // 400 late flows for minute 10, long after it closed, from sources the minute saw.
            std::vector<FlowRecord> late;
            for (int i = 0; i < 400; ++i) {
                FlowRecord r = flows[std::size_t(200000 + i * 7)];
                r.time_received_ns = kStart + 600 * kNs + std::uint64_t(i) * 100'000'000ull;
                late.push_back(r);
            }
            (*w)->add(late);
            QVERIFY((*w)->commit().has_value());
            QVERIFY((*w)->close().has_value());
            flows.insert(flows.end(), late.begin(), late.end());
        }
        auto reader = store::FlowReader::open(path);
        QVERIFY(reader.has_value());
        auto cuts = (*reader)->rollupCuts(store::Dimension::Src, std::int64_t(kStart / kNs),
                                          std::int64_t(kStart / kNs) + 3 * 3600, 60);
        QVERIFY(cuts.has_value());
        bool reopened = false;
        for (const auto& c : *cuts)
            reopened = reopened || (c.merged && c.bucket == std::int64_t(kStart / kNs) + 600);
        QVERIFY2(reopened, "the late flows should have re-opened minute 10");
        for (store::Dimension d :
             {store::Dimension::Proto, store::Dimension::Src, store::Dimension::DstPort}) {
            query::TopRequest req;
            req.by = d;
            req.limit = 10;
            req.raw = true;
            req.sinceNs = kStart;
            req.untilNs = kStart + 1800 * kNs;
            auto r = query::runTop(**reader, req);
            QVERIFY(r.has_value());
            QVERIFY(r->exact);
            if (d == store::Dimension::Proto)
                QVERIFY(r->fromRollups);
            const auto expected = bruteForce(flows, d, req.sinceNs, req.untilNs, req.order, 10);
            QCOMPARE(int(r->rows.size()), int(expected.size()));
            for (std::size_t i = 0; i < expected.size(); ++i) {
                QCOMPARE(store::rollupKeyText(d, r->rows[i].key), expected[i].first);
                QCOMPARE(r->rows[i].counters.bytes, expected[i].second.bytes);
                QCOMPARE(r->rows[i].counters.flows, expected[i].second.flows);
            }
        }
    }

    void filteredTopScans()
    {
        auto reader = store::FlowReader::open(m_db);
        query::TopRequest req;
        req.by = store::Dimension::Src;
        req.filter = *query::Filter::parse(QStringLiteral("proto udp and dst port 53"));
        req.raw = true;
        auto r = query::runTop(**reader, req);
        QVERIFY(r.has_value());
        QVERIFY(!r->fromRollups);
        QVERIFY(!r->keysAtLeast); // every flow of the range was read: the distinct count is exact
        std::uint64_t expected = 0;
        for (const auto& f : m_flows)
            if (f.proto == 17 && f.dst_port == 53)
                expected += f.bytes;
        QCOMPARE(r->total.bytes, expected);
    }
};

QTEST_GUILESS_MAIN(TestTopQuery)
#include "tst_top_query.moc"
