#pragma once

#include "core/query/dashboard_query.h"
#include "core/query/flow_page_query.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <QMetaType>
#include <QObject>
#include <QString>

class QThread;

namespace flowlens::query {

class QueryWorker;
struct QueryJob;

/// Writes every flow of a range and filter to a file, on a query worker.
struct FlowExportRequest
{
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX;
    Filter filter;
    QString path;
    bool json = false; ///< goflow2-style NDJSON instead of CSV
};

struct DashboardReply
{
    quint64 id = 0;
    QString channel;
    QString error; ///< empty on success
    double elapsedMs = 0;
    DashboardResult result;
};

struct FlowPageReply
{
    quint64 id = 0;
    QString channel;
    QString error;
    double elapsedMs = 0;
    FlowPage page;
};

struct DatabaseInfoReply
{
    quint64 id = 0;
    QString channel;
    QString error;
    DatabaseInfo info;
};

struct FlowExportReply
{
    quint64 id = 0;
    QString channel;
    QString error;
    QString path;
    std::uint64_t flows = 0;
};

/// Runs queries on worker threads, each owning a read-only FlowReader connection, and hands back
/// immutable results. Lives on (and must be called from) the GUI thread; results are emitted there.
///
/// Every request names a channel (e.g. "overview"). A newer request on a channel replaces the one
/// still waiting, and with Supersede::Cancel also stops the one running (its result is dropped);
/// with Supersede::Queue the running one finishes first (live refreshes: a slow scan still ends).
class QueryService : public QObject
{
    Q_OBJECT

public:
    enum class Supersede
    {
        Cancel,
        Queue,
    };

    /// `databasePath` may not exist yet (the collector creates it); queries fail until it does.
    explicit QueryService(const QString& databasePath, int workerCount = 2, QObject* parent = nullptr);
    ~QueryService() override;

    /// Switches every later query to another file; cancels what is queued or running.
    void setDatabasePath(const QString& path);
    QString databasePath() const { return m_path; }

    quint64 requestDashboard(const QString& channel, const DashboardRequest& request,
                             Supersede mode = Supersede::Cancel);
    quint64 requestFlowPage(const QString& channel, const FlowPageRequest& request,
                            Supersede mode = Supersede::Cancel);
    quint64 requestDatabaseInfo(const QString& channel);
    quint64 requestFlowExport(const QString& channel, const FlowExportRequest& request);
    /// Drops the waiting request of `channel` and stops the running one.
    void cancel(const QString& channel);

    /// True when no request is waiting or running.
    bool isIdle() const { return m_pending.empty() && m_running.empty(); }
    int workerCount() const { return int(m_workers.size()); }

signals:
    void dashboardReady(const flowlens::query::DashboardReply& reply);
    void flowPageReady(const flowlens::query::FlowPageReply& reply);
    void databaseInfoReady(const flowlens::query::DatabaseInfoReply& reply);
    void flowExportFinished(const flowlens::query::FlowExportReply& reply);
    void idle();

private:
    friend class QueryWorker;
    quint64 enqueue(std::shared_ptr<QueryJob> job, Supersede mode);
    void dispatch();
    void onJobDone(QueryWorker* worker, const std::shared_ptr<QueryJob>& job);

    QString m_path;
    quint64 m_nextId = 1;
    FlowPageCache m_pageCache;
    std::vector<QThread*> m_threads;
    std::vector<QueryWorker*> m_workers;
    std::vector<QueryWorker*> m_idle;
    std::deque<std::shared_ptr<QueryJob>> m_pending;
    std::map<QString, std::shared_ptr<QueryJob>> m_running;
};

} // namespace flowlens::query

Q_DECLARE_METATYPE(flowlens::query::DashboardReply)
Q_DECLARE_METATYPE(flowlens::query::FlowPageReply)
Q_DECLARE_METATYPE(flowlens::query::DatabaseInfoReply)
Q_DECLARE_METATYPE(flowlens::query::FlowExportReply)
