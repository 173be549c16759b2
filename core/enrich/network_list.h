#pragma once

#include "core/collect/allowlist.h"
#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <vector>

#include <QString>

namespace flowlens::enrich {

/// A user-defined network (like Akvorado's networks): flows from or to it show its name.
struct UserNetwork
{
    collect::Cidr cidr;
    std::string name;
    std::string role; ///< optional, e.g. "servers"
    std::string site; ///< optional, e.g. "lab"
};

/// CIDR -> name list, most specific network first. Text format, one network a line:
/// `CIDR,NAME[,ROLE[,SITE]]` (e.g. `10.20.0.0/24,lab-servers,servers,lab`); blank lines and lines
/// starting with # are ignored. Several CIDRs may share a name.
class NetworkList
{
public:
    /// Parses the text; an error names the line and what is wrong with it.
    static Result<NetworkList> parse(const QString& text);
    static Result<NetworkList> load(const QString& path);

    /// The most specific network holding `address`, or null.
    const UserNetwork* find(const decode::IpAddress& address) const;
    const std::vector<UserNetwork>& networks() const { return m_networks; }
    bool empty() const { return m_networks.empty(); }

private:
    std::vector<UserNetwork> m_networks; ///< longest prefix first
};

} // namespace flowlens::enrich
