#include "drill_down.h"

#include "core/decode/flow_record.h"
#include "core/query/filter.h"

#include <QStringList>

namespace flowlens::ui {

namespace {

bool needsParentheses(const QString& filter)
{
    // Any "or" at parenthesis depth 0 binds looser than the "and" we append.
    int depth = 0;
    const QString lower = filter.toLower();
    for (qsizetype i = 0; i < lower.size(); ++i) {
        const QChar c = lower[i];
        if (c == QLatin1Char('('))
            ++depth;
        else if (c == QLatin1Char(')'))
            --depth;
        else if (depth == 0) {
            if (lower.mid(i, 2) == QLatin1String("||"))
                return true;
            if (lower.mid(i, 2) == QLatin1String("or") && (i == 0 || !lower[i - 1].isLetterOrNumber()) &&
                (i + 2 >= lower.size() || !lower[i + 2].isLetterOrNumber()))
                return true;
        }
    }
    return false;
}

QString termNeedingGroup(const QString& term)
{
    return term.contains(QLatin1String(" and ")) ? QStringLiteral("(%1)").arg(term) : term;
}

} // namespace

QString filterTerm(store::Dimension d, const store::RollupKey& key)
{
    if (key.isOther())
        return {};
    const QString text = QString::fromStdString(store::rollupKeyText(d, key));
    switch (d) {
    case store::Dimension::Proto: {
        // Names the filter knows are easier to read; anything else by number.
        const QString named =
            QStringLiteral("proto ") + QString::fromStdString(decode::protoName(key.bytes[0])).toLower();
        if (query::Filter::parse(named).has_value())
            return named;
        return QStringLiteral("proto %1").arg(key.bytes[0]);
    }
    case store::Dimension::Src:
        return QStringLiteral("src ip ") + text;
    case store::Dimension::Dst:
        return QStringLiteral("dst ip ") + text;
    case store::Dimension::Ip:
        return QStringLiteral("ip ") + text;
    case store::Dimension::Pair: {
        const QStringList parts = text.split(QStringLiteral("->"));
        if (parts.size() != 2)
            return {};
        return QStringLiteral("src ip %1 and dst ip %2").arg(parts[0], parts[1]);
    }
    case store::Dimension::SrcPort:
        return QStringLiteral("src port ") + text;
    case store::Dimension::DstPort:
        return QStringLiteral("dst port ") + text;
    case store::Dimension::Exporter:
        return QStringLiteral("exporter ") + text;
    case store::Dimension::Count_:
        break;
    }
    return {};
}

QString combineFilter(const QString& current, const QString& term, DrillAction action)
{
    const QString base = current.trimmed();
    if (term.isEmpty())
        return base;
    const QString clause =
        action == DrillAction::Exclude ? QStringLiteral("not ") + termNeedingGroup(term) : term;
    if (base.isEmpty())
        return clause;
    // Already required: "x and term" or just "term".
    if (action != DrillAction::Exclude &&
        (base == term || base.endsWith(QStringLiteral(" and ") + term) ||
         base.startsWith(term + QStringLiteral(" and ")) ||
         base.contains(QStringLiteral(" and ") + term + QStringLiteral(" and "))))
        return base;
    const QString left = needsParentheses(base) ? QStringLiteral("(%1)").arg(base) : base;
    return left + QStringLiteral(" and ") + clause;
}

} // namespace flowlens::ui
