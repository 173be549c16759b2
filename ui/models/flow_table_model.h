#pragma once

#include "core/decode/flow_record.h"
#include "core/query/query_service.h"

#include <vector>

#include <QAbstractTableModel>

namespace flowlens::ui {

/// The Flows table: every field of the stored flows as columns, fetched page by page from the
/// query service. fetchMore() returns at once and rows arrive later; sorting is done by the worker
/// (arrival order for time_received, a partial sort for any other column).
class FlowTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit FlowTableModel(query::QueryService* service, QObject* parent = nullptr);

    /// Shows the flows of [since, until) matching `filter`, from a fresh snapshot.
    void setQuery(std::uint64_t sinceNs, std::uint64_t untilNs, const query::Filter& filter);
    /// Same query on a fresh snapshot (new flows, new sort order).
    void reload();

    decode::FlowField sortField() const { return m_sortField; }
    bool sortDescending() const { return m_descending; }
    std::uint64_t totalRows() const { return m_total; }
    std::uint64_t reachableRows() const { return m_reachable; }
    bool isLoading() const { return m_inFlight != 0; }
    const decode::FlowRecord* flow(int row) const;
    static decode::FlowField fieldOf(int column) { return decode::FlowField(column); }
    static int columnOf(decode::FlowField f) { return int(f); }
    /// Display text of one field of a flow (as the table shows it).
    static QString fieldText(const decode::FlowRecord& r, decode::FlowField f);
    /// Filter term selecting this field's value, empty when the filter language has no term for it.
    static QString fieldFilterTerm(const decode::FlowRecord& r, decode::FlowField f);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    void sort(int column, Qt::SortOrder order) override;

signals:
    void loadingChanged(bool loading);
    void totalChanged(std::uint64_t total, std::uint64_t reachable);
    void errorOccurred(const QString& message);

private:
    void request(std::uint64_t offset, int limit);
    void onPage(const query::FlowPageReply& reply);

    query::QueryService* m_service;
    QString m_channel;
    std::uint64_t m_since = 0;
    std::uint64_t m_until = UINT64_MAX;
    query::Filter m_filter;
    decode::FlowField m_sortField = decode::FlowField::TimeReceived;
    bool m_descending = true;
    std::uint64_t m_snapshot = 0;
    std::uint64_t m_total = 0;
    std::uint64_t m_reachable = 0;
    bool m_known = false; ///< the first page arrived (total and reachable are known)
    quint64 m_inFlight = 0;
    std::vector<decode::FlowRecord> m_rows;
};

} // namespace flowlens::ui
