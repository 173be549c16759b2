#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace flowlens::ui {

ExportDialog::ExportDialog(const QString& title, const QString& suggestedPath, const QSize& suggestedSize,
                           QWidget* parent)
    : QDialog(parent)
    , m_path(new QLineEdit(suggestedPath, this))
    , m_format(new QComboBox(this))
    , m_width(new QSpinBox(this))
    , m_height(new QSpinBox(this))
    , m_dpi(new QComboBox(this))
{
    setWindowTitle(QStringLiteral("Export %1").arg(title));
    m_format->addItem(QStringLiteral("PNG image"), int(ExportFormat::Png));
    m_format->addItem(QStringLiteral("SVG vector image"), int(ExportFormat::Svg));
    m_format->addItem(QStringLiteral("PDF document"), int(ExportFormat::Pdf));
    ExportFormat f = ExportFormat::Png;
    if (exportFormatForPath(suggestedPath, &f))
        m_format->setCurrentIndex(m_format->findData(int(f)));
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(100, 10000);
        box->setSuffix(QStringLiteral(" px"));
    }
    m_width->setValue(suggestedSize.width());
    m_height->setValue(suggestedSize.height());
    for (int dpi : {72, 96, 150, 200, 300, 600})
        m_dpi->addItem(QStringLiteral("%1 dpi").arg(dpi), dpi);
    m_dpi->setCurrentIndex(1);

    auto* browse = new QPushButton(QStringLiteral("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* size = new QHBoxLayout;
    size->addWidget(m_width);
    size->addWidget(new QLabel(QStringLiteral("×"), this));
    size->addWidget(m_height);
    auto* form = new QFormLayout(this);
    form->addRow(QStringLiteral("File:"), pathRow);
    form->addRow(QStringLiteral("Format:"), m_format);
    form->addRow(QStringLiteral("Size:"), size);
    form->addRow(QStringLiteral("Resolution:"), m_dpi);
    auto* hint = new QLabel(QStringLiteral("Higher resolution draws the same picture with finer detail "
                                           "(larger text in pixels); a PDF page is size ÷ dpi inches."),
                            this);
    hint->setWordWrap(true);
    form->addRow(hint);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::syncSuffix);
}

void ExportDialog::syncSuffix()
{
    const QString suffix = exportFormatSuffix(ExportFormat(m_format->currentData().toInt()));
    QFileInfo info(m_path->text());
    if (!m_path->text().isEmpty())
        m_path->setText(info.path() + QLatin1Char('/') + info.completeBaseName() + QLatin1Char('.') + suffix);
}

void ExportDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(this, windowTitle(), m_path->text(),
                                                      QStringLiteral("Images (*.png *.svg *.pdf)"));
    if (path.isEmpty())
        return;
    m_path->setText(path);
    ExportFormat f;
    if (exportFormatForPath(path, &f))
        m_format->setCurrentIndex(m_format->findData(int(f)));
}

ExportOptions ExportDialog::options() const
{
    ExportOptions o;
    o.format = ExportFormat(m_format->currentData().toInt());
    o.size = QSize(m_width->value(), m_height->value());
    o.dpi = m_dpi->currentData().toInt();
    return o;
}

QString ExportDialog::path() const
{
    return m_path->text();
}

} // namespace flowlens::ui
