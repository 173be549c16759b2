#include "enricher.h"

#include "shared_dictionaries.h"

#include "core/decode/address_class.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace flowlens::enrich {

namespace {

std::string cityKey(const std::string& name, const std::string& region, std::uint16_t country)
{
    return name + '\x1f' + region + '\x1f' + decode::countryText(country);
}

} // namespace

QString geoipDataFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/flowlens/geoip");
}

QStringList defaultGeoipFolders()
{
    return {QStringLiteral("/usr/share/GeoIP"), QStringLiteral("/var/lib/GeoIP"), geoipDataFolder()};
}

Enricher::Enricher(const EnrichConfig& config)
    : m_config(config)
    , m_cache(config.cacheEntries)
{}

Enricher::~Enricher() = default;

Result<std::unique_ptr<Enricher>> Enricher::create(const EnrichConfig& config)
{
    std::unique_ptr<Enricher> e(new Enricher(config));
    if (auto r = e->load(); !r)
        return fail(r.error());
    e->m_watched = e->watchedNow();
    e->m_lastCheck = std::chrono::steady_clock::now();
    return e;
}

Result<void> Enricher::load()
{
    std::vector<std::unique_ptr<GeoDatabase>> databases;
    QStringList warnings;
    QStringList seen;
    for (const QString& path : m_config.geoipPaths) {
        auto db = GeoDatabase::open(path);
        if (!db)
            return fail(db.error());
        seen << QFileInfo(path).canonicalFilePath();
        databases.push_back(std::move(*db));
    }
    QStringList folders = m_config.extraFolders;
    if (m_config.searchDefaultFolders)
        folders << defaultGeoipFolders();
    for (const QString& folder : folders) {
        const QDir dir(folder);
        for (const QFileInfo& f : dir.entryInfoList({QStringLiteral("*.mmdb")}, QDir::Files, QDir::Name)) {
            if (seen.contains(f.canonicalFilePath()))
                continue;
            seen << f.canonicalFilePath();
            auto db = GeoDatabase::open(f.filePath());
            if (!db) {
                warnings << db.error();
                continue;
            }
            databases.push_back(std::move(*db));
        }
    }
    // City databases answer before country-only ones (more detail for the same address).
    std::stable_sort(databases.begin(), databases.end(), [](const auto& a, const auto& b) {
        return a->info().kind == GeoDatabaseKind::City && b->info().kind == GeoDatabaseKind::Country;
    });
    NetworkList networks;
    if (!m_config.networksPath.isEmpty()) {
        auto list = NetworkList::load(m_config.networksPath);
        if (!list)
            return fail(list.error());
        networks = std::move(*list);
    }
    m_databases = std::move(databases);
    m_infos.clear();
    for (const auto& db : m_databases)
        m_infos.push_back(db->info());
    m_networks = std::move(networks);
    m_warnings = warnings;
    m_cache.clear();
    return {};
}

std::vector<Enricher::Watched> Enricher::watchedNow() const
{
    std::vector<Watched> out;
    QStringList paths;
    for (const auto& info : m_infos)
        paths << info.path;
    if (!m_config.networksPath.isEmpty())
        paths << m_config.networksPath;
    for (const QString& p : paths) {
        const QFileInfo f(p);
        out.push_back({p, f.lastModified(), f.size()});
    }
    return out;
}

bool Enricher::reloadIfChanged()
{
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastCheck < m_config.reloadCheck)
        return false;
    m_lastCheck = now;
    const auto current = watchedNow();
    bool changed = current.size() != m_watched.size();
    for (std::size_t i = 0; !changed && i < current.size(); ++i)
        changed = current[i].modified != m_watched[i].modified || current[i].size != m_watched[i].size;
    if (!changed)
        return false;
    if (auto r = load(); !r) {
        m_warnings << QStringLiteral("reloading GeoIP data failed, the previous data stays in use: ") +
                          r.error();
        return false;
    }
    m_watched = watchedNow();
    return true;
}

void Enricher::seed(const store::Dictionaries& existing)
{
    for (const auto& [id, c] : existing.cities) {
        m_cityIds[cityKey(c.name, c.region, c.country)] = id;
        m_nextCity = std::max(m_nextCity, id + 1);
    }
    for (const auto& [asn, org] : existing.asOrgs)
        m_asOrgs[asn] = org;
    for (const auto& [id, n] : existing.nets) {
        m_netIds[n.name] = id;
        m_nextNet = std::uint16_t(std::max<int>(m_nextNet, id + 1));
    }
    m_cache.clear();
}

void Enricher::setShared(std::shared_ptr<SharedDictionaries> shared)
{
    m_shared = std::move(shared);
}

bool Enricher::usesDbIp() const
{
    return std::any_of(m_infos.begin(), m_infos.end(), [](const GeoDatabaseInfo& i) {
        return i.flatSchema || i.databaseType.contains(QLatin1String("dbip"), Qt::CaseInsensitive);
    });
}

std::uint32_t Enricher::cityId(const GeoLookup& g)
{
    const std::uint16_t country = decode::packCountry(g.countryCode);
    const std::string key = cityKey(g.city, g.region, country);
    if (const auto it = m_cityIds.find(key); it != m_cityIds.end())
        return it->second;
    const std::uint32_t id = m_nextCity++;
    m_cityIds.emplace(key, id);
    store::CityEntry c;
    c.id = id;
    c.name = g.city;
    c.region = g.region;
    c.country = country;
    c.latitude = g.latitude;
    c.longitude = g.longitude;
    c.hasLocation = g.hasLocation;
    c.timezone = g.timezone;
    store::DictionaryRows rows;
    rows.cities.push_back(std::move(c));
    addRows(std::move(rows));
    return id;
}

std::uint16_t Enricher::netId(const UserNetwork& n)
{
    if (const auto it = m_netIds.find(n.name); it != m_netIds.end())
        return it->second;
    if (m_nextNet == 0xffff)
        return 0; // 65534 distinct names: more are left unnamed rather than wrapping
    const std::uint16_t id = m_nextNet++;
    m_netIds.emplace(n.name, id);
    store::DictionaryRows rows;
    rows.nets.push_back({id, n.name, n.role, n.site});
    addRows(std::move(rows));
    return id;
}

void Enricher::addRows(store::DictionaryRows&& rows)
{
    if (m_shared)
        m_shared->add(rows);
    m_newRows.append(std::move(rows));
}

GeoLookup Enricher::lookup(const decode::IpAddress& address)
{
    GeoLookup g;
    for (auto& db : m_databases)
        db->lookup(address, g);
    return g;
}

AddressFacts Enricher::compute(const decode::IpAddress& address)
{
    AddressFacts f;
    const decode::AddressClass cls = decode::classifyAddress(address);
    f.addrClass = std::uint8_t(cls);
    if (const UserNetwork* n = m_networks.find(address))
        f.net = netId(*n);
    if (cls != decode::AddressClass::Public || m_databases.empty())
        return f;
    const GeoLookup g = lookup(address);
    f.country = decode::packCountry(g.countryCode);
    if (!g.city.empty())
        f.city = cityId(g);
    f.asn = g.asn;
    if (g.asn) {
        const auto it = m_asOrgs.find(g.asn);
        if (it == m_asOrgs.end() || it->second != g.asOrganization) {
            m_asOrgs[g.asn] = g.asOrganization;
            store::DictionaryRows rows;
            rows.asOrgs.push_back({g.asn, g.asOrganization});
            addRows(std::move(rows));
        }
    }
    return f;
}

AddressFacts Enricher::facts(const decode::IpAddress& address)
{
    if (m_databases.empty() && m_networks.empty()) {
        AddressFacts f; // classes only: a few compares, cheaper than the cache
        f.addrClass = std::uint8_t(decode::classifyAddress(address));
        return f;
    }
    if (const AddressFacts* hit = m_cache.find(address))
        return *hit;
    const AddressFacts f = compute(address);
    m_cache.insert(address, f);
    return f;
}

void Enricher::enrich(std::span<decode::FlowRecord> flows)
{
    for (decode::FlowRecord& r : flows) {
        const AddressFacts s = facts(r.src_addr);
        const AddressFacts d = facts(r.dst_addr);
        r.src_country = s.country;
        r.dst_country = d.country;
        r.src_city = s.city;
        r.dst_city = d.city;
        r.src_lookup_as = s.asn;
        r.dst_lookup_as = d.asn;
        r.src_addr_class = s.addrClass;
        r.dst_addr_class = d.addrClass;
        r.src_net_name = s.net;
        r.dst_net_name = d.net;
    }
}

store::DictionaryRows Enricher::takeNewRows()
{
    store::DictionaryRows out = std::move(m_newRows);
    m_newRows = {};
    return out;
}

} // namespace flowlens::enrich
