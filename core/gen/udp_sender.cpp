#include "udp_sender.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace flowlens::gen {

namespace {

constexpr std::size_t kMaxBatch = 1024; // UIO_MAXIOV: the kernel's limit per sendmmsg call

QString targetText(const decode::Endpoint& e)
{
    return QString::fromStdString(e.toString());
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

socklen_t toSockaddr(const decode::Endpoint& e, sockaddr_storage& out)
{
    std::memset(&out, 0, sizeof out);
    if (e.address.isV4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(e.port);
        std::memcpy(&sin->sin_addr, e.address.bytes.data() + 12, 4);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(e.port);
    std::memcpy(&sin6->sin6_addr, e.address.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

} // namespace

Result<UdpSender> UdpSender::open(const decode::Endpoint& target, int sendBufferBytes)
{
    if (target.port == 0)
        return fail(
            QStringLiteral("No target port given for %1: a collector needs a port (2055, 4739, 6343, ...).")
                .arg(targetText(target)));
    if (target.address.isZero() || (target.address.isV4() && target.address.v4() == 0))
        return fail(QStringLiteral("No target address given for %1: name the collector's address, e.g. "
                                   "127.0.0.1:2055 or [::1]:2055.")
                        .arg(targetText(target)));
    UdpSender s;
    s.m_target = target;
    sockaddr_storage addr;
    const socklen_t addrLength = toSockaddr(target, addr);
    s.m_fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s.m_fd < 0)
        return fail(QStringLiteral("Cannot create a UDP socket for %1: %2")
                        .arg(targetText(target), errnoText(errno)));
    if (sendBufferBytes > 0)
        ::setsockopt(s.m_fd, SOL_SOCKET, SO_SNDBUF, &sendBufferBytes, sizeof sendBufferBytes);
    if (::connect(s.m_fd, reinterpret_cast<const sockaddr*>(&addr), addrLength) != 0)
        return fail(QStringLiteral("Cannot reach %1: %2").arg(targetText(target), errnoText(errno)));
    return s;
}

UdpSender::UdpSender(UdpSender&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_target(other.m_target)
    , m_messages(std::move(other.m_messages))
    , m_iov(std::move(other.m_iov))
{}

UdpSender& UdpSender::operator=(UdpSender&& other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_target = other.m_target;
        m_messages = std::move(other.m_messages);
        m_iov = std::move(other.m_iov);
    }
    return *this;
}

UdpSender::~UdpSender()
{
    close();
}

void UdpSender::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

decode::Endpoint UdpSender::localEndpoint() const
{
    sockaddr_storage addr{};
    socklen_t length = sizeof addr;
    decode::Endpoint e;
    if (m_fd < 0 || ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
        return e;
    if (addr.ss_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&addr);
        e.address = decode::IpAddress::fromV4Bytes(reinterpret_cast<const std::uint8_t*>(&sin->sin_addr));
        e.port = ntohs(sin->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        e.address = decode::IpAddress::fromV6Bytes(reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr));
        e.port = ntohs(sin6->sin6_port);
    }
    return e;
}

Result<std::size_t> UdpSender::send(const DatagramBatch& batch, std::size_t first, std::size_t count)
{
    if (m_fd < 0)
        return fail(QStringLiteral("The socket to %1 is closed.").arg(targetText(m_target)));
    const std::size_t end = first + std::min(count, batch.size() - std::min(first, batch.size()));
    std::size_t sent = 0;
    std::size_t next = first;
    int retries = 0;
    while (next < end) {
        const std::size_t n = std::min(end - next, kMaxBatch);
        m_messages.resize(n);
        m_iov.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto d = batch.at(next + i);
            m_iov[i].iov_base = const_cast<std::byte*>(d.data());
            m_iov[i].iov_len = d.size();
            std::memset(&m_messages[i], 0, sizeof(mmsghdr));
            m_messages[i].msg_hdr.msg_iov = &m_iov[i];
            m_messages[i].msg_hdr.msg_iovlen = 1;
        }
        const int r = ::sendmmsg(m_fd, m_messages.data(), unsigned(n), 0);
        if (r > 0) {
            next += std::size_t(r);
            sent += std::size_t(r);
            retries = 0;
            continue;
        }
        const int error = r < 0 ? errno : EAGAIN;
        if (error == EINTR)
            continue;
        if ((error == ENOBUFS || error == EAGAIN) && retries++ < 1000) {
            // The local queue is full (qdisc or device): give it a moment rather than drop.
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            continue;
        }
        if (error == ECONNREFUSED)
            return fail(QStringLiteral("Nothing is listening at %1 (connection refused): start the collector "
                                       "first or check the port.")
                            .arg(targetText(m_target)));
        return fail(QStringLiteral("Sending to %1 failed after %2 datagrams: %3")
                        .arg(targetText(m_target))
                        .arg(sent)
                        .arg(errnoText(error)));
    }
    return sent;
}

} // namespace flowlens::gen
