#include "filter_bar.h"

#include "core/query/filter.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextCharFormat>
#include <QToolButton>
#include <QVBoxLayout>

namespace flowlens::ui {

namespace {

constexpr int kMaxHistory = 50;

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_');
}

} // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_historyButton(new QToolButton(this))
    , m_applyButton(new QToolButton(this))
    , m_error(new QLabel(this))
    , m_completer(new QCompleter(this))
    , m_words(new QStringListModel(query::Filter::keywords(), this))
{
    m_edit->setPlaceholderText(QStringLiteral(
        "Filter, e.g.  proto tcp and dst port 443   ·   src net 10.0.0.0/8   ·   not exporter 192.0.2.1"));
    m_edit->setClearButtonEnabled(true);
    m_edit->setAccessibleName(QStringLiteral("Filter"));
    m_edit->installEventFilter(this);
    m_historyButton->setText(QStringLiteral("▾"));
    m_historyButton->setToolTip(QStringLiteral("Recent filters (Up/Down in the filter field)"));
    m_historyButton->setAutoRaise(true);
    m_applyButton->setText(QStringLiteral("Apply"));
    m_applyButton->setToolTip(QStringLiteral("Apply the filter (Enter)"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xd0, 0x3b, 0x3b));
    m_error->setPalette(errorPalette);
    m_error->hide();

    m_completer->setModel(m_words);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setWidget(m_edit);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &FilterBar::insertCompletion);

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(QStringLiteral("Filter:"), this);
    label->setBuddy(m_edit);
    row->addWidget(label);
    row->addWidget(m_edit, 1);
    row->addWidget(m_historyButton);
    row->addWidget(m_applyButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_error);

    connect(m_edit, &QLineEdit::textChanged, this, &FilterBar::validate);
    connect(m_edit, &QLineEdit::textEdited, this, &FilterBar::updateCompletion);
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (!m_completer->popup()->isVisible())
            apply();
    });
    connect(m_applyButton, &QToolButton::clicked, this, &FilterBar::apply);
    connect(m_historyButton, &QToolButton::clicked, this, &FilterBar::showHistoryMenu);
}

QString FilterBar::errorMessage() const
{
    return m_errorText;
}

void FilterBar::setFilter(const QString& text)
{
    m_applied = text.trimmed();
    m_historyIndex = -1;
    m_edit->setText(m_applied);
}

void FilterBar::setHistory(const QStringList& history)
{
    m_history = history.mid(0, kMaxHistory);
}

bool FilterBar::apply()
{
    validate();
    if (hasError())
        return false;
    const QString text = m_edit->text().trimmed();
    m_historyIndex = -1;
    if (!text.isEmpty()) {
        m_history.removeAll(text);
        m_history.prepend(text);
        while (m_history.size() > kMaxHistory)
            m_history.removeLast();
        emit historyChanged(m_history);
    }
    if (text == m_applied)
        return true;
    m_applied = text;
    emit filterApplied(text);
    return true;
}

void FilterBar::validate()
{
    const QString text = m_edit->text();
    auto parsed = query::Filter::parse(text);
    if (parsed) {
        m_errorPosition = -1;
        m_errorLength = 0;
        m_errorText.clear();
        m_error->hide();
        m_edit->setToolTip(QString());
        showUnderline(-1, 0);
        return;
    }
    const query::FilterError& e = parsed.error();
    m_errorPosition = e.position;
    m_errorLength = e.length;
    m_errorText = e.toString();
    m_error->setText(m_errorText);
    m_error->show();
    m_edit->setToolTip(m_errorText);
    // A zero-length error sits at the end of the text: underline the last character.
    int start = std::clamp(e.position, 0, std::max(0, int(text.size()) - 1));
    int length = std::max(1, e.length);
    if (start + length > text.size())
        length = std::max(1, int(text.size()) - start);
    showUnderline(start, length);
}

void FilterBar::showUnderline(int start, int length)
{
    m_underline = {start, start >= 0 ? length : 0};
    // QLineEdit has no rich text; formats set through an input-method event are drawn by its
    // text layout (and scroll with the text).
    QList<QInputMethodEvent::Attribute> attributes;
    if (start >= 0 && length > 0) {
        QTextCharFormat format;
        format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        format.setUnderlineColor(QColor(0xd0, 0x3b, 0x3b));
        attributes << QInputMethodEvent::Attribute(QInputMethodEvent::TextFormat,
                                                   start - m_edit->cursorPosition(), length, format);
    }
    QInputMethodEvent event(QString(), attributes);
    QCoreApplication::sendEvent(m_edit, &event);
}

void FilterBar::updateCompletion()
{
    const QString text = m_edit->text();
    const int cursor = m_edit->cursorPosition();
    int start = cursor;
    while (start > 0 && isWordChar(text[start - 1]))
        --start;
    const QString prefix = text.mid(start, cursor - start);
    if (prefix.isEmpty() || !prefix[0].isLetter()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 &&
         m_completer->currentCompletion().compare(prefix, Qt::CaseInsensitive) == 0)) {
        m_completer->popup()->hide();
        return;
    }
    QRect rect = m_edit->inputMethodQuery(Qt::ImCursorRectangle).toRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) +
                  m_completer->popup()->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(rect);
}

void FilterBar::insertCompletion(const QString& word)
{
    const QString text = m_edit->text();
    const int cursor = m_edit->cursorPosition();
    int start = cursor;
    while (start > 0 && isWordChar(text[start - 1]))
        --start;
    const QString next = text.left(start) + word + QLatin1Char(' ') + text.mid(cursor).trimmed();
    m_edit->setText(next);
    m_edit->setCursorPosition(start + int(word.size()) + 1);
}

void FilterBar::stepHistory(int delta)
{
    if (m_history.isEmpty())
        return;
    const int next = std::clamp(m_historyIndex + delta, -1, int(m_history.size()) - 1);
    if (next == m_historyIndex)
        return;
    m_historyIndex = next;
    m_edit->setText(next < 0 ? m_applied : m_history[next]);
}

void FilterBar::showHistoryMenu()
{
    QMenu menu(this);
    if (m_history.isEmpty())
        menu.addAction(QStringLiteral("No filters applied yet"))->setEnabled(false);
    for (const QString& f : m_history)
        menu.addAction(f, this, [this, f] {
            m_edit->setText(f);
            apply();
        });
    if (!m_history.isEmpty()) {
        menu.addSeparator();
        menu.addAction(QStringLiteral("Clear history"), this, [this] {
            m_history.clear();
            emit historyChanged(m_history);
        });
    }
    menu.exec(m_historyButton->mapToGlobal(QPoint(0, m_historyButton->height())));
}

bool FilterBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress && !m_completer->popup()->isVisible()) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
        case Qt::Key_Up:
            stepHistory(+1);
            return true;
        case Qt::Key_Down:
            stepHistory(-1);
            return true;
        case Qt::Key_Escape:
            m_historyIndex = -1;
            m_edit->setText(m_applied);
            return true;
        case Qt::Key_Tab:
            if (!m_edit->text().isEmpty()) {
                updateCompletion();
                if (m_completer->completionCount() > 0 && m_completer->popup()->isVisible()) {
                    insertCompletion(m_completer->currentCompletion());
                    m_completer->popup()->hide();
                    return true;
                }
            }
            break;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace flowlens::ui
