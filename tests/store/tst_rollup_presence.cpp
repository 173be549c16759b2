// PresenceSet: key sets of coarse rollup buckets (exact port maps, Bloom filters for the rest).
#include "core/store/rollup_presence.h"

#include <random>

#include <QtTest>

using namespace flowlens;
using store::PresenceSet;
using store::RollupKey;

namespace {

RollupKey key(std::size_t size, std::uint64_t value)
{
    RollupKey k;
    k.size = std::uint8_t(size);
    for (std::size_t i = 0; i < size && i < 8; ++i)
        k.bytes[size - 1 - i] = std::uint8_t(value >> (8 * i));
    return k;
}

} // namespace

class TestRollupPresence : public QObject
{
    Q_OBJECT

private slots:
    void portsAreExact()
    {
        std::vector<RollupKey> keys;
        for (std::uint64_t p = 0; p < 65536; p += 3)
            keys.push_back(key(2, p));
        const PresenceSet set = PresenceSet::build(keys);
        QCOMPARE(int(set.blob().size()), 2 + 8192);
        for (std::uint64_t p = 0; p < 65536; ++p)
            QCOMPARE(set.mayContain(key(2, p)), p % 3 == 0);
    }

    void bloomHasNoFalseNegativesAndFewFalsePositives_data()
    {
        QTest::addColumn<int>("keySize");
        QTest::addColumn<int>("count");
        QTest::newRow("addresses, 3000") << 16 << 3000;
        QTest::newRow("pairs, 100000") << 32 << 100000;
        QTest::newRow("AS numbers, 40") << 4 << 40;
        QTest::newRow("ports, few") << 2 << 100;
    }

    void bloomHasNoFalseNegativesAndFewFalsePositives()
    {
        QFETCH(int, keySize);
        QFETCH(int, count);
        std::mt19937_64 rng(7);
        std::vector<RollupKey> keys;
        for (int i = 0; i < count; ++i) {
            RollupKey k;
            k.size = std::uint8_t(keySize);
            for (int b = 0; b < keySize; ++b)
                k.bytes[std::size_t(b)] = std::uint8_t(rng());
            keys.push_back(k);
        }
        const PresenceSet set = PresenceSet::fromBlob(PresenceSet::build(keys).blob()); // as stored
        for (const RollupKey& k : keys)
            QVERIFY(set.mayContain(k));
        int fp = 0;
        const int probes = 20000;
        for (int i = 0; i < probes; ++i) {
            RollupKey k;
            k.size = std::uint8_t(keySize);
            for (int b = 0; b < keySize; ++b)
                k.bytes[std::size_t(b)] = std::uint8_t(rng());
            fp += set.mayContain(k) ? 1 : 0;
        }
        qInfo("%d keys of %d bytes: %zu bytes, %.3f %% false positives", count, keySize, set.blob().size(),
              100.0 * fp / probes);
        QVERIFY(fp < probes / 100); // under 1 %
    }

    void unreadableBlobsContainEverything()
    {
        const std::byte junk[] = {std::byte{9}, std::byte{1}, std::byte{0}, std::byte{0}};
        for (const PresenceSet& set : {PresenceSet(), PresenceSet::fromBlob({}), PresenceSet::fromBlob(junk)})
            QVERIFY(set.mayContain(key(16, 12345)));
        // A Bloom blob whose bit count is not a power of two is refused, not misread.
        std::vector<std::byte> odd(2 + 100, std::byte{0});
        odd[0] = std::byte{2};
        odd[1] = std::byte{5};
        QVERIFY(PresenceSet::fromBlob(odd).mayContain(key(16, 1)));
    }
};

QTEST_APPLESS_MAIN(TestRollupPresence)
#include "tst_rollup_presence.moc"
