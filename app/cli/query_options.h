#pragma once

#include "core/query/filter.h"

#include <cstdint>

#include <QCommandLineOption>
#include <QCommandLineParser>

namespace flowlens::cli {

/// --db, --since, --until, --filter shared by the query commands.
struct QueryOptions
{
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("Database file."), QStringLiteral("FILE")};
    QCommandLineOption since{QStringLiteral("since"),
                             QStringLiteral("Only flows received at or after T (ISO 8601, unix seconds, or "
                                            "relative: -1h, 15m ago)."),
                             QStringLiteral("T")};
    QCommandLineOption until{QStringLiteral("until"), QStringLiteral("Only flows received before T."),
                             QStringLiteral("T")};
    QCommandLineOption filter{QStringLiteral("filter"),
                              QStringLiteral("nfdump-like filter, e.g. \"proto tcp and dst port 443\"."),
                              QStringLiteral("EXPR")};
    QCommandLineOption format;

    explicit QueryOptions(const QString& formats, const QString& defaultFormat);
    void addTo(QCommandLineParser& p) const;

    /// Values after parsing; returns an exit code on error (message printed), -1 when fine.
    int read(const QCommandLineParser& p, const QString& command);
    QString dbPath;
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX;
    query::Filter parsedFilter;
    QString formatValue;
    QString formats;
};

} // namespace flowlens::cli
