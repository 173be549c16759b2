#pragma once

#include "core/util/result.h"

#include <cstdint>

#include <QString>

namespace flowlens::query {

/// Parses a point in time as people type it, returning UTC nanoseconds:
/// ISO 8601 ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00+01:00", "2026-11-28 10:00" in local
/// time), unix seconds ("1764324000"), relative to now ("now", "-15m", "15m ago", "now-1h";
/// units s, m, h, d, w).
Result<std::uint64_t> parseTime(const QString& text, std::uint64_t nowNs);

/// Parses a duration ("90", "90s", "15m", "1h30m", "2d") into seconds.
Result<std::int64_t> parseDuration(const QString& text);

/// "2026-11-28 10:00:00" in local time (for tables), or ISO 8601 UTC when utc is set.
QString formatTime(std::uint64_t ns, bool utc = false);

} // namespace flowlens::query
