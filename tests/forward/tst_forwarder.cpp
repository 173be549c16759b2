// Forwarding scenarios against the strict fake OpenObserve (tests/support/fake_openobserve.h): each
// ends with every stored flow received exactly once, or accounted for where the contract says so.

#include "support/fake_openobserve.h"
#include "support/forward_fixtures.h"
#include "support/test_paths.h"

#include "core/forward/forward_history.h"
#include "core/forward/forwarder.h"
#include "core/store/flow_writer.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using flowlens::test::FakeOpenObserve;

/// Starts a forwarder or fails the test with its message.
#define START_OR_FAIL(forwarder, db, config)                                                                 \
    do {                                                                                                     \
        auto started_ = (forwarder).start((db), (config));                                                   \
        QVERIFY2(started_.has_value(), started_ ? "" : qPrintable(started_.error()));                        \
    } while (0)

namespace {

/// forward_rejected through the public reader, oldest first.
std::vector<forward::RejectedBatch> rejectedRows(const QString& dbPath)
{
    auto h = forward::readForwardHistory(dbPath);
    if (!h)
        return {};
    return std::vector<forward::RejectedBatch>(h->rejected.rbegin(), h->rejected.rend());
}

bool idle(const forward::Forwarder& f)
{
    const auto s = f.lastStatus();
    return s.state == forward::ForwardState::Idle && s.backlogFlows == 0;
}

} // namespace

class TestForwarder : public QObject
{
    Q_OBJECT

private slots:
    void plainDeliveryWithExactCounts_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("plain JSON") << false;
        QTest::newRow("gzip") << true;
    }

    void plainDeliveryWithExactCounts()
    {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 2345, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.gzip = gzip;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 2345, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto status = forwarder.stop();

        QCOMPARE(test::exactlyOnce(fake.records(), 0, 2345), QString());
        QCOMPARE(fake.ingestRequests(), 5); // 500-record batches, across block boundaries
        for (const auto& r : fake.requests())
            QCOMPARE(r.encoding, gzip ? QByteArray("gzip") : QByteArray());
        QCOMPARE(status.counters.delivered, std::uint64_t(2345));
        QCOMPARE(status.counters.settled(), std::uint64_t(2345));
        QCOMPARE(status.sessionDelivered, std::uint64_t(2345));
        QCOMPARE(status.backlogFlows, std::uint64_t(0));
        QCOMPARE(status.retries, std::uint64_t(0));
        QCOMPARE(status.state, forward::ForwardState::Stopped);
        // Nothing the server would reject or mangle.
        QCOMPARE(fake.nullsSeen(), 0);
        QCOMPARE(fake.nestedSeen(), 0);
        QCOMPARE(fake.idFieldsSeen(), 0);
        QCOMPARE(fake.typeConflicts(), 0);
        QCOMPARE(fake.badTimestamps(), 0);
        // Types the published dashboards rely on.
        const auto schema = fake.schema();
        QCOMPARE(schema.value(QStringLiteral("proto")), QStringLiteral("string"));
        QCOMPARE(schema.value(QStringLiteral("src_addr")), QStringLiteral("string"));
        QCOMPARE(schema.value(QStringLiteral("bytes")), QStringLiteral("number"));
        QCOMPARE(schema.value(QStringLiteral("_timestamp")), QStringLiteral("number"));
        QCOMPARE(schema.value(QStringLiteral("bytes_scaled")), QStringLiteral("number"));

        // A second run from the same cursor sends nothing again.
        forward::Forwarder again;
        START_OR_FAIL(again, db, config);
        QTRY_VERIFY_WITH_TIMEOUT(idle(again), 10000);
        const auto second = again.stop();
        QCOMPARE(fake.recordCount(), 2345);
        QCOMPARE(fake.ingestRequests(), 5);
        QCOMPARE(second.counters.delivered, std::uint64_t(2345));
        QCOMPARE(second.sessionDelivered, std::uint64_t(0));

        // What the database remembers, for a GUI or a later look.
        auto history = forward::readForwardHistory(db);
        QVERIFY(history.has_value());
        QVERIFY(history->exists);
        QCOMPARE(history->counters.delivered, std::uint64_t(2345));
        QCOMPARE(history->cursorBlock, std::int64_t(3));
        QCOMPARE(history->cursorRow, std::int64_t(345));
        QVERIFY(history->rejected.empty());
        QStringList events;
        for (const auto& e : history->events)
            events.prepend(e.event);
        QCOMPARE(events,
                 (QStringList{QStringLiteral("created"), QStringLiteral("start"), QStringLiteral("stop"),
                              QStringLiteral("start"), QStringLiteral("stop")}));
        QVERIFY(!forward::readForwardHistory(db, QStringLiteral("other"))->exists);
    }

    void recordsCarryGoflowFieldsAndTimestamp()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        const std::uint64_t t = test::nowNs() - 60'000'000'000ull;
        QCOMPARE(test::storeFlows(db, 7, 2, 100, t), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 2, 10000);
        forwarder.stop();
        const QJsonObject a = fake.records().at(0); // flow 7: TCP, sampled 1:100
        QCOMPARE(a.value(QStringLiteral("sequence_num")).toInteger(), 7);
        QCOMPARE(a.value(QStringLiteral("proto")).toString(), QStringLiteral("TCP"));
        QCOMPARE(a.value(QStringLiteral("etype")).toString(), QStringLiteral("IPv4"));
        QCOMPARE(a.value(QStringLiteral("type")).toString(), QStringLiteral("NETFLOW_V9"));
        QCOMPARE(a.value(QStringLiteral("src_addr")).toString(), QStringLiteral("10.0.0.7"));
        QCOMPARE(a.value(QStringLiteral("dst_addr")).toString(), QStringLiteral("198.51.100.1"));
        QCOMPARE(a.value(QStringLiteral("bytes")).toInteger(), 1007);
        QCOMPARE(a.value(QStringLiteral("packets")).toInteger(), 8);
        QCOMPARE(a.value(QStringLiteral("sampling_rate")).toInteger(), 100);
        QCOMPARE(a.value(QStringLiteral("bytes_scaled")).toInteger(), 100700);
        QCOMPARE(a.value(QStringLiteral("packets_scaled")).toInteger(), 800);
        QCOMPARE(qint64(a.value(QStringLiteral("_timestamp")).toDouble()), qint64((t + 7) / 1000));
        // QJsonDocument reads numbers as doubles: nanoseconds survive to about 256 ns here.
        QVERIFY(qAbs(qint64(a.value(QStringLiteral("time_received_ns")).toDouble()) - qint64(t + 7)) <= 256);
        const QJsonObject b = fake.records().at(1); // flow 8: UDP, rate 100
        QCOMPARE(b.value(QStringLiteral("proto")).toString(), QStringLiteral("UDP"));
        QVERIFY(!a.contains(QStringLiteral("_id")));
        QVERIFY(!a.contains(QStringLiteral("original_timestamp")));
    }

    void flushesPartialBatchesOnTimerAndFollowsTheOpenBlock()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        store::WriterOptions options;
        options.blockFlows = 1000;
        auto writer = store::FlowWriter::open(db, options);
        QVERIFY(writer.has_value());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.startAt = forward::StartPosition::End;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);

        // 7 flows, far below a batch: they leave on the flush timer.
        std::vector<decode::FlowRecord> flows;
        for (std::uint32_t i = 0; i < 7; ++i)
            flows.push_back(test::forwardTestFlow(i, test::nowNs()));
        (*writer)->add(flows);
        QVERIFY((*writer)->commit().has_value());
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 7, 10000);
        // More rows in the same (open) block, rewritten in place: only the new rows are sent.
        flows.clear();
        for (std::uint32_t i = 7; i < 10; ++i)
            flows.push_back(test::forwardTestFlow(i, test::nowNs()));
        (*writer)->add(flows);
        QVERIFY((*writer)->commit().has_value());
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 10, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto status = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 10), QString());
        QCOMPARE(status.counters.delivered, std::uint64_t(10));
        QCOMPARE(fake.ingestRequests(), 2);
    }

    void startAtEndSkipsHistory()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.startAt = forward::StartPosition::End;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QCOMPARE(test::storeFlows(db, 300, 200, 1000), QString());
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 200, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 300, 200), QString());
    }

    void overloadAndOutagesBackOffAndResend_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("times");
        QTest::newRow("429") << 429 << 3;
        QTest::newRow("500") << 500 << 2;
        QTest::newRow("502") << 502 << 2;
        QTest::newRow("503 storm") << 503 << 8;
        QTest::newRow("504") << 504 << 2;
    }

    void overloadAndOutagesBackOffAndResend()
    {
        QFETCH(int, status);
        QFETCH(int, times);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 1200, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.queueStatuses(QList<int>(times, status));
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1200, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1200), QString());
        QCOMPARE(fake.requestsWithStatus(status), times);
        QCOMPARE(s.retries, std::uint64_t(times));
        QCOMPARE(s.counters.delivered, std::uint64_t(1200));
        QVERIFY2(s.lastError.contains(QString::number(status)), qPrintable(s.lastError));
    }

    void badRequestIsSetAsideAndForwardingContinues()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 1200, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.queueStatuses({400});
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 700, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QList<std::uint32_t> first;
        for (std::uint32_t i = 0; i < 500; ++i)
            first << i;
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1200, first), QString());
        QCOMPARE(s.counters.setAside, std::uint64_t(500));
        QCOMPARE(s.counters.delivered, std::uint64_t(700));
        QCOMPARE(s.counters.settled(), std::uint64_t(1200));
        QVERIFY2(s.lastError.contains(QStringLiteral("400")), qPrintable(s.lastError));
        // The batch is visible with its exact place in the store: block 1, rows [0, 500).
        const auto rows = rejectedRows(db);
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].kind, QStringLiteral("set_aside"));
        QCOMPARE(rows[0].firstBlock, 1);
        QCOMPARE(rows[0].firstRow, 0);
        QCOMPARE(rows[0].lastBlock, 1);
        QCOMPARE(rows[0].endRow, 500);
        QCOMPARE(rows[0].records, std::uint64_t(500));
        QCOMPARE(rows[0].httpStatus, 400);
        QVERIFY2(rows[0].error.contains(QStringLiteral("injected bad request")), qPrintable(rows[0].error));
    }

    void partialFailuresAreCountedNotResent()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 1000, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setRejector([](const QJsonObject& o) {
            return o.value(QStringLiteral("sequence_num")).toInteger() % 10 == 0
                       ? QStringLiteral("field src_port cannot be cast")
                       : QString();
        });
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.ingestRequests(), 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QList<std::uint32_t> rejected;
        for (std::uint32_t i = 0; i < 1000; i += 10)
            rejected << i;
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1000, rejected), QString());
        QCOMPARE(fake.ingestRequests(), 2); // nothing resent
        QCOMPARE(s.counters.delivered, std::uint64_t(900));
        QCOMPARE(s.counters.failed, std::uint64_t(100));
        QCOMPARE(s.counters.settled(), std::uint64_t(1000));
        const auto rows = rejectedRows(db);
        QCOMPARE(rows.size(), std::size_t(2));
        for (const auto& r : rows) {
            QCOMPARE(r.kind, QStringLiteral("partial"));
            QCOMPARE(r.records, std::uint64_t(500));
            QCOMPARE(r.failed, std::uint64_t(50));
            QCOMPARE(r.httpStatus, 200);
            QVERIFY2(r.error.contains(QStringLiteral("cannot be cast")), qPrintable(r.error));
        }
    }

    void silentWholeBatchFailureIsSetAside()
    {
        // 200 with successful 0 and failed 0, as OpenObserve answers past 1000 distinct fields.
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 800, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.queueStatuses({0}); // the first batch fails silently, then the server is fine
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 300, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QList<std::uint32_t> first;
        for (std::uint32_t i = 0; i < 500; ++i)
            first << i;
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 800, first), QString());
        QCOMPARE(s.counters.setAside, std::uint64_t(500));
        QCOMPARE(s.counters.delivered, std::uint64_t(300));
        const auto rows = rejectedRows(db);
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].records, std::uint64_t(500));
        QVERIFY2(rows[0].error.contains(QStringLiteral("silent")), qPrintable(rows[0].error));
    }

    void tooLargeBatchesAreSplit()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 1500, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setPayloadLimit(200 * 1024); // a 500-record batch is about 600 KB
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1500, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1500), QString());
        QVERIFY(fake.requestsWithStatus(413) >= 2);
        QCOMPARE(s.counters.delivered, std::uint64_t(1500));
        QCOMPARE(s.counters.setAside, std::uint64_t(0));
    }

    void recordTooLargeAloneIsSetAside()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 3, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setPayloadLimit(100);
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(forwarder.lastStatus().counters.setAside, std::uint64_t(3), 20000);
        const auto s = forwarder.stop();
        QCOMPARE(fake.recordCount(), 0);
        QCOMPARE(s.counters.settled(), std::uint64_t(3));
        QCOMPARE(rejectedRows(db).size(), std::size_t(3));
        QVERIFY2(s.lastError.contains(QStringLiteral("single record")), qPrintable(s.lastError));
    }

    void wrongCredentialsPauseUntilFixed_data()
    {
        QTest::addColumn<bool>("sendHeader");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong secret") << true << QStringLiteral("rejected user");
        QTest::newRow("empty user and secret") << false << QStringLiteral("wants credentials");
    }

    void wrongCredentialsPauseUntilFixed()
    {
        QFETCH(bool, sendHeader);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 600, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto good = test::fastForwardConfig(fake);
        auto bad = good;
        bad.secret = QStringLiteral("wrong");
        if (!sendHeader)
            fake.setCredentials(QString(), QString()); // then the "missing header" path is what a
                                                       // server without auth configured would say
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, bad);
        QTRY_COMPARE_WITH_TIMEOUT(forwarder.lastStatus().state, forward::ForwardState::Paused, 10000);
        if (sendHeader) {
            QVERIFY2(forwarder.lastStatus().setupError.contains(expected),
                     qPrintable(forwarder.lastStatus().setupError));
        }
        QCOMPARE(fake.recordCount(), 0);
        QVERIFY(fake.requestsWithStatus(401) >= 1);
        QCOMPARE(forwarder.lastStatus().counters.settled(), std::uint64_t(0));
        QCOMPARE(forwarder.lastStatus().backlogFlows, std::uint64_t(600));
        if (!sendHeader)
            fake.setCredentials(good.user, good.secret);
        QVERIFY(forwarder.setConfig(good).has_value());
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 600, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 600), QString());
        QCOMPARE(s.counters.delivered, std::uint64_t(600));
        QVERIFY(s.setupError.isEmpty());
    }

    void missingOrganisationPausesThenResumesByItself()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.org = QStringLiteral("lab");
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_COMPARE_WITH_TIMEOUT(forwarder.lastStatus().state, forward::ForwardState::Paused, 10000);
        QVERIFY2(forwarder.lastStatus().setupError.contains(QStringLiteral("organisation \"lab\" not found")),
                 qPrintable(forwarder.lastStatus().setupError));
        fake.addOrganisation(QStringLiteral("lab")); // fixed on the server: the periodic retry finds it
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 300, 10000);
        forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 300), QString());
    }

    void slowRepliesWithinTheTimeoutDeliverOnce()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 1000, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setReplyDelayMs(300);
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1000, 20000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 1000), QString());
        QCOMPARE(s.retries, std::uint64_t(0));
    }

    void repliesSlowerThanTheTimeoutAreRetried()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 400, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setReplyDelayMs(2000);
        auto config = test::fastForwardConfig(fake);
        config.requestTimeoutMs = 300;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_VERIFY_WITH_TIMEOUT(forwarder.lastStatus().retries >= 1, 10000);
        QVERIFY2(forwarder.lastStatus().lastError.contains(QStringLiteral("timeout")),
                 qPrintable(forwarder.lastStatus().lastError));
        fake.setReplyDelayMs(0);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 400, 20000);
        forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 400), QString());
    }

    void stopNeverWaitsOnAnUnresponsiveServer()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 700, 1000), QString());
        FakeOpenObserve blackhole;
        QVERIFY(blackhole.listen());
        blackhole.setBlackhole(true);
        auto config = test::fastForwardConfig(blackhole);
        config.requestTimeoutMs = 120000;
        config.shutdownGraceMs = 500;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_COMPARE_WITH_TIMEOUT(blackhole.ingestRequests(), 1, 10000);
        QElapsedTimer clock;
        clock.start();
        const auto s = forwarder.stop();
        // Bounded by the grace time, not by the two-minute request timeout.
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(s.counters.settled(), std::uint64_t(0));
        QCOMPARE(s.backlogFlows, std::uint64_t(700));

        // Everything is still in the outbox for the next run.
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        forward::Forwarder next;
        START_OR_FAIL(next, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 700, 20000);
        next.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 700), QString());
    }

    void expiredBacklogFollowsThePolicy_data()
    {
        QTest::addColumn<int>("policy");
        QTest::newRow("skip") << int(forward::ExpiredPolicy::Skip);
        QTest::newRow("restamp") << int(forward::ExpiredPolicy::Restamp);
    }

    void expiredBacklogFollowsThePolicy()
    {
        QFETCH(int, policy);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        const std::uint64_t sixHoursAgo = test::nowNs() - 6ull * 3600 * 1000000000ull;
        QCOMPARE(test::storeFlows(db, 0, 300, 1000, sixHoursAgo), QString());
        QCOMPARE(test::storeFlows(db, 300, 200, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.expiredPolicy = forward::ExpiredPolicy(policy);
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        if (config.expiredPolicy == forward::ExpiredPolicy::Skip) {
            QList<std::uint32_t> old;
            for (std::uint32_t i = 0; i < 300; ++i)
                old << i;
            QCOMPARE(test::exactlyOnce(fake.records(), 0, 500, old), QString());
            QCOMPARE(s.counters.expired, std::uint64_t(300));
            QCOMPARE(s.counters.delivered, std::uint64_t(200));
        } else {
            QCOMPARE(test::exactlyOnce(fake.records(), 0, 500), QString());
            QCOMPARE(s.counters.restamped, std::uint64_t(300));
            QCOMPARE(s.counters.delivered, std::uint64_t(500));
            const qint64 now = qint64(test::nowNs() / 1000);
            int restamped = 0;
            for (const QJsonObject& o : fake.records()) {
                if (o.value(QStringLiteral("sequence_num")).toInteger() >= 300)
                    continue;
                ++restamped;
                const qint64 original = qint64(o.value(QStringLiteral("original_timestamp")).toDouble());
                const qint64 receivedUs =
                    qint64(o.value(QStringLiteral("time_received_ns")).toDouble() / 1000);
                QVERIFY(qAbs(original - receivedUs) <= 1); // ns read back through a double
                QVERIFY(now - qint64(o.value(QStringLiteral("_timestamp")).toDouble()) < 600'000'000);
            }
            QCOMPARE(restamped, 300);
        }
        QCOMPARE(s.counters.settled(), std::uint64_t(500));
    }

    void retentionGapsAreCountedAsDropped()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const quint16 port = fake.port();
        fake.close(); // the server is down while retention deletes unsent flows
        auto config = test::fastForwardConfig(fake);
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        // 3000 flows two hours old (three full blocks) and 500 new ones; a one-hour retention
        // deletes the old blocks at this very commit.
        store::WriterOptions options;
        options.blockFlows = 1000;
        options.retentionSeconds = 3600;
        {
            auto writer = store::FlowWriter::open(db, options);
            QVERIFY(writer.has_value());
            std::vector<decode::FlowRecord> flows;
            const std::uint64_t old = test::nowNs() - 2ull * 3600 * 1000000000ull;
            for (std::uint32_t i = 0; i < 3000; ++i)
                flows.push_back(test::forwardTestFlow(i, old + i));
            for (std::uint32_t i = 3000; i < 3500; ++i)
                flows.push_back(test::forwardTestFlow(i, test::nowNs()));
            (*writer)->add(flows);
            QVERIFY((*writer)->commit().has_value());
            QCOMPARE((*writer)->stats().blocksDeleted, std::uint64_t(3));
        }
        QTRY_COMPARE_WITH_TIMEOUT(forwarder.lastStatus().counters.droppedRetention, std::uint64_t(3000),
                                  10000);
        QVERIFY(fake.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 500, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 3000, 500), QString());
        QCOMPARE(s.counters.delivered, std::uint64_t(500));
        QCOMPARE(s.counters.droppedRetention, std::uint64_t(3000));
        QCOMPARE(s.counters.settled(), std::uint64_t(3500));
    }

    void backlogBoundSkipsTheOldest()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 2500, 1000), QString());
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        auto config = test::fastForwardConfig(fake);
        config.maxBacklogFlows = 1000;
        forward::Forwarder forwarder;
        START_OR_FAIL(forwarder, db, config);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 1000, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(idle(forwarder), 10000);
        const auto s = forwarder.stop();
        QCOMPARE(test::exactlyOnce(fake.records(), 1500, 1000), QString());
        QCOMPARE(s.counters.droppedBacklog, std::uint64_t(1500));
        QCOMPARE(s.counters.settled(), std::uint64_t(2500));
    }

    void tlsIsVerifiedUnlessTheUserOptsOut()
    {
        // A self-signed certificate for 127.0.0.1, made now (nothing secret is kept in the repository).
        QTemporaryDir dir;
        const QString certFile = dir.filePath(QStringLiteral("cert.pem"));
        const QString keyFile = dir.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                       keyFile, QStringLiteral("-out"), certFile, QStringLiteral("-days"),
                       QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                       QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        if (!openssl.waitForStarted(10000))
            QSKIP("the openssl command is not installed: cannot make a test certificate");
        QVERIFY(openssl.waitForFinished(60000));
        QCOMPARE(openssl.exitCode(), 0);
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here");
        const auto certs = QSslCertificate::fromPath(certFile);
        QCOMPARE(certs.size(), 1);
        QSslKey key(test::readFile(keyFile), QSsl::Rsa);
        QVERIFY(!key.isNull());

        const QString db = dir.filePath(QStringLiteral("f.db"));
        QCOMPARE(test::storeFlows(db, 0, 300, 1000), QString());
        FakeOpenObserve fake;
        fake.setTls(certs.front(), key);
        QVERIFY(fake.listen());
        QVERIFY(fake.url().startsWith(QStringLiteral("https://")));

        // Verified by default: an unknown CA is a setup error, nothing is sent, nothing is lost.
        forward::Forwarder strict;
        START_OR_FAIL(strict, db, test::fastForwardConfig(fake));
        QTRY_COMPARE_WITH_TIMEOUT(strict.lastStatus().state, forward::ForwardState::Paused, 10000);
        QVERIFY2(strict.lastStatus().setupError.contains(QStringLiteral("TLS")),
                 qPrintable(strict.lastStatus().setupError));
        strict.stop();
        QCOMPARE(fake.recordCount(), 0);

        // Trusting the CA file.
        auto trusted = test::fastForwardConfig(fake);
        trusted.caFile = certFile;
        forward::Forwarder withCa;
        START_OR_FAIL(withCa, db, trusted);
        QTRY_VERIFY2_WITH_TIMEOUT(fake.recordCount() == 300, qPrintable(withCa.lastStatus().lastError),
                                  10000);
        QVERIFY(withCa.stop().verifyTls);

        // Opting out is possible and visible.
        QCOMPARE(test::storeFlows(db, 300, 100, 1000), QString());
        auto insecure = test::fastForwardConfig(fake);
        insecure.verifyTls = false;
        forward::Forwarder loose;
        START_OR_FAIL(loose, db, insecure);
        QTRY_COMPARE_WITH_TIMEOUT(fake.recordCount(), 400, 10000);
        QVERIFY(!loose.stop().verifyTls);
        QCOMPARE(test::exactlyOnce(fake.records(), 0, 400), QString());
    }
};

QTEST_GUILESS_MAIN(TestForwarder)
#include "tst_forwarder.moc"
