#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

class QAbstractItemModel;

namespace flowlens::ui {

/// CSV of a whole model from its raw values (RawRole), with machine-friendly headers; cells
/// without a raw value fall back to their text. Lists are joined with ';'.
QByteArray tableCsv(const QAbstractItemModel& model);

/// Tab-separated display text of the given rows (all rows when empty), headers first: what
/// "Copy" puts on the clipboard for pasting into a spreadsheet.
QString tableText(const QAbstractItemModel& model, const QList<int>& rows = {});

} // namespace flowlens::ui
