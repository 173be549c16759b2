#include "build_info.h"

#include "flowlens_build_id.h"

#include <maxminddb.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <zstd.h>

#include <QtGlobal>

namespace flowlens {

namespace {

QString compilerName()
{
#if defined(__clang__)
    return QStringLiteral("Clang %1.%2.%3")
        .arg(__clang_major__)
        .arg(__clang_minor__)
        .arg(__clang_patchlevel__);
#elif defined(__GNUC__)
    return QStringLiteral("GCC %1.%2.%3").arg(__GNUC__).arg(__GNUC_MINOR__).arg(__GNUC_PATCHLEVEL__);
#else
    return QStringLiteral("an unknown compiler");
#endif
}

/// pcap_lib_version() says "libpcap version 1.10.3 (with TPACKET_V3)"; keep the number.
QString pcapVersion()
{
    QString text = QString::fromLatin1(pcap_lib_version());
    const qsizetype at = text.indexOf(QLatin1String("version "));
    if (at >= 0)
        text = text.mid(at + 8);
    return text.section(QLatin1Char(' '), 0, 0);
}

} // namespace

BuildInfo BuildInfo::current()
{
    BuildInfo b;
    b.version = QStringLiteral(FLOWLENS_VERSION);
    b.gitDescribe = QStringLiteral(FLOWLENS_GIT_DESCRIBE);
    b.buildDate = QStringLiteral(FLOWLENS_BUILD_DATE);
    b.compiler = compilerName();
    b.qtBuildVersion = QStringLiteral(QT_VERSION_STR);
    b.libraries = {
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("SQLite"), QString::fromLatin1(sqlite3_libversion())},
        {QStringLiteral("zstd"), QString::fromLatin1(ZSTD_versionString())},
        {QStringLiteral("libpcap"), pcapVersion()},
        {QStringLiteral("libmaxminddb"), QString::fromLatin1(MMDB_lib_version())},
    };
    return b;
}

QString BuildInfo::buildLine() const
{
    const QString git = gitDescribe.isEmpty() ? QString() : QStringLiteral("git %1, ").arg(gitDescribe);
    return git % QStringLiteral("built %1 with %2").arg(buildDate, compiler);
}

QString BuildInfo::librariesLine() const
{
    QStringList parts;
    for (const LibraryVersion& l : libraries)
        parts << l.name % QLatin1Char(' ') % l.version;
    return parts.join(QStringLiteral(", "));
}

} // namespace flowlens
