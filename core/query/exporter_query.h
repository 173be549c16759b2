#pragma once

#include "core/decode/exporter_stats.h"
#include "core/util/result.h"

#include <cstdint>
#include <utility>
#include <vector>

#include <QString>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

/// Health of one exporter stream (exporter endpoint + observation domain), as the Exporters view
/// shows it. Read from the database's exporter table or taken from a live collector snapshot.
struct ExporterInfo
{
    QString endpoint; ///< "192.0.2.1:2055"
    QString address;  ///< "192.0.2.1" (the sampler_address of its flows)
    std::uint32_t domain = 0;
    QString type; ///< "NETFLOW_V9", "IPFIX", ...
    int version = 0;
    std::uint64_t firstSeenNs = 0;
    std::uint64_t lastSeenNs = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;
    std::uint64_t flows = 0;
    std::uint64_t samplingRate = 0;
    std::uint64_t sequenceLost = 0;
    std::uint64_t sequenceExpected = 0;
    std::uint64_t sequenceGaps = 0;
    std::uint64_t sequenceResets = 0;
    std::uint64_t templatesActive = 0;
    std::uint64_t templatesLearned = 0;
    std::uint64_t templatesChanged = 0;
    std::uint64_t missingTemplateSets = 0;
    std::uint64_t optionsRecords = 0;
    std::uint64_t anomalies = 0; ///< sum of every anomaly counter
    QString anomalyText;         ///< "name=count, ..." (empty when none)

    double lossPercent() const
    {
        return sequenceExpected ? 100.0 * double(sequenceLost) / double(sequenceExpected) : 0.0;
    }
};

/// Rows of the database's exporter table (written by the collector once a second), ordered by
/// endpoint and domain.
Result<std::vector<ExporterInfo>> readExporters(store::FlowReader& reader);

/// The same rows from a live collector snapshot.
std::vector<ExporterInfo>
exportersFromStats(const std::vector<std::pair<decode::DomainKey, decode::DomainStats>>& stats);

} // namespace flowlens::query
