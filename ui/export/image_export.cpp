#include "image_export.h"

#include "ui/widgets/chart_view.h"

#include <algorithm>
#include <cmath>

#include <QBuffer>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QPageSize>
#include <QPainter>
#include <QPalette>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextLayout>

namespace flowlens::ui {

namespace {

constexpr double kBaseDpi = 96.0;

/// Draws the caption at the top of `canvas` and returns the rectangle left for the content.
QRectF paintCaption(QPainter& p, const QRectF& canvas, const ExportCaption& caption, const QPalette& palette)
{
    const double margin = 12;
    double y = canvas.top() + margin;
    const double width = canvas.width() - 2 * margin;
    p.save();
    p.setPen(palette.color(QPalette::Text));
    QFont titleFont = p.font();
    titleFont.setPixelSize(18);
    titleFont.setBold(true);
    p.setFont(titleFont);
    if (!caption.title.isEmpty()) {
        const QRectF r = p.boundingRect(QRectF(canvas.left() + margin, y, width, 1000),
                                        Qt::TextWordWrap | Qt::AlignLeft, caption.title);
        p.drawText(r, Qt::TextWordWrap | Qt::AlignLeft, caption.title);
        y = r.bottom() + 4;
    }
    QFont detailFont = p.font();
    detailFont.setPixelSize(12);
    detailFont.setBold(false);
    p.setFont(detailFont);
    QColor detailColor = palette.color(QPalette::Text);
    detailColor.setAlphaF(0.75);
    p.setPen(detailColor);
    for (const QString& line : caption.details) {
        const QRectF r = p.boundingRect(QRectF(canvas.left() + margin, y, width, 1000),
                                        Qt::TextWordWrap | Qt::AlignLeft, line);
        p.drawText(r, Qt::TextWordWrap | Qt::AlignLeft, line);
        y = r.bottom() + 2;
    }
    p.restore();
    return QRectF(canvas.left() + margin / 2, y + 6, canvas.width() - margin,
                  canvas.bottom() - y - 6 - margin / 2);
}

void paintAll(QPainter& p, const QRectF& canvas, const ExportCaption& caption, const ContentPainter& content,
              const QPalette& palette)
{
    p.fillRect(canvas, palette.color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    const QRectF area = paintCaption(p, canvas, caption, palette);
    if (area.width() > 1 && area.height() > 1 && content) {
        p.save();
        p.setClipRect(area);
        content(p, area);
        p.restore();
    }
}

QImage paintImage(const ExportOptions& options, const ExportCaption& caption, const ContentPainter& content,
                  const QPalette& palette)
{
    const QSize size = options.size.expandedTo(QSize(16, 16));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette.color(QPalette::Base));
    const double scale = std::max(0.25, options.dpi / kBaseDpi);
    {
        QPainter p(&image);
        p.scale(scale, scale);
        paintAll(p, QRectF(0, 0, size.width() / scale, size.height() / scale), caption, content, palette);
    }
    // The resolution is metadata only; set after painting so fonts were resolved at 96 dpi.
    const int dpm = int(std::lround(options.dpi / 0.0254));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    return image;
}

} // namespace

bool exportFormatForPath(const QString& path, ExportFormat* format)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        *format = ExportFormat::Png;
    else if (suffix == QLatin1String("svg"))
        *format = ExportFormat::Svg;
    else if (suffix == QLatin1String("pdf"))
        *format = ExportFormat::Pdf;
    else
        return false;
    return true;
}

QString exportFormatSuffix(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Png:
        return QStringLiteral("png");
    case ExportFormat::Svg:
        return QStringLiteral("svg");
    case ExportFormat::Pdf:
        return QStringLiteral("pdf");
    }
    return {};
}

QImage renderExportImage(const ExportOptions& options, const ExportCaption& caption,
                         const ContentPainter& content, const QPalette& palette)
{
    return paintImage(options, caption, content, palette);
}

QByteArray renderExport(const ExportOptions& options, const ExportCaption& caption,
                        const ContentPainter& content, const QPalette& palette)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QSize size = options.size.expandedTo(QSize(16, 16));
    const double scale = std::max(0.25, options.dpi / kBaseDpi);
    switch (options.format) {
    case ExportFormat::Png: {
        const QImage image = paintImage(options, caption, content, palette);
        image.save(&buffer, "PNG");
        break;
    }
    case ExportFormat::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(int(kBaseDpi));
        // QSvgGenerator writes these verbatim into the XML.
        svg.setTitle(caption.title.toHtmlEscaped());
        svg.setDescription(caption.details.join(QLatin1Char('\n')).toHtmlEscaped());
        QPainter p(&svg);
        p.scale(scale, scale);
        paintAll(p, QRectF(0, 0, size.width() / scale, size.height() / scale), caption, content, palette);
        break;
    }
    case ExportFormat::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(caption.title);
        pdf.setCreator(QStringLiteral("FlowLens"));
        // Vector output: 96 dpi device, page of size / dpi inches.
        pdf.setResolution(int(kBaseDpi));
        pdf.setPageSize(
            QPageSize(QSizeF(size.width() * 72.0 / options.dpi, size.height() * 72.0 / options.dpi),
                      QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p(&pdf);
        paintAll(p, QRectF(0, 0, pdf.width(), pdf.height()), caption, content, palette);
        break;
    }
    }
    return bytes;
}

ContentPainter chartPainter(ChartView* view)
{
    return [view](QPainter& p, const QRectF& area) {
        QChart* chart = view->chart();
        const QRectF old = chart->geometry();
        chart->setGeometry(QRectF(QPointF(0, 0), area.size()));
        view->scene()->render(&p, area, QRectF(QPointF(0, 0), area.size()), Qt::KeepAspectRatio);
        chart->setGeometry(old);
    };
}

ContentPainter widgetPainter(QWidget* widget)
{
    return [widget](QPainter& p, const QRectF& area) {
        const QSizeF size = widget->size();
        if (size.isEmpty())
            return;
        const double scale = std::min(area.width() / size.width(), area.height() / size.height());
        p.save();
        p.translate(area.left(), area.top());
        p.scale(scale, scale);
        widget->render(&p, QPoint(0, 0), QRegion(), QWidget::DrawChildren);
        p.restore();
    };
}

} // namespace flowlens::ui
