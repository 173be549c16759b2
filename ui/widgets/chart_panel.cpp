#include "chart_panel.h"

#include "chart_view.h"

#include "ui/dialogs/export_dialog.h"
#include "ui/export/file_saver.h"

#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QMenu>
#include <QPointer>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

QString suggestedPath(const QString& title, ExportFormat format)
{
    QString base = title.toLower();
    base.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() : dir)
        .filePath(QStringLiteral("flowlens-%1.%2").arg(base, exportFormatSuffix(format)));
}

} // namespace

ChartPanel::ChartPanel(const QString& title, ChartView* chart, QWidget* parent)
    : Panel(title, parent)
    , m_chart(chart)
{
    m_chart->setParent(this);
    contentLayout()->addWidget(m_chart, 1);
    menu()->addAction(QStringLiteral("Save as PNG…"), this, [this] { saveAs(ExportFormat::Png); });
    menu()->addAction(QStringLiteral("Save as SVG…"), this, [this] { saveAs(ExportFormat::Svg); });
    menu()->addAction(QStringLiteral("Save as PDF…"), this, [this] { saveAs(ExportFormat::Pdf); });
    menu()->addAction(QStringLiteral("Export with size and resolution…"), this,
                      &ChartPanel::exportWithOptions);
    menu()->addSeparator();
    menu()->addAction(QStringLiteral("Copy image"), this, &ChartPanel::copyToClipboard);
}

ExportCaption ChartPanel::caption() const
{
    ExportCaption c;
    c.title = title();
    c.details = viewDetails();
    if (!subtitle().isEmpty())
        c.details << QStringLiteral("Values: ") + subtitle();
    return c;
}

QSize ChartPanel::defaultExportSize() const
{
    const QSize s = m_chart->size();
    return QSize(std::max(600, s.width()), std::max(350, s.height()) + 90);
}

QByteArray ChartPanel::render(const ExportOptions& options) const
{
    return renderExport(options, caption(), chartPainter(m_chart), palette());
}

void ChartPanel::exportTo(const QString& path, const ExportOptions& options)
{
    const QByteArray bytes = render(options);
    QPointer<ChartPanel> self(this);
    saveInBackground(path, bytes, this, [self, path](const QString& error) {
        if (self)
            emit self->message(error.isEmpty() ? QStringLiteral("Saved %1").arg(path) : error);
    });
}

void ChartPanel::copyToClipboard()
{
    ExportOptions o;
    o.size = defaultExportSize();
    QGuiApplication::clipboard()->setImage(renderExportImage(o, caption(), chartPainter(m_chart), palette()));
    emit message(QStringLiteral("Copied “%1” to the clipboard").arg(title()));
}

void ChartPanel::saveAs(ExportFormat format)
{
    const QString suffix = exportFormatSuffix(format);
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Save %1").arg(title()), suggestedPath(title(), format),
        QStringLiteral("%1 (*.%2)").arg(suffix.toUpper(), suffix));
    if (path.isEmpty())
        return;
    ExportOptions o;
    o.format = format;
    o.size = defaultExportSize();
    exportTo(path, o);
}

void ChartPanel::exportWithOptions()
{
    auto* dialog =
        new ExportDialog(title(), suggestedPath(title(), ExportFormat::Png), defaultExportSize(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (!dialog->path().isEmpty())
            exportTo(dialog->path(), dialog->options());
    });
    dialog->open();
}

} // namespace flowlens::ui
