#pragma once

#include "core/query/query_service.h"

#include <memory>
#include <variant>

#include <QObject>
#include <QString>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

struct DatabaseInfoRequest
{};

struct FlowExportResult
{
    std::uint64_t flows = 0;
};

/// One request travelling to a worker and back with its result. Internal to QueryService.
struct QueryJob
{
    quint64 id = 0;
    QString channel;
    QString databasePath;
    CancelToken cancel;
    std::variant<DashboardRequest, FlowPageRequest, DatabaseInfoRequest, FlowExportRequest> request;

    QString error;
    double elapsedMs = 0;
    std::variant<std::monostate, DashboardResult, FlowPage, DatabaseInfo, FlowExportResult> result;
};

/// Runs jobs on its own thread with its own read-only connection (opened in that thread, reopened
/// when the database path changes or after an error).
class QueryWorker : public QObject
{
public:
    QueryWorker(FlowPageCache& cache, QueryService& service);
    ~QueryWorker() override;

    /// Call in the worker's thread; reports back to the service with a queued call.
    void run(const std::shared_ptr<QueryJob>& job);

private:
    void execute(QueryJob& job);

    FlowPageCache& m_cache;
    QueryService& m_service;
    std::unique_ptr<store::FlowReader> m_reader;
    QString m_readerPath;
};

} // namespace flowlens::query
