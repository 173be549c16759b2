#include "fake_openobserve.h"

#include "core/forward/gzip.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QSet>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace flowlens::test {

namespace {

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

QByteArray errorJson(int code, const QString& message)
{
    QJsonObject o;
    o[QStringLiteral("code")] = code;
    o[QStringLiteral("message")] = message;
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString typeOf(const QJsonValue& v)
{
    if (v.isDouble())
        return QStringLiteral("number");
    if (v.isBool())
        return QStringLiteral("bool");
    return QStringLiteral("string");
}

/// OpenObserve's flattening: lowercase keys, [^a-z0-9_] -> _, nested objects joined with _,
/// arrays as JSON strings, nulls dropped.
void flatten(const QJsonObject& in, const QString& prefix, QJsonObject& out, int& nulls, int& nested)
{
    static const QRegularExpression bad(QStringLiteral("[^a-z0-9_]"));
    for (auto it = in.begin(); it != in.end(); ++it) {
        QString key = (prefix.isEmpty() ? QString() : prefix + QLatin1Char('_')) + it.key().toLower();
        key.replace(bad, QStringLiteral("_"));
        const QJsonValue v = it.value();
        if (v.isNull() || v.isUndefined()) {
            ++nulls;
        } else if (v.isObject()) {
            ++nested;
            flatten(v.toObject(), key, out, nulls, nested);
        } else if (v.isArray()) {
            out[key] = QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
        } else {
            out[key] = v;
        }
    }
}

/// Hands out each connection before its handshake, so that no decrypted byte arrives before the
/// server listens for it (QSslServer in Qt 6.4 can sit on a request sent with the handshake's end).
class TlsServer : public QTcpServer
{
public:
    TlsServer(QSslConfiguration config, QObject* parent)
        : QTcpServer(parent)
        , m_config(std::move(config))
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto* socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSslConfiguration(m_config);
        addPendingConnection(socket);
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_config;
};

} // namespace

FakeOpenObserve::FakeOpenObserve()
{
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("fake-openobserve"));
    m_home = new QObject;
    m_home->moveToThread(m_thread);
    m_thread->start();
}

FakeOpenObserve::~FakeOpenObserve()
{
    onServerThread([this] {
        closeServer();
        delete m_home;
    });
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void FakeOpenObserve::onServerThread(const std::function<void()>& f)
{
    QMetaObject::invokeMethod(m_home, f, Qt::BlockingQueuedConnection);
}

bool FakeOpenObserve::listen(quint16 port)
{
    bool ok = false;
    onServerThread([&] {
        closeServer();
        QSslCertificate certificate;
        QSslKey key;
        {
            QMutexLocker lock(&m_mutex);
            certificate = m_certificate;
            key = m_key;
        }
        if (!certificate.isNull()) {
            QSslConfiguration config = QSslConfiguration::defaultConfiguration();
            config.setLocalCertificate(certificate);
            config.setPrivateKey(key);
            config.setPeerVerifyMode(QSslSocket::VerifyNone);
            m_server = new TlsServer(config, m_home);
        } else {
            m_server = new QTcpServer(m_home);
        }
        QObject::connect(m_server, &QTcpServer::newConnection, m_home, [this] { onNewConnection(); });
        ok = m_server->listen(QHostAddress::LocalHost, port);
        if (ok) {
            QMutexLocker lock(&m_mutex);
            m_port = m_server->serverPort();
        }
    });
    return ok;
}

void FakeOpenObserve::close()
{
    onServerThread([this] { closeServer(); });
}

void FakeOpenObserve::closeServer()
{
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    const auto sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket* s : sockets) {
        s->disconnect(m_home);
        s->abort();
        s->deleteLater();
    }
}

quint16 FakeOpenObserve::port() const
{
    QMutexLocker lock(&m_mutex);
    return m_port;
}

QString FakeOpenObserve::url() const
{
    QMutexLocker lock(&m_mutex);
    return QStringLiteral("%1://127.0.0.1:%2")
        .arg(m_certificate.isNull() ? QStringLiteral("http") : QStringLiteral("https"))
        .arg(m_port);
}

void FakeOpenObserve::setTls(const QSslCertificate& certificate, const QSslKey& key)
{
    QMutexLocker lock(&m_mutex);
    m_certificate = certificate;
    m_key = key;
}

void FakeOpenObserve::setCredentials(const QString& user, const QString& secret)
{
    QMutexLocker lock(&m_mutex);
    m_user = user;
    m_secret = secret;
}

void FakeOpenObserve::addOrganisation(const QString& org)
{
    QMutexLocker lock(&m_mutex);
    m_orgs.append(org);
}

void FakeOpenObserve::setPayloadLimit(qint64 bytes)
{
    QMutexLocker lock(&m_mutex);
    m_payloadLimit = bytes;
}

void FakeOpenObserve::setIngestWindowSeconds(qint64 seconds)
{
    QMutexLocker lock(&m_mutex);
    m_windowSeconds = seconds;
}

void FakeOpenObserve::setMaxFieldsPerBatch(int n)
{
    QMutexLocker lock(&m_mutex);
    m_maxFields = n;
}

void FakeOpenObserve::queueStatuses(const QList<int>& statuses)
{
    QMutexLocker lock(&m_mutex);
    m_queued += statuses;
}

void FakeOpenObserve::setReplyDelayMs(int ms)
{
    QMutexLocker lock(&m_mutex);
    m_delayMs = ms;
}

void FakeOpenObserve::setBlackhole(bool on)
{
    QMutexLocker lock(&m_mutex);
    m_blackhole = on;
}

void FakeOpenObserve::setRejector(std::function<QString(const QJsonObject&)> rejector)
{
    QMutexLocker lock(&m_mutex);
    m_rejector = std::move(rejector);
}

QList<QJsonObject> FakeOpenObserve::records(const QString& stream) const
{
    QMutexLocker lock(&m_mutex);
    return m_records.value(stream);
}

int FakeOpenObserve::recordCount(const QString& stream) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_records.find(stream);
    return it == m_records.end() ? 0 : int(it->size());
}

QList<FakeOpenObserve::Request> FakeOpenObserve::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

int FakeOpenObserve::ingestRequests() const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const Request& r : m_requests)
        n += r.method == "POST" ? 1 : 0;
    return n;
}

int FakeOpenObserve::requestsWithStatus(int status) const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const Request& r : m_requests)
        n += r.status == status ? 1 : 0;
    return n;
}

int FakeOpenObserve::nullsSeen() const
{
    QMutexLocker lock(&m_mutex);
    return m_nulls;
}

int FakeOpenObserve::nestedSeen() const
{
    QMutexLocker lock(&m_mutex);
    return m_nested;
}

int FakeOpenObserve::idFieldsSeen() const
{
    QMutexLocker lock(&m_mutex);
    return m_idFields;
}

int FakeOpenObserve::typeConflicts() const
{
    QMutexLocker lock(&m_mutex);
    return m_typeConflicts;
}

int FakeOpenObserve::badTimestamps() const
{
    QMutexLocker lock(&m_mutex);
    return m_badTimestamps;
}

QHash<QString, QString> FakeOpenObserve::schema(const QString& stream) const
{
    QMutexLocker lock(&m_mutex);
    return m_schema.value(stream);
}

void FakeOpenObserve::onNewConnection()
{
    while (QTcpSocket* s = m_server->nextPendingConnection()) {
        s->setParent(m_home);
        m_connections.insert(s, Connection{});
        QObject::connect(s, &QTcpSocket::readyRead, m_home, [this, s] { onReadyRead(s); });
        QObject::connect(s, &QTcpSocket::disconnected, m_home, [this, s] {
            m_connections.remove(s);
            s->deleteLater();
        });
    }
}

void FakeOpenObserve::onReadyRead(QTcpSocket* socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->buffer += socket->readAll();
    while (!it->busy) {
        const qsizetype end = it->buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = it->buffer.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        QHash<QByteArray, QByteArray> headers;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            reply(socket, 400, "text/plain", "bad request line");
            socket->disconnectFromHost();
            return;
        }
        if (headers.contains("transfer-encoding")) {
            reply(socket, 411, "text/plain", "chunked bodies are not supported by the fake");
            socket->disconnectFromHost();
            return;
        }
        const qsizetype length = headers.value("content-length", "0").toLongLong();
        if (it->buffer.size() < end + 4 + length)
            return;
        const QByteArray body = it->buffer.mid(end + 4, length);
        it->buffer.remove(0, end + 4 + length);
        handle(socket, requestLine[0], requestLine[1], headers, body);
        it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
    }
}

void FakeOpenObserve::handle(QTcpSocket* socket, const QByteArray& method, const QByteArray& path,
                             const QHash<QByteArray, QByteArray>& headers, const QByteArray& body)
{
    Request log;
    log.method = method;
    log.path = path;
    log.encoding = headers.value("content-encoding");
    auto record = [this](const Request& r) {
        QMutexLocker lock(&m_mutex);
        m_requests.append(r);
    };
    if (method == "GET" && path == "/healthz") {
        log.status = 200;
        record(log);
        reply(socket, 200, "application/json", R"({"status":"ok"})");
        return;
    }
    static const QRegularExpression ingestPath(QStringLiteral("^/api/([^/]+)/([^/]+)/_json$"));
    const auto match = ingestPath.match(QString::fromUtf8(path));
    if (method != "POST" || !match.hasMatch()) {
        log.status = 404;
        record(log);
        reply(socket, 404, "text/plain", "Not Found");
        return;
    }
    const QString org = match.captured(1);
    const QString stream = match.captured(2);
    bool blackhole = false;
    int delayMs = 0;
    {
        QMutexLocker lock(&m_mutex);
        blackhole = m_blackhole;
        delayMs = m_delayMs;
    }
    if (blackhole) {
        m_connections[socket].busy = true; // read, never answered
        record(log);
        return;
    }
    if (delayMs > 0) {
        m_connections[socket].busy = true;
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(delayMs, m_home, [this, guard, org, stream, headers, body, log, record]() mutable {
            if (!guard || guard->state() != QAbstractSocket::ConnectedState ||
                !m_connections.contains(guard)) {
                log.status = -1; // the client gave up: dropped unprocessed
                record(log);
                return;
            }
            m_connections[guard].busy = false;
            ingest(guard, org, stream, headers, body, log);
            record(log);
            if (guard && m_connections.contains(guard))
                onReadyRead(guard);
        });
        return;
    }
    ingest(socket, org, stream, headers, body, log);
    record(log);
}

void FakeOpenObserve::ingest(QTcpSocket* socket, const QString& org, const QString& stream,
                             const QHash<QByteArray, QByteArray>& headers, const QByteArray& body,
                             Request& log)
{
    QMutexLocker lock(&m_mutex);
    auto answer = [&](int status, const QByteArray& type, const QByteArray& text) {
        log.status = status;
        reply(socket, status, type, text);
    };
    const QByteArray auth = headers.value("authorization");
    if (auth.isEmpty())
        return answer(401, "application/json", errorJson(401, QStringLiteral("Unauthorized Access")));
    const QByteArray expected = "Basic " + (m_user + QLatin1Char(':') + m_secret).toUtf8().toBase64();
    if (auth != expected)
        return answer(401, "text/plain", "Unauthorized Access");
    if (!m_orgs.contains(org))
        return answer(404, "application/json", errorJson(404, QStringLiteral("Organization not found")));
    const QByteArray silentFailure = QByteArray(R"({"code":200,"status":[{"name":")") + stream.toUtf8() +
                                     R"(","successful":0,"failed":0}]})";
    if (!m_queued.isEmpty()) {
        const int status = m_queued.takeFirst();
        if (status == 0)
            return answer(200, "application/json", silentFailure);
        return answer(status, status == 400 ? "application/json" : "text/plain",
                      status == 400 ? errorJson(400, QStringLiteral("injected bad request"))
                                    : reason(status));
    }
    QByteArray json = body;
    const QByteArray encoding = headers.value("content-encoding").toLower();
    if (encoding == "gzip") {
        auto inflated = forward::gzipDecompress(body, m_payloadLimit + 1);
        if (!inflated)
            return inflated.error().contains(QStringLiteral("past"))
                       ? answer(413, "application/json", errorJson(413, QStringLiteral("payload too large")))
                       : answer(400, "application/json", errorJson(400, inflated.error()));
        json = *inflated;
    } else if (!encoding.isEmpty() && encoding != "identity") {
        return answer(415, "text/plain", "unsupported content encoding");
    }
    if (json.size() > m_payloadLimit)
        return answer(413, "application/json", errorJson(413, QStringLiteral("payload too large")));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return answer(400, "application/json",
                      errorJson(400, QStringLiteral("Invalid json: %1").arg(error.errorString())));
    const QJsonArray items = doc.array();
    log.records = int(items.size());

    QList<QJsonObject> flat;
    QSet<QString> fields;
    for (const QJsonValue& v : items) {
        QJsonObject o;
        if (v.isObject())
            flatten(v.toObject(), QString(), o, m_nulls, m_nested);
        flat.append(o);
        for (auto it = o.begin(); it != o.end(); ++it)
            fields.insert(it.key());
    }
    int successful = 0, failed = 0;
    QString lastError;
    if (fields.size() > m_maxFields) {
        // OpenObserve's silent whole-batch failure.
        return answer(200, "application/json", silentFailure);
    }
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    auto& schema = m_schema[stream];
    for (qsizetype i = 0; i < items.size(); ++i) {
        QJsonObject o = flat[i];
        QString why;
        if (!items[i].isObject()) {
            why = QStringLiteral("not an object");
        } else if (o.contains(QStringLiteral("_id"))) {
            ++m_idFields;
            why = QStringLiteral("_id is a reserved field");
        } else if (o.contains(QStringLiteral("_timestamp"))) {
            const QJsonValue t = o.value(QStringLiteral("_timestamp"));
            const double us = t.toDouble();
            if (!t.isDouble() || us < 1e15 || us > 1e17) {
                ++m_badTimestamps;
                why = QStringLiteral("_timestamp is not in microseconds");
            } else if (qint64(us) < nowUs - m_windowSeconds * 1000000) {
                why = QStringLiteral("Too old data, only last %1 hours data can be ingested. Data discarded.")
                          .arg(m_windowSeconds / 3600);
            } else if (qint64(us) > nowUs + 24ll * 3600 * 1000000) {
                why = QStringLiteral("Too far data in the future. Data discarded.");
            }
        } else {
            o[QStringLiteral("_timestamp")] = double(nowUs);
        }
        if (why.isEmpty() && m_rejector)
            why = m_rejector(o);
        if (why.isEmpty()) {
            for (auto it = o.begin(); it != o.end(); ++it) {
                const QString t = typeOf(it.value());
                const QString fixed = schema.value(it.key());
                if (!fixed.isEmpty() && fixed != t) {
                    ++m_typeConflicts;
                    why = QStringLiteral("field %1 cannot be cast from %2 to %3").arg(it.key(), t, fixed);
                    break;
                }
            }
        }
        if (!why.isEmpty()) {
            ++failed;
            lastError = why;
            continue;
        }
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!schema.contains(it.key()))
                schema.insert(it.key(), typeOf(it.value()));
        m_records[stream].append(o);
        ++successful;
    }
    log.successful = successful;
    QJsonObject entry;
    entry[QStringLiteral("name")] = stream;
    entry[QStringLiteral("successful")] = successful;
    entry[QStringLiteral("failed")] = failed;
    if (failed)
        entry[QStringLiteral("error")] = lastError;
    QJsonObject out;
    out[QStringLiteral("code")] = 200;
    out[QStringLiteral("status")] = QJsonArray{entry};
    answer(200, "application/json", QJsonDocument(out).toJson(QJsonDocument::Compact));
}

void FakeOpenObserve::reply(QTcpSocket* socket, int status, const QByteArray& contentType,
                            const QByteArray& body)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    head += "Content-Type: " + contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    head += "Connection: keep-alive\r\n\r\n";
    socket->write(head + body);
}

} // namespace flowlens::test
