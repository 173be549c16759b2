#pragma once

#include "core/store/rollup.h"

#include <QString>

namespace flowlens::ui {

/// What a double-click or context menu on a key does.
enum class DrillAction
{
    Narrow,    ///< add "and <term>" to the filter
    Exclude,   ///< add "and not <term>"
    ShowFlows, ///< narrow, then open the Flows view
};

/// The filter term that selects a key: "src ip 10.0.0.1", "dst port 443", "proto tcp",
/// "src ip A and dst ip B", "exporter 192.0.2.1". Empty for the "other" row.
QString filterTerm(store::Dimension d, const store::RollupKey& key);

/// The filter after narrowing `current` to `term` (or excluding it). A term already required by
/// the filter is not added twice; a filter with a top-level "or" is parenthesised.
QString combineFilter(const QString& current, const QString& term, DrillAction action);

} // namespace flowlens::ui
