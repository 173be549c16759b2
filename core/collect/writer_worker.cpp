#include "writer_worker.h"

#include "flow_queue.h"

#include "core/enrich/shared_dictionaries.h"

#include <QTimer>

namespace flowlens::collect {

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
    m_commitTimer = new QTimer(this);
    m_commitTimer->setInterval(1000);
    connect(m_commitTimer, &QTimer::timeout, this, &WriterWorker::commit);
    m_commitTimer->start();
    return {};
}

void WriterWorker::drain()
{
    if (!m_writer || !m_lastError.isEmpty())
        return; // commits are failing: leave flows in the bounded queue (drops are counted there)
    m_queue.takeAll(m_taken);
    for (auto& batch : m_taken)
        m_writer->enrichAndAdd(batch);
    m_queue.recycle(m_taken);
}

void WriterWorker::commit()
{
    if (!m_writer)
        return;
    const bool wasFailing = !m_lastError.isEmpty();
    auto r = m_writer->commit();
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
}

void WriterWorker::storeReceiverSnapshot(const ReceiverSnapshot& snapshot)
{
    if (!m_writer)
        return;
    m_writer->setExporters(snapshot.exporters);
    m_writer->addInterfaceCounters(snapshot.interfaces);
    if (snapshot.templates)
        m_writer->setDecoderState(QStringLiteral("templates"), *snapshot.templates);
    if (snapshot.flowsDropped > m_droppedLogged) {
        m_writer->logEvent(QStringLiteral("drops"),
                           QStringLiteral("%1 flows dropped so far (queue full)").arg(snapshot.flowsDropped));
        m_droppedLogged = snapshot.flowsDropped;
    }
}

Result<store::WriterStats> WriterWorker::finish(const ReceiverSnapshot& finalReceiver)
{
    if (!m_writer)
        return fail(QStringLiteral("the database was never opened"));
    if (m_commitTimer)
        m_commitTimer->stop();
    m_lastError.clear();
    drain();
    storeReceiverSnapshot(finalReceiver);
    m_writer->logEvent(QStringLiteral("stop"), QStringLiteral("clean stop: %1 flows decoded, %2 dropped")
                                                   .arg(finalReceiver.flowsDecoded)
                                                   .arg(finalReceiver.flowsDropped));
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
