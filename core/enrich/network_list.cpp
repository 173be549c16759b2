#include "network_list.h"

#include <algorithm>

#include <QFile>

namespace flowlens::enrich {

namespace {

/// Prefix length in the 128-bit space, so IPv4 and IPv6 networks sort together.
int widePrefix(const collect::Cidr& c)
{
    return c.network.isV4() ? c.prefixLength + 96 : c.prefixLength;
}

} // namespace

Result<NetworkList> NetworkList::parse(const QString& text)
{
    NetworkList list;
    int lineNumber = 0;
    for (const QString& raw : text.split(QLatin1Char('\n'))) {
        ++lineNumber;
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList parts = line.split(QLatin1Char(','));
        const auto cidr = collect::Cidr::parse(parts[0].trimmed().toStdString());
        if (!cidr)
            return fail(QStringLiteral("line %1: \"%2\" is not a network; use ADDRESS/PREFIX such as "
                                       "10.20.0.0/24")
                            .arg(lineNumber)
                            .arg(parts[0].trimmed()));
        if (parts.size() < 2 || parts[1].trimmed().isEmpty())
            return fail(
                QStringLiteral("line %1: a name is missing; use CIDR,NAME[,ROLE[,SITE]]").arg(lineNumber));
        if (parts.size() > 4)
            return fail(
                QStringLiteral("line %1: too many fields; use CIDR,NAME[,ROLE[,SITE]]").arg(lineNumber));
        UserNetwork n;
        n.cidr = *cidr;
        n.name = parts[1].trimmed().toStdString();
        if (parts.size() > 2)
            n.role = parts[2].trimmed().toStdString();
        if (parts.size() > 3)
            n.site = parts[3].trimmed().toStdString();
        list.m_networks.push_back(std::move(n));
    }
    std::stable_sort(
        list.m_networks.begin(), list.m_networks.end(),
        [](const UserNetwork& a, const UserNetwork& b) { return widePrefix(a.cidr) > widePrefix(b.cidr); });
    return list;
}

Result<NetworkList> NetworkList::load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the networks file %1: %2").arg(path, f.errorString()));
    auto list = parse(QString::fromUtf8(f.readAll()));
    if (!list)
        return fail(QStringLiteral("%1: %2").arg(path, list.error()));
    return list;
}

const UserNetwork* NetworkList::find(const decode::IpAddress& address) const
{
    for (const UserNetwork& n : m_networks)
        if (n.cidr.contains(address))
            return &n;
    return nullptr;
}

} // namespace flowlens::enrich
