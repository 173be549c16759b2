#include "core/query/query_service.h"
#include "core/store/flow_reader.h"
#include "core/store/flow_writer.h"

#include <algorithm>
#include <map>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;
using store::Counters;
using store::Dimension;
using store::Metric;

namespace {

constexpr std::uint64_t kNs = 1'000'000'000ull;
constexpr std::uint64_t kBase = 1'800'000'000ull * kNs; // a minute boundary

decode::IpAddress v4(std::uint32_t a)
{
    return decode::IpAddress::fromV4(a);
}

/// A known dataset: 6000 flows over 5 minutes and 20 seconds, 7 sources with very different
/// weights, 3 destinations, TCP/UDP/ICMP, two exporters, some sampled flows.
std::vector<FlowRecord> dataset()
{
    std::vector<FlowRecord> flows;
    for (int i = 0; i < 6000; ++i) {
        FlowRecord r;
        r.time_received_ns = kBase + std::uint64_t(i) * 53'333'333ull; // 320 s
        const int s = i % 7;
        r.src_addr = v4(0x0a000001u + std::uint32_t(s));
        r.dst_addr = v4(0xc0000201u + std::uint32_t(i % 3));
        r.proto = i % 10 == 9 ? 1 : (i % 4 == 0 ? 17 : 6);
        r.src_port = std::uint16_t(40000 + i % 11);
        r.dst_port = r.proto == 1 ? 0 : std::uint16_t(i % 3 == 0 ? 443 : (i % 3 == 1 ? 53 : 80));
        r.bytes = std::uint64_t(100 * (s + 1) * (s + 1) + i % 13);
        r.packets = std::uint64_t(1 + (i % 5) + s);
        r.sampling_rate = i % 6 == 0 ? 10 : 0;
        r.sampler_address = v4(i % 2 ? 0xc6336401u : 0xc6336402u);
        r.type = decode::FlowType::NetFlowV9;
        r.in_if = std::uint32_t(i % 4);
        flows.push_back(r);
    }
    return flows;
}

QString writeDatabase(const QTemporaryDir& dir, const std::vector<FlowRecord>& flows)
{
    const QString path = dir.filePath(QStringLiteral("flows.db"));
    store::WriterOptions opts;
    opts.blockFlows = 700; // several blocks, blocks straddling minutes
    auto w = store::FlowWriter::open(path, opts);
    if (!w)
        return {};
    for (std::size_t i = 0; i < flows.size(); i += 500) {
        (*w)->add(std::span(flows).subspan(i, std::min<std::size_t>(500, flows.size() - i)));
        if (!(*w)->commit())
            return {};
    }
    decode::DomainKey key;
    key.exporter = decode::Endpoint{v4(0xc6336401u), 2055};
    decode::DomainStats st;
    st.type = decode::FlowType::NetFlowV9;
    st.version = 9;
    st.flows = 3000;
    st.datagrams = 100;
    st.sequenceLost = 2;
    st.sequenceExpected = 102;
    st.templatesActive = 3;
    (*w)->setExporters({{key, st}});
    if (!(*w)->close())
        return {};
    return path;
}

/// Brute force reference for a top-N: every key of `dim` in range and filter, ranked like runTop.
std::vector<query::TopEntry> bruteTop(const std::vector<FlowRecord>& flows, Dimension dim, Metric order,
                                      int limit, std::uint64_t since, std::uint64_t until,
                                      const query::Filter& filter, Counters* total = nullptr)
{
    std::map<store::RollupKey, Counters> map;
    for (const FlowRecord& r : flows) {
        if (r.time_received_ns < since || r.time_received_ns >= until || !filter.matches(r))
            continue;
        if (total)
            total->add(r);
        store::RollupKey keys[2];
        const int n = store::rollupKeys(dim, r, keys);
        for (int k = 0; k < n; ++k)
            map[keys[k]].add(r);
    }
    std::vector<query::TopEntry> rows;
    for (const auto& [k, c] : map)
        rows.push_back({k, c});
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        return store::metricValue(a.counters, order, false) > store::metricValue(b.counters, order, false);
    });
    if (limit > 0 && rows.size() > std::size_t(limit))
        rows.resize(std::size_t(limit));
    return rows;
}

std::vector<FlowRecord> matching(const std::vector<FlowRecord>& flows, std::uint64_t since,
                                 std::uint64_t until, const query::Filter& filter)
{
    std::vector<FlowRecord> out;
    for (const FlowRecord& r : flows)
        if (r.time_received_ns >= since && r.time_received_ns < until && filter.matches(r))
            out.push_back(r);
    return out;
}

bool sameFlow(const FlowRecord& a, const FlowRecord& b)
{
    return a.time_received_ns == b.time_received_ns && a.src_addr == b.src_addr && a.dst_addr == b.dst_addr &&
           a.bytes == b.bytes && a.packets == b.packets && a.proto == b.proto && a.src_port == b.src_port &&
           a.dst_port == b.dst_port && a.sampling_rate == b.sampling_rate && a.in_if == b.in_if;
}

query::Filter parse(const QString& text)
{
    auto f = query::Filter::parse(text);
    return f ? *f : query::Filter{};
}

} // namespace

class TestQueryService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::vector<FlowRecord> m_flows;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_flows = dataset();
        m_path = writeDatabase(m_dir, m_flows);
        QVERIFY(!m_path.isEmpty());
    }

    void knownTopValues()
    {
        // Hand-checked: source s sends 100*(s+1)^2 (+ i % 13) bytes per flow, so 10.0.0.7 leads by
        // bytes; unscaled bytes of 10.0.0.7: 858 flows * 4900 + sum of (i % 13) over its flows.
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        query::DashboardRequest req;
        req.tops = {{Dimension::Src, Metric::Bytes, 3}, {Dimension::Proto, Metric::Flows, 0}};
        req.raw = true;
        auto r = query::runDashboard(**reader, req);
        QVERIFY(r.has_value());
        QCOMPARE(r->tops.size(), std::size_t(2));
        const auto& src = r->tops[0].result.rows;
        QCOMPARE(src.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(store::rollupKeyText(Dimension::Src, src[0].key)),
                 QStringLiteral("10.0.0.7"));
        QCOMPARE(QString::fromStdString(store::rollupKeyText(Dimension::Src, src[1].key)),
                 QStringLiteral("10.0.0.6"));
        QCOMPARE(QString::fromStdString(store::rollupKeyText(Dimension::Src, src[2].key)),
                 QStringLiteral("10.0.0.5"));
        std::uint64_t expected = 0, flows7 = 0;
        for (int i = 6; i < 6000; i += 7) {
            expected += 4900 + std::uint64_t(i % 13);
            ++flows7;
        }
        QCOMPARE(flows7, std::uint64_t(857));
        QCOMPARE(src[0].counters.bytes, expected);
        QCOMPARE(src[0].counters.flows, flows7);
        // Protocols by flows: i % 10 == 9 is ICMP (600), else i % 4 == 0 is UDP, rest TCP.
        const auto& proto = r->tops[1].result.rows;
        QCOMPARE(proto.size(), std::size_t(3));
        QCOMPARE(int(proto[0].key.bytes[0]), 6);
        QCOMPARE(int(proto[2].key.bytes[0]), 1);
        QCOMPARE(proto[2].counters.flows, std::uint64_t(600));
        QCOMPARE(proto[0].counters.flows + proto[1].counters.flows + proto[2].counters.flows,
                 std::uint64_t(6000));
        QCOMPARE(r->total.flows, std::uint64_t(6000));
        QCOMPARE(r->database.flows, std::uint64_t(6000));
        QCOMPARE(r->database.firstNs, kBase);
    }

    void topsMatchBruteForce_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("metric");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<qulonglong>("since");
        QTest::addColumn<qulonglong>("until");
        const qulonglong all0 = kBase, all1 = kBase + 400 * kNs;
        const qulonglong mid0 = kBase + 37 * kNs, mid1 = kBase + 250 * kNs + 123;
        for (Dimension d : {Dimension::Src, Dimension::Dst, Dimension::Pair, Dimension::DstPort,
                            Dimension::SrcPort, Dimension::Proto, Dimension::Exporter, Dimension::Ip}) {
            for (Metric m : {Metric::Bytes, Metric::Packets, Metric::Flows}) {
                const QByteArray base = QByteArray(store::dimensionName(d).data()) + '/' +
                                        QByteArray(store::metricName(m).data());
                QTest::newRow(QByteArray(base + "/all").constData())
                    << int(d) << int(m) << QString() << all0 << all1;
                QTest::newRow(QByteArray(base + "/edges").constData())
                    << int(d) << int(m) << QString() << mid0 << mid1;
                QTest::newRow(QByteArray(base + "/filter").constData())
                    << int(d) << int(m) << QStringLiteral("proto tcp and not dst port 80") << mid0 << mid1;
            }
        }
    }

    void topsMatchBruteForce()
    {
        QFETCH(int, dim);
        QFETCH(int, metric);
        QFETCH(QString, filter);
        QFETCH(qulonglong, since);
        QFETCH(qulonglong, until);
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        query::DashboardRequest req;
        req.sinceNs = since;
        req.untilNs = until;
        req.filter = parse(filter);
        req.tops = {{Dimension(dim), Metric(metric), 5}};
        auto r = query::runDashboard(**reader, req);
        QVERIFY(r.has_value());
        Counters total;
        const auto expected =
            bruteTop(m_flows, Dimension(dim), Metric(metric), 5, since, until, req.filter, &total);
        const auto& rows = r->tops[0].result.rows;
        QCOMPARE(rows.size(), expected.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(store::metricValue(rows[i].counters, Metric(metric), false),
                     store::metricValue(expected[i].counters, Metric(metric), false));
            QCOMPARE(rows[i].counters.bytes, expected[i].counters.bytes);
            QCOMPARE(rows[i].counters.scaledBytes, expected[i].counters.scaledBytes);
        }
        QVERIFY(r->tops[0].result.exact);
        QCOMPARE(r->total.flows, total.flows);
        QCOMPARE(r->total.scaledBytes, total.scaledBytes);
        QCOMPARE(r->scanned, !filter.isEmpty());
        QVERIFY(r->sampled);
    }

    void seriesMatchBruteForce_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qulonglong>("since");
        QTest::addColumn<qulonglong>("until");
        const qulonglong mid0 = kBase + 37 * kNs, mid1 = kBase + 250 * kNs + 123;
        QTest::newRow("proto/rollups/minutes")
            << int(Dimension::Proto) << QString() << qint64(60) << mid0 << mid1;
        QTest::newRow("proto/scan/5s") << int(Dimension::Proto) << QString() << qint64(5) << mid0 << mid1;
        QTest::newRow("proto/filter/auto")
            << int(Dimension::Proto) << QStringLiteral("src ip 10.0.0.3") << qint64(0) << mid0 << mid1;
        QTest::newRow("exporter/rollups/2min") << int(Dimension::Exporter) << QString() << qint64(120)
                                               << qulonglong(kBase) << qulonglong(kBase + 320 * kNs);
        QTest::newRow("total/auto") << int(Dimension::Count_) << QString() << qint64(0) << mid0 << mid1;
        QTest::newRow("ip/rollups") << int(Dimension::Ip) << QString() << qint64(60) << mid0 << mid1;
    }

    void seriesMatchBruteForce()
    {
        QFETCH(int, dim);
        QFETCH(QString, filter);
        QFETCH(qint64, width);
        QFETCH(qulonglong, since);
        QFETCH(qulonglong, until);
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        query::SeriesRequest req;
        req.spec.by = Dimension(dim);
        req.spec.bucketSeconds = width;
        req.spec.topKeys = 2;
        req.sinceNs = since;
        req.untilNs = until;
        req.filter = parse(filter);
        auto r = query::runSeries(**reader, req);
        QVERIFY(r.has_value());
        if (width)
            QCOMPARE(r->bucketSeconds, width);
        QCOMPARE(r->firstBucketNs % (std::uint64_t(r->bucketSeconds) * kNs), std::uint64_t(0));
        QVERIFY(r->bucketStartNs(r->bucketCount() - 1) < until);
        QVERIFY(r->bucketStartNs(r->bucketCount() - 1) + std::uint64_t(r->bucketSeconds) * kNs >= until);
        // Every bucket: total = sum of keys + other, and equals the flows received in that bucket.
        const std::uint64_t w = std::uint64_t(r->bucketSeconds) * kNs;
        std::vector<Counters> expected(std::size_t(r->bucketCount()));
        std::map<store::RollupKey, Counters> perKey;
        for (const FlowRecord& f : matching(m_flows, since, until, req.filter)) {
            expected[std::size_t((f.time_received_ns - r->firstBucketNs) / w)].add(f);
            store::RollupKey keys[2];
            const int n = store::rollupKeys(
                Dimension(dim) == Dimension::Count_ ? Dimension::Proto : Dimension(dim), f, keys);
            for (int k = 0; k < n; ++k)
                perKey[keys[k]].add(f);
        }
        double covered = 0;
        for (int b = 0; b < r->bucketCount(); ++b) {
            QCOMPARE(r->total[std::size_t(b)].flows, expected[std::size_t(b)].flows);
            QCOMPARE(r->total[std::size_t(b)].scaledBytes, expected[std::size_t(b)].scaledBytes);
            covered += r->coveredSeconds[std::size_t(b)];
            if (Dimension(dim) == Dimension::Count_ || Dimension(dim) == Dimension::Ip)
                continue;
            Counters sum = r->other[std::size_t(b)];
            for (const auto& v : r->values)
                sum.add(v[std::size_t(b)]);
            QCOMPARE(sum.flows, expected[std::size_t(b)].flows);
            QCOMPARE(sum.bytes, expected[std::size_t(b)].bytes);
        }
        QCOMPARE(qRound64(covered * 1e9), qint64(until - since));
        if (Dimension(dim) != Dimension::Count_) {
            // Keys are the top 2 by scaled bytes over the range.
            QCOMPARE(r->keys.size(), std::min<std::size_t>(2, perKey.size()));
            for (const auto& key : r->keys) {
                std::uint64_t mine = perKey[key].scaledBytes;
                int better = 0;
                for (const auto& [k, c] : perKey)
                    better += c.scaledBytes > mine ? 1 : 0;
                QVERIFY(better < 2);
            }
        }
        QCOMPARE(r->fromRollups, filter.isEmpty() && width % 60 == 0 && width != 0);
    }

    void seriesReadsQuietMinutesFromFlows_data()
    {
        QTest::addColumn<int>("dim");
        QTest::newRow("src") << int(Dimension::Src);
        QTest::newRow("pair") << int(Dimension::Pair);
        QTest::newRow("ip") << int(Dimension::Ip);
        QTest::newRow("proto") << int(Dimension::Proto);
    }

    void seriesReadsQuietMinutesFromFlows()
    {
        // Few flows a minute, each from another source: the store keeps no source/pair/address rows
        // for such minutes (they would outweigh the flows) and the series must read the flows.
        QFETCH(int, dim);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("quiet.db"));
        std::vector<FlowRecord> flows;
        for (int i = 0; i < 240; ++i) {
            FlowRecord r;
            r.time_received_ns = kBase + std::uint64_t(i) * 1'000'000'000ull; // 4 minutes, 60 a minute
            r.src_addr = v4(0x0a100000u + std::uint32_t(i % 7 == 0 ? 1 : i));
            r.dst_addr = v4(0xc0000200u + std::uint32_t(i % 5));
            r.proto = i % 3 ? 6 : 17;
            r.bytes = std::uint64_t(1000 + i * 10);
            r.packets = 2;
            r.type = decode::FlowType::NetFlowV9;
            flows.push_back(r);
        }
        {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
            (*w)->add(flows);
            QVERIFY((*w)->close().has_value());
        }
        auto reader = store::FlowReader::open(path);
        QVERIFY(reader.has_value());
        const std::int64_t first = std::int64_t(kBase / kNs);
        auto sparse = (*reader)->sparseMinutes(Dimension::Src, first, first + 240);
        QVERIFY(sparse.has_value());
        QCOMPARE(sparse->size(), std::size_t(4)); // the premise of this test
        query::SeriesRequest req;
        req.spec.by = Dimension(dim);
        req.spec.bucketSeconds = 60;
        req.spec.topKeys = 3;
        req.sinceNs = kBase;
        req.untilNs = kBase + 240 * kNs;
        auto r = query::runSeries(**reader, req);
        QVERIFY(r.has_value());
        QVERIFY(r->fromRollups);
        QCOMPARE(r->bucketCount(), 4);
        std::map<store::RollupKey, std::vector<Counters>> perKey;
        std::vector<Counters> total(4);
        for (const FlowRecord& f : flows) {
            const std::size_t b = std::size_t((f.time_received_ns - kBase) / (60 * kNs));
            total[b].add(f);
            store::RollupKey keys[2];
            const int n = store::rollupKeys(Dimension(dim), f, keys);
            for (int k = 0; k < n; ++k) {
                auto& v = perKey[keys[k]];
                v.resize(4);
                v[b].add(f);
            }
        }
        for (int b = 0; b < 4; ++b)
            QCOMPARE(r->total[std::size_t(b)].bytes, total[std::size_t(b)].bytes);
        QCOMPARE(r->keys.size(), std::min<std::size_t>(3, perKey.size()));
        for (std::size_t k = 0; k < r->keys.size(); ++k)
            for (int b = 0; b < 4; ++b)
                QCOMPARE(r->values[k][std::size_t(b)].bytes, perKey[r->keys[k]][std::size_t(b)].bytes);
    }

    void flowPagesArrival_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<bool>("descending");
        QTest::newRow("all/asc") << QString() << false;
        QTest::newRow("all/desc") << QString() << true;
        QTest::newRow("filter/asc") << QStringLiteral("dst port 443 or proto icmp") << false;
        QTest::newRow("filter/desc") << QStringLiteral("dst port 443 or proto icmp") << true;
    }

    void flowPagesArrival()
    {
        QFETCH(QString, filter);
        QFETCH(bool, descending);
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        query::FlowPageCache cache;
        const std::uint64_t since = kBase + 37 * kNs, until = kBase + 250 * kNs + 123;
        auto expected = matching(m_flows, since, until, parse(filter));
        if (descending)
            std::reverse(expected.begin(), expected.end());
        query::FlowPageRequest req;
        req.sinceNs = since;
        req.untilNs = until;
        req.filter = parse(filter);
        req.descending = descending;
        req.limit = 333;
        std::vector<FlowRecord> got;
        for (;;) {
            auto page = query::runFlowPage(**reader, req, cache);
            QVERIFY(page.has_value());
            QCOMPARE(page->totalRows, std::uint64_t(expected.size()));
            QCOMPARE(page->offset, req.offset);
            if (page->rows.empty())
                break;
            got.insert(got.end(), page->rows.begin(), page->rows.end());
            req.snapshot = page->snapshot;
            req.offset += page->rows.size();
        }
        QCOMPARE(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(sameFlow(got[i], expected[i]), qPrintable(QStringLiteral("row %1").arg(i)));
        // Jump into the middle with the same snapshot.
        req.offset = 1001;
        req.limit = 7;
        auto page = query::runFlowPage(**reader, req, cache);
        QVERIFY(page.has_value());
        QCOMPARE(page->rows.size(), std::size_t(7));
        QVERIFY(sameFlow(page->rows[0], expected[1001]));
    }

    void flowPagesSorted_data()
    {
        QTest::addColumn<int>("field");
        QTest::addColumn<bool>("descending");
        QTest::addColumn<QString>("filter");
        QTest::newRow("bytes/desc") << int(decode::FlowField::Bytes) << true << QString();
        QTest::newRow("bytes/asc") << int(decode::FlowField::Bytes) << false << QString();
        QTest::newRow("src_addr/asc/filter")
            << int(decode::FlowField::SrcAddr) << false << QStringLiteral("proto udp");
        QTest::newRow("dst_port/desc") << int(decode::FlowField::DstPort) << true << QString();
    }

    void flowPagesSorted()
    {
        QFETCH(int, field);
        QFETCH(bool, descending);
        QFETCH(QString, filter);
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        query::FlowPageCache cache;
        auto expected = matching(m_flows, 0, UINT64_MAX, parse(filter));
        const auto f = decode::FlowField(field);
        std::stable_sort(expected.begin(), expected.end(), [&](const FlowRecord& a, const FlowRecord& b) {
            return descending ? query::flowLess(b, a, f) : query::flowLess(a, b, f);
        });
        query::FlowPageRequest req;
        req.sortField = f;
        req.descending = descending;
        req.filter = parse(filter);
        req.limit = 1000;
        std::vector<FlowRecord> got;
        for (;;) {
            auto page = query::runFlowPage(**reader, req, cache);
            QVERIFY(page.has_value());
            QCOMPARE(page->totalRows, std::uint64_t(expected.size()));
            if (page->rows.empty())
                break;
            got.insert(got.end(), page->rows.begin(), page->rows.end());
            req.snapshot = page->snapshot;
            req.offset += page->rows.size();
        }
        QCOMPARE(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(sameFlow(got[i], expected[i]), qPrintable(QStringLiteral("row %1").arg(i)));
    }

    void exportersFromDatabase()
    {
        auto reader = store::FlowReader::open(m_path);
        QVERIFY(reader.has_value());
        auto rows = query::readExporters(**reader);
        QVERIFY(rows.has_value());
        QCOMPARE(rows->size(), std::size_t(1));
        const auto& e = rows->front();
        QCOMPARE(e.endpoint, QStringLiteral("198.51.100.1:2055"));
        QCOMPARE(e.address, QStringLiteral("198.51.100.1"));
        QCOMPARE(e.type, QStringLiteral("NETFLOW_V9"));
        QCOMPARE(e.flows, std::uint64_t(3000));
        QCOMPARE(e.templatesActive, std::uint64_t(3));
        QCOMPARE(e.sequenceLost, std::uint64_t(2));
        QVERIFY(qAbs(e.lossPercent() - 200.0 / 102.0) < 1e-9);
    }

    void serviceDeliversOnChannel()
    {
        query::QueryService service(m_path, 2);
        QSignalSpy spy(&service, &query::QueryService::dashboardReady);
        query::DashboardRequest req;
        req.tops = {{Dimension::Dst, Metric::Flows, 3}};
        const quint64 id = service.requestDashboard(QStringLiteral("a"), req);
        QVERIFY(spy.wait(10000));
        QCOMPARE(spy.count(), 1);
        const auto reply = spy.at(0).at(0).value<query::DashboardReply>();
        QCOMPARE(reply.id, id);
        QCOMPARE(reply.channel, QStringLiteral("a"));
        QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
        QCOMPARE(reply.result.tops[0].result.rows.size(), std::size_t(3));
        QCOMPARE(reply.result.tops[0].result.rows[0].counters.flows, std::uint64_t(2000));
    }

    void newerRequestSupersedesOlder()
    {
        query::QueryService service(m_path, 1);
        QSignalSpy spy(&service, &query::QueryService::dashboardReady);
        QSignalSpy idle(&service, &query::QueryService::idle);
        query::DashboardRequest slow;
        slow.filter = parse(QStringLiteral("bytes > 0"));
        slow.tops = {{Dimension::Src, Metric::Bytes, 10}};
        service.requestDashboard(QStringLiteral("view"), slow); // runs at once, then is cancelled
        service.requestDashboard(QStringLiteral("view"), slow); // waits, then is replaced
        const quint64 last = service.requestDashboard(QStringLiteral("view"), slow);
        QVERIFY(idle.wait(10000));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<query::DashboardReply>().id, last);
    }

    void queuedRefreshLetsRunningFinish()
    {
        query::QueryService service(m_path, 1);
        QSignalSpy spy(&service, &query::QueryService::dashboardReady);
        QSignalSpy idle(&service, &query::QueryService::idle);
        query::DashboardRequest req;
        req.tops = {{Dimension::Src, Metric::Bytes, 10}};
        const quint64 first =
            service.requestDashboard(QStringLiteral("live"), req, query::QueryService::Supersede::Queue);
        const quint64 second =
            service.requestDashboard(QStringLiteral("live"), req, query::QueryService::Supersede::Queue);
        QVERIFY(idle.wait(10000));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(0).at(0).value<query::DashboardReply>().id, first);
        QCOMPARE(spy.at(1).at(0).value<query::DashboardReply>().id, second);
    }

    void channelsDoNotCancelEachOther()
    {
        query::QueryService service(m_path, 2);
        QSignalSpy spy(&service, &query::QueryService::dashboardReady);
        QSignalSpy pages(&service, &query::QueryService::flowPageReady);
        QSignalSpy idle(&service, &query::QueryService::idle);
        query::DashboardRequest req;
        req.tops = {{Dimension::Proto, Metric::Bytes, 10}};
        service.requestDashboard(QStringLiteral("overview"), req);
        service.requestDashboard(QStringLiteral("ports"), req);
        query::FlowPageRequest page;
        page.limit = 10;
        service.requestFlowPage(QStringLiteral("flows"), page);
        QVERIFY(idle.wait(10000));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(pages.count(), 1);
        QCOMPARE(pages.at(0).at(0).value<query::FlowPageReply>().page.rows.size(), std::size_t(10));
        QStringList channels{spy.at(0).at(0).value<query::DashboardReply>().channel,
                             spy.at(1).at(0).value<query::DashboardReply>().channel};
        channels.sort();
        QCOMPARE(channels, QStringList({QStringLiteral("overview"), QStringLiteral("ports")}));
    }

    void missingDatabaseIsAnError()
    {
        query::QueryService service(m_dir.filePath(QStringLiteral("missing.db")), 1);
        QSignalSpy spy(&service, &query::QueryService::databaseInfoReady);
        service.requestDatabaseInfo(QStringLiteral("info"));
        QVERIFY(spy.wait(10000));
        const auto reply = spy.at(0).at(0).value<query::DatabaseInfoReply>();
        QVERIFY(reply.error.contains(QStringLiteral("does not exist")));
    }

    void exportsFlowsToCsv()
    {
        query::QueryService service(m_path, 1);
        QSignalSpy spy(&service, &query::QueryService::flowExportFinished);
        query::FlowExportRequest req;
        req.filter = parse(QStringLiteral("proto icmp"));
        req.path = m_dir.filePath(QStringLiteral("icmp.csv"));
        service.requestFlowExport(QStringLiteral("export"), req);
        QVERIFY(spy.wait(10000));
        const auto reply = spy.at(0).at(0).value<query::FlowExportReply>();
        QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
        QCOMPARE(reply.flows, std::uint64_t(600));
        QFile f(req.path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), 602); // header, 600 flows, empty tail
        QVERIFY(lines[0].startsWith("type,") || lines[0].contains("src_addr"));
    }
};

QTEST_GUILESS_MAIN(TestQueryService)
#include "tst_query_service.moc"
