#pragma once

#include "core/decode/ip_address.h"

#include <atomic>
#include <cstdint>

#include <QObject>

class QThread;

namespace flowlens::ui {

/// "Send demo traffic": runs the built-in generator (core/gen) against the local collector on a
/// thread of its own, so a newcomer sees live data within seconds.
class DemoTraffic : public QObject
{
    Q_OBJECT

public:
    explicit DemoTraffic(QObject* parent = nullptr);
    ~DemoTraffic() override;

    bool isRunning() const { return m_thread != nullptr; }
    /// Sends NetFlow v9 (IPFIX to port 4739, sFlow to 6343) to `target` for `seconds`.
    void start(const decode::Endpoint& target, double flowsPerSecond, double seconds);
    void stop();

signals:
    void progress(quint64 flows, double seconds);
    void finished(const QString& error);

private:
    QThread* m_thread = nullptr;
    std::atomic<bool> m_stop{false};
};

} // namespace flowlens::ui
