#include "table_panel.h"

#include "ui/export/file_saver.h"
#include "ui/export/table_export.h"
#include "ui/models/model_roles.h"

#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHeaderView>
#include <QMenu>
#include <QPointer>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

namespace flowlens::ui {

TablePanel::TablePanel(const QString& title, QAbstractItemModel* model, QWidget* parent)
    : Panel(title, parent)
    , m_model(model)
    , m_view(new QTableView(this))
{
    m_view->setModel(model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    if (m_keyColumn >= 0 && m_keyColumn < model->columnCount())
        m_view->horizontalHeader()->setSectionResizeMode(m_keyColumn, QHeaderView::Stretch);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setMinimumHeight(120);
    contentLayout()->addWidget(m_view, 1);

    menu()->addAction(QStringLiteral("Export CSV…"), this, [this] {
        QString base = this->title().toLower();
        base.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        const QString path =
            QFileDialog::getSaveFileName(this, QStringLiteral("Export %1").arg(this->title()),
                                         QDir(dir.isEmpty() ? QDir::homePath() : dir)
                                             .filePath(QStringLiteral("flowlens-%1.csv").arg(base)),
                                         QStringLiteral("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    menu()->addAction(QStringLiteral("Copy table"), this, &TablePanel::copyTable);

    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString term = termAt(index);
        if (!term.isEmpty())
            emit drillRequested(term, DrillAction::Narrow);
    });
    connect(m_view, &QTableView::customContextMenuRequested, this, &TablePanel::showContextMenu);
}

void TablePanel::setKeyColumn(int column)
{
    if (m_keyColumn >= 0 && m_keyColumn < m_model->columnCount())
        m_view->horizontalHeader()->setSectionResizeMode(m_keyColumn, QHeaderView::ResizeToContents);
    m_keyColumn = column;
    if (column >= 0 && column < m_model->columnCount())
        m_view->horizontalHeader()->setSectionResizeMode(column, QHeaderView::Stretch);
}

QString TablePanel::termAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return {};
    QString term = index.data(FilterTermRole).toString();
    if (term.isEmpty() && m_keyColumn >= 0)
        term = m_model->index(index.row(), m_keyColumn).data(FilterTermRole).toString();
    return term;
}

void TablePanel::exportCsv(const QString& path)
{
    QPointer<TablePanel> self(this);
    saveInBackground(path, tableCsv(*m_model), this, [self, path](const QString& error) {
        if (self)
            emit self->message(error.isEmpty() ? QStringLiteral("Saved %1").arg(path) : error);
    });
}

void TablePanel::copyTable()
{
    QGuiApplication::clipboard()->setText(tableText(*m_model));
    emit message(QStringLiteral("Copied “%1” to the clipboard").arg(title()));
}

void TablePanel::showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    QMenu menu(this);
    if (index.isValid()) {
        const QString term = termAt(index);
        if (!term.isEmpty()) {
            menu.addAction(QStringLiteral("Filter on “%1”").arg(term),
                           [this, term] { emit drillRequested(term, DrillAction::Narrow); });
            menu.addAction(QStringLiteral("Exclude “%1”").arg(term),
                           [this, term] { emit drillRequested(term, DrillAction::Exclude); });
            menu.addAction(QStringLiteral("Show flows"),
                           [this, term] { emit drillRequested(term, DrillAction::ShowFlows); });
            menu.addSeparator();
        }
        const QString value = index.data(Qt::DisplayRole).toString();
        menu.addAction(QStringLiteral("Copy value"),
                       [value] { QGuiApplication::clipboard()->setText(value); });
        const QList<int> rows = [&] {
            QList<int> r;
            for (const QModelIndex& i : m_view->selectionModel()->selectedRows())
                r << i.row();
            if (r.isEmpty())
                r << index.row();
            return r;
        }();
        menu.addAction(QStringLiteral("Copy rows"),
                       [this, rows] { QGuiApplication::clipboard()->setText(tableText(*m_model, rows)); });
    }
    menu.addAction(QStringLiteral("Copy table"), this, &TablePanel::copyTable);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace flowlens::ui
