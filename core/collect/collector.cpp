#include "collector.h"

#include "flow_queue.h"
#include "udp_receiver.h"
#include "writer_worker.h"

#include "core/enrich/geo_field_enricher.h"
#include "core/enrich/shared_dictionaries.h"
#include "core/forward/forwarder.h"

#include <QThread>

namespace flowlens::collect {

std::vector<decode::Endpoint> defaultEndpoints()
{
    std::vector<decode::Endpoint> eps;
    for (std::uint16_t port : {std::uint16_t(2055), std::uint16_t(4739), std::uint16_t(6343)}) {
        eps.push_back(decode::Endpoint{decode::IpAddress::fromV4(0), port});
        eps.push_back(decode::Endpoint{decode::IpAddress{}, port});
    }
    return eps;
}

Collector::Collector(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<ReceiverSnapshot>();
    qRegisterMetaType<CollectorSnapshot>();
    qRegisterMetaType<store::WriterStats>();
    qRegisterMetaType<alert::AlertSnapshot>();
}

Collector::~Collector()
{
    (void)stop();
}

Result<std::vector<EndpointState>> Collector::start(const CollectorConfig& config)
{
    if (m_running)
        return fail(QStringLiteral("the collector is already running"));
    const bool useDefaults = config.endpoints.empty();
    const std::vector<decode::Endpoint> endpoints = useDefaults ? defaultEndpoints() : config.endpoints;

    m_queue = std::make_unique<FlowQueue>(config.queueCapacityFlows);
    m_writerThread = new QThread(this);
    m_writerThread->setObjectName(QStringLiteral("flowlens-writer"));
    m_receiverThread = new QThread(this);
    m_receiverThread->setObjectName(QStringLiteral("flowlens-receiver"));

    std::shared_ptr<enrich::SharedDictionaries> dictionaries;
    if (config.enrich)
        dictionaries = std::make_shared<enrich::SharedDictionaries>();
    m_writer = new WriterWorker(*m_queue, config.databasePath, config.writer, config.enrich, dictionaries);
    if (config.forward)
        m_writer->setAlertForwarding(*config.forward);
    m_writer->moveToThread(m_writerThread);
    connect(m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_receiver = new UdpReceiver(*m_queue, config.decoder, config.receiveBufferBytes);
    m_receiver->setAllowlist(Allowlist(config.allow));
    m_receiver->moveToThread(m_receiverThread);
    connect(m_receiverThread, &QThread::finished, m_receiver, &QObject::deleteLater);
    m_writerThread->start();
    m_receiverThread->start();

    Result<void> opened;
    QString unclean;
    QMetaObject::invokeMethod(
        m_writer,
        [&] {
            opened = m_writer->open();
            unclean = m_writer->uncleanShutdownNotice();
        },
        Qt::BlockingQueuedConnection);
    if (!opened) {
        shutdownThreads();
        return fail(opened.error());
    }
    // Templates from the previous run: data arriving before the exporter resends them decodes at once.
    std::vector<std::byte> templates;
    QMetaObject::invokeMethod(
        m_writer, [&] { templates = m_writer->savedTemplates(); }, Qt::BlockingQueuedConnection);
    if (!templates.empty())
        QMetaObject::invokeMethod(m_receiver, [receiver = m_receiver, templates] {
            (void)receiver->decoder().loadTemplates(templates);
        });
    // Forwarding reads what the writer commits, through its own connection to the same file. Started
    // before binding, so a new cursor placed at the end of the store precedes every flow of this run.
    m_databasePath = config.databasePath;
    m_forwardEnricher = config.forwardEnricher;
    if (!m_forwardEnricher && dictionaries) // GeoIP fields under OpenObserve's names, from the store
        m_forwardEnricher = std::make_shared<enrich::GeoFieldEnricher>(dictionaries);
    if (config.forward) {
        if (auto r = startForwarder(*config.forward); !r) {
            QMetaObject::invokeMethod(
                m_writer, [&] { (void)m_writer->finish(ReceiverSnapshot{}); }, Qt::BlockingQueuedConnection);
            shutdownThreads();
            return fail(r.error());
        }
    }
    m_overrides.clear();
    setSamplingOverrides(config.samplingOverrides); // queued before bindAll: applies to the first datagram
    Result<std::vector<EndpointState>> bound;
    QMetaObject::invokeMethod(
        m_receiver, [&] { bound = m_receiver->bindAll(endpoints, useDefaults); },
        Qt::BlockingQueuedConnection);
    if (!bound) {
        if (m_forwarder) {
            m_forwarder->stop();
            m_forwarder.reset();
        }
        QMetaObject::invokeMethod(
            m_writer, [&] { (void)m_writer->finish(ReceiverSnapshot{}); }, Qt::BlockingQueuedConnection);
        shutdownThreads();
        return fail(bound.error());
    }
    connect(m_receiver, &UdpReceiver::flowsAvailable, m_writer, &WriterWorker::drain);
    connect(m_receiver, &UdpReceiver::snapshotReady, m_writer, &WriterWorker::storeReceiverSnapshot);
    connect(m_receiver, &UdpReceiver::snapshotReady, this, &Collector::onReceiverSnapshot);
    connect(m_writer, &WriterWorker::committed, this, &Collector::onWriterCommitted);
    connect(m_writer, &WriterWorker::alertsUpdated, this,
            [this](const alert::AlertSnapshot& alerts) { m_last.alerts = alerts; });
    m_last = CollectorSnapshot{};
    m_last.receiver.endpoints = *bound;
    m_last.uncleanShutdown = unclean;
    QMetaObject::invokeMethod(
        m_writer, [&] { m_last.alerts = m_writer->alertSnapshot(); }, Qt::BlockingQueuedConnection);
    if (m_forwarder)
        m_last.forward = m_forwarder->lastStatus();
    m_running = true;
    return *bound;
}

Result<void> Collector::startForwarder(const forward::ForwardConfig& config)
{
    m_forwarder = std::make_unique<forward::Forwarder>();
    if (auto r = m_forwarder->start(m_databasePath, config, m_forwardEnricher); !r) {
        m_forwarder.reset();
        return fail(QStringLiteral("cannot start forwarding: %1").arg(r.error()));
    }
    connect(m_writer, &WriterWorker::committed, m_forwarder.get(), &forward::Forwarder::notifyStored);
    connect(m_forwarder.get(), &forward::Forwarder::statusChanged, this,
            [this](const forward::ForwardStatus& status) { m_last.forward = status; });
    return {};
}

Result<void> Collector::setForward(const std::optional<forward::ForwardConfig>& config)
{
    if (!m_running)
        return fail(QStringLiteral("the collector is not running; forwarding starts with it"));
    if (!config) {
        if (m_forwarder) {
            m_forwarder->notifyStored();
            (void)m_forwarder->stop();
            m_forwarder.reset();
        }
        m_last.forward.reset();
        return {};
    }
    // The cursor name or start position only matter when a cursor is created: a running forwarder
    // takes the rest (destination, credentials, TLS, batching) without losing its place.
    if (m_forwarder)
        return m_forwarder->setConfig(*config);
    if (auto r = startForwarder(*config); !r)
        return r;
    m_last.forward = m_forwarder->lastStatus();
    return {};
}

void Collector::setSamplingOverrides(const std::vector<SamplingOverride>& overrides)
{
    if (!m_receiver)
        return;
    const std::vector<SamplingOverride> previous = m_overrides;
    m_overrides = overrides;
    QMetaObject::invokeMethod(m_receiver, [receiver = m_receiver, previous, overrides] {
        for (const auto& o : previous)
            receiver->decoder().setSamplingOverride(o.exporter, 0, false);
        for (const auto& o : overrides)
            receiver->decoder().setSamplingOverride(o.exporter, o.rate, o.force);
    });
}

void Collector::onReceiverSnapshot(const ReceiverSnapshot& snapshot)
{
    if (m_prevTimeNs && snapshot.timeNs > m_prevTimeNs) {
        const double seconds = double(snapshot.timeNs - m_prevTimeNs) / 1e9;
        m_last.flowsPerSecond = double(snapshot.flowsDecoded - m_prevFlows) / seconds;
        m_last.datagramsPerSecond = double(snapshot.datagrams - m_prevDatagrams) / seconds;
    }
    m_prevTimeNs = snapshot.timeNs;
    m_prevFlows = snapshot.flowsDecoded;
    m_prevDatagrams = snapshot.datagrams;
    m_last.receiver = snapshot;
    m_last.queueDepth = m_queue ? m_queue->depth() : 0;
    emit snapshotReady(m_last);
}

void Collector::onWriterCommitted(const store::WriterStats& stats, const QString& error)
{
    m_last.writer = stats;
    m_last.writerError = error;
}

Result<store::WriterStats> Collector::stop()
{
    if (!m_running)
        return m_last.writer;
    m_running = false;
    ReceiverSnapshot final;
    QMetaObject::invokeMethod(
        m_receiver, [&] { final = m_receiver->drainAndClose(); }, Qt::BlockingQueuedConnection);
    Result<store::WriterStats> finished;
    QMetaObject::invokeMethod(
        m_writer,
        [&] {
            finished = m_writer->finish(final);
            m_last.alerts = m_writer->alertSnapshot();
        },
        Qt::BlockingQueuedConnection);
    m_last.receiver = final;
    if (finished)
        m_last.writer = *finished;
    // After the final commit, so the last flows get their chance to leave within the grace time.
    if (m_forwarder) {
        m_forwarder->notifyStored();
        m_last.forward = m_forwarder->stop();
        m_forwarder.reset();
    }
    shutdownThreads();
    return finished;
}

void Collector::shutdownThreads()
{
    for (QThread* t : {m_receiverThread, m_writerThread}) {
        if (!t)
            continue;
        t->quit();
        t->wait();
        delete t;
    }
    m_receiverThread = m_writerThread = nullptr;
    m_receiver = nullptr;
    m_writer = nullptr;
}

} // namespace flowlens::collect
