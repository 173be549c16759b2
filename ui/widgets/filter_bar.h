#pragma once

#include <QStringList>
#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;
class QToolButton;

namespace flowlens::ui {

/// The filter bar shared by every dashboard: the filter language with a wavy underline and a
/// message under the bar where the text stops parsing, keyword completion (Tab / popup), and a
/// history (Up/Down, or the ▾ button). A filter is applied with Enter; Escape restores the applied one.
class FilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit FilterBar(QWidget* parent = nullptr);

    QString appliedFilter() const { return m_applied; }
    /// Shows and applies `text` without emitting filterApplied (drill-down, back/forward).
    void setFilter(const QString& text);
    QStringList history() const { return m_history; }
    void setHistory(const QStringList& history);
    QLineEdit* lineEdit() const { return m_edit; }

    bool hasError() const { return m_errorPosition >= 0; }
    int errorPosition() const { return m_errorPosition; } ///< -1 when the text parses
    int errorLength() const { return m_errorLength; }
    QString errorMessage() const;
    /// The span the wavy underline covers (at least one character).
    std::pair<int, int> underlinedSpan() const { return m_underline; }

    /// Applies the text as typed (what Enter does); false when it does not parse.
    bool apply();

signals:
    void filterApplied(const QString& text);
    void historyChanged(const QStringList& history);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void validate();
    void showUnderline(int start, int length);
    void updateCompletion();
    void insertCompletion(const QString& word);
    void stepHistory(int delta);
    void showHistoryMenu();

    QLineEdit* m_edit;
    QToolButton* m_historyButton;
    QToolButton* m_applyButton;
    QLabel* m_error;
    QCompleter* m_completer;
    QStringListModel* m_words;
    QString m_applied;
    QStringList m_history;
    int m_historyIndex = -1;
    int m_errorPosition = -1;
    int m_errorLength = 0;
    QString m_errorText;
    std::pair<int, int> m_underline{-1, 0};
};

} // namespace flowlens::ui
