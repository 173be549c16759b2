#pragma once

#include "core/collect/collector.h"
#include "core/forward/forward_config.h"

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

    /// The Forwarding page: what a user sets of forward::ForwardConfig (the rest keeps its defaults).
    struct ForwardSettings
    {
        bool enabled = false;
        QString url = QStringLiteral("http://localhost:5080");
        QString org = QStringLiteral("default");
        QString stream = QStringLiteral("netflow1");
        QString user;
        /// Runtime only: save() never writes it; it lives in the SecretStore (keychain or 0600 file).
        QString secret;
        bool gzip = false;
        int batchRecords = 5000;
        bool verifyTls = true;
        QString caFile;
        int ingestWindowHours = 5; ///< OpenObserve's ZO_INGEST_ALLOWED_UPTO
        forward::ExpiredPolicy expiredPolicy = forward::ExpiredPolicy::Skip;
        forward::StartPosition startAt = forward::StartPosition::End;
        friend bool operator==(const ForwardSettings&, const ForwardSettings&) = default;

        forward::ForwardConfig config() const;
        /// ForwardConfig::validate() of config(), as a sentence for the dialog; empty when fine.
        QString problem() const;
    };

    QStringList endpoints; ///< "ADDR:PORT"; empty = the defaults (2055, 4739, 6343 on 0.0.0.0 and [::])
    QString databasePath;  ///< empty = defaultDatabasePath()
    int retentionDays = 0; ///< 0 = keep everything
    int maxSizeMb = 0;     ///< 0 = no bound
    QList<SamplingOverrideSetting> samplingOverrides;
    QStringList allow;      ///< exporter networks (CIDR or address) allowed to send; empty = any
    bool geoip = true;      ///< enrich flows (GeoIP, address classes, networks) while collecting
    QStringList geoipPaths; ///< .mmdb files besides those found in the usual folders
    QString networksPath;   ///< user networks file (CIDR,NAME[,ROLE[,SITE]] lines); empty = none
    ForwardSettings forward;

    friend bool operator==(const AppSettings&, const AppSettings&) = default;

    /// Everything but the forwarding secret, which never goes into QSettings (see SecretStore).
    static AppSettings load(QSettings& settings);
    void save(QSettings& settings) const;

    /// Problems a user can fix in the dialog (syntax, ranges, privileged ports); empty when fine.
    /// No file or network access: binding and writing are checked when the collector restarts.
    QStringList validate() const;

    QString effectiveDatabasePath() const;
    static QString defaultDatabasePath();
    /// With `forward` when forwarding is enabled (its secret included).
    collect::CollectorConfig collectorConfig() const;
    std::vector<collect::SamplingOverride> overrides() const;
};

} // namespace flowlens::ui
