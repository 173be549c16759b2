#include "time_spec.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

namespace flowlens::query {

namespace {

std::int64_t unitSeconds(QChar unit)
{
    switch (unit.toLower().unicode()) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7 * 86400;
    default:
        return 0;
    }
}

} // namespace

Result<std::int64_t> parseDuration(const QString& text)
{
    const QString t = text.trimmed();
    static const QRegularExpression plain(QStringLiteral("^\\d+$"));
    if (plain.match(t).hasMatch())
        return t.toLongLong();
    static const QRegularExpression part(QStringLiteral("(\\d+)\\s*([smhdwSMHDW])"));
    std::int64_t total = 0;
    qsizetype consumed = 0;
    auto it = part.globalMatch(t);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() != consumed)
            break;
        total += m.captured(1).toLongLong() * unitSeconds(m.captured(2).at(0));
        consumed = m.capturedEnd();
        while (consumed < t.size() && t.at(consumed).isSpace())
            ++consumed;
    }
    if (t.isEmpty() || consumed != t.size())
        return fail(QStringLiteral("\"%1\" is not a duration; use seconds or a number with s, m, h, d or w "
                                   "(e.g. 90, 15m, 1h30m)")
                        .arg(text));
    return total;
}

Result<std::uint64_t> parseTime(const QString& text, std::uint64_t nowNs)
{
    const QString t = text.trimmed();
    if (t.compare(QStringLiteral("now"), Qt::CaseInsensitive) == 0)
        return nowNs;
    static const QRegularExpression relative(QStringLiteral("^(?:now\\s*)?-\\s*(.+)$|^(.+?)\\s+ago$"),
                                             QRegularExpression::CaseInsensitiveOption);
    if (const auto m = relative.match(t); m.hasMatch()) {
        const QString amount = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
        auto d = parseDuration(amount);
        if (!d)
            return fail(QStringLiteral("\"%1\" is not a time: %2").arg(text, d.error()));
        const std::uint64_t back = std::uint64_t(*d) * 1000000000ull;
        return back > nowNs ? 0 : nowNs - back;
    }
    static const QRegularExpression epoch(QStringLiteral("^@?(\\d{9,11})$"));
    if (const auto m = epoch.match(t); m.hasMatch())
        return std::uint64_t(m.captured(1).toLongLong()) * 1000000000ull;
    QString iso = t;
    if (iso.size() > 10 && iso.at(10) == QLatin1Char(' '))
        iso[10] = QLatin1Char('T');
    iso.replace(QLatin1Char('/'), QLatin1Char('-'));
    QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(iso, Qt::ISODate);
    if (!dt.isValid()) {
        const QDate date = QDate::fromString(iso, Qt::ISODate);
        if (date.isValid())
            dt = date.startOfDay();
    }
    if (!dt.isValid())
        return fail(
            QStringLiteral("\"%1\" is not a time; use ISO 8601 (2026-11-28T10:00:00Z or 2026-11-28 10:00 "
                           "local), unix seconds, or a relative time (-15m, 2h ago, now)")
                .arg(text));
    const qint64 ms = dt.toMSecsSinceEpoch();
    if (ms < 0)
        return fail(QStringLiteral("\"%1\" is before 1970").arg(text));
    return std::uint64_t(ms) * 1000000ull;
}

QString formatTime(std::uint64_t ns, bool utc)
{
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(qint64(ns / 1000000ull),
                                                        utc ? QTimeZone::utc() : QTimeZone::systemTimeZone());
    return utc ? dt.toString(Qt::ISODateWithMs) : dt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace flowlens::query
