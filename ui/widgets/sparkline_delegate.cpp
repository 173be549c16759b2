#include "sparkline_delegate.h"

#include "ui/format.h"
#include "ui/models/model_roles.h"

#include <algorithm>

#include <QPainter>
#include <QPainterPath>

namespace flowlens::ui {

void SparklineDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QList<double> values = index.data(SeriesRole).value<QList<double>>();
    if (values.size() < 2)
        return;
    const double max = *std::max_element(values.begin(), values.end());
    const QRectF r = QRectF(option.rect).adjusted(4, 4, -4, -4);
    QPainterPath line;
    for (qsizetype i = 0; i < values.size(); ++i) {
        const double x = r.left() + r.width() * double(i) / double(values.size() - 1);
        const double y = r.bottom() - (max > 0 ? r.height() * values[i] / max : 0);
        if (i == 0)
            line.moveTo(x, y);
        else
            line.lineTo(x, y);
    }
    QPainterPath area = line;
    area.lineTo(r.right(), r.bottom());
    area.lineTo(r.left(), r.bottom());
    area.closeSubpath();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor color = fmt::paletteColor(0);
    QColor fill = color;
    fill.setAlpha(70);
    painter->fillPath(area, fill);
    painter->setPen(QPen(color, 1.5));
    painter->drawPath(line);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(140, 26));
}

} // namespace flowlens::ui
