#pragma once

#include <cstdint>
#include <vector>

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QTimer;

namespace flowlens::ui {

/// Measures how responsive the GUI thread is: a precise timer asks to run every `intervalMs`; the
/// delay past its due time is how long the event loop did not run (a stall). The GUI thread's own
/// CPU time over the same gap tells a busy thread (our work) from a starved one (other processes
/// had the CPU). Enabled with the environment variable FLOWLENS_LATENCY_PROBE=FILE (or "-" for
/// stderr); reports every 10 s and at exit: longest stall, p50/p99/p99.9 lateness, both measures.
class LatencyProbe : public QObject
{
    Q_OBJECT

public:
    explicit LatencyProbe(const QString& output, int intervalMs = 5, QObject* parent = nullptr);
    ~LatencyProbe() override;

    /// A report line for the samples so far.
    QString report() const;
    double maxStallMs() const { return m_maxMs; }
    double maxBusyMs() const { return m_maxBusyMs; }
    std::size_t samples() const { return m_lateness.size(); }

private:
    void tick();
    void write(const QString& line) const;

    QString m_output;
    int m_intervalMs;
    QTimer* m_timer;
    QTimer* m_reportTimer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    qint64 m_lastCpuNs = -1;
    double m_maxMs = 0;
    double m_maxBusyMs = 0;
    std::vector<float> m_lateness; ///< ms late per tick (wall clock)
    std::vector<float> m_busy;     ///< ms of GUI-thread CPU time per tick beyond the interval
};

} // namespace flowlens::ui
