#pragma once

#include "core/store/rollup.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace flowlens::store {

/// The rows of one (tier, dimension, bucket) as one value of `rollup_rows.data` (schema 7): kept keys
/// sorted, key bytes transposed, counters as varints (the sampling-scaled ones as the difference
/// from the raw ones, 0 when unsampled), then zstd. One row per bucket instead of one per key makes
/// a bucket one B-tree lookup and about a quarter of the bytes. The byte format is stored in the
/// database: append only.
std::vector<std::byte> encodeRollupRows(std::vector<std::pair<RollupKey, Counters>> rows,
                                        const Counters& other);

/// Appends the rows of a stored bucket to `out` (the "other" row, when it has flows, as an empty key),
/// each with `bucket`. False when the blob is damaged (nothing appended).
bool decodeRollupRows(std::span<const std::byte> blob, std::int64_t bucket, std::vector<RollupRow>& out);

/// Adds a stored bucket whose keys are two bytes (ports, countries, networks) to `table` (65,536
/// counters indexed by key), setting `used` for each key, and its "other" row to `other`, without
/// making rows. False when the blob is damaged or has other keys; the table may then be partly
/// added to (the caller gives up on it).
bool addRollupRowsByKey16(std::span<const std::byte> blob, std::span<Counters> table,
                          std::span<std::uint8_t> used, Counters& other);

} // namespace flowlens::store
