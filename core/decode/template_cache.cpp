#include "template_cache.h"

namespace flowlens::decode {

bool DomainState::learnSamplingRate(std::uint32_t selectorId, std::uint64_t rate)
{
    for (auto& [id, r] : samplingRates) {
        if (id == selectorId) {
            r = rate;
            return true;
        }
    }
    if (samplingRates.size() >= kMaxSamplingRates)
        return false;
    samplingRates.emplace_back(selectorId, rate);
    return true;
}

std::uint64_t DomainState::samplingRate(std::uint32_t selectorId) const
{
    for (const auto& [id, r] : samplingRates)
        if (id == selectorId)
            return r;
    return 0;
}

std::uint64_t DomainState::defaultSamplingRate() const
{
    if (samplingRates.empty())
        return 0;
    if (const auto r = samplingRate(0))
        return r;
    return samplingRates.size() == 1 ? samplingRates.front().second : 0;
}

TemplateCache::TemplateCache(std::size_t maxDomains)
    : m_maxDomains(maxDomains)
{}

DomainState* TemplateCache::get(const DomainKey& key)
{
    auto it = m_domains.find(key);
    if (it != m_domains.end())
        return &it->second;
    if (m_domains.size() >= m_maxDomains)
        return nullptr;
    return &m_domains.emplace(key, DomainState{}).first->second;
}

DomainState* TemplateCache::find(const DomainKey& key)
{
    auto it = m_domains.find(key);
    return it == m_domains.end() ? nullptr : &it->second;
}

} // namespace flowlens::decode
