#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace flowlens::decode {

/// Named counters for input that is malformed or cannot be decoded (Zeek calls them "weirds").
/// A datagram may raise several; decoding continues past whatever can be skipped safely.
enum class Anomaly : std::uint8_t
{
    UnknownProtocol,   ///< not NetFlow v5/v9, IPFIX or sFlow v5
    TruncatedHeader,   ///< datagram shorter than its protocol header
    BadLength,         ///< header length/count disagrees with the datagram size
    TrailingBytes,     ///< bytes left after the last record/set (zero padding excluded)
    CountMismatch,     ///< v9 header count differs from the records/sets found
    TruncatedRecord,   ///< a record runs past the end of its set or datagram
    BadSetId,          ///< reserved v9/IPFIX set id (2..255 in IPFIX, 2..255 in v9)
    BadSetLength,      ///< set length below 4 or beyond the datagram
    MalformedTemplate, ///< template record that cannot be valid (runs past its set, bad scope, ...)
    TemplateLimit,     ///< template dropped because the per-exporter bound was reached
    MissingTemplate,   ///< data set whose template is unknown (counted per set)
    BadFieldLength,    ///< a known IE with a length it cannot have; the value is ignored
    BadVariableLength, ///< variable-length field running past its record
    ExporterLimit,     ///< datagram dropped: too many exporters/domains tracked
    BadSample,         ///< sFlow sample or record malformed
    Count_
};

inline constexpr int kAnomalyCount = static_cast<int>(Anomaly::Count_);

/// snake_case name, stable for CLI/JSON output ("truncated_header", ...).
std::string_view anomalyName(Anomaly a);

using AnomalyCounters = std::array<std::uint64_t, kAnomalyCount>;

} // namespace flowlens::decode
