#include "query_worker.h"

#include "core/query/flow_format.h"
#include "core/store/flow_reader.h"

#include <QElapsedTimer>
#include <QSaveFile>

namespace flowlens::query {

namespace {

Result<FlowExportResult> exportFlows(store::FlowReader& reader, const FlowExportRequest& req,
                                     const CancelToken& cancel)
{
    QSaveFile file(req.path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(req.path, file.errorString()));
    std::string buffer;
    if (!req.json)
        buffer = flowCsvHeader() + "\n";
    FlowExportResult out;
    bool cancelled = false;
    bool writeFailed = false;
    auto flush = [&] {
        if (file.write(buffer.data(), qint64(buffer.size())) != qint64(buffer.size()))
            writeFailed = true;
        buffer.clear();
    };
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = req.sinceNs;
    opts.untilNs = req.untilNs;
    auto r = reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        if (cancel.isCancelled()) {
            cancelled = true;
            return false;
        }
        for (const decode::FlowRecord& f : flows) {
            if (!req.filter.isEmpty() && !req.filter.matches(f))
                continue;
            if (req.json)
                appendFlowJson(buffer, f);
            else
                appendFlowCsv(buffer, f);
            buffer += '\n';
            ++out.flows;
        }
        if (buffer.size() > (1u << 20))
            flush();
        return !writeFailed;
    });
    if (!r)
        return fail(r.error());
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    flush();
    if (writeFailed || !file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(req.path, file.errorString()));
    return out;
}

} // namespace

QueryWorker::QueryWorker(FlowPageCache& cache, QueryService& service)
    : m_cache(cache)
    , m_service(service)
{}

QueryWorker::~QueryWorker() = default;

void QueryWorker::run(const std::shared_ptr<QueryJob>& job)
{
    QElapsedTimer timer;
    timer.start();
    execute(*job);
    job->elapsedMs = double(timer.nsecsElapsed()) / 1e6;
    QueryService* service = &m_service;
    QMetaObject::invokeMethod(
        service, [service, worker = this, job] { service->onJobDone(worker, job); }, Qt::QueuedConnection);
}

void QueryWorker::execute(QueryJob& job)
{
    if (job.cancel.isCancelled()) {
        job.error = QStringLiteral("cancelled");
        return;
    }
    if (!m_reader || m_readerPath != job.databasePath) {
        m_reader.reset();
        auto opened = store::FlowReader::open(job.databasePath);
        if (!opened) {
            job.error = opened.error();
            return;
        }
        m_reader = std::move(*opened);
        m_readerPath = job.databasePath;
    }
    auto failed = [&](const QString& error) {
        job.error = error;
        // A connection that failed for a reason other than cancelling is reopened next time.
        if (error != QStringLiteral("cancelled"))
            m_reader.reset();
    };
    if (const auto* dash = std::get_if<DashboardRequest>(&job.request)) {
        auto r = runDashboard(*m_reader, *dash, job.cancel);
        if (r)
            job.result = std::move(*r);
        else
            failed(r.error());
    } else if (const auto* page = std::get_if<FlowPageRequest>(&job.request)) {
        auto r = runFlowPage(*m_reader, *page, m_cache, job.cancel);
        if (r)
            job.result = std::move(*r);
        else
            failed(r.error());
    } else if (std::holds_alternative<DatabaseInfoRequest>(job.request)) {
        auto r = readDatabaseInfo(*m_reader);
        if (r)
            job.result = *r;
        else
            failed(r.error());
    } else if (const auto* exp = std::get_if<FlowExportRequest>(&job.request)) {
        auto r = exportFlows(*m_reader, *exp, job.cancel);
        if (r)
            job.result = *r;
        else
            failed(r.error());
    }
}

} // namespace flowlens::query
