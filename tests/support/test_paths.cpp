#include "test_paths.h"

#include <QFile>

namespace flowlens::test {

QString vectorsDir()
{
    const QByteArray env = qgetenv("FLOWLENS_VECTORS");
    return env.isEmpty() ? QStringLiteral(FLOWLENS_VECTORS_DEFAULT) : QString::fromLocal8Bit(env);
}

QString geoDir()
{
    const QByteArray env = qgetenv("FLOWLENS_GEO");
    return env.isEmpty() ? QStringLiteral(FLOWLENS_GEO_DEFAULT) : QString::fromLocal8Bit(env);
}

QString binaryDir()
{
    return QStringLiteral(FLOWLENS_BINARY_DIR);
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace flowlens::test
