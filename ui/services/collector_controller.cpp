#include "collector_controller.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QThread>

namespace flowlens::ui {

namespace {

/// Checks that the database can be created or opened for writing before the running collector
/// is stopped, so a typo in the path does not interrupt collection.
QString checkDatabaseFolder(const QString& path)
{
    const QFileInfo file(path);
    const QDir dir = file.absoluteDir();
    if (!dir.exists() && !QDir().mkpath(dir.absolutePath()))
        return QStringLiteral(
                   "cannot create the folder %1 for the database: check the path and its permissions")
            .arg(dir.absolutePath());
    if (!QFileInfo(dir.absolutePath()).isWritable())
        return QStringLiteral("the folder %1 is not writable: choose another database location")
            .arg(dir.absolutePath());
    if (file.exists() && !file.isWritable())
        return QStringLiteral(
                   "%1 is read-only: choose another database location, or open it with --no-listen to "
                   "view it")
            .arg(path);
    return {};
}

} // namespace

CollectorController::CollectorController(QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new QObject)
{
    qRegisterMetaType<CollectorStatus>();
    qRegisterMetaType<collect::CollectorSnapshot>();
    m_thread->setObjectName(QStringLiteral("flowlens-control"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            m_collector = new collect::Collector(m_worker);
            // Collector emits on this thread; the signal crosses to the GUI thread queued.
            connect(m_collector, &collect::Collector::snapshotReady, this,
                    &CollectorController::snapshotReady);
        },
        Qt::BlockingQueuedConnection);
}

CollectorController::~CollectorController()
{
    QMetaObject::invokeMethod(
        m_worker, [this] { (void)m_collector->stop(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void CollectorController::apply(const collect::CollectorConfig& config)
{
    const bool haveFallback = m_haveActive;
    const collect::CollectorConfig previous = m_active;
    QPointer<CollectorController> self(this);
    QMetaObject::invokeMethod(m_worker, [self, collector = m_collector, config, previous, haveFallback] {
        CollectorStatus status;
        status.databasePath = config.databasePath;
        bool ok = false;
        QString error = checkDatabaseFolder(config.databasePath);
        if (error.isEmpty()) {
            (void)collector->stop();
            auto started = collector->start(config);
            if (started) {
                ok = true;
                status.running = true;
                status.endpoints = *started;
            } else {
                error = started.error();
                if (haveFallback) {
                    auto again = collector->start(previous);
                    if (again)
                        status.endpoints = *again;
                }
            }
        }
        if (!ok) {
            status.error = error;
            status.running = collector->isRunning();
            status.databasePath =
                status.running || haveFallback ? previous.databasePath : config.databasePath;
            if (status.running && status.endpoints.empty())
                status.endpoints = collector->lastSnapshot().receiver.endpoints;
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, status, error, ok, config] {
                if (!self)
                    return;
                if (ok) {
                    self->m_active = config;
                    self->m_haveActive = true;
                }
                self->m_status = status;
                emit self->statusChanged(status);
                emit self->applied(ok, error);
            },
            Qt::QueuedConnection);
    });
}

void CollectorController::stop()
{
    QPointer<CollectorController> self(this);
    QMetaObject::invokeMethod(m_worker, [self, collector = m_collector] {
        (void)collector->stop();
        QMetaObject::invokeMethod(
            self.data(),
            [self] {
                if (!self)
                    return;
                self->m_status.running = false;
                self->m_status.endpoints.clear();
                emit self->statusChanged(self->m_status);
            },
            Qt::QueuedConnection);
    });
}

void CollectorController::setSamplingOverrides(const std::vector<collect::SamplingOverride>& overrides)
{
    QMetaObject::invokeMethod(
        m_worker, [collector = m_collector, overrides] { collector->setSamplingOverrides(overrides); });
}

void CollectorController::setForward(const std::optional<forward::ForwardConfig>& config)
{
    QPointer<CollectorController> self(this);
    QMetaObject::invokeMethod(m_worker, [self, collector = m_collector, config] {
        const auto r = collector->setForward(config);
        const bool ok = bool(r);
        const QString error = ok ? QString() : r.error();
        QMetaObject::invokeMethod(
            self.data(),
            [self, ok, error, config] {
                if (!self)
                    return;
                if (ok)
                    self->m_active.forward = config;
                emit self->forwardApplied(ok, error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace flowlens::ui
