#include "ui/services/single_instance.h"

#include <cstring>
#include <future>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QFile>
#include <QLockFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using flowlens::ui::SingleInstance;

namespace {

const QString kKey = QStringLiteral("io.github.flowlens.FlowLens");

/// A later start in another thread: its blocking start() must not need this thread's event loop
/// (the primary answers from it).
std::future<std::pair<SingleInstance::Role, qint64>> startSecond(const QString& dir, int timeoutMs)
{
    return std::async(std::launch::async, [dir, timeoutMs] {
        SingleInstance second(kKey, dir);
        const SingleInstance::Role role = second.start(timeoutMs);
        return std::make_pair(role, second.otherPid());
    });
}

/// Waits for `future` while this thread's event loop runs (the primary answers from it).
template <typename T>
bool waitFor(std::future<T>& future, int ms)
{
    QElapsedTimer t;
    t.start();
    while (future.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        if (t.elapsed() > ms)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

/// A socket file nobody listens on, as a crashed instance leaves it.
bool makeStaleSocket(const QString& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray p = QFile::encodeName(path);
    if (p.size() >= qsizetype(sizeof(addr.sun_path))) {
        ::close(fd);
        return false;
    }
    std::memcpy(addr.sun_path, p.constData(), size_t(p.size()));
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd); // closed without unlink: the file stays
    return ok && QFile::exists(path);
}

} // namespace

class TestSingleInstance : public QObject
{
    Q_OBJECT

private slots:
    void secondStartActivatesFirst()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SingleInstance first(kKey, dir.path());
        QCOMPARE(first.start(), SingleInstance::Role::Primary);
        QVERIFY2(first.warning().isEmpty(), qPrintable(first.warning()));
        QVERIFY(QFile::exists(first.socketPath()));
        QSignalSpy activated(&first, &SingleInstance::activationRequested);

        auto second = startSecond(dir.path(), 5000);
        QVERIFY(waitFor(second, 10000));
        const auto [role, pid] = second.get();
        QCOMPARE(role, SingleInstance::Role::Secondary);
        QCOMPARE(pid, QCoreApplication::applicationPid());
        QTRY_COMPARE(activated.count(), 1);

        // Every later start is answered too, not only the first one.
        auto third = startSecond(dir.path(), 5000);
        QVERIFY(waitFor(third, 10000));
        QCOMPARE(third.get().first, SingleInstance::Role::Secondary);
        QTRY_COMPARE(activated.count(), 2);
    }

    void quittingFreesTheName()
    {
        QTemporaryDir dir;
        QString socketPath;
        {
            SingleInstance first(kKey, dir.path());
            QCOMPARE(first.start(), SingleInstance::Role::Primary);
            socketPath = first.socketPath();
        }
        QVERIFY(!QFile::exists(socketPath));
        SingleInstance next(kKey, dir.path());
        QCOMPARE(next.start(), SingleInstance::Role::Primary);
    }

    void staleSocketAfterCrashIsReplaced()
    {
        QTemporaryDir dir;
        SingleInstance probe(kKey, dir.path());
        const QString socketPath = probe.socketPath();
        QVERIFY(makeStaleSocket(socketPath));

        SingleInstance first(kKey, dir.path());
        QCOMPARE(first.start(2000), SingleInstance::Role::Primary);
        QVERIFY2(first.warning().isEmpty(), qPrintable(first.warning()));
        QSignalSpy activated(&first, &SingleInstance::activationRequested);
        auto second = startSecond(dir.path(), 5000);
        QVERIFY(waitFor(second, 10000));
        QCOMPARE(second.get().first, SingleInstance::Role::Secondary);
        QTRY_COMPARE(activated.count(), 1);
    }

    void staleLockOfDeadProcessIsTakenOver()
    {
        QTemporaryDir dir;
        // A lock file naming a process that has exited, as a crash leaves it: written by a child
        // process that dies without cleaning up.
        const QString lockPath = dir.filePath(kKey + QStringLiteral(".lock"));
        const pid_t child = ::fork();
        if (child == 0) {
            QLockFile lock(lockPath);
            lock.tryLock(0);
            ::_exit(0); // no destructor: the file stays
        }
        QVERIFY(child > 0);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(QFile::exists(lockPath));
        QVERIFY(makeStaleSocket(dir.filePath(kKey + QStringLiteral(".socket"))));

        SingleInstance first(kKey, dir.path());
        QCOMPARE(first.start(2000), SingleInstance::Role::Primary);
        QVERIFY2(first.warning().isEmpty(), qPrintable(first.warning()));
    }

    void holderThatDoesNotAnswerIsReported()
    {
        QTemporaryDir dir;
        // Holds the lock like a running instance but never listens (hung before its event loop).
        QLockFile held(dir.filePath(kKey + QStringLiteral(".lock")));
        QVERIFY(held.tryLock(0));
        SingleInstance second(kKey, dir.path());
        QElapsedTimer t;
        t.start();
        QCOMPARE(second.start(600), SingleInstance::Role::Unreachable);
        QCOMPARE(second.otherPid(), QCoreApplication::applicationPid());
        QVERIFY(t.elapsed() < 5000);
    }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_single_instance.moc"
