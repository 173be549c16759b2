#pragma once

#include <QList>
#include <QString>

namespace flowlens {

/// A library FlowLens uses, with the version it reports at run time (what a bug report needs).
struct LibraryVersion
{
    QString name;
    QString version;
};

/// What this binary is: for `--version`, the About dialog and bug reports.
struct BuildInfo
{
    QString version;        ///< project version, e.g. "0.1.0"
    QString gitDescribe;    ///< `git describe --tags --always --dirty` when built; empty outside a checkout
    QString buildDate;      ///< YYYY-MM-DD (UTC; SOURCE_DATE_EPOCH when set)
    QString compiler;       ///< e.g. "GCC 12.2.0"
    QString qtBuildVersion; ///< the Qt version compiled against (the run-time one is in libraries)
    QList<LibraryVersion> libraries; ///< Qt, SQLite, zstd, libpcap, libmaxminddb as loaded at run time

    /// Gathers the values; cheap, callable from any thread.
    static BuildInfo current();
    /// "git c78c132, built 2026-11-28 with GCC 12.2.0"
    QString buildLine() const;
    /// "Qt 6.4.2, SQLite 3.40.1, zstd 1.5.4, libpcap 1.10.3, libmaxminddb 1.7.1"
    QString librariesLine() const;
};

} // namespace flowlens
