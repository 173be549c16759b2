#include "headless_export.h"

#include "ui/dashboards/exporters_dashboard.h"
#include "ui/dashboards/flows_dashboard.h"
#include "ui/dashboards/geography_dashboard.h"
#include "ui/dashboards/overview_dashboard.h"
#include "ui/dashboards/ports_dashboard.h"
#include "ui/dashboards/talkers_dashboard.h"
#include "ui/export/file_saver.h"
#include "ui/export/image_export.h"
#include "ui/format.h"
#include "ui/models/flow_table_model.h"

#include "core/query/query_service.h"
#include "core/query/time_spec.h"

#include <cstdio>
#include <memory>

#include <QApplication>
#include <QEventLoop>
#include <QLayout>
#include <QTimer>

namespace flowlens::ui {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kTimeoutMs = 300000;

void printErr(const QString& text)
{
    std::fprintf(stderr, "flowlens: %s\n", text.toLocal8Bit().constData());
}

/// Runs the event loop until `done` returns true or the timeout passes.
template <class Done>
bool waitFor(Done done)
{
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    poll.start();
    timeout.start(kTimeoutMs);
    if (!done())
        loop.exec();
    return done();
}

std::unique_ptr<Dashboard> makeDashboard(const QString& name, query::QueryService* service)
{
    if (name == QLatin1String("overview"))
        return std::make_unique<OverviewDashboard>();
    if (name == QLatin1String("talkers"))
        return std::make_unique<TalkersDashboard>();
    if (name == QLatin1String("ports"))
        return std::make_unique<PortsDashboard>();
    if (name == QLatin1String("geography"))
        return std::make_unique<GeographyDashboard>();
    if (name == QLatin1String("flows"))
        return std::make_unique<FlowsDashboard>(service);
    if (name == QLatin1String("exporters"))
        return std::make_unique<ExportersDashboard>();
    return nullptr;
}

} // namespace

QStringList headlessDashboards()
{
    return {QStringLiteral("overview"),  QStringLiteral("talkers"), QStringLiteral("ports"),
            QStringLiteral("geography"), QStringLiteral("flows"),   QStringLiteral("exporters")};
}

namespace {

QtMessageHandler g_previousHandler = nullptr;

// The offscreen platform warns about window features it lacks; nothing a user can act on.
void quietHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (message.contains(QLatin1String("propagateSizeHints")))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

struct QuietOffscreen
{
    QuietOffscreen() { g_previousHandler = qInstallMessageHandler(quietHandler); }
    ~QuietOffscreen() { qInstallMessageHandler(g_previousHandler); }
};

} // namespace

int runHeadlessExport(const HeadlessExportOptions& o)
{
    const QuietOffscreen quiet;
    if (!headlessDashboards().contains(o.dashboard)) {
        printErr(QStringLiteral("--export: unknown dashboard \"%1\"; use one of %2")
                     .arg(o.dashboard, headlessDashboards().join(QStringLiteral(", "))));
        return kExitUsage;
    }
    ExportOptions options;
    if (o.output.isEmpty() || !exportFormatForPath(o.output, &options.format)) {
        printErr(
            QStringLiteral("--out: give a file ending in .png, .svg or .pdf (got \"%1\")").arg(o.output));
        return kExitUsage;
    }
    if (o.width < 200 || o.width > 20000 || o.height < 200 || o.height > 20000) {
        printErr(QStringLiteral("--width/--height: between 200 and 20000 pixels"));
        return kExitUsage;
    }
    if (o.dpi < 36 || o.dpi > 1200) {
        printErr(QStringLiteral("--dpi: between 36 and 1200"));
        return kExitUsage;
    }
    options.size = QSize(o.width, o.height);
    options.dpi = o.dpi;
    MetricKind metric = MetricKind::Bytes;
    if (!metricKindFromName(o.metric, &metric)) {
        printErr(QStringLiteral("--metric: use bytes, bits/s, packets or flows"));
        return kExitUsage;
    }
    auto filter = query::Filter::parse(o.filter);
    if (!filter) {
        printErr(QStringLiteral("--filter: %1").arg(filter.error().toString()));
        return kExitUsage;
    }
    if (o.databasePath.isEmpty()) {
        printErr(QStringLiteral("--export needs --db FILE"));
        return kExitUsage;
    }

    query::QueryService service(o.databasePath, 1);
    query::DatabaseInfoReply info;
    bool haveInfo = false;
    QObject::connect(&service, &query::QueryService::databaseInfoReady, &service,
                     [&](const query::DatabaseInfoReply& r) {
                         info = r;
                         haveInfo = true;
                     });
    service.requestDatabaseInfo(QStringLiteral("headless/info"));
    if (!waitFor([&] { return haveInfo; }) || !info.error.isEmpty()) {
        printErr(haveInfo ? info.error : QStringLiteral("the database did not answer in time"));
        return kExitFailure;
    }

    const std::uint64_t now = wallClockNs();
    ViewContext view;
    view.state.filter = o.filter.trimmed();
    view.state.metric = metric;
    view.state.raw = o.raw;
    view.filter = *filter;
    view.range.sinceNs = info.info.firstNs;
    view.range.untilNs = info.info.lastNs + 1;
    if (!o.since.isEmpty()) {
        auto t = query::parseTime(o.since, now);
        if (!t) {
            printErr(QStringLiteral("--since: %1").arg(t.error()));
            return kExitUsage;
        }
        view.range.sinceNs = *t;
    }
    if (!o.until.isEmpty()) {
        auto t = query::parseTime(o.until, now);
        if (!t) {
            printErr(QStringLiteral("--until: %1").arg(t.error()));
            return kExitUsage;
        }
        view.range.untilNs = *t;
    }
    if (view.range.untilNs <= view.range.sinceNs) {
        if (info.info.flows == 0) {
            view.range.sinceNs = now - 3600 * 1000000000ull;
            view.range.untilNs = now;
        } else {
            printErr(QStringLiteral("--since must be before --until"));
            return kExitUsage;
        }
    }
    view.range.nowNs = view.range.untilNs;
    view.state.range.preset = RangePreset::Custom;
    view.state.range.sinceNs = view.range.sinceNs;
    view.state.range.untilNs = view.range.untilNs;

    std::unique_ptr<Dashboard> dashboard = makeDashboard(o.dashboard, &service);
    ExportCaption caption;
    caption.title = QStringLiteral("FlowLens — %1").arg(dashboard->title());
    caption.details = view.details();
    caption.details << QStringLiteral("Values: ") + fmt::unitCaption(metric, o.raw, true);
    // Lay the dashboard out at the size its content gets on the page.
    const double scale = options.dpi / 96.0;
    dashboard->setAttribute(Qt::WA_DontShowOnScreen);
    dashboard->resize(int(o.width / scale), int(o.height / scale) - 40);
    dashboard->show();

    query::DashboardRequest request;
    if (dashboard->buildRequest(view, request)) {
        request.sinceNs = view.range.sinceNs;
        request.untilNs = view.range.untilNs;
        request.nowNs = view.range.nowNs;
        request.filter = view.filter;
        request.raw = view.state.raw;
        request.requireExact = true; // a report may take a moment; it must not be approximate
        query::DashboardReply reply;
        bool done = false;
        QObject::connect(&service, &query::QueryService::dashboardReady, &service,
                         [&](const query::DashboardReply& r) {
                             reply = r;
                             done = true;
                         });
        service.requestDashboard(dashboard->id(), request);
        if (!waitFor([&] { return done; }) || !reply.error.isEmpty()) {
            printErr(done ? reply.error : QStringLiteral("the query did not finish in time"));
            return kExitFailure;
        }
        dashboard->applyReply(reply, view);
        dashboard->finishPendingUpdates();
    } else if (auto* flows = dynamic_cast<FlowsDashboard*>(dashboard.get())) {
        QString error;
        QObject::connect(flows->model(), &FlowTableModel::errorOccurred, flows,
                         [&](const QString& e) { error = e; });
        flows->viewChanged(view, false);
        if (!waitFor([&] { return !flows->model()->isLoading(); }) || !error.isEmpty()) {
            printErr(error.isEmpty() ? QStringLiteral("the flows did not load in time") : error);
            return kExitFailure;
        }
    }
    // Let layouts and deferred updates settle before painting.
    auto settle = [&] {
        for (int i = 0; i < 3; ++i) {
            if (dashboard->layout())
                dashboard->layout()->activate();
            QCoreApplication::sendPostedEvents();
        }
    };
    settle();
    // A dashboard taller than the page is laid out wider too, keeping the page's proportions, so
    // that scaling it down fills the page instead of leaving a margin.
    // The content sits in a scroll area: its viewport is what the page offers.
    QWidget* viewport = dashboard->content()->parentWidget();
    const int available = viewport ? viewport->height() : dashboard->content()->height();
    const int needed =
        std::max(dashboard->content()->height(), dashboard->content()->minimumSizeHint().height());
    if (available > 0 && needed > available) {
        const double f = double(needed) / double(available);
        dashboard->resize(int(dashboard->width() * f), int(dashboard->height() * f));
        settle();
    }
    const QByteArray bytes =
        renderExport(options, caption, widgetPainter(dashboard->content()), dashboard->palette());
    if (bytes.isEmpty()) {
        printErr(QStringLiteral("could not render %1").arg(o.output));
        return kExitFailure;
    }
    if (const QString error = saveNow(o.output, bytes); !error.isEmpty()) {
        printErr(error);
        return kExitFailure;
    }
    return 0;
}

} // namespace flowlens::ui
