#pragma once

#include "core/gen/flow_encoder.h"

#include <vector>

namespace flowlens::gen {

/// IPFIX (RFC 7011) messages over UDP. A template set (IPv4 template 256, IPv6 template 257, see
/// template_fields.h; times as flowStart/EndMilliseconds) leads the first message and is repeated
/// every templateRefreshDatagrams messages or templateRefreshSeconds; when the exporter samples,
/// an options template (258: scope observationDomainId; selectorAlgorithm 1 = systematic
/// count-based, samplingPacketInterval 1, samplingPacketSpace N-1, RFC 5477) and its record ride
/// along. IPv4 records come first, then IPv6 records, one data set each. The header's sequence
/// number counts the data records sent before the message (the options record included, as RFC
/// 7011 section 3.1 says); template records do not count.
class IpfixEncoder final : public FlowEncoder
{
public:
    static constexpr std::size_t kHeaderBytes = 16;

    explicit IpfixEncoder(const EncoderOptions& options);

    decode::Protocol protocol() const override { return decode::Protocol::Ipfix; }
    std::size_t encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                       DatagramBatch& out) override;
    decode::FlowRecord expectedDecode(const decode::FlowRecord& flow) const override;

private:
    bool templatesDue(std::uint64_t nowNs) const;
    /// Writes the template set (and the sampling options); returns the data records written.
    std::uint32_t writeTemplates(std::vector<std::byte>& buffer);

    std::uint32_t m_sequence = 0;
    int m_sinceTemplates = 0;
    std::uint64_t m_lastTemplatesNs = 0;
    bool m_templatesSent = false;
    std::vector<std::size_t> m_v4, m_v6;
};

} // namespace flowlens::gen
