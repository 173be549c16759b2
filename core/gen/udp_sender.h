#pragma once

#include "core/decode/ip_address.h"
#include "core/gen/datagram_batch.h"
#include "core/util/result.h"

#include <cstddef>
#include <limits>
#include <vector>

struct mmsghdr;
struct iovec;

namespace flowlens::gen {

/// A connected UDP socket that sends batches of datagrams with sendmmsg (one system call per
/// up to 1024 datagrams). IPv4 and IPv6 targets. Errors (no route, nobody listening, ...) are
/// returned as values with a message naming the target. Move-only; use from one thread.
class UdpSender
{
public:
    /// Opens a socket connected to `target` with a send buffer of `sendBufferBytes` (the kernel
    /// may cap it at net.core.wmem_max).
    static Result<UdpSender> open(const decode::Endpoint& target, int sendBufferBytes = 4 << 20);

    UdpSender(UdpSender&& other) noexcept;
    UdpSender& operator=(UdpSender&& other) noexcept;
    ~UdpSender();

    /// Sends datagrams [first, first + count) of `batch` in order. Returns how many were sent,
    /// which is all of them unless an error occurred. A "connection refused" (an ICMP port
    /// unreachable came back for an earlier datagram) is an error: nothing listens at the target.
    Result<std::size_t> send(const DatagramBatch& batch, std::size_t first = 0,
                             std::size_t count = std::numeric_limits<std::size_t>::max());

    const decode::Endpoint& target() const { return m_target; }
    /// The local address and port the socket was bound to by connect().
    decode::Endpoint localEndpoint() const;

private:
    UdpSender() = default;
    void close();

    int m_fd = -1;
    decode::Endpoint m_target;
    std::vector<mmsghdr> m_messages;
    std::vector<iovec> m_iov;
};

} // namespace flowlens::gen
