#include "gzip.h"

#include <zlib.h>

namespace flowlens::forward {

Result<QByteArray> gzipCompress(std::string_view data, int level)
{
    z_stream zs{};
    // 15 window bits + 16: write a gzip header and trailer instead of zlib's.
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail(QStringLiteral("gzip: cannot initialise zlib"));
    QByteArray out;
    out.resize(qsizetype(deflateBound(&zs, uLong(data.size())) + 32));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const auto written = qsizetype(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return fail(QStringLiteral("gzip: compression failed (%1)").arg(rc));
    out.resize(written);
    return out;
}

Result<QByteArray> gzipDecompress(const QByteArray& data, std::int64_t maxBytes)
{
    z_stream zs{};
    // 15 window bits + 32: accept gzip and zlib headers.
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return fail(QStringLiteral("gzip: cannot initialise zlib"));
    QByteArray out;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.constData()));
    zs.avail_in = uInt(data.size());
    char chunk[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return fail(QStringLiteral("gzip: corrupt or truncated stream"));
        }
        const auto produced = qsizetype(sizeof chunk - zs.avail_out);
        if (out.size() + produced > maxBytes) {
            inflateEnd(&zs);
            return fail(QStringLiteral("gzip: inflates past %1 bytes").arg(maxBytes));
        }
        out.append(chunk, produced);
        if (rc == Z_OK && zs.avail_in == 0 && produced == 0) {
            inflateEnd(&zs);
            return fail(QStringLiteral("gzip: truncated stream"));
        }
    }
    inflateEnd(&zs);
    return out;
}

} // namespace flowlens::forward
