#pragma once

#include "ui/dashboards/dashboard.h"

class QLabel;
class QTableView;
class QTreeWidget;

namespace flowlens::ui {

class FlowTableModel;
class TablePanel;

/// Flows: the stored flows in a lazily paged table (sorted by a worker), a column chooser, and
/// a details pane with every field of the selected flow, copyable as text or goflow2 JSON.
class FlowsDashboard : public Dashboard
{
    Q_OBJECT

public:
    FlowsDashboard(query::QueryService* service, QWidget* parent = nullptr);

    void viewChanged(const ViewContext& view, bool liveTick) override;

    FlowTableModel* model() const { return m_model; }
    QTableView* table() const;
    QTreeWidget* details() const { return m_details; }
    /// Selected flow as goflow2 JSON / as "field: value" lines (empty when none is selected).
    QString selectedJson() const;
    QString selectedText() const;
    void setVisibleColumns(const QStringList& names);
    QStringList visibleColumns() const;

signals:
    void visibleColumnsChanged(const QStringList& names);

private:
    void showDetails();
    void updateCount();
    void exportAll(bool json);
    void showColumnMenu();
    const decode::FlowRecord* selectedFlow() const;

    query::QueryService* m_service;
    FlowTableModel* m_model;
    TablePanel* m_panel;
    QTreeWidget* m_details;
    QLabel* m_count;
    ViewContext m_view;
};

} // namespace flowlens::ui
