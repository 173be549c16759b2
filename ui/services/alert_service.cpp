#include "alert_service.h"

#include "core/alert/alert_store.h"

#include <QFileInfo>
#include <QThread>

namespace flowlens::ui {

/// Touched only on the service's thread.
struct AlertService::State
{
    QString path;
    std::unique_ptr<alert::AlertStore> store;

    /// The open store, (re)opened for the current path; null with `error` set when that fails.
    /// `create`: make the database when it does not exist yet (adding a rule before collecting).
    alert::AlertStore* open(bool create, QString& error)
    {
        if (store && store->path() == path)
            return store.get();
        store.reset();
        if (path.isEmpty() || (!create && !QFileInfo::exists(path)))
            return nullptr;
        auto s = alert::AlertStore::open(path);
        if (!s) {
            error = s.error();
            return nullptr;
        }
        store = std::move(*s);
        return store.get();
    }
};

AlertService::AlertService(const QString& databasePath, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_context(new QObject)
    , m_state(std::make_shared<State>())
    , m_path(databasePath)
{
    qRegisterMetaType<AlertsData>();
    m_thread->setObjectName(QStringLiteral("flowlens-alerts"));
    m_context->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_context, [state = m_state, databasePath] { state->path = databasePath; });
}

AlertService::~AlertService()
{
    // The store closes on its own thread (the last queued lambda releases it).
    QMetaObject::invokeMethod(m_context, [state = m_state] { state->store.reset(); });
    m_thread->quit();
    m_thread->wait();
}

void AlertService::setDatabasePath(const QString& path)
{
    m_path = path;
    QMetaObject::invokeMethod(m_context, [state = m_state, path] { state->path = path; });
    refresh();
}

void AlertService::refresh()
{
    QMetaObject::invokeMethod(m_context, [this, state = m_state, limit = m_historyLimit] {
        AlertsData data;
        auto* store = state->open(false, data.error);
        if (store) {
            QStringList ruleErrors;
            auto rules = store->rules(&ruleErrors);
            alert::EventQuery q;
            q.limit = std::size_t(limit);
            auto events = store->events(q);
            if (rules)
                data.rules = std::move(*rules);
            if (events)
                data.events = std::move(*events);
            data.error =
                !rules ? rules.error() : (!events ? events.error() : ruleErrors.join(QStringLiteral("; ")));
        }
        // `this` is the context: when the service is gone the call is dropped.
        QMetaObject::invokeMethod(this, [this, data = std::move(data)] {
            m_data = data;
            emit loaded(m_data);
        });
    });
}

void AlertService::addRule(const alert::AlertRule& rule)
{
    QMetaObject::invokeMethod(m_context, [this, state = m_state, rule] {
        QString error;
        auto* store = state->open(true, error);
        if (store) {
            if (auto r = store->addRule(rule); !r)
                error = r.error();
        }
        QMetaObject::invokeMethod(this, [this, error] {
            emit ruleChanged(error.isEmpty(), error);
            refresh();
        });
    });
}

void AlertService::removeRule(const QString& name)
{
    QMetaObject::invokeMethod(m_context, [this, state = m_state, name] {
        QString error;
        auto* store = state->open(false, error);
        if (store) {
            auto r = store->removeRule(name);
            if (!r)
                error = r.error();
            else if (!*r)
                error = QStringLiteral("there is no rule named \"%1\"").arg(name);
        } else if (error.isEmpty()) {
            error = QStringLiteral("there is no database yet");
        }
        QMetaObject::invokeMethod(this, [this, error] {
            emit ruleChanged(error.isEmpty(), error);
            refresh();
        });
    });
}

void AlertService::setEnabled(const QString& name, bool enabled)
{
    QMetaObject::invokeMethod(m_context, [this, state = m_state, name, enabled] {
        QString error;
        auto* store = state->open(false, error);
        if (store) {
            if (auto r = store->setEnabled(name, enabled); !r)
                error = r.error();
        } else if (error.isEmpty()) {
            error = QStringLiteral("there is no database yet");
        }
        QMetaObject::invokeMethod(this, [this, error] {
            emit ruleChanged(error.isEmpty(), error);
            refresh();
        });
    });
}

} // namespace flowlens::ui
