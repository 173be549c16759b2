#include "single_instance.h"

#include <algorithm>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>

namespace flowlens::ui {

namespace {

constexpr char kActivate[] = "activate\n";
constexpr char kReplyPrefix[] = "ok ";

QString runtimeDirectory(const QString& directory)
{
    if (!directory.isEmpty())
        return directory;
    // $XDG_RUNTIME_DIR, or a private /tmp/runtime-USER that Qt creates: per user either way.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return dir.isEmpty() ? QDir::tempPath() : dir;
}

} // namespace

SingleInstance::SingleInstance(const QString& key, const QString& directory, QObject* parent)
    : QObject(parent)
    , m_socketPath(QString(runtimeDirectory(directory) % QLatin1Char('/') % key % QLatin1String(".socket")))
    , m_lock(QString(runtimeDirectory(directory) % QLatin1Char('/') % key % QLatin1String(".lock")))
{
    // The lock lives as long as the app: never call it stale because of its age, only when the
    // process it names is gone.
    m_lock.setStaleLockTime(0);
}

SingleInstance::~SingleInstance()
{
    if (m_server)
        m_server->close(); // removes the socket file before the lock is released
}

SingleInstance::Role SingleInstance::start(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        if (m_lock.tryLock(0)) {
            // We own the lock, so a socket file left here is from a crashed instance.
            QLocalServer::removeServer(m_socketPath);
            m_server = std::make_unique<QLocalServer>();
            m_server->setSocketOptions(QLocalServer::UserAccessOption);
            if (!m_server->listen(m_socketPath)) {
                m_warning =
                    QStringLiteral("cannot listen on %1 (%2): a second start will not find this window")
                        .arg(m_socketPath, m_server->errorString());
                m_server.reset();
                return Role::Primary;
            }
            connect(m_server.get(), &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
            return Role::Primary;
        }
        if (m_lock.error() != QLockFile::LockFailedError) {
            // The runtime folder is not writable or similar: run without single-instance support
            // rather than not at all.
            m_warning =
                QStringLiteral("cannot create the lock file in %1: a second start will not find this window")
                    .arg(QFileInfo(m_socketPath).absolutePath());
            return Role::Primary;
        }
        qint64 pid = 0;
        QString host, app;
        if (m_lock.getLockInfo(&pid, &host, &app))
            m_otherPid = pid;
        // The holder may be between taking the lock and listening, or may just have quit (then the
        // lock is free on the next round): retry until the deadline.
        if (tryActivate(int(std::clamp<qint64>(deadline.remainingTime(), 50, 1000))))
            return Role::Secondary;
        if (deadline.hasExpired())
            return Role::Unreachable;
        QThread::msleep(50);
    }
}

bool SingleInstance::tryActivate(int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(m_socketPath);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(kActivate);
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    QByteArray reply;
    const QDeadlineTimer deadline(timeoutMs);
    while (!reply.contains('\n')) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            return false;
        reply += socket.readAll();
        if (reply.size() > 64)
            return false; // not our protocol
    }
    if (!reply.startsWith(kReplyPrefix))
        return false;
    bool ok = false;
    const qint64 pid = reply.mid(int(sizeof(kReplyPrefix)) - 1).trimmed().toLongLong(&ok);
    if (ok)
        m_otherPid = pid;
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onRequest(socket); });
        onRequest(socket); // the request may already be buffered
    }
}

void SingleInstance::onRequest(QLocalSocket* socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > 64)
            socket->abort(); // a client that does not speak the protocol
        return;
    }
    const QByteArray line = socket->readLine();
    if (line == kActivate) {
        socket->write(QByteArray(kReplyPrefix) + QByteArray::number(QCoreApplication::applicationPid()) +
                      '\n');
        socket->flush();
        emit activationRequested();
    }
    socket->disconnectFromServer();
}

} // namespace flowlens::ui
