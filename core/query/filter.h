#pragma once

#include "core/decode/flow_record.h"
#include "core/decode/ip_address.h"
#include "filter_program.h"
#include "filter_types.h"

#include <cstdint>
#include <span>
#include <vector>

#include <QString>
#include <QStringList>

#include <tl/expected.hpp>

namespace flowlens::query {

/// Block statistics for pruning: every record of a block has `field` within [min, max].
struct FieldRange
{
    decode::FlowField field = decode::FlowField::Count_;
    std::uint64_t min = 0;
    std::uint64_t max = 0;
};

/// Same for address columns, ordered as 16 bytes (IPv4 mapped), i.e. by decode::IpAddress::operator<.
struct AddressRange
{
    decode::FlowField field = decode::FlowField::Count_;
    decode::IpAddress min;
    decode::IpAddress max;
};

/// The nfdump-like filter language of the filter bar and `flowlens-cli --filter`, parsed once into
/// a small decision graph and evaluated against FlowRecords in C++ (users' text never reaches SQL).
///
/// Grammar (keywords are case-insensitive):
///   expr  := and (("or" | "||") and)*        and := unary (("and" | "&&") unary)*
///   unary := ("not" | "!") unary | "(" expr ")" | term           precedence: not > and > or
/// Terms (without src/dst, in/out a term matches either side; "#" starts a comment):
///   any                                  always true
///   [src|dst] ip|host ADDR[/LEN]         IPv4 or IPv6; an IPv4 address or prefix only matches IPv4
///   [src|dst] net ADDR/LEN | net A.B.C.D [mask] M.M.M.M
///   [src|dst] ip|host|net in [ ADDR ADDR/LEN, ... ]
///   [src|dst] port [CMP] N | port in [ N N ... ]         also for as, if, vlan, mask, tos, proto
///   proto NAME|N  (tcp, udp, icmp, icmp6, gre, esp, ...); tcp, udp, icmp, icmp6, sctp alone
///   ipv4 | inet, ipv6 | inet6            family of the record's addresses (else of its EtherType)
///   exporter [ip|net] ADDR, router ip ADDR   the exporter (sampler_address)
///   next ip ADDR, bgp next ip ADDR | bgpnext ip ADDR, next as N
///   [src|dst] as [CMP] N, [in|out] if [CMP] N, [src|dst] vlan N, [src|dst] mask N (prefix length),
///   [src|dst] mac AA:BB:CC:DD:EE:FF, tos N, ethertype N
///   flags LETTERS    all of F S R P A U E C set (X = FSRPAU); flags [CMP] N compares exactly; TCP only
///   icmp-type N, icmp-code N (also "icmp type N")   ICMP/ICMPv6 only; falls back to dst_port
///                    (type << 8 | code, as NetFlow v5 exporters send it) when both fields are 0
///   bytes|packets CMP N    sampling-scaled unless CounterMode::Raw
///   duration CMP MS, bps|pps|bpp CMP N   as nfdump: whole ms, 0 when the duration is 0
///   sampled          sampling_rate > 1
/// CMP: = == != < > <= >= eq ne lt gt le ge (default =). "port != 80" means no port is 80 (as
/// Wireshark), "port > 1024" that some port is. N: decimal or 0x hex; k/m/g/t multiply by
/// 1e3/1e6/1e9/1e12 (nfdump), "1.5k" = 1500.
///
/// Value type: cheap to copy, immutable after parse(), safe to use from several threads at once.
class Filter
{
public:
    /// The empty filter: matches every record.
    Filter();

    /// Parses `text`; empty or blank text gives the empty filter. Errors name the column and what
    /// was expected, with a suggestion for a mistyped keyword.
    static tl::expected<Filter, FilterError> parse(const QString& text,
                                                   CounterMode mode = CounterMode::Scaled);

    /// Hot path: no allocation, no virtual call; a few nanoseconds for a simple filter.
    bool matches(const decode::FlowRecord& r) const;

    /// True when the text holds no term at all (blank or only comments).
    bool isEmpty() const { return m_empty; }
    /// True when the filter accepts every record (empty, "any", "port >= 0", ...).
    bool matchesEverything() const { return m_program.entry == detail::kAccept; }
    QString text() const { return m_text; }
    CounterMode counterMode() const { return m_mode; }

    /// Columns the filter reads (sorted, unique), for column pruning; empty when it reads none.
    std::vector<decode::FlowField> fields() const { return m_program.fields; }

    /// Block pruning: false only when no record whose columns lie in the given ranges can match.
    /// Columns without a range are unconstrained. Conservative: true whenever unsure.
    bool mayMatch(std::span<const FieldRange> values, std::span<const AddressRange> addresses = {}) const;
    /// mayMatch() with one integer column (not an address column) in [min, max].
    bool mayMatchRange(decode::FlowField field, std::uint64_t min, std::uint64_t max) const;
    /// mayMatch() with one address column in [min, max].
    bool mayMatchAddressRange(decode::FlowField field, const decode::IpAddress& min,
                              const decode::IpAddress& max) const;

    /// Every keyword of the language, sorted (completion in the GUI filter bar).
    static QStringList keywords();

private:
    QString m_text;
    CounterMode m_mode = CounterMode::Scaled;
    bool m_empty = true;
    detail::FilterProgram m_program;
};

} // namespace flowlens::query
