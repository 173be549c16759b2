#include "latency_probe.h"

#include <algorithm>
#include <cstdio>

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
}

LatencyProbe::~LatencyProbe()
{
    write(report() + QStringLiteral(" (final)"));
}

void LatencyProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    if (m_lastNs >= 0) {
        const double late = double(now - m_lastNs) / 1e6 - m_intervalMs;
        const double ms = std::max(0.0, late);
        m_maxMs = std::max(m_maxMs, ms);
        if (m_lateness.size() < m_lateness.capacity())
            m_lateness.push_back(float(ms));
    }
    m_lastNs = now;
}

QString LatencyProbe::report() const
{
    if (m_lateness.empty())
        return QStringLiteral("latency probe: no samples yet");
    std::vector<float> sorted = m_lateness;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) {
        return double(sorted[std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())))]);
    };
    return QStringLiteral(
               "%1 latency probe: %2 samples over %3 s, longest stall %4 ms, p50 %5 ms, p99 %6 ms, "
               "p99.9 %7 ms (timer every %8 ms)")
        .arg(QDateTime::currentDateTime().toString(Qt::ISODate))
        .arg(sorted.size())
        .arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1)
        .arg(m_maxMs, 0, 'f', 1)
        .arg(pct(0.50), 0, 'f', 2)
        .arg(pct(0.99), 0, 'f', 2)
        .arg(pct(0.999), 0, 'f', 2)
        .arg(m_intervalMs);
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
