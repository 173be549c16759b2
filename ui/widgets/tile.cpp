#include "tile.h"

#include <QLabel>
#include <QVBoxLayout>

namespace flowlens::ui {

Tile::Tile(const QString& caption, QWidget* parent)
    : QFrame(parent)
    , m_caption(new QLabel(caption, this))
    , m_value(new QLabel(QStringLiteral("–"), this))
    , m_detail(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    setMinimumWidth(150);
    QFont f = m_value->font();
    f.setPointSizeF(f.pointSizeF() * 1.9);
    f.setBold(true);
    m_value->setFont(f);
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    m_detail->setWordWrap(true);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addWidget(m_caption);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    layout->addStretch(1);
}

void Tile::setValue(const QString& value, const QString& detail)
{
    m_value->setText(value);
    m_detail->setText(detail);
}

QString Tile::value() const
{
    return m_value->text();
}

QString Tile::detail() const
{
    return m_detail->text();
}

void Tile::setAlert(bool alert)
{
    QPalette p = palette();
    p.setColor(QPalette::WindowText, alert ? QColor(0xd0, 0x3b, 0x3b) : palette().color(QPalette::Text));
    m_value->setPalette(p);
    m_value->setForegroundRole(alert ? QPalette::WindowText : QPalette::Text);
}

} // namespace flowlens::ui
