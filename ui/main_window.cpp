#include "main_window.h"

#include "ui/dashboards/alerts_dashboard.h"
#include "ui/dashboards/exporters_dashboard.h"
#include "ui/dashboards/flows_dashboard.h"
#include "ui/dashboards/geography_dashboard.h"
#include "ui/dashboards/overview_dashboard.h"
#include "ui/dashboards/ports_dashboard.h"
#include "ui/dashboards/talkers_dashboard.h"
#include "ui/dashboards/welcome_page.h"
#include "ui/dialogs/about_dialog.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/export/file_saver.h"
#include "ui/export/image_export.h"
#include "ui/format.h"
#include "ui/services/alert_notifier.h"
#include "ui/services/alert_service.h"
#include "ui/services/demo_traffic.h"
#include "ui/services/secret_store.h"
#include "ui/widgets/filter_bar.h"
#include "ui/widgets/metric_switch.h"
#include "ui/widgets/time_range_bar.h"

#include "core/query/query_service.h"

#include <cstdio>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

constexpr std::uint64_t kNs = 1000000000ull;

struct SidebarEntry
{
    const char* id;
    const char* title;
    const char* icon;
};

constexpr SidebarEntry kEntries[] = {
    {"overview", "Overview", ":/icons/overview.svg"},
    {"talkers", "Top talkers", ":/icons/talkers.svg"},
    {"ports", "Ports & protocols", ":/icons/ports.svg"},
    {"geography", "Geography", ":/icons/geography.svg"},
    {"flows", "Flows", ":/icons/flows.svg"},
    {"exporters", "Exporters", ":/icons/exporters.svg"},
    {"alerts", "Alerts", ":/icons/alerts.svg"},
};

} // namespace

MainWindow::MainWindow(query::QueryService* queries, CollectorController* collector,
                       const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent)
    , m_queries(queries)
    , m_collector(collector)
    , m_options(options)
    , m_history(ViewState{})
    , m_liveTimer(new QTimer(this))
    , m_demo(new DemoTraffic(this))
{
    setWindowTitle(QStringLiteral("FlowLens"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowlens.svg")));
    buildUi();
    buildMenus();
    buildStatusBar();
    restoreUiState();
    m_history = NavigationHistory(m_state);
    updateNavigationActions();

    connect(m_queries, &query::QueryService::dashboardReady, this, &MainWindow::onDashboardReply);
    connect(m_queries, &query::QueryService::databaseInfoReady, this,
            [this](const query::DatabaseInfoReply& r) {
                if (r.channel == QLatin1String("main/info"))
                    onDatabaseInfo(r.info, r.error);
            });
    if (m_collector) {
        connect(m_collector, &CollectorController::statusChanged, this, &MainWindow::onCollectorStatus);
        connect(m_collector, &CollectorController::snapshotReady, this, &MainWindow::onCollectorSnapshot);
        onCollectorStatus(m_collector->status());
        connect(
            m_collector, &CollectorController::forwardApplied, this, [this](bool ok, const QString& error) {
                if (!ok && !m_settingsDialog)
                    statusBar()->showMessage(QStringLiteral("Forwarding not started: %1").arg(error), 15000);
            });
    } else {
        CollectorStatus s;
        s.databasePath = m_options.databasePath;
        onCollectorStatus(s);
    }
    connect(m_demo, &DemoTraffic::progress, this, [this](quint64 flows, double seconds) {
        m_welcome->setDemoState(
            true, QStringLiteral("Sent %1 flows in %2 s…").arg(fmt::integer(flows)).arg(seconds, 0, 'f', 0));
    });
    connect(m_demo, &DemoTraffic::finished, this, [this](const QString& error) {
        m_welcome->setDemoState(false, error.isEmpty()
                                           ? QStringLiteral("Demo traffic finished.")
                                           : QStringLiteral("Demo traffic failed: %1").arg(error));
    });

    loadForwardSecret();

    m_liveTimer->setInterval(m_options.refreshIntervalMs);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_timeBar->isLive())
            requestCurrent(true);
        if (!m_dbKnown || m_dbInfo.flows == 0)
            m_queries->requestDatabaseInfo(QStringLiteral("main/info"));
    });
    m_liveTimer->start();
    m_queries->requestDatabaseInfo(QStringLiteral("main/info"));
    requestCurrent(false);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    m_sidebar = new QListWidget(this);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setIconSize(QSize(20, 20));
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setFixedWidth(190);
    m_sidebar->setSpacing(2);
    m_stack = new QStackedWidget(this);
    m_welcome = new WelcomePage(m_stack);
    // Alert rules and history live in the same database; their SQL runs on the service's thread.
    m_alertService = new AlertService(m_options.databasePath, this);
    m_alertNotifier = new AlertNotifier(this);
    m_stack->addWidget(m_welcome);

    m_dashboards = {new OverviewDashboard(m_stack),
                    new TalkersDashboard(m_stack),
                    new PortsDashboard(m_stack),
                    new GeographyDashboard(m_stack),
                    m_flows = new FlowsDashboard(m_queries, m_stack),
                    new ExportersDashboard(m_stack),
                    m_alerts = new AlertsDashboard(m_alertService, m_stack)};
    int n = 0;
    for (const SidebarEntry& e : kEntries) {
        auto* item = new QListWidgetItem(QIcon(QLatin1String(e.icon)), QLatin1String(e.title), m_sidebar);
        item->setData(Qt::UserRole, QLatin1String(e.id));
        item->setToolTip(QStringLiteral("%1 (Ctrl+%2)").arg(QLatin1String(e.title)).arg(++n));
        item->setSizeHint(QSize(0, 34));
    }
    for (Dashboard* d : m_dashboards) {
        m_stack->addWidget(d);
        connect(d, &Dashboard::drillRequested, this, &MainWindow::drillDown);
        connect(d, &Dashboard::message, this,
                [this](const QString& text) { statusBar()->showMessage(text, 6000); });
    }
    connect(m_alerts, &AlertsDashboard::showFlowsRequested, this,
            [this](const QString& filter, quint64 since, quint64 until) { showFlows(filter, since, until); });
    connect(m_alertNotifier, &AlertNotifier::firingChanged, this, &MainWindow::updateAlertBadge);
    connect(m_alertNotifier, &AlertNotifier::alertFired, this, [this](const alert::AlertEvent& e) {
        statusBar()->showMessage(QStringLiteral("Alert: %1").arg(e.summary()), 15000);
    });
    connect(m_alertNotifier, &AlertNotifier::showRequested, this, [this](qint64 id) {
        showNormal();
        raise();
        activateWindow();
        showDashboard(QStringLiteral("alerts"));
        if (id > 0)
            m_alerts->selectAlert(id);
    });
    // A tray icon only for a window that collects: a view-only session fires no alerts.
    m_alertNotifier->setTrayEnabled(!m_options.viewOnly);
    connect(m_flows, &FlowsDashboard::visibleColumnsChanged, this,
            [](const QStringList& names) { QSettings().setValue(QStringLiteral("ui/flowColumns"), names); });

    m_filterBar = new FilterBar(this);
    m_timeBar = new TimeRangeBar(this);
    m_metric = new MetricSwitch(this);

    auto* back = new QToolButton(this);
    auto* forward = new QToolButton(this);
    m_backAction = new QAction(QStringLiteral("◀"), this);
    m_backAction->setToolTip(QStringLiteral("Back to the previous filter and time range (Alt+Left)"));
    m_backAction->setShortcuts(QKeySequence::Back);
    m_forwardAction = new QAction(QStringLiteral("▶"), this);
    m_forwardAction->setToolTip(QStringLiteral("Forward (Alt+Right)"));
    m_forwardAction->setShortcuts(QKeySequence::Forward);
    back->setDefaultAction(m_backAction);
    forward->setDefaultAction(m_forwardAction);
    back->setAutoRaise(true);
    forward->setAutoRaise(true);
    connect(m_backAction, &QAction::triggered, this, &MainWindow::goBack);
    connect(m_forwardAction, &QAction::triggered, this, &MainWindow::goForward);

    auto* top = new QWidget(this);
    top->setObjectName(QStringLiteral("viewBar"));
    auto* row = new QHBoxLayout;
    row->addWidget(back);
    row->addWidget(forward);
    row->addSpacing(6);
    row->addWidget(m_timeBar);
    row->addStretch(1);
    auto* metricLabel = new QLabel(QStringLiteral("Show:"), top);
    row->addWidget(metricLabel);
    row->addWidget(m_metric);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(8, 6, 8, 4);
    topLayout->setSpacing(4);
    topLayout->addLayout(row);
    topLayout->addWidget(m_filterBar);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    rightLayout->addWidget(top);
    rightLayout->addWidget(m_stack, 1);
    auto* central = new QWidget(this);
    auto* h = new QHBoxLayout(central);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(0);
    h->addWidget(m_sidebar);
    h->addWidget(right, 1);
    setCentralWidget(central);

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= int(m_dashboards.size()))
            return;
        updateWelcome();
        requestCurrent(false);
    });
    connect(m_filterBar, &FilterBar::filterApplied, this, &MainWindow::applyFilter);
    connect(m_filterBar, &FilterBar::historyChanged, this,
            [](const QStringList& h) { QSettings().setValue(QStringLiteral("ui/filterHistory"), h); });
    connect(m_timeBar, &TimeRangeBar::rangeChanged, this, [this](const TimeRange& r) {
        ViewState s = m_state;
        s.range = r;
        setViewState(s);
    });
    connect(m_timeBar, &TimeRangeBar::liveChanged, this, &MainWindow::onLiveChanged);
    connect(m_timeBar, &TimeRangeBar::refreshRequested, this, &MainWindow::refresh);
    connect(m_metric, &MetricSwitch::metricChanged, this, [this](MetricKind m) {
        ViewState s = m_state;
        s.metric = m;
        setViewState(s);
    });
    connect(m_welcome, &WelcomePage::demoRequested, this, &MainWindow::startDemo);
    connect(m_welcome, &WelcomePage::demoStopRequested, m_demo, &DemoTraffic::stop);
    connect(m_welcome, &WelcomePage::settingsRequested, this, &MainWindow::openSettings);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(QStringLiteral("Export dashboard as PNG…"), QKeySequence(QStringLiteral("Ctrl+E")), this,
                    [this] { exportDashboard(QStringLiteral("png")); });
    file->addAction(QStringLiteral("Export dashboard as PDF…"), QKeySequence(QStringLiteral("Ctrl+Shift+E")),
                    this, [this] { exportDashboard(QStringLiteral("pdf")); });
    file->addSeparator();
    QAction* settings = file->addAction(QStringLiteral("Settings…"), this, &MainWindow::openSettings);
    settings->setShortcuts({QKeySequence::Preferences, QKeySequence(QStringLiteral("Ctrl+,"))});
    file->addSeparator();
    file->addAction(QStringLiteral("Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    for (int i = 0; i < int(std::size(kEntries)); ++i) {
        const QString id = QLatin1String(kEntries[i].id);
        view->addAction(QLatin1String(kEntries[i].title), QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)),
                        this, [this, id] { showDashboard(id); });
    }
    view->addSeparator();
    view->addAction(m_backAction);
    view->addAction(m_forwardAction);
    QAction* focusFilter = view->addAction(QStringLiteral("Edit filter"), this, [this] {
        m_filterBar->lineEdit()->setFocus();
        m_filterBar->lineEdit()->selectAll();
    });
    focusFilter->setShortcuts({QKeySequence(QStringLiteral("Ctrl+L")), QKeySequence::Find});
    view->addAction(QStringLiteral("Clear filter"), QKeySequence(QStringLiteral("Ctrl+Shift+L")), this,
                    [this] { applyFilter(QString()); });
    view->addAction(QStringLiteral("Refresh"), QKeySequence::Refresh, this, &MainWindow::refresh);
    m_pauseAction =
        view->addAction(QStringLiteral("Pause / resume live updates"), QKeySequence(QStringLiteral("Ctrl+P")),
                        this, [this] { m_timeBar->liveButton()->toggle(); });
    view->addSeparator();
    m_rawAction = view->addAction(QStringLiteral("Counters as sent (ignore sampling)"));
    m_rawAction->setCheckable(true);
    connect(m_rawAction, &QAction::toggled, this, [this](bool raw) {
        ViewState s = m_state;
        s.raw = raw;
        setViewState(s);
    });

    QMenu* collector = menuBar()->addMenu(QStringLiteral("&Collector"));
    QAction* demo =
        collector->addAction(QStringLiteral("Send demo traffic"), QKeySequence(QStringLiteral("Ctrl+D")),
                             this, &MainWindow::startDemo);
    demo->setEnabled(m_collector != nullptr);
    collector->addAction(QStringLiteral("Stop demo traffic"), m_demo, &DemoTraffic::stop);
    collector->addAction(QStringLiteral("Exporter setup…"), this,
                         [this] { m_stack->setCurrentWidget(m_welcome); });

    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("Filter syntax"), this, [this] {
        QMessageBox::information(
            this, QStringLiteral("Filter syntax"),
            QStringLiteral(
                "Terms: src|dst ip ADDR[/LEN], net ADDR/LEN, port N, port in [N N], proto tcp|udp|icmp|N, "
                "exporter ADDR, bytes > 1M, packets < 10, src as N, in if N, flags S, vlan N, ipv4, ipv6, "
                "sampled.\nCombine with and, or, not and parentheses, e.g.\n  proto tcp and dst port in [80 "
                "443] and not src net 10.0.0.0/8\nDouble-click any address, port, protocol or exporter to "
                "narrow the filter to it."));
    });
    QAction* about = help->addAction(QStringLiteral("About FlowLens"), this, &MainWindow::openAbout);
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::openAbout()
{
    if (!m_aboutDialog) {
        m_aboutDialog = new AboutDialog(m_options.geoDatabaseTypes, this);
        m_aboutDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_aboutDialog->show();
    m_aboutDialog->raise();
    m_aboutDialog->activateWindow();
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    show();
    raise();
    activateWindow();
}

void MainWindow::buildStatusBar()
{
    m_listenLabel = new QLabel(this);
    m_rateLabel = new QLabel(this);
    m_dropLabel = new QLabel(this);
    m_dbLabel = new QLabel(this);
    m_forwardLabel = new QLabel(this);
    m_forwardLabel->hide();
    m_alertLabel = new QLabel(this);
    m_alertLabel->setObjectName(QStringLiteral("alertBadge"));
    m_alertLabel->hide();
    m_storeLabel = new QLabel(this);
    m_storeLabel->hide();
    m_noticeLabel = new QLabel(this);
    m_noticeLabel->hide();
    m_noticeLabel->setTextFormat(Qt::RichText);
    connect(m_noticeLabel, &QLabel::linkActivated, this, [this] {
        m_noticeDismissed = true;
        m_noticeLabel->hide();
    });
    for (QLabel* l : {m_alertLabel, m_noticeLabel, m_storeLabel, m_listenLabel, m_rateLabel, m_dropLabel,
                      m_dbLabel, m_forwardLabel})
        statusBar()->addPermanentWidget(l);
}

void MainWindow::restoreUiState()
{
    QSettings s;
    m_filterBar->setHistory(s.value(QStringLiteral("ui/filterHistory")).toStringList());
    MetricKind metric = MetricKind::Bytes;
    if (metricKindFromName(s.value(QStringLiteral("ui/metric")).toString(), &metric))
        m_state.metric = metric;
    const int preset = s.value(QStringLiteral("ui/rangePreset"), int(RangePreset::Last15Minutes)).toInt();
    if (preset >= 0 && preset < int(RangePreset::Custom))
        m_state.range.preset = RangePreset(preset);
    if (m_options.viewOnly)
        m_state.range.preset = RangePreset::AllData;
    m_metric->setMetric(m_state.metric);
    m_timeBar->setRange(m_state.range);
    m_flows->setVisibleColumns(s.value(QStringLiteral("ui/flowColumns")).toStringList());
    restoreGeometry(s.value(QStringLiteral("ui/geometry")).toByteArray());
    const QString last = s.value(QStringLiteral("ui/dashboard"), QStringLiteral("overview")).toString();
    int row = 0;
    for (int i = 0; i < int(m_dashboards.size()); ++i)
        if (m_dashboards[std::size_t(i)]->id() == last)
            row = i;
    const QSignalBlocker block(m_sidebar);
    m_sidebar->setCurrentRow(row);
    m_stack->setCurrentWidget(m_dashboards[std::size_t(row)]);
}

void MainWindow::saveUiState() const
{
    QSettings s;
    s.setValue(QStringLiteral("ui/metric"), metricKindName(m_state.metric));
    if (m_state.range.preset != RangePreset::Custom && !m_options.viewOnly)
        s.setValue(QStringLiteral("ui/rangePreset"), int(m_state.range.preset));
    s.setValue(QStringLiteral("ui/geometry"), saveGeometry());
    if (Dashboard* d = currentDashboard())
        s.setValue(QStringLiteral("ui/dashboard"), d->id());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveUiState();
    m_demo->stop();
    QMainWindow::closeEvent(event);
}

Dashboard* MainWindow::currentDashboard() const
{
    const int row = m_sidebar->currentRow();
    return row >= 0 && row < int(m_dashboards.size()) ? m_dashboards[std::size_t(row)] : nullptr;
}

Dashboard* MainWindow::dashboard(const QString& id) const
{
    for (Dashboard* d : m_dashboards)
        if (d->id() == id)
            return d;
    return nullptr;
}

void MainWindow::showDashboard(const QString& id)
{
    for (int i = 0; i < int(m_dashboards.size()); ++i)
        if (m_dashboards[std::size_t(i)]->id() == id) {
            if (m_sidebar->currentRow() == i) {
                updateWelcome();
                requestCurrent(false);
            } else {
                m_sidebar->setCurrentRow(i);
            }
            return;
        }
}

bool MainWindow::isShowingWelcome() const
{
    return m_stack->currentWidget() == m_welcome;
}

QString MainWindow::statusText() const
{
    QStringList parts;
    for (const QLabel* l : {m_noticeLabel, m_storeLabel})
        if (!l->isHidden())
            parts << l->toolTip();
    parts << m_listenLabel->text() << m_rateLabel->text() << m_dropLabel->text() << m_dbLabel->text();
    return parts.join(QStringLiteral(" | "));
}

void MainWindow::setViewState(const ViewState& state)
{
    if (state == m_state)
        return;
    m_history.push(state);
    m_state = state;
    m_filterBar->setFilter(state.filter);
    m_timeBar->setRange(state.range);
    m_metric->setMetric(state.metric);
    {
        const QSignalBlocker block(m_rawAction);
        m_rawAction->setChecked(state.raw);
    }
    updateNavigationActions();
    requestCurrent(false);
}

void MainWindow::applyFilter(const QString& filter)
{
    ViewState s = m_state;
    s.filter = filter.trimmed();
    setViewState(s);
}

void MainWindow::drillDown(const QString& term, DrillAction action)
{
    if (term.isEmpty())
        return;
    applyFilter(combineFilter(m_state.filter, term, action));
    if (action == DrillAction::ShowFlows)
        showDashboard(QStringLiteral("flows"));
}

void MainWindow::goBack()
{
    if (!m_history.canGoBack())
        return;
    const ViewState s = m_history.back();
    m_state = s;
    m_filterBar->setFilter(s.filter);
    m_timeBar->setRange(s.range);
    m_metric->setMetric(s.metric);
    updateNavigationActions();
    requestCurrent(false);
}

void MainWindow::goForward()
{
    if (!m_history.canGoForward())
        return;
    const ViewState s = m_history.forward();
    m_state = s;
    m_filterBar->setFilter(s.filter);
    m_timeBar->setRange(s.range);
    m_metric->setMetric(s.metric);
    updateNavigationActions();
    requestCurrent(false);
}

void MainWindow::updateNavigationActions()
{
    m_backAction->setEnabled(m_history.canGoBack());
    m_forwardAction->setEnabled(m_history.canGoForward());
}

void MainWindow::refresh()
{
    m_queries->requestDatabaseInfo(QStringLiteral("main/info"));
    requestCurrent(false);
}

void MainWindow::onLiveChanged(bool live)
{
    m_pausedNs = live ? 0 : wallClockNs();
    requestCurrent(false);
}

ViewContext MainWindow::currentView() const
{
    ViewContext v;
    v.state = m_state;
    v.live = m_timeBar->isLive();
    const std::uint64_t now = v.live || !m_pausedNs ? wallClockNs() : m_pausedNs;
    v.range = resolveRange(m_state.range, now, v.live, m_dbKnown ? m_dbInfo : query::DatabaseInfo{});
    auto parsed = query::Filter::parse(m_state.filter);
    if (parsed)
        v.filter = *parsed;
    return v;
}

void MainWindow::requestCurrent(bool liveTick)
{
    Dashboard* d = currentDashboard();
    if (!d)
        return;
    const ViewContext view = currentView();
    m_timeBar->setResolvedText(view.range.text());
    query::DashboardRequest request;
    if (!d->buildRequest(view, request)) {
        d->viewChanged(view, liveTick);
        return;
    }
    request.sinceNs = view.range.sinceNs;
    request.untilNs = view.range.untilNs;
    request.nowNs = view.range.nowNs;
    request.filter = view.filter;
    request.raw = view.state.raw;
    const quint64 id = m_queries->requestDashboard(d->id(), request,
                                                   liveTick ? query::QueryService::Supersede::Queue
                                                            : query::QueryService::Supersede::Cancel);
    m_requests[id] = view;
    // Forget views of requests that can no longer answer (superseded or long done).
    while (m_requests.size() > 32)
        m_requests.erase(m_requests.begin());
    d->setBusy(true);
}

void MainWindow::onDashboardReply(const query::DashboardReply& reply)
{
    Dashboard* d = dashboard(reply.channel);
    auto it = m_requests.find(reply.id);
    if (!d || it == m_requests.end())
        return;
    const ViewContext view = it->second;
    m_requests.erase(m_requests.begin(), std::next(it));
    if (!reply.error.isEmpty() && reply.error.contains(QStringLiteral("does not exist"))) {
        // The collector has not created the database yet: that is the empty state, not an error.
        onDatabaseInfo({}, reply.error);
        d->setBusy(false);
        return;
    }
    QElapsedTimer applyTimer;
    applyTimer.start();
    d->applyReply(reply, view);
    if (m_options.traceTimings)
        std::fprintf(stderr, "%s apply %s: %.1f ms (query %.1f ms)\n",
                     qPrintable(QDateTime::currentDateTime().toString(Qt::ISODateWithMs)),
                     qPrintable(d->id()), double(applyTimer.nsecsElapsed()) / 1e6, reply.elapsedMs);
    if (reply.error.isEmpty()) {
        onDatabaseInfo(reply.result.database, QString());
        if (reply.result.total.flows == 0 && m_dbInfo.flows > 0)
            statusBar()->showMessage(
                QStringLiteral("No flows in this range; stored flows span %1 – %2 (choose “All "
                               "stored data”)")
                    .arg(fmt::time(m_dbInfo.firstNs), fmt::time(m_dbInfo.lastNs)),
                8000);
    }
}

void MainWindow::onDatabaseInfo(const query::DatabaseInfo& info, const QString& error)
{
    const bool wasEmpty = isDatabaseEmpty();
    m_dbInfo = error.isEmpty() ? info : query::DatabaseInfo{};
    m_dbKnown = error.isEmpty();
    m_dbMissing = !error.isEmpty();
    const QString name = QFileInfo(m_options.databasePath).fileName();
    if (!error.isEmpty())
        m_dbLabel->setText(QStringLiteral("%1 · not created yet").arg(name));
    else
        m_dbLabel->setText(
            QStringLiteral("%1 · %2 · %3 flows")
                .arg(name, fmt::bytes(double(info.fileBytes)), fmt::compact(double(info.flows))));
    m_dbLabel->setToolTip(m_options.databasePath);
    // Viewing an old database: "last 15 minutes" would be empty; show everything instead.
    if (m_dbKnown && info.flows > 0 && !m_autoRangeChecked) {
        m_autoRangeChecked = true;
        const std::int64_t span = rangePresetSeconds(m_state.range.preset);
        if (span > 0 && info.lastNs + std::uint64_t(span) * kNs < wallClockNs()) {
            ViewState s = m_state;
            s.range.preset = RangePreset::AllData;
            m_state = s;
            m_history = NavigationHistory(s);
            m_timeBar->setRange(s.range);
            updateNavigationActions();
            statusBar()->showMessage(
                QStringLiteral("The newest stored flow is from %1: showing all stored data")
                    .arg(fmt::time(info.lastNs)),
                10000);
            requestCurrent(false);
        }
    }
    if (wasEmpty != isDatabaseEmpty()) {
        updateWelcome();
        if (!isShowingWelcome())
            requestCurrent(false);
    } else {
        updateWelcome();
    }
}

bool MainWindow::isDatabaseEmpty() const
{
    // Before the first answer nothing is known: keep the dashboard rather than flash the welcome page.
    return m_dbMissing || (m_dbKnown && m_dbInfo.flows == 0);
}

void MainWindow::updateWelcome()
{
    const bool empty = isDatabaseEmpty();
    Dashboard* d = currentDashboard();
    // Geography shows its map and Alerts its rules even before the first flow.
    if (empty && d && d->id() != QLatin1String("geography") && d->id() != QLatin1String("alerts"))
        m_stack->setCurrentWidget(m_welcome);
    else if (d)
        m_stack->setCurrentWidget(d);
}

void MainWindow::onCollectorStatus(const CollectorStatus& status)
{
    m_collectorStatus = status;
    m_welcome->setCollectorStatus(status, m_options.viewOnly);
    if (m_options.viewOnly) {
        m_listenLabel->setText(QStringLiteral("View only (--no-listen)"));
        m_listenLabel->setToolTip(QStringLiteral("Started with --no-listen: no collector runs."));
        return;
    }
    if (!status.running) {
        m_listenLabel->setText(QStringLiteral("<span style='color:#d03b3b'>Not listening</span>"));
        m_listenLabel->setToolTip(status.error);
        return;
    }
    QStringList up, down;
    for (const auto& e : status.endpoints) {
        const QString ep = QString::fromStdString(e.endpoint.toString());
        if (e.listening)
            up << ep;
        else
            down << QStringLiteral("%1: %2").arg(ep, e.error);
    }
    QString text = QStringLiteral("Listening on %1").arg(up.join(QStringLiteral(", ")));
    if (!down.isEmpty())
        text += QStringLiteral(" · <span style='color:#d03b3b'>%1 not</span>").arg(down.size());
    m_listenLabel->setText(text);
    m_listenLabel->setToolTip(down.isEmpty()
                                  ? up.join(QLatin1Char('\n'))
                                  : up.join(QLatin1Char('\n')) + QStringLiteral("\nNot listening:\n") +
                                        down.join(QLatin1Char('\n')));
    if (status.databasePath != m_options.databasePath && !status.databasePath.isEmpty()) {
        m_options.databasePath = status.databasePath;
        m_queries->setDatabasePath(status.databasePath);
        m_alertService->setDatabasePath(status.databasePath);
        m_dbKnown = false;
        m_dbMissing = false;
        m_autoRangeChecked = false;
        refresh();
    }
}

void MainWindow::onCollectorSnapshot(const collect::CollectorSnapshot& snapshot)
{
    m_lastSnapshot = snapshot;
    m_haveSnapshot = true;
    m_rateLabel->setText(QStringLiteral("%1 flows/s").arg(fmt::compact(snapshot.flowsPerSecond)));
    const std::uint64_t drops = snapshot.receiver.flowsDropped;
    const std::uint64_t kernelDrops = snapshot.receiver.datagramsDropped;
    QString dropped = fmt::integer(drops) + QStringLiteral(" dropped");
    if (kernelDrops > 0)
        dropped = QStringLiteral("%1 flows + %2 datagrams dropped")
                      .arg(fmt::integer(drops), fmt::integer(kernelDrops));
    m_dropLabel->setText(drops || kernelDrops
                             ? QStringLiteral("<span style='color:#d03b3b'>%1</span>").arg(dropped)
                             : dropped);
    m_dropLabel->setToolTip(
        QStringLiteral("Flows dropped because the database writer could not keep up (queue %1 "
                       "deep); while the queue is full the collector stops reading and the kernel "
                       "drops whole datagrams when the receive buffer is full%2")
            .arg(snapshot.queueDepth)
            .arg(snapshot.writerError.isEmpty() ? QString()
                                                : QStringLiteral("\nWriter: ") + snapshot.writerError));
    // The store cannot take flows (disk full, read-only folder, ...): say it where it is seen; the
    // collector counts what it cannot store as dropped and retries every commit, so this clears
    // by itself once space returns.
    if (!snapshot.writerError.isEmpty()) {
        m_storeLabel->setText(QStringLiteral("<span style='color:#d03b3b'>&#9888; Not storing flows</span>"));
        m_storeLabel->setToolTip(
            QStringLiteral("Cannot write to the database: %1\nIncoming flows (and datagrams "
                           "the kernel drops meanwhile) are counted as dropped until the problem is "
                           "fixed; FlowLens resumes by itself.")
                .arg(snapshot.writerError));
        m_storeLabel->show();
    } else {
        m_storeLabel->hide();
    }
    if (!snapshot.uncleanShutdown.isEmpty() && !m_noticeDismissed) {
        m_noticeLabel->setText(QStringLiteral("<span style='color:#b06f00'>&#9888; Last run ended "
                                              "unexpectedly</span> <a href='dismiss'>dismiss</a>"));
        m_noticeLabel->setToolTip(snapshot.uncleanShutdown);
        m_noticeLabel->show();
    }
    // Forwarding to OpenObserve, when the collector runs with it.
    if (snapshot.forward) {
        const forward::ForwardStatus& f = *snapshot.forward;
        const bool trouble =
            f.state == forward::ForwardState::Paused || f.state == forward::ForwardState::BackingOff;
        QString text = QStringLiteral("Forwarding: %1").arg(forward::forwardStateName(f.state));
        if (f.state == forward::ForwardState::Sending || f.deliveredPerSecond > 0)
            text += QStringLiteral(" · %1 flows/s").arg(fmt::compact(f.deliveredPerSecond));
        if (f.backlogFlows)
            text += QStringLiteral(" · backlog %1").arg(fmt::compact(double(f.backlogFlows)));
        m_forwardLabel->setText(
            trouble ? QStringLiteral("<span style='color:#d03b3b'>%1</span>").arg(text.toHtmlEscaped())
                    : text.toHtmlEscaped());
        m_forwardLabel->setToolTip(
            QStringLiteral("%1\ndelivered %2, failed %3, set aside %4%5")
                .arg(f.destination)
                .arg(f.counters.delivered)
                .arg(f.counters.failed)
                .arg(f.counters.setAside)
                .arg(
                    f.setupError.isEmpty()
                        ? (f.lastError.isEmpty() ? QString() : QStringLiteral("\nlast error: ") + f.lastError)
                        : QStringLiteral("\n") + f.setupError));
        m_forwardLabel->show();
    } else {
        m_forwardLabel->hide();
    }
    for (Dashboard* d : m_dashboards)
        d->setCollectorSnapshot(snapshot);
    m_alertNotifier->setSnapshot(snapshot.alerts);
    // First flows of a first start: leave the empty state as soon as something is stored.
    if (isShowingWelcome() && snapshot.writer.flowsStored > 0)
        m_queries->requestDatabaseInfo(QStringLiteral("main/info"));
}

void MainWindow::updateAlertBadge(int firing)
{
    // The badge: a count on the Alerts entry of the sidebar and a red note in the status bar.
    for (int i = 0; i < m_sidebar->count(); ++i) {
        QListWidgetItem* item = m_sidebar->item(i);
        if (item->data(Qt::UserRole).toString() != QLatin1String("alerts"))
            continue;
        item->setText(firing ? QStringLiteral("Alerts (%1)").arg(firing) : QStringLiteral("Alerts"));
        item->setForeground(firing ? QBrush(QColor(0xd0, 0x3b, 0x3b)) : QBrush());
    }
    m_alertLabel->setText(QStringLiteral("<span style='color:#d03b3b'>%1 alert%2 firing</span>")
                              .arg(firing)
                              .arg(firing == 1 ? QString() : QStringLiteral("s")));
    m_alertLabel->setToolTip(QStringLiteral("See View → Alerts"));
    m_alertLabel->setVisible(firing > 0);
}

void MainWindow::showFlows(const QString& filter, std::uint64_t sinceNs, std::uint64_t untilNs)
{
    ViewState s = m_state;
    s.filter = filter;
    s.range.preset = RangePreset::Custom;
    s.range.sinceNs = sinceNs;
    s.range.untilNs = std::max(untilNs, sinceNs + kNs);
    setViewState(s);
    showDashboard(QStringLiteral("flows"));
}

void MainWindow::exportDashboard(const QString& format)
{
    Dashboard* d = currentDashboard();
    if (!d)
        return;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export %1").arg(d->title()),
        QDir(dir.isEmpty() ? QDir::homePath() : dir)
            .filePath(QStringLiteral("flowlens-%1.%2").arg(d->id(), format)),
        format == QLatin1String("pdf") ? QStringLiteral("PDF (*.pdf)") : QStringLiteral("PNG (*.png)"));
    if (path.isEmpty())
        return;
    ExportOptions options;
    if (!exportFormatForPath(path, &options.format))
        options.format = format == QLatin1String("pdf") ? ExportFormat::Pdf : ExportFormat::Png;
    options.size = d->content()->size() + QSize(0, 90);
    ExportCaption caption;
    caption.title = QStringLiteral("FlowLens — %1").arg(d->title());
    const ViewContext view = currentView();
    caption.details = view.details();
    caption.details << QStringLiteral("Values: ") + fmt::unitCaption(m_state.metric, m_state.raw, true);
    const QByteArray bytes = renderExport(options, caption, widgetPainter(d->content()), palette());
    saveInBackground(path, bytes, this, [this, path](const QString& error) {
        statusBar()->showMessage(error.isEmpty() ? QStringLiteral("Saved %1").arg(path) : error, 8000);
    });
}

void MainWindow::openSettings()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        m_settingsDialog->activateWindow();
        return;
    }
    m_settingsDialog = new SettingsDialog(m_options.settings, m_options.viewOnly, m_options.databasePath,
                                          m_options.secrets, this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_settingsDialog, &SettingsDialog::applyRequested, this, &MainWindow::applySettings);
    m_settingsDialog->show();
}

void MainWindow::applySettings(const AppSettings& settings)
{
    const AppSettings previous = m_options.settings;
    auto persist = [this, settings] {
        const QString oldSecret = m_options.settings.forward.secret;
        m_options.settings = settings;
        QSettings s;
        settings.save(s);
        if (settings.forward.secret != oldSecret)
            storeForwardSecret(settings.forward.secret);
    };
    auto report = [this](bool ok, const QString& error) {
        if (m_settingsDialog)
            m_settingsDialog->setApplyResult(ok, error);
        else if (!ok)
            statusBar()->showMessage(QStringLiteral("Settings not applied: %1").arg(error), 10000);
    };
    if (!m_collector) {
        persist();
        report(true, QString());
        return;
    }
    // Sampling overrides and forwarding apply to the running collector; the rest needs a restart.
    AppSettings a = previous, b = settings;
    a.samplingOverrides.clear();
    b.samplingOverrides.clear();
    a.forward = b.forward = {};
    const bool forwardChanged = !(previous.forward == settings.forward);
    if (a == b && (!forwardChanged || m_collector->status().running)) {
        m_collector->setSamplingOverrides(settings.overrides());
        if (!forwardChanged) {
            persist();
            report(true, QString());
            return;
        }
        auto* connection = new QMetaObject::Connection;
        *connection = connect(m_collector, &CollectorController::forwardApplied, this,
                              [this, connection, persist, report](bool ok, const QString& error) {
                                  disconnect(*connection);
                                  delete connection;
                                  if (ok)
                                      persist();
                                  report(ok, error);
                              });
        m_collector->setForward(settings.forward.enabled ? std::optional(settings.forward.config())
                                                         : std::nullopt);
        return;
    }
    auto* connection = new QMetaObject::Connection;
    *connection = connect(m_collector, &CollectorController::applied, this,
                          [connection, persist, report](bool ok, const QString& error) {
                              disconnect(*connection);
                              delete connection;
                              if (ok)
                                  persist();
                              report(ok, error);
                          });
    collect::CollectorConfig config = settings.collectorConfig();
    // A session started with --db keeps its file unless the database setting itself changed.
    if (settings.databasePath == previous.databasePath)
        config.databasePath = m_options.databasePath;
    m_collector->apply(config);
}

void MainWindow::loadForwardSecret()
{
    if (!m_options.secrets) {
        m_secretLoaded = true;
        return;
    }
    QPointer<MainWindow> self(this);
    m_options.secrets->read(SecretStore::forwardKey(), [self](const Result<QString>& secret) {
        if (!self)
            return;
        self->m_secretLoaded = true;
        if (!secret) {
            self->statusBar()->showMessage(QStringLiteral("Forwarding: %1").arg(secret.error()), 15000);
            return;
        }
        AppSettings::ForwardSettings& forward = self->m_options.settings.forward;
        forward.secret = *secret;
        // The collector started without forwarding (the secret was not known yet); add it now.
        if (!self->m_collector || !forward.enabled)
            return;
        if (const QString problem = forward.problem(); !problem.isEmpty()) {
            self->statusBar()->showMessage(
                QStringLiteral("Forwarding is on but not started: %1 Open Settings → Forwarding.")
                    .arg(problem),
                15000);
            return;
        }
        self->m_collector->setForward(forward.config());
    });
}

void MainWindow::storeForwardSecret(const QString& secret)
{
    // An empty field before the stored secret was read is not a wish to delete it.
    if (!m_options.secrets || (secret.isEmpty() && !m_secretLoaded))
        return;
    QPointer<MainWindow> self(this);
    m_options.secrets->write(SecretStore::forwardKey(), secret, [self](const Result<void>& r) {
        if (self && !r)
            self->statusBar()->showMessage(
                QStringLiteral("The forwarding secret was not saved: %1").arg(r.error()), 15000);
    });
}

void MainWindow::startDemo()
{
    if (!m_collector || m_demo->isRunning())
        return;
    // Prefer NetFlow on 2055 over IPv4; send to the loopback address of the family it listens on.
    const collect::EndpointState* chosen = nullptr;
    auto rank = [](const collect::EndpointState& e) {
        return (e.endpoint.port == 2055 ? 2 : 0) + (e.endpoint.address.isV4() ? 1 : 0);
    };
    for (const auto& e : m_collectorStatus.endpoints)
        if (e.listening && (!chosen || rank(e) > rank(*chosen)))
            chosen = &e;
    if (!chosen) {
        m_welcome->setDemoState(false, QStringLiteral("The collector is not listening; check Settings."));
        return;
    }
    decode::Endpoint target = chosen->endpoint;
    if (target.address == decode::IpAddress::fromV4(0))
        target.address = decode::IpAddress::fromV4(0x7f000001u);
    else if (target.address.isZero())
        target.address = *decode::IpAddress::parse("::1");
    m_demo->start(target, 2000, 120);
    m_welcome->setDemoState(
        true, QStringLiteral("Sending demo traffic to %1…").arg(QString::fromStdString(target.toString())));
    statusBar()->showMessage(QStringLiteral("Sending demo traffic (2000 flows/s for 2 minutes) to %1")
                                 .arg(QString::fromStdString(target.toString())),
                             8000);
}

} // namespace flowlens::ui
