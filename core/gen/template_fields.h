#pragma once

#include "core/decode/flow_record.h"
#include "core/gen/byte_writer.h"

#include <cstdint>
#include <optional>
#include <span>

namespace flowlens::gen {

/// One field specifier of a NetFlow v9 / IPFIX template: information element id and length.
struct TemplateField
{
    std::uint16_t id;
    std::uint16_t length;
};

/// Template ids used by the generator's v9 and IPFIX exporters.
inline constexpr std::uint16_t kTemplateIpv4 = 256;
inline constexpr std::uint16_t kTemplateIpv6 = 257;
inline constexpr std::uint16_t kTemplateSampling = 258;

/// The data templates the encoders announce (v9 uses FIRST/LAST_SWITCHED relative to sysUptime,
/// IPFIX flowStart/EndMilliseconds).
std::span<const TemplateField> v9Ipv4Template();
std::span<const TemplateField> v9Ipv6Template();
std::span<const TemplateField> ipfixIpv4Template();
std::span<const TemplateField> ipfixIpv6Template();
/// Sum of the field lengths.
std::size_t recordLength(std::span<const TemplateField> fields);
/// Byte offset of information element `id` inside a record laid out by `fields`.
std::optional<std::size_t> fieldOffset(std::span<const TemplateField> fields, std::uint16_t id);

/// Writes one field of `flow` in the template's length (network order, low-order bytes kept).
/// `bootMs` anchors the v9 sysUptime-relative times (ids 21, 22).
void writeTemplateField(ByteWriter& w, TemplateField field, const decode::FlowRecord& flow,
                        std::uint64_t bootMs);

} // namespace flowlens::gen
