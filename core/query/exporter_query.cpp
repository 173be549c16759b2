#include "exporter_query.h"

#include "core/store/flow_reader.h"
#include "core/store/sqlite_db.h"

#include <algorithm>

#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::query {

Result<std::vector<ExporterInfo>> readExporters(store::FlowReader& reader)
{
    auto st = reader.database().prepare(
        "SELECT exporter, domain, address, type, version, first_seen_ns, last_seen_ns, datagrams, bytes, "
        "flows, sampling_rate, sequence_lost, sequence_expected, detail FROM exporters ORDER BY exporter, "
        "domain");
    if (!st)
        return fail(st.error());
    std::vector<ExporterInfo> rows;
    while (st->step()) {
        ExporterInfo e;
        e.endpoint = st->columnText(0);
        e.domain = std::uint32_t(st->columnInt(1));
        e.address = st->columnText(2);
        e.type = st->columnText(3);
        e.version = int(st->columnInt(4));
        e.firstSeenNs = std::uint64_t(st->columnInt(5));
        e.lastSeenNs = std::uint64_t(st->columnInt(6));
        e.datagrams = std::uint64_t(st->columnInt(7));
        e.bytes = std::uint64_t(st->columnInt(8));
        e.flows = std::uint64_t(st->columnInt(9));
        e.samplingRate = std::uint64_t(st->columnInt(10));
        e.sequenceLost = std::uint64_t(st->columnInt(11));
        e.sequenceExpected = std::uint64_t(st->columnInt(12));
        const QJsonObject detail = QJsonDocument::fromJson(st->columnText(13).toUtf8()).object();
        auto num = [&](const char* name) {
            return std::uint64_t(detail.value(QLatin1String(name)).toInteger());
        };
        e.templatesActive = num("templates_active");
        e.templatesLearned = num("templates_learned");
        e.templatesChanged = num("templates_changed");
        e.missingTemplateSets = num("missing_template_sets");
        e.optionsRecords = num("options_records");
        e.sequenceGaps = num("sequence_gaps");
        e.sequenceResets = num("sequence_resets");
        const QJsonObject anomalies = detail.value(QLatin1String("anomalies")).toObject();
        QStringList parts;
        for (auto it = anomalies.begin(); it != anomalies.end(); ++it) {
            const auto n = std::uint64_t(it.value().toInteger());
            e.anomalies += n;
            parts << QStringLiteral("%1=%2").arg(it.key()).arg(n);
        }
        e.anomalyText = parts.join(QStringLiteral(", "));
        rows.push_back(std::move(e));
    }
    if (st->hasError())
        return fail(st->error());
    return rows;
}

std::vector<ExporterInfo>
exportersFromStats(const std::vector<std::pair<decode::DomainKey, decode::DomainStats>>& stats)
{
    std::vector<ExporterInfo> rows;
    rows.reserve(stats.size());
    for (const auto& [key, s] : stats) {
        ExporterInfo e;
        e.endpoint = QString::fromStdString(key.exporter.toString());
        e.address = QString::fromStdString(key.exporter.address.toString());
        e.domain = key.domain;
        e.type = QString::fromLatin1(decode::flowTypeName(s.type));
        e.version = s.version;
        e.firstSeenNs = s.firstSeenNs;
        e.lastSeenNs = s.lastSeenNs;
        e.datagrams = s.datagrams;
        e.bytes = s.bytes;
        e.flows = s.flows;
        e.samplingRate = s.samplingRate;
        e.sequenceLost = s.sequenceLost;
        e.sequenceExpected = s.sequenceExpected;
        e.sequenceGaps = s.sequenceGaps;
        e.sequenceResets = s.sequenceResets;
        e.templatesActive = s.templatesActive;
        e.templatesLearned = s.templatesLearned;
        e.templatesChanged = s.templatesChanged;
        e.missingTemplateSets = s.missingTemplateSets;
        e.optionsRecords = s.optionsRecords;
        QStringList parts;
        for (int a = 0; a < decode::kAnomalyCount; ++a) {
            const std::uint64_t n = s.anomalies[std::size_t(a)];
            if (!n)
                continue;
            e.anomalies += n;
            parts << QStringLiteral("%1=%2")
                         .arg(QString::fromLatin1(decode::anomalyName(decode::Anomaly(a))))
                         .arg(n);
        }
        e.anomalyText = parts.join(QStringLiteral(", "));
        rows.push_back(std::move(e));
    }
    std::sort(rows.begin(), rows.end(), [](const ExporterInfo& a, const ExporterInfo& b) {
        return a.endpoint != b.endpoint ? a.endpoint < b.endpoint : a.domain < b.domain;
    });
    return rows;
}

} // namespace flowlens::query
