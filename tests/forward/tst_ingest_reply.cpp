// OPENOBSERVE.md "Status handling", row by row: what each reply makes the forwarder do.

#include "core/forward/ingest_reply.h"

#include <QtTest>

using namespace flowlens::forward;

Q_DECLARE_METATYPE(flowlens::forward::Transport)
Q_DECLARE_METATYPE(flowlens::forward::Verdict)

namespace {

// Reply bodies. (No double-quote character literal in this file: Qt 6.4 moc then finds no class.)
QByteArray status(int successful, int failed, const char* error)
{
    const QByteArray e = error ? QByteArray(R"(,"error":")") + error + QByteArray(R"(")") : QByteArray();
    return QByteArray(R"({"code":200,"status":[{"name":"netflow1","successful":)") +
           QByteArray::number(successful) + R"(,"failed":)" + QByteArray::number(failed) + e + "}]}";
}

QByteArray emptyStatus()
{
    return QByteArray(R"({"code":200,"status":[]})");
}

QByteArray twoStreams()
{
    return QByteArray(R"({"code":200,"status":[{"name":"a","successful":300,"failed":0},)"
                      R"({"name":"b","successful":200,"failed":0}]})");
}

QByteArray jsonError(int code, const char* message)
{
    return QByteArray(R"({"code":)") + QByteArray::number(code) + R"(,"message":")" + message + R"("})";
}

} // namespace

class TestIngestReply : public QObject
{
    Q_OBJECT

private slots:
    void judge_data()
    {
        QTest::addColumn<Transport>("transport");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("sent");
        QTest::addColumn<Verdict>("verdict");
        QTest::addColumn<int>("successful");
        QTest::addColumn<int>("failed");
        QTest::addColumn<QString>("errorHas");

        const auto ok = Transport::Ok;
        QTest::newRow("200 all successful")
            << ok << 200 << status(500, 0, nullptr) << 500 << Verdict::Delivered << 500 << 0 << QString();
        QTest::newRow("200 empty array check")
            << ok << 200 << emptyStatus() << 0 << Verdict::Delivered << 0 << 0 << QString();
        QTest::newRow("200 partial") << ok << 200 << status(480, 20, "too old data") << 500
                                     << Verdict::Partial << 480 << 20
                                     << QStringLiteral("rejected 20 of 500 records: too old data");
        QTest::newRow("200 partial without failed count")
            << ok << 200 << status(400, 0, nullptr) << 500 << Verdict::Partial << 400 << 100
            << QStringLiteral("no reason given");
        QTest::newRow("200 silent whole-batch failure")
            << ok << 200 << status(0, 0, nullptr) << 500 << Verdict::SetAside << 0 << 500
            << QStringLiteral("silent");
        QTest::newRow("200 all failed") << ok << 200 << status(0, 500, "type cast") << 500 << Verdict::Partial
                                        << 0 << 500 << QStringLiteral("type cast");
        QTest::newRow("200 two stream entries summed")
            << ok << 200 << twoStreams() << 500 << Verdict::Delivered << 500 << 0 << QString();
        QTest::newRow("200 not OpenObserve")
            << ok << 200 << QByteArray("<html>login</html>") << 10 << Verdict::Pause << 0 << 0
            << QStringLiteral("does not look like OpenObserve");
        QTest::newRow("400") << ok << 400 << jsonError(400, "Invalid json") << 10 << Verdict::SetAside << 0
                             << 0 << QStringLiteral("Invalid json");
        QTest::newRow("401 JSON: no credentials")
            << ok << 401 << jsonError(401, "Unauthorized Access") << 10 << Verdict::Pause << 0 << 0
            << QStringLiteral("wants credentials");
        QTest::newRow("401 text: wrong credentials")
            << ok << 401 << QByteArray("Unauthorized Access") << 10 << Verdict::Pause << 0 << 0
            << QStringLiteral("rejected user");
        QTest::newRow("403") << ok << 403 << QByteArray("Forbidden") << 10 << Verdict::Pause << 0 << 0
                             << QStringLiteral("may not ingest");
        QTest::newRow("404 org") << ok << 404 << QByteArray("Organization not found") << 10 << Verdict::Pause
                                 << 0 << 0 << QStringLiteral("organisation \"default\" not found");
        QTest::newRow("413") << ok << 413 << QByteArray() << 10 << Verdict::TooLarge << 0 << 0
                             << QStringLiteral("too large");
        QTest::newRow("415") << ok << 415 << QByteArray() << 10 << Verdict::Pause << 0 << 0
                             << QStringLiteral("turn gzip off");
        QTest::newRow("408") << ok << 408 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("408");
        QTest::newRow("429") << ok << 429 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("429");
        QTest::newRow("500") << ok << 500 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("500");
        QTest::newRow("502") << ok << 502 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("502");
        QTest::newRow("503") << ok << 503 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("503");
        QTest::newRow("504") << ok << 504 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                             << QStringLiteral("504");
        QTest::newRow("301 redirect")
            << ok << 301 << QByteArray() << 10 << Verdict::Pause << 0 << 0 << QStringLiteral("redirects");
        QTest::newRow("405 unexpected") << ok << 405 << QByteArray() << 10 << Verdict::Pause << 0 << 0
                                        << QStringLiteral("unexpected reply HTTP 405");
        QTest::newRow("timeout") << Transport::Timeout << 0 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                                 << QStringLiteral("timeout");
        QTest::newRow("refused") << Transport::Refused << 0 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                                 << QStringLiteral("refused");
        QTest::newRow("closed") << Transport::Closed << 0 << QByteArray() << 10 << Verdict::Retry << 0 << 0
                                << QStringLiteral("closed");
        QTest::newRow("host not found") << Transport::HostNotFound << 0 << QByteArray() << 10
                                        << Verdict::Retry << 0 << 0 << QStringLiteral("not found");
        QTest::newRow("TLS") << Transport::Tls << 0 << QByteArray() << 10 << Verdict::Pause << 0 << 0
                             << QStringLiteral("CA file");
    }

    void retryAfterIsHonoured()
    {
        ForwardConfig config;
        HttpResult reply;
        reply.status = 429;
        reply.retryAfter = "7";
        QCOMPARE(judgeIngestReply(reply, 10, config).retryAfterMs, 7000);
        reply.status = 503;
        reply.retryAfter = "Wed, 21 Oct 2015 07:28:00 GMT"; // date form: ignored, normal backoff
        QCOMPARE(judgeIngestReply(reply, 10, config).retryAfterMs, 0);
        reply.retryAfter.clear();
        QCOMPARE(judgeIngestReply(reply, 10, config).retryAfterMs, 0);
    }

    void judge()
    {
        QFETCH(Transport, transport);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, sent);
        QFETCH(Verdict, verdict);
        QFETCH(int, successful);
        QFETCH(int, failed);
        QFETCH(QString, errorHas);
        ForwardConfig config;
        config.user = QStringLiteral("root@example.com");
        config.secret = QStringLiteral("Xyzzy-9f2");
        HttpResult reply;
        reply.transport = transport;
        reply.status = status;
        reply.body = body;
        reply.transportError = QStringLiteral("certificate verify failed");
        const IngestVerdict v = judgeIngestReply(reply, std::uint64_t(sent), config);
        QCOMPARE(v.verdict, verdict);
        if (verdict == Verdict::Delivered || verdict == Verdict::Partial || verdict == Verdict::SetAside) {
            QCOMPARE(v.successful, std::uint64_t(successful));
            QCOMPARE(v.failed, std::uint64_t(failed));
        }
        if (errorHas.isEmpty())
            QVERIFY2(v.error.isEmpty(), qPrintable(v.error));
        else
            QVERIFY2(v.error.contains(errorHas), qPrintable(v.error));
        QVERIFY(!v.error.contains(config.secret)); // never the secret in a message
    }
};

QTEST_GUILESS_MAIN(TestIngestReply)
#include "tst_ingest_reply.moc"
