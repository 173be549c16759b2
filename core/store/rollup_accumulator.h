#pragma once

#include "core/decode/flow_record.h"
#include "core/store/rollup.h"
#include "core/store/rollup_presence.h"

#include <array>
#include <bitset>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

namespace flowlens::store {

/// Open-addressing map from a fixed-size byte key to Counters, tuned for the ingest path: one
/// control byte per slot (empty or a 7-bit hash tag), linear probing, batch insertion with
/// prefetching, and no per-entry allocation.
template <std::size_t KeyBytes>
class CounterMap
{
public:
    using Key = std::array<std::uint8_t, KeyBytes>;

    explicit CounterMap(std::size_t capacityHint = 64);
    ~CounterMap();
    CounterMap(const CounterMap&) = delete;
    CounterMap& operator=(const CounterMap&) = delete;
    Counters& at(const Key& key, std::uint64_t hash);
    static std::uint64_t hashOf(const Key& key);
    void prefetch(std::uint64_t hash) const;
    std::size_t size() const { return m_size; }
    template <class F>
    void forEach(F&& f) const
    {
        for (std::size_t i = 0; i <= m_mask; ++i)
            if (m_ctrl[i])
                f(m_slots[i].key, m_slots[i].counters);
    }
    const Counters* find(const Key& key) const;
    void clear();

private:
    struct Slot
    {
        Key key;
        Counters counters;
    };
    /// Slots and control bytes in one calloc (a large one is fresh, already zero memory: no memset;
    /// growing used to zero both arrays and copy-construct every slot). An empty control byte says
    /// a slot holds nothing.
    void allocate(std::size_t capacity);
    void release() noexcept;
    void grow();
    std::uint8_t* m_ctrl = nullptr;
    Slot* m_slots = nullptr;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

/// Counters per 16-bit port, indexed directly: no hashing or probing, and no key to compare. The
/// table (2.6 MB) comes from calloc: only the pages of ports in use become resident. clear() zeroes
/// only the ports used.
class PortTable
{
public:
    PortTable();
    ~PortTable();
    PortTable(const PortTable&) = delete;
    PortTable& operator=(const PortTable&) = delete;
    Counters& at(std::uint16_t port)
    {
        std::uint64_t& word = m_used[port >> 6];
        const std::uint64_t bit = std::uint64_t(1) << (port & 63);
        m_size += (word & bit) ? 0 : 1;
        word |= bit;
        return m_counters[port];
    }
    void prefetch(std::uint16_t port) const { __builtin_prefetch(&m_counters[port]); }
    std::size_t size() const { return m_size; }
    template <class F>
    void forEach(F&& f) const
    {
        for (std::size_t w = 0; w < m_used.size(); ++w)
            for (std::uint64_t bits = m_used[w]; bits; bits &= bits - 1) {
                const auto port = std::uint16_t(w * 64 + std::size_t(__builtin_ctzll(bits)));
                f(port, m_counters[port]);
            }
    }
    void clear();

private:
    Counters* m_counters;
    std::array<std::uint64_t, 1024> m_used{};
    std::size_t m_size = 0;
};

/// One bucket of every rollup dimension, built from flows as they arrive. Keeps every key (up to
/// `maxKeysPerDimension`; past it further new keys are summed into "other" and the bucket is marked
/// approximate) until rows() truncates a copy for storage. Protocols and ports use direct tables,
/// addresses, pairs and the GeoIP dimensions hash maps sized to what a bucket holds; the either-side
/// address dimension is derived from the source and destination maps when rows are taken.
class RollupAccumulator
{
public:
    explicit RollupAccumulator(std::size_t maxKeysPerDimension, std::size_t sizeHint = 1024);
    ~RollupAccumulator();

    /// Forgets everything, keeping the memory (re-used for the next bucket: fresh pages are costly).
    void clear();
    void add(std::span<const decode::FlowRecord> flows);
    /// Adds everything another accumulator holds (a closed minute into its 10-minute and hour buckets).
    void mergeFrom(const RollupAccumulator& other);
    /// Adds stored counters back (re-opening a minute that is already in the database).
    void merge(Dimension d, const RollupKey& key, const Counters& c);
    /// Truncated rows of one dimension: the union of the top `keep` keys by scaled bytes, scaled
    /// packets and flows, the rest summed in `other`, with the largest dropped values.
    /// With `presence`, also the set of every key of the dimension (before truncation).
    RollupBucketRows rows(Dimension d, std::size_t keep, PresenceSet* presence = nullptr) const;
    /// Whether keys of `d` went to "other" because the bucket was full (here or in a merged minute).
    bool overflowed(Dimension d) const { return overflowTotal(d).flows > 0; }
    /// What went to "other" because the bucket was full: a key left out that way has at most this
    /// much (the cut bound of its bucket includes it). Either-side addresses: source + destination.
    Counters overflowTotal(Dimension d) const;
    /// True when a merged minute had overflowed keys of `d`: a key kept here may then miss flows
    /// that went to that minute's "other", so kept values are no longer exact.
    bool inexact(Dimension d) const { return m_inexact.test(std::size_t(d)); }
    /// Flows added (including merged ones).
    std::uint64_t flowCount() const;
    std::size_t keyCount(Dimension d) const;

private:
    void addSlice(std::span<const decode::FlowRecord> flows);
    /// The map of a 2-byte / 4-byte keyed dimension (null for others).
    CounterMap<2>* map2(Dimension d);
    CounterMap<4>* map4(Dimension d);
    const CounterMap<2>* map2(Dimension d) const;
    const CounterMap<4>* map4(Dimension d) const;

    std::size_t m_maxKeys;
    std::array<Counters, kDimensionCount> m_overflow{};
    std::bitset<kDimensionCount> m_inexact;
    std::array<Counters, 256> m_proto{};
    std::bitset<256> m_protoUsed;
    PortTable m_srcPort;
    PortTable m_dstPort;
    CounterMap<16> m_src;
    CounterMap<16> m_dst;
    CounterMap<16> m_self; ///< flows whose source is their destination (counted once in Ip)
    CounterMap<32> m_pair;
    CounterMap<16> m_exporter;
    // Enrichment dimensions (Dimension::SrcCountry ... DstNet), in enum order.
    CounterMap<2> m_srcCountry;
    CounterMap<2> m_dstCountry;
    CounterMap<4> m_srcAs;
    CounterMap<4> m_dstAs;
    CounterMap<4> m_srcCity;
    CounterMap<4> m_dstCity;
    CounterMap<2> m_srcNet;
    CounterMap<2> m_dstNet;
    std::array<Counters, kDimensionCount> m_other{};
};

} // namespace flowlens::store
