#include "dictionary.h"

#include "sqlite_db.h"

#include "core/decode/flow_record.h"

namespace flowlens::store {

namespace {

std::string utf8(const QString& s)
{
    return s.toStdString();
}

} // namespace

void DictionaryRows::append(DictionaryRows&& other)
{
    for (auto& c : other.cities)
        cities.push_back(std::move(c));
    for (auto& a : other.asOrgs)
        asOrgs.push_back(std::move(a));
    for (auto& n : other.nets)
        nets.push_back(std::move(n));
}

const CityEntry* Dictionaries::city(std::uint32_t id) const
{
    const auto it = cities.find(id);
    return it == cities.end() ? nullptr : &it->second;
}

std::string cityText(const CityEntry& c)
{
    std::string out = c.name;
    for (const std::string& part : {c.region, decode::countryText(c.country)}) {
        if (part.empty() || part == c.name)
            continue;
        if (!out.empty())
            out += ", ";
        out += part;
    }
    return out;
}

std::string Dictionaries::cityText(std::uint32_t id) const
{
    const CityEntry* c = city(id);
    return c ? store::cityText(*c) : std::string();
}

std::string Dictionaries::netName(std::uint16_t id) const
{
    const auto it = nets.find(id);
    return it == nets.end() ? std::string() : it->second.name;
}

std::string Dictionaries::asOrganization(std::uint32_t asn) const
{
    const auto it = asOrgs.find(asn);
    return it == asOrgs.end() ? std::string() : it->second;
}

std::uint16_t Dictionaries::netId(const std::string& name) const
{
    for (const auto& [id, entry] : nets)
        if (entry.name == name)
            return id;
    return 0;
}

bool Dictionaries::usesDbIp() const
{
    for (const std::string& s : sources) {
        std::string lower = s;
        for (char& c : lower)
            c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (lower.find("dbip") != std::string::npos || lower.find("db-ip") != std::string::npos)
            return true;
    }
    return false;
}

Result<Dictionaries> readDictionaries(Database& db)
{
    Dictionaries d;
    // A database written before schema 4 (opened read-only, so not migrated) has no dictionaries.
    auto exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='geo_cities'");
    if (!exists)
        return fail(exists.error());
    if (!exists->step())
        return d;
    auto cities = db.prepare(
        "SELECT id, name, region, country, latitude, longitude, has_location, timezone FROM geo_cities");
    if (!cities)
        return fail(cities.error());
    while (cities->step()) {
        CityEntry c;
        c.id = std::uint32_t(cities->columnInt(0));
        c.name = utf8(cities->columnText(1));
        c.region = utf8(cities->columnText(2));
        c.country = decode::packCountry(utf8(cities->columnText(3)));
        c.latitude = cities->columnDouble(4);
        c.longitude = cities->columnDouble(5);
        c.hasLocation = cities->columnInt(6) != 0;
        c.timezone = utf8(cities->columnText(7));
        d.cities.emplace(c.id, std::move(c));
    }
    if (cities->hasError())
        return fail(cities->error());
    auto as = db.prepare("SELECT asn, organization FROM geo_as");
    if (!as)
        return fail(as.error());
    while (as->step())
        d.asOrgs.emplace(std::uint32_t(as->columnInt(0)), utf8(as->columnText(1)));
    if (as->hasError())
        return fail(as->error());
    auto nets = db.prepare("SELECT id, name, role, site FROM net_names");
    if (!nets)
        return fail(nets.error());
    while (nets->step()) {
        NetEntry n;
        n.id = std::uint16_t(nets->columnInt(0));
        n.name = utf8(nets->columnText(1));
        n.role = utf8(nets->columnText(2));
        n.site = utf8(nets->columnText(3));
        d.nets.emplace(n.id, std::move(n));
    }
    if (nets->hasError())
        return fail(nets->error());
    auto sources = db.prepare("SELECT value FROM decoder_state WHERE name=?1");
    if (!sources)
        return fail(sources.error());
    sources->bind(1, std::string_view(kGeoSourcesState));
    if (sources->step()) {
        const auto blob = sources->columnBlob(0);
        std::string text(reinterpret_cast<const char*>(blob.data()), blob.size());
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = std::min(text.find('\n', start), text.size());
            if (end > start)
                d.sources.push_back(text.substr(start, end - start));
            start = end + 1;
        }
    }
    return d;
}

Result<void> writeDictionaryRows(Database& db, const DictionaryRows& rows)
{
    if (!rows.cities.empty()) {
        auto st = db.prepare("INSERT OR REPLACE INTO geo_cities(id, name, region, country, latitude, "
                             "longitude, has_location, timezone) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!st)
            return fail(st.error());
        for (const CityEntry& c : rows.cities) {
            st->reset();
            const std::string country = decode::countryText(c.country);
            st->bind(1, std::int64_t(c.id))
                .bind(2, std::string_view(c.name))
                .bind(3, std::string_view(c.region));
            st->bind(4, std::string_view(country)).bind(5, c.latitude).bind(6, c.longitude);
            st->bind(7, std::int64_t(c.hasLocation ? 1 : 0)).bind(8, std::string_view(c.timezone));
            if (auto r = st->run(); !r)
                return r;
        }
    }
    if (!rows.asOrgs.empty()) {
        auto st = db.prepare("INSERT OR REPLACE INTO geo_as(asn, organization) VALUES(?1, ?2)");
        if (!st)
            return fail(st.error());
        for (const AsEntry& a : rows.asOrgs) {
            st->reset();
            st->bind(1, std::int64_t(a.asn)).bind(2, std::string_view(a.organization));
            if (auto r = st->run(); !r)
                return r;
        }
    }
    if (!rows.nets.empty()) {
        auto st = db.prepare("INSERT OR REPLACE INTO net_names(id, name, role, site) VALUES(?1, ?2, ?3, ?4)");
        if (!st)
            return fail(st.error());
        for (const NetEntry& n : rows.nets) {
            st->reset();
            st->bind(1, std::int64_t(n.id)).bind(2, std::string_view(n.name));
            st->bind(3, std::string_view(n.role)).bind(4, std::string_view(n.site));
            if (auto r = st->run(); !r)
                return r;
        }
    }
    return {};
}

} // namespace flowlens::store
