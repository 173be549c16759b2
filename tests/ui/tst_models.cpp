#include "ui_test_data.h"

#include "ui/format.h"
#include "ui/models/exporter_table_model.h"
#include "ui/models/flow_table_model.h"
#include "ui/models/model_roles.h"
#include "ui/models/top_table_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::test;
using store::Dimension;

namespace {

query::TopEntry entry(Dimension d, const decode::FlowRecord& r, std::uint64_t flows, std::uint64_t bytes)
{
    query::TopEntry e;
    store::RollupKey keys[2];
    store::rollupKeys(d, r, keys);
    e.key = keys[0];
    e.counters.flows = flows;
    e.counters.packets = flows * 3;
    e.counters.bytes = bytes;
    e.counters.scaledPackets = flows * 30;
    e.counters.scaledBytes = bytes * 10;
    return e;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private slots:
    void formatting_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("bytes") << 0 << 1234.0 << QStringLiteral("1.23 kB");
        QTest::newRow("bytes big") << 0 << 98.5e6 << QStringLiteral("98.5 MB");
        QTest::newRow("bytes small") << 0 << 512.0 << QStringLiteral("512 B");
        QTest::newRow("bits/s") << 1 << 17.6e6 << QStringLiteral("17.6 Mb/s");
        QTest::newRow("bits/s small") << 1 << 950.0 << QStringLiteral("950 b/s");
        QTest::newRow("compact") << 2 << 2220000.0 << QStringLiteral("2.22M");
        QTest::newRow("compact small") << 2 << 20.0 << QStringLiteral("20");
    }

    void formatting()
    {
        QFETCH(int, kind);
        QFETCH(double, value);
        QFETCH(QString, text);
        const QString got = kind == 0   ? ui::fmt::bytes(value)
                            : kind == 1 ? ui::fmt::bitsPerSecond(value)
                                        : ui::fmt::compact(value);
        QCOMPARE(got, text);
    }

    void keysAsPeopleReadThem()
    {
        decode::FlowRecord r;
        r.proto = 17;
        r.src_port = 40000;
        r.dst_port = 53;
        r.src_addr = v4(0x0a000001u);
        r.dst_addr = *decode::IpAddress::parse("2001:db8::1");
        store::RollupKey k[2];
        store::rollupKeys(Dimension::Proto, r, k);
        QCOMPARE(ui::fmt::keyText(Dimension::Proto, k[0]), QStringLiteral("UDP"));
        store::rollupKeys(Dimension::DstPort, r, k);
        QCOMPARE(ui::fmt::keyText(Dimension::DstPort, k[0]), QStringLiteral("53 (dns)"));
        store::rollupKeys(Dimension::SrcPort, r, k);
        QCOMPARE(ui::fmt::keyText(Dimension::SrcPort, k[0]), QStringLiteral("40000"));
        store::rollupKeys(Dimension::Pair, r, k);
        QCOMPARE(ui::fmt::keyText(Dimension::Pair, k[0]), QStringLiteral("10.0.0.1 → 2001:db8::1"));
        QCOMPARE(ui::fmt::keyText(Dimension::Src, store::RollupKey{}), QStringLiteral("other"));
        // Protocol colours are stable across calls and charts.
        store::rollupKeys(Dimension::Proto, r, k);
        QCOMPARE(ui::fmt::keyColor(Dimension::Proto, k[0]), ui::fmt::keyColor(Dimension::Proto, k[0]));
    }

    void topTableRawAndDisplay()
    {
        ui::TopTableModel model(Dimension::DstPort);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        decode::FlowRecord a, b;
        a.dst_port = 443;
        b.dst_port = 22;
        query::TopResult r;
        r.rows = {entry(Dimension::DstPort, a, 10, 3'000'000), entry(Dimension::DstPort, b, 5, 1'000'000)};
        r.total.flows = 20;
        r.total.scaledBytes = 50'000'000;
        r.total.bytes = 5'000'000;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setResult(r, ui::MetricKind::BitsPerSecond, false, 100);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, ui::TopTableModel::KeyColumn).data().toString(),
                 QStringLiteral("443 (https)"));
        QCOMPARE(model.index(0, ui::TopTableModel::KeyColumn).data(ui::RawRole).toString(),
                 QStringLiteral("443"));
        // 30 MB (scaled) over 100 s = 2.4 Mb/s; share of the 50 MB total.
        QCOMPARE(model.index(0, ui::TopTableModel::ValueColumn).data(ui::RawRole).toDouble(), 2.4e6);
        QCOMPARE(model.index(0, ui::TopTableModel::ValueColumn).data().toString(),
                 QStringLiteral("2.40 Mb/s"));
        QCOMPARE(model.index(0, ui::TopTableModel::ShareColumn).data(ui::RawRole).toDouble(), 0.6);
        QCOMPARE(model.index(0, ui::TopTableModel::ShareColumn).data().toString(), QStringLiteral("60.0 %"));
        QCOMPARE(model.index(1, ui::TopTableModel::BytesColumn).data(ui::RawRole).toULongLong(),
                 10'000'000ull);
        QCOMPARE(model.index(1, ui::TopTableModel::KeyColumn).data(ui::FilterTermRole).toString(),
                 QStringLiteral("dst port 22"));
        QCOMPARE(model.headerData(ui::TopTableModel::ValueColumn, Qt::Horizontal, ui::RawRole).toString(),
                 QStringLiteral("bits_per_second"));
        // Same shape: a ranged dataChanged, no reset. As sent: the raw counters.
        model.setResult(r, ui::MetricKind::BitsPerSecond, true, 100);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1, ui::TopTableModel::BytesColumn).data(ui::RawRole).toULongLong(),
                 1'000'000ull);
        // Fewer rows: one reset.
        r.rows.pop_back();
        model.setResult(r, ui::MetricKind::Bytes, false, 100);
        QCOMPARE(reset.count(), 2);
        QCOMPARE(model.rowCount(), 1);
    }

    void exporterTable()
    {
        ui::ExporterTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        query::ExporterInfo e;
        e.endpoint = QStringLiteral("192.0.2.1:2055");
        e.address = QStringLiteral("192.0.2.1");
        e.type = QStringLiteral("IPFIX");
        e.version = 10;
        e.flows = 1000;
        e.sequenceLost = 5;
        e.sequenceExpected = 1000;
        e.templatesActive = 3;
        e.samplingRate = 512;
        e.anomalies = 2;
        e.anomalyText = QStringLiteral("short_set=2");
        model.setRows({e}, {{QStringLiteral("192.0.2.1"), {1, 2, 3}}},
                      {{QStringLiteral("192.0.2.1:2055/0"), 12.5}});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, ui::ExporterTableModel::TypeColumn).data().toString(),
                 QStringLiteral("IPFIX (v10)"));
        QCOMPARE(model.index(0, ui::ExporterTableModel::LossColumn).data().toString(),
                 QStringLiteral("5 (0.5 %)"));
        QCOMPARE(model.index(0, ui::ExporterTableModel::SamplingColumn).data().toString(),
                 QStringLiteral("1:512"));
        QCOMPARE(model.index(0, ui::ExporterTableModel::RateColumn).data(ui::RawRole).toDouble(), 12.5);
        QCOMPARE(model.index(0, ui::ExporterTableModel::AnomaliesColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("short_set=2"));
        QCOMPARE(model.index(0, ui::ExporterTableModel::ActivityColumn)
                     .data(ui::SeriesRole)
                     .value<QList<double>>(),
                 QList<double>({1, 2, 3}));
        QVERIFY(model.index(0, ui::ExporterTableModel::LossColumn).data(Qt::ForegroundRole).isValid());
    }

    void flowFieldsAsText()
    {
        decode::FlowRecord r;
        r.proto = 6;
        r.tcp_flags = 0x12; // SYN ACK
        r.src_mac = 0x001122334455ull;
        r.dst_port = 443;
        r.src_net = 24;
        r.etype = 0x86dd;
        r.type = decode::FlowType::Ipfix;
        r.mpls_label_count = 2;
        r.mpls_label[0] = 100;
        r.mpls_label[1] = 200;
        r.bytes = 1234567;
        using F = decode::FlowField;
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::TcpFlags), QStringLiteral(".A..S."));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::SrcMac), QStringLiteral("00:11:22:33:44:55"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::DstPort), QStringLiteral("443 (https)"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::SrcNet), QStringLiteral("/24"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::Etype), QStringLiteral("IPv6"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::Type), QStringLiteral("IPFIX"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::MplsLabel), QStringLiteral("100 200"));
        QCOMPARE(ui::FlowTableModel::fieldText(r, F::Proto), QStringLiteral("TCP"));
        QCOMPARE(ui::FlowTableModel::fieldFilterTerm(r, F::DstPort), QStringLiteral("dst port 443"));
        QCOMPARE(ui::FlowTableModel::fieldFilterTerm(r, F::Bytes), QString());
        // Every field's term parses and selects the flow it came from.
        r.src_addr = v4(0x0a000001u);
        r.sampler_address = v4(0xc0000201u);
        for (const auto& info : decode::flowFields()) {
            const QString term = ui::FlowTableModel::fieldFilterTerm(r, info.field);
            if (term.isEmpty())
                continue;
            auto f = query::Filter::parse(term);
            QVERIFY2(f.has_value(), qPrintable(term));
            QVERIFY2(f->matches(r), qPrintable(term));
        }
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
