#pragma once

#include "ui/export/image_export.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace flowlens::ui {

/// Asks where and how to export a chart or dashboard: file, format, size in pixels, DPI.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    ExportDialog(const QString& title, const QString& suggestedPath, const QSize& suggestedSize,
                 QWidget* parent = nullptr);

    ExportOptions options() const;
    QString path() const;

private:
    void browse();
    void syncSuffix();

    QLineEdit* m_path;
    QComboBox* m_format;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QComboBox* m_dpi;
};

} // namespace flowlens::ui
