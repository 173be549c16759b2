#include "core/store/flow_reader.h"
#include "core/store/flow_writer.h"
#include "core/store/sqlite_db.h"

#include <map>
#include <random>
#include <set>

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;

namespace {

constexpr std::uint64_t kBase = 1'800'000'000ull * 1'000'000'000ull; // a minute boundary (unix 1.8e9 s)

FlowRecord flow(std::uint64_t t, std::uint32_t src, std::uint32_t dst, std::uint8_t proto,
                std::uint64_t bytes, std::uint64_t packets, std::uint64_t rate = 0)
{
    FlowRecord r;
    r.time_received_ns = t;
    r.src_addr = decode::IpAddress::fromV4(src);
    r.dst_addr = decode::IpAddress::fromV4(dst);
    r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
    r.proto = proto;
    r.src_port = 40000;
    r.dst_port = 443;
    r.bytes = bytes;
    r.packets = packets;
    r.sampling_rate = rate;
    r.type = decode::FlowType::NetFlowV5;
    return r;
}

/// Pages of the database file (to cap it just above its size: a simulated full disk).
std::int64_t pagesOf(const QString& path)
{
    auto db = store::Database::open(path, store::Database::Mode::ReadOnly);
    auto st = db->prepare("SELECT page_count FROM pragma_page_count()");
    return st && st->step() ? st->columnInt(0) : 0;
}

/// `n` TCP flows between random addresses, a millisecond apart from `at` ms after kBase.
std::vector<FlowRecord> randomFlows(std::mt19937& rng, int n, std::uint64_t at = 0)
{
    std::vector<FlowRecord> b;
    for (int i = 0; i < n; ++i)
        b.push_back(flow(kBase + (at + std::uint64_t(i)) * 1'000'000ull, std::uint32_t(rng()),
                         std::uint32_t(rng()), 6, rng() % 100000, 1 + rng() % 100));
    return b;
}

store::Counters totalsOfDim(store::FlowReader& reader, store::Dimension d, std::int64_t from, std::int64_t to)
{
    store::Counters total;
    auto rows = reader.rollupRows(d, from, to);
    if (rows)
        for (const auto& r : *rows)
            total.add(r.counters);
    return total;
}

} // namespace

class TestFlowWriter : public QObject
{
    Q_OBJECT

private slots:
    void writesBlocksAndRollups()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        store::WriterOptions opts;
        opts.blockFlows = 1000;
        auto w = store::FlowWriter::open(path, opts);
        QVERIFY(w.has_value());
        std::mt19937 rng(5);
        std::vector<FlowRecord> batch;
        std::uint64_t bytes = 0, scaled = 0;
        for (int i = 0; i < 5000; ++i) {
            const std::uint64_t t = kBase + std::uint64_t(i) * 36'000'000ull; // 3 minutes
            batch.push_back(flow(t, 0x0a000000u + rng() % 50, 0x08080808u, i % 3 ? 6 : 17, 100 + rng() % 900,
                                 2, i % 2 ? 10 : 0));
            bytes += batch.back().bytes;
            scaled += batch.back().scaledBytes();
            if (batch.size() == 700) {
                (*w)->add(batch);
                QVERIFY((*w)->commit().has_value());
                batch.clear();
            }
        }
        (*w)->add(batch);
        QVERIFY((*w)->close().has_value());
        QCOMPARE((*w)->stats().flowsStored, std::uint64_t(5000));

        auto reader = store::FlowReader::open(path);
        QVERIFY(reader.has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(5000));
        std::uint64_t seen = 0, seenBytes = 0;
        QVERIFY((*reader)->scan({}, [&](std::span<const FlowRecord> flows) {
            seen += flows.size();
            for (const auto& f : flows)
                seenBytes += f.bytes;
            return true;
        }));
        QCOMPARE(seen, std::uint64_t(5000));
        QCOMPARE(seenBytes, bytes);

        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        for (int d = 0; d < store::kDimensionCount; ++d) {
            if (store::Dimension(d) == store::Dimension::Ip)
                continue; // counts both addresses
            const auto t = totalsOfDim(**reader, store::Dimension(d), from, from + 600);
            QCOMPARE(t.flows, std::uint64_t(5000));
            QCOMPARE(t.bytes, bytes);
            QCOMPARE(t.scaledBytes, scaled);
        }
        const auto ip = totalsOfDim(**reader, store::Dimension::Ip, from, from + 600);
        QCOMPARE(ip.flows, std::uint64_t(10000));
        // Three distinct minutes, none truncated (50 sources only).
        auto rows = (*reader)->rollupRows(store::Dimension::Proto, from, from + 600);
        std::set<std::int64_t> buckets;
        for (const auto& r : *rows)
            buckets.insert(r.bucket);
        QCOMPARE(int(buckets.size()), 3);
        QVERIFY((*reader)->rollupCuts(store::Dimension::Src, from, from + 600)->empty());
    }

    void scansATimeRange()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY(w.has_value());
        std::vector<FlowRecord> batch;
        for (int i = 0; i < 100; ++i)
            batch.push_back(flow(kBase + std::uint64_t(i) * 1'000'000'000ull, 1, 2, 6, 10, 1));
        (*w)->add(batch);
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        store::FlowReader::ScanOptions o;
        o.sinceNs = kBase + 10'000'000'000ull;
        o.untilNs = kBase + 20'000'000'000ull;
        std::uint64_t n = 0;
        QVERIFY((*reader)->scan(o, [&](std::span<const FlowRecord> f) {
            n += f.size();
            return true;
        }));
        QCOMPARE(n, std::uint64_t(10));
    }

    void truncatesLargeMinutesWithBounds()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY(w.has_value());
        std::vector<FlowRecord> batch;
        // 4000 distinct sources in one minute: more than 3 x rollupKeepPerMetric(60).
        for (std::uint32_t i = 0; i < 4000; ++i)
            batch.push_back(flow(kBase + i * 1000ull, 0x0a000000u + i, 0x08080808u, 6, 1000 + i, 1 + i % 7));
        (*w)->add(batch);
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        auto rows = (*reader)->rollupRows(store::Dimension::Src, from, from + 60);
        QVERIFY(rows.has_value());
        QVERIFY(rows->size() < 4000);
        QVERIFY(rows->size() >= store::rollupKeepPerMetric(60));
        store::Counters kept, other;
        for (const auto& r : *rows)
            (r.key.isOther() ? other : kept).add(r.counters);
        QCOMPARE(kept.flows + other.flows, std::uint64_t(4000));
        auto cuts = (*reader)->rollupCuts(store::Dimension::Src, from, from + 60);
        QCOMPARE(int(cuts->size()), 1);
        QCOMPARE(cuts->front().droppedKeys + (rows->size() - 1), std::uint64_t(4000));
        QVERIFY(!cuts->front().merged);
        // The biggest source by bytes (1000 + 3999) is kept; the bound is below it.
        QVERIFY(cuts->front().maxDropped.scaledBytes < 4999);
        QVERIFY(cuts->front().maxDropped.scaledBytes > 0);
    }

    void manyOpenMinutesCloseOldestFirst()
    {
        // An import hands over many minutes between commits. Past the open-minute bound the
        // oldest close; the newest must stay open (closing it and re-opening it with the next
        // flows marked it "merged", and its hour could then never prove a top-N exact).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY(w.has_value());
        std::vector<FlowRecord> batch;
        for (std::uint32_t m = 0; m < 40; ++m)
            for (std::uint32_t i = 0; i < 4000; ++i) // 1000 sources, 4 flows each a minute
                batch.push_back(flow(kBase + m * 60'000'000'000ull + i * 15'000'000ull,
                                     0x0a000000u + i % 1000, 0x08080808u, 6, 100 + i % 1000, 1));
        (*w)->add(batch);
        QVERIFY((*w)->commit().has_value());
        batch.clear();
        for (std::uint32_t i = 0; i < 100; ++i) // more of the newest minute
            batch.push_back(flow(kBase + 39 * 60'000'000'000ull + 50'000'000'000ull + i, 0x0a000000u + i,
                                 0x08080808u, 6, 100, 1));
        (*w)->add(batch);
        QVERIFY((*w)->commit().has_value());
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        for (std::int64_t tier : {60, 600}) {
            auto cuts = (*reader)->rollupCuts(store::Dimension::Src, from - 3600, from + 7200, tier);
            QVERIFY(cuts.has_value());
            QVERIFY(!cuts->empty()); // truncated, so a re-opened bucket would show
            for (const auto& c : *cuts)
                QVERIFY2(!c.merged, qPrintable(QStringLiteral("tier %1 bucket %2").arg(tier).arg(c.bucket)));
        }
    }

    void fullBucketsBoundWhatWentToOther()
    {
        // A minute that reaches the key bound sends further new keys to "other"; its dropped-key
        // bound must cover them (here they are the biggest). A coarse bucket built from it cannot
        // prove anything and says so.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        store::WriterOptions options;
        options.maxKeysPerBucket = 500;
        auto w = store::FlowWriter::open(path, options);
        QVERIFY(w.has_value());
        std::vector<FlowRecord> batch;
        for (std::uint32_t i = 0; i < 2000; ++i)
            batch.push_back(flow(kBase + i * 10'000'000ull, 0x0a000000u + i, 0x08080808u, 6, 10 + i, 1));
        (*w)->add(batch);
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        auto cuts = (*reader)->rollupCuts(store::Dimension::Src, from, from + 60);
        QCOMPARE(int(cuts->size()), 1);
        QVERIFY(!cuts->front().merged);
        // Sources 500..1999 went to "other" whole: the largest has 10 + 1999 bytes.
        QVERIFY(cuts->front().maxDropped.bytes >= 2009);
        auto ten = (*reader)->rollupCuts(store::Dimension::Src, from - from % 600, from + 600, 600);
        QCOMPARE(int(ten->size()), 1);
        QVERIFY(ten->front().merged);
        // Other dimensions of the same buckets did not overflow and keep their proofs.
        auto proto = (*reader)->rollupCuts(store::Dimension::Proto, from - from % 600, from + 600, 600);
        for (const auto& c : *proto)
            QVERIFY(!c.merged);
    }

    void coarseBucketsKeepTheirKeySets()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY(w.has_value());
        std::vector<FlowRecord> batch;
        // Ten minutes, 3000 sources: the 10-minute bucket keeps 750 at most and stores the set.
        for (std::uint32_t i = 0; i < 3000; ++i)
            batch.push_back(flow(kBase + i * 200'000'000ull, 0x0a000000u + i, 0x08080808u, 6, 100 + i, 1));
        (*w)->add(batch);
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        const std::int64_t ten = from - from % 600;
        auto sets = (*reader)->rollupPresence(store::Dimension::Src, ten, ten + 1200, 600);
        QVERIFY(sets.has_value());
        QCOMPARE(int(sets->size()), from % 600 == 0 ? 1 : 2);
        int falsePositives = 0;
        for (std::uint32_t i = 0; i < 3000; ++i) {
            const FlowRecord r = flow(0, 0x0a000000u + i, 0, 6, 0, 0);
            store::RollupKey in[2], out[2];
            store::rollupKeys(store::Dimension::Src, r, in);
            const FlowRecord o = flow(0, 0x0b000000u + i, 0, 6, 0, 0);
            store::rollupKeys(store::Dimension::Src, o, out);
            bool anywhere = false, outside = false;
            for (const auto& [bucket, set] : *sets) {
                anywhere = anywhere || set.mayContain(in[0]);
                outside = outside || set.mayContain(out[0]);
            }
            QVERIFY(anywhere);
            falsePositives += outside ? 1 : 0;
        }
        QVERIFY2(falsePositives < 60, qPrintable(QString::number(falsePositives)));
        // Minutes keep no sets (there are many; their edges are read from the flows instead).
        auto minuteSets = (*reader)->rollupPresence(store::Dimension::Src, from, from + 600, 60);
        QVERIFY(minuteSets->empty());
    }

    void checkpointsKeepTheLogSmall()
    {
        // The writer's COMMIT no longer copies the log into the file (that stalled ingest for
        // 100+ ms a second); the checkpoint thread does, so the flows reach the file during the
        // run and the log starts over between commits.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        QVERIFY(w.has_value());
        std::mt19937_64 rng(3);
        std::uint64_t t = kBase;
        auto addAndCommit = [&](int flows) {
            std::vector<FlowRecord> batch;
            for (int i = 0; i < flows; ++i, t += 1'000'000ull)
                batch.push_back(
                    flow(t, std::uint32_t(rng()), std::uint32_t(rng()), 6, rng() % 100000, 1 + rng() % 50));
            (*w)->add(batch);
            return (*w)->commit().has_value();
        };
        for (int commit = 0; commit < 30; ++commit)
            QVERIFY(addAndCommit(40000));
        QTest::qWait(1200);        // idle: the checkpoint thread copies everything
        QVERIFY(addAndCommit(10)); // this transaction starts the log over
        const std::int64_t file = QFileInfo(path).size();
        auto db = store::Database::open(path, store::Database::Mode::ReadWrite);
        QVERIFY(db.has_value());
        auto frames = db->prepare("PRAGMA wal_checkpoint(PASSIVE)"); // busy, log frames, copied
        QVERIFY(frames.has_value());
        QVERIFY(frames->step());
        const std::int64_t logFrames = frames->columnInt(1);
        qInfo("database file %lld bytes; log holds %lld frames", qlonglong(file), qlonglong(logFrames));
        // Without checkpoints every page would still be in the log and the file would hold
        // little more than the schema.
        QVERIFY(file > 10'000'000);
        QVERIFY2(logFrames >= 0 && logFrames < 200, qPrintable(QString::number(logFrames)));
        frames = {};
        *db = {};
        QVERIFY((*w)->close().has_value());
        auto reader = store::FlowReader::open(path);
        QCOMPARE(*(*reader)->flowCount(), std::uint64_t(30 * 40000 + 10));
    }

    void mergesIntoExistingMinutes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        for (int run = 0; run < 2; ++run) {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
            std::vector<FlowRecord> batch{flow(kBase + 1000, 1, 2, 6, 100, 1),
                                          flow(kBase + 2000, 3, 2, 17, 50, 1)};
            (*w)->add(batch);
            QVERIFY((*w)->close().has_value());
        }
        auto reader = store::FlowReader::open(path);
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        const auto t = totalsOfDim(**reader, store::Dimension::Proto, from, from + 60);
        QCOMPARE(t.flows, std::uint64_t(4));
        QCOMPARE(t.bytes, std::uint64_t(300));
        // Four flows are too few for source rows: that minute is read from its flows instead.
        QCOMPARE(totalsOfDim(**reader, store::Dimension::Src, from, from + 60).flows, std::uint64_t(0));
        QCOMPARE(int((*reader)->sparseMinutes(store::Dimension::Src, from, from + 60)->size()), 1);
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(4));
    }

    void damagedRollupIsLoggedNotTrusted()
    {
        // A stored minute whose packed rollup no longer decodes: merging into it keeps the new
        // flows, says so in collector_log, and queries of it fail with a message (never wrong sums).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        std::vector<FlowRecord> batch{flow(kBase + 1000, 1, 2, 6, 100, 1),
                                      flow(kBase + 2000, 3, 2, 17, 50, 1)};
        {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
            (*w)->add(batch);
            QVERIFY((*w)->close().has_value());
        }
        {
            auto db = store::Database::open(path, store::Database::Mode::ReadWrite);
            QVERIFY(db.has_value());
            QVERIFY(db->exec("UPDATE rollup_rows SET data = x'02ff' WHERE tier=60 AND dim=0").has_value());
        }
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        {
            auto reader = store::FlowReader::open(path);
            auto rows = (*reader)->rollupRows(store::Dimension::Proto, from, from + 60);
            QVERIFY(!rows.has_value());
            QVERIFY2(rows.error().contains(QStringLiteral("damaged")), qPrintable(rows.error()));
        }
        {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
            (*w)->add(batch);
            QVERIFY((*w)->close().has_value());
        }
        auto db = store::Database::open(path, store::Database::Mode::ReadOnly);
        auto log = db->prepare("SELECT detail FROM collector_log WHERE event='rollup_damaged'");
        QVERIFY(log.has_value() && log->step());
        QVERIFY2(log->columnText(0).contains(QStringLiteral("dimension proto")),
                 qPrintable(log->columnText(0)));
        auto reader = store::FlowReader::open(path);
        const auto t = totalsOfDim(**reader, store::Dimension::Proto, from, from + 60);
        QCOMPARE(t.flows, std::uint64_t(2)); // what came after the damage; the flows are all kept
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(4));
    }

    void refusesNewerSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        {
            auto w = store::FlowWriter::open(path);
            QVERIFY(w.has_value());
        }
        {
            auto db = store::Database::open(path, store::Database::Mode::ReadWrite);
            QVERIFY(db->exec("PRAGMA user_version=99").has_value());
        }
        auto w = store::FlowWriter::open(path);
        QVERIFY(!w.has_value());
        QVERIFY2(w.error().contains(QStringLiteral("newer FlowLens")), qPrintable(w.error()));
        auto r = store::FlowReader::open(path);
        QVERIFY(!r.has_value());
        QVERIFY(r.error().contains(QStringLiteral("newer FlowLens")));
    }

    void refusesForeignAndCorruptFiles()
    {
        QTemporaryDir dir;
        const QString foreign = dir.filePath(QStringLiteral("other.db"));
        {
            auto db = store::Database::open(foreign, store::Database::Mode::ReadWrite);
            QVERIFY(db->exec("CREATE TABLE notes(x)").has_value());
        }
        auto w = store::FlowWriter::open(foreign);
        QVERIFY(!w.has_value());
        QVERIFY(w.error().contains(QStringLiteral("another program")));

        const QString junk = dir.filePath(QStringLiteral("junk.db"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        auto w2 = store::FlowWriter::open(junk);
        QVERIFY(!w2.has_value());
        QVERIFY2(w2.error().contains(QStringLiteral("not a FlowLens database")), qPrintable(w2.error()));
        QFile check(junk);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray(8192, 'x')); // untouched
    }

    void survivesAFullDisk()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        store::WriterOptions opts;
        opts.blockFlows = 2000;
        auto w = store::FlowWriter::open(path, opts);
        QVERIFY(w.has_value());
        QVERIFY((*w)->commit().has_value());
        QVERIFY((*w)->setMaxPageCount(pagesOf(path) + 2).has_value());
        std::mt19937 rng(11);
        (*w)->add(randomFlows(rng, 20000));
        auto r = (*w)->commit();
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(QStringLiteral("full")), qPrintable(r.error()));
        QCOMPARE((*w)->stats().flowsStored, std::uint64_t(0));
        // Space comes back: the same writer stores everything that was pending.
        QVERIFY((*w)->setMaxPageCount(0).has_value());
        QVERIFY((*w)->close().has_value());
        QCOMPARE((*w)->stats().flowsStored, std::uint64_t(20000));
        auto reader = store::FlowReader::open(path);
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(20000));
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        QCOMPARE(totalsOfDim(**reader, store::Dimension::Proto, from, from + 600).flows,
                 std::uint64_t(20000));
    }

    void writesFullBlocksBetweenCommits()
    {
        // Blocks the encoder finished go into the database as they come (in a transaction the next
        // commit completes), so a commit at 2 M flows/s no longer writes ~50 MB at once. Readers
        // still see nothing before the commit, and a full disk in between loses nothing.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        store::WriterOptions opts;
        opts.blockFlows = 2000;
        auto w = store::FlowWriter::open(path, opts);
        QVERIFY(w.has_value());
        QVERIFY((*w)->commit().has_value());
        QTest::qSleep(300); // other connections get the database for 250 ms after each commit
        std::mt19937 rng(3);
        auto batch = [&](int n, std::uint64_t at) {
            return randomFlows(rng, n, at);
        };
        // Whether another connection could write now (it never waits here).
        auto other = store::Database::open(path, store::Database::Mode::ReadWrite);
        QVERIFY(other.has_value());
        other->setBusyTimeout(0);
        auto othersCanWrite = [&] {
            if (!other->exec("BEGIN IMMEDIATE"))
                return false;
            return bool(other->exec("ROLLBACK"));
        };
        QVERIFY(othersCanWrite());
        (*w)->add(batch(9000, 0)); // four full blocks to the encoder
        QTest::qSleep(200);
        (*w)->add(batch(10, 9000)); // takes the encoded blocks and writes them
        QVERIFY(!othersCanWrite()); // the writer's transaction holds them
        auto reader = store::FlowReader::open(path);
        QVERIFY(reader.has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(0)); // not committed yet
        QVERIFY((*w)->commit().has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(9010));
        // Just after a commit the writer leaves the database to others for a while.
        (*w)->add(batch(4000, 9010));
        QTest::qSleep(100);
        (*w)->add(batch(10, 13010));
        QVERIFY(othersCanWrite());
        QVERIFY((*w)->commit().has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(13020));

        // The disk fills between commits: the blocks written so far are rolled back, the commit says
        // so, and once there is room again everything is stored.
        QTest::qSleep(300);
        QVERIFY((*w)->setMaxPageCount(pagesOf(path) + 2).has_value());
        (*w)->add(batch(9000, 20000));
        QTest::qSleep(200);
        (*w)->add(batch(10, 29000)); // the block writes fail and are rolled back
        QVERIFY(othersCanWrite());
        auto r = (*w)->commit();
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(QStringLiteral("full")), qPrintable(r.error()));
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(13020));
        QVERIFY((*w)->setMaxPageCount(0).has_value());
        QVERIFY((*w)->close().has_value());
        QCOMPARE((*w)->stats().flowsStored, std::uint64_t(22030));
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(22030));
        const std::int64_t from = std::int64_t(kBase / 1'000'000'000ull);
        QCOMPARE(totalsOfDim(**reader, store::Dimension::Proto, from, from + 600).flows,
                 std::uint64_t(22030));
    }

    void missingDatabaseForReading()
    {
        auto r = store::FlowReader::open(QStringLiteral("/nonexistent/dir/flows.db"));
        QVERIFY(!r.has_value());
        QVERIFY(r.error().contains(QStringLiteral("does not exist")));
    }

    void storesExporterHealth()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.db"));
        auto w = store::FlowWriter::open(path);
        decode::DomainKey key{decode::Endpoint{decode::IpAddress::fromV4(0xc0000201u), 2055}, 7};
        decode::DomainStats s;
        s.type = decode::FlowType::Ipfix;
        s.version = 10;
        s.datagrams = 12;
        s.flows = 340;
        s.anomalies[std::size_t(decode::Anomaly::MissingTemplate)] = 3;
        (*w)->setExporters({{key, s}});
        QVERIFY((*w)->commit().has_value());
        auto db = store::Database::open(path, store::Database::Mode::ReadOnly);
        auto st = db->prepare("SELECT exporter, domain, type, flows, detail FROM exporters");
        QVERIFY(st->step());
        QCOMPARE(st->columnText(0), QStringLiteral("192.0.2.1:2055"));
        QCOMPARE(st->columnInt(1), 7);
        QCOMPARE(st->columnText(2), QStringLiteral("IPFIX"));
        QCOMPARE(st->columnInt(3), 340);
        QVERIFY(st->columnText(4).contains(QStringLiteral("\"missing_template\":3")));
    }
};

QTEST_GUILESS_MAIN(TestFlowWriter)
#include "tst_flow_writer.moc"
