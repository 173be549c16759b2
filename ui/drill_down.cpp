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
    case store::Dimension::SrcCountry:
    case store::Dimension::DstCountry:
        if (text == QLatin1String("unknown"))
            return {};
        return (d == store::Dimension::SrcCountry ? QStringLiteral("src country ")
                                                  : QStringLiteral("dst country ")) +
               text;
    case store::Dimension::SrcAs:
        return QStringLiteral("src as ") + text;
    case store::Dimension::DstAs:
        return QStringLiteral("dst as ") + text;
    case store::Dimension::SrcCity:
    case store::Dimension::DstCity:
    case store::Dimension::SrcNet:
    case store::Dimension::DstNet:
        break; // no filter term names a city or a user network yet
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
    if (action == DrillAction::Exclude) {
        const QString clause = QStringLiteral("not ") + termNeedingGroup(term);
        if (base.isEmpty())
            return clause;
        return (needsParentheses(base) ? QStringLiteral("(%1)").arg(base) : base) + QStringLiteral(" and ") +
               clause;
    }
    if (base.isEmpty())
        return term;
    if (needsParentheses(base))
        return QStringLiteral("(%1) and %2").arg(base, term);
    // A conjunction already: add only the clauses it does not require yet.
    const QStringList have = base.split(QStringLiteral(" and "), Qt::SkipEmptyParts, Qt::CaseInsensitive);
    QStringList add;
    for (const QString& clause :
         term.split(QStringLiteral(" and "), Qt::SkipEmptyParts, Qt::CaseInsensitive)) {
        bool present = false;
        for (const QString& h : have)
            present = present || h.trimmed().compare(clause.trimmed(), Qt::CaseInsensitive) == 0;
        if (!present)
            add << clause.trimmed();
    }
    return add.isEmpty() ? base : base + QStringLiteral(" and ") + add.join(QStringLiteral(" and "));
}

} // namespace flowlens::ui
