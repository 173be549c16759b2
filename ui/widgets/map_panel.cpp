#include "map_panel.h"

#include "world_map.h"

#include "ui/export/file_saver.h"

#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QPointer>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

QString suggestedPath(const QString& suffix)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() : dir).filePath(QStringLiteral("flowlens-map.") + suffix);
}

} // namespace

MapPanel::MapPanel(const QString& title, WorldMap* map, QWidget* parent)
    : Panel(title, parent)
    , m_map(map)
{
    m_map->setParent(this);
    contentLayout()->addWidget(m_map, 1);
    menu()->addAction(QStringLiteral("Save as PNG…"), this, [this] { saveAs(ExportFormat::Png); });
    menu()->addAction(QStringLiteral("Save as SVG…"), this, [this] { saveAs(ExportFormat::Svg); });
    menu()->addAction(QStringLiteral("Save as PDF…"), this, [this] { saveAs(ExportFormat::Pdf); });
    menu()->addAction(QStringLiteral("Save points as GeoJSON…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save GeoJSON"),
                                                          suggestedPath(QStringLiteral("geojson")),
                                                          QStringLiteral("GeoJSON (*.geojson *.json)"));
        if (!path.isEmpty())
            exportGeoJson(path);
    });
    menu()->addSeparator();
    menu()->addAction(QStringLiteral("Reset zoom"), m_map, &WorldMap::resetView);
}

void MapPanel::setToolbar(QWidget* toolbar)
{
    toolbar->setParent(this);
    contentLayout()->insertWidget(0, toolbar);
}

ExportCaption MapPanel::caption() const
{
    ExportCaption c;
    c.title = title();
    c.details = viewDetails();
    if (!subtitle().isEmpty())
        c.details << QStringLiteral("Values: ") + subtitle();
    return c;
}

QByteArray MapPanel::render(const ExportOptions& options) const
{
    const WorldMap* map = m_map;
    return renderExport(
        options, caption(), [map](QPainter& p, const QRectF& area) { map->paintMap(p, area); }, palette());
}

void MapPanel::exportTo(const QString& path, const ExportOptions& options)
{
    const QByteArray bytes = render(options);
    QPointer<MapPanel> self(this);
    saveInBackground(path, bytes, this, [self, path](const QString& error) {
        if (self)
            emit self->message(error.isEmpty() ? QStringLiteral("Saved %1").arg(path) : error);
    });
}

void MapPanel::exportGeoJson(const QString& path)
{
    QPointer<MapPanel> self(this);
    saveInBackground(path, m_map->geoJson(), this, [self, path](const QString& error) {
        if (self)
            emit self->message(error.isEmpty() ? QStringLiteral("Saved %1").arg(path) : error);
    });
}

void MapPanel::saveAs(ExportFormat format)
{
    const QString suffix = exportFormatSuffix(format);
    const QString path =
        QFileDialog::getSaveFileName(this, QStringLiteral("Save %1").arg(title()), suggestedPath(suffix),
                                     QStringLiteral("%1 (*.%2)").arg(suffix.toUpper(), suffix));
    if (path.isEmpty())
        return;
    ExportOptions o;
    o.format = format;
    o.size = QSize(std::max(800, m_map->width()), std::max(450, m_map->height()) + 90);
    exportTo(path, o);
}

} // namespace flowlens::ui
