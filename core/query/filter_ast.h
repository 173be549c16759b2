#pragma once

#include "filter_program.h"

#include <cstdint>
#include <vector>

namespace flowlens::query::detail {

/// One node of a parsed filter before compilation.
struct FilterExpr
{
    enum class Kind : std::uint8_t
    {
        Const, ///< `value`
        Test,  ///< `test` (its jump targets are filled in by compile())
        Not,   ///< children[0]
        And,   ///< all children, in order
        Or,    ///< any child, in order
    };
    Kind kind = Kind::Const;
    bool value = true;
    std::vector<int> children;
    FilterNode test;
};

/// Parsed filter: expressions by index plus the lists that `in [ ... ]` terms refer to. The
/// builders fold constants (`any`, empty ranges) and flatten nested and/or chains.
class FilterAst
{
public:
    int constant(bool value);
    int test(const FilterNode& node);
    int negate(int expr);
    int allOf(const std::vector<int>& exprs);
    int anyOf(const std::vector<int>& exprs);

    int addValueList(std::vector<std::uint64_t> values);
    int addAddressList(FilterAddressList list);

    /// Turns the expression `root` into a decision graph: and/or become jumps (short-circuit),
    /// not swaps the jump targets, constants disappear.
    FilterProgram compile(int root) &&;

private:
    int combine(FilterExpr::Kind kind, const std::vector<int>& exprs);
    std::int32_t compileExpr(int expr, std::int32_t onTrue, std::int32_t onFalse,
                             std::vector<FilterNode>& out) const;

    std::vector<FilterExpr> m_exprs;
    std::vector<std::vector<std::uint64_t>> m_valueLists;
    std::vector<FilterAddressList> m_addressLists;
};

} // namespace flowlens::query::detail
