#include "query_service.h"

#include "query_worker.h"

#include <algorithm>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <QThread>

namespace flowlens::query {

namespace {

void lowerThreadPriority()
{
#ifdef __linux__
    (void)::setpriority(PRIO_PROCESS, ::gettid(), 10);
#endif
}

} // namespace

QueryService::QueryService(const QString& databasePath, int workerCount, QObject* parent)
    : QObject(parent)
    , m_path(databasePath)
{
    qRegisterMetaType<DashboardReply>();
    qRegisterMetaType<FlowPageReply>();
    qRegisterMetaType<DatabaseInfoReply>();
    qRegisterMetaType<FlowExportReply>();
    workerCount = std::max(1, workerCount);
    for (int i = 0; i < workerCount; ++i) {
        auto* thread = new QThread(this);
        thread->setObjectName(QStringLiteral("flowlens-query-%1").arg(i));
        auto* worker = new QueryWorker(m_pageCache, *this);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start(QThread::LowPriority);
        // QThread priorities do nothing under Linux's default scheduler; a nice value does. Queries
        // may wait a little; the GUI thread and the collector's receiver should not.
        QMetaObject::invokeMethod(worker, [] { lowerThreadPriority(); });
        m_threads.push_back(thread);
        m_workers.push_back(worker);
        m_idle.push_back(worker);
    }
}

QueryService::~QueryService()
{
    for (auto& [channel, job] : m_running)
        job->cancel.cancel();
    for (QThread* t : m_threads) {
        t->quit();
        t->wait();
    }
}

void QueryService::setDatabasePath(const QString& path)
{
    if (path == m_path)
        return;
    m_path = path;
    m_pending.clear();
    for (auto& [channel, job] : m_running)
        job->cancel.cancel();
    m_pageCache.clear();
}

quint64 QueryService::requestDashboard(const QString& channel, const DashboardRequest& request,
                                       Supersede mode)
{
    auto job = std::make_shared<QueryJob>();
    job->channel = channel;
    job->request = request;
    return enqueue(std::move(job), mode);
}

quint64 QueryService::requestFlowPage(const QString& channel, const FlowPageRequest& request, Supersede mode)
{
    auto job = std::make_shared<QueryJob>();
    job->channel = channel;
    job->request = request;
    return enqueue(std::move(job), mode);
}

quint64 QueryService::requestDatabaseInfo(const QString& channel)
{
    auto job = std::make_shared<QueryJob>();
    job->channel = channel;
    job->request = DatabaseInfoRequest{};
    return enqueue(std::move(job), Supersede::Queue);
}

quint64 QueryService::requestFlowExport(const QString& channel, const FlowExportRequest& request)
{
    auto job = std::make_shared<QueryJob>();
    job->channel = channel;
    job->request = request;
    return enqueue(std::move(job), Supersede::Cancel);
}

void QueryService::cancel(const QString& channel)
{
    m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(),
                                   [&](const auto& j) { return j->channel == channel; }),
                    m_pending.end());
    if (auto it = m_running.find(channel); it != m_running.end())
        it->second->cancel.cancel();
}

quint64 QueryService::enqueue(std::shared_ptr<QueryJob> job, Supersede mode)
{
    job->id = m_nextId++;
    job->databasePath = m_path;
    if (mode == Supersede::Cancel)
        if (auto it = m_running.find(job->channel); it != m_running.end())
            it->second->cancel.cancel();
    const quint64 id = job->id;
    auto same = std::find_if(m_pending.begin(), m_pending.end(),
                             [&](const auto& j) { return j->channel == job->channel; });
    if (same != m_pending.end())
        *same = std::move(job); // keeps its place in the queue: a busy channel cannot starve others
    else
        m_pending.push_back(std::move(job));
    dispatch();
    return id;
}

void QueryService::dispatch()
{
    while (!m_idle.empty()) {
        // Oldest waiting request whose channel is not busy (one running request per channel).
        auto it = std::find_if(m_pending.begin(), m_pending.end(),
                               [&](const auto& j) { return !m_running.count(j->channel); });
        if (it == m_pending.end())
            return;
        std::shared_ptr<QueryJob> job = *it;
        m_pending.erase(it);
        QueryWorker* worker = m_idle.back();
        m_idle.pop_back();
        m_running[job->channel] = job;
        QMetaObject::invokeMethod(
            worker, [worker, job] { worker->run(job); }, Qt::QueuedConnection);
    }
}

void QueryService::onJobDone(QueryWorker* worker, const std::shared_ptr<QueryJob>& job)
{
    m_idle.push_back(worker);
    if (auto it = m_running.find(job->channel); it != m_running.end() && it->second == job)
        m_running.erase(it);
    const bool dropped = job->cancel.isCancelled() || job->databasePath != m_path;
    dispatch();
    if (!dropped) {
        if (auto* r = std::get_if<DashboardResult>(&job->result);
            r || std::holds_alternative<DashboardRequest>(job->request)) {
            DashboardReply reply{job->id, job->channel, job->error, job->elapsedMs, {}};
            if (r)
                reply.result = std::move(*r);
            emit dashboardReady(reply);
        } else if (std::holds_alternative<FlowPageRequest>(job->request)) {
            FlowPageReply reply{job->id, job->channel, job->error, job->elapsedMs, {}};
            if (auto* p = std::get_if<FlowPage>(&job->result))
                reply.page = std::move(*p);
            emit flowPageReady(reply);
        } else if (std::holds_alternative<DatabaseInfoRequest>(job->request)) {
            DatabaseInfoReply reply{job->id, job->channel, job->error, {}};
            if (auto* p = std::get_if<DatabaseInfo>(&job->result))
                reply.info = *p;
            emit databaseInfoReady(reply);
        } else if (const auto* exp = std::get_if<FlowExportRequest>(&job->request)) {
            FlowExportReply reply{job->id, job->channel, job->error, exp->path, 0};
            if (auto* p = std::get_if<FlowExportResult>(&job->result))
                reply.flows = p->flows;
            emit flowExportFinished(reply);
        }
    }
    if (isIdle())
        emit idle();
}

} // namespace flowlens::query
