// FlowQueue: bounded in flows, and in memory by the flows it holds (not by the callers' buffers);
// PackedFlows: what goes in comes out, byte for byte.
#include "core/collect/flow_queue.h"

#include <cstring>
#include <random>
#include <set>

#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;

namespace {

std::vector<FlowRecord> unpack(const collect::PackedFlows& packed, std::size_t slice = 512)
{
    std::vector<FlowRecord> out;
    std::vector<FlowRecord> buffer(slice);
    collect::PackedFlows::Reader reader(packed);
    while (const std::size_t n = reader.read(buffer))
        out.insert(out.end(), buffer.begin(), buffer.begin() + std::ptrdiff_t(n));
    return out;
}

std::vector<FlowRecord> unpackAll(const std::vector<collect::PackedFlows>& batches)
{
    std::vector<FlowRecord> out;
    for (const auto& b : batches) {
        auto flows = unpack(b);
        out.insert(out.end(), flows.begin(), flows.end());
    }
    return out;
}

} // namespace

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
        std::vector<collect::PackedFlows> taken;
        QVERIFY(!queue.take(taken, SIZE_MAX));
        QCOMPARE(int(taken.size()), 200);
        std::size_t capacityWords = 0;
        for (std::size_t i = 0; i < taken.size(); ++i) {
            QCOMPARE(taken[i].size(), std::size_t(37));
            const auto flows = unpack(taken[i]);
            QCOMPARE(flows.size(), std::size_t(37));
            QCOMPARE(flows[0].bytes, std::uint64_t(i));          // in order
            QCOMPARE(taken[i].wordCapacity(), taken[i].words()); // exactly sized
            capacityWords += taken[i].wordCapacity();
        }
        // 200 batches of 37 flows hold what they pack to, not 200 x 16,384 flows; zero records
        // pack to their mask word (and one group for the first flow's bytes).
        QVERIFY2(capacityWords <= 200 * (37 + 2), qPrintable(QString::number(capacityWords)));
        QCOMPARE(queue.depth(), std::size_t(200 * 37)); // taken, not yet stored
        queue.recycle(taken);
        QCOMPARE(queue.depth(), std::size_t(0));
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
        std::vector<collect::PackedFlows> taken;
        QVERIFY(!queue.take(taken, SIZE_MAX));
        QCOMPARE(int(taken.size()), 5);
        std::set<const std::uint64_t*> chunks;
        for (const auto& b : taken) {
            if (b.size() == 1024)
                chunks.insert(b.data());
            else
                QCOMPARE(b.wordCapacity(), b.words());
        }
        const auto flows = unpackAll(taken);
        QCOMPARE(flows.size(), std::size_t(5000));
        for (std::size_t i = 0; i < flows.size(); ++i)
            QCOMPARE(flows[i].bytes, std::uint64_t(i)); // in order, nothing lost
        QCOMPARE(int(chunks.size()), 4);
        queue.recycle(taken);
        QVERIFY(taken.empty());
        buffer.assign(4096, FlowRecord{});
        QVERIFY(queue.push(buffer, wake));
        QVERIFY(!queue.take(taken, SIZE_MAX));
        QCOMPARE(int(taken.size()), 4);
        for (const auto& b : taken)
            QVERIFY(chunks.count(b.data()));
        QCOMPARE(unpackAll(taken).size(), std::size_t(4096));
        queue.recycle(taken);
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
        std::vector<collect::PackedFlows> taken;
        QVERIFY(!queue.take(taken, SIZE_MAX));
        batch.resize(100);
        QVERIFY(!queue.push(batch, wake)); // taken but not stored yet: still no room
        QCOMPARE(queue.dropped(), std::uint64_t(160));
        queue.recycle(taken);
        QCOMPARE(queue.depth(), std::size_t(0));
        batch.resize(100);
        QVERIFY(queue.push(batch, wake)); // room again
        QVERIFY(wake);
    }

    void largeFlowsAreBoundedInBytes()
    {
        // Flows with every field set pack into 360 bytes each: 100 KB hold 277 of them, far fewer
        // than the 1,000 flows of capacity.
        collect::FlowQueue queue(1000, 100'000);
        auto large = [] {
            std::vector<FlowRecord> b(100);
            for (auto& r : b)
                std::memset(static_cast<void*>(&r), 0x5A, sizeof r);
            return b;
        };
        bool wake = false;
        auto batch = large();
        QVERIFY(queue.push(batch, wake));
        QCOMPARE(queue.depthBytes(), std::size_t(100 * (sizeof(FlowRecord) + 8)));
        batch = large();
        QVERIFY(queue.push(batch, wake));
        batch = large();
        QVERIFY(!queue.push(batch, wake)); // 108 KB would not fit
        QCOMPARE(queue.dropped(), std::uint64_t(100));
        QCOMPARE(queue.depth(), std::size_t(200));
        // Small flows still fit in the room that is left (the estimate follows the last batch packed).
        std::vector<FlowRecord> small(50);
        QVERIFY(queue.push(small, wake));
        std::vector<collect::PackedFlows> taken;
        QVERIFY(!queue.take(taken, SIZE_MAX));
        QCOMPARE(unpackAll(taken).size(), std::size_t(250));
        queue.recycle(taken);
        QCOMPARE(queue.depthBytes(), std::size_t(0));
        QCOMPARE(queue.depth(), std::size_t(0));
        batch = large();
        QVERIFY(queue.push(batch, wake)); // room again
        // Without a byte bound given, the capacity in flows times 224 bytes.
        QCOMPARE(collect::FlowQueue(1000).capacityBytes(), std::size_t(224'000));
    }

    void takesAFewChunksAtATime()
    {
        // The writer takes about maxFlows at a time, oldest first, and is told whether more wait;
        // the queue is marked idle (the next push wakes the writer) only once it is empty.
        collect::FlowQueue queue(100000);
        std::vector<FlowRecord> buffer(10 * 1024);
        for (std::size_t i = 0; i < buffer.size(); ++i)
            buffer[i].bytes = i;
        bool wake = false;
        QVERIFY(queue.push(buffer, wake));
        QVERIFY(wake);
        std::vector<collect::PackedFlows> taken;
        QVERIFY(queue.take(taken, 3000)); // three chunks, more wait
        QCOMPARE(unpackAll(taken).size(), std::size_t(3 * 1024));
        queue.recycle(taken);
        buffer.assign(1, FlowRecord{});
        QVERIFY(queue.push(buffer, wake));
        QCOMPARE(wake, false); // not idle: the writer still has work and knows it
        std::vector<FlowRecord> stored;
        int rounds = 0;
        bool more = true;
        while (more) {
            more = queue.take(taken, 3000);
            ++rounds;
            const auto flows = unpackAll(taken);
            stored.insert(stored.end(), flows.begin(), flows.end());
            queue.recycle(taken);
        }
        QCOMPARE(rounds, 3); // 3 chunks, then 1 chunk and the single flow
        QCOMPARE(stored.size(), std::size_t(7 * 1024 + 1));
        for (std::size_t i = 0; i < 7 * 1024; ++i)
            QCOMPARE(stored[i].bytes, std::uint64_t(3 * 1024 + i)); // oldest first
        QCOMPARE(queue.depth(), std::size_t(0));
        buffer.assign(1, FlowRecord{});
        QVERIFY(queue.push(buffer, wake));
        QVERIFY(wake); // idle again: this push wakes the writer
    }

    void packingKeepsEveryByte()
    {
        // Records with random bytes in random places (every group, all-zero groups between
        // nonzero ones, a fully set record, an empty one): unpacked, each equals what went in,
        // whatever the size of the reads.
        std::mt19937_64 rng(7);
        std::vector<FlowRecord> in(3000);
        for (std::size_t i = 0; i < in.size(); ++i) {
            auto* bytes = reinterpret_cast<std::uint8_t*>(&in[i]);
            if (i == 1) {
                std::memset(bytes, 0xA5, sizeof(FlowRecord));
                continue;
            }
            if (i == 2)
                continue; // all zero
            const std::size_t set = rng() % 40;
            for (std::size_t k = 0; k < set; ++k)
                bytes[rng() % sizeof(FlowRecord)] = std::uint8_t(rng() | 1);
        }
        in[0].time_received_ns = 1;
        std::memset(reinterpret_cast<std::uint8_t*>(&in[3]) + sizeof(FlowRecord) - 1, 0x80, 1); // last byte
        collect::PackedFlows packed;
        packed.append(std::span(in).first(1000));
        packed.append(std::span(in).subspan(1000));
        QCOMPARE(packed.size(), in.size());
        QVERIFY(packed.words() < in.size() * collect::PackedFlows::kMaxWordsPerFlow);
        for (std::size_t slice : {std::size_t(1), std::size_t(7), std::size_t(512), std::size_t(5000)}) {
            const auto out = unpack(packed, slice);
            QCOMPARE(out.size(), in.size());
            for (std::size_t i = 0; i < in.size(); ++i)
                QVERIFY2(std::memcmp(&out[i], &in[i], sizeof(FlowRecord)) == 0,
                         qPrintable(QStringLiteral("flow %1, slice %2").arg(i).arg(slice)));
        }
        const auto copy = packed.exactCopy();
        QCOMPARE(copy.wordCapacity(), packed.words());
        QVERIFY(std::memcmp(copy.data(), packed.data(), packed.words() * 8) == 0);
        packed.clear();
        QVERIFY(packed.empty());
        QCOMPARE(unpack(packed).size(), std::size_t(0));
    }

    void v5FlowsPackSmall()
    {
        // What a NetFlow v5 record fills: times, counters, four IPv4 addresses, ports, AS, interfaces.
        FlowRecord r;
        r.time_received_ns = 1'790'000'000'000'000'000ull;
        r.time_flow_start_ns = r.time_received_ns - 5'000'000'000ull;
        r.time_flow_end_ns = r.time_received_ns - 1'000'000'000ull;
        r.bytes = 1500;
        r.packets = 3;
        r.sampler_address = decode::IpAddress::fromV4(0x7f000001);
        r.src_addr = decode::IpAddress::fromV4(0x0a000001);
        r.dst_addr = decode::IpAddress::fromV4(0xc0a80001);
        r.next_hop = decode::IpAddress::fromV4(0x0a0000fe);
        r.sequence_num = 77;
        r.in_if = 1;
        r.out_if = 2;
        r.src_as = 64512;
        r.dst_as = 64513;
        r.etype = 0x0800;
        r.src_port = 50000;
        r.dst_port = 443;
        r.tcp_flags = 0x18;
        r.proto = 6;
        r.src_net = 24;
        r.dst_net = 16;
        r.type = decode::FlowType::NetFlowV5;
        std::vector<FlowRecord> flows(100, r);
        collect::PackedFlows packed;
        packed.append(flows);
        const double bytesPerFlow = 8.0 * double(packed.words()) / 100.0;
        QVERIFY2(bytesPerFlow <= 232, qPrintable(QString::number(bytesPerFlow))); // of 352
        const auto out = unpack(packed);
        QVERIFY(std::memcmp(out.data(), flows.data(), flows.size() * sizeof(FlowRecord)) == 0);
    }
};

QTEST_APPLESS_MAIN(TestFlowQueue)
#include "tst_flow_queue.moc"
