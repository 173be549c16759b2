#include "latency_probe.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <QDateTime>
#include <QFile>
#include <QTimer>

namespace flowlens::ui {

LatencyProbe::LatencyProbe(const QString& output, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_output(output)
    , m_intervalMs(intervalMs)
    , m_timer(new QTimer(this))
    , m_reportTimer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &LatencyProbe::tick);
    m_reportTimer->setInterval(10000);
    connect(m_reportTimer, &QTimer::timeout, this, [this] { write(report()); });
    m_clock.start();
    m_timer->start();
    m_reportTimer->start();
    m_lateness.reserve(1 << 20);
    m_busy.reserve(1 << 20);
}

LatencyProbe::~LatencyProbe()
{
    write(report() + QStringLiteral(" (final)"));
}

namespace {

qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

void LatencyProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 cpu = threadCpuNs();
    if (m_lastNs >= 0) {
        const double ms = std::max(0.0, double(now - m_lastNs) / 1e6 - m_intervalMs);
        // CPU time the GUI thread itself spent in the gap; the timer callback itself is tiny.
        const double busy = std::min(ms, std::max(0.0, double(cpu - m_lastCpuNs) / 1e6 - 0.05));
        m_maxMs = std::max(m_maxMs, ms);
        m_maxBusyMs = std::max(m_maxBusyMs, busy);
        if (ms > 50 || busy > 25)
            write(QStringLiteral("%1 stall of %2 ms (GUI thread busy %3 ms of it)")
                      .arg(QDateTime::currentDateTime().toString(Qt::ISODateWithMs))
                      .arg(ms, 0, 'f', 1)
                      .arg(busy, 0, 'f', 1));
        if (m_lateness.size() < m_lateness.capacity()) {
            m_lateness.push_back(float(ms));
            m_busy.push_back(float(busy));
        }
    }
    m_lastNs = now;
    m_lastCpuNs = cpu;
}

QString LatencyProbe::report() const
{
    if (m_lateness.empty())
        return QStringLiteral("latency probe: no samples yet");
    std::vector<float> sorted = m_lateness;
    std::sort(sorted.begin(), sorted.end());
    std::vector<float> busy = m_busy;
    std::sort(busy.begin(), busy.end());
    auto pct = [](const std::vector<float>& v, double p) {
        return double(v[std::min(v.size() - 1, std::size_t(p * double(v.size())))]);
    };
    return QStringLiteral(
               "%1 latency probe: %2 samples over %3 s (timer every %4 ms) | event-loop lateness: "
               "longest %5 ms, p50 %6, p99 %7, p99.9 %8 ms | GUI-thread busy: longest %9 ms, p99 %10, "
               "p99.9 %11 ms")
        .arg(QDateTime::currentDateTime().toString(Qt::ISODate))
        .arg(sorted.size())
        .arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1)
        .arg(m_intervalMs)
        .arg(m_maxMs, 0, 'f', 1)
        .arg(pct(sorted, 0.50), 0, 'f', 2)
        .arg(pct(sorted, 0.99), 0, 'f', 2)
        .arg(pct(sorted, 0.999), 0, 'f', 2)
        .arg(m_maxBusyMs, 0, 'f', 1)
        .arg(pct(busy, 0.99), 0, 'f', 2)
        .arg(pct(busy, 0.999), 0, 'f', 2);
}

void LatencyProbe::write(const QString& line) const
{
    if (m_output.isEmpty() || m_output == QLatin1String("-")) {
        std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
        return;
    }
    QFile f(m_output);
    if (f.open(QIODevice::Append | QIODevice::Text))
        f.write((line + QLatin1Char('\n')).toUtf8());
}

} // namespace flowlens::ui
