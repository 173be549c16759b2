#pragma once

#include <QString>

namespace flowlens::query {

/// How `bytes`, `packets`, `bps` and `pps` compare: sampling-scaled (what views show) or as the
/// exporter sent them.
enum class CounterMode
{
    Scaled,
    Raw,
};

/// Why a filter text was refused, and where: `position`/`length` are 0-based UTF-16 offsets into
/// the text (length 0 at the end of the text), so a filter bar can underline the culprit.
struct FilterError
{
    int position = 0;
    int length = 0;
    QString message;

    /// "column N: message" with a 1-based column, ready to show under the filter bar.
    QString toString() const;
};

} // namespace flowlens::query
