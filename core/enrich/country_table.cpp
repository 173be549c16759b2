#include "country_table.h"

#include "core/decode/flow_record.h"

#include <algorithm>
#include <iterator>

namespace flowlens::enrich {

namespace {

// Sorted by code (scripts/gen_geo_data.js writes it that way).
constexpr CountryInfo kCountries[] = {
#include "country_data.inc"
};

} // namespace

const CountryInfo* countryByCode(std::string_view code)
{
    const auto* it = std::lower_bound(std::begin(kCountries), std::end(kCountries), code,
                                      [](const CountryInfo& c, std::string_view k) { return c.code < k; });
    return it != std::end(kCountries) && it->code == code ? it : nullptr;
}

const CountryInfo* countryByPacked(std::uint16_t packed)
{
    if (packed == 0)
        return nullptr;
    const char text[2] = {char(packed >> 8), char(packed & 0xff)};
    return countryByCode(std::string_view(text, 2));
}

const CountryInfo* countryByNumeric(std::uint16_t numeric)
{
    if (numeric == 0)
        return nullptr;
    for (const CountryInfo& c : kCountries)
        if (c.numeric == numeric)
            return &c;
    return nullptr;
}

} // namespace flowlens::enrich
