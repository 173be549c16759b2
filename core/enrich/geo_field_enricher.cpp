#include "geo_field_enricher.h"

#include "country_table.h"
#include "shared_dictionaries.h"

#include <charconv>
#include <cstdio>

namespace flowlens::enrich {

namespace {

void appendJsonString(std::string& out, std::string_view s)
{
    out.push_back('"');
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            out.append(buf);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

void appendName(std::string& out, std::string_view side, std::string_view name)
{
    out.append(",\"");
    out.append(side);
    out.append(name);
    out.append("\":");
}

void appendText(std::string& out, std::string_view side, std::string_view name, std::string_view value)
{
    if (value.empty())
        return;
    appendName(out, side, name);
    appendJsonString(out, value);
}

void appendDouble(std::string& out, std::string_view side, std::string_view name, double value)
{
    appendName(out, side, name);
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    (void)ec;
    out.append(buf, end);
}

} // namespace

GeoFieldEnricher::GeoFieldEnricher(std::shared_ptr<const SharedDictionaries> dictionaries)
    : m_dict(std::move(dictionaries))
{}

void GeoFieldEnricher::appendFields(std::string& out, const decode::FlowRecord& r) const
{
    struct Side
    {
        std::string_view geo, asn;
        std::uint16_t country;
        std::uint32_t city, lookupAs;
    };
    const Side sides[2] = {{"src_geo_", "src_asn_", r.src_country, r.src_city, r.src_lookup_as},
                           {"dst_geo_", "dst_asn_", r.dst_country, r.dst_city, r.dst_lookup_as}};
    for (const Side& s : sides) {
        if (const CountryInfo* c = countryByPacked(s.country)) {
            appendText(out, s.geo, "country_code", c->code);
            appendText(out, s.geo, "country_name", c->name);
            appendText(out, s.geo, "continent_code", c->continent);
        }
        if (s.city && m_dict) {
            if (const auto city = m_dict->city(s.city)) {
                appendText(out, s.geo, "city_name", city->name);
                appendText(out, s.geo, "region_name", city->region);
                appendText(out, s.geo, "timezone", city->timezone);
                if (city->hasLocation) {
                    appendDouble(out, s.geo, "latitude", city->latitude);
                    appendDouble(out, s.geo, "longitude", city->longitude);
                }
            }
        }
        if (s.lookupAs) {
            appendName(out, s.asn, "autonomous_system_number");
            char buf[16];
            const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, s.lookupAs);
            (void)ec;
            out.append(buf, end);
            if (m_dict)
                appendText(out, s.asn, "autonomous_system_organization", m_dict->asOrganization(s.lookupAs));
        }
    }
}

} // namespace flowlens::enrich
