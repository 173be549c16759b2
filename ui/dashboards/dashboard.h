#pragma once

#include "ui/drill_down.h"
#include "ui/view_state.h"

#include "core/collect/collector_snapshot.h"
#include "core/query/dashboard_query.h"
#include "core/query/query_service.h"

#include <deque>
#include <functional>

#include <QList>
#include <QStringList>
#include <QWidget>

class QAbstractItemModel;
class QGridLayout;
class QLabel;
class QScrollArea;

namespace flowlens::ui {

class ChartPanel;
class ChartView;
class Panel;
class TablePanel;

/// The view a dashboard shows: shared state plus its resolution for this refresh.
struct ViewContext
{
    ViewState state;
    ResolvedRange range;
    query::Filter filter;
    bool live = false;

    /// "Time: …", "Filter: …" lines written on exports.
    QStringList details() const;
};

/// One dashboard of the sidebar. Dashboards describe what they need as a DashboardRequest; the
/// main window runs it on the query service and hands the result back (so the panels of one
/// dashboard always update together, from one snapshot).
class Dashboard : public QWidget
{
    Q_OBJECT

public:
    Dashboard(const QString& id, const QString& title, QWidget* parent = nullptr);

    QString id() const { return m_id; }
    QString title() const { return m_title; }

    /// Fills the tops and series this dashboard shows (the caller sets range and filter); false
    /// when the dashboard does not use a DashboardRequest (Flows, Geography).
    virtual bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const;
    virtual void applyResult(const query::DashboardResult& result, const ViewContext& view);
    /// applyResult() or applyError(), then the status line; what the main window calls.
    void applyReply(const query::DashboardReply& reply, const ViewContext& view);
    virtual void applyError(const QString& error);
    /// The view changed or live mode ticked (for dashboards that query by themselves).
    virtual void viewChanged(const ViewContext& view, bool liveTick);
    /// Live collector counters (about once a second) while collecting.
    virtual void setCollectorSnapshot(const collect::CollectorSnapshot& snapshot);
    /// True while the shown data is older than the last request (a query is running).
    void setBusy(bool busy);

    QList<ChartPanel*> chartPanels() const { return m_charts; }
    QList<TablePanel*> tablePanels() const { return m_tables; }
    /// What a whole-dashboard export renders (the panels, without the scroll area).
    QWidget* content() const { return m_content; }
    QString statusText() const;
    /// Runs the chart updates still waiting (see later()) at once: for headless export and tests.
    void finishPendingUpdates();
    bool hasPendingUpdates() const { return !m_steps.empty(); }

signals:
    void drillRequested(const QString& term, flowlens::ui::DrillAction action);
    void message(const QString& text);

protected:
    QGridLayout* grid() const { return m_grid; }
    ChartPanel* addChart(const QString& title, ChartView* chart, int row, int column, int rowSpan = 1,
                         int columnSpan = 1);
    TablePanel* addTable(const QString& title, QAbstractItemModel* model, int row, int column,
                         int rowSpan = 1, int columnSpan = 1);
    /// Chart over table in one cell (bar chart and its table).
    std::pair<ChartPanel*, TablePanel*> addRanked(const QString& title, ChartView* chart,
                                                  QAbstractItemModel* model, int row, int column);
    void registerPanel(Panel* panel);
    /// The line under the dashboard title ("12 ms · per-minute rollups · approximate").
    void setStatus(const QString& text);
    /// Sets time/filter lines of every panel (exports) after a refresh.
    void setPanelDetails(const ViewContext& view);
    /// Runs `step` on a later turn of the event loop, one step per turn: applying a snapshot then
    /// never blocks the GUI thread for long (each chart is laid out and painted in its own turn).
    /// A newer snapshot drops the steps of the older one.
    void later(std::function<void()> step);
    void scheduleStep();
    /// A summary of how a result was computed, for setStatus().
    static QString resultSummary(const query::DashboardResult& result, double elapsedMs);

private:
    QString m_id;
    QString m_title;
    QLabel* m_titleLabel;
    QLabel* m_status;
    QScrollArea* m_scroll;
    QWidget* m_content;
    QGridLayout* m_grid;
    QList<ChartPanel*> m_charts;
    QList<TablePanel*> m_tables;
    QString m_statusText;
    std::deque<std::function<void()>> m_steps;
    bool m_stepScheduled = false;
};

} // namespace flowlens::ui
