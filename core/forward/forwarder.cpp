#include "forwarder.h"

#include "core/forward/forwarder_worker.h"

#include <QThread>

namespace flowlens::forward {

Forwarder::Forwarder(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<ForwardStatus>();
    qRegisterMetaType<ForwardConfig>();
}

Forwarder::~Forwarder()
{
    (void)stop();
}

Result<void> Forwarder::start(const QString& databasePath, const ForwardConfig& config,
                              std::shared_ptr<const FieldEnricher> enricher)
{
    if (m_thread)
        return fail(QStringLiteral("the forwarder is already running"));
    if (auto r = config.validate(); !r)
        return r;
    m_config = config;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("flowlens-forwarder"));
    m_worker = new ForwarderWorker(databasePath, config, std::move(enricher));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    Result<void> opened;
    QMetaObject::invokeMethod(
        m_worker, [&] { opened = m_worker->open(); }, Qt::BlockingQueuedConnection);
    if (!opened) {
        QMetaObject::invokeMethod(
            m_worker, [&] { (void)m_worker->finish(0); }, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_worker = nullptr;
        return fail(opened.error());
    }
    connect(m_worker, &ForwarderWorker::statusReady, this, &Forwarder::onStatus);
    QMetaObject::invokeMethod(
        m_worker, [&] { m_last = m_worker->status(); }, Qt::BlockingQueuedConnection);
    return {};
}

ForwardStatus Forwarder::stop()
{
    if (!m_thread)
        return m_last;
    ForwardStatus final;
    const int grace = m_config.shutdownGraceMs;
    QMetaObject::invokeMethod(
        m_worker, [&] { final = m_worker->finish(grace); }, Qt::BlockingQueuedConnection);
    disconnect(m_worker, nullptr, this, nullptr);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_worker = nullptr;
    m_last = final;
    emit statusChanged(m_last);
    return m_last;
}

Result<void> Forwarder::setConfig(const ForwardConfig& config)
{
    if (auto r = config.validate(); !r)
        return r;
    m_config = config;
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, config] { worker->applyConfig(config); });
    return {};
}

void Forwarder::notifyStored()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, &ForwarderWorker::poke);
}

void Forwarder::onStatus(const ForwardStatus& status)
{
    if (!m_thread)
        return; // a report queued before stop()
    m_last = status;
    emit statusChanged(m_last);
}

} // namespace flowlens::forward
