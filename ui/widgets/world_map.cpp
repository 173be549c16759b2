#include "world_map.h"

#include <algorithm>
#include <cmath>

#include <QFile>
#include <QHelpEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMouseEvent>
#include <QPainter>
#include <QTextStream>
#include <QToolTip>
#include <QWheelEvent>

namespace flowlens::ui {

namespace {

constexpr double kNorth = 84;
constexpr double kSouth = -58;
constexpr double kLonSpan = 360;
constexpr double kLatSpan = kNorth - kSouth;

QList<MapCountry> loadCountries()
{
    QList<MapCountry> out;
    QFile f(QStringLiteral(":/geo/world-110m.txt"));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QTextStream in(&f);
    while (!in.atEnd()) {
        const QString line = in.readLine();
        if (line.startsWith(QLatin1String("C "))) {
            MapCountry c;
            const QString code = line.mid(2, 2);
            c.code = code == QLatin1String("--") ? QString() : code;
            c.name = line.mid(5);
            out.append(c);
        } else if (line.startsWith(QLatin1String("R ")) && !out.isEmpty()) {
            QPolygonF ring;
            const auto pairs = QStringView(line).mid(2).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            ring.reserve(pairs.size());
            for (const QStringView p : pairs) {
                const qsizetype comma = p.indexOf(QLatin1Char(','));
                if (comma > 0)
                    ring.append(QPointF(p.left(comma).toDouble(), p.mid(comma + 1).toDouble()));
            }
            // Rings crossing the antimeridian (Chukotka, Fiji) hold points at both -180 and 180: drawn
            // as they are they would span the whole map. Move their western half east of 180.
            double west = 180, east = -180;
            for (const QPointF& p : ring) {
                west = std::min(west, p.x());
                east = std::max(east, p.x());
            }
            if (east - west > 180)
                for (QPointF& p : ring)
                    if (p.x() < 0)
                        p.rx() += 360;
            if (ring.size() >= 3)
                out.last().rings.append(ring);
        }
    }
    // The map ends at 58°S: Antarctica would only be a band along the bottom edge.
    out.removeIf([](const MapCountry& c) { return c.code == QLatin1String("AQ"); });
    return out;
}

QColor mix(const QColor& a, const QColor& b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

} // namespace

const QList<MapCountry>& worldCountries()
{
    static const QList<MapCountry> countries = loadCountries();
    return countries;
}

WorldMap::WorldMap(QWidget* parent)
    : QWidget(parent)
{
    setMinimumSize(360, 200);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    resetView();
}

void WorldMap::setCountryValues(const QHash<QString, double>& values, const QHash<QString, QString>& texts)
{
    m_values = values;
    m_valueTexts = texts;
    m_maxValue = 0;
    for (double v : values)
        m_maxValue = std::max(m_maxValue, v);
    update();
}

void WorldMap::setPoints(const QList<MapPoint>& points)
{
    m_points = points;
    m_maxPoint = 0;
    for (const MapPoint& p : points)
        m_maxPoint = std::max(m_maxPoint, p.value);
    update();
}

void WorldMap::setArcs(const QList<MapArc>& arcs)
{
    m_arcs = arcs;
    update();
}

void WorldMap::setAttribution(const QString& text)
{
    m_attribution = text;
    update();
}

void WorldMap::setLegendTitle(const QString& text)
{
    m_legendTitle = text;
    update();
}

void WorldMap::setEmptyText(const QString& text)
{
    m_emptyText = text;
    update();
}

void WorldMap::resetView()
{
    m_zoom = 1;
    m_center = QPointF(0, (kNorth + kSouth) / 2);
    update();
}

void WorldMap::setZoom(double zoom, QPointF centerLonLat)
{
    m_zoom = std::clamp(zoom, 1.0, 40.0);
    m_center = centerLonLat;
    update();
}

QColor WorldMap::colorFor(double value) const
{
    const QColor low = QColor(0xc6, 0xdb, 0xef);
    const QColor high = QColor(0x08, 0x45, 0x94);
    if (m_maxValue <= 0 || value <= 0)
        return low;
    // Square root: traffic is heavy-tailed, a linear scale would leave all but one country pale.
    return mix(low, high, std::sqrt(value / m_maxValue));
}

QPointF WorldMap::project(double longitude, double latitude, const QRectF& area) const
{
    // The whole map fits the area at zoom 1 (keeping the projection's 2:1-ish aspect).
    const double scale = std::min(area.width() / kLonSpan, area.height() / kLatSpan) * m_zoom;
    return QPointF(area.center().x() + (longitude - m_center.x()) * scale,
                   area.center().y() - (latitude - m_center.y()) * scale);
}

QPointF WorldMap::unproject(const QPointF& pos, const QRectF& area) const
{
    const double scale = std::min(area.width() / kLonSpan, area.height() / kLatSpan) * m_zoom;
    return QPointF(m_center.x() + (pos.x() - area.center().x()) / scale,
                   m_center.y() - (pos.y() - area.center().y()) / scale);
}

QPainterPath WorldMap::countryPath(const MapCountry& c, const QRectF& area) const
{
    QPainterPath path;
    path.setFillRule(Qt::OddEvenFill);
    for (const QPolygonF& ring : c.rings) {
        QPolygonF projected;
        projected.reserve(ring.size());
        for (const QPointF& p : ring)
            projected.append(project(p.x(), std::max(p.y(), kSouth - 5), area));
        path.addPolygon(projected);
        path.closeSubpath();
    }
    return path;
}

QString WorldMap::countryAt(const QPointF& pos) const
{
    const QRectF area = rect();
    for (const MapCountry& c : worldCountries())
        if (countryPath(c, area).contains(pos))
            return c.code;
    return {};
}

void WorldMap::paintMap(QPainter& painter, const QRectF& area) const
{
    painter.save();
    painter.setClipRect(area);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(area, palette().color(QPalette::Base));
    const QColor land = palette().color(QPalette::Window).darker(112);
    const QColor border = palette().color(QPalette::Mid);
    for (const MapCountry& c : worldCountries()) {
        const auto it = m_values.constFind(c.code);
        const bool hasValue = !c.code.isEmpty() && it != m_values.constEnd() && *it > 0;
        painter.setPen(QPen(border, 0.6));
        painter.setBrush(hasValue ? colorFor(*it) : land);
        painter.drawPath(countryPath(c, area));
    }
    // Arcs under the bubbles: a curve lifted towards the pole, width by value.
    double maxArc = 0;
    for (const MapArc& a : m_arcs)
        maxArc = std::max(maxArc, a.value);
    for (const MapArc& a : m_arcs) {
        const QPointF p1 = project(a.from.longitude, a.from.latitude, area);
        const QPointF p2 = project(a.to.longitude, a.to.latitude, area);
        const QPointF mid = (p1 + p2) / 2 - QPointF(0, QLineF(p1, p2).length() * 0.25);
        QPainterPath path(p1);
        path.quadTo(mid, p2);
        painter.setPen(QPen(QColor(0xd9, 0x48, 0x01, 170), 1 + 3 * (maxArc > 0 ? a.value / maxArc : 0)));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
    }
    const double maxRadius = std::max(6.0, std::min(area.width(), area.height()) / 22);
    for (const MapPoint& p : m_points) {
        if (p.value <= 0)
            continue;
        const double r = std::max(2.5, maxRadius * std::sqrt(m_maxPoint > 0 ? p.value / m_maxPoint : 0));
        painter.setPen(QPen(QColor(0x7f, 0x27, 0x04), 1));
        painter.setBrush(QColor(0xf1, 0x69, 0x13, 150));
        painter.drawEllipse(project(p.longitude, p.latitude, area), r, r);
    }
    // Legend (colour ramp) and attribution.
    painter.setClipping(false);
    const QFontMetricsF fm(painter.font());
    if (m_maxValue > 0) {
        const QRectF ramp(area.left() + 10, area.bottom() - 22, 120, 8);
        QLinearGradient g(ramp.topLeft(), ramp.topRight());
        for (int i = 0; i <= 10; ++i)
            g.setColorAt(i / 10.0, colorFor(m_maxValue * (i / 10.0) * (i / 10.0)));
        painter.setPen(Qt::NoPen);
        painter.setBrush(g);
        painter.drawRect(ramp);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QPointF(ramp.left(), ramp.top() - 4), m_legendTitle);
    }
    if (m_values.isEmpty() && m_points.isEmpty() && !m_emptyText.isEmpty()) {
        const QRectF box = area.adjusted(area.width() * 0.15, area.height() * 0.3, -area.width() * 0.15,
                                         -area.height() * 0.3);
        painter.setPen(Qt::NoPen);
        QColor shade = palette().color(QPalette::Base);
        shade.setAlpha(220);
        painter.setBrush(shade);
        painter.drawRoundedRect(box, 8, 8);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(box.adjusted(12, 8, -12, -8), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
    }
    if (!m_attribution.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QPointF(area.right() - fm.horizontalAdvance(m_attribution) - 8, area.bottom() - 6),
                         m_attribution);
    }
    painter.restore();
}

QByteArray WorldMap::geoJson() const
{
    QJsonArray features;
    for (const MapPoint& p : m_points) {
        QJsonObject geometry{{QStringLiteral("type"), QStringLiteral("Point")},
                             {QStringLiteral("coordinates"), QJsonArray{p.longitude, p.latitude}}};
        QJsonObject properties{{QStringLiteral("name"), p.name}, {QStringLiteral("value"), p.value}};
        if (!p.valueText.isEmpty())
            properties[QStringLiteral("value_text")] = p.valueText;
        features.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("Feature")},
                                    {QStringLiteral("geometry"), geometry},
                                    {QStringLiteral("properties"), properties}});
    }
    for (const MapArc& a : m_arcs) {
        QJsonObject geometry{
            {QStringLiteral("type"), QStringLiteral("LineString")},
            {QStringLiteral("coordinates"), QJsonArray{QJsonArray{a.from.longitude, a.from.latitude},
                                                       QJsonArray{a.to.longitude, a.to.latitude}}}};
        QJsonObject properties{{QStringLiteral("from"), a.from.name},
                               {QStringLiteral("to"), a.to.name},
                               {QStringLiteral("value"), a.value}};
        features.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("Feature")},
                                    {QStringLiteral("geometry"), geometry},
                                    {QStringLiteral("properties"), properties}});
    }
    QJsonObject doc{{QStringLiteral("type"), QStringLiteral("FeatureCollection")},
                    {QStringLiteral("features"), features}};
    if (!m_attribution.isEmpty())
        doc[QStringLiteral("attribution")] = m_attribution;
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

void WorldMap::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    paintMap(painter, rect());
}

void WorldMap::wheelEvent(QWheelEvent* event)
{
    // Zoom about the point under the mouse: it stays where it is.
    const QRectF area = rect();
    const QPointF before = unproject(event->position(), area);
    const double factor = event->angleDelta().y() > 0 ? 1.25 : 0.8;
    m_zoom = std::clamp(m_zoom * factor, 1.0, 40.0);
    const QPointF after = unproject(event->position(), area);
    m_center += before - after;
    if (m_zoom == 1.0)
        m_center = QPointF(0, (kNorth + kSouth) / 2);
    update();
    event->accept();
}

void WorldMap::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position().toPoint();
    m_pressCenter = m_center;
    m_dragged = false;
}

void WorldMap::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton))
        return;
    const QPoint delta = event->position().toPoint() - m_pressPos;
    if (delta.manhattanLength() > 3)
        m_dragged = true;
    if (!m_dragged)
        return;
    const QRectF area = rect();
    const double scale = std::min(area.width() / kLonSpan, area.height() / kLatSpan) * m_zoom;
    m_center = m_pressCenter - QPointF(delta.x() / scale, -delta.y() / scale);
    update();
}

void WorldMap::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || m_dragged)
        return;
    const QString code = countryAt(event->position());
    if (!code.isEmpty())
        emit countryClicked(code);
}

void WorldMap::mouseDoubleClickEvent(QMouseEvent*)
{
    resetView();
}

bool WorldMap::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto* help = static_cast<QHelpEvent*>(event);
    const QRectF area = rect();
    const double maxRadius = std::max(6.0, std::min(area.width(), area.height()) / 22);
    for (const MapPoint& p : m_points) {
        const double r = std::max(2.5, maxRadius * std::sqrt(m_maxPoint > 0 ? p.value / m_maxPoint : 0));
        if (QLineF(project(p.longitude, p.latitude, area), help->pos()).length() <= r) {
            QToolTip::showText(help->globalPos(), QStringLiteral("%1\n%2").arg(p.name, p.valueText), this);
            return true;
        }
    }
    const QString code = countryAt(help->pos());
    if (code.isEmpty()) {
        QToolTip::hideText();
        return true;
    }
    QString name = code;
    for (const MapCountry& c : worldCountries())
        if (c.code == code)
            name = c.name;
    const QString value = m_valueTexts.value(code);
    QToolTip::showText(help->globalPos(),
                       value.isEmpty()
                           ? QStringLiteral("%1 (%2): no traffic").arg(name, code)
                           : QStringLiteral("%1 (%2): %3\nClick to filter on it").arg(name, code, value),
                       this);
    return true;
}

} // namespace flowlens::ui
