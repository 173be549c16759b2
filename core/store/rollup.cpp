#include "rollup.h"

#include "dictionary.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace flowlens::store {

namespace {

constexpr std::string_view kDimNames[] = {
    "proto",       "src",         "dst",    "ip",     "pair",     "srcport",  "dstport", "exporter",
    "src-country", "dst-country", "src-as", "dst-as", "src-city", "dst-city", "src-net", "dst-net"};
static_assert(std::size(kDimNames) == std::size_t(kDimensionCount));

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

void putAddress(RollupKey& k, int at, const decode::IpAddress& a)
{
    std::memcpy(k.bytes.data() + at, a.bytes.data(), 16);
}

decode::IpAddress addressAt(const RollupKey& k, int at)
{
    return decode::IpAddress::fromV6Bytes(k.bytes.data() + at);
}

} // namespace

std::string_view dimensionName(Dimension d)
{
    const auto i = std::size_t(d);
    return i < std::size(kDimNames) ? kDimNames[i] : std::string_view("unknown");
}

std::optional<Dimension> dimensionFromName(std::string_view name)
{
    for (std::size_t i = 0; i < std::size(kDimNames); ++i)
        if (kDimNames[i] == name)
            return Dimension(i);
    return std::nullopt;
}

int dimensionKeySize(Dimension d)
{
    switch (d) {
    case Dimension::Proto:
        return 1;
    case Dimension::SrcPort:
    case Dimension::DstPort:
    case Dimension::SrcCountry:
    case Dimension::DstCountry:
    case Dimension::SrcNet:
    case Dimension::DstNet:
        return 2;
    case Dimension::SrcAs:
    case Dimension::DstAs:
    case Dimension::SrcCity:
    case Dimension::DstCity:
        return 4;
    case Dimension::Pair:
        return 32;
    case Dimension::Src:
    case Dimension::Dst:
    case Dimension::Ip:
    case Dimension::Exporter:
    case Dimension::Count_:
        break;
    }
    return 16;
}

void Counters::maxWith(const Counters& o)
{
    flows = std::max(flows, o.flows);
    packets = std::max(packets, o.packets);
    bytes = std::max(bytes, o.bytes);
    scaledPackets = std::max(scaledPackets, o.scaledPackets);
    scaledBytes = std::max(scaledBytes, o.scaledBytes);
}

std::string_view metricName(Metric m)
{
    switch (m) {
    case Metric::Bytes:
        return "bytes";
    case Metric::Packets:
        return "packets";
    case Metric::Flows:
        return "flows";
    }
    return "bytes";
}

std::optional<Metric> metricFromName(std::string_view name)
{
    if (name == "bytes")
        return Metric::Bytes;
    if (name == "packets")
        return Metric::Packets;
    if (name == "flows")
        return Metric::Flows;
    return std::nullopt;
}

RollupKey RollupKey::fromBlob(std::span<const std::byte> blob)
{
    RollupKey k;
    k.size = std::uint8_t(std::min<std::size_t>(blob.size(), k.bytes.size()));
    std::memcpy(k.bytes.data(), blob.data(), k.size);
    return k;
}

std::size_t RollupKeyHash::operator()(const RollupKey& k) const noexcept
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size;
    for (int i = 0; i < 4; ++i) {
        h ^= load64(k.bytes.data() + 8 * i);
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    return std::size_t(h);
}

std::uint32_t rollupKeyNumber(Dimension d, const RollupKey& key)
{
    const int size = dimensionKeySize(d);
    if (key.size != size || (size != 2 && size != 4) || d < Dimension::SrcCountry)
        return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < size; ++i)
        v = (v << 8) | key.bytes[std::size_t(i)];
    return v;
}

RollupKey rollupKeyOfNumber(Dimension d, std::uint32_t value)
{
    RollupKey k;
    const int size = dimensionKeySize(d);
    k.size = std::uint8_t(size);
    for (int i = 0; i < size; ++i)
        k.bytes[std::size_t(i)] = std::uint8_t(value >> (8 * (size - 1 - i)));
    return k;
}

int rollupKeys(Dimension d, const decode::FlowRecord& r, RollupKey out[2])
{
    out[0] = RollupKey{};
    switch (d) {
    case Dimension::SrcCountry:
        out[0] = rollupKeyOfNumber(d, r.src_country);
        return 1;
    case Dimension::DstCountry:
        out[0] = rollupKeyOfNumber(d, r.dst_country);
        return 1;
    case Dimension::SrcAs:
        out[0] = rollupKeyOfNumber(d, r.src_lookup_as ? r.src_lookup_as : r.src_as);
        return 1;
    case Dimension::DstAs:
        out[0] = rollupKeyOfNumber(d, r.dst_lookup_as ? r.dst_lookup_as : r.dst_as);
        return 1;
    case Dimension::SrcCity:
        out[0] = rollupKeyOfNumber(d, r.src_city);
        return 1;
    case Dimension::DstCity:
        out[0] = rollupKeyOfNumber(d, r.dst_city);
        return 1;
    case Dimension::SrcNet:
        out[0] = rollupKeyOfNumber(d, r.src_net_name);
        return 1;
    case Dimension::DstNet:
        out[0] = rollupKeyOfNumber(d, r.dst_net_name);
        return 1;
    case Dimension::Proto:
        out[0].size = 1;
        out[0].bytes[0] = r.proto;
        return 1;
    case Dimension::SrcPort:
    case Dimension::DstPort: {
        const std::uint16_t port = d == Dimension::SrcPort ? r.src_port : r.dst_port;
        out[0].size = 2;
        out[0].bytes[0] = std::uint8_t(port >> 8);
        out[0].bytes[1] = std::uint8_t(port);
        return 1;
    }
    case Dimension::Src:
        out[0].size = 16;
        putAddress(out[0], 0, r.src_addr);
        return 1;
    case Dimension::Dst:
        out[0].size = 16;
        putAddress(out[0], 0, r.dst_addr);
        return 1;
    case Dimension::Exporter:
        out[0].size = 16;
        putAddress(out[0], 0, r.sampler_address);
        return 1;
    case Dimension::Pair:
        out[0].size = 32;
        putAddress(out[0], 0, r.src_addr);
        putAddress(out[0], 16, r.dst_addr);
        return 1;
    case Dimension::Ip:
        out[0].size = 16;
        putAddress(out[0], 0, r.src_addr);
        if (r.dst_addr == r.src_addr)
            return 1;
        out[1] = RollupKey{};
        out[1].size = 16;
        putAddress(out[1], 0, r.dst_addr);
        return 2;
    case Dimension::Count_:
        break;
    }
    return 0;
}

std::string rollupKeyText(Dimension d, const RollupKey& key, const Dictionaries& dict)
{
    if (key.isOther())
        return "other";
    const std::uint32_t n = rollupKeyNumber(d, key);
    switch (d) {
    case Dimension::SrcCity:
    case Dimension::DstCity: {
        const std::string text = dict.cityText(n);
        return n == 0 ? std::string("unknown") : (text.empty() ? "city#" + std::to_string(n) : text);
    }
    case Dimension::SrcNet:
    case Dimension::DstNet: {
        const std::string name = dict.netName(std::uint16_t(n));
        return n == 0 ? std::string("unnamed") : (name.empty() ? "net#" + std::to_string(n) : name);
    }
    default:
        return rollupKeyText(d, key);
    }
}

std::string rollupKeyText(Dimension d, const RollupKey& key)
{
    if (key.isOther())
        return "other";
    switch (d) {
    case Dimension::SrcCountry:
    case Dimension::DstCountry: {
        const std::string code = decode::countryText(std::uint16_t(rollupKeyNumber(d, key)));
        return code.empty() ? std::string("unknown") : code;
    }
    case Dimension::SrcAs:
    case Dimension::DstAs:
        return std::to_string(rollupKeyNumber(d, key));
    case Dimension::SrcCity:
    case Dimension::DstCity: {
        const std::uint32_t n = rollupKeyNumber(d, key);
        return n == 0 ? std::string("unknown") : "city#" + std::to_string(n);
    }
    case Dimension::SrcNet:
    case Dimension::DstNet: {
        const std::uint32_t n = rollupKeyNumber(d, key);
        return n == 0 ? std::string("unnamed") : "net#" + std::to_string(n);
    }
    case Dimension::Proto:
        return std::to_string(key.bytes[0]);
    case Dimension::SrcPort:
    case Dimension::DstPort:
        return std::to_string((unsigned(key.bytes[0]) << 8) | key.bytes[1]);
    case Dimension::Pair: {
        std::string s = addressAt(key, 0).toString();
        return (s.empty() ? std::string("::") : s) + "->" +
               (addressAt(key, 16).isZero() ? std::string("::") : addressAt(key, 16).toString());
    }
    case Dimension::Src:
    case Dimension::Dst:
    case Dimension::Ip:
    case Dimension::Exporter: {
        const auto a = addressAt(key, 0);
        return a.isZero() ? std::string("::") : a.toString();
    }
    case Dimension::Count_:
        break;
    }
    return {};
}

RollupMap::RollupMap()
{
    m_slots.resize(64);
    m_mask = m_slots.size() - 1;
}

void RollupMap::clear()
{
    m_slots.assign(64, Slot{});
    m_mask = m_slots.size() - 1;
    m_size = 0;
}

void RollupMap::grow()
{
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.size() * 2, Slot{});
    m_mask = m_slots.size() - 1;
    for (Slot& s : old) {
        if (!s.used)
            continue;
        std::size_t i = RollupKeyHash{}(s.key) & m_mask;
        while (m_slots[i].used)
            i = (i + 1) & m_mask;
        m_slots[i] = s;
    }
}

Counters& RollupMap::at(const RollupKey& key)
{
    if ((m_size + 1) * 2 > m_slots.size())
        grow();
    std::size_t i = RollupKeyHash{}(key)&m_mask;
    for (;;) {
        Slot& s = m_slots[i];
        if (!s.used) {
            s.used = true;
            s.key = key;
            s.counters = Counters{};
            ++m_size;
            return s.counters;
        }
        if (s.key == key)
            return s.counters;
        i = (i + 1) & m_mask;
    }
}

RollupBucketRows RollupMap::truncate(std::size_t keep) const
{
    RollupBucketRows out;
    std::vector<const Slot*> all;
    all.reserve(m_size);
    for (const Slot& s : m_slots)
        if (s.used && !s.key.isOther())
            all.push_back(&s);
    // A pre-existing "other" row (from a merged, already truncated bucket) stays other.
    for (const Slot& s : m_slots)
        if (s.used && s.key.isOther())
            out.other.add(s.counters);

    if (all.size() <= keep * 3) {
        out.rows.reserve(all.size());
        for (const Slot* s : all)
            out.rows.emplace_back(s->key, s->counters);
        return out;
    }
    std::vector<char> kept(all.size(), 0);
    std::vector<std::uint32_t> idx(all.size());
    auto markTop = [&](auto value) {
        std::iota(idx.begin(), idx.end(), 0u);
        std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(keep), idx.end(),
                         [&](std::uint32_t a, std::uint32_t b) {
                             const auto va = value(all[a]->counters), vb = value(all[b]->counters);
                             return va != vb ? va > vb : all[a]->key < all[b]->key;
                         });
        for (std::size_t i = 0; i < keep; ++i)
            kept[idx[i]] = 1;
    };
    markTop([](const Counters& c) { return c.scaledBytes; });
    markTop([](const Counters& c) { return c.scaledPackets; });
    markTop([](const Counters& c) { return c.flows; });
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (kept[i]) {
            out.rows.emplace_back(all[i]->key, all[i]->counters);
        } else {
            out.other.add(all[i]->counters);
            out.maxDropped.maxWith(all[i]->counters);
            ++out.droppedKeys;
        }
    }
    return out;
}

} // namespace flowlens::store
