#pragma once

#include "filter_types.h"

#include <cstdint>
#include <vector>

#include <QString>

#include <tl/expected.hpp>

namespace flowlens::query::detail {

enum class TokenKind : std::uint8_t
{
    Word, ///< keyword, number, address, flag letters: anything up to a space or an operator
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Compare, ///< = == != < <= > >=
    Not,     ///< !
    And,     ///< &&
    Or,      ///< ||
    End,     ///< after the last character
};

enum class CompareOp : std::uint8_t
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
};

struct FilterToken
{
    TokenKind kind = TokenKind::End;
    CompareOp op = CompareOp::Eq; ///< for Compare
    int position = 0;             ///< UTF-16 offset in the filter text
    int length = 0;
    QString text;  ///< as typed
    QString lower; ///< lower-cased, for case-insensitive keywords
};

/// Splits filter text into tokens. '#' starts a comment up to the end of the line (as in nfdump
/// filter files). The last token is always End, positioned at the text's length.
tl::expected<std::vector<FilterToken>, FilterError> tokenizeFilter(const QString& text);

} // namespace flowlens::query::detail
