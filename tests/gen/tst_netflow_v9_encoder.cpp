#include "core/gen/byte_writer.h"
#include "core/gen/netflow_v9_encoder.h"
#include "core/gen/template_fields.h"
#include "gen/encoder_harness.h"

#include <QtTest>

using namespace flowlens;

class TestNetflowV9Encoder : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsModelFlows_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("perCall");
        QTest::addColumn<int>("recordsPerDatagram");
        QTest::addColumn<quint64>("samplingRate");
        QTest::newRow("fill 1400 bytes") << quint64(1) << 100 << 0 << quint64(1);
        QTest::newRow("30 per datagram, odd batches") << quint64(5) << 47 << 30 << quint64(1);
        QTest::newRow("sampled 1:1000") << quint64(9) << 64 << 0 << quint64(1000);
    }

    void roundTripsModelFlows()
    {
        QFETCH(quint64, seed);
        QFETCH(int, perCall);
        QFETCH(int, recordsPerDatagram);
        QFETCH(quint64, samplingRate);
        gen::EncoderOptions eo;
        eo.recordsPerDatagram = recordsPerDatagram;
        eo.samplingRate = samplingRate;
        eo.domainId = 4242;
        gen::NetflowV9Encoder enc(eo);
        gen::TrafficModelOptions mo;
        mo.seed = seed;
        const auto run = gentest::encodeModel(enc, mo, 4000, perCall);
        QCOMPARE(QString::fromStdString(gentest::compareWithExpected(enc, run)), QString());
        QCOMPARE(run.samplingRateSeen, samplingRate > 1 ? samplingRate : 0);

        bool sawV4 = false, sawV6 = false;
        for (std::size_t i = 0; i < run.raw.size(); ++i) {
            const auto& p = run.parsed[i];
            QCOMPARE(p.sequence, std::uint32_t(i)); // one per datagram
            QCOMPARE(p.domain, 4242u);
            if (recordsPerDatagram == 0)
                QVERIFY2(run.raw[i].size() <= 1400, qPrintable(QString::number(run.raw[i].size())));
            else
                QVERIFY(p.flows.size() <= std::size_t(recordsPerDatagram));
            QVERIFY(!p.flows.empty());
            // IPv4 records first, then IPv6: one data FlowSet per family.
            bool v6Seen = false;
            for (const auto& f : p.flows) {
                v6Seen = v6Seen || !f.src_addr.isV4();
                QVERIFY(f.src_addr.isV4() || v6Seen);
                QVERIFY(!f.src_addr.isV4() || !v6Seen);
                (f.src_addr.isV4() ? sawV4 : sawV6) = true;
            }
        }
        QVERIFY(sawV4 && sawV6);
        QVERIFY(run.parsed.front().templates == 2); // template FlowSet leads the first datagram
    }

    void templateRefresh_data()
    {
        QTest::addColumn<int>("everyDatagrams");
        QTest::addColumn<double>("everySeconds");
        QTest::addColumn<quint64>("stepNs");
        QTest::addColumn<QList<int>>("withTemplates");
        // 10 calls, 25 flows each: one datagram per call.
        QTest::newRow("every 4 datagrams") << 4 << 1000.0 << quint64(1'000'000) << QList<int>{0, 4, 8};
        QTest::newRow("every 2.5 s at 1 s per datagram")
            << 1000 << 2.5 << quint64(1'000'000'000) << QList<int>{0, 3, 6, 9};
    }

    void templateRefresh()
    {
        QFETCH(int, everyDatagrams);
        QFETCH(double, everySeconds);
        QFETCH(quint64, stepNs);
        QFETCH(QList<int>, withTemplates);
        gen::EncoderOptions eo;
        eo.templateRefreshDatagrams = everyDatagrams;
        eo.templateRefreshSeconds = everySeconds;
        eo.recordsPerDatagram = 25;
        gen::NetflowV9Encoder enc(eo);
        const auto run = gentest::encodeModel(enc, {}, 250, 25, stepNs);
        QCOMPARE(run.raw.size(), std::size_t(10));
        QList<int> seen;
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(QString::fromStdString(run.parsed[std::size_t(i)].error), QString());
            if (run.parsed[std::size_t(i)].templates)
                seen << i;
        }
        QCOMPARE(seen, withTemplates);
    }

    void headerCountsEveryRecord()
    {
        gen::EncoderOptions eo;
        eo.samplingRate = 64;
        gen::NetflowV9Encoder enc(eo);
        const auto run = gentest::encodeModel(enc, {}, 100, 100);
        const auto& first = run.parsed.front();
        QCOMPARE(QString::fromStdString(first.error), QString());
        QCOMPARE(first.templates, 2);
        QCOMPARE(first.optionTemplates, 1);
        QCOMPARE(first.optionRecords, 1);
        QCOMPARE(first.headerCount, std::uint32_t(4 + first.flows.size()));
        // Flow set ids in order: templates (0), options template (1), options data, IPv4, IPv6.
        const auto& d = run.raw.front();
        std::vector<std::uint16_t> ids;
        for (std::size_t off = gen::NetflowV9Encoder::kHeaderBytes; off < d.size();
             off += gen::load16(&d[off + 2]))
            ids.push_back(gen::load16(&d[off]));
        QVERIFY(ids.size() >= 4);
        QCOMPARE(ids[0], std::uint16_t(0));
        QCOMPARE(ids[1], std::uint16_t(1));
        QCOMPARE(ids[2], gen::kTemplateSampling);
        QCOMPARE(ids[3], gen::kTemplateIpv4);
    }

    void recordLayout()
    {
        // Both templates end on a 4-byte boundary, so data FlowSets need no padding.
        QCOMPARE(gen::recordLength(gen::v9Ipv4Template()), std::size_t(64));
        QCOMPARE(gen::recordLength(gen::v9Ipv6Template()), std::size_t(104));
    }
};

QTEST_GUILESS_MAIN(TestNetflowV9Encoder)
#include "tst_netflow_v9_encoder.moc"
