#pragma once

#include "ui/view_state.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QToolButton;

namespace flowlens::ui {

/// The time range shared by every dashboard: presets (last 5 minutes … 7 days, all stored data),
/// a custom range, and live mode (auto-refresh) with pause.
class TimeRangeBar : public QWidget
{
    Q_OBJECT

public:
    explicit TimeRangeBar(QWidget* parent = nullptr);

    TimeRange range() const { return m_range; }
    /// Shows `range` without emitting rangeChanged.
    void setRange(const TimeRange& range);
    bool isLive() const;
    /// Sets live mode without emitting liveChanged.
    void setLive(bool live);
    /// The concrete range being shown ("10:00:00 – 10:15:00 (live)").
    void setResolvedText(const QString& text);

    QToolButton* liveButton() const { return m_live; }

signals:
    void rangeChanged(const flowlens::ui::TimeRange& range);
    void liveChanged(bool live);
    void refreshRequested();

private:
    void onPresetActivated(int index);
    void chooseCustomRange();
    void updateLiveButton();

    QComboBox* m_presets;
    QToolButton* m_live;
    QToolButton* m_refresh;
    QLabel* m_resolved;
    TimeRange m_range;
};

} // namespace flowlens::ui
