// Packed rollup buckets (rollup_rows.data, schema 7): round trips, damage, size, and the upgrade of
// schema-6 databases whose rollups were one row per key.
#include "core/store/flow_reader.h"
#include "core/store/rollup_blob.h"
#include "core/store/schema.h"
#include "core/store/sqlite_db.h"

#include <algorithm>
#include <random>
#include <set>

#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using store::Counters;
using store::RollupKey;
using store::RollupRow;

namespace {

RollupKey key(std::size_t size, std::uint64_t value)
{
    RollupKey k;
    k.size = std::uint8_t(size);
    for (std::size_t i = 0; i < size && i < 8; ++i)
        k.bytes[size - 1 - i] = std::uint8_t(value >> (8 * i));
    if (size > 8)
        k.bytes[0] = 0x20; // an IPv6-looking prefix
    return k;
}

Counters counters(std::mt19937_64& rng, std::uint64_t rate)
{
    Counters c;
    c.flows = 1 + rng() % 50;
    c.packets = c.flows + rng() % 100000;
    c.bytes = c.packets * (40 + rng() % 1460);
    c.scaledPackets = c.packets * rate;
    c.scaledBytes = c.bytes * rate;
    return c;
}

using Rows = std::vector<std::pair<RollupKey, Counters>>;

/// Decoded rows as (key, counters), sorted by key, "other" (empty key) first.
Rows decoded(const std::vector<std::byte>& blob, std::int64_t bucket, bool* ok = nullptr)
{
    std::vector<RollupRow> rows;
    const bool good = store::decodeRollupRows(blob, bucket, rows);
    if (ok)
        *ok = good;
    Rows out;
    for (const RollupRow& r : rows) {
        if (r.bucket != bucket)
            return {};
        out.emplace_back(r.key, r.counters);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

bool same(const Counters& a, const Counters& b)
{
    return a.flows == b.flows && a.packets == b.packets && a.bytes == b.bytes &&
           a.scaledPackets == b.scaledPackets && a.scaledBytes == b.scaledBytes;
}

bool sameRows(Rows a, const Rows& b)
{
    std::sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i].first == b[i].first) || !same(a[i].second, b[i].second))
            return false;
    return true;
}

} // namespace

class TestRollupBlob : public QObject
{
    Q_OBJECT

private slots:
    void roundTrips_data()
    {
        QTest::addColumn<int>("keySize"); // 0: mixed sizes (IPv4 and IPv6 addresses)
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("rate");
        QTest::addColumn<bool>("withOther");
        QTest::newRow("empty") << 2 << 0 << 1 << false;
        QTest::newRow("only other") << 2 << 0 << 1 << true;
        QTest::newRow("protocols") << 1 << 5 << 1 << false;
        QTest::newRow("ports, all of a bucket") << 2 << 40000 << 1 << false;
        QTest::newRow("ports, sampled 1:1000") << 2 << 3000 << 1000 << true;
        QTest::newRow("AS numbers") << 4 << 300 << 10 << true;
        QTest::newRow("addresses") << 16 << 750 << 1 << true;
        QTest::newRow("pairs") << 32 << 1500 << 64 << true;
        QTest::newRow("mixed sizes") << 0 << 900 << 1 << true;
    }

    void roundTrips()
    {
        QFETCH(int, keySize);
        QFETCH(int, count);
        QFETCH(int, rate);
        QFETCH(bool, withOther);
        std::mt19937_64 rng(std::uint64_t(keySize * 1000 + count));
        Rows rows;
        std::set<RollupKey> seen;
        while (int(rows.size()) < count) {
            const std::size_t size = keySize ? std::size_t(keySize) : (rng() % 2 ? 4 : 16);
            const RollupKey k = key(size, keySize == 2 ? rng() % 65536 : rng());
            if (seen.insert(k).second)
                rows.emplace_back(k, counters(rng, std::uint64_t(rate)));
        }
        Counters other;
        if (withOther)
            other = counters(rng, std::uint64_t(rate));
        const auto blob = store::encodeRollupRows(rows, other);
        Rows expected = rows;
        if (withOther)
            expected.emplace_back(RollupKey{}, other);
        std::sort(expected.begin(), expected.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        bool ok = false;
        const Rows back = decoded(blob, 1795853400, &ok);
        QVERIFY(ok);
        QVERIFY(sameRows(back, expected));
        if (keySize == 2 && count == 40000) {
            // Every port of a busy hour: a few bytes each (the old layout took about 45).
            qInfo("40000 ports: %zu bytes (%.2f per port)", blob.size(), double(blob.size()) / count);
            QVERIFY(blob.size() < std::size_t(count) * 8);
        }
    }

    void appendsToWhatIsThere()
    {
        std::mt19937_64 rng(3);
        const Rows a{{key(2, 80), counters(rng, 1)}, {key(2, 443), counters(rng, 1)}};
        const Rows b{{key(2, 53), counters(rng, 1)}};
        std::vector<RollupRow> out;
        QVERIFY(store::decodeRollupRows(store::encodeRollupRows(a, {}), 60, out));
        QVERIFY(store::decodeRollupRows(store::encodeRollupRows(b, {}), 120, out));
        QCOMPARE(int(out.size()), 3);
        QCOMPARE(out[0].bucket, std::int64_t(60));
        QCOMPARE(out[2].bucket, std::int64_t(120));
        QCOMPARE(out[2].key, key(2, 53));
    }

    void damageIsRefusedNotTrusted()
    {
        std::mt19937_64 rng(11);
        Rows rows;
        for (int i = 0; i < 2000; ++i)
            rows.emplace_back(key(16, std::uint64_t(i) * 7919), counters(rng, 1));
        for (int big = 0; big < 2; ++big) {
            const auto blob = store::encodeRollupRows(big ? rows : Rows(rows.begin(), rows.begin() + 3), {});
            // Every truncation is refused and appends nothing.
            for (std::size_t n = 0; n < blob.size(); n += std::max<std::size_t>(1, blob.size() / 500)) {
                std::vector<RollupRow> out;
                const std::vector<std::byte> cut(blob.begin(), blob.begin() + std::ptrdiff_t(n));
                QVERIFY2(!store::decodeRollupRows(cut, 0, out), qPrintable(QString::number(n)));
                QVERIFY(out.empty());
            }
            // Flipped bytes and trailing junk never crash; junk after a valid value is refused.
            for (int i = 0; i < 300; ++i) {
                auto bad = blob;
                bad[rng() % bad.size()] ^= std::byte(1 + rng() % 255);
                std::vector<RollupRow> out;
                store::decodeRollupRows(bad, 0, out);
            }
            auto longer = blob;
            longer.push_back(std::byte(0));
            std::vector<RollupRow> out;
            QVERIFY(!store::decodeRollupRows(longer, 0, out));
            QVERIFY(out.empty());
        }
        std::vector<RollupRow> out;
        QVERIFY(!store::decodeRollupRows({}, 0, out));
        const std::byte unknownFormat[] = {std::byte(9), std::byte(0), std::byte(0), std::byte(2)};
        QVERIFY(!store::decodeRollupRows(unknownFormat, 0, out));
    }

    void schemaSixRowsAreMovedOver()
    {
        // A database as schema 6 left it: the rows of a bucket one per key in `rollup`.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.db"));
        std::mt19937_64 rng(5);
        Rows minute, hour;
        for (int i = 0; i < 120; ++i)
            minute.emplace_back(key(16, rng()), counters(rng, 1));
        for (int i = 0; i < 5000; ++i)
            hour.emplace_back(key(2, std::uint64_t(i) * 13 % 65536), counters(rng, 100));
        const Counters other = counters(rng, 1);
        {
            auto db = store::Database::open(path, store::Database::Mode::ReadWrite);
            QVERIFY2(db, qPrintable(db ? QString() : db.error()));
            QVERIFY(store::migrate(*db));
            QVERIFY(
                db->exec("DROP TABLE rollup_rows; PRAGMA user_version=6; "
                         "CREATE TABLE rollup(tier INTEGER NOT NULL, dim INTEGER NOT NULL, bucket INTEGER "
                         "NOT NULL, key BLOB NOT NULL, flows INTEGER NOT NULL, packets INTEGER NOT NULL, "
                         "bytes INTEGER NOT NULL, packets_scaled INTEGER NOT NULL, bytes_scaled INTEGER NOT "
                         "NULL, PRIMARY KEY(tier, dim, bucket, key)) WITHOUT ROWID;"));
            auto ins = db->prepare("INSERT INTO rollup VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
            QVERIFY(ins);
            auto put = [&](std::int64_t tier, int dim, std::int64_t bucket, const RollupKey& k,
                           const Counters& c) {
                ins->reset();
                ins->bind(1, tier).bind(2, std::int64_t(dim)).bind(3, bucket);
                ins->bindBlob(4, k.blob());
                ins->bind(5, std::int64_t(c.flows))
                    .bind(6, std::int64_t(c.packets))
                    .bind(7, std::int64_t(c.bytes));
                ins->bind(8, std::int64_t(c.scaledPackets)).bind(9, std::int64_t(c.scaledBytes));
                return bool(ins->run());
            };
            for (const auto& [k, c] : minute)
                QVERIFY(put(60, int(store::Dimension::Src), 1800000060, k, c));
            QVERIFY(put(60, int(store::Dimension::Src), 1800000060, RollupKey{}, other));
            for (const auto& [k, c] : hour)
                QVERIFY(put(3600, int(store::Dimension::DstPort), 1800000000, k, c));
        }
        // Read as it is (read-only, not upgraded): the old table answers.
        auto check = [&](store::FlowReader& reader) {
            auto m = reader.rollupRows(store::Dimension::Src, 1800000060, 1800000120, 60);
            QVERIFY(m);
            Rows expected = minute;
            expected.emplace_back(RollupKey{}, other);
            Rows got;
            for (const auto& r : *m)
                got.emplace_back(r.key, r.counters);
            std::sort(expected.begin(), expected.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            QVERIFY(sameRows(got, expected));
            auto h = reader.rollupRows(store::Dimension::DstPort, 1800000000, 1800003600, 3600);
            QVERIFY(h);
            got.clear();
            for (const auto& r : *h)
                got.emplace_back(r.key, r.counters);
            expected = hour;
            std::sort(expected.begin(), expected.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            QVERIFY(sameRows(got, expected));
        };
        {
            auto reader = store::FlowReader::open(path);
            QVERIFY2(reader, qPrintable(reader ? QString() : reader.error()));
            check(**reader);
            if (QTest::currentTestFailed())
                return;
        }
        // Upgraded: the same rows, now packed, and the old table gone.
        {
            auto db = store::Database::open(path, store::Database::Mode::ReadWrite);
            QVERIFY(db);
            QVERIFY(store::migrate(*db));
            auto left = db->prepare("SELECT count(*) FROM sqlite_master WHERE name='rollup'");
            QVERIFY(left && left->step());
            QCOMPARE(left->columnInt(0), std::int64_t(0));
            auto packed = db->prepare("SELECT count(*) FROM rollup_rows");
            QVERIFY(packed && packed->step());
            QCOMPARE(packed->columnInt(0), std::int64_t(2));
        }
        auto reader = store::FlowReader::open(path);
        QVERIFY(reader);
        check(**reader);
    }
};

QTEST_GUILESS_MAIN(TestRollupBlob)
#include "tst_rollup_blob.moc"
