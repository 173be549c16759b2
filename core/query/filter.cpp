#include "filter.h"

#include "filter_lexer.h"
#include "filter_parser.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace flowlens::query {

using decode::FlowField;
using decode::FlowRecord;
using detail::FilterNode;
using detail::FilterOp;
using detail::FilterProgram;

namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

// The IPv4-mapped prefix ::ffff:0:0/96 seen through the second 64-bit half of an address as
// memcpy loads it (the first half is zero): bytes 8-9 zero, bytes 10-11 0xff.
constexpr std::uint64_t kMappedLoMask =
    std::bit_cast<std::uint64_t>(std::array<std::uint8_t, 8>{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0});
constexpr std::uint64_t kMappedLoValue =
    std::bit_cast<std::uint64_t>(std::array<std::uint8_t, 8>{0, 0, 0xff, 0xff, 0, 0, 0, 0});

template <class T>
inline T readAt(const FlowRecord& r, std::uint16_t offset)
{
    T v;
    std::memcpy(&v, reinterpret_cast<const unsigned char*>(&r) + offset, sizeof v);
    return v;
}

inline bool inRange(std::uint64_t v, const FilterNode& n)
{
    return v - n.a <= n.b;
}

inline std::uint64_t scaled(std::uint64_t v, std::uint64_t rate)
{
    std::uint64_t out = v;
    if (rate > 1 && __builtin_mul_overflow(v, rate, &out))
        return kU64Max;
    return out;
}

inline std::uint64_t durationMs(const FlowRecord& r)
{
    return r.time_flow_end_ns > r.time_flow_start_ns ? (r.time_flow_end_ns - r.time_flow_start_ns) / 1000000
                                                     : 0;
}

inline std::uint64_t perSecond(std::uint64_t count, std::uint64_t ms)
{
    if (ms == 0)
        return 0;
    const Uint128 v = Uint128(count) * 1000 / ms;
    return v > kU64Max ? kU64Max : std::uint64_t(v);
}

inline bool isMapped(std::uint64_t hi, std::uint64_t lo)
{
    return hi == 0 && (lo & kMappedLoMask) == kMappedLoValue;
}

inline int family(const FlowRecord& r)
{
    for (const std::uint16_t offset :
         {std::uint16_t(offsetof(FlowRecord, src_addr)), std::uint16_t(offsetof(FlowRecord, dst_addr))}) {
        const auto hi = readAt<std::uint64_t>(r, offset);
        const auto lo = readAt<std::uint64_t>(r, std::uint16_t(offset + 8));
        if ((hi | lo) != 0)
            return isMapped(hi, lo) ? 4 : 6;
    }
    if (r.etype == 0x0800)
        return 4;
    if (r.etype == 0x86dd)
        return 6;
    return 0;
}

inline std::uint64_t readWidth(const FlowRecord& r, const FilterNode& n)
{
    switch (n.width) {
    case 1:
        return readAt<std::uint8_t>(r, n.offset);
    case 2:
        return readAt<std::uint16_t>(r, n.offset);
    case 4:
        return readAt<std::uint32_t>(r, n.offset);
    default:
        return readAt<std::uint64_t>(r, n.offset);
    }
}

inline bool inAddressList(const detail::FilterAddressList& list, std::uint64_t hi, std::uint64_t lo)
{
    if (std::binary_search(list.exact.begin(), list.exact.end(), std::pair{hi, lo}))
        return true;
    for (const detail::FilterNet& net : list.nets)
        if ((hi & net.maskHi) == net.hi && (lo & net.maskLo) == net.lo &&
            !(net.excludeMapped && isMapped(hi, lo)))
            return true;
    return false;
}

inline bool evaluate(const FilterNode& n, const FlowRecord& r, const FilterProgram& p)
{
    switch (n.op) {
    case FilterOp::RangeU8:
        return inRange(readAt<std::uint8_t>(r, n.offset), n);
    case FilterOp::RangeU16:
        return inRange(readAt<std::uint16_t>(r, n.offset), n);
    case FilterOp::RangeU32:
        return inRange(readAt<std::uint32_t>(r, n.offset), n);
    case FilterOp::RangeU64:
        return inRange(readAt<std::uint64_t>(r, n.offset), n);
    case FilterOp::ScaledRange:
        return inRange(scaled(readAt<std::uint64_t>(r, n.offset), r.sampling_rate), n);
    case FilterOp::DurationRange:
        return inRange(durationMs(r), n);
    case FilterOp::BpsRange: {
        const std::uint64_t bytes = n.width ? scaled(r.bytes, r.sampling_rate) : r.bytes;
        const std::uint64_t bits = bytes > kU64Max / 8 ? kU64Max : bytes * 8;
        return inRange(perSecond(bits, durationMs(r)), n);
    }
    case FilterOp::PpsRange: {
        const std::uint64_t packets = n.width ? scaled(r.packets, r.sampling_rate) : r.packets;
        return inRange(perSecond(packets, durationMs(r)), n);
    }
    case FilterOp::BppRange:
        return inRange(r.packets ? r.bytes / r.packets : 0, n);
    case FilterOp::FlagsAll:
        return (r.tcp_flags & n.a) == n.a;
    case FilterOp::IcmpTypeRange:
        return inRange((r.icmp_type | r.icmp_code) ? r.icmp_type : r.dst_port >> 8, n);
    case FilterOp::IcmpCodeRange:
        return inRange((r.icmp_type | r.icmp_code) ? r.icmp_code : r.dst_port & 0xff, n);
    case FilterOp::Address: {
        const auto hi = readAt<std::uint64_t>(r, n.offset);
        const auto lo = readAt<std::uint64_t>(r, std::uint16_t(n.offset + 8));
        return (hi & n.c) == n.a && (lo & n.d) == n.b && !(n.width && isMapped(hi, lo));
    }
    case FilterOp::AddressList:
        return inAddressList(p.addressLists[n.a], readAt<std::uint64_t>(r, n.offset),
                             readAt<std::uint64_t>(r, std::uint16_t(n.offset + 8)));
    case FilterOp::ValueList: {
        const auto& list = p.valueLists[n.a];
        return std::binary_search(list.begin(), list.end(), readWidth(r, n));
    }
    case FilterOp::Family:
        return std::uint64_t(family(r)) == n.a;
    }
    return false;
}

// --- pruning -----------------------------------------------------------------------------------

enum class Tri : std::uint8_t
{
    False,
    True,
    Unknown,
};

/// Does a test "value in [lo, hi]" hold for every / no value in [min, max]?
Tri compareRanges(std::uint64_t lo, std::uint64_t hi, std::uint64_t min, std::uint64_t max)
{
    if (max < lo || min > hi)
        return Tri::False;
    if (min >= lo && max <= hi)
        return Tri::True;
    return Tri::Unknown;
}

decode::IpAddress fromHalves(std::uint64_t hi, std::uint64_t lo)
{
    decode::IpAddress a;
    std::memcpy(a.bytes.data(), &hi, 8);
    std::memcpy(a.bytes.data() + 8, &lo, 8);
    return a;
}

/// Lowest and highest address of a prefix, in IpAddress order.
std::pair<decode::IpAddress, decode::IpAddress> netBounds(std::uint64_t hi, std::uint64_t lo,
                                                          std::uint64_t maskHi, std::uint64_t maskLo)
{
    return {fromHalves(hi, lo), fromHalves(hi | ~maskHi, lo | ~maskLo)};
}

bool overlaps(const std::pair<decode::IpAddress, decode::IpAddress>& net, const AddressRange& range)
{
    return !(range.max < net.first || net.second < range.min);
}

class Pruner
{
public:
    Pruner(const FilterProgram& program, std::span<const FieldRange> values,
           std::span<const AddressRange> addresses)
        : m_program(program)
        , m_values(values)
        , m_addresses(addresses)
    {}

    Tri analyse(const FilterNode& n) const
    {
        switch (n.op) {
        case FilterOp::RangeU8:
        case FilterOp::RangeU16:
        case FilterOp::RangeU32:
        case FilterOp::RangeU64: {
            const FieldRange* c = value(n.field);
            return c ? compareRanges(n.a, n.a + n.b, c->min, c->max) : Tri::Unknown;
        }
        case FilterOp::ScaledRange: {
            // scaled = raw * max(rate, 1), saturating: monotonic in both, so the bounds map.
            const FieldRange* raw = value(n.field);
            const FieldRange* rate = value(FlowField::SamplingRate);
            if (!raw && !rate)
                return Tri::Unknown;
            const std::uint64_t low =
                scaled(raw ? raw->min : 0, rate ? std::max<std::uint64_t>(rate->min, 1) : 1);
            const std::uint64_t high =
                scaled(raw ? raw->max : kU64Max, rate ? std::max<std::uint64_t>(rate->max, 1) : kU64Max);
            return compareRanges(n.a, n.a + n.b, low, high);
        }
        case FilterOp::FlagsAll: {
            const FieldRange* c = value(FlowField::TcpFlags);
            if (!c)
                return Tri::Unknown;
            if (c->max < n.a) // (v & m) == m needs v >= m
                return Tri::False;
            if (c->min == c->max)
                return (c->min & n.a) == n.a ? Tri::True : Tri::False;
            return Tri::Unknown;
        }
        case FilterOp::ValueList: {
            const FieldRange* c = value(n.field);
            if (!c)
                return Tri::Unknown;
            const auto& list = m_program.valueLists[n.a];
            const auto it = std::lower_bound(list.begin(), list.end(), c->min);
            if (it == list.end() || *it > c->max)
                return Tri::False;
            return c->min == c->max ? Tri::True : Tri::Unknown;
        }
        case FilterOp::Address: {
            const AddressRange* c = address(n.field);
            if (!c)
                return Tri::Unknown;
            const auto bounds = netBounds(n.a, n.b, n.c, n.d);
            if (!overlaps(bounds, *c))
                return Tri::False;
            // With IPv4-mapped addresses cut out the matching set has a hole: never "all match".
            if (!n.width && !(c->min < bounds.first) && !(bounds.second < c->max))
                return Tri::True;
            return Tri::Unknown;
        }
        case FilterOp::AddressList: {
            const AddressRange* c = address(n.field);
            if (!c)
                return Tri::Unknown;
            const auto& list = m_program.addressLists[n.a];
            for (const auto& [hi, lo] : list.exact)
                if (overlaps({fromHalves(hi, lo), fromHalves(hi, lo)}, *c))
                    return Tri::Unknown;
            for (const detail::FilterNet& net : list.nets)
                if (overlaps(netBounds(net.hi, net.lo, net.maskHi, net.maskLo), *c))
                    return Tri::Unknown;
            return Tri::False;
        }
        default:
            return Tri::Unknown;
        }
    }

private:
    const FieldRange* value(FlowField f) const
    {
        for (const FieldRange& r : m_values)
            if (r.field == f)
                return &r;
        return nullptr;
    }

    const AddressRange* address(FlowField f) const
    {
        for (const AddressRange& r : m_addresses)
            if (r.field == f)
                return &r;
        return nullptr;
    }

    const FilterProgram& m_program;
    std::span<const FieldRange> m_values;
    std::span<const AddressRange> m_addresses;
};

} // namespace

QString FilterError::toString() const
{
    return QStringLiteral("column %1: %2").arg(position + 1).arg(message);
}

Filter::Filter() = default;

tl::expected<Filter, FilterError> Filter::parse(const QString& text, CounterMode mode)
{
    Filter filter;
    filter.m_text = text;
    filter.m_mode = mode;
    auto tokens = detail::tokenizeFilter(text);
    if (!tokens)
        return tl::unexpected(tokens.error());
    if (tokens->size() == 1) // only the End token: blank or comments
        return filter;
    detail::FilterParser parser(*tokens, mode);
    auto program = parser.run();
    if (!program)
        return tl::unexpected(program.error());
    filter.m_program = std::move(*program);
    filter.m_empty = false;
    return filter;
}

bool Filter::matches(const FlowRecord& r) const
{
    const FilterNode* nodes = m_program.nodes.data();
    std::int32_t i = m_program.entry;
    while (i >= 0) {
        const FilterNode& n = nodes[i];
        i = evaluate(n, r, m_program) ? n.onTrue : n.onFalse;
    }
    return i == detail::kAccept;
}

bool Filter::mayMatch(std::span<const FieldRange> values, std::span<const AddressRange> addresses) const
{
    const std::int32_t entry = m_program.entry;
    if (entry < 0)
        return entry == detail::kAccept;
    // Jumps only go forward, so one pass in index order visits every reachable node after all of
    // its predecessors. A node whose outcome is fixed by the ranges prunes the other branch.
    const Pruner pruner(m_program, values, addresses);
    std::vector<char> reachable(m_program.nodes.size(), 0);
    reachable[std::size_t(entry)] = 1;
    for (std::size_t i = std::size_t(entry); i < m_program.nodes.size(); ++i) {
        if (!reachable[i])
            continue;
        const FilterNode& n = m_program.nodes[i];
        const Tri outcome = pruner.analyse(n);
        for (const auto& [taken, target] :
             {std::pair{outcome != Tri::False, n.onTrue}, std::pair{outcome != Tri::True, n.onFalse}}) {
            if (!taken)
                continue;
            if (target == detail::kAccept)
                return true;
            if (target >= 0)
                reachable[std::size_t(target)] = 1;
        }
    }
    return false;
}

bool Filter::mayMatchRange(FlowField field, std::uint64_t min, std::uint64_t max) const
{
    const FieldRange range{field, min, max};
    return mayMatch(std::span<const FieldRange>(&range, 1));
}

bool Filter::mayMatchAddressRange(FlowField field, const decode::IpAddress& min,
                                  const decode::IpAddress& max) const
{
    const AddressRange range{field, min, max};
    return mayMatch({}, std::span<const AddressRange>(&range, 1));
}

QStringList Filter::keywords()
{
    return detail::filterKeywords();
}

} // namespace flowlens::query
