#include "filter_lexer.h"

namespace flowlens::query::detail {

namespace {

bool isOperatorChar(QChar c)
{
    switch (c.unicode()) {
    case '(':
    case ')':
    case '[':
    case ']':
    case ',':
    case '!':
    case '=':
    case '<':
    case '>':
    case '&':
    case '|':
    case '#':
        return true;
    default:
        return false;
    }
}

FilterToken makeToken(const QString& text, TokenKind kind, int position, int length)
{
    FilterToken t;
    t.kind = kind;
    t.position = position;
    t.length = length;
    t.text = text.mid(position, length);
    t.lower = t.text.toLower();
    return t;
}

FilterToken makeCompare(const QString& text, CompareOp op, int position, int length)
{
    FilterToken t = makeToken(text, TokenKind::Compare, position, length);
    t.op = op;
    return t;
}

} // namespace

tl::expected<std::vector<FilterToken>, FilterError> tokenizeFilter(const QString& text)
{
    std::vector<FilterToken> tokens;
    const int n = int(text.size());
    int i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        const QChar next = i + 1 < n ? text.at(i + 1) : QChar();
        if (c.isSpace()) {
            ++i;
            continue;
        }
        switch (c.unicode()) {
        case '#':
            while (i < n && text.at(i) != QLatin1Char('\n'))
                ++i;
            continue;
        case '(':
            tokens.push_back(makeToken(text, TokenKind::LParen, i, 1));
            ++i;
            continue;
        case ')':
            tokens.push_back(makeToken(text, TokenKind::RParen, i, 1));
            ++i;
            continue;
        case '[':
            tokens.push_back(makeToken(text, TokenKind::LBracket, i, 1));
            ++i;
            continue;
        case ']':
            tokens.push_back(makeToken(text, TokenKind::RBracket, i, 1));
            ++i;
            continue;
        case ',':
            tokens.push_back(makeToken(text, TokenKind::Comma, i, 1));
            ++i;
            continue;
        case '!':
            if (next == QLatin1Char('=')) {
                tokens.push_back(makeCompare(text, CompareOp::Ne, i, 2));
                i += 2;
            } else {
                tokens.push_back(makeToken(text, TokenKind::Not, i, 1));
                ++i;
            }
            continue;
        case '=': {
            const int len = next == QLatin1Char('=') ? 2 : 1;
            tokens.push_back(makeCompare(text, CompareOp::Eq, i, len));
            i += len;
            continue;
        }
        case '<':
        case '>': {
            const bool orEqual = next == QLatin1Char('=');
            const CompareOp op = c == QLatin1Char('<') ? (orEqual ? CompareOp::Le : CompareOp::Lt)
                                                       : (orEqual ? CompareOp::Ge : CompareOp::Gt);
            tokens.push_back(makeCompare(text, op, i, orEqual ? 2 : 1));
            i += orEqual ? 2 : 1;
            continue;
        }
        case '&':
        case '|':
            if (next == c) {
                tokens.push_back(
                    makeToken(text, c == QLatin1Char('&') ? TokenKind::And : TokenKind::Or, i, 2));
                i += 2;
                continue;
            }
            return tl::unexpected(FilterError{
                i, 1,
                QStringLiteral("unexpected \"%1\" (use \"%2\" or \"%1%1\")")
                    .arg(c, c == QLatin1Char('&') ? QStringLiteral("and") : QStringLiteral("or"))});
        default:
            break;
        }
        const int start = i;
        while (i < n && !text.at(i).isSpace() && !isOperatorChar(text.at(i)))
            ++i;
        tokens.push_back(makeToken(text, TokenKind::Word, start, i - start));
    }
    FilterToken end;
    end.kind = TokenKind::End;
    end.position = n;
    tokens.push_back(end);
    return tokens;
}

} // namespace flowlens::query::detail
