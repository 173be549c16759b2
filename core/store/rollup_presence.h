#pragma once

#include "core/store/rollup.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::store {

/// Which keys a truncated coarse bucket (10 minutes, hour) had at all, kept beside its rows so a
/// query can prove that a key missing from the kept rows had nothing there (value exactly 0)
/// instead of "at most the dropped-key bound". Two-byte keys (ports, countries, networks) with
/// many keys use an exact 65,536-bit map; others a Bloom filter (no false negatives; false
/// positives only make a proof fail, never a wrong answer). The byte format is stored in the
/// database: append only.
class PresenceSet
{
public:
    PresenceSet() = default;
    /// A set holding `keys` (all of one dimension).
    static PresenceSet build(std::span<const RollupKey> keys);
    /// Reads a stored set; an empty or unknown blob gives a set that contains everything.
    static PresenceSet fromBlob(std::span<const std::byte> blob);

    /// False only when `key` is certainly not in the set.
    bool mayContain(const RollupKey& key) const;
    std::span<const std::byte> blob() const { return m_bytes; }

private:
    std::vector<std::byte> m_bytes; ///< [kind][hashes][bits...]; empty: contains everything
};

} // namespace flowlens::store
