#include "alert_forwarder.h"

#include "alert_store.h"

#include "core/forward/ingest_client.h"
#include "core/forward/ingest_reply.h"

#include <algorithm>
#include <cmath>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::alert {

namespace {

constexpr std::size_t kAlertsPerRequest = 500;

QString isoTime(std::uint64_t ns)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(ns / 1000000ull), Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject record(const AlertEvent& e, bool resolution)
{
    QJsonObject o;
    // OpenObserve's time column: microseconds; the transition's own time.
    o[QStringLiteral("_timestamp")] = qint64((resolution ? e.resolvedNs : e.firedNs) / 1000ull);
    o[QStringLiteral("event")] = resolution ? QStringLiteral("resolved") : QStringLiteral("fired");
    o[QStringLiteral("alert_id")] = qint64(e.id);
    o[QStringLiteral("rule")] = e.rule;
    o[QStringLiteral("key")] = e.key;
    o[QStringLiteral("by")] = groupByName(e.by);
    o[QStringLiteral("expression")] = e.expression;
    o[QStringLiteral("metric")] = metricName(e.metric);
    o[QStringLiteral("value")] = e.value;
    if (!std::isnan(e.threshold))
        o[QStringLiteral("threshold")] = e.threshold;
    o[QStringLiteral("peak")] = e.peak;
    o[QStringLiteral("started")] = isoTime(e.startedNs);
    o[QStringLiteral("fired")] = isoTime(e.firedNs);
    if (resolution) {
        o[QStringLiteral("resolved")] = isoTime(e.resolvedNs);
        o[QStringLiteral("duration_s")] =
            qint64((e.resolvedNs - std::min(e.resolvedNs, e.startedNs)) / 1000000000ull);
    }
    o[QStringLiteral("flows_filter")] = e.flowFilter();
    o[QStringLiteral("summary")] = e.summary();
    return o;
}

} // namespace

QString AlertForwarder::alertStream(const QString& flowStream)
{
    return flowStream + QStringLiteral("_alerts");
}

AlertForwarder::~AlertForwarder() = default;

Result<std::unique_ptr<AlertForwarder>> AlertForwarder::open(const QString& databasePath,
                                                             const forward::ForwardConfig& flows)
{
    auto s = AlertStore::open(databasePath);
    if (!s)
        return fail(s.error());
    std::unique_ptr<AlertForwarder> f(new AlertForwarder);
    f->m_config = flows;
    f->m_config.stream = alertStream(flows.stream);
    f->m_store = std::move(*s);
    f->m_client = new forward::IngestClient(f.get());
    if (auto r = f->m_client->configure(f->m_config); !r)
        return fail(r.error());
    return f;
}

bool AlertForwarder::isBusy() const
{
    return m_client->isBusy();
}

void AlertForwarder::tick(std::uint64_t nowNs)
{
    if (m_client->isBusy() || nowNs < m_waitUntilNs)
        return;
    auto pending = m_store->unforwarded(kAlertsPerRequest);
    if (!pending) {
        m_lastError = pending.error();
        return;
    }
    if (pending->empty())
        return;
    QJsonArray records;
    std::vector<std::pair<std::int64_t, int>> levels;
    for (const auto& u : *pending) {
        if (u.fired)
            records.append(record(u.event, false));
        if (u.resolved)
            records.append(record(u.event, true));
        levels.emplace_back(u.event.id, u.resolved ? 2 : 1);
    }
    const auto sent = std::uint64_t(records.size());
    m_client->postJson(QJsonDocument(records).toJson(QJsonDocument::Compact),
                       [this, levels, sent](const forward::HttpResult& reply) {
                           const auto v = forward::judgeIngestReply(reply, sent, m_config);
                           const auto now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
                           switch (v.verdict) {
                           case forward::Verdict::Delivered:
                           case forward::Verdict::Partial:
                           case forward::Verdict::SetAside:
                           case forward::Verdict::TooLarge:
                               // Taken, or refused for good (outside the ingest window, malformed): never
                               // resent. A handful of alerts cannot be too large to split further.
                               if (auto r = m_store->markForwarded(levels); !r) {
                                   m_lastError = r.error();
                                   return;
                               }
                               m_delivered += v.successful;
                               m_lastError = v.error;
                               m_backoffMs = 0;
                               m_waitUntilNs = 0;
                               return;
                           case forward::Verdict::Retry:
                           case forward::Verdict::Pause:
                               m_lastError = v.error;
                               m_backoffMs =
                                   std::clamp(m_backoffMs ? m_backoffMs * 2 : m_config.backoffInitialMs, 1,
                                              m_config.backoffMaxMs);
                               if (v.retryAfterMs > m_backoffMs)
                                   m_backoffMs = v.retryAfterMs;
                               m_waitUntilNs = now + std::uint64_t(m_backoffMs) * 1000000ull;
                               return;
                           }
                       });
}

} // namespace flowlens::alert
