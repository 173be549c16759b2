// The test double must be as strict as OPENOBSERVE.md says, or the forwarding scenarios prove little.

#include "support/fake_openobserve.h"

#include "core/forward/gzip.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QtTest>

using flowlens::test::FakeOpenObserve;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
};

QByteArray basic(const char* userAndSecret)
{
    return "Basic " + QByteArray(userAndSecret).toBase64();
}

const QByteArray kGood = basic("root@example.com:Complexpass#123");

Reply send(QNetworkAccessManager& nam, const FakeOpenObserve& fake, const QString& path,
           const QByteArray& body, const QByteArray& authorization, const QByteArray& encoding = {},
           bool get = false)
{
    QNetworkRequest request(QUrl(fake.url() + path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    if (!encoding.isEmpty())
        request.setRawHeader("Content-Encoding", encoding);
    QNetworkReply* reply = get ? nam.get(request) : nam.post(request, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    Reply r;
    if (!done.wait(10000))
        return r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return r;
}

const QString kIngest = QStringLiteral("/api/default/netflow1/_json");

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

QByteArray record(const QByteArray& members)
{
    return "{\"_timestamp\":" + QByteArray::number(nowUs()) + (members.isEmpty() ? "" : ",") + members + "}";
}

} // namespace

class TestFakeOpenObserve : public QObject
{
    Q_OBJECT

    QNetworkAccessManager m_nam;

private slots:
    void healthAndAuthentication()
    {
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const Reply health = send(m_nam, fake, QStringLiteral("/healthz"), {}, {}, {}, true);
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, QByteArray(R"({"status":"ok"})"));
        const Reply none = send(m_nam, fake, kIngest, "[]", {});
        QCOMPARE(none.status, 401);
        QCOMPARE(none.contentType, QByteArray("application/json"));
        const Reply wrong = send(m_nam, fake, kIngest, "[]", basic("root@example.com:nope"));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.body, QByteArray("Unauthorized Access"));
        QCOMPARE(send(m_nam, fake, kIngest, "[]", "Bearer x").status, 401);
        QCOMPARE(send(m_nam, fake, QStringLiteral("/api/other/netflow1/_json"), "[]", kGood).status, 404);
        const Reply empty = send(m_nam, fake, kIngest, "[]", kGood);
        QCOMPARE(empty.status, 200);
        QVERIFY(empty.body.contains("\"successful\":0"));
    }

    void bodiesEncodingsAndLimits()
    {
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setPayloadLimit(4096);
        QCOMPARE(send(m_nam, fake, kIngest, "[{]", kGood).status, 400);
        QCOMPARE(send(m_nam, fake, kIngest, "{}", kGood).status, 400);
        QCOMPARE(send(m_nam, fake, kIngest, "[]", kGood, "compress").status, 415);
        QCOMPARE(send(m_nam, fake, kIngest, "not gzip", kGood, "gzip").status, 400);
        QCOMPARE(send(m_nam, fake, kIngest, "[" + QByteArray(5000, ' ') + "]", kGood).status, 413);
        // Small on the wire, too big once inflated: the limit applies after decompression.
        std::string spaces(100002, ' ');
        spaces.front() = '[';
        spaces.back() = ']';
        auto bomb = flowlens::forward::gzipCompress(spaces);
        QVERIFY(bomb.has_value() && bomb->size() < 4096);
        QCOMPARE(send(m_nam, fake, kIngest, *bomb, kGood, "gzip").status, 413);
        const QByteArray one = "[" + record("\"a\":1") + "]";
        auto ok = flowlens::forward::gzipCompress(std::string_view(one.constData(), std::size_t(one.size())));
        const Reply stored = send(m_nam, fake, kIngest, *ok, kGood, "gzip");
        QCOMPARE(stored.status, 200);
        QCOMPARE(fake.recordCount(), 1);
    }

    void recordsFailInsideA200()
    {
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const qint64 sixHoursAgo = nowUs() - 6ll * 3600 * 1000000;
        const QByteArray body = "[" + record("\"a\":1") + "," + record("\"a\":\"text\"") + "," +
                                record("\"_id\":\"x\"") + ",42," +
                                "{\"_timestamp\":" + QByteArray::number(nowUs() / 1000) + "}," +
                                "{\"_timestamp\":" + QByteArray::number(sixHoursAgo) + "}," +
                                record("\"n\":null,\"o\":{\"b\":2}") + "]";
        const Reply r = send(m_nam, fake, kIngest, body, kGood);
        QCOMPARE(r.status, 200);
        // stored: the first and the last; failed: type change, _id, non-object, ms timestamp, too old
        QVERIFY2(r.body.contains("\"successful\":2"), r.body.constData());
        QVERIFY2(r.body.contains("\"failed\":5"), r.body.constData());
        QCOMPARE(fake.typeConflicts(), 1);
        QCOMPARE(fake.idFieldsSeen(), 1);
        QCOMPARE(fake.badTimestamps(), 1);
        QCOMPARE(fake.nullsSeen(), 1);
        QCOMPARE(fake.nestedSeen(), 1);
        const auto records = fake.records();
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[1].value(QStringLiteral("o_b")).toInt(), 2); // flattened like OpenObserve
        QVERIFY(!records[1].contains(QStringLiteral("n")));
    }

    void silentWholeBatchFailurePastTheFieldLimit()
    {
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        fake.setMaxFieldsPerBatch(3);
        const Reply r = send(m_nam, fake, kIngest, "[" + record("\"a\":1,\"b\":2,\"c\":3") + "]", kGood);
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("\"successful\":0,\"failed\":0"), r.body.constData());
        QCOMPARE(fake.recordCount(), 0);
    }

    void downMeansRefused()
    {
        FakeOpenObserve fake;
        QVERIFY(fake.listen());
        const quint16 port = fake.port();
        fake.close();
        QCOMPARE(send(m_nam, fake, kIngest, "[]", kGood).status, 0);
        QVERIFY(fake.listen(port));
        QCOMPARE(send(m_nam, fake, kIngest, "[]", kGood).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestFakeOpenObserve)
#include "tst_fake_openobserve.moc"
