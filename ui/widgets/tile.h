#pragma once

#include <QFrame>

class QLabel;

namespace flowlens::ui {

/// A headline number on the Overview: caption, value, and a detail line.
class Tile : public QFrame
{
    Q_OBJECT

public:
    explicit Tile(const QString& caption, QWidget* parent = nullptr);
    void setValue(const QString& value, const QString& detail = {});
    QString value() const;
    QString detail() const;
    /// Marks the value as a warning (drops, losses).
    void setAlert(bool alert);

private:
    QLabel* m_caption;
    QLabel* m_value;
    QLabel* m_detail;
};

} // namespace flowlens::ui
