#include "welcome_page.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QNetworkInterface>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

QString localAddress()
{
    for (const QNetworkInterface& iface : QNetworkInterface::allInterfaces()) {
        if (!(iface.flags() & QNetworkInterface::IsUp) || (iface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry& e : iface.addressEntries())
            if (e.ip().protocol() == QAbstractSocket::IPv4Protocol)
                return e.ip().toString();
    }
    return QStringLiteral("THIS-MACHINE-IP");
}

const char* const kVendors[] = {"Cisco IOS / IOS-XE", "Juniper", "MikroTik", "Linux (softflowd)"};

} // namespace

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent)
    , m_listening(new QLabel(this))
    , m_demoStatus(new QLabel(this))
    , m_demo(new QPushButton(QStringLiteral("Send demo traffic"), this))
    , m_settings(new QPushButton(QStringLiteral("Settings…"), this))
    , m_tabs(new QTabWidget(this))
    , m_address(localAddress())
{
    setObjectName(QStringLiteral("welcome"));
    auto* title = new QLabel(QStringLiteral("No flows yet"), this);
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 1.8);
    f.setBold(true);
    title->setFont(f);
    auto* intro = new QLabel(
        QStringLiteral(
            "Point a router, switch or host at this machine and its flows appear here within seconds. "
            "NetFlow v5/v9 and IPFIX and sFlow v5 are understood; sampling is taken into account."),
        this);
    intro->setWordWrap(true);
    m_listening->setWordWrap(true);
    m_listening->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_listening->setTextFormat(Qt::RichText);
    m_demo->setToolTip(
        QStringLiteral("Runs the built-in generator against the local collector for two minutes"));
    QFont bf = m_demo->font();
    bf.setBold(true);
    m_demo->setFont(bf);
    m_demoStatus->setForegroundRole(QPalette::PlaceholderText);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_demo);
    buttons->addWidget(m_demoStatus, 1);
    buttons->addWidget(m_settings);
    auto* box = new QWidget(this);
    box->setMaximumWidth(980);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addSpacing(6);
    layout->addWidget(m_listening);
    layout->addSpacing(6);
    layout->addLayout(buttons);
    layout->addSpacing(10);
    auto* how =
        new QLabel(QStringLiteral("<b>Point an exporter at this machine</b> (replace interface names to "
                                  "match your device):"),
                   box);
    layout->addWidget(how);
    layout->addWidget(m_tabs, 1);
    auto* outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addWidget(box, 4);
    outer->addStretch(1);

    for (const char* vendor : kVendors) {
        auto* page = new QWidget(m_tabs);
        auto* text = new QPlainTextEdit(page);
        text->setObjectName(QLatin1String(vendor));
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        auto* copy = new QPushButton(QStringLiteral("Copy"), page);
        connect(copy, &QPushButton::clicked, this,
                [text] { QGuiApplication::clipboard()->setText(text->toPlainText()); });
        auto* v = new QVBoxLayout(page);
        v->addWidget(text, 1);
        v->addWidget(copy, 0, Qt::AlignRight);
        m_tabs->addTab(page, QLatin1String(vendor));
    }
    rebuildInstructions();

    connect(m_demo, &QPushButton::clicked, this, [this] {
        if (m_demoRunning)
            emit demoStopRequested();
        else
            emit demoRequested();
    });
    connect(m_settings, &QPushButton::clicked, this, &WelcomePage::settingsRequested);
}

QString WelcomePage::instructions(const QString& vendor) const
{
    const QString ip = m_address;
    if (vendor.startsWith(QLatin1String("Cisco")))
        return QStringLiteral("! Flexible NetFlow, NetFlow v9 to FlowLens (IOS 15 / IOS-XE)\n"
                              "flow exporter FLOWLENS\n"
                              " destination %1\n"
                              " transport udp %2\n"
                              " export-protocol netflow-v9\n"
                              " template data timeout 60\n"
                              "!\n"
                              "flow monitor FLOWLENS-MONITOR\n"
                              " exporter FLOWLENS\n"
                              " record netflow ipv4 original-input\n"
                              " cache timeout active 60\n"
                              "!\n"
                              "interface GigabitEthernet0/1\n"
                              " ip flow monitor FLOWLENS-MONITOR input\n"
                              "!\n"
                              "! Older IOS (traditional NetFlow v5):\n"
                              "!   ip flow-export destination %1 %2\n"
                              "!   ip flow-export version 5\n"
                              "!   interface GigabitEthernet0/1\n"
                              "!    ip flow ingress\n")
            .arg(ip)
            .arg(m_netflowPort);
    if (vendor.startsWith(QLatin1String("Juniper")))
        return QStringLiteral(
                   "# Inline J-Flow, IPFIX to FlowLens (MX / SRX; sampling 1 in 1000)\n"
                   "set services flow-monitoring version-ipfix template ipv4 ipv4-template\n"
                   "set chassis fpc 0 sampling-instance FLOWLENS\n"
                   "set forwarding-options sampling instance FLOWLENS input rate 1000\n"
                   "set forwarding-options sampling instance FLOWLENS family inet output flow-server %1 port "
                   "%2\n"
                   "set forwarding-options sampling instance FLOWLENS family inet output flow-server %1 "
                   "version-ipfix template ipv4-template\n"
                   "set forwarding-options sampling instance FLOWLENS family inet output inline-jflow "
                   "source-address ROUTER-IP\n"
                   "set interfaces ge-0/0/0 unit 0 family inet sampling input\n"
                   "commit\n")
            .arg(ip)
            .arg(m_ipfixPort);
    if (vendor.startsWith(QLatin1String("MikroTik")))
        return QStringLiteral(
                   "# RouterOS v7 Traffic Flow (NetFlow v9; use version=ipfix with port %3 for IPFIX)\n"
                   "/ip traffic-flow set enabled=yes interfaces=all cache-entries=128k\n"
                   "/ip traffic-flow target add dst-address=%1 port=%2 version=9\n"
                   "\n"
                   "# RouterOS v6:\n"
                   "# /ip traffic-flow set enabled=yes interfaces=all\n"
                   "# /ip traffic-flow target add dst-address=%1 port=%2 version=9\n")
            .arg(ip)
            .arg(m_netflowPort)
            .arg(m_ipfixPort);
    return QStringLiteral("# softflowd (Debian: apt install softflowd): NetFlow v9 from interface eth0\n"
                          "sudo softflowd -i eth0 -n %1:%2 -v 9\n"
                          "\n"
                          "# IPFIX instead:\n"
                          "sudo softflowd -i eth0 -n %1:%3 -v 10\n"
                          "\n"
                          "# Replay a capture (no root needed):\n"
                          "softflowd -r traffic.pcap -n %1:%2 -v 9\n"
                          "\n"
                          "# On this machine itself, use 127.0.0.1 as the destination.\n"
                          "# sFlow agents (hsflowd, switches) send to UDP %4.\n")
        .arg(ip)
        .arg(m_netflowPort)
        .arg(m_ipfixPort)
        .arg(m_sflowPort);
}

void WelcomePage::rebuildInstructions()
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto* text = m_tabs->widget(i)->findChild<QPlainTextEdit*>())
            text->setPlainText(instructions(m_tabs->tabText(i)));
}

QString WelcomePage::listeningText() const
{
    return m_listening->text();
}

void WelcomePage::setCollectorStatus(const CollectorStatus& status, bool viewOnly)
{
    QString html;
    if (viewOnly) {
        html = QStringLiteral(
                   "<b>Viewing only</b> (started with --no-listen): the database <code>%1</code> holds no "
                   "flows. Start FlowLens without --no-listen to collect.")
                   .arg(status.databasePath.toHtmlEscaped());
        m_demo->setEnabled(false);
    } else if (!status.running) {
        html = QStringLiteral(
                   "<b style='color:#d03b3b'>Not collecting:</b> %1<br>Fix it in Settings (ports, database "
                   "location).")
                   .arg(status.error.toHtmlEscaped());
        m_demo->setEnabled(false);
    } else {
        QStringList up, down;
        bool netflowSet = false, ipfixSet = false, sflowSet = false;
        for (const auto& e : status.endpoints) {
            const QString ep = QString::fromStdString(e.endpoint.toString());
            if (!e.listening) {
                down << QStringLiteral("%1 (%2)").arg(ep.toHtmlEscaped(), e.error.toHtmlEscaped());
                continue;
            }
            const quint16 port = e.endpoint.port;
            const QString kind = port == 4739   ? QStringLiteral("IPFIX")
                                 : port == 6343 ? QStringLiteral("sFlow")
                                                : QStringLiteral("NetFlow");
            up << QStringLiteral("<code>%1</code> %2").arg(ep.toHtmlEscaped(), kind);
            if (port == 4739 && !ipfixSet) {
                m_ipfixPort = port;
                ipfixSet = true;
            } else if (port == 6343 && !sflowSet) {
                m_sflowPort = port;
                sflowSet = true;
            } else if (port != 4739 && port != 6343 && !netflowSet) {
                m_netflowPort = port;
                netflowSet = true;
            }
        }
        html = QStringLiteral("<b>Listening on UDP</b> %1.").arg(up.join(QStringLiteral(", ")));
        if (!down.isEmpty())
            html += QStringLiteral("<br><b style='color:#d03b3b'>Not listening on</b> %1.")
                        .arg(down.join(QStringLiteral(", ")));
        html += QStringLiteral("<br>This machine: <code>%1</code> · database <code>%2</code>")
                    .arg(m_address.toHtmlEscaped(), status.databasePath.toHtmlEscaped());
        m_demo->setEnabled(!up.isEmpty());
    }
    m_listening->setText(html);
    rebuildInstructions();
}

void WelcomePage::setDemoState(bool running, const QString& text)
{
    m_demoRunning = running;
    m_demo->setText(running ? QStringLiteral("Stop demo traffic") : QStringLiteral("Send demo traffic"));
    m_demoStatus->setText(text);
}

} // namespace flowlens::ui
