#pragma once

#include "exporter_stats.h"
#include "ie_registry.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flowlens::decode {

/// A v9/IPFIX (options) template as received plus its compiled layout.
struct Template
{
    std::uint16_t id = 0;
    bool options = false;
    bool v9 = false; ///< v9 options scope fields use their own type numbers, not IEs
    std::uint16_t scopeFieldCount = 0;
    std::vector<FieldSpec> fields;
    CompiledLayout layout;

    /// Same kind, scope and field list (a refresh rather than a redefinition).
    bool sameLayout(const Template& other) const
    {
        return options == other.options && v9 == other.v9 && scopeFieldCount == other.scopeFieldCount &&
               fields == other.fields;
    }
};

/// Header values of the export packet a set came in; kept with sets waiting for their template.
struct PacketContext
{
    FlowType type = FlowType::Unknown;
    std::uint16_t version = 0;
    std::uint32_t exportSeconds = 0;
    std::uint32_t sysUptimeMs = 0; ///< v9 only
    std::uint32_t sequence = 0;
    std::uint32_t domainId = 0;
    std::uint64_t receivedNs = 0;
};

/// A data set that arrived before its template (phase 2: decoded when the template comes).
struct PendingSet
{
    std::uint16_t templateId = 0;
    PacketContext context;
    std::vector<std::byte> body; ///< set content after the 4-byte set header
};

/// Everything learned from one exporter/domain: templates, options-learned sampling rates and
/// system init time, and data sets waiting for a template.
struct DomainState
{
    std::unordered_map<std::uint16_t, Template> templates;
    /// selector/sampler id -> rate (id 0: options record without an id). Small and bounded.
    std::vector<std::pair<std::uint32_t, std::uint64_t>> samplingRates;
    bool hasSystemInit = false;
    std::uint64_t systemInitMs = 0;
    std::deque<PendingSet> pending;
    std::size_t pendingBytes = 0;

    static constexpr std::size_t kMaxSamplingRates = 256;

    /// Stores a learned rate (replacing one for the same id); false when the table is full.
    bool learnSamplingRate(std::uint32_t selectorId, std::uint64_t rate);
    /// Rate for a selector id, 0 when unknown.
    std::uint64_t samplingRate(std::uint32_t selectorId) const;
    /// Rate for records that name no selector: id 0, else the only one learned, else 0.
    std::uint64_t defaultSamplingRate() const;
};

/// Per exporter/domain template state, bounded by the number of domains (the per-domain bounds
/// are enforced by the set decoder, which counts what it drops).
class TemplateCache
{
public:
    explicit TemplateCache(std::size_t maxDomains);

    /// Finds or creates; nullptr when the domain table is full.
    DomainState* get(const DomainKey& key);
    DomainState* find(const DomainKey& key);
    const std::unordered_map<DomainKey, DomainState, DomainKeyHash>& domains() const { return m_domains; }
    std::unordered_map<DomainKey, DomainState, DomainKeyHash>& domains() { return m_domains; }

private:
    std::size_t m_maxDomains;
    std::unordered_map<DomainKey, DomainState, DomainKeyHash> m_domains;
};

} // namespace flowlens::decode
