#include "exporter_table_model.h"

#include "model_roles.h"

#include "ui/format.h"

#include <QBrush>
#include <QColor>

namespace flowlens::ui {

ExporterTableModel::ExporterTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

QString ExporterTableModel::rowKey(const query::ExporterInfo& e)
{
    return e.endpoint + QLatin1Char('/') + QString::number(e.domain);
}

void ExporterTableModel::setRows(const std::vector<query::ExporterInfo>& rows,
                                 const std::map<QString, QList<double>>& activity,
                                 const std::map<QString, double>& flowsPerSecond)
{
    bool sameKeys = rows.size() == m_rows.size();
    for (std::size_t i = 0; sameKeys && i < rows.size(); ++i)
        sameKeys = rowKey(rows[i]) == rowKey(m_rows[i]);
    if (!sameKeys)
        beginResetModel();
    m_rows = rows;
    m_activity = activity;
    m_rates = flowsPerSecond;
    if (!sameKeys)
        endResetModel();
    else if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

const query::ExporterInfo* ExporterTableModel::exporter(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
}

int ExporterTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ExporterTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExporterTableModel::data(const QModelIndex& index, int role) const
{
    const query::ExporterInfo* e = index.isValid() ? exporter(index.row()) : nullptr;
    if (!e)
        return {};
    const auto rate = m_rates.find(rowKey(*e));
    const bool haveRate = rate != m_rates.end();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ExporterColumn:
            return e->endpoint;
        case DomainColumn:
            return QString::number(e->domain);
        case TypeColumn:
            return e->version ? QStringLiteral("%1 (v%2)").arg(e->type).arg(e->version) : e->type;
        case ActivityColumn:
            return {};
        case RateColumn:
            return haveRate ? fmt::compact(rate->second) + QStringLiteral("/s") : QStringLiteral("–");
        case FlowsColumn:
            return fmt::integer(e->flows);
        case DatagramsColumn:
            return fmt::integer(e->datagrams);
        case LossColumn:
            if (!e->sequenceExpected)
                return QStringLiteral("–");
            return QStringLiteral("%1 (%2)").arg(fmt::integer(e->sequenceLost),
                                                 fmt::percent(e->lossPercent() / 100.0));
        case TemplatesColumn:
            return e->type == QLatin1String("NETFLOW_V9") || e->type == QLatin1String("IPFIX")
                       ? QString::number(e->templatesActive)
                       : QStringLiteral("–");
        case MissingTemplatesColumn:
            return fmt::integer(e->missingTemplateSets);
        case SamplingColumn:
            return e->samplingRate > 1 ? QStringLiteral("1:%1").arg(e->samplingRate) : QStringLiteral("none");
        case AnomaliesColumn:
            return fmt::integer(e->anomalies);
        case LastSeenColumn:
            return fmt::time(e->lastSeenNs);
        }
        break;
    case RawRole:
        switch (index.column()) {
        case ExporterColumn:
            return e->endpoint;
        case DomainColumn:
            return qulonglong(e->domain);
        case TypeColumn:
            return e->type;
        case ActivityColumn: {
            const auto it = m_activity.find(e->address);
            return it != m_activity.end() ? QVariant::fromValue(it->second) : QVariant();
        }
        case RateColumn:
            return haveRate ? QVariant(rate->second) : QVariant();
        case FlowsColumn:
            return qulonglong(e->flows);
        case DatagramsColumn:
            return qulonglong(e->datagrams);
        case LossColumn:
            return qulonglong(e->sequenceLost);
        case TemplatesColumn:
            return qulonglong(e->templatesActive);
        case MissingTemplatesColumn:
            return qulonglong(e->missingTemplateSets);
        case SamplingColumn:
            return qulonglong(e->samplingRate);
        case AnomaliesColumn:
            return qulonglong(e->anomalies);
        case LastSeenColumn:
            return qulonglong(e->lastSeenNs);
        }
        break;
    case SeriesRole:
        if (index.column() == ActivityColumn) {
            const auto it = m_activity.find(e->address);
            return it != m_activity.end() ? QVariant::fromValue(it->second)
                                          : QVariant::fromValue(QList<double>());
        }
        break;
    case FilterTermRole:
        return QString(QStringLiteral("exporter ") + e->address);
    case Qt::ForegroundRole:
        if ((index.column() == LossColumn && e->sequenceLost) ||
            (index.column() == MissingTemplatesColumn && e->missingTemplateSets) ||
            (index.column() == AnomaliesColumn && e->anomalies))
            return QBrush(QColor(0xd0, 0x3b, 0x3b));
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case LossColumn:
            return QStringLiteral(
                       "Sequence numbers missing: %1 of %2 expected (%3 gaps, %4 resets). Units: flows "
                       "for v5 and IPFIX, datagrams for v9 and sFlow.")
                .arg(e->sequenceLost)
                .arg(e->sequenceExpected)
                .arg(e->sequenceGaps)
                .arg(e->sequenceResets);
        case TemplatesColumn:
            return QStringLiteral("%1 active, %2 learned, %3 changed")
                .arg(e->templatesActive)
                .arg(e->templatesLearned)
                .arg(e->templatesChanged);
        case AnomaliesColumn:
            return e->anomalyText.isEmpty() ? QStringLiteral("No anomalies") : e->anomalyText;
        case ActivityColumn:
            return QStringLiteral("Flows of %1 over the selected time range").arg(e->address);
        default:
            break;
        }
        break;
    case Qt::TextAlignmentRole:
        return index.column() <= TypeColumn || index.column() == LastSeenColumn
                   ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

QVariant ExporterTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const char* const titles[] = {"Exporter", "Domain",    "Type",          "Activity",  "Flows/s",
                                         "Flows",    "Datagrams", "Sequence loss", "Templates", "No template",
                                         "Sampling", "Anomalies", "Last seen"};
    static const char* const names[] = {
        "exporter",      "domain",    "type",          "activity",         "flows_per_second",
        "flows",         "datagrams", "sequence_lost", "templates_active", "missing_template_sets",
        "sampling_rate", "anomalies", "last_seen_ns"};
    static_assert(std::size(titles) == ColumnCount && std::size(names) == ColumnCount);
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return QLatin1String(titles[section]);
    if (role == RawRole)
        return QLatin1String(names[section]);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case MissingTemplatesColumn:
            return QStringLiteral(
                "Data sets that arrived before (or without) their template: their flows could "
                "not be decoded");
        case RateColumn:
            return QStringLiteral("Flows per second decoded now (while collecting)");
        case LossColumn:
            return QStringLiteral("Numbered by the exporter but never received");
        default:
            break;
        }
    }
    return {};
}

} // namespace flowlens::ui
