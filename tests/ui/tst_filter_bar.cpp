#include "ui/widgets/filter_bar.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QtTest>

using namespace flowlens;

namespace {

/// Horizontal extent of the red wavy underline drawn in the line edit, or {-1,-1}.
std::pair<int, int> redSpan(QLineEdit* edit)
{
    const QImage image = edit->grab().toImage();
    if (qEnvironmentVariableIsSet("FILTER_BAR_DUMP"))
        image.save(qEnvironmentVariable("FILTER_BAR_DUMP"));
    int lo = -1, hi = -1;
    for (int y = image.height() / 2; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > c.green() + 40 && c.red() > c.blue() + 40) { // reddish, also where blended
                lo = lo < 0 ? x : std::min(lo, x);
                hi = std::max(hi, x);
            }
        }
    return {lo, hi};
}

/// X of the first text pixel (dark) in the line edit.
int textStart(QLineEdit* edit)
{
    const QImage image = edit->grab().toImage();
    for (int x = 2; x < image.width(); ++x)
        for (int y = 2; y < image.height() - 2; ++y)
            if (image.pixelColor(x, y).lightness() < 100)
                return x;
    return -1;
}

} // namespace

class TestFilterBar : public QObject
{
    Q_OBJECT

private slots:
    void errorsAtTheRightPosition_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("position");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("underlineStart");
        QTest::addColumn<int>("underlineLength");
        // The bad address itself.
        QTest::newRow("bad address") << QStringLiteral("src ip 10.1.0.300") << 7 << 10 << 7 << 10;
        // Nothing after "and": the error sits at the end; the last character is underlined.
        QTest::newRow("dangling and") << QStringLiteral("proto tcp and") << 13 << 0 << 12 << 1;
        QTest::newRow("typo in keyword") << QStringLiteral("prot tcp") << 0 << 4 << 0 << 4;
        QTest::newRow("unclosed parenthesis")
            << QStringLiteral("port 80 or (dst port 443") << 24 << 0 << 23 << 1;
        QTest::newRow("port out of range") << QStringLiteral("dst port 70000") << 9 << 5 << 9 << 5;
        QTest::newRow("extra parenthesis") << QStringLiteral("(proto udp))") << 11 << 1 << 11 << 1;
        QTest::newRow("and and") << QStringLiteral("proto tcp and and port 80") << 14 << 3 << 14 << 3;
    }

    void errorsAtTheRightPosition()
    {
        QFETCH(QString, text);
        QFETCH(int, position);
        QFETCH(int, length);
        QFETCH(int, underlineStart);
        QFETCH(int, underlineLength);
        ui::FilterBar bar;
        bar.resize(700, bar.sizeHint().height());
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        QTest::keyClicks(bar.lineEdit(), text);
        QVERIFY(bar.hasError());
        QCOMPARE(bar.errorPosition(), position);
        QCOMPARE(bar.errorLength(), length);
        QCOMPARE(bar.underlinedSpan(), std::make_pair(underlineStart, underlineLength));
        // The message under the bar names the 1-based column.
        auto* label = bar.findChild<QLabel*>(QString(), Qt::FindDirectChildrenOnly);
        QVERIFY(bar.errorMessage().startsWith(QStringLiteral("column %1: ").arg(position + 1)));
        bool shown = false;
        for (QLabel* l : bar.findChildren<QLabel*>())
            shown = shown || (l->isVisible() && l->text() == bar.errorMessage());
        QVERIFY(shown);
        Q_UNUSED(label);
        // The underline is drawn under those characters.
        const int x0 = textStart(bar.lineEdit());
        QVERIFY(x0 >= 0);
        const QFontMetrics fm(bar.lineEdit()->font());
        const int expectedLo = x0 + fm.horizontalAdvance(text.left(underlineStart));
        const int expectedHi = x0 + fm.horizontalAdvance(text.left(underlineStart + underlineLength));
        const auto [lo, hi] = redSpan(bar.lineEdit());
        QVERIFY2(lo >= 0, "no underline drawn");
        QVERIFY2(qAbs(lo - expectedLo) <= 4 && qAbs(hi - expectedHi) <= 4,
                 qPrintable(QStringLiteral("underline %1-%2 px, characters at %3-%4 px")
                                .arg(lo)
                                .arg(hi)
                                .arg(expectedLo)
                                .arg(expectedHi)));
        // Enter does not apply a filter that does not parse.
        QSignalSpy applied(&bar, &ui::FilterBar::filterApplied);
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
        QCOMPARE(applied.count(), 0);
        QCOMPARE(bar.appliedFilter(), QString());
    }

    void fixingTheTextClearsTheError()
    {
        ui::FilterBar bar;
        bar.show();
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("src ip 10.1.0.300"));
        QVERIFY(bar.hasError());
        QTest::keyClick(bar.lineEdit(), Qt::Key_Backspace);
        QTest::keyClick(bar.lineEdit(), Qt::Key_Backspace);
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("5"));
        QVERIFY(!bar.hasError());
        QCOMPARE(bar.underlinedSpan().second, 0);
        QCOMPARE(redSpan(bar.lineEdit()).first, -1);
    }

    void enterAppliesAndRemembers()
    {
        ui::FilterBar bar;
        bar.show();
        QSignalSpy applied(&bar, &ui::FilterBar::filterApplied);
        QSignalSpy history(&bar, &ui::FilterBar::historyChanged);
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("  proto udp  "));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
        QCOMPARE(applied.count(), 1);
        QCOMPARE(applied.at(0).at(0).toString(), QStringLiteral("proto udp"));
        bar.lineEdit()->clear();
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("dst port 53"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
        QCOMPARE(bar.history(), QStringList({QStringLiteral("dst port 53"), QStringLiteral("proto udp")}));
        QVERIFY(history.count() >= 2);
        // Up walks back through the history, Down forward, Escape restores the applied filter.
        QTest::keyClick(bar.lineEdit(), Qt::Key_Up);
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("dst port 53"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Up);
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("proto udp"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Down);
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("dst port 53"));
        QTest::keyClicks(bar.lineEdit(), QStringLiteral(" and"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Escape);
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("dst port 53"));
        // Applying the same filter again does not emit.
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
        QCOMPARE(applied.count(), 2);
    }

    void setFilterDoesNotEmit()
    {
        ui::FilterBar bar;
        QSignalSpy applied(&bar, &ui::FilterBar::filterApplied);
        bar.setFilter(QStringLiteral("src ip 10.0.0.1"));
        QCOMPARE(bar.appliedFilter(), QStringLiteral("src ip 10.0.0.1"));
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("src ip 10.0.0.1"));
        QCOMPARE(applied.count(), 0);
    }

    void completesKeywords()
    {
        ui::FilterBar bar;
        bar.resize(600, 40);
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        bar.lineEdit()->setFocus();
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("proto udp and expo"));
        auto* completer = bar.lineEdit()->parentWidget()->findChild<QCompleter*>();
        QVERIFY(completer);
        QCOMPARE(completer->completionPrefix(), QStringLiteral("expo"));
        QVERIFY(completer->completionCount() >= 1);
        QCOMPARE(completer->currentCompletion(), QStringLiteral("exporter"));
        completer->popup()->hide();
        QTest::keyClick(bar.lineEdit(), Qt::Key_Tab);
        QCOMPARE(bar.lineEdit()->text(), QStringLiteral("proto udp and exporter "));
        QCOMPARE(bar.lineEdit()->cursorPosition(), int(QStringLiteral("proto udp and exporter ").size()));
    }
};

QTEST_MAIN(TestFilterBar)
#include "tst_filter_bar.moc"
