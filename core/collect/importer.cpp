#include "importer.h"

#include "pcap_reader.h"

#include "core/store/flow_writer.h"

#include <QFile>
#include <QFileInfo>

namespace flowlens::collect {

namespace {

constexpr std::size_t kAddEvery = 65536;

std::uint32_t be32(const std::byte* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

} // namespace

std::uint64_t headerExportTimeNs(std::span<const std::byte> d)
{
    if (d.size() < 16)
        return 0;
    const unsigned version = (unsigned(d[0]) << 8) | unsigned(d[1]);
    if (version == 5)
        return std::uint64_t(be32(d.data() + 8)) * 1000000000ull + (be32(d.data() + 12) % 1000000000u);
    if (version == 9 && d.size() >= 20)
        return std::uint64_t(be32(d.data() + 8)) * 1000000000ull;
    if (version == 10)
        return std::uint64_t(be32(d.data() + 4)) * 1000000000ull;
    return 0;
}

Result<ImportStats> importFiles(const QStringList& files, bool raw, decode::FlowDecoder& decoder,
                                store::FlowWriter& writer)
{
    ImportStats stats;
    // Templates from earlier imports or collection into the same database carry over.
    if (auto saved = writer.decoderState(QStringLiteral("templates")); saved && !saved->empty())
        (void)decoder.loadTemplates(*saved);
    std::vector<decode::FlowRecord> batch;
    batch.reserve(kAddEvery * 2);
    auto flush = [&](bool commit) -> Result<void> {
        writer.add(batch);
        batch.clear();
        return commit ? writer.commit() : Result<void>{};
    };

    for (const QString& path : files) {
        if (raw) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                stats.errors << QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
                continue;
            }
            const QByteArray bytes = f.readAll();
            const std::span<const std::byte> d(reinterpret_cast<const std::byte*>(bytes.constData()),
                                               std::size_t(bytes.size()));
            std::uint64_t t = headerExportTimeNs(d);
            if (!t)
                t = std::uint64_t(QFileInfo(path).lastModified().toMSecsSinceEpoch()) * 1000000ull;
            const decode::Endpoint from{decode::IpAddress::fromV4(0), 0};
            stats.flows += decoder.decode(d, from, t, batch);
            ++stats.datagrams;
            ++stats.files;
        } else {
            auto reader = PcapReader::open(path);
            if (!reader) {
                stats.errors << reader.error();
                continue;
            }
            CapturedDatagram dg;
            while (reader->next(dg)) {
                stats.flows += decoder.decode(dg.payload, dg.from, dg.timeNs, batch);
                ++stats.datagrams;
                if (batch.size() >= kAddEvery)
                    if (auto r = flush(stats.flows % (kAddEvery * 16) < kAddEvery); !r)
                        return fail(r.error());
            }
            stats.framesSkipped += reader->framesSkipped();
            if (!reader->error().isEmpty())
                stats.errors << QStringLiteral(
                                    "error reading %1 after %2 frames: %3 (the frames before were imported)")
                                    .arg(path)
                                    .arg(reader->framesRead())
                                    .arg(reader->error());
            ++stats.files;
        }
    }
    std::vector<std::pair<decode::DomainKey, decode::DomainStats>> exporters;
    decoder.forEachDomain(
        [&](const decode::DomainKey& k, const decode::DomainStats& s) { exporters.emplace_back(k, s); });
    writer.setExporters(std::move(exporters));
    writer.setDecoderState(QStringLiteral("templates"), decoder.saveTemplates());
    writer.add(batch);
    if (auto r = writer.close(); !r)
        return fail(r.error());
    return stats;
}

} // namespace flowlens::collect
