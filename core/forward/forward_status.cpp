#include "forward_status.h"

namespace flowlens::forward {

QString forwardStateName(ForwardState state)
{
    switch (state) {
    case ForwardState::Stopped:
        return QStringLiteral("stopped");
    case ForwardState::Idle:
        return QStringLiteral("idle");
    case ForwardState::Sending:
        return QStringLiteral("sending");
    case ForwardState::BackingOff:
        return QStringLiteral("backing off");
    case ForwardState::Paused:
        return QStringLiteral("paused");
    }
    return QStringLiteral("unknown");
}

} // namespace flowlens::forward
