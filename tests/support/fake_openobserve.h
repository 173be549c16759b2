#pragma once

#include <cstdint>
#include <functional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

class QTcpServer;
class QTcpSocket;
class QThread;

namespace flowlens::test {

/// A strict stand-in for OpenObserve's ingestion API (../shared/OPENOBSERVE.md) on 127.0.0.1, HTTP/1.1
/// with keep-alive: exact Basic authentication (401 JSON without the header, 401 plain text with
/// wrong credentials), 404 for an unknown organisation, 415 for an unknown Content-Encoding, gzip
/// bodies, 413 past a payload limit, 400 for invalid JSON, records failing inside a 200 (outside the
/// time window, type changes, _id, non-objects), a silent whole-batch failure past a field limit,
/// plus fault injection: queued statuses (503 storms), slow replies, black-holing, going down.
///
/// The server runs on its own thread, like a real server in another process: a test thread that
/// is blocked in Forwarder::stop() must not keep replies from reaching the forwarder. Every public
/// method is thread-safe; results are copies.
class FakeOpenObserve : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QByteArray encoding;
        int status = 0;     ///< 0: never answered (black hole), -1: dropped after the client left
        int records = 0;    ///< array elements in the body
        int successful = 0; ///< records stored
    };

    FakeOpenObserve();
    ~FakeOpenObserve() override;

    /// Listens on 127.0.0.1:port (0 = any free port).
    bool listen(quint16 port = 0);
    /// Serves HTTPS with this certificate and key from the next listen() on.
    void setTls(const QSslCertificate& certificate, const QSslKey& key);
    /// Stops listening and drops every connection (the server is "down"; connects are refused).
    void close();
    quint16 port() const;
    QString url() const;

    void setCredentials(const QString& user, const QString& secret);
    void addOrganisation(const QString& org);
    void setPayloadLimit(qint64 bytes);
    void setIngestWindowSeconds(qint64 seconds);
    void setMaxFieldsPerBatch(int n);
    /// The next requests to the ingest endpoint get these statuses instead of being processed
    /// (0: a silent whole-batch failure, 200 with successful 0 and failed 0).
    void queueStatuses(const QList<int>& statuses);
    /// Ingest requests wait this long before being processed; one whose client left meanwhile is
    /// dropped unprocessed (like a cancelled handler).
    void setReplyDelayMs(int ms);
    /// Ingest requests are read and never answered.
    void setBlackhole(bool on);
    /// Records for which this returns a non-empty error fail inside the 200 reply (runs on the
    /// server thread).
    void setRejector(std::function<QString(const QJsonObject&)> rejector);

    QList<QJsonObject> records(const QString& stream = QStringLiteral("netflow1")) const;
    int recordCount(const QString& stream = QStringLiteral("netflow1")) const;
    QList<Request> requests() const;
    int ingestRequests() const;
    int requestsWithStatus(int status) const;
    /// Strictness counters: things a well-behaved client never sends.
    int nullsSeen() const;
    int nestedSeen() const;
    int idFieldsSeen() const;
    int typeConflicts() const;
    int badTimestamps() const;
    /// Field name -> JSON type fixed by its first value ("number", "string", "bool").
    QHash<QString, QString> schema(const QString& stream = QStringLiteral("netflow1")) const;

private:
    struct Connection
    {
        QByteArray buffer;
        bool busy = false; ///< a request is being processed (delayed or black-holed)
    };
    // Server thread only.
    void onServerThread(const std::function<void()>& f);
    void closeServer();
    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);
    void handle(QTcpSocket* socket, const QByteArray& method, const QByteArray& path,
                const QHash<QByteArray, QByteArray>& headers, const QByteArray& body);
    void ingest(QTcpSocket* socket, const QString& org, const QString& stream,
                const QHash<QByteArray, QByteArray>& headers, const QByteArray& body, Request& log);
    void reply(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body);

    QThread* m_thread = nullptr;
    QObject* m_home = nullptr; ///< lives on m_thread; parent of the server and the sockets
    QTcpServer* m_server = nullptr;
    QHash<QTcpSocket*, Connection> m_connections;

    mutable QMutex m_mutex; ///< guards everything below
    quint16 m_port = 0;
    QSslCertificate m_certificate;
    QSslKey m_key;
    QString m_user = QStringLiteral("root@example.com");
    QString m_secret = QStringLiteral("Complexpass#123");
    QStringList m_orgs{QStringLiteral("default")};
    qint64 m_payloadLimit = 200ll * 1024 * 1024;
    qint64 m_windowSeconds = 5 * 3600;
    int m_maxFields = 1000;
    QList<int> m_queued;
    int m_delayMs = 0;
    bool m_blackhole = false;
    std::function<QString(const QJsonObject&)> m_rejector;

    QHash<QString, QList<QJsonObject>> m_records;
    QHash<QString, QHash<QString, QString>> m_schema;
    QList<Request> m_requests;
    int m_nulls = 0;
    int m_nested = 0;
    int m_idFields = 0;
    int m_typeConflicts = 0;
    int m_badTimestamps = 0;
};

} // namespace flowlens::test
