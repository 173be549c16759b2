#include "ui/dialogs/about_dialog.h"

#include "core/util/build_info.h"

#include <sqlite3.h>

#include <QLabel>
#include <QtTest>

using namespace flowlens;
using namespace flowlens::ui;

class TestAboutDialog : public QObject
{
    Q_OBJECT

private slots:
    void buildInfo()
    {
        const BuildInfo b = BuildInfo::current();
        QCOMPARE(b.version, QStringLiteral(FLOWLENS_VERSION));
        QVERIFY(b.compiler.startsWith(QLatin1String("GCC ")) ||
                b.compiler.startsWith(QLatin1String("Clang ")));
        QCOMPARE(b.buildDate.size(), 10); // YYYY-MM-DD
        QVERIFY(QDate::fromString(b.buildDate, Qt::ISODate).isValid());
        QStringList names;
        for (const LibraryVersion& l : b.libraries) {
            names << l.name;
            QVERIFY2(!l.version.isEmpty() && l.version.front().isDigit(),
                     qPrintable(l.name + QLatin1Char(' ') + l.version));
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Qt"), QStringLiteral("SQLite"), QStringLiteral("zstd"),
                                     QStringLiteral("libpcap"), QStringLiteral("libmaxminddb")}));
        QCOMPARE(b.libraries[0].version, QString::fromLatin1(qVersion()));
        QCOMPARE(b.libraries[1].version, QString::fromLatin1(sqlite3_libversion()));
        QVERIFY(b.librariesLine().startsWith(QStringLiteral("Qt ") + QString::fromLatin1(qVersion()) +
                                             QLatin1String(", SQLite ")));
    }

    void attributions_data()
    {
        QTest::addColumn<QStringList>("geoTypes");
        QTest::addColumn<QStringList>("expected");
        const QString ne = QStringLiteral("Made with Natural Earth. Free vector and raster map data.");
        const QString dbip = QStringLiteral("IP Geolocation by DB-IP");
        const QString maxmind = QStringLiteral("This product includes GeoLite2 data created by MaxMind");
        QTest::newRow("no GeoIP") << QStringList{} << QStringList{ne};
        QTest::newRow("DB-IP lite") << QStringList{QStringLiteral("DBIP-City-Lite")} << QStringList{ne, dbip};
        QTest::newRow("DB-IP twice") << QStringList{QStringLiteral("DBIP-Country-Lite"),
                                                    QStringLiteral("DBIP-ASN-Lite (compat=GeoLite2-ASN)")}
                                     << QStringList{ne, dbip};
        QTest::newRow("GeoLite2") << QStringList{QStringLiteral("GeoLite2-City"),
                                                 QStringLiteral("GeoLite2-ASN")}
                                  << QStringList{ne, maxmind};
        QTest::newRow("both") << QStringList{QStringLiteral("GeoLite2-ASN"), QStringLiteral("DBIP-City-Lite")}
                              << QStringList{ne, dbip, maxmind};
        QTest::newRow("unknown vendor")
            << QStringList{QStringLiteral("MyCompany-Networks")} << QStringList{ne};
    }

    void attributions()
    {
        QFETCH(QStringList, geoTypes);
        QFETCH(QStringList, expected);
        QStringList texts;
        for (const DataAttribution& a : dataAttributions(geoTypes)) {
            texts << a.text;
            QVERIFY(a.url.startsWith(QLatin1String("https://")));
        }
        QCOMPARE(texts, expected);
    }

    void dialogShowsEverything()
    {
        AboutDialog dialog({QStringLiteral("DBIP-City-Lite")});
        const BuildInfo b = BuildInfo::current();
        const QString report = dialog.reportText();
        QVERIFY(report.startsWith(QStringLiteral("FlowLens ") + b.version + QLatin1Char('\n')));
        QVERIFY(report.contains(b.buildLine()));
        QVERIFY(report.contains(b.librariesLine()));
        QVERIFY(report.contains(QStringLiteral("IP Geolocation by DB-IP")));
        QVERIFY(report.contains(QStringLiteral("Natural Earth")));
        QString shown;
        for (const QLabel* l : dialog.findChildren<QLabel*>())
            shown += l->text();
        for (const LibraryVersion& l : b.libraries)
            QVERIFY2(
                shown.contains(QStringLiteral("<td>%1</td><td>%2").arg(l.name, l.version.toHtmlEscaped())),
                qPrintable(l.name));
        QVERIFY(shown.contains(QStringLiteral("IP Geolocation by DB-IP")));
        QVERIFY(shown.contains(QStringLiteral("https://www.naturalearthdata.com")));
    }
};

QTEST_MAIN(TestAboutDialog)
#include "tst_about_dialog.moc"
