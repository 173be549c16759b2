#pragma once

#include <cstdint>
#include <string_view>

namespace flowlens::enrich {

/// One ISO 3166-1 country as FlowLens names it (English name, continent code as GeoIP databases use).
struct CountryInfo
{
    std::string_view code;      ///< alpha-2, "GB"
    std::uint16_t numeric = 0;  ///< ISO 3166-1 numeric (Natural Earth's id), 0 when it has none
    std::string_view name;      ///< "United Kingdom"
    std::string_view continent; ///< "EU", "AS", "AF", "NA", "SA", "OC", "AN"
};

/// The country with this alpha-2 code (case-sensitive, upper case), or null.
const CountryInfo* countryByCode(std::string_view code);
/// The country with this packed code (decode::packCountry), or null.
const CountryInfo* countryByPacked(std::uint16_t packed);
/// The country with this ISO numeric code, or null.
const CountryInfo* countryByNumeric(std::uint16_t numeric);

} // namespace flowlens::enrich
