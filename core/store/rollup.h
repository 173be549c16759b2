#pragma once

#include "core/decode/flow_record.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::store {

struct Dictionaries;

/// Dimensions kept in the per-minute rollups. Numbers are stored in the database: append only.
enum class Dimension : std::uint8_t
{
    Proto = 0,
    Src = 1,
    Dst = 2,
    Ip = 3, ///< source or destination: a flow counts for both addresses (like nfdump -s ip)
    Pair = 4,
    SrcPort = 5,
    DstPort = 6,
    Exporter = 7,
    // GeoIP enrichment (core/enrich). AS: the looked-up AS, else the one the exporter sent.
    SrcCountry = 8,
    DstCountry = 9,
    SrcAs = 10,
    DstAs = 11,
    SrcCity = 12,
    DstCity = 13,
    SrcNet = 14, ///< user-defined network name
    DstNet = 15,
    Count_
};

inline constexpr int kDimensionCount = static_cast<int>(Dimension::Count_);

/// CLI/UI name ("proto", "src", "dst", "ip", "pair", "srcport", "dstport", "exporter", "src-country",
/// "dst-country", "src-as", "dst-as", "src-city", "dst-city", "src-net", "dst-net").
std::string_view dimensionName(Dimension d);
std::optional<Dimension> dimensionFromName(std::string_view name);
/// Bytes of a key of this dimension (1 proto, 2 ports/countries/networks, 4 AS/cities, 16
/// addresses, 32 pairs).
int dimensionKeySize(Dimension d);

/// Counters kept per key: raw as sent, and sampling-scaled.
struct Counters
{
    std::uint64_t flows = 0;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t scaledPackets = 0;
    std::uint64_t scaledBytes = 0;

    void add(const Counters& o)
    {
        flows += o.flows;
        packets += o.packets;
        bytes += o.bytes;
        scaledPackets += o.scaledPackets;
        scaledBytes += o.scaledBytes;
    }
    /// Takes away counters that were added before (never below zero in use).
    void subtract(const Counters& o)
    {
        flows -= o.flows;
        packets -= o.packets;
        bytes -= o.bytes;
        scaledPackets -= o.scaledPackets;
        scaledBytes -= o.scaledBytes;
    }
    void add(const decode::FlowRecord& r)
    {
        const std::uint64_t rate = r.sampling_rate ? r.sampling_rate : 1;
        flows += 1;
        packets += r.packets;
        bytes += r.bytes;
        scaledPackets += r.packets * rate;
        scaledBytes += r.bytes * rate;
    }
    void maxWith(const Counters& o);
};

enum class Metric : std::uint8_t
{
    Bytes,
    Packets,
    Flows,
};

std::string_view metricName(Metric m);
std::optional<Metric> metricFromName(std::string_view name);
/// The value ranked by `metric`, scaled unless `raw`.
inline std::uint64_t metricValue(const Counters& c, Metric metric, bool raw)
{
    return metric == Metric::Flows ? c.flows
                                   : (metric == Metric::Packets ? (raw ? c.packets : c.scaledPackets)
                                                                : (raw ? c.bytes : c.scaledBytes));
}

/// A dimension key in at most 32 bytes; unused bytes are zero. An all-empty key with size 0
/// stands for "other" (the keys a truncated bucket dropped).
struct RollupKey
{
    std::array<std::uint8_t, 32> bytes{};
    std::uint8_t size = 0;

    friend bool operator==(const RollupKey&, const RollupKey&) = default;
    friend bool operator<(const RollupKey& a, const RollupKey& b)
    {
        return a.size < b.size || (a.size == b.size && a.bytes < b.bytes);
    }
    bool isOther() const { return size == 0; }
    std::span<const std::byte> blob() const
    {
        return {reinterpret_cast<const std::byte*>(bytes.data()), size};
    }
    static RollupKey fromBlob(std::span<const std::byte> blob);
};

struct RollupKeyHash
{
    std::size_t operator()(const RollupKey& k) const noexcept;
};

/// Extracts the key(s) of `d` from a flow: one key, or two for Dimension::Ip (returns the count).
int rollupKeys(Dimension d, const decode::FlowRecord& r, RollupKey out[2]);

/// Text of a key as the CLI prints it: protocol number, port number, canonical address, or
/// "SRC->DST" for pairs, ISO country code, AS number; "other" for the other-row. Cities and user
/// networks are ids here ("city#12"): use the overload with the store's dictionaries for names.
std::string rollupKeyText(Dimension d, const RollupKey& key);
/// As above, with city keys as "City, Region, CC" and network keys as their names.
std::string rollupKeyText(Dimension d, const RollupKey& key, const Dictionaries& dict);
/// The number held by a country, AS, city or network key (0 for other dimensions).
std::uint32_t rollupKeyNumber(Dimension d, const RollupKey& key);
/// A key of a country, AS, city or network dimension from its number.
RollupKey rollupKeyOfNumber(Dimension d, std::uint32_t value);

/// Per-bucket rows of one dimension after truncation: kept keys, the "other" row (sum of dropped
/// keys) and the largest value any dropped key had per counter (the bound used to prove that a
/// top-N read from rollups is exact).
struct RollupBucketRows
{
    std::vector<std::pair<RollupKey, Counters>> rows;
    Counters other;
    Counters maxDropped;
    std::uint64_t droppedKeys = 0;
};

/// One stored row of a bucket, as read back.
struct RollupRow
{
    std::int64_t bucket = 0; ///< unix seconds
    RollupKey key;           ///< isOther(): keys the bucket dropped
    Counters counters;
};

/// Rollup tiers: bucket widths in seconds. Minutes are written as flows arrive; 10-minute and hour
/// buckets are built from closed minutes.
inline constexpr std::int64_t kRollupTiers[] = {60, 600, 3600};

/// How many keys a bucket keeps per ranking metric (scaled bytes, scaled packets, flows): fewer for
/// minutes (there are many; at low rates a minute would otherwise store nearly every flow again),
/// more for the coarse tiers that answer long ranges.
inline constexpr std::size_t rollupKeepPerMetric(std::int64_t tier)
{
    return tier <= 60 ? 100 : (tier <= 600 ? 250 : 500);
}
inline constexpr std::size_t kRollupKeepPerMetric = rollupKeepPerMetric(3600);

/// Keys a bucket of `tier` keeps per metric for dimension `d`. A 10-minute or hour bucket keeps every
/// port it saw (at most 65,536; about 5 bytes each once packed): port rankings over long ranges are
/// then exact from rollups alone, where ephemeral ports carried by a few huge flows used to leave
/// truncated buckets unable to prove anything and made queries read every flow.
inline constexpr std::size_t rollupKeep(std::int64_t tier, Dimension d)
{
    return tier > 60 && (d == Dimension::SrcPort || d == Dimension::DstPort) ? 65536
                                                                             : rollupKeepPerMetric(tier);
}

/// Accumulates one bucket of one dimension. Keeps every key until truncate() is called.
class RollupMap
{
public:
    RollupMap();
    Counters& at(const RollupKey& key);
    std::size_t size() const { return m_size; }
    void clear();
    template <class F>
    void forEach(F&& f) const
    {
        for (const Slot& s : m_slots)
            if (s.used)
                f(s.key, s.counters);
    }
    /// Keeps the union of the top `keep` keys by scaled bytes, scaled packets and flows; the rest
    /// is summed into other. `existingOther`/`existingMax` carry a previous truncation forward.
    RollupBucketRows truncate(std::size_t keep) const;

private:
    struct Slot
    {
        RollupKey key;
        Counters counters;
        bool used = false;
    };
    void grow();
    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
    std::size_t m_mask = 0;
};

} // namespace flowlens::store
