#pragma once

#include "core/decode/flow_record.h"

#include <cstdint>
#include <utility>
#include <vector>

// The compiled form of a filter. Private to core/query: only filter.cpp and the filter_* helpers
// read it; users of the filter see flowlens::query::Filter.
namespace flowlens::query::detail {

/// Jump targets below zero end the evaluation.
inline constexpr std::int32_t kAccept = -1;
inline constexpr std::int32_t kReject = -2;

/// What one node tests. Every comparison is compiled to a closed range [a, a + b] so that a
/// single unsigned subtraction and compare decides it; negation costs nothing because the
/// compiler swaps the node's jump targets instead.
enum class FilterOp : std::uint8_t
{
    RangeU8,       ///< field of 1 byte at `offset` in [a, a + b]
    RangeU16,      ///< 2 bytes
    RangeU32,      ///< 4 bytes
    RangeU64,      ///< 8 bytes
    ScaledRange,   ///< uint64 counter at `offset` times the sampling rate (0 counts as 1)
    DurationRange, ///< (end - start) in whole milliseconds, 0 when end < start
    BpsRange,      ///< 8 * bytes * 1000 / duration ms (0 for zero duration); width 1 = scaled bytes
    PpsRange,      ///< packets * 1000 / duration ms; width 1 = scaled packets
    BppRange,      ///< bytes / packets (0 when no packets); sampling cancels out
    FlagsAll,      ///< (tcp_flags & a) == a
    IcmpTypeRange, ///< icmp_type, or dst_port >> 8 when the exporter left icmp_type/code at 0
    IcmpCodeRange, ///< icmp_code, or dst_port & 0xff likewise
    Address,       ///< (address at offset & mask {c, d}) == {a, b}; halves as loaded by memcpy;
                   ///< width 1: an IPv6 prefix that must not match IPv4-mapped addresses
    AddressList,   ///< address at offset is in addressLists[a]
    ValueList,     ///< integer of `width` bytes at offset is in valueLists[a] (sorted)
    Family,        ///< a = 4 or 6: the record's address family
};

struct FilterNode
{
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
    std::uint64_t d = 0;
    std::int32_t onTrue = kAccept;
    std::int32_t onFalse = kReject;
    std::uint16_t offset = 0;
    FilterOp op = FilterOp::RangeU8;
    std::uint8_t width = 0;
    decode::FlowField field = decode::FlowField::Count_; ///< column read (first one for composite ops)
};

/// An address prefix with both 64-bit halves loaded from the 16 address bytes by memcpy, so that
/// a record's address is tested with two loads, two ANDs and two compares.
struct FilterNet
{
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::uint64_t maskHi = 0;
    std::uint64_t maskLo = 0;
    bool excludeMapped = false; ///< an IPv6 prefix that must not match IPv4(-mapped) addresses
};

struct FilterAddressList
{
    std::vector<std::pair<std::uint64_t, std::uint64_t>> exact; ///< sorted, for binary search
    std::vector<FilterNet> nets;                                ///< shorter prefixes, scanned
};

/// A decision graph: evaluation starts at `entry` and follows onTrue/onFalse until it reaches
/// kAccept or kReject. Jumps only go forward, so the graph has no cycles.
struct FilterProgram
{
    std::vector<FilterNode> nodes;
    std::vector<std::vector<std::uint64_t>> valueLists;
    std::vector<FilterAddressList> addressLists;
    std::vector<decode::FlowField> fields; ///< sorted, unique
    std::int32_t entry = kAccept;
};

} // namespace flowlens::query::detail
