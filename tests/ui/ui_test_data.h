#pragma once

// A known dataset for the UI tests, written with FlowWriter from hand-made FlowRecords, and brute
// force references computed from the same records.

#include "core/store/flow_writer.h"
#include "core/store/rollup.h"

#include <algorithm>
#include <map>
#include <vector>

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace flowlens::test {

inline constexpr std::uint64_t kNs = 1'000'000'000ull;
/// A minute boundary: 2027-01-15 08:00:00 UTC.
inline constexpr std::uint64_t kBase = 1'800'000'000ull * kNs;
inline constexpr std::uint64_t kSpanNs = 600 * kNs;

inline decode::IpAddress v4(std::uint32_t a)
{
    return decode::IpAddress::fromV4(a);
}

/// 12000 flows over 10 minutes: 9 sources with very different weights (10.1.0.1 … 10.1.0.9),
/// 4 destinations, web/DNS/SSH/NTP ports, TCP/UDP/ICMP, two exporters, every third flow sampled 1:4.
inline std::vector<decode::FlowRecord> uiDataset()
{
    std::vector<decode::FlowRecord> flows;
    const std::uint16_t ports[] = {443, 80, 53, 22, 123, 443, 443, 8080};
    for (int i = 0; i < 12000; ++i) {
        decode::FlowRecord r;
        r.time_received_ns = kBase + std::uint64_t(i) * (kSpanNs / 12000);
        r.time_flow_start_ns = r.time_received_ns - 2 * kNs;
        r.time_flow_end_ns = r.time_received_ns - kNs;
        const int s = (i * 7) % 9;
        r.src_addr = v4(0x0a010001u + std::uint32_t(s));
        r.dst_addr = v4(0xc6336400u + std::uint32_t(1 + i % 4)); // 198.51.100.1-4
        const std::uint16_t port = ports[std::size_t(i % 8)];
        r.proto = i % 23 == 0 ? 1 : (port == 53 || port == 123 ? 17 : 6);
        r.src_port = r.proto == 1 ? 0 : std::uint16_t(40000 + i % 97);
        r.dst_port = r.proto == 1 ? 0 : port;
        r.bytes = std::uint64_t(64 + (s + 1) * (s + 1) * 150 + i % 31);
        r.packets = std::uint64_t(1 + s + i % 4);
        r.sampling_rate = i % 3 == 0 ? 4 : 1;
        r.sampler_address = v4(i % 5 == 0 ? 0xc0000202u : 0xc0000201u); // 192.0.2.2 / .1
        r.type = decode::FlowType::NetFlowV9;
        r.tcp_flags = r.proto == 6 ? 0x1b : 0;
        r.in_if = std::uint32_t(1 + i % 3);
        r.out_if = 7;
        r.etype = 0x0800;
        flows.push_back(r);
    }
    return flows;
}

/// Writes the flows (and two exporter health rows) to `path`; empty string on success.
inline QString writeUiDatabase(const QString& path, const std::vector<decode::FlowRecord>& flows)
{
    store::WriterOptions opts;
    opts.blockFlows = 2048;
    auto w = store::FlowWriter::open(path, opts);
    if (!w)
        return w.error();
    for (std::size_t i = 0; i < flows.size(); i += 1000) {
        (*w)->add(std::span(flows).subspan(i, std::min<std::size_t>(1000, flows.size() - i)));
        if (auto r = (*w)->commit(); !r)
            return r.error();
    }
    std::vector<std::pair<decode::DomainKey, decode::DomainStats>> exporters;
    for (std::uint32_t a : {0xc0000201u, 0xc0000202u}) {
        decode::DomainKey key;
        key.exporter = decode::Endpoint{v4(a), 2055};
        decode::DomainStats st;
        st.type = decode::FlowType::NetFlowV9;
        st.version = 9;
        st.flows = a == 0xc0000201u ? 9600 : 2400;
        st.datagrams = st.flows / 20;
        st.sequenceExpected = st.datagrams;
        st.sequenceLost = a == 0xc0000201u ? 0 : 3;
        st.templatesActive = 2;
        st.samplingRate = 4;
        st.firstSeenNs = kBase;
        st.lastSeenNs = kBase + kSpanNs;
        exporters.emplace_back(key, st);
    }
    (*w)->setExporters(exporters);
    if (auto r = (*w)->close(); !r)
        return r.error();
    return {};
}

/// Reference top-N (scaled counters), ranked like runTop: value descending, then key.
inline std::vector<std::pair<store::RollupKey, store::Counters>>
bruteTop(const std::vector<decode::FlowRecord>& flows, store::Dimension dim, store::Metric order,
         std::size_t limit)
{
    std::map<store::RollupKey, store::Counters> map;
    for (const auto& r : flows) {
        store::RollupKey keys[2];
        const int n = store::rollupKeys(dim, r, keys);
        for (int k = 0; k < n; ++k)
            map[keys[k]].add(r);
    }
    std::vector<std::pair<store::RollupKey, store::Counters>> rows(map.begin(), map.end());
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        return store::metricValue(a.second, order, false) > store::metricValue(b.second, order, false);
    });
    if (limit && rows.size() > limit)
        rows.resize(limit);
    return rows;
}

/// Keeps QSettings and standard paths of tests away from the user's.
inline void isolateSettings(const QTemporaryDir& dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FlowLensTest"));
    QCoreApplication::setApplicationName(QStringLiteral("flowlens-test"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
}

} // namespace flowlens::test
