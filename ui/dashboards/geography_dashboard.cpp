#include "geography_dashboard.h"

#include "ui/widgets/panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

class NoticePanel : public Panel
{
public:
    NoticePanel(const QString& title, const QString& text, QWidget* parent)
        : Panel(title, parent)
    {
        auto* label = new QLabel(text, this);
        label->setWordWrap(true);
        label->setTextFormat(Qt::RichText);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        label->setTextInteractionFlags(Qt::TextBrowserInteraction);
        contentLayout()->addWidget(label, 1);
    }
};

} // namespace

GeographyDashboard::GeographyDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("geography"), QStringLiteral("Geography"), parent)
{
    auto* panel = new NoticePanel(QStringLiteral("GeoIP is not set up yet"), notice(), content());
    registerPanel(panel);
    grid()->addWidget(panel, 0, 0);
    grid()->setRowStretch(1, 1);
    setStatus(QStringLiteral("No GeoIP database in this build"));
}

QString GeographyDashboard::notice() const
{
    return QStringLiteral(
        "<p><b>GeoIP is not set up yet.</b> This version of FlowLens does not look addresses up in a GeoIP "
        "database, so there is no map and no country or city table.</p>"
        "<p>A later version fills this page with what OpenObserve's NetFlow \"Geography\" dashboard shows: "
        "maps of "
        "sources and destinations weighted by packets, and top countries and cities for each side, from "
        "MaxMind "
        "GeoLite2 or DB-IP <code>.mmdb</code> files found in the standard locations "
        "(<code>/usr/share/GeoIP</code>, <code>/var/lib/GeoIP</code>).</p>"
        "<p>Everything else works without it: use <b>Top talkers</b> for sources and destinations, and the "
        "filter "
        "(<code>src net 192.0.2.0/24</code>) to look at a network.</p>");
}

} // namespace flowlens::ui
