#include "flows_dashboard.h"

#include "ui/format.h"
#include "ui/models/flow_table_model.h"
#include "ui/widgets/table_panel.h"

#include "core/query/flow_format.h"

#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace flowlens::ui {

using decode::FlowField;

namespace {

const FlowField kDefaultColumns[] = {
    FlowField::TimeReceived, FlowField::Type,    FlowField::SamplerAddress, FlowField::SrcAddr,
    FlowField::SrcPort,      FlowField::DstAddr, FlowField::DstPort,        FlowField::Proto,
    FlowField::Bytes,        FlowField::Packets, FlowField::SamplingRate,   FlowField::TcpFlags,
    FlowField::InIf,         FlowField::OutIf,   FlowField::TimeFlowStart,  FlowField::TimeFlowEnd};

} // namespace

FlowsDashboard::FlowsDashboard(query::QueryService* service, QWidget* parent)
    : Dashboard(QStringLiteral("flows"), QStringLiteral("Flows"), parent)
    , m_service(service)
    , m_model(new FlowTableModel(service, this))
    , m_details(new QTreeWidget)
    , m_count(new QLabel)
{
    auto* splitter = new QSplitter(Qt::Horizontal, content());
    m_panel = new TablePanel(QStringLiteral("Flows"), m_model, splitter);
    m_panel->setKeyColumn(-1);
    registerPanel(m_panel);
    QTableView* view = m_panel->view();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view->horizontalHeader()->setSectionsMovable(true);
    view->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    // Sorting is done by the worker (FlowTableModel::sort); start newest first without a query.
    view->horizontalHeader()->setSortIndicator(FlowTableModel::columnOf(FlowField::TimeReceived),
                                               Qt::DescendingOrder);
    view->setSortingEnabled(true);
    setVisibleColumns({});
    // Default order: who talked to whom first, then counters and the rest in registry order.
    for (int i = 0; i < int(std::size(kDefaultColumns)); ++i)
        view->horizontalHeader()->moveSection(
            view->horizontalHeader()->visualIndex(FlowTableModel::columnOf(kDefaultColumns[i])), i);
    for (FlowField f : kDefaultColumns)
        view->setColumnWidth(FlowTableModel::columnOf(f), f == FlowField::TimeReceived ||
                                                                  f == FlowField::TimeFlowStart ||
                                                                  f == FlowField::TimeFlowEnd
                                                              ? 175
                                                              : 110);

    m_panel->menu()->clear();
    m_panel->menu()->addAction(QStringLiteral("Export all matching flows as CSV…"), this,
                               [this] { exportAll(false); });
    m_panel->menu()->addAction(QStringLiteral("Export all matching flows as NDJSON (goflow2)…"), this,
                               [this] { exportAll(true); });
    m_panel->menu()->addAction(QStringLiteral("Copy loaded rows"), m_panel, &TablePanel::copyTable);
    m_panel->menu()->addSeparator();
    m_panel->menu()->addAction(QStringLiteral("Columns…"), this, &FlowsDashboard::showColumnMenu);
    m_panel->menu()->addAction(QStringLiteral("Reload"), m_model, &FlowTableModel::reload);

    auto* side = new QWidget(splitter);
    auto* copyJson = new QPushButton(QStringLiteral("Copy as JSON"), side);
    auto* copyText = new QPushButton(QStringLiteral("Copy as text"), side);
    copyJson->setToolTip(QStringLiteral("goflow2-style JSON of the selected flow (Ctrl+Shift+C)"));
    copyJson->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+C")));
    m_details->setColumnCount(2);
    m_details->setHeaderLabels({QStringLiteral("Field"), QStringLiteral("Value")});
    m_details->setRootIsDecorated(false);
    m_details->setAlternatingRowColors(true);
    m_details->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(copyJson);
    buttons->addWidget(copyText);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    auto* detailsTitle = new QLabel(QStringLiteral("<b>Selected flow</b> — every field"), side);
    sideLayout->addWidget(detailsTitle);
    sideLayout->addWidget(m_details, 1);
    sideLayout->addLayout(buttons);
    m_details->setParent(side);
    splitter->addWidget(m_panel);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({900, 420}); // room for a full timestamp in the details pane
    grid()->addWidget(m_count, 0, 0);
    grid()->addWidget(splitter, 1, 0);
    grid()->setRowStretch(1, 1);

    connect(copyJson, &QPushButton::clicked, this, [this] {
        const QString json = selectedJson();
        if (!json.isEmpty()) {
            QGuiApplication::clipboard()->setText(json);
            emit message(QStringLiteral("Copied the flow as JSON"));
        }
    });
    connect(copyText, &QPushButton::clicked, this, [this] {
        const QString text = selectedText();
        if (!text.isEmpty()) {
            QGuiApplication::clipboard()->setText(text);
            emit message(QStringLiteral("Copied the flow as text"));
        }
    });
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &FlowsDashboard::showDetails);
    connect(view->horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            &FlowsDashboard::showColumnMenu);
    connect(m_model, &FlowTableModel::totalChanged, this, &FlowsDashboard::updateCount);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &FlowsDashboard::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_details->clear();
        updateCount();
    });
    connect(m_model, &FlowTableModel::loadingChanged, this, [this](bool) { updateCount(); });
    connect(m_model, &FlowTableModel::errorOccurred, this, [this](const QString& error) {
        if (error.contains(QStringLiteral("changed")))
            m_model->reload();
        else
            setStatus(QStringLiteral("⚠ ") + error);
    });
    connect(
        m_service, &query::QueryService::flowExportFinished, this, [this](const query::FlowExportReply& r) {
            if (r.channel != QStringLiteral("flows-export"))
                return;
            emit message(r.error.isEmpty()
                             ? QStringLiteral("Exported %1 flows to %2").arg(fmt::integer(r.flows), r.path)
                             : QStringLiteral("Export failed: %1").arg(r.error));
        });
    updateCount();
}

QTableView* FlowsDashboard::table() const
{
    return m_panel->view();
}

void FlowsDashboard::viewChanged(const ViewContext& view, bool liveTick)
{
    if (liveTick) {
        // New flows arrive all the time; reloading under a reader would move the rows away.
        // A sort other than newest-first is an inspection too (and re-sorting millions of rows every
        // few seconds would keep a worker busy for nothing).
        const bool inspecting = table()->selectionModel()->hasSelection() ||
                                table()->verticalScrollBar()->value() > 0 ||
                                m_model->sortField() != FlowField::TimeReceived || !m_model->sortDescending();
        if (inspecting) {
            setStatus(QStringLiteral(
                "Live updates wait while you inspect the flows (a selection, scrolled down or another sort "
                "order); F5 reloads"));
            return;
        }
    }
    m_view = view;
    setPanelDetails(view);
    m_model->setQuery(view.range.sinceNs, view.range.untilNs, view.filter);
    setStatus(QStringLiteral("%1 · %2").arg(
        view.range.text(), view.state.filter.isEmpty() ? QStringLiteral("no filter") : view.state.filter));
}

void FlowsDashboard::updateCount()
{
    const auto field = decode::fieldInfo(m_model->sortField()).name;
    const QString order =
        m_model->sortField() == FlowField::TimeReceived
            ? (m_model->sortDescending() ? QStringLiteral("newest first") : QStringLiteral("oldest first"))
            : QStringLiteral("by %1, %2")
                  .arg(QLatin1String(field.data(), qsizetype(field.size())),
                       m_model->sortDescending() ? QStringLiteral("descending")
                                                 : QStringLiteral("ascending"));
    QString text;
    if (m_model->isLoading() && m_model->rowCount() == 0)
        text = QStringLiteral("Loading flows…");
    else
        text = QStringLiteral("%1 matching flows · %2 loaded · %3")
                   .arg(fmt::integer(m_model->totalRows()), fmt::integer(std::uint64_t(m_model->rowCount())),
                        order);
    if (m_model->reachableRows() < m_model->totalRows())
        text += QStringLiteral(" · a sorted view reaches the first %1 rows (sort by time_received_ns to page "
                               "through all, or narrow the filter)")
                    .arg(fmt::integer(m_model->reachableRows()));
    m_count->setText(text);
}

const decode::FlowRecord* FlowsDashboard::selectedFlow() const
{
    const QModelIndexList rows = table()->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_model->flow(rows.first().row());
}

void FlowsDashboard::showDetails()
{
    m_details->clear();
    const decode::FlowRecord* r = selectedFlow();
    if (!r)
        return;
    QList<QTreeWidgetItem*> items;
    for (const decode::FieldInfo& info : decode::flowFields()) {
        const QString value = FlowTableModel::fieldText(*r, info.field);
        auto* item =
            new QTreeWidgetItem({QString::fromLatin1(info.name.data(), qsizetype(info.name.size())), value});
        if (value.isEmpty() || value == QLatin1String("0"))
            item->setForeground(1, palette().brush(QPalette::PlaceholderText));
        items << item;
    }
    m_details->addTopLevelItems(items);
}

QString FlowsDashboard::selectedJson() const
{
    const decode::FlowRecord* r = selectedFlow();
    if (!r)
        return {};
    std::string json;
    query::appendFlowJson(json, *r);
    return QString::fromStdString(json);
}

QString FlowsDashboard::selectedText() const
{
    const decode::FlowRecord* r = selectedFlow();
    if (!r)
        return {};
    QStringList lines;
    for (const decode::FieldInfo& info : decode::flowFields())
        lines << QStringLiteral("%1: %2").arg(QLatin1String(info.name.data(), qsizetype(info.name.size())),
                                              FlowTableModel::fieldText(*r, info.field));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void FlowsDashboard::setVisibleColumns(const QStringList& names)
{
    QTableView* view = table();
    for (int c = 0; c < decode::kFlowFieldCount; ++c) {
        const auto name = decode::fieldInfo(FlowTableModel::fieldOf(c)).name;
        const QString n = QString::fromLatin1(name.data(), qsizetype(name.size()));
        bool visible = names.isEmpty() ? std::find(std::begin(kDefaultColumns), std::end(kDefaultColumns),
                                                   FlowTableModel::fieldOf(c)) != std::end(kDefaultColumns)
                                       : names.contains(n);
        view->setColumnHidden(c, !visible);
    }
}

QStringList FlowsDashboard::visibleColumns() const
{
    QStringList names;
    for (int c = 0; c < decode::kFlowFieldCount; ++c)
        if (!table()->isColumnHidden(c)) {
            const auto name = decode::fieldInfo(FlowTableModel::fieldOf(c)).name;
            names << QString::fromLatin1(name.data(), qsizetype(name.size()));
        }
    return names;
}

void FlowsDashboard::showColumnMenu()
{
    QMenu menu(this);
    menu.addAction(QStringLiteral("Default columns"), this, [this] {
        setVisibleColumns({});
        emit visibleColumnsChanged(visibleColumns());
    });
    menu.addSeparator();
    for (int c = 0; c < decode::kFlowFieldCount; ++c) {
        const auto name = decode::fieldInfo(FlowTableModel::fieldOf(c)).name;
        QAction* a = menu.addAction(QString::fromLatin1(name.data(), qsizetype(name.size())));
        a->setCheckable(true);
        a->setChecked(!table()->isColumnHidden(c));
        connect(a, &QAction::toggled, this, [this, c](bool on) {
            table()->setColumnHidden(c, !on);
            emit visibleColumnsChanged(visibleColumns());
        });
    }
    menu.exec(QCursor::pos());
}

void FlowsDashboard::exportAll(bool json)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested =
        QDir(dir.isEmpty() ? QDir::homePath() : dir)
            .filePath(json ? QStringLiteral("flowlens-flows.ndjson") : QStringLiteral("flowlens-flows.csv"));
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export flows"), suggested,
                                                      json ? QStringLiteral("NDJSON (*.ndjson *.json)")
                                                           : QStringLiteral("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    query::FlowExportRequest req;
    req.sinceNs = m_view.range.sinceNs;
    req.untilNs = m_view.range.untilNs;
    req.filter = m_view.filter;
    req.path = path;
    req.json = json;
    m_service->requestFlowExport(QStringLiteral("flows-export"), req);
    emit message(QStringLiteral("Exporting %1 flows to %2…").arg(fmt::integer(m_model->totalRows()), path));
}

} // namespace flowlens::ui
