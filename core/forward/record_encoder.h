#pragma once

#include "core/decode/flow_record.h"

#include <cstdint>
#include <memory>
#include <string>

namespace flowlens::forward {

/// Adds fields to every forwarded record. The GeoIP issue plugs in here: one enricher appends the
/// flattened src_geo_* / dst_geo_* / src_asn_* / dst_asn_* fields under OpenObserve's own
/// enrichment names (src_geo_city_name, src_geo_country_code, src_geo_country_name,
/// src_geo_continent_code, src_geo_region_name, src_geo_timezone, src_geo_latitude,
/// src_geo_longitude, src_asn_autonomous_system_number, src_asn_autonomous_system_organization, and
/// the same with dst_). Rules for implementations: append `,"name":value` pairs only, never a null,
/// never `_id`, always the same JSON type for a name (omit a field rather than change its type).
/// Called on the forwarder thread; must not block on I/O.
class FieldEnricher
{
public:
    virtual ~FieldEnricher() = default;
    virtual void appendFields(std::string& out, const decode::FlowRecord& r) const = 0;
};

/// Renders flows as the flat JSON objects OpenObserve ingests: goflow2's fields and types (from
/// query::appendFlowJsonMembers: proto/etype as names, addresses as strings, times in ns), then
/// `_timestamp` (microseconds, from time_received_ns), `bytes_scaled` and `packets_scaled`
/// (multiplied by the sampling rate, 0 counted as 1), then the enricher's fields.
class RecordEncoder
{
public:
    void setEnricher(std::shared_ptr<const FieldEnricher> enricher) { m_enricher = std::move(enricher); }

    /// Appends one object. `restampUs` != 0 sends that as _timestamp and the original time as
    /// `original_timestamp` (microseconds).
    void append(std::string& out, const decode::FlowRecord& r, std::uint64_t restampUs = 0) const;

private:
    std::shared_ptr<const FieldEnricher> m_enricher;
};

} // namespace flowlens::forward
