#include "core/gen/byte_writer.h"
#include "core/gen/ipfix_encoder.h"
#include "core/gen/template_fields.h"
#include "gen/encoder_harness.h"

#include <QtTest>

using namespace flowlens;

class TestIpfixEncoder : public QObject
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
        QTest::newRow("10 per message") << quint64(77) << 33 << 10 << quint64(1);
        QTest::newRow("sampled 1:100") << quint64(4) << 120 << 0 << quint64(100);
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
        eo.domainId = 99;
        eo.templateRefreshDatagrams = 7;
        gen::IpfixEncoder enc(eo);
        gen::TrafficModelOptions mo;
        mo.seed = seed;
        const auto run = gentest::encodeModel(enc, mo, 4000, perCall);
        QCOMPARE(QString::fromStdString(gentest::compareWithExpected(enc, run)), QString());
        QCOMPARE(run.samplingRateSeen, samplingRate > 1 ? samplingRate : 0);

        // The sequence number counts data records sent before the message, the sampling options
        // records included; template records do not count.
        std::uint32_t dataRecords = 0;
        bool sawV4 = false, sawV6 = false;
        for (std::size_t i = 0; i < run.raw.size(); ++i) {
            const auto& p = run.parsed[i];
            QCOMPARE(p.sequence, dataRecords);
            dataRecords += std::uint32_t(p.flows.size() + std::size_t(p.optionRecords));
            QCOMPARE(p.domain, 99u);
            QCOMPARE(p.exportSecs, std::uint32_t(run.nowOfDatagram[i] / 1'000'000'000));
            QCOMPARE(std::size_t(gen::load16(run.raw[i].data() + 2)), run.raw[i].size());
            if (recordsPerDatagram == 0)
                QVERIFY(run.raw[i].size() <= 1400);
            else
                QVERIFY(p.flows.size() <= std::size_t(recordsPerDatagram));
            QCOMPARE(p.templates == 2, i % 7 == 0); // refreshed every 7 messages
            QCOMPARE(p.optionRecords == 1, samplingRate > 1 && i % 7 == 0);
            for (const auto& f : p.flows)
                (f.src_addr.isV4() ? sawV4 : sawV6) = true;
        }
        QVERIFY(sawV4 && sawV6);
    }

    void samplingOptionsTemplate()
    {
        gen::EncoderOptions eo;
        eo.samplingRate = 2048;
        eo.domainId = 5;
        gen::IpfixEncoder enc(eo);
        const auto run = gentest::encodeModel(enc, {}, 10, 10);
        const auto& d = run.raw.front();
        // Sets: template (2), options template (3), options data (258), then data.
        std::size_t off = gen::IpfixEncoder::kHeaderBytes;
        QCOMPARE(gen::load16(&d[off]), std::uint16_t(2));
        off += gen::load16(&d[off + 2]);
        QCOMPARE(gen::load16(&d[off]), std::uint16_t(3));
        const std::byte* t = &d[off + 4];
        QCOMPARE(gen::load16(t), gen::kTemplateSampling);
        QCOMPARE(gen::load16(t + 2), std::uint16_t(4));    // fields
        QCOMPARE(gen::load16(t + 4), std::uint16_t(1));    // scope fields
        QCOMPARE(gen::load16(t + 6), std::uint16_t(149));  // observationDomainId scope
        QCOMPARE(gen::load16(t + 10), std::uint16_t(305)); // samplingPacketInterval
        QCOMPARE(gen::load16(t + 14), std::uint16_t(306)); // samplingPacketSpace
        QCOMPARE(gen::load16(t + 18), std::uint16_t(304)); // selectorAlgorithm
        off += gen::load16(&d[off + 2]);
        QCOMPARE(gen::load16(&d[off]), gen::kTemplateSampling);
        const std::byte* o = &d[off + 4];
        QCOMPARE(gen::load32(o), 5u);        // domain
        QCOMPARE(gen::load32(o + 4), 1u);    // one packet selected ...
        QCOMPARE(gen::load32(o + 8), 2047u); // ... then 2047 skipped
        QCOMPARE(gen::load16(o + 12), std::uint16_t(1));
        QCOMPARE(run.samplingRateSeen, 2048ull);
    }

    void millisecondTimes()
    {
        gen::IpfixEncoder enc({});
        decode::FlowRecord r;
        r.src_addr = decode::IpAddress::fromV4(0x0a000001);
        r.dst_addr = decode::IpAddress::fromV4(0x0a000002);
        r.packets = 1;
        r.bytes = 60;
        r.time_flow_start_ns = gentest::kNow - 1'999'999; // not on a millisecond
        r.time_flow_end_ns = gentest::kNow;
        gen::DatagramBatch batch;
        const std::vector<decode::FlowRecord> flows{r};
        enc.encode(flows, gentest::kNow, batch);
        const auto p = gentest::ExportParser(decode::Protocol::Ipfix).parse(batch.at(0));
        QCOMPARE(QString::fromStdString(p.error), QString());
        QCOMPARE(p.flows.at(0).time_flow_start_ns, (gentest::kNow - 1'999'999) / 1'000'000 * 1'000'000);
        QCOMPARE(p.flows.at(0).time_flow_end_ns, gentest::kNow / 1'000'000 * 1'000'000);
    }
};

QTEST_GUILESS_MAIN(TestIpfixEncoder)
#include "tst_ipfix_encoder.moc"
