#pragma once

#include <Qt>

namespace flowlens::ui {

/// Roles shared by FlowLens models: DisplayRole formats, these carry the values behind the text
/// (sorting, CSV export and drill-down read them).
enum ModelRole
{
    RawRole = Qt::UserRole + 1, ///< the value: qulonglong / double / QString (addresses, names)
    KeyRole,                    ///< QByteArray of the store::RollupKey (top tables)
    FilterTermRole,             ///< filter term selecting this cell's value ("src ip 10.0.0.1"), or empty
    SeriesRole,                 ///< QList<double> for sparklines (exporters)
};

} // namespace flowlens::ui
