#include "flow_encoder.h"

#include "core/gen/ipfix_encoder.h"
#include "core/gen/netflow_v5_encoder.h"
#include "core/gen/netflow_v9_encoder.h"
#include "core/gen/sflow_encoder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace flowlens::gen {

namespace {
constexpr std::size_t kUdpPayloadLimit = 65000;
constexpr std::uint64_t kDefaultUptimeMs = 3'600'000;
} // namespace

bool FlowEncoder::canEncode(const decode::FlowRecord&) const
{
    return true;
}

std::uint64_t FlowEncoder::bootMs(std::uint64_t nowNs)
{
    if (m_bootMs == 0) {
        const std::uint64_t nowMs = nowNs / 1'000'000;
        m_bootMs = m_options.bootTimeNs ? m_options.bootTimeNs / 1'000'000
                                        : nowMs - std::min(nowMs - 1, kDefaultUptimeMs);
    }
    return m_bootMs;
}

std::size_t FlowEncoder::datagramBudget() const
{
    return m_options.recordsPerDatagram > 0
               ? kUdpPayloadLimit
               : std::clamp<std::size_t>(m_options.maxDatagramBytes, 256, kUdpPayloadLimit);
}

std::unique_ptr<FlowEncoder> makeEncoder(decode::Protocol protocol, const EncoderOptions& options)
{
    switch (protocol) {
    case decode::Protocol::NetFlowV5:
        return std::make_unique<NetflowV5Encoder>(options);
    case decode::Protocol::NetFlowV9:
        return std::make_unique<NetflowV9Encoder>(options);
    case decode::Protocol::Ipfix:
        return std::make_unique<IpfixEncoder>(options);
    case decode::Protocol::SFlowV5:
        return std::make_unique<SflowEncoder>(options);
    case decode::Protocol::Unknown:
        break;
    }
    return nullptr;
}

std::string_view protocolName(decode::Protocol protocol)
{
    switch (protocol) {
    case decode::Protocol::NetFlowV5:
        return "netflow-v5";
    case decode::Protocol::NetFlowV9:
        return "netflow-v9";
    case decode::Protocol::Ipfix:
        return "ipfix";
    case decode::Protocol::SFlowV5:
        return "sflow-v5";
    case decode::Protocol::Unknown:
        break;
    }
    return "unknown";
}

std::optional<decode::Protocol> parseProtocol(std::string_view name)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    struct Alias
    {
        std::string_view name;
        decode::Protocol protocol;
    };
    static constexpr std::array<Alias, 11> kAliases{{
        {"v5", decode::Protocol::NetFlowV5},
        {"netflow5", decode::Protocol::NetFlowV5},
        {"netflow-v5", decode::Protocol::NetFlowV5},
        {"v9", decode::Protocol::NetFlowV9},
        {"netflow9", decode::Protocol::NetFlowV9},
        {"netflow-v9", decode::Protocol::NetFlowV9},
        {"ipfix", decode::Protocol::Ipfix},
        {"v10", decode::Protocol::Ipfix},
        {"sflow", decode::Protocol::SFlowV5},
        {"sflow5", decode::Protocol::SFlowV5},
        {"sflow-v5", decode::Protocol::SFlowV5},
    }};
    for (const auto& a : kAliases)
        if (a.name == lower)
            return a.protocol;
    return std::nullopt;
}

std::uint16_t defaultPort(decode::Protocol protocol)
{
    switch (protocol) {
    case decode::Protocol::Ipfix:
        return 4739;
    case decode::Protocol::SFlowV5:
        return 6343;
    default:
        return 2055;
    }
}

} // namespace flowlens::gen
