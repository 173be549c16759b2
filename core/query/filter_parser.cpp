#include "filter_parser.h"

#include "core/decode/ip_address.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace flowlens::query::detail {

using decode::FlowField;

namespace {

__extension__ using Uint128 = unsigned __int128;

/// Deep enough for any filter a person writes, shallow enough that recursion stays cheap.
constexpr int kMaxDepth = 200;
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

// Words that may start a term, most common first: on a tie the earlier one is suggested.
const char* const kTermKeywords[] = {
    "ip",    "port",    "proto",    "host",   "net",  "src",       "dst",      "not",       "any",
    "as",    "if",      "in",       "out",    "vlan", "mask",      "mac",      "tos",       "flags",
    "bytes", "packets", "duration", "bps",    "pps",  "bpp",       "sampled",  "ipv4",      "ipv6",
    "inet",  "inet6",   "exporter", "router", "next", "bgpnext",   "bgp",      "icmp-type", "icmp-code",
    "icmp",  "icmp6",   "tcp",      "udp",    "sctp", "ethertype", "protocol", "country",
};

const char* const kOtherKeywords[] = {"and", "or", "eq", "ne", "lt", "gt", "le", "ge", "type", "code"};

bool isWord(const FilterToken& t, const char* lowerWord)
{
    return t.kind == TokenKind::Word && t.lower == QLatin1String(lowerWord);
}

QString describe(const FilterToken& t)
{
    if (t.kind == TokenKind::End)
        return QStringLiteral("end of filter");
    return QLatin1Char('"') + t.text + QLatin1Char('"');
}

std::uint64_t typeMax(std::size_t size)
{
    return size >= 8 ? kU64Max : (std::uint64_t(1) << (size * 8)) - 1;
}

FilterOp rangeOpForSize(std::size_t size)
{
    switch (size) {
    case 1:
        return FilterOp::RangeU8;
    case 2:
        return FilterOp::RangeU16;
    case 4:
        return FilterOp::RangeU32;
    default:
        return FilterOp::RangeU64;
    }
}

/// Closed range [lo, hi] of values in [0, max] for which `value OP v` holds; empty when none.
std::optional<std::pair<std::uint64_t, std::uint64_t>> rangeFor(CompareOp op, std::uint64_t value,
                                                                std::uint64_t max)
{
    switch (op) {
    case CompareOp::Eq:
    case CompareOp::Ne: // callers negate Eq
        if (value > max)
            return std::nullopt;
        return std::pair{value, value};
    case CompareOp::Lt:
        if (value == 0)
            return std::nullopt;
        return std::pair{std::uint64_t(0), std::min(value - 1, max)};
    case CompareOp::Le:
        return std::pair{std::uint64_t(0), std::min(value, max)};
    case CompareOp::Gt:
        if (value >= max)
            return std::nullopt;
        return std::pair{value + 1, max};
    case CompareOp::Ge:
        if (value > max)
            return std::nullopt;
        return std::pair{value, max};
    }
    return std::nullopt;
}

int hexDigit(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= '0' && u <= '9')
        return u - '0';
    if (u >= 'a' && u <= 'f')
        return u - 'a' + 10;
    if (u >= 'A' && u <= 'F')
        return u - 'A' + 10;
    return -1;
}

/// Decimal with an optional fraction and k/m/g/t suffix (powers of 1000, as nfdump), or 0x hex.
/// The result must be a whole number: "1.5k" is 1500, "1.5" is refused.
std::optional<std::uint64_t> parseNumber(const QString& w)
{
    const int n = int(w.size());
    if (n == 0)
        return std::nullopt;
    if (n > 2 && w.at(0) == QLatin1Char('0') &&
        (w.at(1) == QLatin1Char('x') || w.at(1) == QLatin1Char('X'))) {
        if (n - 2 > 16)
            return std::nullopt;
        std::uint64_t v = 0;
        for (int i = 2; i < n; ++i) {
            const int d = hexDigit(w.at(i));
            if (d < 0)
                return std::nullopt;
            v = v * 16 + std::uint64_t(d);
        }
        return v;
    }
    int i = 0;
    std::uint64_t whole = 0;
    while (i < n && w.at(i).isDigit() && w.at(i).unicode() < 128) {
        if (__builtin_mul_overflow(whole, 10u, &whole) ||
            __builtin_add_overflow(whole, std::uint64_t(w.at(i).unicode() - '0'), &whole))
            return std::nullopt;
        ++i;
    }
    if (i == 0)
        return std::nullopt;
    std::uint64_t fraction = 0;
    std::uint64_t fractionScale = 1;
    if (i < n && w.at(i) == QLatin1Char('.')) {
        ++i;
        const int start = i;
        while (i < n && w.at(i).isDigit() && w.at(i).unicode() < 128) {
            if (i - start >= 18)
                return std::nullopt;
            fraction = fraction * 10 + std::uint64_t(w.at(i).unicode() - '0');
            fractionScale *= 10;
            ++i;
        }
        if (i == start)
            return std::nullopt;
    }
    std::uint64_t multiplier = 1;
    if (i < n) {
        switch (w.at(i).toLower().unicode()) {
        case 'k':
            multiplier = 1000ull;
            break;
        case 'm':
            multiplier = 1000'000ull;
            break;
        case 'g':
            multiplier = 1000'000'000ull;
            break;
        case 't':
            multiplier = 1000'000'000'000ull;
            break;
        default:
            return std::nullopt;
        }
        ++i;
    }
    if (i != n)
        return std::nullopt;
    std::uint64_t value = 0;
    if (__builtin_mul_overflow(whole, multiplier, &value))
        return std::nullopt;
    if (fractionScale > 1) {
        const Uint128 scaled = Uint128(fraction) * multiplier;
        if (scaled % fractionScale != 0)
            return std::nullopt;
        if (__builtin_add_overflow(value, std::uint64_t(scaled / fractionScale), &value))
            return std::nullopt;
    }
    return value;
}

/// "aa:bb:cc:dd:ee:ff" or with '-' separators; 48 bits in the low bytes, first octet highest.
std::optional<std::uint64_t> parseMac(const QString& w)
{
    const QStringList groups = QString(w).replace(QLatin1Char('-'), QLatin1Char(':')).split(QLatin1Char(':'));
    if (groups.size() != 6)
        return std::nullopt;
    std::uint64_t mac = 0;
    for (const QString& g : groups) {
        if (g.isEmpty() || g.size() > 2)
            return std::nullopt;
        std::uint64_t octet = 0;
        for (const QChar c : g) {
            const int d = hexDigit(c);
            if (d < 0)
                return std::nullopt;
            octet = octet * 16 + std::uint64_t(d);
        }
        mac = (mac << 8) | octet;
    }
    return mac;
}

/// Optimal string alignment distance: edits, with a swap of two neighbours counting as one.
int editDistance(const QString& a, const QString& b)
{
    const int n = int(a.size());
    const int m = int(b.size());
    std::vector<int> prev2(std::size_t(m) + 1), prev(std::size_t(m) + 1), cur(std::size_t(m) + 1);
    for (int j = 0; j <= m; ++j)
        prev[std::size_t(j)] = j;
    for (int i = 1; i <= n; ++i) {
        cur[0] = i;
        for (int j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            int best = std::min(
                {prev[std::size_t(j)] + 1, cur[std::size_t(j) - 1] + 1, prev[std::size_t(j) - 1] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                best = std::min(best, prev2[std::size_t(j) - 2] + 1);
            cur[std::size_t(j)] = best;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[std::size_t(m)];
}

/// The closest candidate within a small edit distance, or an empty string.
QString closest(const QString& word, const QStringList& candidates)
{
    const int limit = word.size() <= 3 ? 1 : 2;
    QString best;
    int bestDistance = limit + 1;
    for (const QString& c : candidates) {
        const int d = editDistance(word, c);
        if (d < bestDistance && d < int(word.size())) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

QStringList termKeywords()
{
    QStringList list;
    for (const char* k : kTermKeywords)
        list << QLatin1String(k);
    return list;
}

const QStringList& protocolNames()
{
    static const QStringList names = [] {
        QStringList list;
        for (int p = 0; p < 256; ++p) {
            const std::string name = decode::protoName(std::uint8_t(p));
            if (!name.empty() &&
                !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
                list << QString::fromStdString(name).toLower();
        }
        list << QStringLiteral("icmp6");
        return list;
    }();
    return names;
}

/// "\"ip\", \"host\" or \"net\""
QString joinChoices(const QStringList& choices)
{
    QStringList quoted;
    for (const QString& c : choices)
        quoted << QLatin1Char('"') + c + QLatin1Char('"');
    if (quoted.size() == 1)
        return quoted.front();
    return quoted.mid(0, quoted.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" or ") +
           quoted.back();
}

std::array<std::uint8_t, 16> prefixMask(int bits)
{
    std::array<std::uint8_t, 16> mask{};
    for (int i = 0; i < 16; ++i) {
        const int keep = std::clamp(bits - i * 8, 0, 8);
        mask[std::size_t(i)] = std::uint8_t(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
    }
    return mask;
}

std::pair<std::uint64_t, std::uint64_t> halves(const std::array<std::uint8_t, 16>& bytes)
{
    std::pair<std::uint64_t, std::uint64_t> h;
    std::memcpy(&h.first, bytes.data(), 8);
    std::memcpy(&h.second, bytes.data() + 8, 8);
    return h;
}

/// A parsed address or prefix, as 16 bytes (IPv4 mapped) plus a 16-byte mask.
struct NetSpec
{
    std::array<std::uint8_t, 16> net{};
    std::array<std::uint8_t, 16> mask{};
    int bits = 128;
    bool excludeMapped = false;
};

NetSpec makeNet(const decode::IpAddress& address, bool v4Text, int prefix)
{
    NetSpec s;
    s.bits = v4Text ? 96 + prefix : prefix;
    s.mask = prefixMask(s.bits);
    for (std::size_t i = 0; i < 16; ++i)
        s.net[i] = address.bytes[i] & s.mask[i];
    // An IPv6 prefix short enough to contain ::ffff:0:0/96 (say ::/0) would otherwise match every
    // IPv4 flow too; users mean IPv6 when they write an IPv6 prefix.
    if (!v4Text && s.bits <= 96) {
        const decode::IpAddress mapped = decode::IpAddress::fromV4(0);
        bool covers = true;
        for (std::size_t i = 0; i < 16; ++i)
            covers = covers && (mapped.bytes[i] & s.mask[i]) == s.net[i];
        s.excludeMapped = covers;
    }
    return s;
}

/// A dotted IPv4 netmask with contiguous ones, as a prefix length; -1 otherwise.
int netmaskBits(const QString& text)
{
    if (text.contains(QLatin1Char(':')))
        return -1;
    const auto address = decode::IpAddress::parse(text.toStdString());
    if (!address)
        return -1;
    const std::uint32_t v = address->v4();
    const std::uint32_t inverted = ~v;
    if ((inverted & (inverted + 1)) != 0)
        return -1;
    return __builtin_popcount(v);
}

FilterNode rangeNode(FilterOp op, FlowField field, std::uint8_t width, std::uint64_t lo, std::uint64_t hi)
{
    FilterNode n;
    n.op = op;
    n.field = field;
    n.offset = decode::fieldInfo(field).offset;
    n.width = width;
    n.a = lo;
    n.b = hi - lo;
    return n;
}

} // namespace

QStringList filterKeywords()
{
    QStringList list = termKeywords();
    for (const char* k : kOtherKeywords)
        list << QLatin1String(k);
    list.sort();
    list.removeDuplicates();
    return list;
}

FilterParser::FilterParser(const std::vector<FilterToken>& tokens, CounterMode mode)
    : m_tokens(tokens)
    , m_mode(mode)
{}

tl::expected<FilterProgram, FilterError> FilterParser::run()
{
    const int root = parseOr();
    if (!failed()) {
        const FilterToken& t = peek();
        if (t.kind == TokenKind::RParen)
            fail(t, QStringLiteral("unbalanced \")\": there is no \"(\" to close"));
        else if (t.kind != TokenKind::End)
            expected(QStringLiteral("\"and\", \"or\" or end of filter"),
                     m_pos > 0 ? m_tokens[m_pos - 1].text : QString(), t);
    }
    if (failed())
        return tl::unexpected(*m_error);
    return std::move(m_ast).compile(root);
}

const FilterToken& FilterParser::peek(std::size_t ahead) const
{
    return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
}

const FilterToken& FilterParser::take()
{
    const FilterToken& t = peek();
    if (m_pos + 1 < m_tokens.size())
        ++m_pos;
    return t;
}

bool FilterParser::peekWord(const char* lowerWord, std::size_t ahead) const
{
    return isWord(peek(ahead), lowerWord);
}

bool FilterParser::peekComparator() const
{
    const FilterToken& t = peek();
    if (t.kind == TokenKind::Compare)
        return true;
    for (const char* w : {"eq", "ne", "lt", "le", "gt", "ge"})
        if (isWord(t, w))
            return true;
    return false;
}

int FilterParser::fail(const FilterToken& at, const QString& message)
{
    if (!m_error)
        m_error = FilterError{at.position, at.length, message};
    return -1;
}

int FilterParser::expected(const QString& what, const QString& after, const FilterToken& found,
                           const QStringList& candidates)
{
    QString message = QStringLiteral("expected ") + what;
    if (!after.isEmpty())
        message += QStringLiteral(" after \"") + after + QLatin1Char('"');
    message += QStringLiteral(", found ") + describe(found);
    if (found.kind == TokenKind::Word) {
        const QString suggestion = closest(found.lower, candidates);
        if (!suggestion.isEmpty())
            message += QStringLiteral(" (did you mean '") + suggestion + QStringLiteral("'?)");
    }
    return fail(found, message);
}

int FilterParser::parseOr()
{
    std::vector<int> parts{parseAnd()};
    while (!failed() && (isWord(peek(), "or") || peek().kind == TokenKind::Or)) {
        take();
        parts.push_back(parseAnd());
    }
    return failed() ? -1 : m_ast.anyOf(parts);
}

int FilterParser::parseAnd()
{
    std::vector<int> parts{parseUnary()};
    while (!failed() && (isWord(peek(), "and") || peek().kind == TokenKind::And)) {
        take();
        parts.push_back(parseUnary());
    }
    return failed() ? -1 : m_ast.allOf(parts);
}

int FilterParser::parseUnary()
{
    const FilterToken& t = peek();
    const bool isNot = isWord(t, "not") || t.kind == TokenKind::Not;
    if (!isNot && t.kind != TokenKind::LParen)
        return parseTerm();
    if (m_depth >= kMaxDepth)
        return fail(t, QStringLiteral("the filter nests \"not\" and parentheses more than %1 levels deep")
                           .arg(kMaxDepth));
    take();
    ++m_depth;
    const int inner = isNot ? parseUnary() : parseOr();
    --m_depth;
    if (failed())
        return -1;
    if (isNot)
        return m_ast.negate(inner);
    const FilterToken& close = peek();
    if (close.kind != TokenKind::RParen)
        return fail(close, QStringLiteral("expected \")\" to close the \"(\" at column %1, found %2")
                               .arg(t.position + 1)
                               .arg(describe(close)));
    take();
    return inner;
}

int FilterParser::parseTerm()
{
    const FilterToken& t = peek();
    const QString previous = m_pos > 0 ? m_tokens[m_pos - 1].text : QString();
    if (t.kind != TokenKind::Word)
        return expected(QStringLiteral("a filter term"), previous, t);
    const QString& w = t.lower;
    const auto is = [&w](const char* keyword) {
        return w == QLatin1String(keyword);
    };
    const auto words = [](std::initializer_list<const char*> list) {
        QStringList out;
        for (const char* s : list)
            out << QLatin1String(s);
        return out;
    };

    if (is("any")) {
        take();
        return m_ast.constant(true);
    }
    if (is("ipv4") || is("inet") || is("ipv6") || is("inet6")) {
        take();
        FilterNode n;
        n.op = FilterOp::Family;
        n.field = FlowField::SrcAddr;
        n.a = (is("ipv4") || is("inet")) ? 4 : 6;
        return m_ast.test(n);
    }
    if (is("sampled")) {
        take();
        return compareExpr({FlowField::SamplingRate}, CompareOp::Gt, 1);
    }
    if (is("src") || is("dst")) {
        take();
        return parseQualified(is("src") ? Qualifier::Src : Qualifier::Dst, t.text,
                              words({"ip", "host", "net", "port", "as", "vlan", "mask", "mac", "country"}));
    }
    if (is("in") || is("out")) {
        take();
        return parseQualified(is("in") ? Qualifier::In : Qualifier::Out, t.text, words({"if"}));
    }
    if (is("next")) {
        take();
        return parseQualified(Qualifier::Next, t.text, words({"ip", "host", "net", "as"}));
    }
    if (is("bgpnext")) {
        take();
        return parseQualified(Qualifier::BgpNext, t.text, words({"ip", "host", "net"}));
    }
    if (is("bgp")) {
        take();
        if (!peekWord("next"))
            return expected(QStringLiteral("\"next\""), t.text, peek(), words({"next"}));
        const FilterToken& next = take();
        return parseQualified(Qualifier::BgpNext, t.text + QLatin1Char(' ') + next.text,
                              words({"ip", "host", "net"}));
    }
    if (is("exporter") || is("router")) {
        take();
        if (peekWord("ip") || peekWord("host") || peekWord("net"))
            return parseQualified(Qualifier::Exporter, t.text, words({"ip", "host", "net"}));
        return parseAddressTerm(Qualifier::Exporter, QStringLiteral("ip"), t.text);
    }
    if (is("ip") || is("host") || is("net") || is("port") || is("as") || is("if") || is("vlan") ||
        is("mask") || is("mac") || is("country"))
        return parseQualified(Qualifier::None, QString(), {});
    if (is("proto") || is("protocol")) {
        take();
        return parseIntegerTerm({FlowField::Proto},
                                {QStringLiteral("a protocol name or number"), 255, ValueKind::Protocol},
                                t.text);
    }
    if (is("tcp") || is("udp") || is("icmp6") || is("sctp")) {
        take();
        return protoIs(std::uint8_t(decode::protoNumber(w.toStdString())));
    }
    if (is("icmp")) {
        take();
        if (peekWord("type") || peekWord("code")) {
            const FilterToken& which = take();
            return parseIcmpTerm(which.lower == QLatin1String("type"),
                                 t.text + QLatin1Char(' ') + which.text);
        }
        return protoIs(1);
    }
    if (is("icmp-type") || is("icmp-code")) {
        take();
        return parseIcmpTerm(is("icmp-type"), t.text);
    }
    if (is("tos")) {
        take();
        return parseIntegerTerm({FlowField::IpTos}, {QStringLiteral("a ToS value (0-255)"), 255}, t.text);
    }
    if (is("ethertype")) {
        take();
        return parseIntegerTerm({FlowField::Etype}, {QStringLiteral("an EtherType (e.g. 0x0800)"), 0xffff},
                                t.text);
    }
    if (is("flags")) {
        take();
        return parseFlagsTerm(t.text);
    }
    if (is("bytes") || is("packets")) {
        take();
        const FlowField field = is("bytes") ? FlowField::Bytes : FlowField::Packets;
        if (m_mode == CounterMode::Raw) {
            QString after = t.text;
            const CompareOp op = parseComparator(after);
            const FilterToken& v = peek();
            const auto value = v.kind == TokenKind::Word ? parseNumber(v.text) : std::nullopt;
            if (!value)
                return expected(QStringLiteral("a number"), after, v);
            take();
            return compareExpr({field}, op, *value);
        }
        return parseMetricTerm(FilterOp::ScaledRange, field, 8, QStringLiteral("a number"), t.text);
    }
    if (is("duration")) {
        take();
        return parseMetricTerm(FilterOp::DurationRange, FlowField::TimeFlowStart, 0,
                               QStringLiteral("a duration in milliseconds"), t.text);
    }
    if (is("bps") || is("pps")) {
        take();
        const bool bps = is("bps");
        return parseMetricTerm(bps ? FilterOp::BpsRange : FilterOp::PpsRange,
                               bps ? FlowField::Bytes : FlowField::Packets,
                               m_mode == CounterMode::Scaled ? 1 : 0, QStringLiteral("a number"), t.text);
    }
    if (is("bpp")) {
        take();
        return parseMetricTerm(FilterOp::BppRange, FlowField::Bytes, 0, QStringLiteral("a number"), t.text);
    }

    if (is("and") || is("or"))
        return expected(QStringLiteral("a filter term"), previous, t);
    // Not a keyword. A bare address or number is most likely a forgotten "host" or "port".
    QString hint;
    const QString head = t.text.section(QLatin1Char('/'), 0, 0);
    if (decode::IpAddress::parse(head.toStdString()))
        hint = (head == t.text ? QStringLiteral("host ") : QStringLiteral("net ")) + t.text;
    else if (parseNumber(t.text))
        hint = QStringLiteral("port ") + t.text;
    else
        hint = closest(w, termKeywords());
    QString message = QStringLiteral("unknown keyword ") + describe(t);
    if (!hint.isEmpty())
        message += QStringLiteral(" (did you mean '") + hint + QStringLiteral("'?)");
    return fail(t, message);
}

int FilterParser::parseQualified(Qualifier q, const QString& qualifierText, const QStringList& allowed)
{
    const FilterToken& kw = peek();
    if (q != Qualifier::None && (kw.kind != TokenKind::Word || !allowed.contains(kw.lower)))
        return expected(joinChoices(allowed), qualifierText, kw, allowed);
    take();
    const QString after = qualifierText.isEmpty() ? kw.text : qualifierText + QLatin1Char(' ') + kw.text;
    const QString& w = kw.lower;
    const auto is = [&w](const char* keyword) {
        return w == QLatin1String(keyword);
    };
    const auto pick = [q](std::vector<FlowField> either, FlowField src, FlowField dst) {
        if (q == Qualifier::Src || q == Qualifier::In)
            return std::vector<FlowField>{src};
        if (q == Qualifier::Dst || q == Qualifier::Out)
            return std::vector<FlowField>{dst};
        return either;
    };

    if (is("ip") || is("host") || is("net"))
        return parseAddressTerm(q, w, after);
    if (is("port"))
        return parseIntegerTerm(
            pick({FlowField::SrcPort, FlowField::DstPort}, FlowField::SrcPort, FlowField::DstPort),
            {QStringLiteral("a port number (0-65535)"), 0xffff}, after);
    if (is("as")) {
        // The AS the exporter sent or the one GeoIP looked up: either matches.
        std::vector<FlowField> fields;
        if (q == Qualifier::Next)
            fields = {FlowField::NextHopAs};
        else if (q == Qualifier::Src)
            fields = {FlowField::SrcAs, FlowField::SrcLookupAs};
        else if (q == Qualifier::Dst)
            fields = {FlowField::DstAs, FlowField::DstLookupAs};
        else
            fields = {FlowField::SrcAs, FlowField::DstAs, FlowField::SrcLookupAs, FlowField::DstLookupAs};
        return parseIntegerTerm(fields, {QStringLiteral("an AS number"), 0xffffffffu}, after);
    }
    if (is("country"))
        return parseIntegerTerm(
            pick({FlowField::SrcCountry, FlowField::DstCountry}, FlowField::SrcCountry,
                 FlowField::DstCountry),
            {QStringLiteral("a two-letter country code (e.g. GB)"), 0xffff, ValueKind::Country}, after);
    if (is("if"))
        return parseIntegerTerm(pick({FlowField::InIf, FlowField::OutIf}, FlowField::InIf, FlowField::OutIf),
                                {QStringLiteral("an interface index"), 0xffffffffu}, after);
    if (is("vlan"))
        return parseIntegerTerm(pick({FlowField::SrcVlan, FlowField::DstVlan, FlowField::VlanId},
                                     FlowField::SrcVlan, FlowField::DstVlan),
                                {QStringLiteral("a VLAN ID (0-4095)"), 4095}, after);
    if (is("mask"))
        return parseIntegerTerm(
            pick({FlowField::SrcNet, FlowField::DstNet}, FlowField::SrcNet, FlowField::DstNet),
            {QStringLiteral("a prefix length (0-128)"), 128}, after);
    // mac
    return parseIntegerTerm(
        pick({FlowField::SrcMac, FlowField::DstMac}, FlowField::SrcMac, FlowField::DstMac),
        {QStringLiteral("a MAC address (aa:bb:cc:dd:ee:ff)"), 0xffffffffffffull, ValueKind::Mac}, after);
}

int FilterParser::parseAddressTerm(Qualifier q, const QString& keyword, const QString& after)
{
    std::vector<FlowField> fields;
    switch (q) {
    case Qualifier::Src:
        fields = {FlowField::SrcAddr};
        break;
    case Qualifier::Dst:
        fields = {FlowField::DstAddr};
        break;
    case Qualifier::Next:
        fields = {FlowField::NextHop};
        break;
    case Qualifier::BgpNext:
        fields = {FlowField::BgpNextHop};
        break;
    case Qualifier::Exporter:
        fields = {FlowField::SamplerAddress};
        break;
    default:
        fields = {FlowField::SrcAddr, FlowField::DstAddr};
        break;
    }
    const bool isNet = keyword == QLatin1String("net");

    // Parses ADDR or ADDR/LEN; reports and returns nullopt on error.
    const auto parseNet = [this](const FilterToken& t, const QString& what, const QString& afterText,
                                 bool& hasPrefix) -> std::optional<NetSpec> {
        if (t.kind != TokenKind::Word) {
            expected(what, afterText, t);
            return std::nullopt;
        }
        const int slash = int(t.text.indexOf(QLatin1Char('/')));
        const QString addressText = slash < 0 ? t.text : t.text.left(slash);
        const auto address = decode::IpAddress::parse(addressText.toStdString());
        if (!address) {
            expected(what, afterText, t);
            return std::nullopt;
        }
        const bool v4Text = !addressText.contains(QLatin1Char(':'));
        const int maxBits = v4Text ? 32 : 128;
        hasPrefix = slash >= 0;
        int bits = maxBits;
        if (hasPrefix) {
            const QString bitsText = t.text.mid(slash + 1);
            bool ok = !bitsText.isEmpty() && bitsText.size() <= 3;
            for (const QChar c : bitsText)
                ok = ok && c.unicode() >= '0' && c.unicode() <= '9';
            bits = ok ? bitsText.toInt() : -1;
            if (bits < 0 || bits > maxBits) {
                fail(t, QStringLiteral("invalid prefix length in \"%1\": %2 allows 0-%3")
                            .arg(t.text, v4Text ? QStringLiteral("IPv4") : QStringLiteral("IPv6"))
                            .arg(maxBits));
                return std::nullopt;
            }
        }
        return makeNet(*address, v4Text, bits);
    };

    if (peekWord("in")) {
        const QString listAfter = after + QLatin1Char(' ') + take().text;
        FilterAddressList list;
        const QString what = QStringLiteral("an IPv4 or IPv6 address or network");
        const bool ok = parseList(listAfter, what, [&](const FilterToken& t) {
            bool hasPrefix = false;
            const auto spec = parseNet(t, what, listAfter, hasPrefix);
            if (!spec)
                return false;
            const auto [hi, lo] = halves(spec->net);
            if (spec->bits == 128) {
                list.exact.emplace_back(hi, lo);
            } else {
                const auto [maskHi, maskLo] = halves(spec->mask);
                list.nets.push_back(FilterNet{hi, lo, maskHi, maskLo, spec->excludeMapped});
            }
            return true;
        });
        if (!ok)
            return -1;
        const int index = m_ast.addAddressList(std::move(list));
        std::vector<int> tests;
        for (const FlowField f : fields) {
            FilterNode n;
            n.op = FilterOp::AddressList;
            n.field = f;
            n.offset = decode::fieldInfo(f).offset;
            n.a = std::uint64_t(index);
            tests.push_back(m_ast.test(n));
        }
        return m_ast.anyOf(tests);
    }

    const FilterToken& t = peek();
    const QString what = isNet ? QStringLiteral("an IPv4 or IPv6 network (e.g. 10.0.0.0/8)")
                               : QStringLiteral("an IPv4 or IPv6 address");
    bool hasPrefix = false;
    auto spec = parseNet(t, what, after, hasPrefix);
    if (!spec)
        return -1;
    take();
    if (isNet && !hasPrefix) {
        // nfdump also accepts "net 10.0.0.0 255.0.0.0"; "mask" makes it readable.
        const bool v4 = !t.text.contains(QLatin1Char(':'));
        const bool maskKeyword = peekWord("mask");
        const FilterToken& m = peek(maskKeyword ? 1 : 0);
        const int bits = v4 && m.kind == TokenKind::Word ? netmaskBits(m.text) : -1;
        if (maskKeyword && bits < 0)
            return expected(QStringLiteral("an IPv4 netmask such as 255.255.255.0"),
                            after + QLatin1Char(' ') + t.text + QLatin1Char(' ') + peek().text, m);
        if (bits < 0)
            return fail(t, QStringLiteral("expected a network with a prefix length after \"%1\", found %2 "
                                          "(write \"%3/24\" or \"%3 mask 255.255.255.0\")")
                               .arg(after, describe(t), t.text));
        if (maskKeyword)
            take();
        take();
        spec = makeNet(*decode::IpAddress::parse(t.text.toStdString()), true, bits);
    }
    const auto [hi, lo] = halves(spec->net);
    const auto [maskHi, maskLo] = halves(spec->mask);
    std::vector<int> tests;
    for (const FlowField f : fields) {
        FilterNode n;
        n.op = FilterOp::Address;
        n.field = f;
        n.offset = decode::fieldInfo(f).offset;
        n.width = spec->excludeMapped ? 1 : 0;
        n.a = hi;
        n.b = lo;
        n.c = maskHi;
        n.d = maskLo;
        tests.push_back(m_ast.test(n));
    }
    return m_ast.anyOf(tests);
}

CompareOp FilterParser::parseComparator(QString& after)
{
    static const std::pair<const char*, CompareOp> kWords[] = {
        {"eq", CompareOp::Eq}, {"ne", CompareOp::Ne}, {"lt", CompareOp::Lt},
        {"le", CompareOp::Le}, {"gt", CompareOp::Gt}, {"ge", CompareOp::Ge},
    };
    const FilterToken& t = peek();
    if (t.kind == TokenKind::Compare) {
        take();
        after += QLatin1Char(' ') + t.text;
        return t.op;
    }
    for (const auto& [word, op] : kWords) {
        if (isWord(t, word)) {
            take();
            after += QLatin1Char(' ') + t.text;
            return op;
        }
    }
    return CompareOp::Eq;
}

std::optional<std::uint64_t> FilterParser::parseValue(const FilterToken& t, const IntSpec& spec) const
{
    if (t.kind != TokenKind::Word)
        return std::nullopt;
    std::optional<std::uint64_t> value;
    switch (spec.kind) {
    case ValueKind::Number:
        value = parseNumber(t.text);
        break;
    case ValueKind::Protocol: {
        value = parseNumber(t.text);
        if (!value) {
            const int number = decode::protoNumber(t.lower.toStdString());
            if (number >= 0)
                value = std::uint64_t(number);
        }
        break;
    }
    case ValueKind::Mac:
        value = parseMac(t.text);
        break;
    case ValueKind::Country: {
        const std::uint16_t packed = decode::packCountry(t.text.toStdString());
        if (packed)
            value = packed;
        break;
    }
    }
    if (value && *value > spec.max)
        return std::nullopt;
    return value;
}

template <class ItemFn>
bool FilterParser::parseList(const QString& after, const QString& what, ItemFn item)
{
    const FilterToken& open = peek();
    if (open.kind != TokenKind::LBracket) {
        expected(QStringLiteral("\"[\" to start a list"), after, open);
        return false;
    }
    take();
    int count = 0;
    for (;;) {
        const FilterToken& t = peek();
        switch (t.kind) {
        case TokenKind::RBracket:
            if (count == 0) {
                fail(t, QStringLiteral("expected %1 in the list after \"%2\", found an empty list")
                            .arg(what, after));
                return false;
            }
            take();
            return true;
        case TokenKind::Comma:
            take();
            continue;
        case TokenKind::Word:
            if (!item(t))
                return false;
            take();
            ++count;
            continue;
        default:
            expected(what + QStringLiteral(" or \"]\""), after, t);
            return false;
        }
    }
}

int FilterParser::parseIntegerTerm(const std::vector<FlowField>& fields, const IntSpec& spec,
                                   const QString& after)
{
    const QStringList candidates = spec.kind == ValueKind::Protocol ? protocolNames() : QStringList();
    if (peekWord("in")) {
        const QString listAfter = after + QLatin1Char(' ') + take().text;
        std::vector<std::uint64_t> values;
        const bool ok = parseList(listAfter, spec.what, [&](const FilterToken& t) {
            const auto v = parseValue(t, spec);
            if (!v) {
                expected(spec.what, listAfter, t, candidates);
                return false;
            }
            values.push_back(*v);
            return true;
        });
        if (!ok)
            return -1;
        const int index = m_ast.addValueList(std::move(values));
        std::vector<int> tests;
        for (const FlowField f : fields) {
            FilterNode n;
            n.op = FilterOp::ValueList;
            n.field = f;
            n.offset = decode::fieldInfo(f).offset;
            n.width = std::uint8_t(decode::fieldInfo(f).size);
            n.a = std::uint64_t(index);
            tests.push_back(m_ast.test(n));
        }
        return m_ast.anyOf(tests);
    }
    QString afterOp = after;
    const CompareOp op = parseComparator(afterOp);
    const FilterToken& t = peek();
    const auto value = parseValue(t, spec);
    if (!value)
        return expected(spec.what, afterOp, t, candidates);
    take();
    return compareExpr(fields, op, *value);
}

int FilterParser::parseMetricTerm(FilterOp op, FlowField field, std::uint8_t width, const QString& what,
                                  const QString& after)
{
    QString afterOp = after;
    const CompareOp cmp = parseComparator(afterOp);
    const FilterToken& t = peek();
    const auto value = t.kind == TokenKind::Word ? parseNumber(t.text) : std::nullopt;
    if (!value)
        return expected(what, afterOp, t);
    take();
    return metricExpr(op, field, width, cmp, *value);
}

int FilterParser::parseIcmpTerm(bool type, const QString& after)
{
    QString afterOp = after;
    const CompareOp cmp = parseComparator(afterOp);
    const FilterToken& t = peek();
    const auto value = t.kind == TokenKind::Word ? parseNumber(t.text) : std::nullopt;
    if (!value || *value > 255)
        return expected(type ? QStringLiteral("an ICMP type (0-255)")
                             : QStringLiteral("an ICMP code (0-255)"),
                        afterOp, t);
    take();
    // As in nfdump, an ICMP type or code implies an ICMP or ICMPv6 flow: other flows carry zeros
    // there (or a port) that must not match "icmp-type 0".
    const int isIcmp = m_ast.anyOf({protoIs(1), protoIs(58)});
    const FilterOp op = type ? FilterOp::IcmpTypeRange : FilterOp::IcmpCodeRange;
    const FlowField field = type ? FlowField::IcmpType : FlowField::IcmpCode;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range =
        rangeFor(cmp == CompareOp::Ne ? CompareOp::Eq : cmp, *value, 255);
    int test =
        range ? m_ast.test(rangeNode(op, field, 1, range->first, range->second)) : m_ast.constant(false);
    if (cmp == CompareOp::Ne)
        test = m_ast.negate(test);
    return m_ast.allOf({isIcmp, test});
}

int FilterParser::parseFlagsTerm(const QString& after)
{
    // As in nfdump, flags imply TCP. Letters: all given must be set; a number compares exactly.
    const int isTcp = protoIs(6);
    if (!peekComparator()) {
        const FilterToken& t = peek();
        std::uint64_t mask = 0;
        bool letters = t.kind == TokenKind::Word && !t.text.isEmpty();
        for (const QChar c : t.text) {
            if (!letters)
                break;
            switch (c.toUpper().unicode()) {
            case 'F':
                mask |= 0x01;
                break;
            case 'S':
                mask |= 0x02;
                break;
            case 'R':
                mask |= 0x04;
                break;
            case 'P':
                mask |= 0x08;
                break;
            case 'A':
                mask |= 0x10;
                break;
            case 'U':
                mask |= 0x20;
                break;
            case 'E':
                mask |= 0x40;
                break;
            case 'C':
                mask |= 0x80;
                break;
            case 'X':
                mask |= 0x3f;
                break;
            default:
                letters = false;
                break;
            }
        }
        if (letters) {
            take();
            FilterNode n;
            n.op = FilterOp::FlagsAll;
            n.field = FlowField::TcpFlags;
            n.offset = decode::fieldInfo(FlowField::TcpFlags).offset;
            n.a = mask;
            return m_ast.allOf({isTcp, m_ast.test(n)});
        }
    }
    QString afterOp = after;
    const CompareOp op = parseComparator(afterOp);
    const FilterToken& t = peek();
    const auto value = t.kind == TokenKind::Word ? parseNumber(t.text) : std::nullopt;
    if (!value || *value > 255)
        return expected(QStringLiteral("TCP flag letters (F S R P A U E C, X = all) or a number (0-255)"),
                        afterOp, t);
    take();
    return m_ast.allOf({isTcp, compareExpr({FlowField::TcpFlags}, op, *value)});
}

int FilterParser::compareExpr(const std::vector<FlowField>& fields, CompareOp op, std::uint64_t value)
{
    // "port != 80" means neither port is 80 (as Wireshark's "!="), not "some port is not 80";
    // the ordering comparisons hold when any of the fields satisfies them.
    const bool negated = op == CompareOp::Ne;
    const CompareOp cmp = negated ? CompareOp::Eq : op;
    std::vector<int> tests;
    for (const FlowField f : fields) {
        const auto size = decode::fieldInfo(f).size;
        const std::uint64_t max = typeMax(size);
        const auto range = rangeFor(cmp, value, max);
        if (!range)
            tests.push_back(m_ast.constant(false));
        else if (range->first == 0 && range->second == max)
            tests.push_back(m_ast.constant(true));
        else
            tests.push_back(m_ast.test(
                rangeNode(rangeOpForSize(size), f, std::uint8_t(size), range->first, range->second)));
    }
    const int any = m_ast.anyOf(tests);
    return negated ? m_ast.negate(any) : any;
}

int FilterParser::metricExpr(FilterOp op, FlowField field, std::uint8_t width, CompareOp cmp,
                             std::uint64_t value)
{
    const bool negated = cmp == CompareOp::Ne;
    const auto range = rangeFor(negated ? CompareOp::Eq : cmp, value, kU64Max);
    int test = 0;
    if (!range)
        test = m_ast.constant(false);
    else if (range->first == 0 && range->second == kU64Max)
        test = m_ast.constant(true);
    else
        test = m_ast.test(rangeNode(op, field, width, range->first, range->second));
    return negated ? m_ast.negate(test) : test;
}

int FilterParser::protoIs(std::uint8_t proto)
{
    return m_ast.test(rangeNode(FilterOp::RangeU8, FlowField::Proto, 1, proto, proto));
}

} // namespace flowlens::query::detail
