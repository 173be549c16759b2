#pragma once

#include "core/enrich/enricher.h"
#include "core/util/result.h"

#include <optional>

#include <QCommandLineOption>
#include <QCommandLineParser>

namespace flowlens::cli {

/// --geoip / --networks / --no-geoip of `collect` and `import`.
struct GeoOptions
{
    QCommandLineOption geoip{QStringLiteral("geoip"),
                             QStringLiteral("GeoIP database (.mmdb: MaxMind City/Country/ASN or DB-IP city), "
                                            "repeatable. Databases in /usr/share/GeoIP, /var/lib/GeoIP and "
                                            "FlowLens's data folder are used as well."),
                             QStringLiteral("FILE")};
    QCommandLineOption networks{QStringLiteral("networks"),
                                QStringLiteral("User-defined networks, one CIDR,NAME[,ROLE[,SITE]] a line "
                                               "(e.g. 10.20.0.0/24,lab-servers)."),
                                QStringLiteral("FILE")};
    QCommandLineOption noGeoip{
        QStringLiteral("no-geoip"),
        QStringLiteral("Do not enrich flows (no GeoIP, address classes or networks).")};

    void addTo(QCommandLineParser& p) const { p.addOptions({geoip, networks, noGeoip}); }
    /// The enrichment configuration, or nothing with --no-geoip.
    std::optional<enrich::EnrichConfig> read(const QCommandLineParser& p) const;
};

/// Opens what `config` names (to fail early with a clear message) and prints the databases used
/// and the DB-IP attribution when a DB-IP database is among them.
Result<void> reportEnrichment(const enrich::EnrichConfig& config, const QString& command);

} // namespace flowlens::cli
