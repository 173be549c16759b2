// The durable outbox: a cursor over the store's blocks, counters, gaps left by retention, the
// backlog bound and the ingest window.

#include "support/forward_fixtures.h"

#include "core/forward/outbox.h"
#include "core/forward/record_encoder.h"
#include "core/store/flow_writer.h"
#include "core/store/schema.h"
#include "core/store/sqlite_db.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using forward::Outbox;
using forward::OutboxPosition;
using forward::PrepareOptions;
using forward::Settlement;

#define OPEN_OR_FAIL(var, path, name, start)                                                                 \
    auto var##_ = Outbox::open((path), (name), (start));                                                     \
    QVERIFY2(var##_.has_value(), var##_ ? "" : qPrintable(var##_.error()));                                  \
    Outbox& var = **var##_

namespace {

/// sequence_num of every object in a batch body.
QList<qint64> sequences(const std::string& body)
{
    QList<qint64> out;
    const auto doc = QJsonDocument::fromJson(QByteArray(body.data(), qsizetype(body.size())));
    for (const auto& v : doc.array())
        out << v.toObject().value(QStringLiteral("sequence_num")).toInteger();
    return out;
}

QList<qint64> range(qint64 first, qint64 count)
{
    QList<qint64> out;
    for (qint64 i = first; i < first + count; ++i)
        out << i;
    return out;
}

PrepareOptions take(std::size_t records)
{
    PrepareOptions o;
    o.maxRecords = records;
    return o;
}

bool exec(const QString& db, const char* sql)
{
    auto d = store::Database::open(db, store::Database::Mode::ReadWrite);
    return d && d->exec(sql).has_value();
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

    forward::RecordEncoder m_encoder;

private slots:
    void newCursorStartsAtTheEndOrTheBeginning()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 1000), QString());
        OPEN_OR_FAIL(end, db, QStringLiteral("a"), forward::StartPosition::End);
        QCOMPARE(end.backlog().value(), std::uint64_t(0));
        QCOMPARE(end.cursor(), (OutboxPosition{1, 300}));
        OPEN_OR_FAIL(all, db, QStringLiteral("b"), forward::StartPosition::Beginning);
        QCOMPARE(all.backlog().value(), std::uint64_t(300));
        QCOMPARE(all.cursor(), (OutboxPosition{0, 0}));
    }

    void batchesWalkTheStoreAndFollowTheOpenBlock()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        store::WriterOptions options;
        options.blockFlows = 100;
        auto writer = store::FlowWriter::open(db, options);
        QVERIFY(writer.has_value());
        std::vector<decode::FlowRecord> flows;
        for (std::uint32_t i = 0; i < 250; ++i)
            flows.push_back(test::forwardTestFlow(i, test::nowNs()));
        (*writer)->add(flows);
        QVERIFY((*writer)->commit().has_value()); // blocks 1 and 2 full, block 3 open with 50
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);

        auto b1 = box.prepare(take(120), m_encoder);
        QVERIFY(b1.has_value());
        QCOMPARE(b1->records, std::uint64_t(120));
        QCOMPARE(b1->first, (OutboxPosition{1, 0}));
        QCOMPARE(b1->end, (OutboxPosition{2, 20}));
        QCOMPARE(sequences(b1->body), range(0, 120));
        // Not settled (e.g. the server was down): the same batch again.
        auto again = box.prepare(take(120), m_encoder);
        QVERIFY(again.has_value());
        QCOMPARE(again->body, b1->body);
        QVERIFY(box.settle(*b1, Settlement::Delivered, 120, 200, QString()).has_value());
        QCOMPARE(box.cursor(), (OutboxPosition{2, 20}));
        QCOMPARE(box.counters().delivered, std::uint64_t(120));
        QCOMPARE(box.backlog().value(), std::uint64_t(130));
        // A batch prepared before the cursor moved cannot be settled twice.
        QVERIFY(!box.settle(*again, Settlement::Delivered, 120, 200, QString()).has_value());

        auto b2 = box.prepare(take(120), m_encoder);
        QCOMPARE(sequences(b2->body), range(120, 120));
        QCOMPARE(b2->end, (OutboxPosition{3, 40}));
        QVERIFY(box.settle(*b2, Settlement::Delivered, 120, 200, QString()).has_value());
        auto b3 = box.prepare(take(120), m_encoder);
        QCOMPARE(sequences(b3->body), range(240, 10));
        QVERIFY(box.settle(*b3, Settlement::Delivered, 10, 200, QString()).has_value());
        auto none = box.prepare(take(120), m_encoder);
        QVERIFY(none->isEmpty());
        QCOMPARE(none->records, std::uint64_t(0));
        QCOMPARE(none->body, std::string("[]"));

        // The open block grows in place: only its new rows come next.
        flows.clear();
        for (std::uint32_t i = 250; i < 280; ++i)
            flows.push_back(test::forwardTestFlow(i, test::nowNs()));
        (*writer)->add(flows);
        QVERIFY((*writer)->commit().has_value());
        auto b4 = box.prepare(take(120), m_encoder);
        QCOMPARE(b4->first, (OutboxPosition{3, 50}));
        QCOMPARE(b4->end, (OutboxPosition{3, 80}));
        QCOMPARE(sequences(b4->body), range(250, 30));
    }

    void bytesBoundABatchButOneRecordAlwaysGoes()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 10, 100), QString());
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        PrepareOptions o = take(100);
        o.maxBytes = 100; // smaller than one record
        auto one = box.prepare(o, m_encoder);
        QCOMPARE(one->records, std::uint64_t(1));
        QVERIFY(QJsonDocument::fromJson(QByteArray::fromStdString(one->body)).isArray());
        o.maxBytes = one->body.size() * 3; // room for two records and the brackets, not three
        auto two = box.prepare(o, m_encoder);
        QCOMPARE(two->records, std::uint64_t(2));
        QVERIFY(two->body.size() <= o.maxBytes);
        QCOMPARE(sequences(two->body), range(0, 2));
    }

    void retentionAheadOfTheCursorIsCountedOnce()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 500, 100), QString()); // blocks 1..5
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        auto b = box.prepare(take(150), m_encoder);
        QVERIFY(box.settle(*b, Settlement::Delivered, 150, 200, QString()).has_value());
        QCOMPARE(box.cursor(), (OutboxPosition{2, 50}));
        QVERIFY(exec(db, "DELETE FROM flow_blocks WHERE id <= 3")); // what retention does
        QVERIFY(box.maintain(0).has_value());
        // Block 1 was delivered; half of block 2 and all of block 3 were not.
        QCOMPARE(box.counters().droppedRetention, std::uint64_t(150));
        QVERIFY(box.maintain(0).has_value());
        QCOMPARE(box.counters().droppedRetention, std::uint64_t(150));
        auto rest = box.prepare(take(1000), m_encoder);
        QCOMPARE(sequences(rest->body), range(300, 200));
        QVERIFY(box.settle(*rest, Settlement::Delivered, 200, 200, QString()).has_value());
        QCOMPARE(box.counters().settled(), std::uint64_t(500));
    }

    void retentionWhileABatchIsOnTheWire()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 500, 100), QString());
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        auto b = box.prepare(take(150), m_encoder); // block 1 and half of block 2
        QVERIFY(exec(db, "DELETE FROM flow_blocks WHERE id <= 2"));
        // The batch still arrives: its rows count as delivered, the unsent half of block 2 as dropped.
        QVERIFY(box.settle(*b, Settlement::Delivered, 150, 200, QString()).has_value());
        QCOMPARE(box.counters().delivered, std::uint64_t(150));
        QCOMPARE(box.counters().droppedRetention, std::uint64_t(50));
        auto rest = box.prepare(take(1000), m_encoder);
        QCOMPARE(sequences(rest->body), range(200, 300));
        QVERIFY(box.settle(*rest, Settlement::Delivered, 300, 200, QString()).has_value());
        QCOMPARE(box.counters().settled(), std::uint64_t(500));
    }

    void retentionWhileABatchFails()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 100), QString());
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        auto b = box.prepare(take(150), m_encoder);
        QVERIFY(b.has_value());
        QVERIFY(exec(db, "DELETE FROM flow_blocks WHERE id = 1"));
        // Not settled (server down): the retry starts after the deleted block, which is counted.
        auto retry = box.prepare(take(150), m_encoder);
        QCOMPARE(box.counters().droppedRetention, std::uint64_t(100));
        QCOMPARE(sequences(retry->body), range(100, 150));
    }

    void blockIdsAreNeverReused()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 200, 100), QString()); // blocks 1, 2
        QVERIFY(exec(db, "DELETE FROM flow_blocks WHERE id = 2"));
        QCOMPARE(test::storeFlows(db, 200, 50, 100), QString());
        auto d = store::Database::open(db, store::Database::Mode::ReadOnly);
        auto st = d->prepare("SELECT max(id) FROM flow_blocks");
        QVERIFY(st->step());
        QCOMPARE(st->columnInt(0), 3);
    }

    void backlogBoundSkipsTheOldest()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 500, 100), QString());
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        QVERIFY(box.maintain(120).has_value());
        QCOMPARE(box.counters().droppedBacklog, std::uint64_t(380));
        QCOMPARE(box.cursor(), (OutboxPosition{4, 80}));
        QCOMPARE(box.backlog().value(), std::uint64_t(120));
        auto b = box.prepare(take(1000), m_encoder);
        QCOMPARE(sequences(b->body), range(380, 120));
    }

    void ingestWindowSkipsOrRestamps()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        const std::uint64_t now = test::nowNs();
        const std::uint64_t hour = 3600ull * 1000000000ull;
        QCOMPARE(test::storeFlows(db, 0, 5, 100, now - 6 * hour), QString());   // too old
        QCOMPARE(test::storeFlows(db, 5, 5, 100, now - 4 * hour), QString());   // inside 5 h
        QCOMPARE(test::storeFlows(db, 10, 5, 100, now + 25 * hour), QString()); // too far ahead
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        PrepareOptions o = take(100);
        o.nowNs = now;
        auto skip = box.prepare(o, m_encoder);
        QCOMPARE(skip->records, std::uint64_t(5));
        QCOMPARE(skip->expired, std::uint64_t(10));
        QCOMPARE(sequences(skip->body), range(5, 5));
        o.expiredPolicy = forward::ExpiredPolicy::Restamp;
        auto restamp = box.prepare(o, m_encoder);
        QCOMPARE(restamp->records, std::uint64_t(15));
        QCOMPARE(restamp->restamped, std::uint64_t(10));
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(restamp->body));
        for (const auto& v : doc.array()) {
            const QJsonObject r = v.toObject();
            const qint64 seq = r.value(QStringLiteral("sequence_num")).toInteger();
            const bool inside = seq >= 5 && seq < 10;
            QCOMPARE(r.contains(QStringLiteral("original_timestamp")), !inside);
            if (!inside)
                QCOMPARE(qint64(r.value(QStringLiteral("_timestamp")).toDouble()), qint64(now / 1000));
        }
        QVERIFY(box.settle(*restamp, Settlement::Delivered, 15, 200, QString()).has_value());
        QCOMPARE(box.counters().restamped, std::uint64_t(10));
        QCOMPARE(box.counters().delivered, std::uint64_t(15));
    }

    void stateSurvivesReopening()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 100), QString());
        {
            OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
            auto a = box.prepare(take(100), m_encoder);
            QVERIFY(box.settle(*a, Settlement::Partial, 90, 200, QStringLiteral("bad field")).has_value());
            auto b = box.prepare(take(100), m_encoder);
            QVERIFY(box.settle(*b, Settlement::SetAside, 0, 400, QStringLiteral("bad request")).has_value());
            QVERIFY(box.recordError(QStringLiteral("server down")).has_value());
        }
        // Reopening never moves a known cursor, whatever the start position asks.
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::End);
        QCOMPARE(box.cursor(), (OutboxPosition{2, 100}));
        QCOMPARE(box.counters().delivered, std::uint64_t(90));
        QCOMPARE(box.counters().failed, std::uint64_t(10));
        QCOMPARE(box.counters().setAside, std::uint64_t(100));
        auto d = store::Database::open(db, store::Database::Mode::ReadOnly);
        auto st =
            d->prepare("SELECT kind, first_block, first_row, last_block, end_row, records, failed, error "
                       "FROM forward_rejected ORDER BY id");
        QVERIFY(st->step());
        QCOMPARE(st->columnText(0), QStringLiteral("partial"));
        QCOMPARE(st->columnInt(1), 1);
        QCOMPARE(st->columnInt(4), 100);
        QCOMPARE(st->columnInt(6), 10);
        QCOMPARE(st->columnText(7), QStringLiteral("bad field"));
        QVERIFY(st->step());
        QCOMPARE(st->columnText(0), QStringLiteral("set_aside"));
        QCOMPARE(st->columnInt(1), 2);
        QCOMPARE(st->columnInt(2), 0);
        QCOMPARE(st->columnInt(3), 2);
        QCOMPARE(st->columnInt(4), 100);
        QCOMPARE(st->columnInt(5), 100);
        QVERIFY(!st->step());
        auto state = d->prepare("SELECT last_error FROM forward_state WHERE name='t'");
        QVERIFY(state->step());
        QCOMPARE(state->columnText(0), QStringLiteral("server down"));
        auto log = d->prepare("SELECT count(*) FROM forward_log WHERE name='t' AND event='created'");
        QVERIFY(log->step());
        QCOMPARE(log->columnInt(0), 1);
    }

    void migratesASchema2Database()
    {
        // A schema 2 file as the previous release wrote it: flow_blocks without AUTOINCREMENT, no
        // forwarding tables (and none of the GeoIP, alert and rollup key-set tables of schemas 4 to 6),
        // rollups one row per key (schema 7 packs them). It is brought to the current schema.
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 250, 100), QString());
        QVERIFY(exec(db, R"sql(
            DROP TRIGGER forward_gaps_on_delete;
            DROP TABLE geo_cities; DROP TABLE geo_as; DROP TABLE net_names;
            DROP TABLE forward_state; DROP TABLE forward_gaps; DROP TABLE forward_rejected; DROP TABLE forward_log;
            DROP TABLE alert_rules; DROP TABLE alert_events; DROP TABLE rollup_presence; DROP TABLE rollup_rows;
            CREATE TABLE rollup(tier INTEGER NOT NULL, dim INTEGER NOT NULL, bucket INTEGER NOT NULL,
                                key BLOB NOT NULL, flows INTEGER NOT NULL, packets INTEGER NOT NULL,
                                bytes INTEGER NOT NULL, packets_scaled INTEGER NOT NULL,
                                bytes_scaled INTEGER NOT NULL, PRIMARY KEY(tier, dim, bucket, key)) WITHOUT ROWID;
            INSERT INTO rollup VALUES(60, 0, 1800000000, x'06', 3, 30, 3000, 30, 3000);
            CREATE TABLE flow_blocks_v2(id INTEGER PRIMARY KEY, t_min INTEGER NOT NULL, t_max INTEGER NOT NULL,
                                        n INTEGER NOT NULL, data BLOB NOT NULL);
            INSERT INTO flow_blocks_v2 SELECT id, t_min, t_max, n, data FROM flow_blocks;
            DROP TABLE flow_blocks;
            ALTER TABLE flow_blocks_v2 RENAME TO flow_blocks;
            CREATE INDEX flow_blocks_t_max ON flow_blocks(t_max);
            CREATE INDEX flow_blocks_t_min ON flow_blocks(t_min);
            DELETE FROM sqlite_sequence;
            PRAGMA user_version=2;)sql"));
        OPEN_OR_FAIL(box, db, QStringLiteral("t"), forward::StartPosition::Beginning);
        auto d = store::Database::open(db, store::Database::Mode::ReadOnly);
        auto version = d->prepare("PRAGMA user_version");
        QVERIFY(version->step());
        QCOMPARE(version->columnInt(0), store::kSchemaVersion);
        auto packed =
            d->prepare("SELECT count(*) FROM rollup_rows WHERE tier=60 AND dim=0 AND bucket=1800000000");
        QVERIFY(packed->step());
        QCOMPARE(packed->columnInt(0), 1); // the old row, packed
        auto old = d->prepare("SELECT count(*) FROM sqlite_master WHERE name='rollup'");
        QVERIFY(old->step());
        QCOMPARE(old->columnInt(0), 0);
        auto ddl = d->prepare("SELECT sql FROM sqlite_master WHERE name='flow_blocks'");
        QVERIFY(ddl->step());
        QVERIFY2(ddl->columnText(0).contains(QStringLiteral("AUTOINCREMENT")),
                 qPrintable(ddl->columnText(0)));
        // Every stored flow is still there, in the same blocks.
        auto all = box.prepare(take(1000), m_encoder);
        QCOMPARE(sequences(all->body), range(0, 250));
        QCOMPARE(all->end, (OutboxPosition{3, 50}));
    }

    void cursorsAreIndependent()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("o.db"));
        QCOMPARE(test::storeFlows(db, 0, 200, 100), QString());
        OPEN_OR_FAIL(a, db, QStringLiteral("a"), forward::StartPosition::Beginning);
        OPEN_OR_FAIL(b, db, QStringLiteral("b"), forward::StartPosition::Beginning);
        auto batch = a.prepare(take(200), m_encoder);
        QVERIFY(a.settle(*batch, Settlement::Delivered, 200, 200, QString()).has_value());
        QVERIFY(exec(db, "DELETE FROM flow_blocks WHERE id = 1"));
        QVERIFY(a.maintain(0).has_value());
        QVERIFY(b.maintain(0).has_value());
        QCOMPARE(a.counters().droppedRetention, std::uint64_t(0));
        QCOMPARE(b.counters().droppedRetention, std::uint64_t(100));
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
