#pragma once

#include "ui/dashboards/dashboard.h"
#include "ui/services/app_settings.h"
#include "ui/services/collector_controller.h"
#include "ui/view_state.h"

#include <map>
#include <memory>

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTimer;

namespace flowlens::query {
class QueryService;
}

namespace flowlens::ui {

class AboutDialog;
class AlertNotifier;
class AlertService;
class AlertsDashboard;
class DemoTraffic;
class FilterBar;
class FlowsDashboard;
class MetricSwitch;
class SecretStore;
class SettingsDialog;
class TimeRangeBar;
class WelcomePage;

/// How the window was started.
struct MainWindowOptions
{
    bool viewOnly = false;          ///< --no-listen: no collector
    QString databasePath;           ///< what the query service reads
    AppSettings settings;           ///< persisted settings (collector endpoints, retention, …)
    int refreshIntervalMs = 2000;   ///< live refresh
    bool traceTimings = false;      ///< print how long applying each result takes (latency investigations)
    QStringList geoDatabaseTypes;   ///< `database_type` of the GeoIP databases in use (credited in About)
    SecretStore* secrets = nullptr; ///< the forwarding secret's store (owned by main); null: none
};

/// The FlowLens window: a sidebar of dashboards, one time-range bar and one filter bar shared by
/// all of them, back/forward through view changes, drill-down, exports, and a status bar with
/// the collector's state. Services are built by main() and passed in (no singletons).
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(query::QueryService* queries, CollectorController* collector, const MainWindowOptions& options,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    ViewState viewState() const { return m_state; }
    /// Changes the view (recorded in back/forward history) and refreshes.
    void setViewState(const ViewState& state);
    void applyFilter(const QString& filter);
    void drillDown(const QString& term, DrillAction action);
    void showDashboard(const QString& id);
    Dashboard* currentDashboard() const;
    Dashboard* dashboard(const QString& id) const;
    FilterBar* filterBar() const { return m_filterBar; }
    TimeRangeBar* timeRangeBar() const { return m_timeBar; }
    WelcomePage* welcomePage() const { return m_welcome; }
    bool isShowingWelcome() const;
    QString statusText() const;
    AlertService* alertService() const { return m_alertService; }
    AlertNotifier* alertNotifier() const { return m_alertNotifier; }
    AlertsDashboard* alertsDashboard() const { return m_alerts; }
    /// Opens the Flows view on `filter` over a fixed time range (an alert's flows).
    void showFlows(const QString& filter, std::uint64_t sinceNs, std::uint64_t untilNs);
    /// Refreshes the visible dashboard now (F5).
    void refresh();
    bool canGoBack() const { return m_history.canGoBack(); }
    void goBack();
    void goForward();
    /// Shows the window un-minimised and asks the window manager to raise and focus it (a second
    /// start of the app lands here).
    void bringToFront();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildUi();
    void buildMenus();
    void buildStatusBar();
    void restoreUiState();
    void saveUiState() const;
    ViewContext currentView() const;
    void requestCurrent(bool liveTick);
    void onDashboardReply(const query::DashboardReply& reply);
    void onDatabaseInfo(const query::DatabaseInfo& info, const QString& error);
    void onCollectorStatus(const CollectorStatus& status);
    void onCollectorSnapshot(const collect::CollectorSnapshot& snapshot);
    void onLiveChanged(bool live);
    void updateWelcome();
    bool isDatabaseEmpty() const;
    void updateNavigationActions();
    void exportDashboard(const QString& format);
    void openSettings();
    void openAbout();
    void applySettings(const AppSettings& settings);
    void loadForwardSecret();
    void storeForwardSecret(const QString& secret);
    void startDemo();
    void updateAlertBadge(int firing);

    query::QueryService* m_queries;
    CollectorController* m_collector;
    MainWindowOptions m_options;
    ViewState m_state;
    NavigationHistory m_history;
    std::uint64_t m_pausedNs = 0;
    query::DatabaseInfo m_dbInfo;
    bool m_dbKnown = false;
    bool m_dbMissing = false; ///< the file does not exist (yet)
    bool m_autoRangeChecked = false;
    std::map<quint64, ViewContext> m_requests;

    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_stack = nullptr;
    WelcomePage* m_welcome = nullptr;
    FlowsDashboard* m_flows = nullptr;
    AlertService* m_alertService = nullptr;
    AlertNotifier* m_alertNotifier = nullptr;
    AlertsDashboard* m_alerts = nullptr;
    QLabel* m_alertLabel = nullptr;
    std::vector<Dashboard*> m_dashboards;
    FilterBar* m_filterBar = nullptr;
    TimeRangeBar* m_timeBar = nullptr;
    MetricSwitch* m_metric = nullptr;
    QAction* m_backAction = nullptr;
    QAction* m_forwardAction = nullptr;
    QAction* m_rawAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QTimer* m_liveTimer = nullptr;
    QLabel* m_listenLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_dropLabel = nullptr;
    QLabel* m_dbLabel = nullptr;
    QLabel* m_forwardLabel = nullptr;
    QLabel* m_storeLabel = nullptr;  ///< the writer cannot store (disk full, read-only, ...)
    QLabel* m_noticeLabel = nullptr; ///< the previous run did not stop cleanly (until dismissed)
    bool m_noticeDismissed = false;
    DemoTraffic* m_demo = nullptr;
    QPointer<SettingsDialog> m_settingsDialog;
    QPointer<AboutDialog> m_aboutDialog;
    CollectorStatus m_collectorStatus;
    collect::CollectorSnapshot m_lastSnapshot;
    bool m_haveSnapshot = false;
    bool m_secretLoaded = false; ///< the stored forwarding secret was read (so an empty one is real)
};

} // namespace flowlens::ui
