#pragma once

#include "core/forward/forward_config.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>

#include <QObject>
#include <QString>

namespace flowlens::forward {
class IngestClient;
}

namespace flowlens::alert {

class AlertStore;

/// Sends alerts to OpenObserve when the collector forwards flows: one record when an alert fires
/// and one when it resolves, to a stream of their own (the flows' stream + "_alerts", e.g.
/// "netflow1_alerts"), with the same server, organisation, credentials and TLS settings. Durable:
/// alert_events.forwarded records what the server took, so alerts raised while it is down go out
/// when it is back, also after a restart. Lives on the writer thread beside the AlertMonitor.
class AlertForwarder : public QObject
{
    Q_OBJECT

public:
    /// Opens its own connection to the database and configures the HTTP client (in this thread).
    static Result<std::unique_ptr<AlertForwarder>> open(const QString& databasePath,
                                                        const forward::ForwardConfig& flows);
    ~AlertForwarder() override;

    /// About once a second: sends what is pending unless a request is on the wire or a failure
    /// asks to wait (doubling pauses up to the configuration's backoff maximum).
    void tick(std::uint64_t nowNs);

    QString stream() const { return m_config.stream; }
    std::uint64_t delivered() const { return m_delivered; }
    QString lastError() const { return m_lastError; }
    bool isBusy() const;

    /// The stream alerts go to for a flow stream.
    static QString alertStream(const QString& flowStream);

private:
    AlertForwarder() = default;

    forward::ForwardConfig m_config;
    std::unique_ptr<AlertStore> m_store;
    forward::IngestClient* m_client = nullptr;
    std::uint64_t m_delivered = 0;
    std::uint64_t m_waitUntilNs = 0;
    int m_backoffMs = 0;
    QString m_lastError;
};

} // namespace flowlens::alert
