#pragma once

#include "core/decode/ip_address.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <string>

#include <QString>

namespace flowlens::enrich {

/// What a database answers, detected from its metadata (database_type) when it is opened.
enum class GeoDatabaseKind : std::uint8_t
{
    City,    ///< MaxMind GeoIP2/GeoLite2 City, or DB-IP's flat city schema (ip-location-db)
    Country, ///< MaxMind GeoIP2/GeoLite2 Country (no city, no location)
    Asn,     ///< MaxMind GeoLite2 ASN (autonomous_system_number, autonomous_system_organization)
};

/// "city", "country", "asn".
const char* geoDatabaseKindName(GeoDatabaseKind kind);

/// Everything one or more databases say about an address; empty fields are unknown.
struct GeoLookup
{
    std::string countryCode; ///< ISO alpha-2, upper case
    std::string countryName; ///< English, when the database has it
    std::string continentCode;
    std::string city;
    std::string region; ///< first subdivision / DB-IP's state1
    std::string timezone;
    double latitude = 0;
    double longitude = 0;
    bool hasLocation = false;
    std::uint32_t asn = 0;
    std::string asOrganization;

    bool empty() const { return countryCode.empty() && city.empty() && asn == 0; }
};

/// Description of an open database for settings pages and `collect` output.
struct GeoDatabaseInfo
{
    QString path;
    QString databaseType; ///< metadata database_type, e.g. "GeoLite2-City"
    GeoDatabaseKind kind = GeoDatabaseKind::City;
    std::int64_t buildEpoch = 0; ///< seconds since 1970 (metadata build_epoch)
    int ipVersion = 6;           ///< 4: IPv4-only (IPv6 addresses are never found)
    std::uint32_t nodeCount = 0; ///< search tree nodes, a rough measure of coverage
    bool flatSchema = false;     ///< DB-IP / ip-location-db flat fields seen in a record
};

/// One MaxMind DB file (libmaxminddb, memory-mapped), read-only. Not thread-safe: the writer
/// thread owns it.
class GeoDatabase
{
public:
    static Result<std::unique_ptr<GeoDatabase>> open(const QString& path);
    ~GeoDatabase();
    GeoDatabase(const GeoDatabase&) = delete;
    GeoDatabase& operator=(const GeoDatabase&) = delete;

    /// Fills the fields this database knows for `address` into `out`, leaving fields it does not
    /// know (or that are already set) untouched. Returns whether the address was found.
    bool lookup(const decode::IpAddress& address, GeoLookup& out);
    const GeoDatabaseInfo& info() const { return m_info; }

private:
    GeoDatabase() = default;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    GeoDatabaseInfo m_info;
};

} // namespace flowlens::enrich
