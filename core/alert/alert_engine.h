#pragma once

#include "core/alert/alert_event.h"
#include "core/alert/alert_rule.h"
#include "core/decode/flow_record.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace flowlens::alert {

struct EngineOptions
{
    std::size_t maxKeysPerRule = 10000; ///< keys tracked per keyed rule; further new keys are not evaluated
    std::size_t maxDistinctPerSecond = 1 << 20; ///< distinct items counted per rule and second
    std::int64_t graceSeconds = 2; ///< advanceTo() leaves this many seconds open for flows still on their way
};

/// Evaluates alert rules on flows as the writer receives them, one second at a time.
///
/// Why per second on the flow batches rather than on the per-minute rollups: a minute closes only
/// after its grace time, so a rule on rollups could fire a minute or more after the spike began and
/// could not express "--for 10s". The per-flow cost is one filter test (skipped for "all traffic"),
/// one key hash lookup for keyed rules and a few additions per rule; nothing when there are no rules.
/// Seconds are taken from time_received_ns; a second is evaluated when a later second's flow
/// arrives or when advanceTo() passes it (so conditions also resolve when traffic stops).
///
/// Single-threaded: the collector runs it on its writer thread.
class AlertEngine
{
public:
    explicit AlertEngine(EngineOptions options = {});
    ~AlertEngine();
    AlertEngine(const AlertEngine&) = delete;
    AlertEngine& operator=(const AlertEngine&) = delete;

    /// Replaces the rule set; rules whose definition did not change keep their state (baselines,
    /// active alerts). Alerts of removed or changed rules resolve at the current second.
    void setRules(std::vector<AlertRule> rules);
    std::size_t ruleCount() const;

    /// Hot path: accumulates flows into the open second of every rule.
    void add(std::span<const decode::FlowRecord> flows);
    /// Evaluates every second that ended more than graceSeconds before `nowNs`.
    void advanceTo(std::uint64_t nowNs);
    /// Evaluates the open second and resolves every active alert at `nowNs` (collector stopping).
    void finish(std::uint64_t nowNs);

    /// Alerts that fired or resolved since the last call, and active ones whose samples grew by
    /// at least `updateEverySeconds`; each at most once.
    std::vector<AlertEvent> takeChanges(std::int64_t updateEverySeconds = 10);
    /// Every alert firing now, with its samples.
    std::vector<AlertEvent> active() const;
    /// Alerts fired since construction.
    std::uint64_t firedCount() const { return m_fired; }
    /// The second being accumulated (-1 before the first flow or advanceTo()).
    std::int64_t openSecond() const { return m_second; }

private:
    struct RuleState;
    struct KeyState;
    using Key = std::array<std::uint8_t, 16>;

    void closeSecondsThrough(std::int64_t second);
    void closeSecond(std::int64_t second);
    void evaluate(RuleState& rs, const Key& key, KeyState& ks, std::int64_t second, double value);
    void resolve(RuleState& rs, KeyState& ks, std::int64_t endSecond);
    void accumulate(RuleState& rs, const decode::FlowRecord& r);

    EngineOptions m_options;
    std::vector<std::unique_ptr<RuleState>> m_rules;
    std::int64_t m_second = -1;
    std::uint64_t m_fired = 0;
    std::vector<AlertEvent> m_changes; ///< fired/resolved events not yet taken (copies)
};

} // namespace flowlens::alert
