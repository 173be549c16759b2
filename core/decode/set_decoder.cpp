#include "set_decoder.h"

#include "byte_reader.h"

#include <algorithm>
#include <utility>

namespace flowlens::decode {

namespace {

bool allZero(const std::uint8_t* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i])
            return false;
    return true;
}

// RFC 5103 biflow: the reverse direction of a record becomes a record of its own.
FlowRecord reverseOf(const FlowRecord& f, const RecordScratch& s)
{
    FlowRecord r = f;
    std::swap(r.src_addr, r.dst_addr);
    std::swap(r.src_port, r.dst_port);
    std::swap(r.src_mac, r.dst_mac);
    std::swap(r.in_if, r.out_if);
    std::swap(r.src_as, r.dst_as);
    std::swap(r.src_net, r.dst_net);
    std::swap(r.src_vlan, r.dst_vlan);
    r.bytes = s.reverseBytes;
    r.packets = s.reversePackets;
    return r;
}

} // namespace

SetDecoder::SetDecoder(DecoderContext& context)
    : m_context(context)
{}

void SetDecoder::compile(Template& t, bool v9)
{
    t.v9 = v9;
    t.layout = compileLayout(t.fields, (v9 && t.options) ? t.scopeFieldCount : 0);
}

std::uint32_t SetDecoder::templateSet(Domain& d, const std::uint8_t* body, std::size_t length, bool ipfix,
                                      bool options, std::vector<FlowRecord>& out)
{
    ByteReader r(body, length);
    std::uint32_t records = 0;
    const std::size_t maxFields = m_context.limits.maxTemplateFields;
    // v9 options template header is 6 bytes, IPFIX options 6 (4 for a withdrawal), others 4.
    const std::size_t minHeader = (options && !ipfix) ? 6 : 4;
    while (r.remaining() >= minHeader) {
        if (allZero(r.current(), r.remaining()))
            break; // padding at the end of the set
        Template t;
        t.options = options;
        t.id = r.u16();
        if (!ipfix && options) {
            // RFC 3954 6.1: scope and option lengths are in bytes, 4 per field specifier.
            const std::uint16_t scopeBytes = r.u16();
            const std::uint16_t optionBytes = r.u16();
            if (scopeBytes % 4 || optionBytes % 4 || !r.has(std::size_t(scopeBytes) + optionBytes)) {
                count(d, Anomaly::MalformedTemplate);
                return records;
            }
            t.scopeFieldCount = static_cast<std::uint16_t>(scopeBytes / 4);
            const std::size_t total = std::size_t(scopeBytes + optionBytes) / 4;
            ++records;
            if (total > maxFields) {
                count(d, Anomaly::TemplateLimit);
                r.skip(std::size_t(scopeBytes) + optionBytes);
                continue;
            }
            t.fields.reserve(total);
            for (std::size_t i = 0; i < total; ++i) {
                FieldSpec f;
                f.id = r.u16();
                f.length = r.u16();
                t.fields.push_back(f);
            }
        } else {
            const std::uint16_t fieldCount = r.u16();
            if (fieldCount == 0) {
                ++records;
                if (!ipfix) {
                    count(d, Anomaly::MalformedTemplate);
                    continue;
                }
                withdraw(d, t.id, options);
                continue;
            }
            if (ipfix && options) {
                t.scopeFieldCount = r.u16();
                if (!r.ok() || t.scopeFieldCount == 0 || t.scopeFieldCount > fieldCount) {
                    count(d, Anomaly::MalformedTemplate);
                    return records;
                }
            }
            ++records;
            const bool tooMany = fieldCount > maxFields;
            if (!tooMany)
                t.fields.reserve(fieldCount);
            for (std::size_t i = 0; i < fieldCount; ++i) {
                FieldSpec f;
                const std::uint16_t type = r.u16();
                f.length = r.u16();
                if (ipfix && (type & 0x8000)) {
                    f.id = type & 0x7fff;
                    f.pen = r.u32();
                } else {
                    f.id = type;
                }
                if (!r.ok())
                    break;
                if (!tooMany)
                    t.fields.push_back(f);
            }
            if (!r.ok()) {
                count(d, Anomaly::MalformedTemplate);
                return records;
            }
            if (tooMany) {
                count(d, Anomaly::TemplateLimit);
                continue;
            }
        }
        if (t.id < 256) {
            count(d, Anomaly::MalformedTemplate);
            continue;
        }
        compile(t, !ipfix);
        if (t.layout.badFields)
            d.stats->anomalies[static_cast<std::size_t>(Anomaly::BadFieldLength)] += t.layout.badFields;
        if (t.layout.minLength == 0) {
            // Records of length 0 cannot be delimited; using the template would loop forever.
            count(d, Anomaly::MalformedTemplate);
            continue;
        }
        learn(d, std::move(t), out);
    }
    if (r.remaining() && !allZero(r.current(), r.remaining()))
        count(d, Anomaly::MalformedTemplate);
    return records;
}

void SetDecoder::learn(Domain& d, Template&& t, std::vector<FlowRecord>& out)
{
    DomainState& state = *d.state;
    DomainStats& stats = *d.stats;
    const std::uint16_t id = t.id;
    auto it = state.templates.find(id);
    if (it != state.templates.end()) {
        if (!it->second.sameLayout(t))
            ++stats.templatesChanged;
        it->second = std::move(t);
    } else {
        if (state.templates.size() >= m_context.limits.maxTemplatesPerDomain) {
            count(d, Anomaly::TemplateLimit);
            return;
        }
        it = state.templates.emplace(id, std::move(t)).first;
    }
    ++stats.templatesLearned;
    stats.templatesActive = static_cast<std::uint32_t>(state.templates.size());

    if (state.pending.empty())
        return;
    // Sets that came before this template, decoded in arrival order.
    const Template& tpl = it->second;
    for (auto p = state.pending.begin(); p != state.pending.end();) {
        if (p->templateId != id) {
            ++p;
            continue;
        }
        const PendingSet set = std::move(*p);
        state.pendingBytes -= set.body.size();
        m_context.pendingBytesTotal -= std::min(m_context.pendingBytesTotal, set.body.size());
        p = state.pending.erase(p);
        decodeWith(d, tpl, reinterpret_cast<const std::uint8_t*>(set.body.data()), set.body.size(),
                   set.context, out);
    }
    stats.pendingSets = static_cast<std::uint32_t>(state.pending.size());
}

void SetDecoder::withdraw(Domain& d, std::uint16_t id, bool options)
{
    DomainState& state = *d.state;
    // RFC 7011 8.1: template id 2 (template set) or 3 (options set) withdraws all of that kind.
    if (id == (options ? 3 : 2)) {
        for (auto it = state.templates.begin(); it != state.templates.end();) {
            if (it->second.options == options) {
                it = state.templates.erase(it);
                ++d.stats->templatesWithdrawn;
            } else {
                ++it;
            }
        }
    } else if (state.templates.erase(id)) {
        ++d.stats->templatesWithdrawn;
    }
    d.stats->templatesActive = static_cast<std::uint32_t>(state.templates.size());
}

SetDecoder::DataResult SetDecoder::dataSet(Domain& d, std::uint16_t setId, const std::uint8_t* body,
                                           std::size_t length, const PacketContext& packet,
                                           std::vector<FlowRecord>& out)
{
    const auto it = d.state->templates.find(setId);
    if (it == d.state->templates.end()) {
        ++d.stats->missingTemplateSets;
        d.stats->missingTemplateBytes += length;
        count(d, Anomaly::MissingTemplate);
        keepPending(d, setId, body, length, packet);
        DataResult r;
        r.missingTemplate = true;
        return r;
    }
    return decodeWith(d, it->second, body, length, packet, out);
}

SetDecoder::DataResult SetDecoder::decodeWith(Domain& d, const Template& t, const std::uint8_t* body,
                                              std::size_t length, const PacketContext& packet,
                                              std::vector<FlowRecord>& out)
{
    DataResult result;
    DomainState& state = *d.state;
    DomainStats& stats = *d.stats;
    const CompiledLayout& layout = t.layout;
    if (layout.minLength == 0)
        return result;

    TimeContext time;
    time.receivedNs = packet.receivedNs;
    time.exportSeconds = packet.exportSeconds;
    time.sysUptimeMs = packet.sysUptimeMs;
    time.hasUptime = packet.type == FlowType::NetFlowV9;
    time.hasSystemInit = state.hasSystemInit;
    time.systemInitMs = state.systemInitMs;

    std::size_t pos = 0;
    if (t.options) {
        while (length - pos >= layout.minLength) {
            if (layout.variable && allZero(body + pos, length - pos))
                break;
            FlowRecord scratchRecord;
            RecordScratch s;
            const std::size_t used = decodeRecord(layout, body + pos, length - pos, scratchRecord, s);
            if (used == 0) {
                count(d, layout.variable ? Anomaly::BadVariableLength : Anomaly::TruncatedRecord);
                break;
            }
            pos += used;
            ++result.optionsRecords;
            ++stats.optionsRecords;
            if (const std::uint64_t rate = s.statedRate()) {
                const std::uint32_t selector = (s.have & RecordScratch::HaveSelector) ? s.selectorId : 0;
                state.learnSamplingRate(selector, rate);
                stats.samplingRate = rate;
            }
            if (s.have & RecordScratch::HaveSystemInit) {
                state.hasSystemInit = true;
                state.systemInitMs = s.systemInitMs;
            }
        }
        return result;
    }

    FlowRecord base;
    base.type = packet.type;
    base.time_received_ns = packet.receivedNs;
    base.sampler_address = d.key.exporter.address;
    base.sequence_num = packet.sequence;
    base.observation_domain_id = packet.domainId;

    // Rate for records that state nothing themselves, resolved once per set.
    const SamplingOverride* ovr = d.samplingOverride;
    std::uint64_t setRate = 0;
    if (ovr && ovr->force) {
        setRate = ovr->rate;
    } else {
        setRate = state.defaultSamplingRate();
        if (!setRate && ovr)
            setRate = ovr->rate;
    }
    const bool perRecordRate = layout.hasSampling && !(ovr && ovr->force);
    const std::size_t before = out.size();

    // Sets are padded to 4 bytes; with records shorter than that the zero fill looks like more
    // records. After the first record, a zero tail that only completes the 4-byte alignment is
    // padding (RFC 3954 5.3 / RFC 7011 3.3.1).
    const bool tinyRecords = !layout.variable && layout.fixedLength < 4;
    while (length - pos >= layout.minLength) {
        if (layout.variable && allZero(body + pos, length - pos))
            break; // padding
        if (tinyRecords && pos > 0 && length - pos < 4 && (length + 4) % 4 == 0 &&
            allZero(body + pos, length - pos))
            break;
        FlowRecord& rec = out.emplace_back(base);
        RecordScratch s;
        const std::size_t used = decodeRecord(layout, body + pos, length - pos, rec, s);
        if (used == 0) {
            out.pop_back();
            count(d, layout.variable ? Anomaly::BadVariableLength : Anomaly::TruncatedRecord);
            break;
        }
        pos += used;
        if (layout.hasPacketSection)
            applyPacketSection(rec, s, layout, m_context.limits.decapsulation);
        finalizeRecord(rec, s, time);
        std::uint64_t rate = setRate;
        if (perRecordRate) {
            std::uint64_t stated = s.statedRate();
            if (!stated && (s.have & RecordScratch::HaveSelector))
                stated = state.samplingRate(s.selectorId);
            if (stated)
                rate = stated;
        }
        rec.sampling_rate = rate;
        ++result.flows;
        if (layout.hasReverse && m_context.limits.emitReverseFlows && (s.reverseBytes || s.reversePackets))
            out.push_back(reverseOf(rec, s));
    }
    if (out.size() > before) {
        stats.flows += out.size() - before;
        if (out.back().sampling_rate)
            stats.samplingRate = out.back().sampling_rate;
    }
    // Whatever is left must be padding: shorter than a record (checked by the loop) and zero.
    if (pos < length && !allZero(body + pos, length - pos) && length - pos >= layout.minLength)
        count(d, Anomaly::TruncatedRecord);
    return result;
}

void SetDecoder::keepPending(Domain& d, std::uint16_t setId, const std::uint8_t* body, std::size_t length,
                             const PacketContext& packet)
{
    const DecoderLimits& limits = m_context.limits;
    DomainState& state = *d.state;
    if (limits.maxPendingSets == 0 || length > limits.maxPendingBytes) {
        ++d.stats->pendingExpired;
        return;
    }
    // Make room by dropping this domain's oldest.
    while (!state.pending.empty() && (state.pending.size() >= limits.maxPendingSets ||
                                      state.pendingBytes + length > limits.maxPendingBytes)) {
        state.pendingBytes -= state.pending.front().body.size();
        m_context.pendingBytesTotal -=
            std::min(m_context.pendingBytesTotal, state.pending.front().body.size());
        state.pending.pop_front();
        ++d.stats->pendingExpired;
    }
    // Other domains' data is never evicted for this one: past the global bound, this set is dropped.
    if (m_context.pendingBytesTotal + length > limits.maxPendingBytesTotal) {
        ++d.stats->pendingExpired;
        d.stats->pendingSets = static_cast<std::uint32_t>(state.pending.size());
        return;
    }
    m_context.pendingBytesTotal += length;
    PendingSet set;
    set.templateId = setId;
    set.context = packet;
    const auto* b = reinterpret_cast<const std::byte*>(body);
    set.body.assign(b, b + length);
    state.pendingBytes += length;
    state.pending.push_back(std::move(set));
    d.stats->pendingSets = static_cast<std::uint32_t>(state.pending.size());
}

void SetDecoder::expirePending(Domain& d, std::uint64_t nowNs)
{
    DomainState& state = *d.state;
    const std::uint64_t maxAge = m_context.limits.maxPendingAgeNs;
    while (!state.pending.empty()) {
        const std::uint64_t at = state.pending.front().context.receivedNs;
        if (nowNs <= at || nowNs - at <= maxAge)
            break;
        state.pendingBytes -= state.pending.front().body.size();
        m_context.pendingBytesTotal -=
            std::min(m_context.pendingBytesTotal, state.pending.front().body.size());
        state.pending.pop_front();
        ++d.stats->pendingExpired;
    }
    d.stats->pendingSets = static_cast<std::uint32_t>(state.pending.size());
}

} // namespace flowlens::decode
