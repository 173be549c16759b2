#pragma once

#include "core/decode/flow_record.h"
#include "core/enrich/address_cache.h"
#include "core/enrich/geo_database.h"
#include "core/enrich/network_list.h"
#include "core/store/dictionary.h"
#include "core/util/result.h"

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace flowlens::enrich {

class SharedDictionaries;

/// Where enrichment data comes from.
struct EnrichConfig
{
    QStringList geoipPaths;           ///< explicit .mmdb files (`collect --geoip`), read in this order
    bool searchDefaultFolders = true; ///< also every *.mmdb in defaultGeoipFolders()
    QStringList extraFolders;         ///< more folders to search (tests, settings)
    QString networksPath;             ///< user networks file (NetworkList format); empty = none
    std::size_t cacheEntries = 65536;
    std::chrono::seconds reloadCheck{10}; ///< how often files are checked for changes
};

/// /usr/share/GeoIP, /var/lib/GeoIP and FlowLens's own data folder (geoipDataFolder()).
QStringList defaultGeoipFolders();
/// Where `./dev.sh geoip` puts DB-IP's database: $XDG_DATA_HOME/flowlens/geoip.
QString geoipDataFolder();
/// The attribution DB-IP's licence (CC BY 4.0) asks for wherever its data is shown.
inline constexpr const char* kDbIpAttribution = "IP Geolocation by DB-IP";

/// Fills the enrichment fields of flows (FlowRecord src_country ... dst_net_name) at ingest, on the
/// writer thread: address class always, country/city/AS from every GeoIP database found (a city
/// and an ASN database together, say), user network names. Results are cached per address; cities,
/// AS organisations and network names are collected as dictionary rows that the FlowWriter stores
/// in the transaction that stores the flows referring to them. Not thread-safe.
class Enricher
{
public:
    /// Opens the databases and the networks file. A missing or unreadable file named explicitly is
    /// an error; unreadable files found by searching folders are skipped (see warnings()).
    static Result<std::unique_ptr<Enricher>> create(const EnrichConfig& config);
    ~Enricher();

    /// Makes ids agree with what a store already holds (cities, AS organisations, networks).
    void seed(const store::Dictionaries& existing);
    /// Also publish every new dictionary row to `shared` (the forwarder reads it); may be null.
    void setShared(std::shared_ptr<SharedDictionaries> shared);

    void enrich(std::span<decode::FlowRecord> flows);
    /// Facts about one address (cached), as enrich() stores them.
    AddressFacts facts(const decode::IpAddress& address);
    /// Everything the databases say about one address (no cache, no ids): `flowlens-cli geoip`.
    GeoLookup lookup(const decode::IpAddress& address);

    /// Dictionary rows added since the last call (cities, AS organisations, networks).
    store::DictionaryRows takeNewRows();
    /// Re-opens databases and the networks file when one changed on disk (at most every
    /// reloadCheck); returns whether it reloaded. Errors keep the previous data.
    bool reloadIfChanged();

    const std::vector<GeoDatabaseInfo>& databases() const { return m_infos; }
    const QStringList& warnings() const { return m_warnings; }
    const NetworkList& networks() const { return m_networks; }
    bool hasGeoData() const { return !m_databases.empty(); }
    bool usesDbIp() const;
    const AddressCache& cache() const { return m_cache; }

private:
    Enricher(const EnrichConfig& config);
    Result<void> load();
    AddressFacts compute(const decode::IpAddress& address);
    std::uint32_t cityId(const GeoLookup& g);
    std::uint16_t netId(const UserNetwork& n);
    void addRows(store::DictionaryRows&& rows);
    struct Watched
    {
        QString path;
        QDateTime modified;
        qint64 size = 0;
    };
    std::vector<Watched> watchedNow() const;

    EnrichConfig m_config;
    std::vector<std::unique_ptr<GeoDatabase>> m_databases;
    std::vector<GeoDatabaseInfo> m_infos;
    NetworkList m_networks;
    QStringList m_warnings;
    AddressCache m_cache;
    std::vector<Watched> m_watched;
    std::chrono::steady_clock::time_point m_lastCheck;

    std::unordered_map<std::string, std::uint32_t> m_cityIds; ///< "name\x1fregion\x1fCC"
    std::uint32_t m_nextCity = 1;
    std::unordered_map<std::uint32_t, std::string> m_asOrgs;
    std::unordered_map<std::string, std::uint16_t> m_netIds;
    std::uint16_t m_nextNet = 1;
    store::DictionaryRows m_newRows;
    std::shared_ptr<SharedDictionaries> m_shared;
};

} // namespace flowlens::enrich
