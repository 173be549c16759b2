#pragma once

#include "core/decode/flow_decoder.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>

#include <QString>
#include <QStringList>

namespace flowlens::store {
class FlowWriter;
}

namespace flowlens::collect {

struct ImportStats
{
    std::uint64_t files = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t flows = 0;
    std::uint64_t framesSkipped = 0; ///< capture frames that were not UDP datagrams
    QStringList errors;              ///< one per file that could not be read
};

/// Decodes capture files (pcap/pcapng: every UDP datagram in them) or, with `raw`, files holding one
/// export datagram each, into `writer`, with one decoder across all files so templates carry over.
/// A capture keeps its packet times as receive times; a raw datagram takes the export time of its
/// header (sFlow: the file's modification time). Files that cannot be read are reported in
/// ImportStats::errors and skipped; the rest is imported and committed.
Result<ImportStats> importFiles(const QStringList& files, bool raw, decode::FlowDecoder& decoder,
                                store::FlowWriter& writer);

/// Export time of a NetFlow v5/v9 or IPFIX header, in ns; 0 when the datagram has none.
std::uint64_t headerExportTimeNs(std::span<const std::byte> datagram);

} // namespace flowlens::collect
