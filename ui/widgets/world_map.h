#pragma once

#include <QHash>
#include <QList>
#include <QPainterPath>
#include <QPointF>
#include <QString>
#include <QWidget>

class QPainter;

namespace flowlens::ui {

/// A place drawn as a bubble (a city), sized by its value.
struct MapPoint
{
    QString name; ///< "Boxford, England, GB"
    double latitude = 0;
    double longitude = 0;
    double value = 0;
    QString valueText; ///< shown in the tooltip ("1.2 MB")
};

/// A conversation drawn as an arc from one place to another.
struct MapArc
{
    MapPoint from;
    MapPoint to;
    double value = 0;
};

/// A country outline from Natural Earth (1:110m) in degrees.
struct MapCountry
{
    QString code; ///< ISO alpha-2, "" for areas without one (N. Cyprus, Somaliland)
    QString name;
    QList<QPolygonF> rings; ///< x = longitude, y = latitude
};

/// The bundled outlines (resources/geo/world-110m.txt), parsed once.
const QList<MapCountry>& worldCountries();

/// A world map drawn with QPainter (Qt 6.4 has no Qt Location): countries coloured by a value
/// (choropleth), city bubbles sized by traffic, optional arcs, zoom (wheel) and pan (drag),
/// tooltips, and a click on a country emits its ISO code. Equirectangular projection of
/// latitudes 84°N..58°S (Antarctica left out). paintMap() draws the same picture anywhere (exports).
class WorldMap : public QWidget
{
    Q_OBJECT

public:
    explicit WorldMap(QWidget* parent = nullptr);

    /// Country values by ISO code; `unitText` labels tooltips and the legend ("MB", "flows").
    void setCountryValues(const QHash<QString, double>& values, const QHash<QString, QString>& texts = {});
    void setPoints(const QList<MapPoint>& points);
    void setArcs(const QList<MapArc>& arcs);
    /// A line drawn in the bottom corner (e.g. "IP Geolocation by DB-IP"); empty for none.
    void setAttribution(const QString& text);
    void setLegendTitle(const QString& text);
    /// Written over the map while it shows no value (how to get data onto it).
    void setEmptyText(const QString& text);
    void resetView();
    void setZoom(double zoom, QPointF centerLonLat);
    double zoom() const { return m_zoom; }

    /// The fill a country with `value` gets (the largest value gets the strongest colour).
    QColor colorFor(double value) const;
    /// Widget/area coordinates of a longitude/latitude for the current zoom and pan.
    QPointF project(double longitude, double latitude, const QRectF& area) const;
    /// The country under a point of the widget, "" over the sea.
    QString countryAt(const QPointF& pos) const;
    void paintMap(QPainter& painter, const QRectF& area) const;
    /// GeoJSON FeatureCollection of the shown points (and arcs as LineStrings), with their values.
    QByteArray geoJson() const;
    const QList<MapPoint>& points() const { return m_points; }
    const QHash<QString, double>& countryValues() const { return m_values; }

signals:
    void countryClicked(const QString& isoCode);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    QPointF unproject(const QPointF& pos, const QRectF& area) const;
    QPainterPath countryPath(const MapCountry& c, const QRectF& area) const;

    QHash<QString, double> m_values;
    QHash<QString, QString> m_valueTexts;
    double m_maxValue = 0;
    double m_maxPoint = 0;
    QList<MapPoint> m_points;
    QList<MapArc> m_arcs;
    QString m_attribution;
    QString m_legendTitle;
    QString m_emptyText;
    double m_zoom = 1;
    QPointF m_center{10, 13}; ///< lon/lat at the middle of the view
    QPoint m_pressPos;
    QPointF m_pressCenter;
    bool m_dragged = false;
};

} // namespace flowlens::ui
