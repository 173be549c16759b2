#include "about_dialog.h"

#include "core/util/build_info.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QSysInfo>
#include <QVBoxLayout>

namespace flowlens::ui {

QList<DataAttribution> dataAttributions(const QStringList& geoDatabaseTypes)
{
    QList<DataAttribution> list{{QStringLiteral("World map"),
                                 QStringLiteral("Made with Natural Earth. Free vector and raster map data."),
                                 QStringLiteral("https://www.naturalearthdata.com")}};
    bool dbIp = false, maxMind = false;
    for (const QString& type : geoDatabaseTypes) {
        dbIp = dbIp || type.startsWith(QLatin1String("DBIP"), Qt::CaseInsensitive) ||
               type.startsWith(QLatin1String("DB-IP"), Qt::CaseInsensitive);
        maxMind = maxMind || type.startsWith(QLatin1String("GeoLite2"), Qt::CaseInsensitive) ||
                  type.startsWith(QLatin1String("GeoIP2"), Qt::CaseInsensitive);
    }
    if (dbIp)
        list.append({QStringLiteral("GeoIP"), QStringLiteral("IP Geolocation by DB-IP"),
                     QStringLiteral("https://db-ip.com")});
    if (maxMind)
        list.append({QStringLiteral("GeoIP"),
                     QStringLiteral("This product includes GeoLite2 data created by MaxMind"),
                     QStringLiteral("https://www.maxmind.com")});
    return list;
}

AboutDialog::AboutDialog(const QStringList& geoDatabaseTypes, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("About FlowLens"));
    const BuildInfo build = BuildInfo::current();
    const QList<DataAttribution> credits = dataAttributions(geoDatabaseTypes);

    QString libraries;
    for (const LibraryVersion& l : build.libraries) {
        QString version = l.version.toHtmlEscaped();
        if (l.name == QLatin1String("Qt") && l.version != build.qtBuildVersion)
            version += QStringLiteral(" (built with %1)").arg(build.qtBuildVersion);
        libraries += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(l.name.toHtmlEscaped(), version);
    }
    QString data;
    for (const DataAttribution& c : credits)
        data += QStringLiteral("<tr><td>%1:</td><td>%2 <a href=\"%3\">%3</a></td></tr>")
                    .arg(c.what.toHtmlEscaped(), c.text.toHtmlEscaped(), c.url.toHtmlEscaped());

    auto* icon = new QLabel(this);
    icon->setPixmap(windowIcon().isNull() ? QIcon(QStringLiteral(":/icons/flowlens.svg")).pixmap(96, 96)
                                          : windowIcon().pixmap(96, 96));
    icon->setAlignment(Qt::AlignTop);
    auto* text = new QLabel(this);
    text->setTextFormat(Qt::RichText);
    text->setOpenExternalLinks(true);
    text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    text->setText(
        QStringLiteral("<h2>FlowLens %1</h2>"
                       "<p>NetFlow v5/v9, IPFIX and sFlow traffic analyzer.</p>"
                       "<p>Build: %2</p>"
                       "<h4>Libraries</h4><table cellspacing=\"0\" cellpadding=\"3\">%3</table>"
                       "<h4>Data</h4><table cellspacing=\"0\" cellpadding=\"3\">%4</table>")
            .arg(build.version.toHtmlEscaped(), build.buildLine().toHtmlEscaped(), libraries, data));

    m_report = QStringLiteral("FlowLens %1\nBuild: %2\nLibraries: %3\n")
                   .arg(build.version, build.buildLine(), build.librariesLine());
    if (build.qtBuildVersion != QString::fromLatin1(qVersion()))
        m_report += QStringLiteral("Qt at build time: %1\n").arg(build.qtBuildVersion);
    m_report += QStringLiteral("Platform: %1 (%2)\n")
                    .arg(QGuiApplication::platformName(), QSysInfo::prettyProductName());
    for (const DataAttribution& c : credits)
        m_report += QStringLiteral("%1: %2 (%3)\n").arg(c.what, c.text, c.url);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(QStringLiteral("Copy version info"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_report); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addWidget(text, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
}

} // namespace flowlens::ui
