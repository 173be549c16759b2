#pragma once

#include "ui/export/image_export.h"
#include "ui/widgets/panel.h"

namespace flowlens::ui {

class WorldMap;

/// A panel holding the world map: exports as PNG, SVG or PDF (title, time range, filter written on
/// the image, as chart panels do) and the shown points as GeoJSON.
class MapPanel : public Panel
{
    Q_OBJECT

public:
    MapPanel(const QString& title, WorldMap* map, QWidget* parent = nullptr);

    WorldMap* map() const { return m_map; }
    /// Puts a row of controls (e.g. "Colour by") above the map; the panel takes ownership.
    void setToolbar(QWidget* toolbar);
    ExportCaption caption() const;
    QByteArray render(const ExportOptions& options) const;
    /// Renders now and writes the file on a pool thread; reports through message().
    void exportTo(const QString& path, const ExportOptions& options);
    void exportGeoJson(const QString& path);

private:
    void saveAs(ExportFormat format);

    WorldMap* m_map;
};

} // namespace flowlens::ui
