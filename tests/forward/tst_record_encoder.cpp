// The records sent to OpenObserve: goflow2 names and types, _timestamp in microseconds, scaled
// counters, no nulls, no _id, flat, stable types; enrichment plugs in one place.

#include "support/forward_fixtures.h"

#include "core/forward/gzip.h"
#include "core/forward/record_encoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace flowlens;

namespace {

QJsonObject encode(const forward::RecordEncoder& e, const decode::FlowRecord& r, std::uint64_t restampUs = 0)
{
    std::string out;
    e.append(out, r, restampUs);
    return QJsonDocument::fromJson(QByteArray::fromStdString(out)).object();
}

/// What a GeoIP enricher would add (names as OpenObserve's own enrichment flattens them).
class FixedGeo : public forward::FieldEnricher
{
public:
    void appendFields(std::string& out, const decode::FlowRecord& r) const override
    {
        if (r.src_addr.isV4())
            out.append(
                R"(,"src_geo_country_name":"Testland","src_geo_latitude":52.5,"src_geo_longitude":13.4)");
    }
};

} // namespace

class TestRecordEncoder : public QObject
{
    Q_OBJECT

private slots:
    void goflowFieldsTimestampAndScaledCounters()
    {
        forward::RecordEncoder e;
        const std::uint64_t t = 1764322800123456789ull;
        const QJsonObject o = encode(e, test::forwardTestFlow(7, t));
        QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("NETFLOW_V9"));
        QCOMPARE(o.value(QStringLiteral("proto")).toString(), QStringLiteral("TCP"));
        QCOMPARE(o.value(QStringLiteral("etype")).toString(), QStringLiteral("IPv4"));
        QCOMPARE(o.value(QStringLiteral("src_addr")).toString(), QStringLiteral("10.0.0.7"));
        QCOMPARE(o.value(QStringLiteral("sampler_address")).toString(), QStringLiteral("192.0.2.1"));
        QCOMPARE(o.value(QStringLiteral("dst_port")).toInteger(), 443);
        QCOMPARE(o.value(QStringLiteral("bytes")).toInteger(), 1007);
        QCOMPARE(o.value(QStringLiteral("bytes_scaled")).toInteger(), 100700);
        QCOMPARE(o.value(QStringLiteral("packets_scaled")).toInteger(), 800);
        QCOMPARE(qint64(o.value(QStringLiteral("_timestamp")).toDouble()), qint64(1764322800123456));
        QVERIFY(!o.contains(QStringLiteral("_id")));
        QVERIFY(!o.contains(QStringLiteral("original_timestamp")));
        // Unsampled (rate 0 counts as 1).
        const QJsonObject u = encode(e, test::forwardTestFlow(9, t));
        QCOMPARE(u.value(QStringLiteral("sampling_rate")).toInteger(), 0);
        QCOMPARE(u.value(QStringLiteral("bytes_scaled")).toInteger(), 1009);
    }

    void flatNoNullsStableTypes()
    {
        forward::RecordEncoder e;
        decode::FlowRecord empty; // every field zero: addresses become "", never null
        empty.time_received_ns = 1764322800000000000ull;
        decode::FlowRecord v6 = test::forwardTestFlow(3, 1764322800000000000ull);
        v6.src_addr = *decode::IpAddress::parse("2001:db8::1");
        v6.etype = 0x86dd;
        v6.proto = 58;
        v6.type = decode::FlowType::SFlow5;
        v6.as_path_count = 2;
        v6.as_path = {64500, 64501};
        QHash<QString, QJsonValue::Type> types;
        for (const auto& r : {empty, v6, test::forwardTestFlow(4, 1764322800000000000ull)}) {
            const QJsonObject o = encode(e, r);
            QVERIFY(!o.isEmpty());
            for (auto it = o.begin(); it != o.end(); ++it) {
                QVERIFY2(!it->isNull() && !it->isObject(), qPrintable(it.key()));
                QVERIFY2(it.key() == it.key().toLower(), qPrintable(it.key()));
                // Lists are arrays (OpenObserve stores them as JSON strings); everything else keeps one type.
                const auto t = it->type();
                QVERIFY2(!types.contains(it.key()) || types.value(it.key()) == t, qPrintable(it.key()));
                types.insert(it.key(), t);
            }
        }
        QCOMPARE(types.value(QStringLiteral("src_addr")), QJsonValue::String);
        QCOMPARE(types.value(QStringLiteral("proto")), QJsonValue::String);
        QCOMPARE(types.value(QStringLiteral("etype")), QJsonValue::String);
        QCOMPARE(types.value(QStringLiteral("src_port")), QJsonValue::Double);
        QCOMPARE(types.value(QStringLiteral("as_path")), QJsonValue::Array);
        const QJsonObject o = encode(e, v6);
        QCOMPARE(o.value(QStringLiteral("src_addr")).toString(), QStringLiteral("2001:db8::1"));
        QCOMPARE(o.value(QStringLiteral("etype")).toString(), QStringLiteral("IPv6"));
        QCOMPARE(o.value(QStringLiteral("proto")).toString(), QStringLiteral("ICMPv6"));
        QCOMPARE(o.value(QStringLiteral("as_path")).toArray(), (QJsonArray{64500, 64501}));
        QCOMPARE(encode(e, empty).value(QStringLiteral("dst_addr")).toString(), QString());
    }

    void restampKeepsTheOriginalTime()
    {
        forward::RecordEncoder e;
        const QJsonObject o =
            encode(e, test::forwardTestFlow(1, 1764300000000000000ull), 1764322800000000ull);
        QCOMPARE(qint64(o.value(QStringLiteral("_timestamp")).toDouble()), qint64(1764322800000000));
        QCOMPARE(qint64(o.value(QStringLiteral("original_timestamp")).toDouble()), qint64(1764300000000000));
    }

    void enricherFieldsAreAppended()
    {
        forward::RecordEncoder e;
        e.setEnricher(std::make_shared<FixedGeo>());
        const QJsonObject o = encode(e, test::forwardTestFlow(1, 1764322800000000000ull));
        QCOMPARE(o.value(QStringLiteral("src_geo_country_name")).toString(), QStringLiteral("Testland"));
        QCOMPARE(o.value(QStringLiteral("src_geo_latitude")).toDouble(), 52.5);
        QCOMPARE(o.value(QStringLiteral("bytes_scaled")).toInteger(), 1001 * 100);
    }

    void gzipRoundTripAndBounds()
    {
        std::string json = "[";
        forward::RecordEncoder e;
        for (std::uint32_t i = 0; i < 200; ++i) {
            if (i)
                json.push_back(',');
            e.append(json, test::forwardTestFlow(i, 1764322800000000000ull));
        }
        json.push_back(']');
        auto packed = forward::gzipCompress(json);
        QVERIFY(packed.has_value());
        QVERIFY(packed->size() < qsizetype(json.size()) / 5); // repetitive JSON compresses well
        QCOMPARE(quint8(packed->at(0)), quint8(0x1f));        // gzip magic
        QCOMPARE(quint8(packed->at(1)), quint8(0x8b));
        auto back = forward::gzipDecompress(*packed, 1 << 24);
        QVERIFY(back.has_value());
        QCOMPARE(back->toStdString(), json);
        QVERIFY(!forward::gzipDecompress(*packed, 1000).has_value());                             // bounded
        QVERIFY(!forward::gzipDecompress(packed->left(packed->size() / 2), 1 << 24).has_value()); // truncated
        QVERIFY(!forward::gzipDecompress(QByteArray("not gzip at all"), 1 << 24).has_value());
    }
};

QTEST_GUILESS_MAIN(TestRecordEncoder)
#include "tst_record_encoder.moc"
