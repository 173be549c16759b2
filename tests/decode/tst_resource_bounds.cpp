// Decoder state stays bounded at scale: exporters, templates, template churn, data waiting for
// templates (issue 8). Past a bound the decoder drops and counts, and keeps working.
#include "core/decode/flow_decoder.h"
#include "core/gen/flow_encoder.h"
#include "core/gen/traffic_model.h"

#include <QtTest>

using namespace flowlens;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000ull * 1'000'000'000ull;

gen::DatagramBatch ipfixDatagrams(std::uint32_t domain, std::size_t flows)
{
    gen::TrafficModel model;
    std::vector<decode::FlowRecord> v;
    for (std::size_t i = 0; i < flows; ++i)
        v.push_back(model.next(kNow));
    gen::EncoderOptions eo;
    eo.domainId = domain;
    eo.templateRefreshDatagrams = 1 << 30;
    eo.templateRefreshSeconds = 1e9;
    gen::DatagramBatch b;
    gen::makeEncoder(decode::Protocol::Ipfix, eo)->encode(v, kNow, b);
    return b;
}

std::size_t residentBytes()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? std::size_t(parts[1].toULongLong()) * 4096 : 0;
}

} // namespace

class TestResourceBounds : public QObject
{
    Q_OBJECT

private slots:
    void tenThousandExporters()
    {
        // The default bound is 10,000 exporter/domain entries: 10,000 v9 exporters (each its own
        // address and port, each with templates) all decode; the next one is refused and counted.
        decode::FlowDecoder decoder;
        const auto batch = [] {
            gen::TrafficModel model;
            std::vector<decode::FlowRecord> v;
            for (int i = 0; i < 20; ++i)
                v.push_back(model.next(kNow));
            gen::DatagramBatch b;
            gen::makeEncoder(decode::Protocol::NetFlowV9, {})->encode(v, kNow, b);
            return b;
        }();
        const std::size_t before = residentBytes();
        std::vector<decode::FlowRecord> out;
        std::uint64_t flows = 0;
        for (std::uint32_t e = 0; e < 10000; ++e) {
            const decode::Endpoint from{decode::IpAddress::fromV4(0x0a000000u + e / 100),
                                        std::uint16_t(2000 + e % 100)};
            out.clear();
            flows += decoder.decode(batch.at(0), from, kNow, out);
        }
        QVERIFY(flows > 0);
        std::size_t domains = 0;
        decoder.forEachDomain([&](const decode::DomainKey&, const decode::DomainStats& s) {
            ++domains;
            QVERIFY(s.templatesActive > 0);
        });
        QCOMPARE(domains, std::size_t(10000));
        out.clear();
        QCOMPARE(decoder.decode(batch.at(0), {decode::IpAddress::fromV4(0x0b000001u), 9}, kNow, out),
                 std::size_t(0));
        QCOMPARE(decoder.unattributedAnomalies()[std::size_t(decode::Anomaly::ExporterLimit)],
                 std::uint64_t(1));
        const std::size_t grown = residentBytes() - std::min(before, residentBytes());
        QVERIFY2(grown < 256u * 1024 * 1024,
                 qPrintable(QString::number(grown >> 20) + QStringLiteral(" MiB")));
    }

    void templateChurnKeepsOneTemplate()
    {
        // One exporter redefining the same template id over and over, alternating two layouts:
        // every redefinition is counted, memory does not grow with them.
        decode::FlowDecoder decoder;
        const decode::Endpoint from{decode::IpAddress::fromV4(0xc0000201u), 4739};
        std::vector<decode::FlowRecord> out;
        const std::size_t before = residentBytes();
        for (int i = 0; i < 100000; ++i) {
            // IPFIX message: header (16) + template set with template 256 of 1 or 2 fields.
            const bool two = i % 2;
            std::vector<std::uint8_t> m = {0, 10, 0, 0, 0x60, 0, 0, 0, 0, 0, 0, 0,
                                           0, 0,  0, 1, 0,    2, 0, 0, 1, 0, 0, std::uint8_t(two ? 2 : 1),
                                           0, 8,  0, 4};
            if (two)
                m.insert(m.end(), {0, 12, 0, 4});
            m[2] = std::uint8_t(m.size() >> 8);
            m[3] = std::uint8_t(m.size());
            m[18] = std::uint8_t((m.size() - 16) >> 8);
            m[19] = std::uint8_t(m.size() - 16);
            m[11] = std::uint8_t(i);
            decoder.decode(std::as_bytes(std::span(m)), from, kNow, out);
        }
        decoder.forEachDomain([&](const decode::DomainKey&, const decode::DomainStats& s) {
            QCOMPARE(s.templatesActive, 1u);
            QCOMPARE(s.templatesChanged, std::uint64_t(99999));
            QCOMPARE(s.anomalyTotal(), std::uint64_t(0));
        });
        const std::size_t grown = residentBytes() - std::min(before, residentBytes());
        QVERIFY2(grown < 16u * 1024 * 1024,
                 qPrintable(QString::number(grown >> 20) + QStringLiteral(" MiB")));
    }

    void globalBoundNeverEvictsOtherDomains()
    {
        decode::DecoderLimits limits;
        limits.maxPendingBytesTotal = 64 * 1024;
        decode::FlowDecoder decoder(limits);
        const auto a = ipfixDatagrams(1, 2000);
        const auto b = ipfixDatagrams(2, 2000);
        const decode::Endpoint from{decode::IpAddress::fromV4(0xc0000201u), 4739};
        std::vector<decode::FlowRecord> out;
        std::size_t aBytes = 0;
        for (std::size_t i = 1; i < a.size() && aBytes + a.at(i).size() < 60 * 1024; ++i) {
            decoder.decode(a.at(i), from, kNow, out);
            aBytes += a.at(i).size();
        }
        for (std::size_t i = 1; i < b.size(); ++i)
            decoder.decode(b.at(i), from, kNow, out);
        QCOMPARE(out.size(), std::size_t(0));
        decode::DomainStats sa, sb;
        decoder.forEachDomain(
            [&](const decode::DomainKey& k, const decode::DomainStats& s) { (k.domain == 1 ? sa : sb) = s; });
        QVERIFY(sa.pendingSets > 0);
        QCOMPARE(sa.pendingExpired, std::uint64_t(0)); // domain 1 kept everything it had
        QVERIFY(sb.pendingExpired > 0);                // domain 2 found no room
        // Domain 1's template arrives: every flow it held comes out.
        decoder.decode(a.at(0), from, kNow, out);
        QVERIFY(!out.empty());
        decoder.forEachDomain([&](const decode::DomainKey& k, const decode::DomainStats& s) {
            if (k.domain == 1)
                QCOMPARE(s.pendingSets, 0u);
        });
    }
};

QTEST_GUILESS_MAIN(TestResourceBounds)
#include "tst_resource_bounds.moc"
