#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QMenu;
class QToolButton;
class QVBoxLayout;

namespace flowlens::ui {

/// A titled dashboard panel: title, a caption under it (units, approximations) and a menu button
/// for the panel's actions (export, copy). Subclasses put their content in contentLayout().
class Panel : public QFrame
{
    Q_OBJECT

public:
    explicit Panel(const QString& title, QWidget* parent = nullptr);

    QString title() const { return m_title; }
    void setTitle(const QString& title);
    /// The line under the title ("bits/s · sampling-scaled").
    void setSubtitle(const QString& text);
    QString subtitle() const { return m_subtitleText; }
    /// Time range, filter, ... of the data shown; exports write them on the image/file.
    void setViewDetails(const QStringList& details) { m_details = details; }
    QStringList viewDetails() const { return m_details; }
    QMenu* menu() const { return m_menu; }

signals:
    /// An export finished (error empty) or failed; for the status bar.
    void message(const QString& text);

protected:
    QVBoxLayout* contentLayout() const { return m_content; }

private:
    QString m_title;
    QString m_subtitleText;
    QStringList m_details;
    QLabel* m_titleLabel;
    QLabel* m_subtitle;
    QToolButton* m_menuButton;
    QMenu* m_menu;
    QVBoxLayout* m_content;
};

} // namespace flowlens::ui
