#include "traffic_model.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace flowlens::gen {

using decode::FlowRecord;
using decode::IpAddress;

namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmp6 = 58;

constexpr std::uint16_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

constexpr std::uint32_t kUpstreamAs = 3356; // the lab's transit provider
constexpr std::uint64_t kWanRouterMac = 0x5c5eab0a0001ull;
constexpr std::uint64_t kIspRouterMac = 0x001c73c0ffeeull;
constexpr std::uint64_t kMsPerNs = 1'000'000ull;

constexpr std::array<ModelInterface, 6> kInterfaces{{
    {1, 10'000'000'000ull, 0},
    {2, 10'000'000'000ull, 10},
    {3, 1'000'000'000ull, 20},
    {4, 1'000'000'000ull, 30},
    {5, 1'000'000'000ull, 50},
    {6, 1'000'000'000ull, 60},
}};

struct LabSubnet
{
    const char* v4;
    int v4Len;
    const char* v6; ///< /64, nullptr for IPv4-only VLANs
    std::uint32_t ifIndex;
    double hostShare;
    double windowsShare;
};

// Index 0 is the servers VLAN (internal resolver, file, syslog and monitoring servers).
constexpr std::array<LabSubnet, 5> kSubnets{{
    {"10.1.0.0", 24, "2001:db8:1ab:10::", 2, 0.10, 0.1},
    {"10.20.0.0", 22, "2001:db8:1ab:20::", 3, 0.50, 0.6},
    {"192.168.10.0", 24, "2001:db8:1ab:30::", 4, 0.25, 0.4},
    {"192.168.50.0", 24, nullptr, 5, 0.10, 0.0},
    {"172.16.60.0", 24, nullptr, 6, 0.05, 0.5},
}};

enum Role : std::uint32_t
{
    Web = 1,
    Mail = 2,
    Git = 4,
};

struct PublicRange
{
    const char* prefix;
    int length;
    std::uint32_t asn;
    double weight; ///< popularity as a destination
    std::uint32_t roles;
};

// Real allocations of well-known networks with their origin AS, so that GeoIP and AS views
// light up on real databases; a few are also in MaxMind's public test databases.
constexpr std::array<PublicRange, 30> kRanges4{{
    {"142.250.0.0", 15, 15169, 20, Web | Mail}, {"172.217.0.0", 16, 15169, 8, Web},
    {"216.58.192.0", 19, 15169, 4, Web},        {"104.16.0.0", 13, 13335, 14, Web},
    {"151.101.0.0", 16, 54113, 8, Web},         {"13.32.0.0", 15, 16509, 8, Web},
    {"52.84.0.0", 15, 16509, 4, Web},           {"3.120.0.0", 14, 16509, 2, Web | Git},
    {"20.190.128.0", 18, 8075, 5, Web},         {"40.76.0.0", 14, 8075, 3, Web},
    {"52.96.0.0", 14, 8075, 3, Web | Mail},     {"157.240.0.0", 16, 32934, 6, Web},
    {"31.13.64.0", 18, 32934, 3, Web},          {"140.82.112.0", 20, 36459, 2, Web | Git},
    {"185.199.108.0", 22, 54113, 1, Web},       {"17.253.0.0", 16, 714, 3, Web},
    {"23.32.0.0", 11, 20940, 6, Web},           {"2.16.0.0", 13, 20940, 3, Web},
    {"91.198.174.0", 24, 14907, 1, Web},        {"103.102.166.0", 24, 14907, 0.5, Web},
    {"77.88.0.0", 18, 13238, 0.5, Web | Mail},  {"193.0.0.0", 21, 3333, 0.3, Web | Git},
    {"200.160.0.0", 20, 22548, 0.3, Web},       {"133.11.0.0", 16, 2501, 0.3, Web | Git},
    {"128.30.0.0", 15, 3, 0.3, Web | Git},      {"1.128.0.0", 11, 1221, 0.5, Web},
    {"81.2.69.0", 24, 20712, 0.3, Web | Mail},  {"89.160.0.0", 17, 29518, 0.3, Web},
    {"216.160.83.0", 24, 209, 0.2, Web},        {"196.216.2.0", 24, 33764, 0.2, Web},
}};

constexpr std::array<PublicRange, 13> kRanges6{{
    {"2a00:1450::", 32, 15169, 20, Web | Mail},
    {"2607:f8b0::", 32, 15169, 10, Web},
    {"2606:4700::", 32, 13335, 14, Web},
    {"2a04:4e42::", 32, 54113, 8, Web},
    {"2600:9000::", 28, 16509, 8, Web},
    {"2a05:d014::", 32, 16509, 2, Web | Git},
    {"2620:1ec::", 36, 8075, 5, Web | Mail},
    {"2a03:2880::", 32, 32934, 6, Web},
    {"2a02:26f0::", 29, 20940, 5, Web},
    {"2620:0:860::", 46, 14907, 1, Web},
    {"2a02:6b8::", 32, 13238, 0.5, Web | Mail},
    {"2001:67c:2e8::", 48, 3333, 0.3, Web | Git},
    {"2001:218::", 32, 2914, 0.5, Web},
}};

struct FixedHost
{
    const char* address;
    int prefix;
    std::uint32_t asn;
};

// In order of popularity.
constexpr std::array<FixedHost, 6> kDns4{{{"8.8.8.8", 24, 15169},
                                          {"1.1.1.1", 24, 13335},
                                          {"8.8.4.4", 24, 15169},
                                          {"9.9.9.9", 24, 19281},
                                          {"1.0.0.1", 24, 13335},
                                          {"208.67.222.222", 24, 36692}}};
constexpr std::array<FixedHost, 4> kDns6{{{"2001:4860:4860::8888", 48, 15169},
                                          {"2606:4700:4700::1111", 48, 13335},
                                          {"2620:fe::fe", 48, 19281},
                                          {"2001:4860:4860::8844", 48, 15169}}};
constexpr std::array<FixedHost, 5> kNtp4{{{"162.159.200.1", 24, 13335},
                                          {"216.239.35.0", 24, 15169},
                                          {"162.159.200.123", 24, 13335},
                                          {"129.6.15.28", 16, 49},
                                          {"129.6.15.29", 16, 49}}};
constexpr std::array<FixedHost, 2> kNtp6{{{"2606:4700:f1::1", 48, 13335}, {"2001:4860:4806::", 48, 15169}}};
// Internet-wide scanners (Censys, Shodan) reappear often; the rest of the scan sources are spread
// over every public range.
constexpr std::array<FixedHost, 4> kScanners{{{"162.142.125.10", 24, 398324},
                                              {"167.94.138.35", 24, 398324},
                                              {"71.6.146.186", 24, 10439},
                                              {"71.6.135.131", 24, 10439}}};

constexpr std::array<std::uint32_t, 7> kOuis{0x001b21, 0x3cecef, 0xf01898, 0xb827eb,
                                             0x525400, 0x005056, 0x8c1645};

enum class Kind : std::uint8_t
{
    WebOut,
    DnsOut,
    DnsLab,
    NtpOut,
    MailOut,
    GitOut,
    LabInternal,
    PingOut,
    Scan,
    Unreachable,
    SyslogLab,
    SnmpLab,
};

/// Bytes are IP-level totals of one direction of a session.
struct Service
{
    Kind kind;
    std::uint8_t proto;
    std::uint16_t port;
    double weight;
    double reqMedian, reqSigma;
    double respMedian, respSigma;
    double tailShare, tailMin, tailAlpha; ///< Pareto tail of the response size
    double durMedianMs, durSigma;
    double responseProbability;
    bool v6;
    bool interactive;
};

constexpr std::array<Service, 19> kServices{{
    {Kind::WebOut, kTcp, 443, 34, 1800, 1.0, 24000, 1.6, 0.08, 400'000, 1.15, 1500, 1.6, 1.0, true, false},
    {Kind::WebOut, kUdp, 443, 12, 2500, 1.2, 40000, 1.7, 0.10, 500'000, 1.15, 2500, 1.5, 1.0, true, false},
    {Kind::WebOut, kTcp, 80, 5, 700, 0.8, 9000, 1.8, 0.05, 300'000, 1.2, 800, 1.5, 1.0, true, false},
    {Kind::DnsOut, kUdp, 53, 6, 72, 0.15, 150, 0.5, 0, 0, 0, 12, 0.8, 0.97, true, false},
    {Kind::DnsLab, kUdp, 53, 8, 72, 0.15, 150, 0.5, 0, 0, 0, 2, 0.8, 0.99, true, false},
    {Kind::NtpOut, kUdp, 123, 2, 76, 0, 76, 0, 0, 0, 0, 8, 0.5, 0.95, true, false},
    {Kind::GitOut, kTcp, 22, 1.5, 3000, 1.2, 40000, 1.8, 0.05, 2e6, 1.3, 2000, 1.3, 1.0, true, false},
    {Kind::MailOut, kTcp, 993, 2, 1500, 1.0, 12000, 1.5, 0.03, 1e6, 1.3, 30000, 1.2, 1.0, true, false},
    {Kind::MailOut, kTcp, 587, 0.7, 12000, 1.5, 1500, 0.5, 0, 0, 0, 1500, 1.0, 1.0, true, false},
    {Kind::MailOut, kTcp, 25, 0.6, 20000, 1.5, 1200, 0.5, 0, 0, 0, 1200, 1.0, 1.0, false, false},
    {Kind::LabInternal, kTcp, 445, 3, 4000, 1.5, 60000, 2.0, 0.06, 5e6, 1.1, 3000, 1.5, 1.0, true, false},
    {Kind::LabInternal, kTcp, 22, 2, 6000, 1.5, 30000, 1.8, 0.03, 5e6, 1.2, 40000, 1.5, 1.0, true, true},
    {Kind::LabInternal, kTcp, 3389, 1.5, 50000, 1.2, 400000, 1.2, 0, 0, 0, 120000, 1.0, 1.0, false, true},
    {Kind::LabInternal, kTcp, 3306, 1.5, 3000, 1.2, 20000, 1.5, 0, 0, 0, 500, 1.2, 1.0, false, false},
    {Kind::PingOut, kIcmp, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.9, true, false},
    {Kind::Scan, kTcp, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, false, false},
    {Kind::Unreachable, kIcmp, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true, false},
    {Kind::SyslogLab, kUdp, 514, 1, 900, 1.0, 0, 0, 0, 0, 0, 20000, 1.0, 0, false, false},
    {Kind::SnmpLab, kUdp, 161, 1, 90, 0.3, 300, 0.6, 0, 0, 0, 5, 0.6, 0.98, false, false},
}};

constexpr std::array<std::uint16_t, 15> kScanPorts{22,   23,   80,   443,  445,  3389, 8080, 8443,
                                                   5900, 1433, 3306, 6379, 2323, 25,   21};
constexpr std::array<double, 15> kScanPortWeights{20, 14, 10, 8, 10, 10, 6, 3, 3, 3, 3, 3, 3, 2, 2};

IpAddress parseOrZero(const char* text)
{
    return IpAddress::parse(text).value_or(IpAddress{});
}

/// A random address inside prefix/length, avoiding the all-zeros and all-ones host parts.
IpAddress randomIn(Random& rng, const IpAddress& prefix, int length)
{
    IpAddress a = prefix;
    if (prefix.isV4()) {
        const int hostBits = 32 - length;
        const std::uint64_t size = std::uint64_t(1) << hostBits;
        const std::uint64_t offset = size > 2 ? rng.between(1, size - 2) : 0;
        return IpAddress::fromV4(prefix.v4() + std::uint32_t(offset));
    }
    const std::uint64_t hi = rng.next(), lo = rng.next();
    for (int bit = length; bit < 128; ++bit) {
        const std::uint64_t word = bit < 64 ? hi : lo;
        const int b = 63 - (bit % 64);
        const auto mask = std::uint8_t(0x80 >> (bit % 8));
        if ((word >> b) & 1)
            a.bytes[std::size_t(bit / 8)] |= mask;
        else
            a.bytes[std::size_t(bit / 8)] &= std::uint8_t(~mask);
    }
    return a;
}

std::uint64_t labRouterMac(std::uint16_t vlan)
{
    return 0x00000c07ac00ull | (vlan & 0xff); // HSRP-style virtual gateway MAC per VLAN
}

/// Packets for `bytes` of one direction: big transfers travel in near-MTU packets, small
/// exchanges in small ones; always bytes/packets within [minPacket, 1500].
std::uint64_t packetsFor(Random& rng, std::uint64_t bytes, std::uint32_t minPacket)
{
    const double avg = bytes >= 20000 ? rng.uniform(1150, 1450)
                                      : std::clamp(rng.logNormal(320, 0.6), double(minPacket), 1400.0);
    std::uint64_t packets = std::max<std::uint64_t>(1, std::uint64_t(std::llround(double(bytes) / avg)));
    packets = std::min<std::uint64_t>(packets, std::max<std::uint64_t>(1, bytes / minPacket));
    return std::max<std::uint64_t>(packets, (bytes + 1499) / 1500);
}

std::uint32_t minPacketSize(std::uint8_t proto, bool v6)
{
    if (!v6)
        return 40;
    return proto == kTcp ? 60 : 48;
}

} // namespace

std::span<const ModelInterface> TrafficModel::interfaces()
{
    return kInterfaces;
}

TrafficModel::TrafficModel(const TrafficModelOptions& options)
    : m_options(options)
    , m_rng(options.seed)
{
    m_options.labHosts = std::clamp(m_options.labHosts, 20, 4000);
    m_options.publicHosts = std::clamp(m_options.publicHosts, 50, 1'000'000);
    m_options.ipv6Share = std::clamp(m_options.ipv6Share, 0.0, 1.0);
    m_options.activeTimeoutMs = std::max<std::uint32_t>(m_options.activeTimeoutMs, 1000);
    buildLab();
    buildPublic();
    std::array<double, kServices.size()> weights{};
    for (std::size_t i = 0; i < kServices.size(); ++i)
        weights[i] = kServices[i].weight;
    m_services = DiscreteDistribution(weights);
    m_scanPorts = DiscreteDistribution(kScanPortWeights);
}

void TrafficModel::buildLab()
{
    for (std::size_t s = 0; s < kSubnets.size(); ++s) {
        const LabSubnet& net = kSubnets[s];
        const IpAddress base = parseOrZero(net.v4);
        const IpAddress base6 = net.v6 ? parseOrZero(net.v6) : IpAddress{};
        const auto count =
            std::max<std::size_t>(2, std::size_t(std::lround(m_options.labHosts * net.hostShare)));
        const std::uint32_t size = 1u << (32 - net.v4Len);
        std::vector<std::uint32_t> offsets;
        for (std::uint32_t o = 2; o + 1 < size; ++o) // .1 is the router
            offsets.push_back(o);
        for (std::size_t i = offsets.size(); i > 1; --i)
            std::swap(offsets[i - 1], offsets[m_rng.below(i)]);
        if (s == 0) // the internal resolver keeps its well-known address
            std::swap(*std::find(offsets.begin(), offsets.end(), 53u), offsets[0]);
        offsets.resize(std::min(count, offsets.size()));
        for (std::uint32_t o : offsets) {
            Host h;
            h.v4 = IpAddress::fromV4(base.v4() + o);
            h.v4Prefix = std::uint8_t(net.v4Len);
            if (net.v6) {
                h.v6 = randomIn(m_rng, base6, 64);
                h.v6Prefix = 64;
            }
            h.windows = m_rng.chance(net.windowsShare);
            h.ttl = h.windows ? 128 : 64;
            h.mac = (std::uint64_t(kOuis[m_rng.below(kOuis.size())]) << 24) | m_rng.below(1u << 24);
            h.subnet = std::uint8_t(s);
            m_lab.push_back(h);
        }
    }
    // Talker ranks are shuffled so that the heavy hitters are spread over the VLANs.
    for (std::size_t i = m_lab.size(); i > 1; --i)
        std::swap(m_lab[i - 1], m_lab[m_rng.below(i)]);
    for (std::size_t i = 0; i < m_lab.size(); ++i) {
        if (m_lab[i].subnet == 0)
            m_labServers.push_back(i);
        else if (m_lab[i].subnet == 3)
            m_labDevices.push_back(i);
    }
    // The resolver (10.1.0.53) first, so DnsLab finds it at m_labServers[0].
    std::stable_partition(m_labServers.begin(), m_labServers.end(),
                          [this](std::size_t i) { return (m_lab[i].v4.v4() & 0xff) == 53; });
    m_labZipf = DiscreteDistribution::zipf(m_lab.size(), m_options.zipfExponent);
    m_serverZipf = DiscreteDistribution::zipf(m_labServers.size() - 1, m_options.zipfExponent);
}

TrafficModel::Host TrafficModel::randomPublicHost(bool v6, std::uint32_t roleMask)
{
    std::span<const PublicRange> ranges = v6 ? std::span<const PublicRange>(kRanges6) : kRanges4;
    double total = 0;
    for (const auto& r : ranges)
        total += (r.roles & roleMask) ? r.weight : 0;
    double x = m_rng.uniform() * total;
    const PublicRange* pick = &ranges.front();
    for (const auto& r : ranges) {
        if (!(r.roles & roleMask))
            continue;
        pick = &r;
        if ((x -= r.weight) < 0)
            break;
    }
    Host h;
    const IpAddress addr = randomIn(m_rng, parseOrZero(pick->prefix), pick->length);
    (v6 ? h.v6 : h.v4) = addr;
    (v6 ? h.v6Prefix : h.v4Prefix) = std::uint8_t(pick->length);
    h.asn = pick->asn;
    const double os = m_rng.uniform();
    h.ttl = std::uint8_t((os < 0.7 ? 64 : os < 0.85 ? 128 : 255) - m_rng.between(8, 22));
    return h;
}

void TrafficModel::buildPublic()
{
    const auto n = std::size_t(m_options.publicHosts);
    for (std::size_t i = 0; i < n; ++i)
        m_web4.push_back(randomPublicHost(false, Web));
    for (std::size_t i = 0; i < n; ++i)
        m_web6.push_back(randomPublicHost(true, Web));
    for (int i = 0; i < 24; ++i) {
        m_mail4.push_back(randomPublicHost(false, Mail));
        m_mail6.push_back(randomPublicHost(true, Mail));
    }
    for (int i = 0; i < 12; ++i) {
        m_git4.push_back(randomPublicHost(false, Git));
        m_git6.push_back(randomPublicHost(true, Git));
    }
    const auto fixed = [this](std::span<const FixedHost> list, bool v6, std::vector<Host>& out) {
        for (const auto& f : list) {
            Host h;
            (v6 ? h.v6 : h.v4) = parseOrZero(f.address);
            (v6 ? h.v6Prefix : h.v4Prefix) = std::uint8_t(f.prefix);
            h.asn = f.asn;
            h.ttl = std::uint8_t(64 - m_rng.between(8, 16));
            out.push_back(h);
        }
    };
    fixed(kDns4, false, m_dns4);
    fixed(kDns6, true, m_dns6);
    fixed(kNtp4, false, m_ntp4);
    fixed(kNtp6, true, m_ntp6);
    m_webZipf = DiscreteDistribution::zipf(n, m_options.zipfExponent);
    std::array<double, kRanges4.size()> flat{};
    flat.fill(1.0); // scan sources: every range alike, for a long tail of one-off sources
    m_publicRanges4 = DiscreteDistribution(flat);
}

std::uint16_t TrafficModel::ephemeralPort(const Host& h)
{
    return h.windows ? std::uint16_t(m_rng.between(49152, 65535))
                     : std::uint16_t(m_rng.between(32768, 60999));
}

std::uint8_t TrafficModel::pickTos(bool interactive)
{
    const double x = m_rng.uniform();
    if (interactive)
        return x < 0.8 ? 0x48 : 0x00; // OpenSSH marks interactive sessions AF21
    if (x < 0.86)
        return 0x00;
    if (x < 0.90)
        return 0x02; // ECT(0)
    if (x < 0.94)
        return 0x48;
    if (x < 0.96)
        return 0x20;
    if (x < 0.98)
        return 0xb8;
    return 0x28;
}

void TrafficModel::fillAddresses(FlowRecord& r, const Host& src, const Host& dst, bool v6, bool srcIsLab,
                                 bool dstIsLab) const
{
    r.etype = v6 ? 0x86dd : 0x0800;
    r.src_addr = v6 ? src.v6 : src.v4;
    r.dst_addr = v6 ? dst.v6 : dst.v4;
    r.src_net = v6 ? src.v6Prefix : src.v4Prefix;
    r.dst_net = v6 ? dst.v6Prefix : dst.v4Prefix;
    r.src_as = srcIsLab ? 0 : src.asn;
    r.dst_as = dstIsLab ? 0 : dst.asn;
    r.ip_ttl = src.ttl;
    const auto ifOf = [](const Host& h) {
        return kSubnets[h.subnet].ifIndex;
    };
    const auto vlanOf = [](const Host& h) {
        return kInterfaces[kSubnets[h.subnet].ifIndex - 1].vlan;
    };
    r.in_if = srcIsLab ? ifOf(src) : 1;
    r.out_if = dstIsLab ? ifOf(dst) : 1;
    r.src_vlan = srcIsLab ? vlanOf(src) : 0;
    r.dst_vlan = dstIsLab ? vlanOf(dst) : 0;
    r.src_mac = srcIsLab ? src.mac : kIspRouterMac;
    r.dst_mac = srcIsLab ? labRouterMac(r.src_vlan) : kWanRouterMac;
    if (!dstIsLab) {
        r.next_hop = v6 ? parseOrZero("2001:db8:ffff::1") : IpAddress::fromV4(0xc6336401); // 198.51.100.1
        r.next_hop_as = kUpstreamAs;
    } else {
        r.next_hop = v6 ? IpAddress{} : IpAddress::fromV4(0); // directly connected
        r.next_hop_as = 0;
    }
}

FlowRecord TrafficModel::next(std::uint64_t nowNs)
{
    if (m_pending.empty())
        makeSession(nowNs);
    FlowRecord r = m_pending.back();
    m_pending.pop_back();
    return r;
}

void TrafficModel::makeSession(std::uint64_t nowNs)
{
    const Service& svc = kServices[m_services.sample(m_rng)];
    const std::uint64_t nowMs = nowNs / kMsPerNs;

    // Who talks to whom.
    const Host* client = &m_lab[m_labZipf.sample(m_rng)];
    const Host* server = nullptr;
    Host scanner;
    bool v6 = svc.v6 && !client->v6.isZero() && m_rng.chance(m_options.ipv6Share);
    bool clientIsLab = true, serverIsLab = false;
    const auto pickSmall = [this](const std::vector<Host>& list) -> const Host* {
        // Popularity falls off quickly: the first entries (8.8.8.8, 1.1.1.1, ...) dominate.
        std::size_t i = 0;
        while (i + 1 < list.size() && m_rng.chance(0.45))
            ++i;
        return &list[i];
    };
    switch (svc.kind) {
    case Kind::WebOut:
    case Kind::PingOut:
    case Kind::Unreachable: {
        const std::size_t rank = m_webZipf.sample(m_rng);
        server = v6 ? &m_web6[rank] : &m_web4[rank];
        break;
    }
    case Kind::DnsOut:
        server = pickSmall(v6 ? m_dns6 : m_dns4);
        break;
    case Kind::NtpOut:
        server = pickSmall(v6 ? m_ntp6 : m_ntp4);
        break;
    case Kind::MailOut:
        server = &(v6 ? m_mail6 : m_mail4)[m_rng.below(m_mail4.size())];
        break;
    case Kind::GitOut:
        server = &(v6 ? m_git6 : m_git4)[m_rng.below(m_git4.size())];
        break;
    case Kind::DnsLab:
        server = &m_lab[m_labServers.front()];
        serverIsLab = true;
        v6 = v6 && !server->v6.isZero();
        break;
    case Kind::LabInternal:
        for (int i = 0; i < 4 && client->subnet == 0; ++i) // servers talk to each other on their VLAN
            client = &m_lab[m_labZipf.sample(m_rng)];
        // Index 0 is the resolver, which serves DNS only.
        server = &m_lab[m_labServers[1 + m_serverZipf.sample(m_rng)]];
        serverIsLab = true;
        v6 = v6 && !server->v6.isZero();
        break;
    case Kind::SyslogLab:
        client = &m_lab[m_labDevices.empty() ? 0 : m_labDevices[m_rng.below(m_labDevices.size())]];
        server = &m_lab[m_labServers[std::min<std::size_t>(1, m_labServers.size() - 1)]];
        serverIsLab = true;
        v6 = false;
        break;
    case Kind::SnmpLab:
        // The monitoring server polls every host; the poller is the client.
        server = &m_lab[m_rng.below(m_lab.size())];
        client = &m_lab[m_labServers[std::min<std::size_t>(2, m_labServers.size() - 1)]];
        serverIsLab = true;
        v6 = false;
        break;
    case Kind::Scan: {
        // Inbound: an Internet host probes a lab address.
        if (m_rng.chance(0.5)) {
            const FixedHost& f = kScanners[m_rng.below(kScanners.size())];
            scanner.v4 = parseOrZero(f.address);
            scanner.v4Prefix = std::uint8_t(f.prefix);
            scanner.asn = f.asn;
            scanner.ttl = 64 - 14;
        } else {
            const PublicRange& range = kRanges4[m_publicRanges4.sample(m_rng)];
            scanner.v4 = randomIn(m_rng, parseOrZero(range.prefix), range.length);
            scanner.v4Prefix = std::uint8_t(range.length);
            scanner.asn = range.asn;
            scanner.ttl =
                std::uint8_t(m_rng.chance(0.5) ? 255 - m_rng.between(10, 25) : 64 - m_rng.between(10, 25));
        }
        server = &m_lab[m_rng.below(m_lab.size())]; // scanners sweep: every host alike
        client = &scanner;
        clientIsLab = false;
        serverIsLab = true;
        v6 = false;
        break;
    }
    }

    // A redrawn client or a lab server may be IPv4-only.
    v6 = v6 && !client->v6.isZero() && !server->v6.isZero();

    FlowRecord req;
    const std::uint8_t proto = (svc.proto == kIcmp && v6) ? kIcmp6 : svc.proto;
    req.proto = proto;
    fillAddresses(req, *client, *server, v6, clientIsLab, serverIsLab);
    if (v6)
        req.ipv6_flow_label = std::uint32_t(m_rng.between(1, 0xfffff));
    req.ip_tos = pickTos(svc.interactive);
    const std::uint32_t minPacket = minPacketSize(proto, v6);
    const bool remote = !(clientIsLab && serverIsLab);
    const double rttMs = remote ? m_rng.logNormal(25, 0.8) : m_rng.logNormal(0.4, 0.5);

    std::uint64_t reqBytes = 0, reqPackets = 0, respBytes = 0, respPackets = 0;
    double durationMs = 0;
    bool response = m_rng.chance(svc.responseProbability);
    bool cut = false;
    std::uint8_t respIcmpType = 0;

    if (svc.kind == Kind::Scan) {
        req.dst_port = kScanPorts[m_scanPorts.sample(m_rng)];
        req.src_port = std::uint16_t(m_rng.between(1024, 65535));
        reqPackets = m_rng.chance(0.8) ? 1 : m_rng.between(2, 3);
        reqBytes = reqPackets * (m_rng.chance(0.6) ? 44 : 60);
        durationMs = reqPackets > 1 ? double(reqPackets - 1) * 1000 : 0;
        req.tcp_flags = kSyn;
        respPackets = reqPackets;
        respBytes = respPackets * 40;
    } else if (svc.kind == Kind::PingOut || svc.kind == Kind::Unreachable) {
        if (svc.kind == Kind::PingOut) {
            const double x = m_rng.uniform();
            reqPackets = x < 0.3 ? 1 : x < 0.8 ? 4 : m_rng.between(5, 10);
            reqBytes = reqPackets * (v6 ? 104 : 84);
            durationMs = double(reqPackets - 1) * 1000;
            req.icmp_type = v6 ? 128 : 8;
            respIcmpType = v6 ? 129 : 0;
            respPackets = reqPackets;
            respBytes = reqBytes;
        } else {
            // An Internet host rejects one of the lab's datagrams.
            std::swap(client, server);
            std::swap(clientIsLab, serverIsLab);
            fillAddresses(req, *client, *server, v6, clientIsLab, serverIsLab);
            req.icmp_type = v6 ? 1 : 3;
            const double x = m_rng.uniform();
            req.icmp_code = v6 ? (x < 0.7 ? 4 : 1) : (x < 0.6 ? 3 : x < 0.85 ? 13 : 1);
            reqPackets = 1;
            reqBytes = std::uint64_t(m_rng.between(v6 ? 96 : 56, v6 ? 1280 : 576));
        }
    } else {
        req.dst_port = svc.port;
        req.src_port = ephemeralPort(*client);
        if (svc.kind == Kind::NtpOut && m_rng.chance(0.5))
            req.src_port = 123; // ntpd; chrony uses an ephemeral port
        const auto draw = [this](double median, double sigma, double tailShare, double tailMin,
                                 double alpha) {
            const double v = (tailShare > 0 && m_rng.chance(tailShare)) ? m_rng.pareto(tailMin, alpha)
                                                                        : m_rng.logNormal(median, sigma);
            return std::uint64_t(std::clamp(v, 1.0, 2e9));
        };
        reqBytes = draw(svc.reqMedian, svc.reqSigma, 0, 0, 0);
        respBytes = draw(svc.respMedian, svc.respSigma, svc.tailShare, svc.tailMin, svc.tailAlpha);
        reqPackets = packetsFor(m_rng, std::max<std::uint64_t>(reqBytes, minPacket), minPacket);
        respPackets = packetsFor(m_rng, std::max<std::uint64_t>(respBytes, minPacket), minPacket);
        if (proto == kTcp) {
            // A TCP exchange needs SYN, ACK and FIN on both sides, and bulk data comes back with
            // one ACK for every second segment.
            respPackets = std::max<std::uint64_t>(respPackets, 3);
            const std::uint64_t acks = respPackets / 2;
            if (acks > reqPackets) {
                reqBytes += (acks - reqPackets) * (v6 ? 72 : 52);
                reqPackets = acks;
            }
            reqPackets = std::max<std::uint64_t>(reqPackets, 3);
        }
        const double throughputBytesPerMs = m_rng.logNormal(remote ? 4000 : 40000, 1.0);
        durationMs = std::max(svc.durMedianMs > 0 ? m_rng.logNormal(svc.durMedianMs, svc.durSigma) : 0.0,
                              double(std::max(reqBytes, respBytes)) / throughputBytesPerMs);
        if (reqPackets == 1 && respPackets == 1)
            durationMs = 0;
        if (durationMs > m_options.activeTimeoutMs) {
            // The exporter cuts long flows at the active timeout: this record holds one piece.
            const double share = m_options.activeTimeoutMs / durationMs;
            const auto scale = [share](std::uint64_t v) {
                return std::max<std::uint64_t>(1, std::uint64_t(double(v) * share));
            };
            reqPackets = scale(reqPackets);
            respPackets = scale(respPackets);
            reqBytes = std::uint64_t(double(reqBytes) * share);
            respBytes = std::uint64_t(double(respBytes) * share);
            durationMs = m_options.activeTimeoutMs;
            cut = true;
        }
        if (proto == kTcp) {
            if (cut) {
                req.tcp_flags = m_rng.chance(0.5) ? (kSyn | kPsh | kAck) : (kPsh | kAck);
            } else {
                req.tcp_flags = kSyn | kAck | kPsh | (m_rng.chance(0.95) ? kFin : kRst);
            }
        }
    }
    // Bytes within what the packets can carry.
    const auto fit = [minPacket](std::uint64_t& bytes, std::uint64_t packets) {
        bytes = std::clamp<std::uint64_t>(bytes, packets * minPacket, packets * 1500);
    };
    fit(reqBytes, reqPackets);
    req.bytes = reqBytes;
    req.packets = reqPackets;

    const auto delayMs = std::uint64_t(m_rng.uniform(0, cut ? 500 : 2000));
    const std::uint64_t endMs = nowMs - std::min(nowMs, delayMs);
    const std::uint64_t startMs = endMs - std::min(endMs, std::uint64_t(durationMs));
    req.time_flow_start_ns = startMs * kMsPerNs;
    req.time_flow_end_ns = endMs * kMsPerNs;

    if (response && respPackets > 0) {
        FlowRecord resp = req;
        fillAddresses(resp, *server, *client, v6, serverIsLab, clientIsLab);
        resp.src_port = req.dst_port;
        resp.dst_port = req.src_port;
        if (v6)
            resp.ipv6_flow_label = std::uint32_t(m_rng.between(1, 0xfffff));
        resp.ip_tos = svc.interactive ? req.ip_tos : (m_rng.chance(0.9) ? 0 : req.ip_tos);
        fit(respBytes, respPackets);
        resp.bytes = respBytes;
        resp.packets = respPackets;
        resp.icmp_type = respIcmpType;
        resp.icmp_code = 0;
        if (proto == kTcp)
            resp.tcp_flags = svc.kind == Kind::Scan ? (kRst | kAck)
                             : cut                  ? req.tcp_flags
                                                    : (kSyn | kAck | kPsh | kFin);
        const std::uint64_t rtt = std::uint64_t(rttMs);
        const std::uint64_t rStart = std::min(startMs + rtt, nowMs);
        resp.time_flow_start_ns = rStart * kMsPerNs;
        resp.time_flow_end_ns = std::max(rStart, std::min(endMs + rtt, nowMs)) * kMsPerNs;
        m_pending.push_back(resp); // next() pops from the back: the request comes out first
    }
    m_pending.push_back(req);
}

} // namespace flowlens::gen
