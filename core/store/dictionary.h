#pragma once

#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace flowlens::store {

class Database;

/// One city of the store's city dictionary (FlowRecord::src_city / dst_city hold its id). Text is UTF-8.
struct CityEntry
{
    std::uint32_t id = 0;
    std::string name;
    std::string region;        ///< first subdivision (state, province), may be empty
    std::uint16_t country = 0; ///< packed ISO code (decode::packCountry)
    double latitude = 0;       ///< degrees, WGS84
    double longitude = 0;
    bool hasLocation = false;
    std::string timezone; ///< IANA name when the database has one
};

/// The organisation of an AS as the ASN database names it.
struct AsEntry
{
    std::uint32_t asn = 0;
    std::string organization;
};

/// A user-defined network name (FlowRecord::src_net_name / dst_net_name hold its id).
struct NetEntry
{
    std::uint16_t id = 0;
    std::string name;
    std::string role; ///< optional
    std::string site; ///< optional
};

/// New or changed dictionary rows, written by the FlowWriter in the same transaction as the flows
/// that refer to them.
struct DictionaryRows
{
    std::vector<CityEntry> cities;
    std::vector<AsEntry> asOrgs;
    std::vector<NetEntry> nets;

    bool empty() const { return cities.empty() && asOrgs.empty() && nets.empty(); }
    void append(DictionaryRows&& other);
};

/// Every dictionary of a store, as read back (queries, exports, the forwarder after a restart).
struct Dictionaries
{
    std::unordered_map<std::uint32_t, CityEntry> cities;
    std::unordered_map<std::uint32_t, std::string> asOrgs;
    std::unordered_map<std::uint16_t, NetEntry> nets;
    /// GeoIP databases the writer used ("database_type<TAB>path" lines, newest run last).
    std::vector<std::string> sources;

    const CityEntry* city(std::uint32_t id) const;
    /// "City, Region, CC" (parts that are empty left out); "" for an unknown id.
    std::string cityText(std::uint32_t id) const;
    std::string netName(std::uint16_t id) const;
    std::string asOrganization(std::uint32_t asn) const;
    /// The id of a network name, 0 when unknown (filters by name).
    std::uint16_t netId(const std::string& name) const;
    /// Whether DB-IP data was used (its licence asks for "IP Geolocation by DB-IP" where shown).
    bool usesDbIp() const;
};

/// "City, Region, CC" of one entry.
std::string cityText(const CityEntry& city);

/// Reads every dictionary row (tables geo_cities, geo_as, net_names of schema 4).
Result<Dictionaries> readDictionaries(Database& db);
/// Name of the decoder_state row listing the GeoIP databases in use (see Dictionaries::sources).
inline constexpr const char* kGeoSourcesState = "geoip_sources";

/// Inserts or replaces rows (call inside the writer's transaction).
Result<void> writeDictionaryRows(Database& db, const DictionaryRows& rows);

} // namespace flowlens::store
