#pragma once

#include "core/collect/collector.h"

#include <cstdint>

#include <QList>
#include <QString>
#include <QStringList>

class QSettings;

namespace flowlens::ui {

/// What the Settings dialog edits, persisted with QSettings and applied without a restart of the
/// application (the collector restarts with the new endpoints, database or retention).
struct AppSettings
{
    struct SamplingOverrideSetting
    {
        QString exporter; ///< address, e.g. "192.0.2.1"
        quint64 rate = 1;
        bool force = false; ///< replace what the exporter states (else: default when it says nothing)
        friend bool operator==(const SamplingOverrideSetting&, const SamplingOverrideSetting&) = default;
    };

    QStringList endpoints; ///< "ADDR:PORT"; empty = the defaults (2055, 4739, 6343 on 0.0.0.0 and [::])
    QString databasePath;  ///< empty = defaultDatabasePath()
    int retentionDays = 0; ///< 0 = keep everything
    int maxSizeMb = 0;     ///< 0 = no bound
    QList<SamplingOverrideSetting> samplingOverrides;
    bool geoip = true;      ///< enrich flows (GeoIP, address classes, networks) while collecting
    QStringList geoipPaths; ///< .mmdb files besides those found in the usual folders
    QString networksPath;   ///< user networks file (CIDR,NAME[,ROLE[,SITE]] lines); empty = none

    friend bool operator==(const AppSettings&, const AppSettings&) = default;

    static AppSettings load(QSettings& settings);
    void save(QSettings& settings) const;

    /// Problems a user can fix in the dialog (syntax, ranges, privileged ports); empty when fine.
    /// No file or network access: binding and writing are checked when the collector restarts.
    QStringList validate() const;

    QString effectiveDatabasePath() const;
    static QString defaultDatabasePath();
    collect::CollectorConfig collectorConfig() const;
    std::vector<collect::SamplingOverride> overrides() const;
};

} // namespace flowlens::ui
