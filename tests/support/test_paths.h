#pragma once

#include <QString>

namespace flowlens::test {

/// Folder of the public oracle vectors ($FLOWLENS_VECTORS, else ../shared/oracle/vectors).
QString vectorsDir();
/// Folder of the GeoIP test databases ($FLOWLENS_GEO, else ../shared/oracle/geo).
QString geoDir();
/// Build folder (to find flowlens-cli for integration tests).
QString binaryDir();
/// Reads a whole file; empty on error.
QByteArray readFile(const QString& path);

} // namespace flowlens::test
