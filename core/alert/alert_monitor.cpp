#include "alert_monitor.h"

#include "alert_store.h"

#include <utility>

namespace flowlens::alert {

namespace {

constexpr std::size_t kRecentAlerts = 20;
constexpr std::size_t kSnapshotActive = 50;   // alerts firing at once that the snapshot carries
constexpr std::size_t kSnapshotSamples = 300; // seconds of each active alert's chart in a snapshot

} // namespace

AlertMonitor::AlertMonitor(EngineOptions options)
    : m_engine(options)
{}

AlertMonitor::~AlertMonitor() = default;

Result<std::unique_ptr<AlertMonitor>> AlertMonitor::open(const QString& path, EngineOptions options)
{
    auto s = AlertStore::open(path);
    if (!s)
        return fail(s.error());
    std::unique_ptr<AlertMonitor> m(new AlertMonitor(options));
    m->m_store = std::move(*s);
    if (auto r = m->m_store->resolveDangling(); !r)
        return fail(r.error());
    m->reloadRules();
    return m;
}

void AlertMonitor::reloadRules()
{
    auto version = m_store->rulesVersion();
    if (!version) {
        m_error = version.error();
        return;
    }
    if (*version == m_rulesVersion && !m_rulesVersion.isNull())
        return;
    QStringList errors;
    auto rules = m_store->rules(&errors);
    if (!rules) {
        m_error = rules.error();
        return;
    }
    m_rulesVersion = *version;
    std::vector<AlertRule> enabled;
    for (auto& r : *rules)
        if (r.enabled)
            enabled.push_back(std::move(r));
    m_engine.setRules(std::move(enabled));
    m_ruleErrors = errors.join(QStringLiteral("; "));
}

void AlertMonitor::tick(std::uint64_t nowNs)
{
    reloadRules();
    m_engine.advanceTo(nowNs);
    store(m_engine.takeChanges());
}

void AlertMonitor::finish(std::uint64_t nowNs)
{
    m_engine.finish(nowNs);
    store(m_engine.takeChanges());
}

void AlertMonitor::store(std::vector<AlertEvent> changes)
{
    if (changes.empty())
        return;
    for (auto& e : changes)
        if (auto it = m_ids.find(e.serial); it != m_ids.end())
            e.id = it->second;
    if (auto r = m_store->saveEvents(changes); !r) {
        // Kept in the engine's memory only; the next tick stores the later state of active alerts.
        m_error = QStringLiteral("alerts could not be stored: %1").arg(r.error());
    } else {
        m_error.clear();
    }
    for (auto& e : changes) {
        const bool isNew = !m_ids.count(e.serial);
        if (e.active())
            m_ids[e.serial] = e.id;
        else
            m_ids.erase(e.serial);
        if (!isNew && e.active())
            continue; // more samples of an alert already reported
        AlertEvent brief = e;
        brief.samples.clear();
        m_recent.push_front(brief);
        if (m_recent.size() > kRecentAlerts)
            m_recent.pop_back();
        m_transitions.push_back(std::move(brief));
    }
}

AlertSnapshot AlertMonitor::snapshot() const
{
    AlertSnapshot s;
    s.rules = int(m_engine.ruleCount());
    for (auto& e : m_engine.active()) {
        if (s.active.size() >= kSnapshotActive)
            break;
        if (auto it = m_ids.find(e.serial); it != m_ids.end())
            e.id = it->second;
        if (e.samples.size() > kSnapshotSamples)
            e.samples.erase(e.samples.begin(), e.samples.end() - std::ptrdiff_t(kSnapshotSamples));
        s.active.push_back(std::move(e));
    }
    s.recent.assign(m_recent.begin(), m_recent.end());
    s.firedThisRun = m_engine.firedCount();
    s.error = m_error.isEmpty() ? m_ruleErrors : m_error;
    return s;
}

std::vector<AlertEvent> AlertMonitor::takeTransitions()
{
    return std::exchange(m_transitions, {});
}

} // namespace flowlens::alert
