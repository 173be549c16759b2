#include "alert_store.h"

#include "core/store/schema.h"
#include "core/store/sqlite_db.h"

#include <cmath>
#include <limits>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace flowlens::alert {

namespace {

std::uint64_t wallNs()
{
    return std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
}

std::string utf8(const QString& s)
{
    return s.toStdString();
}

Result<bool> tableExists(store::Database& db, const char* name)
{
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?");
    if (!st)
        return fail(st.error());
    st->bind(1, std::string_view(name));
    if (!st->step())
        return fail(st->error());
    return st->columnInt(0) > 0;
}

Result<Metric> metricFromName(const QString& name)
{
    auto c = parseCondition(name + QStringLiteral(" > 0"));
    if (!c)
        return fail(c.error());
    return c->metric;
}

/// One alert_events row, columns in the order events() and unforwarded() select them.
AlertEvent readEvent(store::Statement& st, bool withSamples)
{
    AlertEvent e;
    e.id = st.columnInt(0);
    e.rule = st.columnText(1);
    e.key = st.columnText(2);
    e.expression = st.columnText(3);
    if (auto m = metricFromName(st.columnText(4)))
        e.metric = *m;
    if (auto by = parseGroupBy(st.columnText(5)))
        e.by = *by;
    e.filterText = st.columnText(6);
    e.startedNs = std::uint64_t(st.columnInt(7));
    e.firedNs = std::uint64_t(st.columnInt(8));
    e.resolvedNs = st.columnIsNull(9) ? 0 : std::uint64_t(st.columnInt(9));
    e.value = st.columnDouble(10);
    e.threshold = st.columnIsNull(11) ? std::numeric_limits<double>::quiet_NaN() : st.columnDouble(11);
    e.peak = st.columnDouble(12);
    if (withSamples)
        e.samples = samplesFromJson(st.columnText(13).toUtf8());
    return e;
}

} // namespace

QByteArray samplesToJson(const std::vector<AlertSample>& samples)
{
    QJsonArray a;
    for (const auto& s : samples) {
        QJsonArray row;
        row.append(qint64(s.second));
        row.append(s.value);
        if (std::isnan(s.threshold))
            row.append(QJsonValue(QJsonValue::Null));
        else
            row.append(s.threshold);
        a.append(row);
    }
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

std::vector<AlertSample> samplesFromJson(const QByteArray& json)
{
    std::vector<AlertSample> out;
    const QJsonArray a = QJsonDocument::fromJson(json).array();
    out.reserve(std::size_t(a.size()));
    for (const auto& v : a) {
        const QJsonArray row = v.toArray();
        if (row.size() < 3)
            continue;
        AlertSample s;
        s.second = row.at(0).toInteger();
        s.value = row.at(1).toDouble();
        s.threshold = row.at(2).isNull() ? std::numeric_limits<double>::quiet_NaN() : row.at(2).toDouble();
        out.push_back(s);
    }
    return out;
}

AlertStore::~AlertStore() = default;

Result<std::unique_ptr<AlertStore>> AlertStore::open(const QString& path, bool readOnly)
{
    auto db = store::Database::open(path, readOnly ? store::Database::Mode::ReadOnly
                                                   : store::Database::Mode::ReadWrite);
    if (!db)
        return fail(db.error());
    if (readOnly) {
        if (auto v = store::checkReadable(*db); !v)
            return fail(v.error());
    } else if (auto r = store::migrate(*db); !r) {
        return fail(r.error());
    }
    std::unique_ptr<AlertStore> s(new AlertStore);
    s->m_db = std::make_unique<store::Database>(std::move(*db));
    auto has = tableExists(*s->m_db, "alert_rules");
    if (!has)
        return fail(has.error());
    s->m_hasTables = *has;
    return s;
}

QString AlertStore::path() const
{
    return m_db->path();
}

Result<void> AlertStore::addRule(const AlertRule& rule)
{
    auto exists = m_db->prepare("SELECT count(*) FROM alert_rules WHERE name=?");
    if (!exists)
        return fail(exists.error());
    exists->bind(1, utf8(rule.name));
    if (!exists->step())
        return fail(exists->error());
    if (exists->columnInt(0) > 0)
        return fail(
            QStringLiteral("a rule named \"%1\" already exists; remove it first or choose another name")
                .arg(rule.name));
    auto st = m_db->prepare("INSERT INTO alert_rules(name, expression, by_key, filter, for_s, cooldown_s, "
                            "enabled, created_ns) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return fail(st.error());
    st->bind(1, utf8(rule.name))
        .bind(2, utf8(rule.expression))
        .bind(3, utf8(groupByName(rule.by)))
        .bind(4, utf8(rule.filterText))
        .bind(5, std::int64_t(rule.forSeconds))
        .bind(6, std::int64_t(rule.cooldownSeconds))
        .bind(7, std::int64_t(rule.enabled ? 1 : 0))
        .bind(8, std::int64_t(rule.createdNs ? rule.createdNs : wallNs()));
    return st->run();
}

Result<bool> AlertStore::removeRule(const QString& name)
{
    auto st = m_db->prepare("DELETE FROM alert_rules WHERE name=?");
    if (!st)
        return fail(st.error());
    st->bind(1, utf8(name));
    if (auto r = st->run(); !r)
        return fail(r.error());
    return m_db->changes() > 0;
}

Result<void> AlertStore::setEnabled(const QString& name, bool enabled)
{
    auto st = m_db->prepare("UPDATE alert_rules SET enabled=? WHERE name=?");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(enabled ? 1 : 0)).bind(2, utf8(name));
    if (auto r = st->run(); !r)
        return fail(r.error());
    if (m_db->changes() == 0)
        return fail(QStringLiteral("there is no rule named \"%1\"").arg(name));
    return {};
}

Result<std::vector<AlertRule>> AlertStore::rules(QStringList* errors)
{
    std::vector<AlertRule> out;
    if (!m_hasTables)
        return out;
    auto st = m_db->prepare("SELECT name, expression, by_key, filter, for_s, cooldown_s, enabled, created_ns "
                            "FROM alert_rules ORDER BY name");
    if (!st)
        return fail(st.error());
    while (st->step()) {
        const QString name = st->columnText(0);
        auto by = parseGroupBy(st->columnText(2));
        auto rule =
            by ? makeRule(name, st->columnText(1), *by, st->columnText(3), st->columnInt(4), st->columnInt(5))
               : Result<AlertRule>(fail(by.error()));
        if (!rule) {
            // Written by another build or edited by hand: skip it, but say so.
            if (errors)
                *errors << QStringLiteral("rule \"%1\": %2").arg(name, rule.error());
            continue;
        }
        rule->enabled = st->columnInt(6) != 0;
        rule->createdNs = std::uint64_t(st->columnInt(7));
        out.push_back(std::move(*rule));
    }
    if (st->hasError())
        return fail(st->error());
    return out;
}

Result<QString> AlertStore::rulesVersion()
{
    if (!m_hasTables)
        return QString();
    // Names, definitions and switches in one string: any edit changes it. A few rules: cheap.
    auto st =
        m_db->prepare("SELECT group_concat(name || char(31) || expression || char(31) || by_key || "
                      "char(31) || filter || char(31) || for_s || char(31) || cooldown_s || char(31) || "
                      "enabled, char(30)) FROM (SELECT * FROM alert_rules ORDER BY name)");
    if (!st)
        return fail(st.error());
    if (!st->step())
        return fail(st->error());
    return st->columnText(0);
}

Result<void> AlertStore::saveEvents(std::vector<AlertEvent>& events)
{
    if (events.empty())
        return {};
    store::Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto insert = m_db->prepare("INSERT INTO alert_events(rule, key, expression, metric, by_key, filter, "
                                "started_ns, fired_ns, resolved_ns, value, threshold, peak, samples) "
                                "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto update = m_db->prepare("UPDATE alert_events SET resolved_ns=?, peak=?, samples=? WHERE id=?");
    if (!insert || !update)
        return fail(insert ? update.error() : insert.error());
    auto bindResolved = [](store::Statement& st, int index, const AlertEvent& e) {
        if (e.resolvedNs)
            st.bind(index, std::int64_t(e.resolvedNs));
        else
            st.bindNull(index);
    };
    for (auto& e : events) {
        const QByteArray samples = samplesToJson(e.samples);
        const std::string_view samplesText(samples.constData(), std::size_t(samples.size()));
        if (e.id == 0) {
            insert->reset();
            insert->bind(1, utf8(e.rule))
                .bind(2, utf8(e.key))
                .bind(3, utf8(e.expression))
                .bind(4, utf8(metricName(e.metric)))
                .bind(5, utf8(groupByName(e.by)))
                .bind(6, utf8(e.filterText))
                .bind(7, std::int64_t(e.startedNs))
                .bind(8, std::int64_t(e.firedNs));
            bindResolved(*insert, 9, e);
            insert->bind(10, e.value);
            if (std::isnan(e.threshold))
                insert->bindNull(11);
            else
                insert->bind(11, e.threshold);
            insert->bind(12, e.peak).bind(13, samplesText);
            if (auto r = insert->run(); !r)
                return fail(r.error());
            e.id = m_db->lastInsertRowId();
        } else {
            update->reset();
            bindResolved(*update, 1, e);
            update->bind(2, e.peak).bind(3, samplesText).bind(4, e.id);
            if (auto r = update->run(); !r)
                return fail(r.error());
        }
    }
    return tx.commit();
}

Result<std::vector<AlertEvent>> AlertStore::events(const EventQuery& query)
{
    std::vector<AlertEvent> out;
    if (!m_hasTables)
        return out;
    std::string sql = "SELECT id, rule, key, expression, metric, by_key, filter, started_ns, fired_ns, "
                      "resolved_ns, value, threshold, peak, ";
    sql += query.withSamples ? "samples" : "''";
    sql += query.activeOnly ? " FROM alert_events WHERE resolved_ns IS NULL AND ? >= 0"
                            : " FROM alert_events WHERE (resolved_ns IS NULL OR resolved_ns >= ?)";
    if (!query.rule.isEmpty())
        sql += " AND rule = ?";
    sql += " ORDER BY fired_ns DESC, id DESC LIMIT ?";
    auto st = m_db->prepare(sql);
    if (!st)
        return fail(st.error());
    int i = 1;
    st->bind(i++, std::int64_t(std::min<std::uint64_t>(query.sinceNs, INT64_MAX)));
    if (!query.rule.isEmpty())
        st->bind(i++, utf8(query.rule));
    st->bind(i, std::int64_t(std::min<std::size_t>(query.limit, std::size_t(INT64_MAX))));
    while (st->step())
        out.push_back(readEvent(*st, query.withSamples));
    if (st->hasError())
        return fail(st->error());
    return out;
}

Result<int> AlertStore::resolveDangling()
{
    if (!m_hasTables)
        return 0;
    EventQuery q;
    q.limit = 100000;
    q.activeOnly = true;
    auto open = events(q);
    if (!open)
        return fail(open.error());
    std::vector<AlertEvent> dangling;
    for (auto& e : *open) {
        if (!e.active())
            continue;
        const std::uint64_t last =
            e.samples.empty() ? e.firedNs : std::uint64_t(e.samples.back().second + 1) * 1000000000ull;
        e.resolvedNs = std::max(last, e.firedNs);
        dangling.push_back(std::move(e));
    }
    if (auto r = saveEvents(dangling); !r)
        return fail(r.error());
    return int(dangling.size());
}

Result<std::vector<AlertStore::Unforwarded>> AlertStore::unforwarded(std::size_t limit)
{
    std::vector<Unforwarded> out;
    if (!m_hasTables)
        return out;
    auto st = m_db->prepare(
        "SELECT id, rule, key, expression, metric, by_key, filter, started_ns, fired_ns, "
        "resolved_ns, value, threshold, peak, '', forwarded FROM alert_events WHERE forwarded = 0 "
        "OR (forwarded = 1 AND resolved_ns IS NOT NULL) ORDER BY id LIMIT ?");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(std::min<std::size_t>(limit, INT32_MAX)));
    while (st->step()) {
        Unforwarded u;
        u.event = readEvent(*st, false);
        u.fired = st->columnInt(14) == 0;
        u.resolved = !u.event.active();
        out.push_back(std::move(u));
    }
    if (st->hasError())
        return fail(st->error());
    return out;
}

Result<void> AlertStore::markForwarded(const std::vector<std::pair<std::int64_t, int>>& levels)
{
    if (levels.empty())
        return {};
    store::Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto st = m_db->prepare("UPDATE alert_events SET forwarded = max(forwarded, ?) WHERE id = ?");
    if (!st)
        return fail(st.error());
    for (const auto& [id, level] : levels) {
        st->reset();
        st->bind(1, std::int64_t(level)).bind(2, id);
        if (auto r = st->run(); !r)
            return fail(r.error());
    }
    return tx.commit();
}

} // namespace flowlens::alert
