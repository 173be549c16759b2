#pragma once

#include <functional>

#include <QByteArray>
#include <QObject>
#include <QString>

namespace flowlens::ui {

/// Writes `data` to `path` on a pool thread (never on the GUI thread) and calls `done` with an
/// empty string or an error message, on `context`'s thread, unless `context` is gone by then.
void saveInBackground(const QString& path, const QByteArray& data, QObject* context,
                      std::function<void(const QString& error)> done);

/// The same, synchronously (headless export, where there is no GUI to keep responsive).
QString saveNow(const QString& path, const QByteArray& data);

} // namespace flowlens::ui
