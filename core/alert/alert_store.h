#pragma once

#include "core/alert/alert_event.h"
#include "core/alert/alert_rule.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace flowlens::store {
class Database;
}

namespace flowlens::alert {

/// Which alerts events() returns.
struct EventQuery
{
    std::uint64_t sinceNs = 0; ///< alerts still firing or resolved at/after this time
    std::size_t limit = 1000;  ///< newest first
    QString rule;              ///< only this rule; empty = all
    bool withSamples = true;
    bool activeOnly = false; ///< only alerts still firing
};

/// Alert rules and fired alerts in the FlowLens database (tables alert_rules, alert_events).
/// One connection, used on the thread that opened it.
class AlertStore
{
public:
    /// ReadWrite creates or upgrades the database (like the writer); ReadOnly refuses files of a
    /// newer FlowLens and reads an older file as having no rules.
    static Result<std::unique_ptr<AlertStore>> open(const QString& path, bool readOnly = false);
    ~AlertStore();
    AlertStore(const AlertStore&) = delete;
    AlertStore& operator=(const AlertStore&) = delete;

    /// Stores a new rule; fails when a rule of that name exists.
    Result<void> addRule(const AlertRule& rule);
    /// Removes a rule (its alerts stay in the history). false when there is no such rule.
    Result<bool> removeRule(const QString& name);
    Result<void> setEnabled(const QString& name, bool enabled);
    /// Every rule, by name. A stored rule that no longer parses is skipped and named in `errors`.
    Result<std::vector<AlertRule>> rules(QStringList* errors = nullptr);
    /// Changes whenever a rule is added, removed or changed (cheap; polled once a second).
    Result<QString> rulesVersion();

    /// Inserts alerts without an id (setting it) and updates the others.
    Result<void> saveEvents(std::vector<AlertEvent>& events);
    Result<std::vector<AlertEvent>> events(const EventQuery& query = {});
    /// Alerts left firing by a collector that did not stop cleanly end at their last sample.
    Result<int> resolveDangling();

    /// An alert with transitions not yet forwarded to OpenObserve (see AlertForwarder).
    struct Unforwarded
    {
        AlertEvent event;      ///< without samples
        bool fired = false;    ///< the firing is still to be sent
        bool resolved = false; ///< the resolution is still to be sent
    };
    /// Oldest first, at most `limit`.
    Result<std::vector<Unforwarded>> unforwarded(std::size_t limit);
    /// Marks alerts as forwarded: 1 the firing, 2 the resolution too.
    Result<void> markForwarded(const std::vector<std::pair<std::int64_t, int>>& levels);

    QString path() const;

private:
    AlertStore() = default;
    std::unique_ptr<store::Database> m_db;
    bool m_hasTables = true;
};

/// The samples as stored: JSON [[unix_s, value, threshold|null], ...].
QByteArray samplesToJson(const std::vector<AlertSample>& samples);
std::vector<AlertSample> samplesFromJson(const QByteArray& json);

} // namespace flowlens::alert
