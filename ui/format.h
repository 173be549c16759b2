#pragma once

#include "ui/view_state.h"

#include "core/store/rollup.h"

#include <cstdint>

#include <QColor>
#include <QString>

namespace flowlens::ui::fmt {

QString bytes(double v);          ///< "1.23 GB" (SI, like Wireshark)
QString bitsPerSecond(double v);  ///< "12.3 Mb/s"
QString compact(double v);        ///< "1.2k", "3.4M" (packets, flows)
QString integer(std::uint64_t v); ///< "1,234,567" (locale grouping)
QString percent(double fraction); ///< "12.3 %"
QString time(std::uint64_t ns);   ///< local "2026-11-28 10:00:00"

/// The number a chart plots for `metric`: bits/s divide by `seconds`.
double metricNumber(MetricKind metric, const store::Counters& c, bool raw, double seconds);
/// metricNumber() formatted with its unit.
QString metricText(MetricKind metric, double value);
/// "bytes · sampling-scaled" / "bits/s · as sent": what every chart states under its title.
QString unitCaption(MetricKind metric, bool raw, bool sampled);

QString protoName(std::uint8_t proto); ///< "TCP", "UDP", "ICMP", else the number
/// A key as people read it: protocol names, "443 (https)", addresses, "A → B" for pairs.
QString keyText(store::Dimension d, const store::RollupKey& key);
/// keyText() with names from the store's dictionaries: "United Kingdom (GB)", "AS1221 Telstra Pty
/// Ltd", "Boxford, England, GB", network names.
QString keyText(store::Dimension d, const store::RollupKey& key, const store::Dictionaries& dict);
/// Heading of a dimension ("Source", "Destination port", ...).
QString dimensionTitle(store::Dimension d);

/// A stable colour for a key: well-known protocols keep theirs, others come from a qualitative
/// palette by hash so a key keeps its colour across refreshes and charts.
QColor keyColor(store::Dimension d, const store::RollupKey& key);
QColor paletteColor(int index);
QColor otherColor();

} // namespace flowlens::ui::fmt
