#include "table_export.h"

#include "ui/models/model_roles.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace flowlens::ui {

namespace {

QString csvField(const QVariant& v)
{
    QString s;
    if (v.canConvert<QList<double>>() && v.typeId() != QMetaType::QString &&
        v.typeId() != QMetaType::Double && v.typeId() != QMetaType::ULongLong &&
        v.typeId() != QMetaType::LongLong && v.typeId() != QMetaType::Int) {
        QStringList parts;
        for (double d : v.value<QList<double>>())
            parts << QString::number(d, 'g', 12);
        s = parts.join(QLatin1Char(';'));
    } else if (v.typeId() == QMetaType::Double) {
        s = QString::number(v.toDouble(), 'g', 12);
    } else {
        s = v.toString();
    }
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n'))) {
        s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        s = QLatin1Char('"') + s + QLatin1Char('"');
    }
    return s;
}

} // namespace

QByteArray tableCsv(const QAbstractItemModel& model)
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c) {
        QVariant h = model.headerData(c, Qt::Horizontal, RawRole);
        if (!h.isValid())
            h = model.headerData(c, Qt::Horizontal, Qt::DisplayRole);
        header << csvField(h);
    }
    lines << header.join(QLatin1Char(','));
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c) {
            const QModelIndex idx = model.index(r, c);
            QVariant v = model.data(idx, RawRole);
            if (!v.isValid())
                v = model.data(idx, Qt::DisplayRole);
            cells << csvField(v);
        }
        lines << cells.join(QLatin1Char(','));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString tableText(const QAbstractItemModel& model, const QList<int>& rows)
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c)
        header << model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    lines << header.join(QLatin1Char('\t'));
    auto addRow = [&](int r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c)
            cells << model.data(model.index(r, c), Qt::DisplayRole).toString();
        lines << cells.join(QLatin1Char('\t'));
    };
    if (rows.isEmpty())
        for (int r = 0; r < model.rowCount(); ++r)
            addRow(r);
    else
        for (int r : rows)
            addRow(r);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace flowlens::ui
