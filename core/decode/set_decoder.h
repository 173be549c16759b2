#pragma once

#include "domain_registry.h"
#include "flow_decoder.h"
#include "sampling_overrides.h"
#include "template_cache.h"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace flowlens::decode {

/// State shared by the protocol decoders of one FlowDecoder.
struct DecoderContext
{
    explicit DecoderContext(const DecoderLimits& l)
        : limits(l)
        , registry(l.maxDomains)
        , templates(l.maxDomains)
    {}

    DecoderLimits limits;
    DomainRegistry registry;
    TemplateCache templates;
    SamplingOverrides overrides;
    std::size_t pendingBytesTotal = 0; ///< data waiting for templates, all domains

    const SamplingOverride* overrideFor(const IpAddress& exporter) const { return overrides.find(exporter); }
};

/// The parts of NetFlow v9 and IPFIX that work alike: (options) template sets, data sets and
/// options data, sampling resolution, and data sets kept until their template arrives.
class SetDecoder
{
public:
    /// One exporter/domain being decoded.
    struct Domain
    {
        DomainKey key;
        DomainState* state = nullptr;
        DomainStats* stats = nullptr;
        const SamplingOverride* samplingOverride = nullptr;
    };

    struct DataResult
    {
        std::uint32_t flows = 0;          ///< data records decoded (biflow reverses not counted)
        std::uint32_t optionsRecords = 0; ///< options data records consumed
        bool missingTemplate = false;     ///< the set's template is unknown (record count unknown)
    };

    explicit SetDecoder(DecoderContext& context);

    /// Parses a template (options == false) or options template set body; learns, replaces or
    /// (IPFIX) withdraws templates, then decodes data sets that were waiting for them into `out`.
    /// Returns the number of template records read (for the v9 header count).
    std::uint32_t templateSet(Domain& d, const std::uint8_t* body, std::size_t length, bool ipfix,
                              bool options, std::vector<FlowRecord>& out);

    /// Decodes a data set body (set id >= 256). Without a template the set is kept for later
    /// (within the pending bounds) and counted as missing.
    DataResult dataSet(Domain& d, std::uint16_t setId, const std::uint8_t* body, std::size_t length,
                       const PacketContext& packet, std::vector<FlowRecord>& out);

    /// Drops pending sets older than the age bound.
    void expirePending(Domain& d, std::uint64_t nowNs);

    /// Compiles a template's layout (v9 options scope fields are not IEs).
    static void compile(Template& t, bool v9);

private:
    DataResult decodeWith(Domain& d, const Template& t, const std::uint8_t* body, std::size_t length,
                          const PacketContext& packet, std::vector<FlowRecord>& out);
    void learn(Domain& d, Template&& t, std::vector<FlowRecord>& out);
    void withdraw(Domain& d, std::uint16_t id, bool options);
    void keepPending(Domain& d, std::uint16_t setId, const std::uint8_t* body, std::size_t length,
                     const PacketContext& packet);
    void count(Domain& d, Anomaly a) { ++d.stats->anomalies[static_cast<std::size_t>(a)]; }

    DecoderContext& m_context;
};

} // namespace flowlens::decode
