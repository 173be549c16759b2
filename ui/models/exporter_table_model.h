#pragma once

#include "core/query/exporter_query.h"

#include <map>
#include <vector>

#include <QAbstractTableModel>
#include <QList>

namespace flowlens::ui {

/// Exporter health: one row per exporter stream (endpoint + observation domain) with sequence
/// loss, templates, sampling, rates and a sparkline of its flows over the range.
class ExporterTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        ExporterColumn,
        DomainColumn,
        TypeColumn,
        ActivityColumn,
        RateColumn,
        FlowsColumn,
        DatagramsColumn,
        LossColumn,
        TemplatesColumn,
        MissingTemplatesColumn,
        SamplingColumn,
        AnomaliesColumn,
        LastSeenColumn,
        ColumnCount
    };

    explicit ExporterTableModel(QObject* parent = nullptr);

    /// Replaces the rows. `activity` maps an exporter address to its flows per bucket;
    /// `flowsPerSecond` maps "endpoint/domain" to the live rate (empty when not collecting).
    void setRows(const std::vector<query::ExporterInfo>& rows,
                 const std::map<QString, QList<double>>& activity,
                 const std::map<QString, double>& flowsPerSecond);
    const query::ExporterInfo* exporter(int row) const;
    static QString rowKey(const query::ExporterInfo& e);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<query::ExporterInfo> m_rows;
    std::map<QString, QList<double>> m_activity;
    std::map<QString, double> m_rates;
};

} // namespace flowlens::ui
