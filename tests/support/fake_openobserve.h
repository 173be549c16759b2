#pragma once

#include <cstdint>
#include <functional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace flowlens::test {

/// A strict stand-in for OpenObserve's ingestion API (../shared/OPENOBSERVE.md) on 127.0.0.1, HTTP/1.1
/// with keep-alive: exact Basic authentication (401 JSON without the header, 401 plain text with
/// wrong credentials), 404 for an unknown organisation, 415 for an unknown Content-Encoding, gzip
/// bodies, 413 past a payload limit, 400 for invalid JSON, records failing inside a 200 (outside the
/// time window, type changes, _id, non-objects), a silent whole-batch failure past a field limit,
/// plus fault injection: queued statuses (503 storms), slow replies, black-holing, going down.
class FakeOpenObserve : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QByteArray encoding;
        int status = 0;
        int records = 0;    ///< array elements in the body
        int successful = 0; ///< records stored
    };

    explicit FakeOpenObserve(QObject* parent = nullptr);
    ~FakeOpenObserve() override;

    /// Listens on 127.0.0.1:port (0 = any free port).
    bool listen(quint16 port = 0);
    /// Stops listening and drops every connection (the server is "down"; connects are refused).
    void close();
    quint16 port() const { return m_port; }
    QString url() const;

    void setCredentials(const QString& user, const QString& secret);
    void addOrganisation(const QString& org) { m_orgs.append(org); }
    void setPayloadLimit(qint64 bytes) { m_payloadLimit = bytes; }
    void setIngestWindowSeconds(qint64 seconds) { m_windowSeconds = seconds; }
    void setMaxFieldsPerBatch(int n) { m_maxFields = n; }
    /// The next requests to the ingest endpoint get these statuses before any processing.
    void queueStatuses(const QList<int>& statuses) { m_queued += statuses; }
    /// Ingest requests wait this long before being processed; one whose client left meanwhile is
    /// dropped unprocessed (like a cancelled handler).
    void setReplyDelayMs(int ms) { m_delayMs = ms; }
    /// Ingest requests are read and never answered.
    void setBlackhole(bool on) { m_blackhole = on; }
    /// Records for which this returns a non-empty error fail inside the 200 reply.
    void setRejector(std::function<QString(const QJsonObject&)> rejector)
    {
        m_rejector = std::move(rejector);
    }

    const QList<QJsonObject>& records(const QString& stream = QStringLiteral("netflow1")) const;
    int recordCount(const QString& stream = QStringLiteral("netflow1")) const;
    const QList<Request>& requests() const { return m_requests; }
    int ingestRequests() const;
    int requestsWithStatus(int status) const;
    /// Strictness counters: things a well-behaved client never sends.
    int nullsSeen() const { return m_nulls; }
    int nestedSeen() const { return m_nested; }
    int idFieldsSeen() const { return m_idFields; }
    int typeConflicts() const { return m_typeConflicts; }
    int badTimestamps() const { return m_badTimestamps; }
    /// Field name -> JSON type fixed by its first value ("number", "string", "bool").
    QHash<QString, QString> schema(const QString& stream = QStringLiteral("netflow1")) const
    {
        return m_schema.value(stream);
    }

signals:
    void requestHandled(int status);

private:
    struct Connection
    {
        QByteArray buffer;
        bool busy = false; ///< a request is being processed (delayed reply)
    };
    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);
    void handle(QTcpSocket* socket, const QByteArray& method, const QByteArray& path,
                const QHash<QByteArray, QByteArray>& headers, const QByteArray& body);
    void ingest(QTcpSocket* socket, const QString& org, const QString& stream,
                const QHash<QByteArray, QByteArray>& headers, const QByteArray& body, Request& log);
    void reply(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body);

    QTcpServer* m_server = nullptr;
    quint16 m_port = 0;
    QHash<QTcpSocket*, Connection> m_connections;
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
