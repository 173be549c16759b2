#include "ui_test_data.h"

#include "ui/export/headless_export.h"
#include "ui/export/image_export.h"
#include "ui/export/table_export.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/bar_chart.h"
#include "ui/widgets/chart_panel.h"

#include "support/test_paths.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;

namespace {

struct Checked
{
    bool ok = false;
    QString why;
};

/// Validates an exported file's bytes: format, size in pixels (PNG/SVG) or points (PDF).
Checked checkExport(const QByteArray& bytes, ui::ExportFormat format, QSize size, int dpi)
{
    switch (format) {
    case ui::ExportFormat::Png: {
        QImage image;
        if (!image.loadFromData(bytes, "PNG"))
            return {false, QStringLiteral("not a PNG")};
        if (image.size() != size)
            return {false, QStringLiteral("PNG is %1x%2").arg(image.width()).arg(image.height())};
        if (qAbs(image.dotsPerMeterX() - qRound(dpi / 0.0254)) > 1)
            return {false, QStringLiteral("PNG resolution %1 dpm").arg(image.dotsPerMeterX())};
        // Something was drawn: many colours, not a blank page.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        if (colours.size() < 20)
            return {false, QStringLiteral("PNG looks blank (%1 colours)").arg(colours.size())};
        return {true, {}};
    }
    case ui::ExportFormat::Svg: {
        QSvgRenderer svg(bytes);
        if (!svg.isValid())
            return {false, QStringLiteral("not a valid SVG")};
        if (svg.viewBox() != QRect(QPoint(0, 0), size))
            return {
                false,
                QStringLiteral("SVG viewBox %1x%2").arg(svg.viewBox().width()).arg(svg.viewBox().height())};
        if (!bytes.contains("<path") && !bytes.contains("<polyline") && !bytes.contains("<text"))
            return {false, QStringLiteral("SVG has no vector content")};
        return {true, {}};
    }
    case ui::ExportFormat::Pdf: {
        if (!bytes.startsWith("%PDF-"))
            return {false, QStringLiteral("not a PDF")};
        const QRegularExpression box(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"));
        const auto m = box.match(QString::fromLatin1(bytes));
        if (!m.hasMatch())
            return {false, QStringLiteral("PDF without a MediaBox")};
        const double w = m.captured(1).toDouble(), h = m.captured(2).toDouble();
        if (qAbs(w - size.width() * 72.0 / dpi) > 1 || qAbs(h - size.height() * 72.0 / dpi) > 1)
            return {false, QStringLiteral("PDF page %1 x %2 pt").arg(w).arg(h)};
        if (!bytes.contains("%%EOF"))
            return {false, QStringLiteral("PDF is truncated")};
        return {true, {}};
    }
    }
    return {false, QStringLiteral("unknown format")};
}

query::TopResult sampleTop()
{
    query::TopResult r;
    for (int i = 0; i < 6; ++i) {
        query::TopEntry e;
        store::RollupKey keys[2];
        decode::FlowRecord f;
        f.src_addr = v4(0x0a000001u + std::uint32_t(i));
        store::rollupKeys(store::Dimension::Src, f, keys);
        e.key = keys[0];
        e.counters.flows = std::uint64_t(100 - i * 10);
        e.counters.packets = e.counters.flows * 10;
        e.counters.bytes = std::uint64_t(1'000'000) * std::uint64_t(6 - i);
        e.counters.scaledPackets = e.counters.packets;
        e.counters.scaledBytes = e.counters.bytes;
        r.total.add(e.counters);
        r.rows.push_back(e);
    }
    r.keys = 6;
    return r;
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir);
        m_db = m_dir.filePath(QStringLiteral("export.db"));
        QCOMPARE(writeUiDatabase(m_db, uiDataset()), QString());
    }

    void chartExportHasAskedSize_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<int>("dpi");
        for (auto [f, name] :
             {std::pair{ui::ExportFormat::Png, "png"}, std::pair{ui::ExportFormat::Svg, "svg"},
              std::pair{ui::ExportFormat::Pdf, "pdf"}}) {
            QTest::newRow(QByteArray(QByteArray(name) + " 800x500@96").constData())
                << int(f) << QSize(800, 500) << 96;
            QTest::newRow(QByteArray(QByteArray(name) + " 1600x900@192").constData())
                << int(f) << QSize(1600, 900) << 192;
            QTest::newRow(QByteArray(QByteArray(name) + " 2400x1200@300").constData())
                << int(f) << QSize(2400, 1200) << 300;
        }
    }

    void chartExportHasAskedSize()
    {
        QFETCH(int, format);
        QFETCH(QSize, size);
        QFETCH(int, dpi);
        auto* chart = new ui::BarChart;
        ui::ChartPanel panel(QStringLiteral("Top sources"), chart);
        panel.resize(700, 420);
        panel.show();
        const auto top = sampleTop();
        chart->setEntries(store::Dimension::Src, top.rows, ui::MetricKind::Bytes, false, 60);
        panel.setSubtitle(QStringLiteral("MB · sampling-scaled"));
        panel.setViewDetails(
            {QStringLiteral("Time: 2027-01-15 08:00:00 – 08:10:00"), QStringLiteral("Filter: proto tcp")});
        ui::ExportOptions o;
        o.format = ui::ExportFormat(format);
        o.size = size;
        o.dpi = dpi;
        const QByteArray bytes = panel.render(o);
        const Checked c = checkExport(bytes, o.format, size, dpi);
        QVERIFY2(c.ok, qPrintable(c.why));
        // The chart on screen keeps its own size after the export laid it out for the page.
        QCOMPARE(chart->chart()->size().toSize(), chart->viewport()->size());
    }

    void captionIsWrittenOnTheImage()
    {
        auto* chart = new ui::BarChart;
        ui::ChartPanel panel(QStringLiteral("Top destinations"), chart);
        panel.resize(600, 400);
        chart->setEntries(store::Dimension::Src, sampleTop().rows, ui::MetricKind::Bytes, false, 60);
        panel.setSubtitle(QStringLiteral("MB · sampling-scaled"));
        panel.setViewDetails({QStringLiteral("Time: 2027-01-15 08:00:00 – 08:10:00"),
                              QStringLiteral("Filter: proto tcp and dst port 443")});
        ui::ExportOptions o;
        o.format = ui::ExportFormat::Svg;
        o.size = QSize(900, 600);
        const QByteArray svg = panel.render(o);
        // Text is kept as text in SVG: title, range, filter and units are all on the image.
        for (const char* text :
             {"Top destinations", "Time: 2027-01-15 08:00:00", "Filter: proto tcp and dst port 443",
              "Values: MB · sampling-scaled", "10.0.0.1"})
            QVERIFY2(svg.contains(QByteArray(text)), text);
    }

    void copyPutsTheImageOnTheClipboard()
    {
        auto* chart = new ui::BarChart;
        ui::ChartPanel panel(QStringLiteral("Top sources"), chart);
        panel.resize(640, 400);
        chart->setEntries(store::Dimension::Src, sampleTop().rows, ui::MetricKind::Bytes, false, 60);
        panel.copyToClipboard();
        const QImage image = QGuiApplication::clipboard()->image();
        QCOMPARE(image.size(), panel.defaultExportSize());
    }

    void tableCsvHasRawValues()
    {
        ui::TopTableModel model(store::Dimension::Src);
        model.setResult(sampleTop(), ui::MetricKind::Bytes, false, 60);
        const QList<QByteArray> lines = ui::tableCsv(model).split('\n');
        QCOMPARE(lines[0], QByteArray("rank,src,bytes,share,flows,packets_scaled,bytes_scaled"));
        QCOMPARE(lines[1], QByteArray("1,10.0.0.1,6000000,0.285714285714,100,1000,6000000"));
        QCOMPARE(lines.size(), 8); // header, 6 rows, empty tail
        // Copy gives the formatted text instead.
        QVERIFY(ui::tableText(model).contains(QStringLiteral("6.00 MB")));
    }

    void headlessExportRendersEveryDashboard_data()
    {
        QTest::addColumn<QString>("dashboard");
        QTest::addColumn<QString>("suffix");
        for (const QString& d : ui::headlessDashboards())
            for (const char* s : {"png", "svg", "pdf"})
                QTest::newRow(QStringLiteral("%1.%2").arg(d, QLatin1String(s)).toLatin1().constData())
                    << d << QString::fromLatin1(s);
    }

    void headlessExportRendersEveryDashboard()
    {
        QFETCH(QString, dashboard);
        QFETCH(QString, suffix);
        ui::HeadlessExportOptions o;
        o.databasePath = m_db;
        o.dashboard = dashboard;
        o.output = m_dir.filePath(QStringLiteral("%1.%2").arg(dashboard, suffix));
        o.width = 1400;
        o.height = 900;
        o.filter = QStringLiteral("not proto icmp");
        QCOMPARE(ui::runHeadlessExport(o), 0);
        ui::ExportFormat format;
        QVERIFY(ui::exportFormatForPath(o.output, &format));
        const QByteArray bytes = readFile(o.output);
        const Checked c = checkExport(bytes, format, QSize(1400, 900), 96);
        QVERIFY2(c.ok, qPrintable(c.why));
        if (format == ui::ExportFormat::Svg) {
            QVERIFY(bytes.contains("Filter: not proto icmp"));
            if (dashboard == QLatin1String("geography"))
                QVERIFY(bytes.contains("GeoIP")); // the test data has none: the map says how to add it

            if (dashboard == QLatin1String("talkers"))
                QVERIFY(bytes.contains("10.1.0.9")); // the top source is on the page
        }
    }

    void headlessExportRefusesBadArguments_data()
    {
        QTest::addColumn<QString>("dashboard");
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("since");
        QTest::addColumn<bool>("missingDb");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("unknown dashboard")
            << QStringLiteral("maps") << QStringLiteral("a.png") << QString() << QString() << false << 2;
        QTest::newRow("unknown format")
            << QStringLiteral("overview") << QStringLiteral("a.jpg") << QString() << QString() << false << 2;
        QTest::newRow("bad filter") << QStringLiteral("overview") << QStringLiteral("a.png")
                                    << QStringLiteral("proto tcp and") << QString() << false << 2;
        QTest::newRow("bad time") << QStringLiteral("overview") << QStringLiteral("a.png") << QString()
                                  << QStringLiteral("yesterday-ish") << false << 2;
        QTest::newRow("missing database")
            << QStringLiteral("overview") << QStringLiteral("a.png") << QString() << QString() << true << 1;
    }

    void headlessExportRefusesBadArguments()
    {
        QFETCH(QString, dashboard);
        QFETCH(QString, output);
        QFETCH(QString, filter);
        QFETCH(QString, since);
        QFETCH(bool, missingDb);
        QFETCH(int, exitCode);
        ui::HeadlessExportOptions o;
        o.databasePath = missingDb ? m_dir.filePath(QStringLiteral("nope.db")) : m_db;
        o.dashboard = dashboard;
        o.output = m_dir.filePath(output);
        o.filter = filter;
        o.since = since;
        QCOMPARE(ui::runHeadlessExport(o), exitCode);
        QVERIFY(!QFile::exists(o.output));
    }

    void theBinaryExportsWithoutADisplay()
    {
        const QString binary = binaryDir() + QStringLiteral("/app/flowlens");
        if (!QFile::exists(binary))
            QSKIP("the flowlens binary is not built in this tree");
        const QString out = m_dir.filePath(QStringLiteral("cli.png"));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.path());
        p.setProcessEnvironment(env);
        p.start(binary,
                {QStringLiteral("--db"), m_db, QStringLiteral("--export"), QStringLiteral("ports"),
                 QStringLiteral("--out"), out, QStringLiteral("--since"), QStringLiteral("1800000060"),
                 QStringLiteral("--until"), QStringLiteral("1800000300"), QStringLiteral("--filter"),
                 QStringLiteral("proto tcp"), QStringLiteral("--width"), QStringLiteral("1000"),
                 QStringLiteral("--height"), QStringLiteral("700")});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 p.readAllStandardError().constData());
        const Checked c = checkExport(readFile(out), ui::ExportFormat::Png, QSize(1000, 700), 96);
        QVERIFY2(c.ok, qPrintable(c.why));

        QProcess bad;
        bad.setProcessEnvironment(env);
        bad.start(binary, {QStringLiteral("--db"), m_db, QStringLiteral("--export"),
                           QStringLiteral("overview"), QStringLiteral("--out"), out,
                           QStringLiteral("--filter"), QStringLiteral("src ip 10.0.0.300")});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("column 8"));
    }
};

QTEST_MAIN(TestExport)
#include "tst_export.moc"
