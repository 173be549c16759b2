#pragma once

#include "filter_ast.h"
#include "filter_lexer.h"
#include "filter_program.h"
#include "filter_types.h"

#include <cstdint>
#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

#include <tl/expected.hpp>

namespace flowlens::query::detail {

/// Recursive-descent parser for the filter language (grammar and semantics: filter.h). Turns
/// tokens into a FilterAst and compiles it; the first error stops it.
class FilterParser
{
public:
    FilterParser(const std::vector<FilterToken>& tokens, CounterMode mode);

    tl::expected<FilterProgram, FilterError> run();

private:
    enum class Qualifier : std::uint8_t
    {
        None,
        Src,
        Dst,
        In,
        Out,
        Next,
        BgpNext,
        Exporter,
    };

    enum class ValueKind : std::uint8_t
    {
        Number,
        Protocol,
        Mac,
        Country, ///< ISO alpha-2 code ("GB"), matched against packed FlowRecord::src_country
    };

    /// What an integer term accepts, for parsing and for messages.
    struct IntSpec
    {
        QString what; ///< "a port number (0-65535)"
        std::uint64_t max = 0;
        ValueKind kind = ValueKind::Number;
    };

    const FilterToken& peek(std::size_t ahead = 0) const;
    const FilterToken& take();
    bool peekWord(const char* lowerWord, std::size_t ahead = 0) const;
    bool peekComparator() const;
    bool failed() const { return m_error.has_value(); }

    int fail(const FilterToken& at, const QString& message);
    int expected(const QString& what, const QString& after, const FilterToken& found,
                 const QStringList& candidates = {});

    int parseOr();
    int parseAnd();
    int parseUnary();
    int parseTerm();
    int parseQualified(Qualifier q, const QString& qualifierText, const QStringList& allowed);
    int parseAddressTerm(Qualifier q, const QString& keyword, const QString& after);
    int parseIntegerTerm(const std::vector<decode::FlowField>& fields, const IntSpec& spec,
                         const QString& after);
    int parseMetricTerm(FilterOp op, decode::FlowField field, std::uint8_t width, const QString& what,
                        const QString& after);
    int parseIcmpTerm(bool type, const QString& after);
    int parseFlagsTerm(const QString& after);

    /// Reads an optional comparator (symbol or eq/ne/lt/gt/le/ge); Eq when there is none.
    CompareOp parseComparator(QString& after);
    std::optional<std::uint64_t> parseValue(const FilterToken& t, const IntSpec& spec) const;
    /// Parses `[ item item, item ... ]`, calling `item` for each word; false on error.
    template <class ItemFn>
    bool parseList(const QString& after, const QString& what, ItemFn item);

    int compareExpr(const std::vector<decode::FlowField>& fields, CompareOp op, std::uint64_t value);
    int metricExpr(FilterOp op, decode::FlowField field, std::uint8_t width, CompareOp op2,
                   std::uint64_t value);
    int protoIs(std::uint8_t proto);

    const std::vector<FilterToken>& m_tokens;
    std::size_t m_pos = 0;
    CounterMode m_mode;
    int m_depth = 0;
    FilterAst m_ast;
    std::optional<FilterError> m_error;
};

/// Every keyword of the language, sorted (for completion in the filter bar).
QStringList filterKeywords();

} // namespace flowlens::query::detail
