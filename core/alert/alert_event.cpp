#include "alert_event.h"

#include <QStringList>

namespace flowlens::alert {

QString AlertEvent::summary() const
{
    const QString who = key.isEmpty() ? rule : QStringLiteral("%1 [%2]").arg(rule, key);
    return QStringLiteral("%1: %2 %3 %4 (threshold %5)")
        .arg(who, metricName(metric), formatValue(value), metricUnit(metric), formatValue(threshold));
}

QString AlertEvent::flowFilter() const
{
    QStringList parts;
    if (!filterText.isEmpty())
        parts << QStringLiteral("(%1)").arg(filterText);
    if (!key.isEmpty()) {
        switch (by) {
        case GroupBy::None:
            break;
        case GroupBy::Source:
            parts << QStringLiteral("src ip %1").arg(key);
            break;
        case GroupBy::Destination:
            parts << QStringLiteral("dst ip %1").arg(key);
            break;
        case GroupBy::Port:
            parts << QStringLiteral("dst port %1").arg(key);
            break;
        case GroupBy::Exporter:
            parts << QStringLiteral("exporter %1").arg(key);
            break;
        }
    }
    return parts.join(QStringLiteral(" and "));
}

} // namespace flowlens::alert
