#include "panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

namespace flowlens::ui {

Panel::Panel(const QString& title, QWidget* parent)
    : QFrame(parent)
    , m_title(title)
    , m_titleLabel(new QLabel(title, this))
    , m_subtitle(new QLabel(this))
    , m_menuButton(new QToolButton(this))
    , m_menu(new QMenu(this))
    , m_content(new QVBoxLayout)
{
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("panel"));
    QFont f = m_titleLabel->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.1);
    m_titleLabel->setFont(f);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    m_subtitle->setWordWrap(true);
    m_menuButton->setText(QStringLiteral("⋯"));
    m_menuButton->setToolTip(QStringLiteral("Export and copy"));
    m_menuButton->setAccessibleName(QStringLiteral("%1 menu").arg(title));
    m_menuButton->setMenu(m_menu);
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setAutoRaise(true);
    m_menuButton->setStyleSheet(QStringLiteral("QToolButton::menu-indicator { image: none; }"));

    auto* header = new QHBoxLayout;
    auto* titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(m_titleLabel);
    titles->addWidget(m_subtitle);
    header->addLayout(titles, 1);
    header->addWidget(m_menuButton, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(4);
    layout->addLayout(header);
    layout->addLayout(m_content, 1);
    m_content->setContentsMargins(0, 0, 0, 0);
}

void Panel::setTitle(const QString& title)
{
    m_title = title;
    m_titleLabel->setText(title);
}

void Panel::setSubtitle(const QString& text)
{
    m_subtitleText = text;
    m_subtitle->setText(text);
    m_subtitle->setVisible(!text.isEmpty());
}

} // namespace flowlens::ui
