#pragma once

#include "core/alert/alert_event.h"

#include <vector>

#include <QAbstractTableModel>

namespace flowlens::ui {

/// The alert history: one row per alert, newest first, firing ones marked.
class AlertEventModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        FiredColumn,
        StateColumn,
        RuleColumn,
        KeyColumn,
        ValueColumn,
        ThresholdColumn,
        PeakColumn,
        DurationColumn,
        ColumnCount
    };

    explicit AlertEventModel(QObject* parent = nullptr);

    /// Replaces the rows; `nowNs` dates the duration of alerts still firing.
    void setEvents(const std::vector<alert::AlertEvent>& events, std::uint64_t nowNs);
    const alert::AlertEvent* event(int row) const;
    /// Row of the alert with this database id, -1 when not shown.
    int rowOf(std::int64_t id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<alert::AlertEvent> m_events;
    std::uint64_t m_nowNs = 0;
};

} // namespace flowlens::ui
