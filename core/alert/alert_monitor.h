#pragma once

#include "core/alert/alert_engine.h"
#include "core/alert/alert_event.h"
#include "core/util/result.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include <QString>

namespace flowlens::alert {

class AlertStore;

/// The collector's alerting: the rules of the database evaluated by an AlertEngine, and the alerts
/// they fire stored beside the flows. Lives on the writer thread (one connection of its own to the
/// database); the writer worker feeds it every batch and ticks it after each commit.
class AlertMonitor
{
public:
    /// Opens the database (which must exist or be creatable), ends alerts a crashed run left
    /// firing, and loads the enabled rules.
    static Result<std::unique_ptr<AlertMonitor>> open(const QString& path, EngineOptions options = {});
    ~AlertMonitor();
    AlertMonitor(const AlertMonitor&) = delete;
    AlertMonitor& operator=(const AlertMonitor&) = delete;

    /// Hot path (see AlertEngine::add).
    void add(std::span<const decode::FlowRecord> flows) { m_engine.add(flows); }
    /// About once a second: picks up rules added or removed meanwhile (e.g. by `flowlens-cli alert
    /// add`), evaluates the seconds that ended, and stores alerts that fired, grew or resolved.
    void tick(std::uint64_t nowNs);
    /// Evaluates what is left, resolves every active alert at `nowNs` and stores them.
    void finish(std::uint64_t nowNs);

    AlertSnapshot snapshot() const;
    /// Alerts that fired or resolved since the last call (as stored), oldest first.
    std::vector<AlertEvent> takeTransitions();

private:
    explicit AlertMonitor(EngineOptions options);
    void reloadRules();
    void store(std::vector<AlertEvent> changes);

    AlertEngine m_engine;
    std::unique_ptr<AlertStore> m_store;
    QString m_rulesVersion;
    std::map<std::uint64_t, std::int64_t> m_ids; ///< engine serial -> row id of alerts still firing
    std::deque<AlertEvent> m_recent;             ///< newest first, without samples
    std::vector<AlertEvent> m_transitions;
    QString m_error;
    QString m_ruleErrors;
};

} // namespace flowlens::alert
