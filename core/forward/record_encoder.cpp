#include "record_encoder.h"

#include "core/query/flow_format.h"

#include <charconv>

namespace flowlens::forward {

namespace {

void appendMember(std::string& out, std::string_view name, std::uint64_t value)
{
    out.append(",\"");
    out.append(name);
    out.append("\":");
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    (void)ec;
    out.append(buf, end);
}

} // namespace

void RecordEncoder::append(std::string& out, const decode::FlowRecord& r, std::uint64_t restampUs) const
{
    out.push_back('{');
    query::appendFlowJsonMembers(out, r);
    const std::uint64_t originalUs = r.time_received_ns / 1000;
    appendMember(out, "_timestamp", restampUs ? restampUs : originalUs);
    if (restampUs)
        appendMember(out, "original_timestamp", originalUs);
    appendMember(out, "bytes_scaled", r.scaledBytes());
    appendMember(out, "packets_scaled", r.scaledPackets());
    if (m_enricher)
        m_enricher->appendFields(out, r);
    out.push_back('}');
}

} // namespace flowlens::forward
