#include "shared_dictionaries.h"

namespace flowlens::enrich {

void SharedDictionaries::add(const store::DictionaryRows& rows)
{
    std::lock_guard lock(m_mutex);
    for (const auto& c : rows.cities)
        m_dict.cities[c.id] = c;
    for (const auto& a : rows.asOrgs)
        m_dict.asOrgs[a.asn] = a.organization;
    for (const auto& n : rows.nets)
        m_dict.nets[n.id] = n;
}

void SharedDictionaries::replace(store::Dictionaries all)
{
    std::lock_guard lock(m_mutex);
    m_dict = std::move(all);
}

std::optional<store::CityEntry> SharedDictionaries::city(std::uint32_t id) const
{
    std::lock_guard lock(m_mutex);
    const store::CityEntry* c = m_dict.city(id);
    return c ? std::optional<store::CityEntry>(*c) : std::nullopt;
}

std::string SharedDictionaries::asOrganization(std::uint32_t asn) const
{
    std::lock_guard lock(m_mutex);
    return m_dict.asOrganization(asn);
}

std::string SharedDictionaries::netName(std::uint16_t id) const
{
    std::lock_guard lock(m_mutex);
    return m_dict.netName(id);
}

} // namespace flowlens::enrich
