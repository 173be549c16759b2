#pragma once

#include "core/decode/flow_record.h"
#include "core/gen/random.h"

#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::gen {

/// Shape of the synthetic network. The defaults describe a small campus lab: a few hundred hosts
/// in five VLANs behind one router, talking mostly to popular Internet services.
struct TrafficModelOptions
{
    std::uint64_t seed = 1;
    /// Share of sessions carried over IPv6 (by dual-stack hosts); 0 for NetFlow v5, which has no
    /// IPv6 record. The realised share is a little lower: some VLANs are IPv4-only.
    double ipv6Share = 0.25;
    int labHosts = 400;     ///< hosts in the lab subnets (clients and a few servers)
    int publicHosts = 3000; ///< distinct Internet servers per address family
    /// Skew of the talker and server popularity (Zipf exponent; larger = fewer, heavier talkers).
    double zipfExponent = 1.1;
    /// The exporter's active timeout: longer flows are cut and exported in pieces.
    std::uint32_t activeTimeoutMs = 60'000;
};

/// One router interface of the modelled exporter.
struct ModelInterface
{
    std::uint32_t ifIndex;
    std::uint64_t speedBps;
    std::uint16_t vlan; ///< 0 for the untagged uplink
};

/// Deterministic generator of realistic flow records, in the spirit of nflow-generator but with a
/// heavy-tailed (Zipf) choice of talkers and servers, a service mix (https, QUIC, DNS, NTP, ssh,
/// mail, RDP, SMB, ping, inbound scans, ...), IPv4 and IPv6, lab subnets behind one router and
/// real-looking public ranges with their origin AS, request/response flow pairs, heavy-tailed
/// byte counts and exporter-style active-timeout cuts.
///
/// The same seed gives the same sequence of records; only the time fields depend on the `nowNs`
/// passed to next(), so tests can replay a seed in-process to compute the totals a collector must
/// see. Not thread-safe; cheap to construct (a few hundred microseconds).
class TrafficModel
{
public:
    explicit TrafficModel(const TrafficModelOptions& options = {});

    /// Next flow as an exporter observing the lab router would report it, ending at or shortly
    /// before `nowNs` (UTC ns). Times are whole milliseconds, bytes >= 40 * packets, counters
    /// unsampled (sampling_rate 0), and fields an exporter cannot know (receive time, sequence
    /// numbers, exporter address, observation domain) are left 0.
    decode::FlowRecord next(std::uint64_t nowNs);

    const TrafficModelOptions& options() const { return m_options; }
    /// The router interfaces that appear as in_if/out_if (uplink is ifIndex 1).
    static std::span<const ModelInterface> interfaces();

private:
    struct Host
    {
        decode::IpAddress v4;
        decode::IpAddress v6; ///< zero when the host is IPv4-only
        std::uint64_t mac = 0;
        std::uint32_t asn = 0;
        std::uint8_t v4Prefix = 0;
        std::uint8_t v6Prefix = 0;
        std::uint8_t ttl = 64;   ///< TTL as the router sees it
        std::uint8_t subnet = 0; ///< index into the lab subnet table (lab hosts only)
        bool windows = false;    ///< ephemeral port range 49152-65535 instead of Linux's
    };

    void buildLab();
    void buildPublic();
    Host randomPublicHost(bool v6, std::uint32_t roleMask);
    void makeSession(std::uint64_t nowNs);
    void fillAddresses(decode::FlowRecord& r, const Host& src, const Host& dst, bool v6, bool srcIsLab,
                       bool dstIsLab) const;
    std::uint16_t ephemeralPort(const Host& h);
    std::uint8_t pickTos(bool interactive);

    TrafficModelOptions m_options;
    Random m_rng;
    std::vector<Host> m_lab;
    std::vector<std::size_t> m_labServers; ///< indices of hosts in the servers VLAN
    std::vector<std::size_t> m_labDevices; ///< indices of hosts in the lab-devices VLAN
    std::vector<Host> m_web4, m_web6;      ///< popular Internet servers, Zipf-ranked
    std::vector<Host> m_dns4, m_dns6, m_ntp4, m_ntp6, m_mail4, m_mail6, m_git4, m_git6;
    DiscreteDistribution m_labZipf, m_serverZipf, m_webZipf, m_services, m_publicRanges4, m_scanPorts;
    std::vector<decode::FlowRecord> m_pending; ///< records of the current session not yet returned
};

} // namespace flowlens::gen
