#pragma once

#include <functional>

#include <QByteArray>
#include <QImage>
#include <QSize>
#include <QString>
#include <QStringList>

class QPainter;
class QPalette;
class QRectF;
class QWidget;

namespace flowlens::ui {

class ChartView;

enum class ExportFormat
{
    Png,
    Svg,
    Pdf,
};

/// Size in pixels and resolution. Content is laid out on a 96 dpi canvas of size * 96 / dpi and
/// scaled up, so a higher DPI gives the same picture with finer detail (and, for PDF, a page of
/// size / dpi inches).
struct ExportOptions
{
    ExportFormat format = ExportFormat::Png;
    QSize size{1200, 700};
    int dpi = 96;
};

/// What an exported image says about itself: written above the content.
struct ExportCaption
{
    QString title;
    QStringList details; ///< "Time: …", "Filter: …", "Values: bytes · sampling-scaled", …
};

/// Paints the content into `area` (logical 96 dpi pixels).
using ContentPainter = std::function<void(QPainter& painter, const QRectF& area)>;

/// Format from a file suffix (.png, .svg, .pdf); false when unknown.
bool exportFormatForPath(const QString& path, ExportFormat* format);
QString exportFormatSuffix(ExportFormat format);

/// Renders caption + content to the bytes of a PNG, SVG or PDF file. Runs on the GUI thread (it
/// paints widgets); writing the bytes to disk is left to the caller (see saveInBackground).
QByteArray renderExport(const ExportOptions& options, const ExportCaption& caption,
                        const ContentPainter& content, const QPalette& palette);
/// The same as an image (for the clipboard).
QImage renderExportImage(const ExportOptions& options, const ExportCaption& caption,
                         const ContentPainter& content, const QPalette& palette);

/// Paints a chart at the size of the area (the chart is laid out again for it, then restored).
ContentPainter chartPainter(ChartView* chart);
/// Paints a widget (a whole dashboard) scaled to fit the area.
ContentPainter widgetPainter(QWidget* widget);

} // namespace flowlens::ui
