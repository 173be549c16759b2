#include "cli_common.h"
#include "commands.h"

#include "core/alert/alert_store.h"
#include "core/query/time_spec.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::cli {

namespace {

const QString kAlertUsage = QStringLiteral(
    "Usage: flowlens-cli alert add --db FILE --name NAME --when \"EXPR\" [--by src|dst|port|exporter]\n"
    "                              [--filter EXPR] [--for DURATION] [--cooldown DURATION]\n"
    "       flowlens-cli alert list --db FILE [--format table|csv|json]\n"
    "       flowlens-cli alert remove --db FILE NAME\n"
    "       flowlens-cli alert log --db FILE [--since TIME] [--rule NAME] [--limit N] [--format "
    "table|csv|json]\n"
    "\n"
    "Alert rules are stored in the database and evaluated by whatever collects into it\n"
    "(flowlens-cli collect, the desktop app), every second, on the flows as they arrive.\n"
    "Run 'flowlens-cli alert SUBCOMMAND --help' for a subcommand's options.\n");

const QString kWhenHelp = QStringLiteral(
    "Condition: METRIC OP VALUE, e.g. \"bytes_per_s > 50M\" (K, M, G, T suffixes; OP is >, >=, <, <=), or "
    "METRIC > baseline [+ N dev] for a spike above the learned norm (default 3 deviations). Metrics: "
    "bytes_per_s, packets_per_s, flows_per_s, distinct_src, distinct_dst, distinct_dst_ports.");

QString csvQuote(QString s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n')))
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return s;
}

QString durationText(std::int64_t s)
{
    if (s == 0)
        return QStringLiteral("0s");
    QString out;
    if (s >= 3600)
        out += QStringLiteral("%1h").arg(s / 3600);
    if (s % 3600 >= 60)
        out += QStringLiteral("%1m").arg(s % 3600 / 60);
    if (s % 60)
        out += QStringLiteral("%1s").arg(s % 60);
    return out;
}

bool validFormat(const QString& f)
{
    return f == QLatin1String("table") || f == QLatin1String("csv") || f == QLatin1String("json");
}

/// Columns padded to their widest cell, two spaces apart.
QString formatTable(const QStringList& header, const std::vector<QStringList>& rows)
{
    std::vector<qsizetype> width(std::size_t(header.size()), 0);
    for (qsizetype c = 0; c < header.size(); ++c)
        width[std::size_t(c)] = header[c].size();
    for (const auto& row : rows)
        for (qsizetype c = 0; c < row.size() && c < header.size(); ++c)
            width[std::size_t(c)] = std::max(width[std::size_t(c)], row[c].size());
    auto line = [&](const QStringList& cells) -> QString {
        QString l;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            if (c + 1 < cells.size())
                l += cells[c].leftJustified(width[std::size_t(c)]) + QStringLiteral("  ");
            else
                l += cells[c];
        }
        return l + QLatin1Char('\n');
    };
    QString out = line(header);
    for (const auto& row : rows)
        out += line(row);
    return out;
}

QString formatRows(const QString& format, const QStringList& header, const std::vector<QStringList>& rows)
{
    if (format == QLatin1String("csv")) {
        QString out = header.join(QLatin1Char(',')).toLower() + QLatin1Char('\n');
        for (const auto& row : rows) {
            QStringList cells;
            for (const auto& c : row)
                cells << csvQuote(c);
            out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
        return out;
    }
    return formatTable(header, rows);
}

Result<std::unique_ptr<alert::AlertStore>> openStore(QCommandLineParser& p, const QCommandLineOption& db,
                                                     bool readOnly)
{
    if (!p.isSet(db))
        return fail(QStringLiteral("--db FILE is required"));
    return alert::AlertStore::open(p.value(db), readOnly);
}

int runAdd(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Adds an alert rule to the database. A collector using the database picks it up within a second."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file (created when missing)."),
                                QStringLiteral("FILE"));
    const QCommandLineOption name(QStringLiteral("name"),
                                  QStringLiteral("Rule name (letters, digits, _ - .)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption when(QStringLiteral("when"), kWhenHelp, QStringLiteral("EXPR"));
    const QCommandLineOption by(
        QStringLiteral("by"),
        QStringLiteral("Evaluate per source address, destination address, destination "
                       "port or exporter instead of over all traffic."),
        QStringLiteral("src|dst|port|exporter"));
    const QCommandLineOption filter(QStringLiteral("filter"),
                                    QStringLiteral("Only flows matching this filter (same language as "
                                                   "flowlens-cli flows --filter)."),
                                    QStringLiteral("EXPR"));
    const QCommandLineOption holdFor(
        QStringLiteral("for"),
        QStringLiteral("The condition must hold this long before the alert fires, "
                       "and be clear this long before it resolves (default 0: "
                       "the first second)."),
        QStringLiteral("DURATION"), QStringLiteral("0"));
    const QCommandLineOption cooldown(
        QStringLiteral("cooldown"),
        QStringLiteral("After an alert resolves, the rule (and key) stays quiet "
                       "this long (default 5m)."),
        QStringLiteral("DURATION"), QStringLiteral("5m"));
    const QCommandLineOption disabled(QStringLiteral("disabled"),
                                      QStringLiteral("Store the rule switched off."));
    p.addOptions({db, name, when, by, filter, holdFor, cooldown, disabled});
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 added, 1 the database cannot be written, 2 "
                                            "bad arguments or a rule of that name exists."));
        rc >= 0)
        return rc;
    const QString cmd = QStringLiteral("flowlens-cli alert add");
    if (!p.isSet(db) || !p.isSet(name) || !p.isSet(when)) {
        printErr(QStringLiteral("%1: --db FILE, --name NAME and --when EXPR are required\n").arg(cmd));
        return kExitUsage;
    }
    alert::GroupBy groupBy = alert::GroupBy::None;
    if (p.isSet(by)) {
        auto g = alert::parseGroupBy(p.value(by));
        if (!g || *g == alert::GroupBy::None) {
            printErr(QStringLiteral("%1: --by: \"%2\" is not a key; use src, dst, port or exporter\n")
                         .arg(cmd, p.value(by)));
            return kExitUsage;
        }
        groupBy = *g;
    }
    auto forS = query::parseDuration(p.value(holdFor));
    auto coolS = query::parseDuration(p.value(cooldown));
    if (!forS || !coolS) {
        printErr(QStringLiteral("%1: %2: %3\n")
                     .arg(cmd, forS ? QStringLiteral("--cooldown") : QStringLiteral("--for"),
                          forS ? coolS.error() : forS.error()));
        return kExitUsage;
    }
    auto rule = alert::makeRule(p.value(name), p.value(when), groupBy, p.value(filter), *forS, *coolS);
    if (!rule) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, rule.error()));
        return kExitUsage;
    }
    rule->enabled = !p.isSet(disabled);
    auto store = openStore(p, db, false);
    if (!store) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, store.error()));
        return kExitFailure;
    }
    if (auto existing = (*store)->rules(); existing) {
        for (const auto& r : *existing)
            if (r.name == rule->name) {
                printErr(QStringLiteral("%1: a rule named \"%2\" already exists; remove it first or choose "
                                        "another name\n")
                             .arg(cmd, rule->name));
                return kExitUsage;
            }
    }
    if (auto r = (*store)->addRule(*rule); !r) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, r.error()));
        return kExitFailure;
    }
    printErr(QStringLiteral("added rule \"%1\": %2%3%4, for %5, cool-down %6\n")
                 .arg(rule->name, rule->expression,
                      groupBy == alert::GroupBy::None ? QString()
                                                      : QStringLiteral(" per ") + alert::groupByName(groupBy),
                      rule->filterText.isEmpty() ? QString() : QStringLiteral(" where ") + rule->filterText,
                      durationText(rule->forSeconds), durationText(rule->cooldownSeconds)));
    return kExitOk;
}

int runList(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Lists the alert rules stored in the database."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file."),
                                QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("table, csv or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({db, format});
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 success, 1 the database cannot be read, 2 "
                                            "bad arguments."));
        rc >= 0)
        return rc;
    const QString cmd = QStringLiteral("flowlens-cli alert list");
    if (!p.isSet(db) || !validFormat(p.value(format))) {
        printErr(QStringLiteral("%1: %2\n")
                     .arg(cmd, p.isSet(db) ? QStringLiteral("--format must be table, csv or json")
                                           : QStringLiteral("--db FILE is required")));
        return kExitUsage;
    }
    auto store = openStore(p, db, true);
    if (!store) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, store.error()));
        return kExitFailure;
    }
    QStringList errors;
    auto rules = (*store)->rules(&errors);
    if (!rules) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, rules.error()));
        return kExitFailure;
    }
    for (const auto& e : errors)
        printErr(QStringLiteral("%1: warning: %2\n").arg(cmd, e));
    if (p.value(format) == QLatin1String("json")) {
        QJsonArray a;
        for (const auto& r : *rules) {
            QJsonObject o;
            o[QStringLiteral("name")] = r.name;
            o[QStringLiteral("when")] = r.expression;
            o[QStringLiteral("by")] = alert::groupByName(r.by);
            o[QStringLiteral("filter")] = r.filterText;
            o[QStringLiteral("for_s")] = qint64(r.forSeconds);
            o[QStringLiteral("cooldown_s")] = qint64(r.cooldownSeconds);
            o[QStringLiteral("enabled")] = r.enabled;
            o[QStringLiteral("baseline")] = r.condition.baseline;
            o[QStringLiteral("created")] = query::formatTime(r.createdNs, true);
            a.append(o);
        }
        printOut(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }
    std::vector<QStringList> rows;
    for (const auto& r : *rules)
        rows.push_back({r.name, r.expression, alert::groupByName(r.by), r.filterText,
                        durationText(r.forSeconds), durationText(r.cooldownSeconds),
                        r.enabled ? QStringLiteral("yes") : QStringLiteral("no")});
    if (rows.empty() && p.value(format) == QLatin1String("table")) {
        printErr(
            QStringLiteral("no alert rules in %1; add one with flowlens-cli alert add\n").arg(p.value(db)));
        return kExitOk;
    }
    printOut(formatRows(p.value(format),
                        {QStringLiteral("NAME"), QStringLiteral("WHEN"), QStringLiteral("BY"),
                         QStringLiteral("FILTER"), QStringLiteral("FOR"), QStringLiteral("COOLDOWN"),
                         QStringLiteral("ENABLED")},
                        rows));
    return kExitOk;
}

int runRemove(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Removes an alert rule; the alerts it fired stay in the log."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file."),
                                QStringLiteral("FILE"));
    p.addOptions({db});
    p.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The rule to remove."));
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 removed, 1 the database cannot be written "
                                            "or there is no such rule, 2 bad arguments."));
        rc >= 0)
        return rc;
    const QString cmd = QStringLiteral("flowlens-cli alert remove");
    if (!p.isSet(db) || p.positionalArguments().size() != 1) {
        printErr(QStringLiteral("%1: usage: flowlens-cli alert remove --db FILE NAME\n").arg(cmd));
        return kExitUsage;
    }
    auto store = openStore(p, db, false);
    if (!store) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, store.error()));
        return kExitFailure;
    }
    const QString name = p.positionalArguments().first();
    auto removed = (*store)->removeRule(name);
    if (!removed) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, removed.error()));
        return kExitFailure;
    }
    if (!*removed) {
        printErr(QStringLiteral("%1: there is no rule named \"%2\" (see flowlens-cli alert list)\n")
                     .arg(cmd, name));
        return kExitFailure;
    }
    printErr(QStringLiteral("removed rule \"%1\"\n").arg(name));
    return kExitOk;
}

int runLog(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Alerts that fired, newest first: the rule, its key, when it fired and resolved, the value then, the "
        "threshold and the peak, and the filter that shows the flows behind it (flowlens-cli flows "
        "--filter)."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Database file."),
                                QStringLiteral("FILE"));
    const QCommandLineOption since(
        QStringLiteral("since"),
        QStringLiteral("Only alerts active at or after TIME (e.g. -1h, 2026-11-28)."),
        QStringLiteral("TIME"));
    const QCommandLineOption rule(QStringLiteral("rule"), QStringLiteral("Only this rule's alerts."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most N alerts (default 100)."),
                                   QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("table, csv or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption samples(QStringLiteral("samples"),
                                     QStringLiteral("json: add the per-second values around each alert."));
    p.addOptions({db, since, rule, limit, format, samples});
    if (int rc = parseOrExit(p, args,
                             QStringLiteral("\n\nExit codes: 0 success, 1 the database cannot be read, 2 "
                                            "bad arguments."));
        rc >= 0)
        return rc;
    const QString cmd = QStringLiteral("flowlens-cli alert log");
    if (!p.isSet(db) || !validFormat(p.value(format))) {
        printErr(QStringLiteral("%1: %2\n")
                     .arg(cmd, p.isSet(db) ? QStringLiteral("--format must be table, csv or json")
                                           : QStringLiteral("--db FILE is required")));
        return kExitUsage;
    }
    alert::EventQuery q;
    q.rule = p.value(rule);
    bool ok = false;
    q.limit = std::size_t(p.value(limit).toUInt(&ok));
    if (!ok || q.limit == 0) {
        printErr(QStringLiteral("%1: --limit needs a positive number\n").arg(cmd));
        return kExitUsage;
    }
    if (p.isSet(since)) {
        auto t = query::parseTime(p.value(since), nowNs());
        if (!t) {
            printErr(QStringLiteral("%1: --since: %2\n").arg(cmd, t.error()));
            return kExitUsage;
        }
        q.sinceNs = *t;
    }
    const QString fmt = p.value(format);
    q.withSamples = fmt == QLatin1String("json") && p.isSet(samples);
    auto store = openStore(p, db, true);
    if (!store) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, store.error()));
        return kExitFailure;
    }
    auto events = (*store)->events(q);
    if (!events) {
        printErr(QStringLiteral("%1: %2\n").arg(cmd, events.error()));
        return kExitFailure;
    }
    auto number = [](double v) {
        return std::isnan(v) ? QString() : alert::formatValue(v);
    };
    if (fmt == QLatin1String("json")) {
        QJsonArray a;
        for (const auto& e : *events) {
            QJsonObject o;
            o[QStringLiteral("id")] = qint64(e.id);
            o[QStringLiteral("rule")] = e.rule;
            o[QStringLiteral("key")] = e.key;
            o[QStringLiteral("by")] = alert::groupByName(e.by);
            o[QStringLiteral("when")] = e.expression;
            o[QStringLiteral("metric")] = alert::metricName(e.metric);
            o[QStringLiteral("started")] = query::formatTime(e.startedNs, true);
            o[QStringLiteral("fired")] = query::formatTime(e.firedNs, true);
            o[QStringLiteral("resolved")] =
                e.active() ? QJsonValue(QJsonValue::Null) : QJsonValue(query::formatTime(e.resolvedNs, true));
            o[QStringLiteral("value")] = e.value;
            o[QStringLiteral("threshold")] =
                std::isnan(e.threshold) ? QJsonValue(QJsonValue::Null) : QJsonValue(e.threshold);
            o[QStringLiteral("peak")] = e.peak;
            o[QStringLiteral("flows_filter")] = e.flowFilter();
            if (q.withSamples) {
                QJsonArray s;
                for (const auto& x : e.samples)
                    s.append(
                        QJsonArray{qint64(x.second), x.value,
                                   std::isnan(x.threshold) ? QJsonValue(QJsonValue::Null) : x.threshold});
                o[QStringLiteral("samples")] = s;
            }
            a.append(o);
        }
        printOut(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }
    const bool csv = fmt == QLatin1String("csv");
    std::vector<QStringList> rows;
    for (const auto& e : *events) {
        const std::uint64_t end = e.active() ? nowNs() : e.resolvedNs;
        rows.push_back(
            {query::formatTime(e.firedNs, csv),
             e.active() ? QStringLiteral("firing") : query::formatTime(e.resolvedNs, csv), e.rule, e.key,
             alert::metricName(e.metric), number(e.value), number(e.threshold), number(e.peak),
             durationText(std::int64_t((end > e.startedNs ? end - e.startedNs : 0) / 1000000000ull)),
             e.flowFilter()});
    }
    if (rows.empty() && !csv) {
        printErr(QStringLiteral("no alerts in %1\n").arg(p.value(db)));
        return kExitOk;
    }
    printOut(formatRows(fmt,
                        {QStringLiteral("FIRED"), QStringLiteral("RESOLVED"), QStringLiteral("RULE"),
                         QStringLiteral("KEY"), QStringLiteral("METRIC"), QStringLiteral("VALUE"),
                         QStringLiteral("THRESHOLD"), QStringLiteral("PEAK"), QStringLiteral("DURATION"),
                         QStringLiteral("FLOWS_FILTER")},
                        rows));
    return kExitOk;
}

} // namespace

int runAlert(const QStringList& args)
{
    const QString sub = args.value(1);
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        (sub.isEmpty() ? printErr : printOut)(kAlertUsage);
        return sub.isEmpty() ? kExitUsage : kExitOk;
    }
    QStringList rest = args.mid(2);
    rest.prepend(QStringLiteral("alert ") + sub);
    if (sub == QLatin1String("add"))
        return runAdd(rest);
    if (sub == QLatin1String("list"))
        return runList(rest);
    if (sub == QLatin1String("remove"))
        return runRemove(rest);
    if (sub == QLatin1String("log"))
        return runLog(rest);
    printErr(QStringLiteral("flowlens-cli alert: unknown subcommand \"%1\"\n\n").arg(sub) + kAlertUsage);
    return kExitUsage;
}

} // namespace flowlens::cli
