#include "format.h"

#include "core/decode/flow_record.h"
#include "core/enrich/country_table.h"
#include "core/enrich/service_names.h"
#include "core/query/time_spec.h"
#include "core/store/dictionary.h"

#include <cmath>

#include <QLocale>

namespace flowlens::ui::fmt {

namespace {

QString scaled(double v, const char* const* units, int count, double step)
{
    int i = 0;
    double x = v;
    while (std::fabs(x) >= step && i + 1 < count) {
        x /= step;
        ++i;
    }
    const int decimals = i == 0 ? 0 : (std::fabs(x) < 10 ? 2 : (std::fabs(x) < 100 ? 1 : 0));
    return QString::number(x, 'f', decimals) + QLatin1Char(' ') + QLatin1String(units[i]);
}

// Tableau 10: distinguishable in light and dark themes.
constexpr QRgb kPalette[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                             0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};

} // namespace

QString bytes(double v)
{
    static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    return scaled(v, units, 7, 1000.0);
}

QString bitsPerSecond(double v)
{
    static const char* const units[] = {"b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s", "Pb/s"};
    return scaled(v, units, 6, 1000.0);
}

QString compact(double v)
{
    static const char* const units[] = {"", "k", "M", "G", "T", "P"};
    QString s = scaled(v, units, 6, 1000.0);
    return s.endsWith(QLatin1Char(' ')) ? s.chopped(1) : s.remove(QLatin1Char(' '));
}

QString integer(std::uint64_t v)
{
    return QLocale().toString(qulonglong(v));
}

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', fraction < 0.001 && fraction > 0 ? 2 : 1) +
           QStringLiteral(" %");
}

QString time(std::uint64_t ns)
{
    return ns ? query::formatTime(ns) : QString();
}

double metricNumber(MetricKind metric, const store::Counters& c, bool raw, double seconds)
{
    switch (metric) {
    case MetricKind::Bytes:
        return double(raw ? c.bytes : c.scaledBytes);
    case MetricKind::BitsPerSecond:
        return seconds > 0 ? 8.0 * double(raw ? c.bytes : c.scaledBytes) / seconds : 0.0;
    case MetricKind::Packets:
        return double(raw ? c.packets : c.scaledPackets);
    case MetricKind::Flows:
        return double(c.flows);
    }
    return 0;
}

QString metricText(MetricKind metric, double value)
{
    switch (metric) {
    case MetricKind::Bytes:
        return bytes(value);
    case MetricKind::BitsPerSecond:
        return bitsPerSecond(value);
    case MetricKind::Packets:
        return compact(value) + QStringLiteral(" pkts");
    case MetricKind::Flows:
        return compact(value) + QStringLiteral(" flows");
    }
    return {};
}

QString unitCaption(MetricKind metric, bool raw, bool sampled)
{
    QString unit = metricKindName(metric);
    if (metric == MetricKind::Flows)
        return unit;
    if (raw)
        return unit + QStringLiteral(" · as sent (not scaled by sampling)");
    return unit + (sampled ? QStringLiteral(" · sampling-scaled")
                           : QStringLiteral(" · sampling-scaled (no sampling seen)"));
}

QString protoName(std::uint8_t proto)
{
    return QString::fromStdString(decode::protoName(proto));
}

QString keyText(store::Dimension d, const store::RollupKey& key)
{
    if (key.isOther())
        return QStringLiteral("other");
    switch (d) {
    case store::Dimension::Proto:
        return protoName(key.bytes[0]);
    case store::Dimension::SrcPort:
    case store::Dimension::DstPort: {
        const auto port = std::uint16_t((unsigned(key.bytes[0]) << 8) | key.bytes[1]);
        const std::string_view name = enrich::serviceName(port);
        return name.empty() ? QString::number(port)
                            : QStringLiteral("%1 (%2)").arg(port).arg(
                                  QLatin1String(name.data(), qsizetype(name.size())));
    }
    case store::Dimension::Pair: {
        const QString text = QString::fromStdString(store::rollupKeyText(d, key));
        return QString(text).replace(QStringLiteral("->"), QStringLiteral(" → "));
    }
    default:
        break;
    }
    return QString::fromStdString(store::rollupKeyText(d, key));
}

QString keyText(store::Dimension d, const store::RollupKey& key, const store::Dictionaries& dict)
{
    if (key.isOther())
        return QStringLiteral("other");
    const std::uint32_t n = store::rollupKeyNumber(d, key);
    switch (d) {
    case store::Dimension::SrcCountry:
    case store::Dimension::DstCountry: {
        const enrich::CountryInfo* c = enrich::countryByPacked(std::uint16_t(n));
        if (!c)
            return n ? QString::fromStdString(decode::countryText(std::uint16_t(n)))
                     : QStringLiteral("unknown");
        return QStringLiteral("%1 (%2)").arg(QString::fromUtf8(c->name.data(), qsizetype(c->name.size())),
                                             QString::fromLatin1(c->code.data(), 2));
    }
    case store::Dimension::SrcAs:
    case store::Dimension::DstAs: {
        if (n == 0)
            return QStringLiteral("unknown");
        const std::string org = dict.asOrganization(n);
        return org.empty() ? QStringLiteral("AS%1").arg(n)
                           : QStringLiteral("AS%1 %2").arg(n).arg(QString::fromStdString(org));
    }
    case store::Dimension::SrcCity:
    case store::Dimension::DstCity:
    case store::Dimension::SrcNet:
    case store::Dimension::DstNet:
        return QString::fromStdString(store::rollupKeyText(d, key, dict));
    default:
        return keyText(d, key);
    }
}

QString dimensionTitle(store::Dimension d)
{
    switch (d) {
    case store::Dimension::Proto:
        return QStringLiteral("Protocol");
    case store::Dimension::Src:
        return QStringLiteral("Source");
    case store::Dimension::Dst:
        return QStringLiteral("Destination");
    case store::Dimension::Ip:
        return QStringLiteral("Address");
    case store::Dimension::Pair:
        return QStringLiteral("Conversation");
    case store::Dimension::SrcPort:
        return QStringLiteral("Source port");
    case store::Dimension::DstPort:
        return QStringLiteral("Destination port");
    case store::Dimension::Exporter:
        return QStringLiteral("Exporter");
    case store::Dimension::SrcCountry:
        return QStringLiteral("Source country");
    case store::Dimension::DstCountry:
        return QStringLiteral("Destination country");
    case store::Dimension::SrcAs:
        return QStringLiteral("Source AS");
    case store::Dimension::DstAs:
        return QStringLiteral("Destination AS");
    case store::Dimension::SrcCity:
        return QStringLiteral("Source city");
    case store::Dimension::DstCity:
        return QStringLiteral("Destination city");
    case store::Dimension::SrcNet:
        return QStringLiteral("Source network");
    case store::Dimension::DstNet:
        return QStringLiteral("Destination network");
    case store::Dimension::Count_:
        break;
    }
    return QStringLiteral("Total");
}

QColor paletteColor(int index)
{
    return QColor(kPalette[std::size_t(index) % std::size(kPalette)]);
}

QColor otherColor()
{
    return QColor(0x9a, 0x9a, 0x9a);
}

QColor keyColor(store::Dimension d, const store::RollupKey& key)
{
    if (key.isOther())
        return otherColor();
    if (d == store::Dimension::Proto) {
        switch (key.bytes[0]) {
        case 6:
            return paletteColor(0);
        case 17:
            return paletteColor(1);
        case 1:
            return paletteColor(2);
        case 58:
            return paletteColor(3);
        case 47:
            return paletteColor(4);
        case 50:
            return paletteColor(5);
        default:
            break;
        }
    }
    const std::size_t h = store::RollupKeyHash{}(key);
    return paletteColor(int(h % std::size(kPalette)));
}

} // namespace flowlens::ui::fmt
