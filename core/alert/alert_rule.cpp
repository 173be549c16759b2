#include "alert_rule.h"

#include <array>
#include <cmath>

#include <QRegularExpression>

namespace flowlens::alert {

namespace {

struct MetricName
{
    Metric metric;
    const char* name;
    const char* unit;
};

constexpr std::array<MetricName, 6> kMetrics{{
    {Metric::BytesPerSecond, "bytes_per_s", "B/s"},
    {Metric::PacketsPerSecond, "packets_per_s", "packets/s"},
    {Metric::FlowsPerSecond, "flows_per_s", "flows/s"},
    {Metric::DistinctSources, "distinct_src", "sources/s"},
    {Metric::DistinctDestinations, "distinct_dst", "destinations/s"},
    {Metric::DistinctPorts, "distinct_dst_ports", "ports/s"},
}};

QString metricList()
{
    QStringList names;
    for (const auto& m : kMetrics)
        names << QLatin1String(m.name);
    return names.join(QStringLiteral(", "));
}

double suffixFactor(QChar c)
{
    switch (c.toLower().unicode()) {
    case 'k':
        return 1e3;
    case 'm':
        return 1e6;
    case 'g':
        return 1e9;
    case 't':
        return 1e12;
    default:
        return 1;
    }
}

} // namespace

bool AlertRule::sameDefinition(const AlertRule& other) const
{
    return name == other.name && expression == other.expression && by == other.by &&
           filterText == other.filterText && forSeconds == other.forSeconds &&
           cooldownSeconds == other.cooldownSeconds && enabled == other.enabled;
}

Result<Condition> parseCondition(const QString& text)
{
    static const QRegularExpression whole(QStringLiteral("^\\s*([A-Za-z_]+)\\s*(>=|<=|>|<)\\s*(.*?)\\s*$"));
    static const QRegularExpression number(QStringLiteral("^(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]?)$"));
    static const QRegularExpression baseline(
        QStringLiteral("^baseline(?:\\s*\\+\\s*(\\d+(?:\\.\\d+)?)\\s*(?:dev|devs|deviations?|sigma))?$"),
        QRegularExpression::CaseInsensitiveOption);
    const auto m = whole.match(text);
    if (!m.hasMatch())
        return fail(
            QStringLiteral("\"%1\" is not an alert condition; write METRIC > VALUE (e.g. \"bytes_per_s > "
                           "50M\") or METRIC > baseline (e.g. \"flows_per_s > baseline + 4 dev\")")
                .arg(text));
    Condition c;
    const QString metric = m.captured(1).toLower();
    bool known = false;
    for (const auto& entry : kMetrics) {
        if (metric == QLatin1String(entry.name)) {
            c.metric = entry.metric;
            known = true;
        }
    }
    if (!known)
        return fail(QStringLiteral("unknown metric \"%1\"; use one of %2").arg(m.captured(1), metricList()));
    const QString op = m.captured(2);
    c.comparison = op == QLatin1String(">")    ? Comparison::Greater
                   : op == QLatin1String(">=") ? Comparison::GreaterOrEqual
                   : op == QLatin1String("<")  ? Comparison::Less
                                               : Comparison::LessOrEqual;
    const QString rhs = m.captured(3);
    if (const auto b = baseline.match(rhs); b.hasMatch()) {
        if (c.comparison != Comparison::Greater)
            return fail(
                QStringLiteral("a baseline only detects spikes: write \"%1 > baseline\"").arg(metric));
        c.baseline = true;
        if (b.hasCaptured(1)) {
            c.deviations = b.captured(1).toDouble();
            if (c.deviations <= 0 || c.deviations > 100)
                return fail(QStringLiteral("the number of deviations must be above 0 and at most 100"));
        }
        return c;
    }
    const auto n = number.match(rhs);
    if (!n.hasMatch())
        return fail(QStringLiteral("\"%1\" is not a threshold; write a number with an optional K, M, G or T "
                                   "suffix (e.g. 50M, 1.5k) or \"baseline\"")
                        .arg(rhs));
    c.threshold =
        n.captured(1).toDouble() * (n.captured(2).isEmpty() ? 1.0 : suffixFactor(n.captured(2).at(0)));
    return c;
}

Result<AlertRule> makeRule(const QString& name, const QString& expression, GroupBy by,
                           const QString& filterText, std::int64_t forSeconds, std::int64_t cooldownSeconds)
{
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    if (!validName.match(name).hasMatch())
        return fail(QStringLiteral("\"%1\" is not a rule name; use 1 to 64 letters, digits, '_', '-' or '.'")
                        .arg(name));
    auto condition = parseCondition(expression);
    if (!condition)
        return fail(condition.error());
    auto filter = query::Filter::parse(filterText);
    if (!filter)
        return fail(QStringLiteral("bad filter: %1").arg(filter.error().message));
    // A day is far past any useful hold or quiet time; the bound keeps arithmetic in range.
    if (forSeconds < 0 || forSeconds > 86400)
        return fail(QStringLiteral("the hold duration (--for) must be between 0 and 1 day"));
    if (cooldownSeconds < 0 || cooldownSeconds > 86400)
        return fail(QStringLiteral("the cool-down must be between 0 and 1 day"));
    AlertRule r;
    r.name = name;
    r.expression = expression.trimmed();
    r.by = by;
    r.filterText = filterText.trimmed();
    r.forSeconds = forSeconds;
    r.cooldownSeconds = cooldownSeconds;
    r.condition = *condition;
    r.filter = *filter;
    return r;
}

QString metricName(Metric m)
{
    for (const auto& entry : kMetrics)
        if (entry.metric == m)
            return QLatin1String(entry.name);
    return {};
}

QString metricUnit(Metric m)
{
    for (const auto& entry : kMetrics)
        if (entry.metric == m)
            return QLatin1String(entry.unit);
    return {};
}

QString groupByName(GroupBy by)
{
    switch (by) {
    case GroupBy::None:
        return {};
    case GroupBy::Source:
        return QStringLiteral("src");
    case GroupBy::Destination:
        return QStringLiteral("dst");
    case GroupBy::Port:
        return QStringLiteral("port");
    case GroupBy::Exporter:
        return QStringLiteral("exporter");
    }
    return {};
}

Result<GroupBy> parseGroupBy(const QString& text)
{
    const QString t = text.trimmed().toLower();
    for (GroupBy by :
         {GroupBy::None, GroupBy::Source, GroupBy::Destination, GroupBy::Port, GroupBy::Exporter})
        if (t == groupByName(by))
            return by;
    return fail(QStringLiteral("\"%1\" is not a key; use src, dst, port or exporter").arg(text));
}

QString comparisonText(Comparison c)
{
    switch (c) {
    case Comparison::Greater:
        return QStringLiteral(">");
    case Comparison::GreaterOrEqual:
        return QStringLiteral(">=");
    case Comparison::Less:
        return QStringLiteral("<");
    case Comparison::LessOrEqual:
        return QStringLiteral("<=");
    }
    return {};
}

bool compare(Comparison c, double value, double threshold)
{
    switch (c) {
    case Comparison::Greater:
        return value > threshold;
    case Comparison::GreaterOrEqual:
        return value >= threshold;
    case Comparison::Less:
        return value < threshold;
    case Comparison::LessOrEqual:
        return value <= threshold;
    }
    return false;
}

QString formatValue(double value)
{
    const double a = std::fabs(value);
    const char* suffix = "";
    double v = value;
    if (a >= 1e12) {
        v = value / 1e12;
        suffix = "T";
    } else if (a >= 1e9) {
        v = value / 1e9;
        suffix = "G";
    } else if (a >= 1e6) {
        v = value / 1e6;
        suffix = "M";
    } else if (a >= 1e3) {
        v = value / 1e3;
        suffix = "k";
    }
    // Three significant digits read well in a table and survive a round trip through parseCondition.
    return QString::number(v, 'g', 3) + QLatin1String(suffix);
}

} // namespace flowlens::alert
