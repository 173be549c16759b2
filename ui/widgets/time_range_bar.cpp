#include "time_range_bar.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QToolButton>

namespace flowlens::ui {

namespace {
constexpr RangePreset kPresets[] = {
    RangePreset::Last5Minutes, RangePreset::Last15Minutes, RangePreset::LastHour, RangePreset::Last6Hours,
    RangePreset::Last24Hours,  RangePreset::Last7Days,     RangePreset::AllData,  RangePreset::Custom};
}

TimeRangeBar::TimeRangeBar(QWidget* parent)
    : QWidget(parent)
    , m_presets(new QComboBox(this))
    , m_live(new QToolButton(this))
    , m_refresh(new QToolButton(this))
    , m_resolved(new QLabel(this))
{
    for (RangePreset p : kPresets)
        m_presets->addItem(rangePresetName(p), int(p));
    m_presets->setCurrentIndex(m_presets->findData(int(m_range.preset)));
    m_presets->setAccessibleName(QStringLiteral("Time range"));
    m_presets->setToolTip(QStringLiteral("Time range of every dashboard"));
    m_live->setCheckable(true);
    m_live->setChecked(true);
    m_live->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_refresh->setText(QStringLiteral("⟳"));
    m_refresh->setToolTip(QStringLiteral("Refresh now (F5)"));
    m_refresh->setAutoRaise(true);
    m_resolved->setForegroundRole(QPalette::PlaceholderText);
    m_resolved->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_presets);
    layout->addWidget(m_live);
    layout->addWidget(m_refresh);
    layout->addWidget(m_resolved);
    updateLiveButton();

    connect(m_presets, &QComboBox::activated, this, &TimeRangeBar::onPresetActivated);
    connect(m_live, &QToolButton::toggled, this, [this](bool on) {
        updateLiveButton();
        emit liveChanged(on);
    });
    connect(m_refresh, &QToolButton::clicked, this, &TimeRangeBar::refreshRequested);
}

void TimeRangeBar::setRange(const TimeRange& range)
{
    m_range = range;
    m_presets->setCurrentIndex(m_presets->findData(int(range.preset)));
    m_live->setEnabled(range.preset != RangePreset::Custom);
    updateLiveButton();
}

bool TimeRangeBar::isLive() const
{
    return m_live->isChecked() && m_range.preset != RangePreset::Custom;
}

void TimeRangeBar::setLive(bool live)
{
    const QSignalBlocker block(m_live);
    m_live->setChecked(live);
    updateLiveButton();
}

void TimeRangeBar::setResolvedText(const QString& text)
{
    m_resolved->setText(text);
}

void TimeRangeBar::updateLiveButton()
{
    const bool live = isLive();
    m_live->setText(live ? QStringLiteral("● Live") : QStringLiteral("❚❚ Paused"));
    m_live->setToolTip(m_range.preset == RangePreset::Custom
                           ? QStringLiteral("A custom range is fixed; pick a preset to follow live data")
                           : (live
                                  ? QStringLiteral("Refreshing every few seconds; click (or Ctrl+P) to pause")
                                  : QStringLiteral("Paused; click (or Ctrl+P) to follow live data")));
    QPalette p = m_live->palette();
    p.setColor(QPalette::ButtonText, live ? QColor(0x2e, 0x9e, 0x4f) : palette().color(QPalette::ButtonText));
    m_live->setPalette(p);
}

void TimeRangeBar::onPresetActivated(int index)
{
    const auto preset = RangePreset(m_presets->itemData(index).toInt());
    if (preset == RangePreset::Custom) {
        chooseCustomRange();
        return;
    }
    TimeRange r;
    r.preset = preset;
    if (r == m_range)
        return;
    setRange(r);
    emit rangeChanged(m_range);
}

void TimeRangeBar::chooseCustomRange()
{
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("Custom time range"));
    const QDateTime now = QDateTime::currentDateTime();
    auto* from = new QDateTimeEdit(m_range.preset == RangePreset::Custom
                                       ? QDateTime::fromMSecsSinceEpoch(qint64(m_range.sinceNs / 1000000))
                                       : now.addSecs(-3600),
                                   dialog);
    auto* to = new QDateTimeEdit(m_range.preset == RangePreset::Custom
                                     ? QDateTime::fromMSecsSinceEpoch(qint64(m_range.untilNs / 1000000))
                                     : now,
                                 dialog);
    for (QDateTimeEdit* e : {from, to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    }
    auto* error = new QLabel(dialog);
    error->setStyleSheet(QStringLiteral("color: #d03b3b"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    auto* form = new QFormLayout(dialog);
    form->addRow(QStringLiteral("From:"), from);
    form->addRow(QStringLiteral("To:"), to);
    form->addRow(error);
    form->addRow(buttons);
    QPointer<TimeRangeBar> self(this);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [=] {
        if (from->dateTime() >= to->dateTime()) {
            error->setText(QStringLiteral("“From” must be before “To”."));
            return;
        }
        if (self) {
            TimeRange r;
            r.preset = RangePreset::Custom;
            r.sinceNs = std::uint64_t(from->dateTime().toMSecsSinceEpoch()) * 1000000ull;
            r.untilNs = std::uint64_t(to->dateTime().toMSecsSinceEpoch()) * 1000000ull;
            self->setRange(r);
            emit self->rangeChanged(r);
        }
        dialog->accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::rejected, this, [this] { setRange(m_range); });
    dialog->open();
}

} // namespace flowlens::ui
