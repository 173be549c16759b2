#pragma once

#include "core/forward/forward_config.h"
#include "core/forward/ingest_reply.h"
#include "core/util/result.h"

#include <functional>

#include <QByteArray>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

class QNetworkAccessManager;
class QTimer;

namespace flowlens::forward {

/// HTTP to one OpenObserve server: Basic authentication set on every request (not negotiated),
/// optional gzip bodies, a hard per-request timeout, redirects not followed, TLS verified unless
/// the configuration opts out. One request at a time. Lives on the thread that uses it (its
/// QNetworkAccessManager is created there on first use).
class IngestClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const HttpResult&)>;

    explicit IngestClient(QObject* parent = nullptr);
    ~IngestClient() override;

    /// Takes the URL, credentials, timeout and TLS settings. Fails on an unreadable CA file or
    /// when https is asked for and no TLS backend is available.
    Result<void> configure(const ForwardConfig& config);

    /// POSTs a JSON array to config.ingestUrl() (gzipped when configured). `done` runs once, on
    /// this object's thread, unless abort() cancels it first.
    void postJson(const QByteArray& json, Callback done);
    /// GETs config.healthUrl() without credentials.
    void getHealth(Callback done);
    /// Cancels the request on the wire; its callback runs with Transport::Aborted.
    void abort();
    bool isBusy() const { return m_reply != nullptr; }

private:
    void send(QNetworkRequest request, const QByteArray* body, Callback done);
    void onFinished();

    ForwardConfig m_config;
    QByteArray m_authorization;
    QSslConfiguration m_ssl;
    QNetworkAccessManager* m_nam = nullptr;
    QPointer<QNetworkReply> m_reply;
    QTimer* m_timeout = nullptr;
    Callback m_done;
    bool m_timedOut = false;
    bool m_aborted = false;
};

} // namespace flowlens::forward
