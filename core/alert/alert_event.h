#pragma once

#include "core/alert/alert_rule.h"

#include <cstdint>
#include <vector>

#include <QMetaType>
#include <QString>

namespace flowlens::alert {

/// The triggering metric over one second, with the line it was compared with (NaN while a
/// baseline is still warming up).
struct AlertSample
{
    std::int64_t second = 0; ///< unix seconds (time_received)
    double value = 0;
    double threshold = 0;
};

/// One alert: a rule's condition held (for --for) and fired, and later resolved.
struct AlertEvent
{
    std::int64_t id = 0;      ///< database row id; 0 until stored
    std::uint64_t serial = 0; ///< the engine's number for this alert (unique within one engine)
    QString rule;
    QString key; ///< the --by key's value ("10.0.0.1", "443"); empty when the rule has no key
    QString expression;
    Metric metric = Metric::BytesPerSecond;
    GroupBy by = GroupBy::None;
    QString filterText;           ///< the rule's filter when it fired
    std::uint64_t startedNs = 0;  ///< start of the first second over the threshold
    std::uint64_t firedNs = 0;    ///< end of the second that completed the --for duration
    std::uint64_t resolvedNs = 0; ///< end of the last second over the threshold; 0 while active
    double value = 0;             ///< the metric in the second it fired
    double threshold = 0;         ///< the line it crossed then
    double peak = 0;              ///< the furthest value past the line while active
    /// Seconds before firing (up to a minute) and while active (up to kMaxEventSamples).
    std::vector<AlertSample> samples;

    bool active() const { return resolvedNs == 0; }
    /// One line for logs and notifications: "web [10.0.0.1]: bytes_per_s 80.1M B/s (threshold 50M)".
    QString summary() const;
    /// The flows behind the alert in the filter language: the rule's filter and the key.
    QString flowFilter() const;
    /// Time range of those flows: [startedNs, resolvedNs or now].
    std::uint64_t flowsUntilNs(std::uint64_t nowNs) const { return resolvedNs ? resolvedNs : nowNs; }
};

inline constexpr std::size_t kMaxEventSamples = 1800;

/// What the collector shows of the alerts: those firing now and the latest that fired or
/// resolved, about once a second (core/collect CollectorSnapshot).
struct AlertSnapshot
{
    int rules = 0;                  ///< enabled rules being evaluated
    std::vector<AlertEvent> active; ///< firing now, with their recent samples
    std::vector<AlertEvent> recent; ///< fired or resolved during this run, newest first (at most 20)
    std::uint64_t firedThisRun = 0; ///< every alert that fired since the collector started
    std::uint64_t forwarded = 0;    ///< alert records OpenObserve took this run (when forwarding)
    QString error;                  ///< rules could not be read or alerts not stored; empty when fine
};

} // namespace flowlens::alert

Q_DECLARE_METATYPE(flowlens::alert::AlertEvent)
Q_DECLARE_METATYPE(flowlens::alert::AlertSnapshot)
