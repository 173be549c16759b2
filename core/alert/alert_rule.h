#pragma once

#include "core/query/filter.h"
#include "core/util/result.h"

#include <cstdint>

#include <QString>

namespace flowlens::alert {

/// What a rule measures, per second of received traffic (sampling-scaled like every view).
enum class Metric
{
    BytesPerSecond,       ///< bytes_per_s
    PacketsPerSecond,     ///< packets_per_s
    FlowsPerSecond,       ///< flows_per_s
    DistinctSources,      ///< distinct_src: different source addresses seen in one second
    DistinctDestinations, ///< distinct_dst: different destination addresses in one second
    DistinctPorts,        ///< distinct_dst_ports: different destination ports in one second
};

/// What a rule is evaluated per: the whole traffic, or each key on its own.
enum class GroupBy
{
    None,
    Source,      ///< src_addr
    Destination, ///< dst_addr
    Port,        ///< dst_port (the service being reached)
    Exporter,    ///< sampler_address
};

enum class Comparison
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
};

/// A parsed `--when` expression: `METRIC OP NUMBER[K|M|G|T]` (fixed threshold) or
/// `METRIC > baseline [+ N dev]` (learned baseline: spike = value above mean + N deviations).
struct Condition
{
    Metric metric = Metric::BytesPerSecond;
    Comparison comparison = Comparison::Greater;
    bool baseline = false;
    double threshold = 0;  ///< fixed threshold (not used with baseline)
    double deviations = 3; ///< baseline only: how many deviations above the mean is a spike
};

/// Baseline learning: an exponentially weighted moving average of the per-second value and of its
/// absolute deviation from that average (the estimator TCP uses for round-trip times), with a
/// time constant of kBaselineTimeConstantS. A spike is a value above
/// mean + N * max(deviation, mean / 4, 1): the deviation counts as at least a quarter of the mean,
/// because the average deviation of bursty but normal traffic (a busier second now and then)
/// understates its normal peaks; with N = 3 a spike is at least 1.75 times the norm. The rule stays
/// silent for the first kBaselineWarmupS seconds of a key. While the value is above the line the baseline
/// learns ten times slower, so a spike does not teach itself away but a lasting new level becomes the norm.
inline constexpr double kBaselineTimeConstantS = 300;
inline constexpr int kBaselineWarmupS = 60;

/// One alert rule as the user defined it (and as stored in the database), plus its compiled parts.
struct AlertRule
{
    QString name;
    QString expression; ///< the `--when` text as written
    GroupBy by = GroupBy::None;
    QString filterText;          ///< flowlens filter language; empty = all traffic
    std::int64_t forSeconds = 0; ///< the condition must hold this long before the alert fires
    std::int64_t cooldownSeconds =
        300; ///< after an alert resolves, the same rule and key stay quiet this long
    bool enabled = true;
    std::uint64_t createdNs = 0;

    Condition condition;  ///< parsed expression
    query::Filter filter; ///< parsed filterText

    /// Same definition (name, condition, key, filter, timings): evaluation state can carry over.
    bool sameDefinition(const AlertRule& other) const;
};

/// Parses a `--when` expression, e.g. "bytes_per_s > 50M", "flows_per_s >= 2k",
/// "distinct_dst > baseline + 4 dev". Errors say what was expected.
Result<Condition> parseCondition(const QString& text);
/// Builds a rule from user input: checks the name, parses the expression and the filter.
Result<AlertRule> makeRule(const QString& name, const QString& expression, GroupBy by,
                           const QString& filterText, std::int64_t forSeconds, std::int64_t cooldownSeconds);

QString metricName(Metric m);
/// Unit for display: "B/s", "packets/s", "flows/s", "addresses", "ports".
QString metricUnit(Metric m);
QString groupByName(GroupBy by); ///< "", "src", "dst", "port", "exporter"
Result<GroupBy> parseGroupBy(const QString& text);
QString comparisonText(Comparison c); ///< ">", ">=", "<", "<="
bool compare(Comparison c, double value, double threshold);

/// A value with an SI suffix as the expressions accept it: "52.3M", "1.5k", "12".
QString formatValue(double value);

} // namespace flowlens::alert
