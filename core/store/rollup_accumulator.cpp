#include "rollup_accumulator.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>
#include <type_traits>

namespace flowlens::store {

using decode::FlowRecord;

namespace {

constexpr std::size_t kPrefetchBatch = 16;

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

std::uint64_t mix(std::uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/// Key equality without a memcmp call: the keys are 2, 4, 16 or 32 bytes.
template <std::size_t N>
bool sameKey(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& b)
{
    if constexpr (N % 8 == 0) {
        std::uint64_t diff = 0;
        for (std::size_t i = 0; i < N; i += 8)
            diff |= load64(a.data() + i) ^ load64(b.data() + i);
        return diff == 0;
    } else if constexpr (N == 2) {
        std::uint16_t x, y; // std::array's == is a memcmp call for these sizes
        std::memcpy(&x, a.data(), 2);
        std::memcpy(&y, b.data(), 2);
        return x == y;
    } else if constexpr (N == 4) {
        std::uint32_t x, y;
        std::memcpy(&x, a.data(), 4);
        std::memcpy(&y, b.data(), 4);
        return x == y;
    } else {
        return a == b;
    }
}

Counters countersOf(const FlowRecord& r)
{
    Counters c;
    c.add(r);
    return c;
}

/// Selects the rows to keep from (key, counters) pairs, as RollupMap::truncate did.
RollupBucketRows truncateRows(std::vector<std::pair<RollupKey, Counters>>&& all, const Counters& other,
                              std::size_t keep)
{
    RollupBucketRows out;
    out.other = other;
    if (all.size() <= keep * 3) {
        out.rows = std::move(all);
        return out;
    }
    std::vector<char> kept(all.size(), 0);
    std::vector<std::uint32_t> idx(all.size());
    auto markTop = [&](auto value) {
        std::iota(idx.begin(), idx.end(), 0u);
        std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(keep), idx.end(),
                         [&](std::uint32_t a, std::uint32_t b) {
                             const auto va = value(all[a].second), vb = value(all[b].second);
                             return va != vb ? va > vb : all[a].first < all[b].first;
                         });
        for (std::size_t i = 0; i < keep; ++i)
            kept[idx[i]] = 1;
    };
    markTop([](const Counters& c) { return c.scaledBytes; });
    markTop([](const Counters& c) { return c.scaledPackets; });
    markTop([](const Counters& c) { return c.flows; });
    out.rows.reserve(keep * 3);
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (kept[i]) {
            out.rows.push_back(all[i]);
        } else {
            out.other.add(all[i].second);
            out.maxDropped.maxWith(all[i].second);
            ++out.droppedKeys;
        }
    }
    return out;
}

template <std::size_t N>
RollupKey toRollupKey(const std::array<std::uint8_t, N>& k)
{
    RollupKey r;
    r.size = std::uint8_t(N);
    std::memcpy(r.bytes.data(), k.data(), N);
    return r;
}

} // namespace

template <std::size_t KeyBytes>
CounterMap<KeyBytes>::CounterMap(std::size_t capacityHint)
{
    std::size_t cap = 64;
    while (cap * 7 < capacityHint * 8)
        cap <<= 1;
    allocate(cap);
}

template <std::size_t KeyBytes>
CounterMap<KeyBytes>::~CounterMap()
{
    release();
}

template <std::size_t KeyBytes>
void CounterMap<KeyBytes>::allocate(std::size_t capacity)
{
    static_assert(std::is_trivially_copyable_v<Slot> && std::is_trivially_destructible_v<Slot>);
    auto* memory = static_cast<std::byte*>(std::calloc(capacity, sizeof(Slot) + 1));
    if (!memory)
        throw std::bad_alloc();
    m_slots = reinterpret_cast<Slot*>(memory); // an implicit-lifetime type, in zeroed memory
    m_ctrl = reinterpret_cast<std::uint8_t*>(memory + capacity * sizeof(Slot));
    m_mask = capacity - 1;
}

template <std::size_t KeyBytes>
void CounterMap<KeyBytes>::release() noexcept
{
    std::free(m_slots);
    m_slots = nullptr;
    m_ctrl = nullptr;
}

template <std::size_t KeyBytes>
std::uint64_t CounterMap<KeyBytes>::hashOf(const Key& key)
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i + 8 <= KeyBytes; i += 8)
        h = mix(h ^ load64(key.data() + i));
    if constexpr (KeyBytes % 8 != 0) {
        std::uint64_t tail = 0;
        std::memcpy(&tail, key.data() + (KeyBytes / 8) * 8, KeyBytes % 8);
        h = mix(h ^ tail);
    }
    return h;
}

template <std::size_t KeyBytes>
void CounterMap<KeyBytes>::prefetch(std::uint64_t hash) const
{
    const std::size_t i = hash & m_mask;
    __builtin_prefetch(&m_ctrl[i]);
    __builtin_prefetch(&m_slots[i]);
}

template <std::size_t KeyBytes>
void CounterMap<KeyBytes>::grow()
{
    const std::size_t oldCapacity = m_mask + 1;
    const std::uint8_t* oldCtrl = m_ctrl;
    Slot* oldSlots = m_slots;
    allocate(oldCapacity * 2);
    for (std::size_t i = 0; i < oldCapacity; ++i) {
        if (!oldCtrl[i])
            continue;
        std::size_t j = hashOf(oldSlots[i].key) & m_mask;
        while (m_ctrl[j])
            j = (j + 1) & m_mask;
        m_ctrl[j] = oldCtrl[i];
        m_slots[j] = oldSlots[i];
    }
    std::free(oldSlots);
}

template <std::size_t KeyBytes>
Counters& CounterMap<KeyBytes>::at(const Key& key, std::uint64_t hash)
{
    // Up to 7/8 full: probing reads one control byte per slot, so long probes stay cheap, and a
    // bucket at the 100,000-key bound fits 131,072 slots (half the memory of a 1/2 load).
    if ((m_size + 1) * 8 > (m_mask + 1) * 7) {
        grow();
    }
    const std::uint8_t tag = std::uint8_t(0x80 | (hash >> 57));
    std::size_t i = hash & m_mask;
    for (;;) {
        const std::uint8_t c = m_ctrl[i];
        if (c == 0) {
            m_ctrl[i] = tag;
            m_slots[i].key = key;
            m_slots[i].counters = Counters{};
            ++m_size;
            return m_slots[i].counters;
        }
        if (c == tag && sameKey(m_slots[i].key, key))
            return m_slots[i].counters;
        i = (i + 1) & m_mask;
    }
}

template <std::size_t KeyBytes>
void CounterMap<KeyBytes>::clear()
{
    if (m_size)
        std::memset(m_ctrl, 0, m_mask + 1);
    m_size = 0;
}

template <std::size_t KeyBytes>
const Counters* CounterMap<KeyBytes>::find(const Key& key) const
{
    const std::uint64_t hash = hashOf(key);
    const std::uint8_t tag = std::uint8_t(0x80 | (hash >> 57));
    std::size_t i = hash & m_mask;
    for (;;) {
        const std::uint8_t c = m_ctrl[i];
        if (c == 0)
            return nullptr;
        if (c == tag && sameKey(m_slots[i].key, key))
            return &m_slots[i].counters;
        i = (i + 1) & m_mask;
    }
}

template class CounterMap<2>;

PortTable::PortTable()
    : m_counters(static_cast<Counters*>(std::calloc(65536, sizeof(Counters))))
{
    static_assert(std::is_trivially_copyable_v<Counters> && std::is_trivially_destructible_v<Counters>);
    if (!m_counters)
        throw std::bad_alloc();
}

PortTable::~PortTable()
{
    std::free(m_counters);
}

void PortTable::clear()
{
    for (std::size_t w = 0; w < m_used.size(); ++w)
        for (std::uint64_t bits = m_used[w]; bits; bits &= bits - 1)
            m_counters[w * 64 + std::size_t(__builtin_ctzll(bits))] = Counters{};
    m_used.fill(0);
    m_size = 0;
}
template class CounterMap<4>;
template class CounterMap<16>;
template class CounterMap<32>;

RollupAccumulator::RollupAccumulator(std::size_t maxKeysPerDimension, std::size_t sizeHint)
    : m_maxKeys(maxKeysPerDimension)
    , m_src(sizeHint)
    , m_dst(sizeHint)
    , m_self(16)
    , m_pair(sizeHint * 2)
    , m_exporter(16)
    , m_srcCountry(64)
    , m_dstCountry(64)
    , m_srcAs(256)
    , m_dstAs(256)
    , m_srcCity(256)
    , m_dstCity(256)
    , m_srcNet(16)
    , m_dstNet(16)
{}

RollupAccumulator::~RollupAccumulator() = default;

namespace {

/// Inserts one address-keyed dimension for a run of flows, hashing and prefetching a batch ahead.
template <std::size_t N, class KeyOf>
void addKeyed(CounterMap<N>& map, Counters& other, Counters* overflow, std::size_t maxKeys,
              std::span<const FlowRecord> flows, std::span<const Counters> counters, KeyOf keyOf)
{
    using Key = typename CounterMap<N>::Key;
    Key keys[kPrefetchBatch];
    std::uint64_t hashes[kPrefetchBatch];
    for (std::size_t base = 0; base < flows.size(); base += kPrefetchBatch) {
        const std::size_t n = std::min(kPrefetchBatch, flows.size() - base);
        for (std::size_t i = 0; i < n; ++i) {
            keyOf(flows[base + i], keys[i]);
            hashes[i] = CounterMap<N>::hashOf(keys[i]);
            map.prefetch(hashes[i]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (map.size() >= maxKeys && !map.find(keys[i])) {
                other.add(counters[base + i]);
                overflow->add(counters[base + i]);
                continue;
            }
            map.at(keys[i], hashes[i]).add(counters[base + i]);
        }
    }
}

/// Inserts one small enrichment dimension (countries, AS, cities, networks) for a run of flows.
/// Consecutive flows often share the key (and flows without enrichment all have key 0), so the
/// slot of the previous key is reused without hashing. The slot pointer is only kept until the
/// next at(), which may grow the map.
template <std::size_t N, class KeyOf>
void addRuns(CounterMap<N>& map, Counters& other, Counters* overflow, std::size_t maxKeys,
             std::span<const FlowRecord> flows, std::span<const Counters> counters, KeyOf keyOf)
{
    using Key = typename CounterMap<N>::Key;
    Key last{};
    Counters* slot = nullptr;
    for (std::size_t i = 0; i < flows.size(); ++i) {
        Key k;
        keyOf(flows[i], k);
        if (!slot || k != last) {
            if (map.size() >= maxKeys && !map.find(k)) {
                other.add(counters[i]);
                overflow->add(counters[i]);
                slot = nullptr;
                continue;
            }
            slot = &map.at(k, CounterMap<N>::hashOf(k));
            last = k;
        }
        slot->add(counters[i]);
    }
}

/// Adds a run of flows to a port table, prefetching a batch ahead (ephemeral ports are spread over
/// the whole 2.6 MB table).
template <class PortOf>
void addPorts(PortTable& table, std::span<const FlowRecord> flows, std::span<const Counters> counters,
              PortOf portOf)
{
    for (std::size_t base = 0; base < flows.size(); base += kPrefetchBatch) {
        const std::size_t n = std::min(kPrefetchBatch, flows.size() - base);
        for (std::size_t i = 0; i < n; ++i)
            table.prefetch(portOf(flows[base + i]));
        for (std::size_t i = 0; i < n; ++i)
            table.at(portOf(flows[base + i])).add(counters[base + i]);
    }
}

template <std::size_t N>
void putNumber(std::array<std::uint8_t, N>& k, std::uint32_t v)
{
    for (std::size_t i = 0; i < N; ++i)
        k[i] = std::uint8_t(v >> (8 * (N - 1 - i)));
}

} // namespace

void RollupAccumulator::add(std::span<const FlowRecord> flows)
{
    // Each dimension is a pass over the flows: in slices that stay in the L2 cache (512 flows are
    // 180 KB) the later passes do not read the records from memory again.
    constexpr std::size_t kSlice = 512;
    for (std::size_t at = 0; at < flows.size(); at += kSlice)
        addSlice(flows.subspan(at, std::min(kSlice, flows.size() - at)));
}

void RollupAccumulator::addSlice(std::span<const FlowRecord> flows)
{
    thread_local std::vector<Counters> counters;
    counters.resize(flows.size());
    for (std::size_t i = 0; i < flows.size(); ++i) {
        const FlowRecord& r = flows[i];
        counters[i] = countersOf(r);
        m_proto[r.proto].add(counters[i]);
        m_protoUsed.set(r.proto);
    }
    const std::span<const Counters> c(counters);
    // Ports are at most 65536 keys: never "other".
    addPorts(m_srcPort, flows, c, [](const FlowRecord& r) { return r.src_port; });
    addPorts(m_dstPort, flows, c, [](const FlowRecord& r) { return r.dst_port; });
    addKeyed<16>(m_src, m_other[std::size_t(Dimension::Src)], &m_overflow[std::size_t(Dimension::Src)],
                 m_maxKeys, flows, c, [](const FlowRecord& r, CounterMap<16>::Key& k) {
                     std::memcpy(k.data(), r.src_addr.bytes.data(), 16);
                 });
    addKeyed<16>(m_dst, m_other[std::size_t(Dimension::Dst)], &m_overflow[std::size_t(Dimension::Dst)],
                 m_maxKeys, flows, c, [](const FlowRecord& r, CounterMap<16>::Key& k) {
                     std::memcpy(k.data(), r.dst_addr.bytes.data(), 16);
                 });
    addKeyed<32>(m_pair, m_other[std::size_t(Dimension::Pair)], &m_overflow[std::size_t(Dimension::Pair)],
                 m_maxKeys, flows, c, [](const FlowRecord& r, CounterMap<32>::Key& k) {
                     std::memcpy(k.data(), r.src_addr.bytes.data(), 16);
                     std::memcpy(k.data() + 16, r.dst_addr.bytes.data(), 16);
                 });
    auto other = [&](Dimension d) -> Counters& {
        return m_other[std::size_t(d)];
    };
    addRuns<2>(m_srcCountry, other(Dimension::SrcCountry), &m_overflow[std::size_t(Dimension::SrcCountry)],
               m_maxKeys, flows, c,
               [](const FlowRecord& r, CounterMap<2>::Key& k) { putNumber(k, r.src_country); });
    addRuns<2>(m_dstCountry, other(Dimension::DstCountry), &m_overflow[std::size_t(Dimension::DstCountry)],
               m_maxKeys, flows, c,
               [](const FlowRecord& r, CounterMap<2>::Key& k) { putNumber(k, r.dst_country); });
    addRuns<4>(m_srcAs, other(Dimension::SrcAs), &m_overflow[std::size_t(Dimension::SrcAs)], m_maxKeys, flows,
               c, [](const FlowRecord& r, CounterMap<4>::Key& k) {
                   putNumber(k, r.src_lookup_as ? r.src_lookup_as : r.src_as);
               });
    addRuns<4>(m_dstAs, other(Dimension::DstAs), &m_overflow[std::size_t(Dimension::DstAs)], m_maxKeys, flows,
               c, [](const FlowRecord& r, CounterMap<4>::Key& k) {
                   putNumber(k, r.dst_lookup_as ? r.dst_lookup_as : r.dst_as);
               });
    addRuns<4>(m_srcCity, other(Dimension::SrcCity), &m_overflow[std::size_t(Dimension::SrcCity)], m_maxKeys,
               flows, c, [](const FlowRecord& r, CounterMap<4>::Key& k) { putNumber(k, r.src_city); });
    addRuns<4>(m_dstCity, other(Dimension::DstCity), &m_overflow[std::size_t(Dimension::DstCity)], m_maxKeys,
               flows, c, [](const FlowRecord& r, CounterMap<4>::Key& k) { putNumber(k, r.dst_city); });
    addRuns<2>(m_srcNet, other(Dimension::SrcNet), &m_overflow[std::size_t(Dimension::SrcNet)], m_maxKeys,
               flows, c, [](const FlowRecord& r, CounterMap<2>::Key& k) { putNumber(k, r.src_net_name); });
    addRuns<2>(m_dstNet, other(Dimension::DstNet), &m_overflow[std::size_t(Dimension::DstNet)], m_maxKeys,
               flows, c, [](const FlowRecord& r, CounterMap<2>::Key& k) { putNumber(k, r.dst_net_name); });
    // Exporters are few and repeat in long runs: remember the last one.
    decode::IpAddress lastExporter;
    Counters* lastSlot = nullptr;
    for (std::size_t i = 0; i < flows.size(); ++i) {
        const FlowRecord& r = flows[i];
        if (!lastSlot || !(r.sampler_address == lastExporter)) {
            CounterMap<16>::Key k;
            std::memcpy(k.data(), r.sampler_address.bytes.data(), 16);
            lastSlot = &m_exporter.at(k, CounterMap<16>::hashOf(k));
            lastExporter = r.sampler_address;
        }
        lastSlot->add(counters[i]);
        if (r.src_addr == r.dst_addr) {
            CounterMap<16>::Key k;
            std::memcpy(k.data(), r.src_addr.bytes.data(), 16);
            m_self.at(k, CounterMap<16>::hashOf(k)).add(counters[i]);
        }
    }
}

void RollupAccumulator::clear()
{
    m_overflow = {};
    m_inexact.reset();
    for (int p = 0; p < 256; ++p)
        if (m_protoUsed.test(std::size_t(p)))
            m_proto[std::size_t(p)] = Counters{};
    m_protoUsed.reset();
    m_srcPort.clear();
    m_dstPort.clear();
    m_src.clear();
    m_dst.clear();
    m_self.clear();
    m_pair.clear();
    m_exporter.clear();
    for (auto* m : {&m_srcCountry, &m_dstCountry, &m_srcNet, &m_dstNet})
        m->clear();
    for (auto* m : {&m_srcAs, &m_dstAs, &m_srcCity, &m_dstCity})
        m->clear();
    m_other = {};
}

void RollupAccumulator::mergeFrom(const RollupAccumulator& other)
{
    for (int p = 0; p < 256; ++p)
        if (other.m_protoUsed.test(std::size_t(p))) {
            m_proto[std::size_t(p)].add(other.m_proto[std::size_t(p)]);
            m_protoUsed.set(std::size_t(p));
        }
    auto mergeMap = [&](auto& into, const auto& from, Dimension d) {
        from.forEach([&](const auto& key, const Counters& c) {
            using Map = std::remove_reference_t<decltype(into)>;
            if (d != Dimension::Count_ && into.size() >= m_maxKeys && !into.find(key)) {
                m_other[std::size_t(d)].add(c);
                m_overflow[std::size_t(d)].add(c);
                return;
            }
            into.at(key, Map::hashOf(key)).add(c);
        });
    };
    other.m_srcPort.forEach([&](std::uint16_t port, const Counters& c) { m_srcPort.at(port).add(c); });
    other.m_dstPort.forEach([&](std::uint16_t port, const Counters& c) { m_dstPort.at(port).add(c); });
    mergeMap(m_src, other.m_src, Dimension::Src);
    mergeMap(m_dst, other.m_dst, Dimension::Dst);
    mergeMap(m_pair, other.m_pair, Dimension::Pair);
    mergeMap(m_exporter, other.m_exporter, Dimension::Exporter);
    mergeMap(m_self, other.m_self, Dimension::Count_);
    mergeMap(m_srcCountry, other.m_srcCountry, Dimension::SrcCountry);
    mergeMap(m_dstCountry, other.m_dstCountry, Dimension::DstCountry);
    mergeMap(m_srcAs, other.m_srcAs, Dimension::SrcAs);
    mergeMap(m_dstAs, other.m_dstAs, Dimension::DstAs);
    mergeMap(m_srcCity, other.m_srcCity, Dimension::SrcCity);
    mergeMap(m_dstCity, other.m_dstCity, Dimension::DstCity);
    mergeMap(m_srcNet, other.m_srcNet, Dimension::SrcNet);
    mergeMap(m_dstNet, other.m_dstNet, Dimension::DstNet);
    for (std::size_t d = 0; d < m_other.size(); ++d) {
        m_other[d].add(other.m_other[d]);
        m_overflow[d].add(other.m_overflow[d]);
        if (other.m_overflow[d].flows > 0 || other.m_inexact.test(d))
            m_inexact.set(d);
    }
    // Either-side addresses are derived from both sides.
    if (m_inexact.test(std::size_t(Dimension::Src)) || m_inexact.test(std::size_t(Dimension::Dst)))
        m_inexact.set(std::size_t(Dimension::Ip));
}

void RollupAccumulator::merge(Dimension d, const RollupKey& key, const Counters& c)
{
    if (key.isOther()) {
        m_other[std::size_t(d)].add(c);
        return;
    }
    switch (d) {
    case Dimension::Proto:
        m_proto[key.bytes[0]].add(c);
        m_protoUsed.set(key.bytes[0]);
        break;
    case Dimension::SrcPort:
    case Dimension::DstPort: {
        auto& table = d == Dimension::SrcPort ? m_srcPort : m_dstPort;
        table.at(std::uint16_t(key.bytes[0] << 8 | key.bytes[1])).add(c);
        break;
    }
    case Dimension::Src:
    case Dimension::Dst:
    case Dimension::Exporter: {
        CounterMap<16>::Key k;
        std::memcpy(k.data(), key.bytes.data(), 16);
        auto& map = d == Dimension::Src ? m_src : (d == Dimension::Dst ? m_dst : m_exporter);
        map.at(k, CounterMap<16>::hashOf(k)).add(c);
        break;
    }
    case Dimension::Pair: {
        CounterMap<32>::Key k;
        std::memcpy(k.data(), key.bytes.data(), 32);
        m_pair.at(k, CounterMap<32>::hashOf(k)).add(c);
        break;
    }
    case Dimension::Ip:
        // Either-side rows are derived from the source and destination rows merged above.
        break;
    case Dimension::SrcCountry:
    case Dimension::DstCountry:
    case Dimension::SrcNet:
    case Dimension::DstNet: {
        CounterMap<2>::Key k{key.bytes[0], key.bytes[1]};
        map2(d)->at(k, CounterMap<2>::hashOf(k)).add(c);
        break;
    }
    case Dimension::SrcAs:
    case Dimension::DstAs:
    case Dimension::SrcCity:
    case Dimension::DstCity: {
        CounterMap<4>::Key k{key.bytes[0], key.bytes[1], key.bytes[2], key.bytes[3]};
        map4(d)->at(k, CounterMap<4>::hashOf(k)).add(c);
        break;
    }
    case Dimension::Count_:
        break;
    }
}

CounterMap<2>* RollupAccumulator::map2(Dimension d)
{
    switch (d) {
    case Dimension::SrcCountry:
        return &m_srcCountry;
    case Dimension::DstCountry:
        return &m_dstCountry;
    case Dimension::SrcNet:
        return &m_srcNet;
    case Dimension::DstNet:
        return &m_dstNet;
    default:
        return nullptr;
    }
}

CounterMap<4>* RollupAccumulator::map4(Dimension d)
{
    switch (d) {
    case Dimension::SrcAs:
        return &m_srcAs;
    case Dimension::DstAs:
        return &m_dstAs;
    case Dimension::SrcCity:
        return &m_srcCity;
    case Dimension::DstCity:
        return &m_dstCity;
    default:
        return nullptr;
    }
}

const CounterMap<2>* RollupAccumulator::map2(Dimension d) const
{
    return const_cast<RollupAccumulator*>(this)->map2(d);
}

const CounterMap<4>* RollupAccumulator::map4(Dimension d) const
{
    return const_cast<RollupAccumulator*>(this)->map4(d);
}

std::uint64_t RollupAccumulator::flowCount() const
{
    std::uint64_t n = m_other[std::size_t(Dimension::Proto)].flows;
    for (const auto& c : m_proto)
        n += c.flows;
    return n;
}

std::size_t RollupAccumulator::keyCount(Dimension d) const
{
    switch (d) {
    case Dimension::Proto:
        return m_protoUsed.count();
    case Dimension::SrcPort:
        return m_srcPort.size();
    case Dimension::DstPort:
        return m_dstPort.size();
    case Dimension::Src:
        return m_src.size();
    case Dimension::Dst:
        return m_dst.size();
    case Dimension::Pair:
        return m_pair.size();
    case Dimension::Exporter:
        return m_exporter.size();
    case Dimension::Ip:
        return m_src.size() + m_dst.size();
    case Dimension::SrcCountry:
    case Dimension::DstCountry:
    case Dimension::SrcNet:
    case Dimension::DstNet:
        return map2(d)->size();
    case Dimension::SrcAs:
    case Dimension::DstAs:
    case Dimension::SrcCity:
    case Dimension::DstCity:
        return map4(d)->size();
    case Dimension::Count_:
        break;
    }
    return 0;
}

RollupBucketRows RollupAccumulator::rows(Dimension d, std::size_t keep, PresenceSet* presence) const
{
    std::vector<std::pair<RollupKey, Counters>> all;
    auto smallRows = [&](const CounterMap<2>& map) {
        all.reserve(map.size());
        map.forEach([&](const auto& key, const Counters& c) { all.emplace_back(toRollupKey(key), c); });
    };
    auto portRows = [&](const PortTable& table) {
        all.reserve(table.size());
        table.forEach([&](std::uint16_t port, const Counters& c) {
            RollupKey k;
            k.size = 2;
            k.bytes[0] = std::uint8_t(port >> 8);
            k.bytes[1] = std::uint8_t(port);
            all.emplace_back(k, c);
        });
    };
    switch (d) {
    case Dimension::Proto:
        for (int p = 0; p < 256; ++p) {
            if (!m_protoUsed.test(std::size_t(p)))
                continue;
            RollupKey k;
            k.size = 1;
            k.bytes[0] = std::uint8_t(p);
            all.emplace_back(k, m_proto[std::size_t(p)]);
        }
        break;
    case Dimension::SrcPort:
        portRows(m_srcPort);
        break;
    case Dimension::DstPort:
        portRows(m_dstPort);
        break;
    case Dimension::Src:
    case Dimension::Dst:
    case Dimension::Exporter: {
        const auto& map = d == Dimension::Src ? m_src : (d == Dimension::Dst ? m_dst : m_exporter);
        all.reserve(map.size());
        map.forEach([&](const auto& key, const Counters& c) { all.emplace_back(toRollupKey(key), c); });
        break;
    }
    case Dimension::Pair:
        all.reserve(m_pair.size());
        m_pair.forEach([&](const auto& key, const Counters& c) { all.emplace_back(toRollupKey(key), c); });
        break;
    case Dimension::Ip: {
        // Either side: source + destination, minus flows counted on both sides (source == destination).
        CounterMap<16> ip(m_src.size() + m_dst.size());
        auto addAll = [&](const CounterMap<16>& map) {
            map.forEach(
                [&](const auto& key, const Counters& c) { ip.at(key, CounterMap<16>::hashOf(key)).add(c); });
        };
        addAll(m_src);
        addAll(m_dst);
        m_self.forEach(
            [&](const auto& key, const Counters& c) { ip.at(key, CounterMap<16>::hashOf(key)).subtract(c); });
        all.reserve(ip.size());
        ip.forEach([&](const auto& key, const Counters& c) { all.emplace_back(toRollupKey(key), c); });
        break;
    }
    case Dimension::SrcCountry:
    case Dimension::DstCountry:
    case Dimension::SrcNet:
    case Dimension::DstNet:
        smallRows(*map2(d));
        break;
    case Dimension::SrcAs:
    case Dimension::DstAs:
    case Dimension::SrcCity:
    case Dimension::DstCity: {
        const auto& map = *map4(d);
        all.reserve(map.size());
        map.forEach([&](const auto& key, const Counters& c) { all.emplace_back(toRollupKey(key), c); });
        break;
    }
    case Dimension::Count_:
        break;
    }
    if (presence) {
        std::vector<RollupKey> keys;
        keys.reserve(all.size());
        for (const auto& [key, c] : all)
            keys.push_back(key);
        *presence = PresenceSet::build(keys);
    }
    RollupBucketRows out = truncateRows(std::move(all), m_other[std::size_t(d)], keep);
    if (overflowed(d))
        out.maxDropped.maxWith(overflowTotal(d));
    return out;
}

Counters RollupAccumulator::overflowTotal(Dimension d) const
{
    if (d == Dimension::Ip) {
        Counters c = m_overflow[std::size_t(Dimension::Src)];
        c.add(m_overflow[std::size_t(Dimension::Dst)]);
        return c;
    }
    return d == Dimension::Count_ ? Counters{} : m_overflow[std::size_t(d)];
}

} // namespace flowlens::store
