#pragma once

#include "ui/drill_down.h"
#include "ui/widgets/panel.h"

class QAbstractItemModel;
class QTableView;

namespace flowlens::ui {

/// A panel holding a table: CSV export of the raw values, copy, and drill-down on the values
/// (double-click narrows the filter; the context menu offers narrow / exclude / show flows / copy).
class TablePanel : public Panel
{
    Q_OBJECT

public:
    TablePanel(const QString& title, QAbstractItemModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    QAbstractItemModel* model() const { return m_model; }
    /// Column whose FilterTermRole drill-down uses when the clicked cell has none (-1: none).
    void setKeyColumn(int column);
    void exportCsv(const QString& path);
    void copyTable();

signals:
    void drillRequested(const QString& term, flowlens::ui::DrillAction action);

private:
    QString termAt(const QModelIndex& index) const;
    void showContextMenu(const QPoint& pos);

    QAbstractItemModel* m_model;
    QTableView* m_view;
    int m_keyColumn = 1;
};

} // namespace flowlens::ui
