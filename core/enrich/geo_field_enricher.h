#pragma once

#include "core/forward/record_encoder.h"

#include <memory>

namespace flowlens::enrich {

class SharedDictionaries;

/// Adds the GeoIP fields of stored flows to forwarded records under OpenObserve's enrichment names
/// (src_geo_country_code, src_geo_country_name, src_geo_continent_code, src_geo_city_name,
/// src_geo_region_name, src_geo_timezone, src_geo_latitude, src_geo_longitude,
/// src_asn_autonomous_system_number, src_asn_autonomous_system_organization; the same with dst_),
/// so OpenObserve's published dashboards work without a server-side function. Fields that are
/// unknown are left out (never null, never a changed type). Runs on the forwarder thread.
class GeoFieldEnricher : public forward::FieldEnricher
{
public:
    explicit GeoFieldEnricher(std::shared_ptr<const SharedDictionaries> dictionaries);
    void appendFields(std::string& out, const decode::FlowRecord& r) const override;

private:
    std::shared_ptr<const SharedDictionaries> m_dict;
};

} // namespace flowlens::enrich
