#include "secret_store.h"

#include <cstdio>

#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <qt6keychain/keychain.h>

namespace flowlens::ui {

namespace {

const QString kService = QStringLiteral("FlowLens");
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

/// Errors that mean "there is no keychain here" (no D-Bus, no Secret Service, no KWallet), as
/// opposed to a keychain that refused (locked, access denied), which must not silently become a file.
bool noKeychain(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented ||
           error == QKeychain::OtherError;
}

} // namespace

SecretStore::SecretStore(bool preferKeychain, const QString& filePath, QObject* parent)
    : QObject(parent)
    , m_backend(preferKeychain ? Backend::Keychain : Backend::File)
    , m_filePath(filePath.isEmpty() ? defaultFilePath() : filePath)
{}

SecretStore::~SecretStore() = default;

QString SecretStore::defaultFilePath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.config/flowlens");
    return QDir(dir).filePath(QStringLiteral("secrets.json"));
}

QString SecretStore::forwardKey()
{
    return QStringLiteral("forward/openobserve");
}

QString SecretStore::warning() const
{
    if (m_backend == Backend::Keychain)
        return {};
    return QStringLiteral("No system keychain is available, so the secret is kept in %1, readable only "
                          "by your user (mode 0600) but not encrypted: anyone with access to your account "
                          "or its backups can read it. Prefer an ingestion token over your password.")
        .arg(QDir::toNativeSeparators(m_filePath));
}

void SecretStore::later(std::function<void()> f)
{
    QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection);
}

void SecretStore::useFile()
{
    if (m_backend == Backend::File)
        return;
    m_backend = Backend::File;
    emit backendChanged(m_backend);
}

void SecretStore::read(const QString& key, ReadCallback done)
{
    if (m_backend == Backend::File) {
        later([this, key, done] { done(readFile(key)); });
        return;
    }
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(key);
    job->setInsecureFallback(false); // QtKeychain's fallback is plain QSettings
    connect(job, &QKeychain::Job::finished, this, [this, job, key, done] {
        if (job->error() == QKeychain::NoError) {
            done(job->textData());
        } else if (job->error() == QKeychain::EntryNotFound) {
            // Saved to the file while no keychain was running (e.g. before logging in to a desktop).
            done(readFile(key));
        } else if (noKeychain(job->error())) {
            useFile();
            done(readFile(key));
        } else {
            done(fail(QStringLiteral("the system keychain did not give the secret (%1): unlock it and "
                                     "open Settings again")
                          .arg(job->errorString())));
        }
    });
    job->start();
}

void SecretStore::write(const QString& key, const QString& secret, WriteCallback done)
{
    if (m_backend == Backend::File) {
        later([this, key, secret, done] { done(writeFile(key, secret)); });
        return;
    }
    QKeychain::Job* job = nullptr;
    if (secret.isEmpty()) {
        auto* remove = new QKeychain::DeletePasswordJob(kService, this);
        remove->setKey(key);
        job = remove;
    } else {
        auto* store = new QKeychain::WritePasswordJob(kService, this);
        store->setKey(key);
        store->setTextData(secret);
        job = store;
    }
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, job, key, secret, done] {
        if (job->error() == QKeychain::NoError ||
            (secret.isEmpty() && job->error() == QKeychain::EntryNotFound)) {
            // A copy left in the file from a session without a keychain must not outlive this one.
            if (QFileInfo::exists(m_filePath))
                (void)writeFile(key, QString());
            done({});
        } else if (noKeychain(job->error())) {
            useFile();
            done(writeFile(key, secret));
        } else {
            done(fail(QStringLiteral("the system keychain did not store the secret (%1): unlock it and "
                                     "apply again")
                          .arg(job->errorString())));
        }
    });
    job->start();
}

Result<QString> SecretStore::readFile(const QString& key) const
{
    QFile file(m_filePath);
    if (!file.exists())
        return QString();
    // Someone widened the mode (a copy, a restore from backup): narrow it again before reading.
    constexpr QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (file.permissions() & others)
        (void)file.setPermissions(kOwnerOnly);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1 (%2): check its owner and permissions")
                        .arg(m_filePath, file.errorString()));
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    if (!doc.isObject())
        return fail(QStringLiteral("%1 is damaged: delete it and enter the secret again").arg(m_filePath));
    return doc.object().value(key).toString();
}

Result<void> SecretStore::writeFile(const QString& key, const QString& secret) const
{
    QJsonObject secrets;
    if (QFileInfo::exists(m_filePath)) {
        QFile old(m_filePath);
        if (old.open(QIODevice::ReadOnly)) {
            const QJsonDocument doc = QJsonDocument::fromJson(old.readAll());
            if (doc.isObject())
                secrets = doc.object();
        }
    }
    if (secret.isEmpty())
        secrets.remove(key);
    else
        secrets.insert(key, secret);
    if (secrets.isEmpty()) {
        if (QFileInfo::exists(m_filePath) && !QFile::remove(m_filePath))
            return fail(QStringLiteral("cannot remove %1: check its permissions").arg(m_filePath));
        return {};
    }
    const QString dir = QFileInfo(m_filePath).absolutePath();
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create the folder %1 for the secret").arg(dir));
    // Created 0600 from the first byte (not chmod-ed afterwards) and renamed over the old file, so
    // the secret is never readable by others and never half written.
    const QString tmpPath = m_filePath + QStringLiteral(".tmp");
    QFile::remove(tmpPath);
    QFile tmp(tmpPath);
    if (!tmp.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly))
        return fail(QStringLiteral("cannot write %1 (%2): check the folder's permissions")
                        .arg(tmpPath, tmp.errorString()));
    const QByteArray bytes = QJsonDocument(secrets).toJson(QJsonDocument::Compact);
    const bool written = tmp.write(bytes) == bytes.size() && tmp.flush() && ::fsync(tmp.handle()) == 0;
    tmp.close();
    if (!written ||
        std::rename(QFile::encodeName(tmpPath).constData(), QFile::encodeName(m_filePath).constData()) != 0) {
        QFile::remove(tmpPath);
        return fail(
            QStringLiteral("cannot write %1: is the disk full or the folder read-only?").arg(m_filePath));
    }
    return {};
}

} // namespace flowlens::ui
