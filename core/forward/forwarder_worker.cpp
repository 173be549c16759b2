#include "forwarder_worker.h"

#include "core/forward/ingest_client.h"

#include <algorithm>

#include <QEventLoop>
#include <QRandomGenerator>
#include <QTimer>

namespace flowlens::forward {

ForwarderWorker::ForwarderWorker(QString databasePath, ForwardConfig config,
                                 std::shared_ptr<const FieldEnricher> enricher)
    : m_path(std::move(databasePath))
    , m_config(std::move(config))
{
    m_encoder.setEnricher(std::move(enricher));
    m_limitRecords = std::size_t(m_config.batchRecords);
}

ForwarderWorker::~ForwarderWorker() = default;

Result<void> ForwarderWorker::open()
{
    auto outbox = Outbox::open(m_path, m_config.cursorName, m_config.startAt);
    if (!outbox)
        return fail(outbox.error());
    m_outbox = std::move(*outbox);
    m_client = new IngestClient(this);
    if (auto r = m_client->configure(m_config); !r)
        return r;
    (void)m_outbox->log(QStringLiteral("start"),
                        QStringLiteral("forwarding to %1%2")
                            .arg(m_config.destinationText(),
                                 m_config.verifyTls ? QString() : QStringLiteral(" (TLS verification OFF)")));
    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(m_config.pollIntervalMs);
    connect(m_pollTimer, &QTimer::timeout, this, &ForwarderWorker::pump);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(1000);
    connect(m_statusTimer, &QTimer::timeout, this, &ForwarderWorker::onStatusTimer);
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &ForwarderWorker::onRetryTimer);
    m_state = ForwardState::Idle;
    m_rateClock.start();
    m_pollTimer->start();
    m_statusTimer->start();
    schedulePump();
    return {};
}

void ForwarderWorker::applyConfig(const ForwardConfig& config)
{
    if (m_stopped || !m_outbox)
        return;
    ForwardConfig next = config;
    next.cursorName = m_config.cursorName; // the outbox stays the same
    if (auto r = m_client->configure(next); !r) {
        enterPause(r.error());
        return;
    }
    m_config = next;
    m_limitRecords = std::size_t(m_config.batchRecords);
    m_pollTimer->setInterval(m_config.pollIntervalMs);
    (void)m_outbox->log(QStringLiteral("reconfigured"),
                        QStringLiteral("forwarding to %1").arg(m_config.destinationText()));
    m_backoffMs = 0;
    m_setupError.clear();
    if (m_state == ForwardState::Sending) {
        m_client->abort(); // resent at once with the new settings (see onReply)
        return;
    }
    m_retryTimer->stop();
    m_state = ForwardState::Idle;
    m_forceSend = true;
    schedulePump();
}

void ForwarderWorker::poke()
{
    pump();
}

void ForwarderWorker::schedulePump()
{
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_pumpQueued = false;
        pump();
    });
}

void ForwarderWorker::setError(const QString& error)
{
    if (error == m_lastError)
        return;
    m_lastError = error;
    (void)m_outbox->recordError(error);
}

void ForwarderWorker::pump()
{
    if (m_stopped || !m_outbox || m_state != ForwardState::Idle)
        return;
    if (m_unsettled) {
        const Unsettled u = *m_unsettled;
        if (!settle(u.batch, u.how, u.successful, u.httpStatus, u.error))
            return;
    }
    auto backlog = m_outbox->backlog();
    if (!backlog) {
        setError(QStringLiteral("reading the outbox failed: %1").arg(backlog.error()));
        enterBackoff(m_lastError);
        return;
    }
    m_backlog = *backlog;
    if (m_backlog == 0) {
        m_pendingSince.invalidate();
        m_forceSend = false;
        if (m_finishing)
            emit drained();
        return;
    }
    const bool full = m_backlog >= m_limitRecords;
    if (!m_pendingSince.isValid())
        m_pendingSince.start();
    const bool due = m_pendingSince.elapsed() >= m_config.flushIntervalMs;
    if (!full && !due && !m_forceSend && !m_finishing)
        return;
    m_forceSend = false;
    sendBatch();
}

void ForwarderWorker::sendBatch()
{
    PrepareOptions options;
    options.maxRecords = m_limitRecords;
    options.maxBytes = std::size_t(m_config.batchBytes);
    options.ingestWindowSeconds = m_config.ingestWindowSeconds;
    options.expiredPolicy = m_config.expiredPolicy;
    options.maxBacklogFlows = m_config.maxBacklogFlows;
    auto batch = m_outbox->prepare(options, m_encoder);
    if (!batch) {
        enterBackoff(QStringLiteral("reading the outbox failed: %1").arg(batch.error()));
        return;
    }
    if (batch->records == 0) {
        // Only rows outside the ingest window (or nothing at all): settle without a request.
        if (!batch->isEmpty() && !settle(*batch, Settlement::Delivered, 0, 0, QString()))
            return;
        m_pendingSince.invalidate();
        if (!batch->isEmpty())
            m_forceSend = true;
        schedulePump();
        return;
    }
    m_pendingSince.invalidate();
    m_state = ForwardState::Sending;
    ++m_requests;
    m_batch = std::move(*batch);
    const QByteArray body(m_batch->body.data(), qsizetype(m_batch->body.size()));
    m_client->postJson(body, [this](const HttpResult& reply) { onReply(reply); });
}

bool ForwarderWorker::settle(const PreparedBatch& batch, Settlement how, std::uint64_t successful,
                             int httpStatus, const QString& error)
{
    if (auto r = m_outbox->settle(batch, how, successful, httpStatus, error); !r) {
        // Keep it: sending anything before this is recorded would resend delivered records.
        m_unsettled = Unsettled{batch, how, successful, httpStatus, error};
        m_lastError =
            QStringLiteral("cannot record a delivered batch in the database (retrying): %1").arg(r.error());
        m_state = ForwardState::BackingOff;
        m_backoffMs = std::min(std::max(m_backoffMs * 2, m_config.backoffInitialMs), m_config.backoffMaxMs);
        m_retryTimer->start(m_backoffMs);
        if (m_finishing)
            emit drained();
        return false;
    }
    m_unsettled.reset();
    return true;
}

void ForwarderWorker::onReply(const HttpResult& reply)
{
    if (!m_batch)
        return;
    PreparedBatch batch = std::move(*m_batch);
    m_batch.reset();
    m_state = ForwardState::Idle;
    if (reply.transport == Transport::Aborted) {
        // Cancelled by stop() or by new settings: nothing was settled, the cursor did not move.
        if (!m_stopped) {
            m_forceSend = true;
            schedulePump();
        }
        return;
    }
    const IngestVerdict v = judgeIngestReply(reply, batch.records, m_config);
    const bool wasFailing = m_backoffMs > 0 || !m_setupError.isEmpty();
    switch (v.verdict) {
    case Verdict::Delivered:
    case Verdict::Partial:
    case Verdict::SetAside: {
        const Settlement how = v.verdict == Verdict::Delivered ? Settlement::Delivered
                               : v.verdict == Verdict::Partial ? Settlement::Partial
                                                               : Settlement::SetAside;
        const std::uint64_t successful =
            how == Settlement::SetAside ? 0 : std::min(v.successful, batch.records);
        if (how != Settlement::Delivered)
            setError(v.error);
        if (!settle(batch, how, successful, v.httpStatus, v.error))
            return;
        m_sessionDelivered += successful;
        m_backoffMs = 0;
        m_setupError.clear();
        if (wasFailing)
            (void)m_outbox->log(QStringLiteral("recovered"), QStringLiteral("the server answers again"));
        if (how == Settlement::Delivered)
            m_limitRecords = std::min(m_limitRecords * 2, std::size_t(m_config.batchRecords));
        m_forceSend = m_finishing || m_backlog > batch.records;
        schedulePump();
        return;
    }
    case Verdict::TooLarge:
        if (batch.records <= 1) {
            const QString error =
                QStringLiteral("a single record is larger than the server accepts: %1").arg(v.error);
            setError(error);
            if (!settle(batch, Settlement::SetAside, 0, v.httpStatus, error))
                return;
        } else {
            m_limitRecords = std::max<std::size_t>(batch.records / 2, 1);
            (void)m_outbox->log(
                QStringLiteral("split"),
                QStringLiteral("%1; sending at most %2 records per batch").arg(v.error).arg(m_limitRecords));
        }
        m_forceSend = true;
        schedulePump();
        return;
    case Verdict::Retry:
        ++m_retries;
        enterBackoff(v.error, v.retryAfterMs);
        return;
    case Verdict::Pause:
        enterPause(v.error);
        return;
    }
}

void ForwarderWorker::enterBackoff(const QString& error, int atLeastMs)
{
    const bool first = m_backoffMs == 0;
    m_state = ForwardState::BackingOff;
    m_backoffMs = first ? m_config.backoffInitialMs : std::min(m_backoffMs * 2, m_config.backoffMaxMs);
    setError(error);
    if (first)
        (void)m_outbox->log(QStringLiteral("backoff"), error);
    // Up to 20% less, so that several forwarders do not retry in lockstep.
    const int jitter = m_backoffMs / 5 > 0 ? int(QRandomGenerator::global()->bounded(m_backoffMs / 5)) : 0;
    m_retryTimer->start(std::max(m_backoffMs - jitter, std::min(atLeastMs, m_config.backoffMaxMs)));
    if (m_finishing)
        emit drained();
}

void ForwarderWorker::enterPause(const QString& error)
{
    const bool changed = error != m_setupError;
    m_state = ForwardState::Paused;
    m_setupError = error;
    setError(error);
    if (changed)
        (void)m_outbox->log(QStringLiteral("paused"), error);
    m_retryTimer->start(m_config.pauseRetryMs);
    if (m_finishing)
        emit drained();
}

void ForwarderWorker::onRetryTimer()
{
    if (m_stopped || (m_state != ForwardState::BackingOff && m_state != ForwardState::Paused))
        return;
    m_state = ForwardState::Idle;
    m_forceSend = true;
    pump();
}

void ForwarderWorker::onStatusTimer()
{
    // Not while a batch is on the wire or delivered-but-unrecorded: the cursor must stay at its start.
    if (m_state != ForwardState::Sending && !m_unsettled && m_outbox) {
        // Counts retention gaps and applies the backlog bound even while the server is away.
        if (auto r = m_outbox->maintain(m_config.maxBacklogFlows); !r)
            setError(QStringLiteral("updating the outbox failed: %1").arg(r.error()));
    }
    emit statusReady(status());
}

ForwardStatus ForwarderWorker::status()
{
    ForwardStatus s;
    s.state = m_state;
    s.destination = m_config.destinationText();
    s.verifyTls = m_config.verifyTls;
    s.sessionDelivered = m_sessionDelivered;
    s.requests = m_requests;
    s.retries = m_retries;
    s.lastError = m_lastError;
    s.setupError = m_state == ForwardState::Paused ? m_setupError : QString();
    s.backoffMs = m_state == ForwardState::BackingOff ? m_backoffMs
                  : m_state == ForwardState::Paused   ? m_config.pauseRetryMs
                                                      : 0;
    if (m_outbox) {
        s.counters = m_outbox->counters();
        s.cursorBlock = m_outbox->cursor().block;
        s.cursorRow = m_outbox->cursor().row;
        if (auto b = m_outbox->backlog())
            m_backlog = *b;
    }
    s.backlogFlows = m_backlog;
    if (m_rateClock.isValid() && m_rateClock.elapsed() >= 500) {
        m_rate = double(m_sessionDelivered - m_rateDelivered) * 1000.0 / double(m_rateClock.restart());
        m_rateDelivered = m_sessionDelivered;
    }
    s.deliveredPerSecond = m_rate;
    return s;
}

ForwardStatus ForwarderWorker::finish(int graceMs)
{
    if (m_stopped || !m_outbox) {
        m_stopped = true;
        m_state = ForwardState::Stopped;
        return status();
    }
    m_finishing = true;
    if (m_pollTimer)
        m_pollTimer->stop();
    if (graceMs > 0 && (m_state == ForwardState::Idle || m_state == ForwardState::Sending)) {
        QEventLoop loop;
        connect(this, &ForwarderWorker::drained, &loop, &QEventLoop::quit);
        QTimer::singleShot(graceMs, &loop, &QEventLoop::quit);
        m_forceSend = true;
        schedulePump();
        loop.exec();
    }
    m_stopped = true;
    if (m_client && m_client->isBusy())
        m_client->abort(); // the batch on the wire is not settled: it is sent again next time
    for (QTimer* t : {m_pollTimer, m_statusTimer, m_retryTimer})
        if (t)
            t->stop();
    const QString summary = QStringLiteral("%1 delivered this session, %2 waiting in the outbox")
                                .arg(m_sessionDelivered)
                                .arg(m_outbox->backlog().value_or(0));
    (void)m_outbox->log(QStringLiteral("stop"), summary);
    m_state = ForwardState::Stopped;
    return status();
}

} // namespace flowlens::forward
