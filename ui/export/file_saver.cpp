#include "file_saver.h"

#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>

namespace flowlens::ui {

QString saveNow(const QString& path, const QByteArray& data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    if (file.write(data) != data.size() || !file.commit())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

void saveInBackground(const QString& path, const QByteArray& data, QObject* context,
                      std::function<void(const QString& error)> done)
{
    QPointer<QObject> guard(context);
    QThreadPool::globalInstance()->start([path, data, guard, done = std::move(done)] {
        const QString error = saveNow(path, data);
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, done, error] {
                if (guard && done)
                    done(error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace flowlens::ui
