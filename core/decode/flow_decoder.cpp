#include "flow_decoder.h"

#include "byte_reader.h"
#include "ipfix.h"
#include "netflow_v5.h"
#include "netflow_v9.h"
#include "set_decoder.h"
#include "sflow.h"

#include <cstring>

namespace flowlens::decode {

namespace {

// Saved template state: "FLTC", format version, then one entry per exporter/domain.
constexpr std::uint8_t kMagic[4] = {'F', 'L', 'T', 'C'};
constexpr std::uint16_t kFormatVersion = 1;

class Writer
{
public:
    void u8(std::uint8_t v) { m_out.push_back(std::byte{v}); }
    void u16(std::uint16_t v)
    {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v)
    {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void u64(std::uint64_t v)
    {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void raw(const std::uint8_t* p, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i)
            u8(p[i]);
    }
    std::vector<std::byte> take() { return std::move(m_out); }

private:
    std::vector<std::byte> m_out;
};

} // namespace

Protocol detectProtocol(std::span<const std::byte> datagram)
{
    if (datagram.size() < 2)
        return Protocol::Unknown;
    const auto* p = reinterpret_cast<const std::uint8_t*>(datagram.data());
    if (datagram.size() >= 4 && loadBe32(p) == 5)
        return Protocol::SFlowV5;
    switch (loadBe16(p)) {
    case 5:
        return Protocol::NetFlowV5;
    case 9:
        return Protocol::NetFlowV9;
    case 10:
        return Protocol::Ipfix;
    default:
        return Protocol::Unknown;
    }
}

struct FlowDecoder::Impl
{
    explicit Impl(const DecoderLimits& limits)
        : context(limits)
        , v5(context)
        , v9(context)
        , ipfix(context)
        , sflow(context.registry, &context.overrides, limits.decapsulation)
    {}

    DecoderContext context;
    NetflowV5Decoder v5;
    NetflowV9Decoder v9;
    IpfixDecoder ipfix;
    SFlowDecoder sflow;
    std::uint64_t datagrams = 0;
};

FlowDecoder::FlowDecoder(DecoderLimits limits)
    : d(std::make_unique<Impl>(limits))
{}

FlowDecoder::~FlowDecoder() = default;

std::size_t FlowDecoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                std::uint64_t receivedNs, std::vector<FlowRecord>& out)
{
    return decode(datagram, from, receivedNs, out, nullptr);
}

std::size_t FlowDecoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                std::uint64_t receivedNs, std::vector<FlowRecord>& out,
                                std::vector<InterfaceCounters>* counters)
{
    ++d->datagrams;
    switch (detectProtocol(datagram)) {
    case Protocol::NetFlowV5:
        return d->v5.decode(datagram, from, receivedNs, out);
    case Protocol::NetFlowV9:
        return d->v9.decode(datagram, from, receivedNs, out);
    case Protocol::Ipfix:
        return d->ipfix.decode(datagram, from, receivedNs, out);
    case Protocol::SFlowV5:
        return d->sflow.decode(datagram, from, receivedNs, out, counters);
    case Protocol::Unknown:
        break;
    }
    auto& unattributed = d->context.registry.unattributed();
    ++unattributed[static_cast<std::size_t>(datagram.size() < 4 ? Anomaly::TruncatedHeader
                                                                : Anomaly::UnknownProtocol)];
    return 0;
}

void FlowDecoder::setSamplingOverride(const IpAddress& exporter, std::uint64_t rate, bool force)
{
    d->context.overrides.set(exporter, rate, force);
}

std::vector<std::byte> FlowDecoder::saveTemplates() const
{
    Writer w;
    w.raw(kMagic, sizeof kMagic);
    w.u16(kFormatVersion);
    const auto& domains = d->context.templates.domains();
    w.u32(static_cast<std::uint32_t>(domains.size()));
    for (const auto& [key, state] : domains) {
        w.raw(key.exporter.address.bytes.data(), 16);
        w.u16(key.exporter.port);
        w.u32(key.domain);
        w.u8(state.hasSystemInit ? 1 : 0);
        w.u64(state.systemInitMs);
        w.u16(static_cast<std::uint16_t>(state.samplingRates.size()));
        for (const auto& [id, rate] : state.samplingRates) {
            w.u32(id);
            w.u64(rate);
        }
        w.u16(static_cast<std::uint16_t>(state.templates.size()));
        for (const auto& [id, t] : state.templates) {
            w.u16(t.id);
            w.u8(static_cast<std::uint8_t>((t.options ? 1 : 0) | (t.v9 ? 2 : 0)));
            w.u16(t.scopeFieldCount);
            w.u16(static_cast<std::uint16_t>(t.fields.size()));
            for (const FieldSpec& f : t.fields) {
                w.u16(f.id);
                w.u16(f.length);
                w.u32(f.pen);
            }
        }
    }
    return w.take();
}

bool FlowDecoder::loadTemplates(std::span<const std::byte> data)
{
    const DecoderLimits& limits = d->context.limits;
    ByteReader r(data);
    std::uint8_t magic[4];
    for (auto& m : magic)
        m = r.u8();
    if (!r.ok() || std::memcmp(magic, kMagic, 4) != 0 || r.u16() != kFormatVersion)
        return false;
    const std::uint32_t domainCount = r.u32();
    if (!r.ok() || domainCount > limits.maxDomains)
        return false;

    // Parse everything first so that bad input changes nothing.
    std::vector<std::pair<DomainKey, DomainState>> loaded;
    loaded.reserve(domainCount);
    for (std::uint32_t i = 0; i < domainCount; ++i) {
        DomainKey key;
        for (auto& b : key.exporter.address.bytes)
            b = r.u8();
        key.exporter.port = r.u16();
        key.domain = r.u32();
        DomainState state;
        state.hasSystemInit = r.u8() != 0;
        state.systemInitMs = r.u64();
        const std::uint16_t rateCount = r.u16();
        if (!r.ok() || rateCount > DomainState::kMaxSamplingRates)
            return false;
        for (std::uint16_t k = 0; k < rateCount; ++k) {
            const std::uint32_t id = r.u32();
            const std::uint64_t rate = r.u64();
            state.samplingRates.emplace_back(id, rate);
        }
        const std::uint16_t templateCount = r.u16();
        if (!r.ok() || templateCount > limits.maxTemplatesPerDomain)
            return false;
        for (std::uint16_t k = 0; k < templateCount; ++k) {
            Template t;
            t.id = r.u16();
            const std::uint8_t flags = r.u8();
            t.options = flags & 1;
            t.scopeFieldCount = r.u16();
            const std::uint16_t fieldCount = r.u16();
            if (!r.ok() || t.id < 256 || fieldCount == 0 || fieldCount > limits.maxTemplateFields ||
                t.scopeFieldCount > fieldCount || !r.has(std::size_t(fieldCount) * 8))
                return false;
            t.fields.resize(fieldCount);
            for (FieldSpec& f : t.fields) {
                f.id = r.u16();
                f.length = r.u16();
                f.pen = r.u32();
            }
            SetDecoder::compile(t, (flags & 2) != 0);
            if (t.layout.minLength == 0)
                return false;
            const std::uint16_t id = t.id;
            state.templates.insert_or_assign(id, std::move(t));
        }
        if (!r.ok())
            return false;
        loaded.emplace_back(key, std::move(state));
    }
    if (r.remaining() != 0)
        return false;

    auto& domains = d->context.templates.domains();
    std::size_t newDomains = 0;
    for (const auto& entry : loaded)
        newDomains += domains.count(entry.first) ? 0 : 1;
    if (domains.size() + newDomains > limits.maxDomains)
        return false;
    for (auto& [key, state] : loaded) {
        DomainState& target = domains[key];
        target.templates = std::move(state.templates);
        target.samplingRates = std::move(state.samplingRates);
        target.hasSystemInit = state.hasSystemInit;
        target.systemInitMs = state.systemInitMs;
    }
    return true;
}

void FlowDecoder::forEachDomain(const std::function<void(const DomainKey&, const DomainStats&)>& visit) const
{
    d->context.registry.forEach(visit);
}

const AnomalyCounters& FlowDecoder::unattributedAnomalies() const
{
    return d->context.registry.unattributed();
}

std::uint64_t FlowDecoder::datagrams() const
{
    return d->datagrams;
}

} // namespace flowlens::decode
