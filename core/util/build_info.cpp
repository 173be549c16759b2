#include "build_info.h"

#include <maxminddb.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <zstd.h>

#include <QtGlobal>

// Defined in the flowlens_build_id object library (generated at build time) that only the programs
// link, so a new commit relinks two programs rather than everything that links flowlens_core.
// Weak: where it is not linked (most tests) the description and date are empty.
extern "C" const char* flowlensGitDescribe() __attribute__((weak));
extern "C" const char* flowlensBuildDate() __attribute__((weak));

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
    if (flowlensGitDescribe)
        b.gitDescribe = QString::fromLatin1(flowlensGitDescribe());
    if (flowlensBuildDate)
        b.buildDate = QString::fromLatin1(flowlensBuildDate());
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
    QStringList parts;
    if (!gitDescribe.isEmpty())
        parts << QStringLiteral("git ") + gitDescribe;
    parts << (buildDate.isEmpty() ? QStringLiteral("built") : QStringLiteral("built ") + buildDate) +
                 QStringLiteral(" with ") + compiler;
    return parts.join(QStringLiteral(", "));
}

QString BuildInfo::librariesLine() const
{
    QStringList parts;
    for (const LibraryVersion& l : libraries)
        parts << l.name % QLatin1Char(' ') % l.version;
    return parts.join(QStringLiteral(", "));
}

} // namespace flowlens
