#include "demo_traffic.h"

#include "core/gen/generator.h"

#include <QDateTime>
#include <QPointer>
#include <QThread>

namespace flowlens::ui {

DemoTraffic::DemoTraffic(QObject* parent)
    : QObject(parent)
{}

DemoTraffic::~DemoTraffic()
{
    stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void DemoTraffic::start(const decode::Endpoint& target, double flowsPerSecond, double seconds)
{
    if (m_thread)
        return;
    gen::GenOptions options;
    options.target = target;
    options.proto = target.port == 4739   ? decode::Protocol::Ipfix
                    : target.port == 6343 ? decode::Protocol::SFlowV5
                                          : decode::Protocol::NetFlowV9;
    options.flowsPerSecond = flowsPerSecond;
    options.durationSeconds = seconds;
    options.seed = std::uint64_t(QDateTime::currentMSecsSinceEpoch());
    if (auto ok = gen::checkOptions(options); !ok) {
        emit finished(ok.error());
        return;
    }
    m_stop = false;
    QPointer<DemoTraffic> self(this);
    m_thread = QThread::create([self, options, stop = &m_stop] {
        auto result = gen::runGenerator(options, *stop, [self](const gen::GenStats& s) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, s] {
                    if (self)
                        emit self->progress(s.flows, s.elapsedSeconds);
                },
                Qt::QueuedConnection);
        });
        const QString error = result ? QString() : result.error();
        QMetaObject::invokeMethod(
            self.data(),
            [self, error] {
                if (!self)
                    return;
                if (self->m_thread) {
                    self->m_thread->wait();
                    delete self->m_thread;
                    self->m_thread = nullptr;
                }
                emit self->finished(error);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("flowlens-demo"));
    m_thread->start(QThread::LowPriority);
}

void DemoTraffic::stop()
{
    m_stop = true;
}

} // namespace flowlens::ui
