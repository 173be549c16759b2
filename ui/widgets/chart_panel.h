#pragma once

#include "ui/export/image_export.h"
#include "ui/widgets/panel.h"

namespace flowlens::ui {

class ChartView;

/// A panel holding one chart, exportable as PNG, SVG, PDF or to the clipboard with its title,
/// time range, filter and units written on the image.
class ChartPanel : public Panel
{
    Q_OBJECT

public:
    ChartPanel(const QString& title, ChartView* chart, QWidget* parent = nullptr);

    ChartView* chart() const { return m_chart; }
    ExportCaption caption() const;
    /// Size an export gets by default: what is on screen plus room for the caption.
    QSize defaultExportSize() const;
    QByteArray render(const ExportOptions& options) const;
    /// Renders now and writes the file on a pool thread; reports through message().
    void exportTo(const QString& path, const ExportOptions& options);
    void copyToClipboard();

private:
    void saveAs(ExportFormat format);
    void exportWithOptions();

    ChartView* m_chart;
};

} // namespace flowlens::ui
