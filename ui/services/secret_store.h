#pragma once

#include "core/util/result.h"

#include <functional>

#include <QObject>
#include <QString>

namespace flowlens::ui {

/// Keeps secrets (the forwarding password or token) out of QSettings: in the system keychain
/// through QtKeychain (Secret Service, KWallet) when one answers, otherwise in a JSON file that only
/// the user can read (mode 0600) in the app's config folder. Which one is in use is visible
/// (backend(), warning()), because a file is weaker than a keychain. Secrets are never logged.
///
/// Every call returns at once and its callback runs later on this object's thread (also for the
/// file, so callers see one behaviour). GUI thread.
class SecretStore : public QObject
{
    Q_OBJECT

public:
    enum class Backend
    {
        Keychain,
        File,
    };

    using ReadCallback = std::function<void(const Result<QString>&)>;
    using WriteCallback = std::function<void(const Result<void>&)>;

    /// `preferKeychain` false: the file only (tests, CI: deterministic). With true, the first
    /// keychain operation that finds no keychain service switches to the file for good and emits
    /// backendChanged(). `filePath` empty: defaultFilePath().
    explicit SecretStore(bool preferKeychain, const QString& filePath = {}, QObject* parent = nullptr);
    ~SecretStore() override;

    Backend backend() const { return m_backend; }
    QString filePath() const { return m_filePath; }
    /// What the settings page shows when the secret is in the file; empty with the keychain.
    QString warning() const;

    /// The secret stored under `key`; an empty string when there is none.
    void read(const QString& key, ReadCallback done);
    /// Stores `secret` under `key`; an empty secret removes the entry.
    void write(const QString& key, const QString& secret, WriteCallback done);

    /// <config folder>/secrets.json, e.g. ~/.config/FlowLens/flowlens/secrets.json.
    static QString defaultFilePath();
    /// The key of the OpenObserve forwarding secret.
    static QString forwardKey();

signals:
    void backendChanged(flowlens::ui::SecretStore::Backend backend);

private:
    Result<QString> readFile(const QString& key) const;
    Result<void> writeFile(const QString& key, const QString& secret) const;
    void useFile();
    void later(std::function<void()> f);

    Backend m_backend;
    QString m_filePath;
};

} // namespace flowlens::ui
