#include "writer_worker.h"

#include <malloc.h>

#include "flow_queue.h"

#include "core/enrich/shared_dictionaries.h"

#include "core/alert/alert_forwarder.h"
#include "core/alert/alert_monitor.h"

#include <QDateTime>
#include <QTimer>

namespace flowlens::collect {

namespace {
constexpr int kCommitIntervalMs = 1000;
}

WriterWorker::WriterWorker(FlowQueue& queue, QString databasePath, store::WriterOptions options,
                           std::optional<enrich::EnrichConfig> enrich,
                           std::shared_ptr<enrich::SharedDictionaries> dictionaries)
    : m_queue(queue)
    , m_path(std::move(databasePath))
    , m_options(options)
    , m_enrich(std::move(enrich))
    , m_dictionaries(std::move(dictionaries))
{}

WriterWorker::~WriterWorker() = default;

Result<void> WriterWorker::open()
{
    auto w = store::FlowWriter::open(m_path, m_options);
    if (!w)
        return fail(w.error());
    m_writer = std::move(*w);
    if (m_enrich) {
        auto enricher = enrich::Enricher::create(*m_enrich);
        if (!enricher)
            return fail(enricher.error());
        if (m_dictionaries) {
            // Flows of earlier runs still waiting to be forwarded refer to stored dictionary rows.
            auto stored = m_writer->storedDictionaries();
            if (!stored)
                return fail(stored.error());
            m_dictionaries->replace(std::move(*stored));
            (*enricher)->setShared(m_dictionaries);
        }
        if (auto r = m_writer->setEnricher(std::move(*enricher)); !r)
            return fail(r.error());
    }
    if (auto notice = m_writer->uncleanShutdownNotice(); notice && !notice->isEmpty()) {
        m_uncleanShutdown = *notice;
        m_writer->logEvent(QStringLiteral("unclean_shutdown"), *notice);
    }
    m_writer->logEvent(QStringLiteral("start"), QStringLiteral("collector started"));
    // Alerting is an add-on: a database whose alert tables cannot be used still collects.
    if (auto monitor = alert::AlertMonitor::open(m_path); monitor) {
        m_alerts = std::move(*monitor);
        m_alertSnapshot = m_alerts->snapshot();
        if (m_alertForward) {
            if (auto f = alert::AlertForwarder::open(m_path, *m_alertForward); f) {
                m_alertForwarder = std::move(*f);
            } else {
                m_alertSnapshot.error = QStringLiteral("alerts are not forwarded: %1").arg(f.error());
                m_writer->logEvent(QStringLiteral("alerts_not_forwarded"), m_alertSnapshot.error);
            }
        }
    } else {
        m_alertSnapshot.error = QStringLiteral("alert rules are not evaluated: %1").arg(monitor.error());
        m_writer->logEvent(QStringLiteral("alerts_off"), m_alertSnapshot.error);
    }
    m_commitTimer = new QTimer(this);
    m_commitTimer->setInterval(kCommitIntervalMs);
    connect(m_commitTimer, &QTimer::timeout, this, &WriterWorker::commit);
    m_commitTimer->start();
    m_sinceCommit.start();
    return {};
}

void WriterWorker::drain()
{
    // At most a queue's worth at a time: at high rates the queue never empties, and the commit
    // timer must still get its turn. What is left is drained by a queued call (the receiver only
    // signals an idle queue).
    if (drainUpTo(m_queue.capacity()))
        QMetaObject::invokeMethod(this, &WriterWorker::drain, Qt::QueuedConnection);
}

bool WriterWorker::drainUpTo(std::size_t budget)
{
    if (!m_writer || !m_lastError.isEmpty())
        return false; // commits are failing: leave flows in the bounded queue (drops are counted there)
    // Taken a few chunks at a time and recycled at once: taken flows count against the queue's
    // capacity until recycled, so the receiver can refill only what was stored.
    constexpr std::size_t kTakeFlows = 16384;
    // Enrichment, rollups, the open block and alert rules each pass over the flows: unpacked in
    // slices that stay in the L2 cache (512 flows are 180 KB), only unpacking reads them from memory.
    constexpr std::size_t kSlice = 512;
    m_slice.resize(kSlice);
    bool more = true;
    std::size_t done = 0;
    while (more && done < budget) {
        more = m_queue.take(m_taken, kTakeFlows);
        for (const auto& batch : m_taken) {
            PackedFlows::Reader reader(batch);
            while (const std::size_t n = reader.read(m_slice)) {
                const std::span<decode::FlowRecord> slice = std::span(m_slice).first(n);
                m_writer->enrichAndAdd(slice); // alerts see the enriched flows
                if (m_alerts)
                    m_alerts->add(slice);
                done += n;
            }
        }
        m_queue.recycle(m_taken);
        // Under load the event loop runs drain after drain and the timer fired 1.5-2 s late at
        // 2 M flows/s: commits grew (90 blocks held, 120 ms) and so did memory. Commit on time here.
        // (Not while finishing: the timer is stopped and everything is drained before one commit.)
        if (m_commitTimer && m_commitTimer->isActive() && m_sinceCommit.hasExpired(kCommitIntervalMs)) {
            commit();
            if (!m_lastError.isEmpty())
                return false; // commits are failing: stop draining (see above)
        }
    }
    return more;
}

void WriterWorker::commit()
{
    if (!m_writer)
        return;
    const bool wasFailing = !m_lastError.isEmpty();
    m_sinceCommit.restart();
    if (m_commitTimer && m_commitTimer->isActive())
        m_commitTimer->start(); // the next one a full interval from now, whoever committed
    auto r = m_writer->commit();
    // Flow batches are allocated by the receiver thread and freed here; glibc keeps such freed
    // memory in the receiver's arena. Handing whole free pages back once a second keeps the
    // resident size near what is in use (about 100 MB less at 1 M flows/s, for ~1 ms) — unless
    // the queue is half full: the receiver would take those pages back at once, a page fault per
    // 4 KiB (7 % of its time at 2 M flows/s).
    if (m_queue.depth() < m_queue.capacity() / 2)
        malloc_trim(0);
    if (r) {
        if (wasFailing)
            m_writer->logEvent(QStringLiteral("recovered"),
                               QStringLiteral("writing works again: ") + m_lastError);
        m_lastError.clear();
        drain(); // resume what the failure held back
    } else {
        m_lastError = r.error();
    }
    emit committed(m_writer->stats(), m_lastError);
    updateAlerts(false);
}

void WriterWorker::updateAlerts(bool finishing)
{
    if (!m_alerts)
        return;
    const auto now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
    if (finishing)
        m_alerts->finish(now);
    else
        m_alerts->tick(now);
    for (const auto& e : m_alerts->takeTransitions())
        m_writer->logEvent(e.active() ? QStringLiteral("alert_fired") : QStringLiteral("alert_resolved"),
                           e.summary());
    m_alertSnapshot = m_alerts->snapshot();
    if (m_alertForwarder) {
        // Not while finishing: what is pending stays marked in the database for the next run.
        if (!finishing)
            m_alertForwarder->tick(now);
        m_alertSnapshot.forwarded = m_alertForwarder->delivered();
        if (m_alertSnapshot.error.isEmpty() && !m_alertForwarder->lastError().isEmpty())
            m_alertSnapshot.error = QStringLiteral("forwarding alerts to %1: %2")
                                        .arg(m_alertForwarder->stream(), m_alertForwarder->lastError());
    }
    emit alertsUpdated(m_alertSnapshot);
}

void WriterWorker::storeReceiverSnapshot(const ReceiverSnapshot& snapshot)
{
    if (!m_writer)
        return;
    m_writer->setExporters(snapshot.exporters);
    m_writer->addInterfaceCounters(snapshot.interfaces);
    if (snapshot.templates)
        m_writer->setDecoderState(QStringLiteral("templates"), *snapshot.templates);
    if (snapshot.flowsDropped > m_droppedLogged || snapshot.datagramsDropped > m_datagramsDroppedLogged) {
        QString text = QStringLiteral("%1 flows dropped so far (queue full)").arg(snapshot.flowsDropped);
        if (snapshot.datagramsDropped > 0)
            text += QStringLiteral(", %1 datagrams dropped by the kernel (receive buffer full)")
                        .arg(snapshot.datagramsDropped);
        m_writer->logEvent(QStringLiteral("drops"), text);
        m_droppedLogged = snapshot.flowsDropped;
        m_datagramsDroppedLogged = snapshot.datagramsDropped;
    }
}

Result<store::WriterStats> WriterWorker::finish(const ReceiverSnapshot& finalReceiver)
{
    if (!m_writer)
        return fail(QStringLiteral("the database was never opened"));
    if (m_commitTimer)
        m_commitTimer->stop();
    m_lastError.clear();
    drainUpTo(SIZE_MAX); // everything the receiver handed over
    storeReceiverSnapshot(finalReceiver);
    m_writer->logEvent(
        QStringLiteral("stop"),
        QStringLiteral("clean stop: %1 flows decoded, %2 dropped, %3 datagrams dropped by the kernel")
            .arg(finalReceiver.flowsDecoded)
            .arg(finalReceiver.flowsDropped)
            .arg(finalReceiver.datagramsDropped));
    // Commit first: blocks may be waiting in an open write transaction (written as they were
    // encoded), and the alert store, another connection, must be able to write its final state.
    // A failing commit is retried and reported by close().
    (void)m_writer->commit();
    updateAlerts(true);
    if (auto r = m_writer->close(); !r)
        return fail(r.error());
    return m_writer->stats();
}

std::vector<std::byte> WriterWorker::savedTemplates()
{
    if (!m_writer)
        return {};
    auto state = m_writer->decoderState(QStringLiteral("templates"));
    return state ? *state : std::vector<std::byte>{};
}

store::WriterStats WriterWorker::stats() const
{
    return m_writer ? m_writer->stats() : store::WriterStats{};
}

} // namespace flowlens::collect
