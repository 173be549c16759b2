#pragma once

#include "ip_address.h"

#include <cstdint>
#include <unordered_map>

namespace flowlens::decode {

/// Sampling rate configured for an exporter (see FlowDecoder::setSamplingOverride).
struct SamplingOverride
{
    std::uint64_t rate = 0;
    bool force = false;

    /// The rate to use where the exporter states `stated` (0 = states none).
    std::uint64_t apply(std::uint64_t stated) const { return force || stated == 0 ? rate : stated; }
};

/// Per exporter address sampling overrides, shared by all protocol decoders of one FlowDecoder.
class SamplingOverrides
{
public:
    /// rate 0 removes the exporter's override.
    void set(const IpAddress& exporter, std::uint64_t rate, bool force)
    {
        if (rate == 0)
            m_map.erase(exporter);
        else
            m_map[exporter] = SamplingOverride{rate, force};
    }

    /// nullptr when the exporter has none (cheap when no override is configured at all).
    const SamplingOverride* find(const IpAddress& exporter) const
    {
        if (m_map.empty())
            return nullptr;
        const auto it = m_map.find(exporter);
        return it == m_map.end() ? nullptr : &it->second;
    }

private:
    std::unordered_map<IpAddress, SamplingOverride, IpAddressHash> m_map;
};

} // namespace flowlens::decode
