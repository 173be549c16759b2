#pragma once

#include <QStyledItemDelegate>

namespace flowlens::ui {

/// Draws a cell's SeriesRole (QList<double>) as a small line chart: the per-exporter activity.
class SparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace flowlens::ui
