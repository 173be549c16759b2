#include "allowlist.h"

#include <charconv>

namespace flowlens::collect {

std::optional<Cidr> Cidr::parse(std::string_view text)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    const auto slash = text.find('/');
    const auto address = decode::IpAddress::parse(text.substr(0, slash));
    if (!address)
        return std::nullopt;
    const int max = address->isV4() ? 32 : 128;
    int prefix = max;
    if (slash != std::string_view::npos) {
        const std::string_view p = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (ec != std::errc() || end != p.data() + p.size() || p.empty() || prefix < 0 || prefix > max)
            return std::nullopt;
    }
    return Cidr{address->masked(prefix), prefix};
}

bool Cidr::contains(const decode::IpAddress& address) const
{
    if (address.isV4() != network.isV4())
        return false;
    return address.masked(prefixLength) == network;
}

std::string Cidr::toString() const
{
    return network.toString() + "/" + std::to_string(prefixLength);
}

Allowlist::Allowlist(std::vector<Cidr> networks)
    : m_networks(std::move(networks))
{}

bool Allowlist::allows(const decode::IpAddress& source) const
{
    if (m_networks.empty())
        return true;
    for (const Cidr& c : m_networks)
        if (c.contains(source))
            return true;
    return false;
}

} // namespace flowlens::collect
