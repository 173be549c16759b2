#include "domain_registry.h"

namespace flowlens::decode {

DomainRegistry::DomainRegistry(std::size_t maxDomains)
    : m_maxDomains(maxDomains)
{}

DomainStats* DomainRegistry::get(const Endpoint& exporter, std::uint32_t domain, FlowType type,
                                 std::uint16_t version, std::uint64_t nowNs)
{
    const DomainKey key{exporter, domain};
    auto it = m_domains.find(key);
    if (it == m_domains.end()) {
        if (m_domains.size() >= m_maxDomains)
            return nullptr;
        it = m_domains.emplace(key, DomainStats{}).first;
        it->second.firstSeenNs = nowNs;
    }
    DomainStats& s = it->second;
    s.type = type;
    s.version = version;
    if (nowNs > s.lastSeenNs)
        s.lastSeenNs = nowNs;
    return &s;
}

DomainStats* DomainRegistry::find(const Endpoint& exporter, std::uint32_t domain)
{
    const auto it = m_domains.find(DomainKey{exporter, domain});
    return it == m_domains.end() ? nullptr : &it->second;
}

void DomainRegistry::forEach(const std::function<void(const DomainKey&, const DomainStats&)>& visit) const
{
    for (const auto& [key, stats] : m_domains)
        visit(key, stats);
}

void accountSequence(DomainStats& stats, std::uint32_t sequence, std::uint32_t units)
{
    if (!stats.sequenceKnown) {
        stats.sequenceKnown = true;
        stats.nextSequence = std::uint32_t(sequence + units);
        stats.sequenceExpected += units;
        return;
    }
    const std::uint32_t diff = sequence - static_cast<std::uint32_t>(stats.nextSequence);
    if (diff == 0) {
        stats.sequenceExpected += units;
    } else if (diff < 0x80000000u) {
        ++stats.sequenceGaps;
        stats.sequenceLost += diff;
        stats.sequenceExpected += std::uint64_t(diff) + units;
    } else {
        ++stats.sequenceResets;
        stats.sequenceExpected += units;
    }
    stats.nextSequence = std::uint32_t(sequence + units);
}

} // namespace flowlens::decode
