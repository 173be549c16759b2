#include "forward_fixtures.h"

#include "fake_openobserve.h"

#include "core/store/flow_writer.h"

#include <chrono>

#include <QHash>
#include <QSet>

namespace flowlens::test {

std::uint64_t nowNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

decode::FlowRecord forwardTestFlow(std::uint32_t i, std::uint64_t timeReceivedNs)
{
    decode::FlowRecord r;
    r.type = decode::FlowType::NetFlowV9;
    r.time_received_ns = timeReceivedNs;
    r.time_flow_start_ns = timeReceivedNs - 2'000'000'000ull;
    r.time_flow_end_ns = timeReceivedNs - 1'000'000'000ull;
    r.sequence_num = i;
    r.bytes = 1000 + i;
    r.packets = 1 + i % 10;
    r.sampling_rate = i % 3 ? 100 : 0;
    r.src_addr = decode::IpAddress::fromV4(0x0a000000u + i);
    r.dst_addr = decode::IpAddress::fromV4(0xc6336401u);
    r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
    r.etype = 0x0800;
    r.proto = i % 2 ? 6 : 17;
    r.src_port = std::uint16_t(1024 + i % 60000);
    r.dst_port = 443;
    r.in_if = 1;
    r.out_if = 2;
    return r;
}

QString storeFlows(const QString& dbPath, std::uint32_t first, std::uint32_t count, std::size_t blockFlows,
                   std::uint64_t timeReceivedNs, std::int64_t retentionSeconds)
{
    store::WriterOptions options;
    options.blockFlows = blockFlows;
    options.retentionSeconds = retentionSeconds;
    auto writer = store::FlowWriter::open(dbPath, options);
    if (!writer)
        return writer.error();
    std::vector<decode::FlowRecord> flows;
    const std::uint64_t t = timeReceivedNs ? timeReceivedNs : nowNs();
    for (std::uint32_t i = first; i < first + count; ++i)
        flows.push_back(forwardTestFlow(i, t + i));
    (*writer)->add(flows);
    if (auto r = (*writer)->commit(); !r)
        return r.error();
    return {};
}

forward::ForwardConfig fastForwardConfig(const FakeOpenObserve& fake)
{
    forward::ForwardConfig c;
    c.url = fake.url();
    c.user = QStringLiteral("root@example.com");
    c.secret = QStringLiteral("Complexpass#123");
    c.startAt = forward::StartPosition::Beginning;
    c.batchRecords = 500;
    c.flushIntervalMs = 50;
    c.pollIntervalMs = 20;
    c.requestTimeoutMs = 5000;
    c.backoffInitialMs = 20;
    c.backoffMaxMs = 200;
    c.pauseRetryMs = 300;
    c.shutdownGraceMs = 2000;
    return c;
}

QString exactlyOnce(const QList<QJsonObject>& records, std::uint32_t first, std::uint32_t count,
                    const QList<std::uint32_t>& absent)
{
    QHash<qint64, int> seen;
    for (const QJsonObject& o : records)
        ++seen[qint64(o.value(QStringLiteral("sequence_num")).toDouble(-1))];
    const QSet<std::uint32_t> skip(absent.begin(), absent.end());
    QStringList problems;
    for (std::uint32_t i = first; i < first + count; ++i) {
        const int n = seen.value(qint64(i));
        const int want = skip.contains(i) ? 0 : 1;
        if (n != want && problems.size() < 10)
            problems << QStringLiteral("flow %1 received %2 times (want %3)").arg(i).arg(n).arg(want);
        seen.remove(qint64(i));
    }
    for (auto it = seen.begin(); it != seen.end() && problems.size() < 10; ++it)
        problems << QStringLiteral("unexpected flow %1 received %2 times").arg(it.key()).arg(it.value());
    return problems.join(QStringLiteral("; "));
}

} // namespace flowlens::test
