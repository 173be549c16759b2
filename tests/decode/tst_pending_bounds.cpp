// Data waiting for templates is bounded per domain and across all domains.
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

} // namespace

class TestPendingBounds : public QObject
{
    Q_OBJECT

private slots:
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

QTEST_GUILESS_MAIN(TestPendingBounds)
#include "tst_pending_bounds.moc"
