#pragma once

#include <QString>

namespace flowlens::ui {

/// `flowlens --db FILE --export DASHBOARD --out FILE.png|.svg|.pdf [...]`: renders one dashboard
/// without a display and writes it. Exit codes as flowlens-cli: 0 written, 1 the database could
/// not be read or the file not written, 2 bad arguments.
struct HeadlessExportOptions
{
    QString databasePath;
    QString dashboard; ///< overview, talkers, ports, geography, flows, exporters
    QString output;
    QString since; ///< time_spec text; empty = oldest stored flow
    QString until; ///< empty = newest stored flow
    QString filter;
    QString metric = QStringLiteral("bytes");
    int width = 1600;
    int height = 1000;
    int dpi = 96;
    bool raw = false;
};

/// The dashboard names --export accepts.
QStringList headlessDashboards();

/// Runs the export (QApplication must exist; the offscreen platform is used when there is no
/// display). Messages go to stderr.
int runHeadlessExport(const HeadlessExportOptions& options);

} // namespace flowlens::ui
