#include "alert_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

namespace flowlens::alert {

namespace {

// Seconds of silence evaluated one by one after a gap; a longer gap (a paused import, a suspended
// laptop) is skipped rather than replayed second by second.
constexpr std::int64_t kMaxGapSeconds = 900;
// Idle keys of baseline rules are forgotten after this long (their baseline has decayed anyway).
constexpr std::int64_t kBaselineIdleSeconds = 600;

std::uint64_t mix(std::uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t hash16(const std::uint8_t* p)
{
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    return mix(a ^ mix(b + 0x9e3779b97f4a7c15ULL));
}

/// Set of 64-bit hashes (0 is the empty slot) counting distinct items per second: cleared every
/// second, grows by doubling up to a bound past which further items are not counted.
class HashSet64
{
public:
    bool insert(std::uint64_t h, std::size_t maxSize)
    {
        if (h == 0)
            h = 1;
        if ((m_size + 1) * 2 > m_slots.size()) {
            if (m_size >= maxSize)
                return false;
            grow();
        }
        std::size_t i = h & (m_slots.size() - 1);
        while (m_slots[i] != 0) {
            if (m_slots[i] == h)
                return false;
            i = (i + 1) & (m_slots.size() - 1);
        }
        m_slots[i] = h;
        ++m_size;
        return true;
    }
    void clear()
    {
        if (m_size)
            std::fill(m_slots.begin(), m_slots.end(), 0);
        m_size = 0;
    }

private:
    void grow()
    {
        std::vector<std::uint64_t> old = std::move(m_slots);
        m_slots.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
        m_size = 0;
        for (std::uint64_t h : old)
            if (h) {
                std::size_t i = h & (m_slots.size() - 1);
                while (m_slots[i] != 0)
                    i = (i + 1) & (m_slots.size() - 1);
                m_slots[i] = h;
                ++m_size;
            }
    }
    std::vector<std::uint64_t> m_slots;
    std::size_t m_size = 0;
};

struct KeyHash
{
    std::size_t operator()(const std::array<std::uint8_t, 16>& k) const noexcept { return hash16(k.data()); }
};

bool isDistinct(Metric m)
{
    return m == Metric::DistinctSources || m == Metric::DistinctDestinations || m == Metric::DistinctPorts;
}

bool spikeUp(Comparison c)
{
    return c == Comparison::Greater || c == Comparison::GreaterOrEqual;
}

QString keyText(GroupBy by, const std::array<std::uint8_t, 16>& key)
{
    switch (by) {
    case GroupBy::None:
        return {};
    case GroupBy::Port:
        return QString::number(unsigned(key[0]) << 8 | key[1]);
    case GroupBy::Source:
    case GroupBy::Destination:
    case GroupBy::Exporter: {
        decode::IpAddress a;
        a.bytes = key;
        return QString::fromStdString(a.toString());
    }
    }
    return {};
}

} // namespace

struct AlertEngine::KeyState
{
    double current = 0; ///< the open second's value
    double mean = 0;
    double dev = 0;
    std::int64_t learned = 0; ///< seconds the baseline has seen
    std::int64_t breachSince = -1;
    std::int64_t clearSince = -1;
    std::int64_t quietUntil = std::numeric_limits<std::int64_t>::min();
    std::int64_t lastActive = 0;
    std::vector<AlertSample> ring; ///< recent seconds, oldest first once full (head = next write)
    std::size_t ringHead = 0;
    std::optional<AlertEvent> event;
    std::size_t samplesReported = 0;
};

struct AlertEngine::RuleState
{
    explicit RuleState(AlertRule r)
        : rule(std::move(r))
        , filterAll(rule.filter.matchesEverything())
        , ringCapacity(rule.by == GroupBy::None ? 60 : 20)
    {}
    AlertRule rule;
    bool filterAll = true;
    std::size_t ringCapacity;
    KeyState global;
    std::unordered_map<Key, KeyState, KeyHash> keys;
    HashSet64 seen;
};

AlertEngine::AlertEngine(EngineOptions options)
    : m_options(options)
{}

AlertEngine::~AlertEngine() = default;

std::size_t AlertEngine::ruleCount() const
{
    return m_rules.size();
}

void AlertEngine::setRules(std::vector<AlertRule> rules)
{
    std::vector<std::unique_ptr<RuleState>> next;
    next.reserve(rules.size());
    for (auto& rule : rules) {
        auto it = std::find_if(m_rules.begin(), m_rules.end(), [&](const std::unique_ptr<RuleState>& rs) {
            return rs && rs->rule.sameDefinition(rule);
        });
        if (it != m_rules.end())
            next.push_back(std::move(*it));
        else
            next.push_back(std::make_unique<RuleState>(std::move(rule)));
    }
    // What is left was removed or changed: its alerts end now.
    const std::int64_t now = std::max<std::int64_t>(m_second, 0);
    for (auto& rs : m_rules) {
        if (!rs)
            continue;
        if (rs->global.event)
            resolve(*rs, rs->global, now);
        for (auto& [key, ks] : rs->keys)
            if (ks.event)
                resolve(*rs, ks, now);
    }
    m_rules = std::move(next);
    if (m_rules.empty())
        m_second = -1;
}

void AlertEngine::add(std::span<const decode::FlowRecord> flows)
{
    if (m_rules.empty())
        return;
    for (const auto& r : flows) {
        const auto second = std::int64_t(r.time_received_ns / 1000000000ull);
        if (m_second < 0)
            m_second = second;
        else if (second > m_second)
            closeSecondsThrough(second - 1);
        for (auto& rs : m_rules)
            accumulate(*rs, r);
    }
}

void AlertEngine::accumulate(RuleState& rs, const decode::FlowRecord& r)
{
    if (!rs.filterAll && !rs.rule.filter.matches(r))
        return;
    KeyState* ks = &rs.global;
    std::uint64_t keyHash = 0;
    if (rs.rule.by != GroupBy::None) {
        Key key{};
        switch (rs.rule.by) {
        case GroupBy::Source:
            key = r.src_addr.bytes;
            break;
        case GroupBy::Destination:
            key = r.dst_addr.bytes;
            break;
        case GroupBy::Exporter:
            key = r.sampler_address.bytes;
            break;
        case GroupBy::Port:
            key[0] = std::uint8_t(r.dst_port >> 8);
            key[1] = std::uint8_t(r.dst_port);
            break;
        case GroupBy::None:
            break;
        }
        auto it = rs.keys.find(key);
        if (it == rs.keys.end()) {
            if (rs.keys.size() >= m_options.maxKeysPerRule)
                return;
            it = rs.keys.emplace(key, KeyState{}).first;
        }
        ks = &it->second;
        keyHash = hash16(key.data());
    }
    const double scale = r.sampling_rate > 1 ? double(r.sampling_rate) : 1.0;
    switch (rs.rule.condition.metric) {
    case Metric::BytesPerSecond:
        ks->current += double(r.bytes) * scale;
        return;
    case Metric::PacketsPerSecond:
        ks->current += double(r.packets) * scale;
        return;
    case Metric::FlowsPerSecond:
        ks->current += 1;
        return;
    case Metric::DistinctSources:
    case Metric::DistinctDestinations:
    case Metric::DistinctPorts: {
        std::uint64_t item = 0;
        if (rs.rule.condition.metric == Metric::DistinctSources)
            item = hash16(r.src_addr.bytes.data());
        else if (rs.rule.condition.metric == Metric::DistinctDestinations)
            item = hash16(r.dst_addr.bytes.data());
        else
            item = mix(std::uint64_t(r.dst_port) + 0x51ed27ULL);
        if (rs.seen.insert(mix(keyHash ^ item), m_options.maxDistinctPerSecond))
            ks->current += 1;
        return;
    }
    }
}

void AlertEngine::advanceTo(std::uint64_t nowNs)
{
    if (m_rules.empty())
        return;
    const auto nowS = std::int64_t(nowNs / 1000000000ull);
    const std::int64_t last = nowS - m_options.graceSeconds - 1;
    if (m_second < 0)
        m_second = last + 1;
    if (last >= m_second)
        closeSecondsThrough(last);
}

void AlertEngine::finish(std::uint64_t nowNs)
{
    if (m_second >= 0)
        closeSecondsThrough(m_second);
    const auto nowS = std::max(std::int64_t(nowNs / 1000000000ull), m_second);
    for (auto& rs : m_rules) {
        if (rs->global.event)
            resolve(*rs, rs->global, nowS);
        for (auto& [key, ks] : rs->keys)
            if (ks.event)
                resolve(*rs, ks, nowS);
    }
}

void AlertEngine::closeSecondsThrough(std::int64_t second)
{
    if (second - m_second > kMaxGapSeconds) {
        closeSecond(m_second);
        m_second = second - kMaxGapSeconds + 1;
    }
    while (m_second <= second)
        closeSecond(m_second++);
}

void AlertEngine::closeSecond(std::int64_t second)
{
    for (auto& rsp : m_rules) {
        RuleState& rs = *rsp;
        if (rs.rule.by == GroupBy::None) {
            evaluate(rs, Key{}, rs.global, second, rs.global.current);
            rs.global.current = 0;
        } else {
            const std::int64_t idle = rs.rule.condition.baseline ? kBaselineIdleSeconds : 1;
            for (auto it = rs.keys.begin(); it != rs.keys.end();) {
                KeyState& ks = it->second;
                evaluate(rs, it->first, ks, second, ks.current);
                ks.current = 0;
                if (!ks.event && ks.breachSince < 0 && second >= ks.quietUntil &&
                    second - ks.lastActive >= idle)
                    it = rs.keys.erase(it);
                else
                    ++it;
            }
        }
        if (isDistinct(rs.rule.condition.metric))
            rs.seen.clear();
    }
}

void AlertEngine::evaluate(RuleState& rs, const Key& key, KeyState& ks, std::int64_t second, double value)
{
    const Condition& c = rs.rule.condition;
    double threshold = c.threshold;
    if (c.baseline) {
        threshold = ks.learned >= kBaselineWarmupS
                        ? ks.mean + c.deviations * std::max({ks.dev, ks.mean / 4, 1.0})
                        : std::numeric_limits<double>::quiet_NaN();
    }
    const bool breach = !std::isnan(threshold) && compare(c.comparison, value, threshold);
    if (value > 0)
        ks.lastActive = second;
    if (c.baseline) {
        // A plain average while warming up (fast, unbiased start), then the EWMA.
        double alpha = std::max(1.0 / double(ks.learned + 1), 1.0 - std::exp(-1.0 / kBaselineTimeConstantS));
        if (breach)
            alpha /= 10;
        const double err = value - ks.mean;
        ks.mean += alpha * err;
        ks.dev += alpha * (std::fabs(err) - ks.dev);
        ++ks.learned;
    }
    const AlertSample sample{second, value, threshold};
    if (ks.ring.size() < rs.ringCapacity) {
        ks.ring.push_back(sample);
    } else {
        ks.ring[ks.ringHead] = sample;
        ks.ringHead = (ks.ringHead + 1) % ks.ring.size();
    }
    const std::int64_t hold = std::max<std::int64_t>(1, rs.rule.forSeconds);

    if (ks.event) {
        AlertEvent& e = *ks.event;
        if (e.samples.size() < kMaxEventSamples)
            e.samples.push_back(sample);
        e.peak = spikeUp(c.comparison) ? std::max(e.peak, value) : std::min(e.peak, value);
        if (breach) {
            ks.clearSince = -1;
        } else {
            if (ks.clearSince < 0)
                ks.clearSince = second;
            if (second - ks.clearSince + 1 >= hold)
                resolve(rs, ks, ks.clearSince);
        }
        return;
    }
    if (!breach) {
        ks.breachSince = -1;
        return;
    }
    if (ks.breachSince < 0)
        ks.breachSince = second;
    if (second - ks.breachSince + 1 < hold || second < ks.quietUntil)
        return;

    AlertEvent e;
    e.serial = ++m_fired;
    e.rule = rs.rule.name;
    e.key = keyText(rs.rule.by, key);
    e.expression = rs.rule.expression;
    e.metric = c.metric;
    e.by = rs.rule.by;
    e.filterText = rs.rule.filterText;
    e.startedNs = std::uint64_t(ks.breachSince) * 1000000000ull;
    e.firedNs = std::uint64_t(second + 1) * 1000000000ull;
    e.value = value;
    e.threshold = threshold;
    e.peak = value;
    e.samples.reserve(ks.ring.size());
    for (std::size_t i = 0; i < ks.ring.size(); ++i)
        e.samples.push_back(ks.ring[(ks.ringHead + i) % ks.ring.size()]);
    ks.samplesReported = e.samples.size();
    ks.breachSince = -1;
    ks.clearSince = -1;
    m_changes.push_back(e);
    ks.event = std::move(e);
}

void AlertEngine::resolve(RuleState& rs, KeyState& ks, std::int64_t endSecond)
{
    ks.event->resolvedNs = std::uint64_t(std::max<std::int64_t>(endSecond, 0)) * 1000000000ull;
    if (ks.event->resolvedNs < ks.event->firedNs)
        ks.event->resolvedNs = ks.event->firedNs; // stopped or changed in the second it fired
    m_changes.push_back(std::move(*ks.event));
    ks.event.reset();
    ks.breachSince = -1;
    ks.clearSince = -1;
    ks.quietUntil = endSecond + rs.rule.cooldownSeconds;
}

std::vector<AlertEvent> AlertEngine::takeChanges(std::int64_t updateEverySeconds)
{
    std::vector<AlertEvent> out;
    std::map<std::uint64_t, std::size_t> index; // an alert that fired and resolved since: the latest copy
    for (auto& e : m_changes) {
        auto [it, inserted] = index.try_emplace(e.serial, out.size());
        if (inserted)
            out.push_back(std::move(e));
        else
            out[it->second] = std::move(e);
    }
    m_changes.clear();
    auto report = [&](KeyState& ks) {
        if (!ks.event || index.count(ks.event->serial))
            return;
        if (std::int64_t(ks.event->samples.size() - ks.samplesReported) >= updateEverySeconds) {
            ks.samplesReported = ks.event->samples.size();
            out.push_back(*ks.event);
        }
    };
    for (auto& rs : m_rules) {
        report(rs->global);
        for (auto& [key, ks] : rs->keys)
            report(ks);
    }
    return out;
}

std::vector<AlertEvent> AlertEngine::active() const
{
    std::vector<AlertEvent> out;
    for (const auto& rs : m_rules) {
        if (rs->global.event)
            out.push_back(*rs->global.event);
        for (const auto& [key, ks] : rs->keys)
            if (ks.event)
                out.push_back(*ks.event);
    }
    return out;
}

} // namespace flowlens::alert
