#pragma once

#include "core/decode/ip_address.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::collect {

/// An IPv4 or IPv6 network ("10.0.0.0/8", "2001:db8::/32", or a single address).
struct Cidr
{
    decode::IpAddress network;
    int prefixLength = 0; ///< in the address's own family (0-32 for IPv4, 0-128 for IPv6)

    static std::optional<Cidr> parse(std::string_view text);
    bool contains(const decode::IpAddress& address) const;
    std::string toString() const;
};

/// Exporters allowed to send flows; empty = everyone. Datagrams from other sources are counted and
/// dropped by the receiver before decoding.
class Allowlist
{
public:
    Allowlist() = default;
    explicit Allowlist(std::vector<Cidr> networks);
    bool allows(const decode::IpAddress& source) const;
    bool empty() const { return m_networks.empty(); }
    const std::vector<Cidr>& networks() const { return m_networks; }

private:
    std::vector<Cidr> m_networks;
};

} // namespace flowlens::collect
