#pragma once

#include "core/util/result.h"

#include <cstdint>
#include <string_view>

#include <QByteArray>

namespace flowlens::forward {

/// gzip (RFC 1952) of `data`, as sent with Content-Encoding: gzip.
Result<QByteArray> gzipCompress(std::string_view data, int level = 6);

/// Inflates a gzip (or zlib) stream; fails when it is corrupt, truncated, or would inflate past
/// `maxBytes` (so a hostile body cannot exhaust memory).
Result<QByteArray> gzipDecompress(const QByteArray& data, std::int64_t maxBytes);

} // namespace flowlens::forward
