#pragma once

#include "core/util/result.h"

namespace flowlens::store {

class Database;

/// Schema version this build writes. A file with a higher version is refused, never modified.
inline constexpr int kSchemaVersion = 7;

/// Brings a read-write database to kSchemaVersion (WAL mode, tables, indexes), running the
/// ordered migrations inside one transaction. Refuses files from a newer FlowLens and files that
/// are not FlowLens databases, with a message that says what to do.
Result<void> migrate(Database& db);

/// Checks that a database opened read-only is a FlowLens database this build can read.
Result<int> checkReadable(Database& db);

} // namespace flowlens::store
