// WriterWorker: commits once a second even when the event loop never gets to its timer.
#include "core/collect/flow_queue.h"
#include "core/collect/writer_worker.h"
#include "core/store/flow_reader.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

std::vector<decode::FlowRecord> flows(std::size_t n)
{
    std::vector<decode::FlowRecord> out(n);
    const std::uint64_t now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
    for (std::size_t i = 0; i < n; ++i) {
        out[i].time_received_ns = now;
        out[i].src_addr = decode::IpAddress::fromV4(0x0a000001u + std::uint32_t(i));
        out[i].dst_addr = decode::IpAddress::fromV4(0xc6336401u);
        out[i].bytes = 1000;
        out[i].packets = 1;
        out[i].proto = 6;
    }
    return out;
}

} // namespace

class TestWriterWorker : public QObject
{
    Q_OBJECT

private slots:
    void drainCommitsWhenASecondHasPassed()
    {
        // Under load the writer thread runs drain after drain; its commit timer fired 1.5-2 s
        // late at 2 M flows/s. No event loop runs here, so the timer cannot fire at all: only a
        // drain can commit.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.db"));
        collect::FlowQueue queue(100000);
        collect::WriterWorker worker(queue, path, store::WriterOptions{});
        QVERIFY(worker.open().has_value());

        auto batch = flows(1000);
        bool wake = false;
        QVERIFY(queue.push(batch, wake));
        worker.drain(); // right after open: buffered, not committed
        QCOMPARE(worker.stats().commits, std::uint64_t(0));
        QCOMPARE(worker.stats().flowsPending, std::uint64_t(1000));

        QTest::qSleep(1100);
        batch = flows(500);
        QVERIFY(queue.push(batch, wake));
        worker.drain();
        QCOMPARE(worker.stats().commits, std::uint64_t(1));
        QCOMPARE(worker.stats().flowsStored, std::uint64_t(1500));
        QCOMPARE(queue.depth(), std::size_t(0));
        auto reader = store::FlowReader::open(path);
        QVERIFY(reader.has_value());
        QCOMPARE((*reader)->flowCount().value(), std::uint64_t(1500)); // visible to readers

        // The next second starts at that commit: a drain right after it does not commit again.
        batch = flows(10);
        QVERIFY(queue.push(batch, wake));
        worker.drain();
        QCOMPARE(worker.stats().commits, std::uint64_t(1));
        QCOMPARE(worker.stats().flowsPending, std::uint64_t(10));
    }
};

QTEST_GUILESS_MAIN(TestWriterWorker)
#include "tst_writer_worker.moc"
