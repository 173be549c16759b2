#include "connection_tester.h"

#include "core/forward/ingest_client.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::forward {

QString ConnectionTestResult::summary() const
{
    QString text = reachable ? QStringLiteral("server reachable (/healthz ok)")
                             : QStringLiteral("server NOT reachable: ") + reachError;
    text += QLatin1Char('\n');
    text += credentialsOk ? QStringLiteral("credentials accepted for ingestion")
                          : QStringLiteral("credentials NOT accepted: ") + credentialsError;
    if (!verifyTls)
        text += QStringLiteral("\nwarning: TLS certificate verification is OFF");
    return text;
}

ConnectionTester::ConnectionTester(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<ConnectionTestResult>();
}

ConnectionTester::~ConnectionTester() = default;

void ConnectionTester::start(const ForwardConfig& config)
{
    delete m_client; // cancels a running test without calling back
    m_client = new IngestClient(this);
    m_config = config;
    m_result = ConnectionTestResult{};
    m_result.verifyTls = config.verifyTls;
    if (auto r = m_client->configure(config); !r) {
        m_result.reachError = r.error();
        m_result.credentialsError = QStringLiteral("not checked: the settings are incomplete");
        emit finished(m_result);
        return;
    }
    m_client->getHealth([this](const HttpResult& reply) {
        const QJsonDocument doc = QJsonDocument::fromJson(reply.body);
        if (reply.transport == Transport::Ok && reply.status == 200 && doc.isObject() &&
            doc.object().value(QStringLiteral("status")).toString() == QLatin1String("ok")) {
            m_result.reachable = true;
        } else if (reply.transport == Transport::Ok && reply.status == 200) {
            m_result.reachError =
                QStringLiteral("%1 answered, but not like OpenObserve's /healthz: check the URL")
                    .arg(m_config.healthUrl().toString());
        } else {
            m_result.reachError =
                QStringLiteral("%1: %2").arg(m_config.healthUrl().toString(), describeHttpResult(reply));
        }
        if (!m_result.reachable) {
            m_result.credentialsError = QStringLiteral("not checked: the server is not reachable");
            emit finished(m_result);
            return;
        }
        checkCredentials();
    });
}

void ConnectionTester::checkCredentials()
{
    m_client->postJson(QByteArrayLiteral("[]"), [this](const HttpResult& reply) {
        const IngestVerdict v = judgeIngestReply(reply, 0, m_config);
        if (v.verdict == Verdict::Delivered)
            m_result.credentialsOk = true;
        else
            m_result.credentialsError = v.error.isEmpty() ? describeHttpResult(reply) : v.error;
        emit finished(m_result);
    });
}

} // namespace flowlens::forward
