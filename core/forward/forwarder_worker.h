#pragma once

#include "core/forward/forward_config.h"
#include "core/forward/forward_status.h"
#include "core/forward/ingest_reply.h"
#include "core/forward/outbox.h"
#include "core/forward/record_encoder.h"
#include "core/util/result.h"

#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QObject>

class QTimer;

namespace flowlens::forward {

class IngestClient;

/// The forwarder's worker, on the "flowlens-forwarder" thread: reads the outbox, sends one batch
/// at a time, settles it from the reply, backs off on overload/outage, pauses on setup errors.
/// Created by Forwarder; every method runs on the worker thread.
class ForwarderWorker : public QObject
{
    Q_OBJECT

public:
    ForwarderWorker(QString databasePath, ForwardConfig config,
                    std::shared_ptr<const FieldEnricher> enricher);
    ~ForwarderWorker() override;

    /// Opens the outbox and the HTTP client and starts the timers.
    Result<void> open();
    /// Sends what is stored for at most `graceMs` (only when the server is answering), then aborts
    /// the request on the wire (the cursor stays where the last delivered batch left it) and stops.
    ForwardStatus finish(int graceMs);
    ForwardStatus status();

public slots:
    /// New configuration (the cursor name is kept). Resumes a paused or backing-off forwarder.
    void applyConfig(const flowlens::forward::ForwardConfig& config);
    /// New flows were committed to the store.
    void poke();

signals:
    void statusReady(const flowlens::forward::ForwardStatus& status);
    /// finish(): nothing more can be sent now (all settled, or the server is not answering).
    void drained();

private:
    void pump();
    void schedulePump();
    void sendBatch();
    void onReply(const HttpResult& reply);
    bool settle(const PreparedBatch& batch, Settlement how, std::uint64_t successful, int httpStatus,
                const QString& error);
    /// `atLeastMs`: the server's Retry-After; the wait is the larger of it and the backoff, capped.
    void enterBackoff(const QString& error, int atLeastMs = 0);
    void enterPause(const QString& error);
    void onRetryTimer();
    void onStatusTimer();
    void setError(const QString& error);

    QString m_path;
    ForwardConfig m_config;
    RecordEncoder m_encoder;
    std::unique_ptr<Outbox> m_outbox;
    IngestClient* m_client = nullptr;
    QTimer* m_pollTimer = nullptr;
    QTimer* m_statusTimer = nullptr;
    QTimer* m_retryTimer = nullptr;

    ForwardState m_state = ForwardState::Stopped;
    std::optional<PreparedBatch> m_batch; ///< on the wire
    /// Delivered but not yet recorded (the database refused the settle): recorded before anything
    /// else is sent, so a delivered batch is never sent twice.
    struct Unsettled
    {
        PreparedBatch batch;
        Settlement how;
        std::uint64_t successful;
        int httpStatus;
        QString error;
    };
    std::optional<Unsettled> m_unsettled;
    std::size_t m_limitRecords = 0; ///< halves on 413, grows back after deliveries
    int m_backoffMs = 0;
    QElapsedTimer m_pendingSince; ///< a partial batch has been waiting since
    bool m_forceSend = false;
    bool m_pumpQueued = false;
    bool m_finishing = false;
    bool m_stopped = false;

    std::uint64_t m_sessionDelivered = 0;
    std::uint64_t m_requests = 0;
    std::uint64_t m_retries = 0;
    std::uint64_t m_backlog = 0;
    QString m_lastError;
    QString m_setupError;
    QElapsedTimer m_rateClock;
    std::uint64_t m_rateDelivered = 0;
    double m_rate = 0;
};

} // namespace flowlens::forward
