// FlowQueue: bounded in flows, and in memory by the flows it holds (not by the callers' buffers).
#include "core/collect/flow_queue.h"

#include <set>

#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;

class TestFlowQueue : public QObject
{
    Q_OBJECT

private slots:
    void smallBatchesFromALargeBufferTakeTheirSize()
    {
        collect::FlowQueue queue(100000);
        std::vector<FlowRecord> buffer;
        buffer.reserve(16384); // the receiver's hand-over buffer
        for (int i = 0; i < 200; ++i) {
            buffer.resize(37);
            buffer[0].bytes = std::uint64_t(i);
            bool wake = false;
            QVERIFY(queue.push(buffer, wake));
            QCOMPARE(wake, i == 0);
            QVERIFY(buffer.empty());
            QVERIFY(buffer.capacity() >= 16384); // the caller keeps its buffer
        }
        QCOMPARE(queue.depth(), std::size_t(200 * 37));
        std::vector<std::vector<FlowRecord>> taken;
        queue.takeAll(taken);
        QCOMPARE(int(taken.size()), 200);
        std::size_t capacity = 0;
        for (std::size_t i = 0; i < taken.size(); ++i) {
            QCOMPARE(taken[i].size(), std::size_t(37));
            QCOMPARE(taken[i][0].bytes, std::uint64_t(i)); // in order
            capacity += taken[i].capacity();
        }
        // 200 batches of 37 flows hold about 7,400 flows of memory, not 200 x 16,384.
        QVERIFY2(capacity <= 2 * 200 * 37, qPrintable(QString::number(capacity)));
        QCOMPARE(queue.depth(), std::size_t(0));
        queue.recycle(taken);
        QVERIFY(taken.empty());
    }

    void burstsReuseTheChunksTheWriterGaveBack()
    {
        // A burst of 5,000 flows is queued as four full chunks and an exactly sized rest; once the
        // writer recycles them, the next burst is copied into the same memory (no fresh pages).
        collect::FlowQueue queue(100000);
        std::vector<FlowRecord> buffer(5000);
        for (std::size_t i = 0; i < buffer.size(); ++i)
            buffer[i].bytes = i;
        bool wake = false;
        QVERIFY(queue.push(buffer, wake));
        std::vector<std::vector<FlowRecord>> taken;
        queue.takeAll(taken);
        QCOMPARE(int(taken.size()), 5);
        std::set<const FlowRecord*> chunks;
        std::uint64_t next = 0;
        for (const auto& b : taken) {
            for (const auto& f : b)
                QCOMPARE(f.bytes, next++); // in order, nothing lost
            if (b.size() == 1024)
                chunks.insert(b.data());
            else
                QCOMPARE(b.capacity(), b.size());
        }
        QCOMPARE(int(chunks.size()), 4);
        queue.recycle(taken);
        QVERIFY(taken.empty());
        buffer.assign(4096, FlowRecord{});
        QVERIFY(queue.push(buffer, wake));
        queue.takeAll(taken);
        QCOMPARE(int(taken.size()), 4);
        for (const auto& b : taken)
            QVERIFY(chunks.count(b.data()));
        QCOMPARE(queue.depth(), std::size_t(0));
    }

    void fullQueueDropsAndCounts()
    {
        collect::FlowQueue queue(100);
        std::vector<FlowRecord> batch(60);
        bool wake = false;
        QVERIFY(queue.push(batch, wake));
        batch.resize(60);
        QVERIFY(!queue.push(batch, wake)); // 120 > 100
        QVERIFY(batch.empty());
        QCOMPARE(queue.dropped(), std::uint64_t(60));
        QCOMPARE(queue.depth(), std::size_t(60));
        std::vector<std::vector<FlowRecord>> taken;
        queue.takeAll(taken);
        QCOMPARE(queue.depth(), std::size_t(0));
        batch.resize(100);
        QVERIFY(queue.push(batch, wake)); // room again
        QVERIFY(wake);
    }
};

QTEST_APPLESS_MAIN(TestFlowQueue)
#include "tst_flow_queue.moc"
