#pragma once

#include <QLockFile>
#include <QObject>
#include <QString>

#include <memory>

class QLocalServer;
class QLocalSocket;

namespace flowlens::ui {

/// One collecting FlowLens per user. The first start holds a lock file and listens on a local
/// socket in the user's runtime folder; a later start connects, asks it to bring its window to the
/// front and exits before it binds any port. A crash leaves a lock naming a dead process and a
/// socket nobody listens on: both are recognised and replaced by the next start.
class SingleInstance : public QObject
{
    Q_OBJECT

public:
    enum class Role
    {
        Primary,     ///< this process runs the app (alone, or without single-instance support: see warning())
        Secondary,   ///< another instance runs and has been asked to show its window
        Unreachable, ///< another instance holds the lock but did not answer in time
    };

    /// `key` names the lock and socket files (the application id); `directory` defaults to the
    /// user's runtime folder ($XDG_RUNTIME_DIR).
    explicit SingleInstance(const QString& key, const QString& directory = QString(),
                            QObject* parent = nullptr);
    ~SingleInstance() override;

    /// Becomes the primary instance or activates the running one; blocks for at most `timeoutMs`.
    /// Needs no event loop (it runs before the window exists).
    Role start(int timeoutMs = 5000);

    /// Process id of the running instance, after start() returned Secondary or Unreachable.
    qint64 otherPid() const { return m_otherPid; }
    /// Why single-instance support is off for this run (Primary only), else empty.
    QString warning() const { return m_warning; }
    QString socketPath() const { return m_socketPath; }

signals:
    /// A later start asked this (primary) instance to show its window.
    void activationRequested();

private:
    void onNewConnection();
    void onRequest(QLocalSocket* socket);
    bool tryActivate(int timeoutMs);

    QString m_socketPath;
    QLockFile m_lock;
    std::unique_ptr<QLocalServer> m_server;
    qint64 m_otherPid = 0;
    QString m_warning;
};

} // namespace flowlens::ui
