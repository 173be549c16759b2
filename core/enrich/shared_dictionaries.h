#pragma once

#include "core/store/dictionary.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace flowlens::enrich {

/// The store's dictionaries as the writer knows them, shared with readers on other threads (the
/// forwarder): the writer adds rows, readers copy single entries under a short lock.
class SharedDictionaries
{
public:
    void add(const store::DictionaryRows& rows);
    void replace(store::Dictionaries all);
    std::optional<store::CityEntry> city(std::uint32_t id) const;
    std::string asOrganization(std::uint32_t asn) const;
    std::string netName(std::uint16_t id) const;

private:
    mutable std::mutex m_mutex;
    store::Dictionaries m_dict;
};

} // namespace flowlens::enrich
