#include "geo_options.h"

#include "cli_common.h"

#include <QDateTime>

namespace flowlens::cli {

std::optional<enrich::EnrichConfig> GeoOptions::read(const QCommandLineParser& p) const
{
    if (p.isSet(noGeoip))
        return std::nullopt;
    enrich::EnrichConfig config;
    config.geoipPaths = p.values(geoip);
    config.networksPath = p.value(networks);
    return config;
}

Result<void> reportEnrichment(const enrich::EnrichConfig& config, const QString& command)
{
    auto enricher = enrich::Enricher::create(config);
    if (!enricher)
        return fail(enricher.error());
    for (const QString& w : (*enricher)->warnings())
        printErr(QStringLiteral("flowlens-cli %1: warning: %2\n").arg(command, w));
    for (const auto& db : (*enricher)->databases())
        printErr(QStringLiteral("GeoIP: %1 (%2, %3 data, built %4)\n")
                     .arg(db.path, db.databaseType, QString::fromLatin1(enrich::geoDatabaseKindName(db.kind)),
                          QDateTime::fromSecsSinceEpoch(db.buildEpoch, Qt::UTC)
                              .toString(QStringLiteral("yyyy-MM-dd"))));
    if (!(*enricher)->networks().empty())
        printErr(QStringLiteral("networks: %1 from %2\n")
                     .arg((*enricher)->networks().networks().size())
                     .arg(config.networksPath));
    if ((*enricher)->usesDbIp())
        printErr(QString::fromLatin1(enrich::kDbIpAttribution) + QStringLiteral(" (https://db-ip.com)\n"));
    return {};
}

} // namespace flowlens::cli
