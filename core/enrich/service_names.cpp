#include "service_names.h"

#include <algorithm>
#include <array>
#include <utility>

namespace flowlens::enrich {

namespace {

// Sorted by port. Names as in the IANA registry, except where operators use a better known one
// ("dns" for 53, "netflow" for 2055).
constexpr std::pair<std::uint16_t, std::string_view> kServices[] = {
    {7, "echo"},
    {20, "ftp-data"},
    {21, "ftp"},
    {22, "ssh"},
    {23, "telnet"},
    {25, "smtp"},
    {43, "whois"},
    {53, "dns"},
    {67, "dhcp"},
    {68, "dhcp-client"},
    {69, "tftp"},
    {80, "http"},
    {88, "kerberos"},
    {110, "pop3"},
    {111, "sunrpc"},
    {119, "nntp"},
    {123, "ntp"},
    {135, "msrpc"},
    {137, "netbios-ns"},
    {138, "netbios-dgm"},
    {139, "netbios-ssn"},
    {143, "imap"},
    {161, "snmp"},
    {162, "snmptrap"},
    {179, "bgp"},
    {389, "ldap"},
    {427, "svrloc"},
    {443, "https"},
    {445, "smb"},
    {465, "smtps"},
    {500, "isakmp"},
    {514, "syslog"},
    {515, "printer"},
    {520, "rip"},
    {546, "dhcpv6-client"},
    {547, "dhcpv6"},
    {554, "rtsp"},
    {587, "submission"},
    {631, "ipp"},
    {636, "ldaps"},
    {853, "dns-over-tls"},
    {873, "rsync"},
    {989, "ftps-data"},
    {990, "ftps"},
    {993, "imaps"},
    {995, "pop3s"},
    {1194, "openvpn"},
    {1433, "mssql"},
    {1521, "oracle"},
    {1701, "l2tp"},
    {1723, "pptp"},
    {1812, "radius"},
    {1813, "radius-acct"},
    {1883, "mqtt"},
    {1900, "ssdp"},
    {2049, "nfs"},
    {2055, "netflow"},
    {2375, "docker"},
    {2376, "docker-tls"},
    {3128, "squid"},
    {3268, "ldap-gc"},
    {3306, "mysql"},
    {3389, "rdp"},
    {3478, "stun"},
    {4500, "ipsec-nat-t"},
    {4739, "ipfix"},
    {5060, "sip"},
    {5061, "sips"},
    {5222, "xmpp"},
    {5353, "mdns"},
    {5355, "llmnr"},
    {5432, "postgresql"},
    {5671, "amqps"},
    {5672, "amqp"},
    {5900, "vnc"},
    {5985, "winrm"},
    {5986, "winrm-https"},
    {6343, "sflow"},
    {6379, "redis"},
    {6443, "kubernetes"},
    {6881, "bittorrent"},
    {8080, "http-alt"},
    {8443, "https-alt"},
    {8883, "mqtts"},
    {9000, "http-alt2"},
    {9090, "prometheus"},
    {9092, "kafka"},
    {9100, "jetdirect"},
    {9200, "elasticsearch"},
    {9418, "git"},
    {10050, "zabbix-agent"},
    {11211, "memcached"},
    {27017, "mongodb"},
    {51820, "wireguard"},
};

static_assert(std::is_sorted(std::begin(kServices), std::end(kServices),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));

} // namespace

std::string_view serviceName(std::uint16_t port)
{
    const auto* it = std::lower_bound(std::begin(kServices), std::end(kServices), port,
                                      [](const auto& e, std::uint16_t p) { return e.first < p; });
    return it != std::end(kServices) && it->first == port ? it->second : std::string_view();
}

} // namespace flowlens::enrich
