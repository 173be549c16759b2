#include "geo_database.h"

#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <QFile>

namespace flowlens::enrich {

namespace {

std::string textOf(const MMDB_entry_data_s& d)
{
    if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return {};
    return std::string(d.utf8_string, d.data_size);
}

bool numberOf(const MMDB_entry_data_s& d, double& out)
{
    if (!d.has_data)
        return false;
    switch (d.type) {
    case MMDB_DATA_TYPE_DOUBLE:
        out = d.double_value;
        return true;
    case MMDB_DATA_TYPE_FLOAT:
        out = double(d.float_value);
        return true;
    case MMDB_DATA_TYPE_UINT16:
        out = d.uint16;
        return true;
    case MMDB_DATA_TYPE_UINT32:
        out = d.uint32;
        return true;
    case MMDB_DATA_TYPE_INT32:
        out = d.int32;
        return true;
    case MMDB_DATA_TYPE_UTF8_STRING: { // some converted databases store numbers as text
        const char* end = d.utf8_string + d.data_size;
        const auto r = std::from_chars(d.utf8_string, end, out);
        return r.ec == std::errc() && r.ptr == end;
    }
    default:
        return false;
    }
}

std::uint32_t unsignedOf(const MMDB_entry_data_s& d)
{
    double v = 0;
    if (!numberOf(d, v) || v < 0 || v > 4294967295.0)
        return 0;
    return std::uint32_t(v);
}

void setIfEmpty(std::string& field, std::string value)
{
    if (field.empty() && !value.empty())
        field = std::move(value);
}

} // namespace

const char* geoDatabaseKindName(GeoDatabaseKind kind)
{
    switch (kind) {
    case GeoDatabaseKind::City:
        return "city";
    case GeoDatabaseKind::Country:
        return "country";
    case GeoDatabaseKind::Asn:
        return "asn";
    }
    return "city";
}

struct GeoDatabase::Impl
{
    MMDB_s mmdb{};
    bool opened = false;
    ~Impl()
    {
        if (opened)
            MMDB_close(&mmdb);
    }
    /// One value by path (nullptr-terminated); has_data false when absent.
    MMDB_entry_data_s get(MMDB_entry_s& entry, const char* const* path)
    {
        MMDB_entry_data_s d{};
        if (MMDB_aget_value(&entry, &d, path) != MMDB_SUCCESS)
            d.has_data = false;
        return d;
    }
};

GeoDatabase::~GeoDatabase() = default;

Result<std::unique_ptr<GeoDatabase>> GeoDatabase::open(const QString& path)
{
    std::unique_ptr<GeoDatabase> db(new GeoDatabase);
    db->m_impl = std::make_unique<Impl>();
    const QByteArray native = QFile::encodeName(path);
    const int status = MMDB_open(native.constData(), MMDB_MODE_MMAP, &db->m_impl->mmdb);
    if (status != MMDB_SUCCESS)
        return fail(QStringLiteral("cannot read the GeoIP database %1: %2")
                        .arg(path, QString::fromUtf8(MMDB_strerror(status))));
    db->m_impl->opened = true;
    const auto& meta = db->m_impl->mmdb.metadata;
    GeoDatabaseInfo& info = db->m_info;
    info.path = path;
    info.databaseType = QString::fromUtf8(meta.database_type ? meta.database_type : "");
    info.buildEpoch = std::int64_t(meta.build_epoch);
    info.ipVersion = meta.ip_version;
    info.nodeCount = meta.node_count;
    // The type names MaxMind and DB-IP use: "GeoLite2-ASN", "GeoIP2-Country", "GeoLite2-City",
    // "DBIP-City-Lite", "dbip-city-ipv4", "DBIP-ASN-Lite" ...
    const QString type = info.databaseType.toLower();
    if (type.contains(QLatin1String("asn")) || type.contains(QLatin1String("-isp")))
        info.kind = GeoDatabaseKind::Asn;
    else if (type.contains(QLatin1String("country")) && !type.contains(QLatin1String("city")))
        info.kind = GeoDatabaseKind::Country;
    else
        info.kind = GeoDatabaseKind::City;
    return db;
}

bool GeoDatabase::lookup(const decode::IpAddress& address, GeoLookup& out)
{
    MMDB_s& mmdb = m_impl->mmdb;
    sockaddr_storage storage{};
    if (address.isV4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(address.v4());
    } else {
        if (m_info.ipVersion == 4)
            return false;
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
        sin6->sin6_family = AF_INET6;
        std::memcpy(sin6->sin6_addr.s6_addr, address.bytes.data(), 16);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s result =
        MMDB_lookup_sockaddr(&mmdb, reinterpret_cast<const sockaddr*>(&storage), &error);
    if (error != MMDB_SUCCESS || !result.found_entry)
        return false;
    MMDB_entry_s& e = result.entry;

    if (m_info.kind == GeoDatabaseKind::Asn) {
        static const char* const kAsn[] = {"autonomous_system_number", nullptr};
        static const char* const kOrg[] = {"autonomous_system_organization", nullptr};
        if (out.asn == 0) {
            out.asn = unsignedOf(m_impl->get(e, kAsn));
            out.asOrganization = textOf(m_impl->get(e, kOrg));
        }
        return out.asn != 0;
    }

    // DB-IP's flat schema (ip-location-db): country_code, state1, city, latitude, longitude, timezone.
    static const char* const kFlatCountry[] = {"country_code", nullptr};
    const MMDB_entry_data_s flatCountry = m_impl->get(e, kFlatCountry);
    if (flatCountry.has_data) {
        m_info.flatSchema = true;
        static const char* const kCity[] = {"city", nullptr};
        static const char* const kState[] = {"state1", nullptr};
        static const char* const kLat[] = {"latitude", nullptr};
        static const char* const kLon[] = {"longitude", nullptr};
        static const char* const kTz[] = {"timezone", nullptr};
        if (!out.countryCode.empty() && out.countryCode != textOf(flatCountry))
            return true; // a database listed earlier placed it elsewhere: keep one consistent answer
        setIfEmpty(out.countryCode, textOf(flatCountry));
        setIfEmpty(out.city, textOf(m_impl->get(e, kCity)));
        setIfEmpty(out.region, textOf(m_impl->get(e, kState)));
        setIfEmpty(out.timezone, textOf(m_impl->get(e, kTz)));
        double lat = 0, lon = 0;
        if (!out.hasLocation && numberOf(m_impl->get(e, kLat), lat) && numberOf(m_impl->get(e, kLon), lon)) {
            out.latitude = lat;
            out.longitude = lon;
            out.hasLocation = true;
        }
        return true;
    }

    // MaxMind City / Country schema.
    static const char* const kCountry[] = {"country", "iso_code", nullptr};
    static const char* const kRegistered[] = {"registered_country", "iso_code", nullptr};
    static const char* const kCountryName[] = {"country", "names", "en", nullptr};
    static const char* const kContinent[] = {"continent", "code", nullptr};
    std::string code = textOf(m_impl->get(e, kCountry));
    if (code.empty()) // anycast and satellite ranges often only have the registered country
        code = textOf(m_impl->get(e, kRegistered));
    if (!out.countryCode.empty() && !code.empty() && out.countryCode != code)
        return true;
    setIfEmpty(out.countryCode, code);
    setIfEmpty(out.countryName, textOf(m_impl->get(e, kCountryName)));
    setIfEmpty(out.continentCode, textOf(m_impl->get(e, kContinent)));
    if (m_info.kind == GeoDatabaseKind::City) {
        static const char* const kCity[] = {"city", "names", "en", nullptr};
        static const char* const kRegion[] = {"subdivisions", "0", "names", "en", nullptr};
        static const char* const kLat[] = {"location", "latitude", nullptr};
        static const char* const kLon[] = {"location", "longitude", nullptr};
        static const char* const kTz[] = {"location", "time_zone", nullptr};
        setIfEmpty(out.city, textOf(m_impl->get(e, kCity)));
        setIfEmpty(out.region, textOf(m_impl->get(e, kRegion)));
        setIfEmpty(out.timezone, textOf(m_impl->get(e, kTz)));
        double lat = 0, lon = 0;
        if (!out.hasLocation && numberOf(m_impl->get(e, kLat), lat) && numberOf(m_impl->get(e, kLon), lon)) {
            out.latitude = lat;
            out.longitude = lon;
            out.hasLocation = true;
        }
    }
    return !code.empty();
}

} // namespace flowlens::enrich
