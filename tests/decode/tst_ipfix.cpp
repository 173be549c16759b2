// IPFIX conformance: every IPFIX vector with expected values, plus targeted unit cases.
#include "decode/oracle_support.h"

using namespace flowlens;
using namespace flowlens::decode;
using namespace flowlens::test;

namespace {

// Expected values that the oracles get wrong, with the evidence.
constexpr KnownDeviation kDeviations[] = {
    {"it_parses_0_length_fields_ipfix", "flow count",
     "template 256 = sourceIPv4Address/4, destinationIPv4Address/4, IE 65/length 0, then one 8-byte data "
     "record: netflow_parser drops the whole message (flowsets: []), tshark decodes [Data-Template:256] "
     "[Data:256] like this decoder (1 flow 1.2.3.4 -> 1.2.3.4); a zero-length field carries no value "
     "(logstash "
     "decodes the v9 equivalent, Netflow_9_template_with_0_length_fields, to 10 events)."},
    {"it_parses_ipfix_with_v9_options_template_packet", "flow count",
     "the message holds a set with the v9 options-template id 1 (reserved in IPFIX, RFC 7011 3.3.2), a data "
     "set "
     "1256, template 258 and one data record 258; netflow_parser returns nothing (flowsets: []), tshark and "
     "this "
     "decoder decode the template-258 record 70.70.1.1:12345 -> 120.120.1.1:32777 (set 1 skipped by length "
     "here, "
     "counted as bad_set_id)."},
};

SourceTally g_tally;

} // namespace

class TestIpfix : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QDir(vectorsDir()).exists())
            QSKIP("oracle vectors not found; set FLOWLENS_VECTORS to shared/oracle/vectors");
    }
    void cleanupTestCase() { g_tally.print(); }

    void logstash_data()
    {
        QTest::addColumn<QString>("context");
        for (const QString& c : logstashContexts(10))
            QTest::newRow(qPrintable(c)) << c;
    }
    void logstash()
    {
        QFETCH(QString, context);
        const RowResult r = runLogstash(context, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("logstash-codec-netflow (ipfix)"));
    }

    void akvorado_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : akvoradoTests(10))
            QTest::newRow(qPrintable(name)) << test;
    }
    void akvorado()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runAkvorado(test, QTest::currentDataTag(), kDeviations);
        const QString na = akvoradoNotApplicable(test);
        if (!na.isEmpty() && (!r.problems.isEmpty() || r.checked == 0)) {
            g_tally.add(QStringLiteral("akvorado (ipfix)"));
            g_tally.notApplicable(QStringLiteral("akvorado (ipfix)"));
            QSKIP(qPrintable(na));
        }
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("akvorado (ipfix)"));
    }

    void telegraf_data()
    {
        QTest::addColumn<QString>("caseName");
        for (const QString& c : telegrafCases(10))
            QTest::newRow(qPrintable(c)) << c;
    }
    void telegraf()
    {
        QFETCH(QString, caseName);
        const RowResult r = runTelegraf(caseName, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("telegraf (ipfix)"));
    }

    void netflowParser_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : snapshotTests(10))
            QTest::newRow(qPrintable(name)) << test;
    }
    void netflowParser()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runSnapshot(test, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("netflow_parser_rs (ipfix)"));
    }
};

QTEST_GUILESS_MAIN(TestIpfix)
#include "tst_ipfix.moc"
