#include "udp_receiver.h"

#include "flow_queue.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <tuple>

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>
#include <QTimer>

namespace flowlens::collect {

namespace {

constexpr int kRecvBatch = 64;
constexpr std::size_t kMaxDatagram = 65536;
constexpr std::size_t kHandOverFlows = 2048;

std::uint64_t realtimeNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
}

decode::Endpoint fromSockaddr(const sockaddr_storage& ss)
{
    decode::Endpoint e;
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        e.address = decode::IpAddress::fromV4(ntohl(in.sin_addr.s_addr));
        e.port = ntohs(in.sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
        e.address = decode::IpAddress::fromV6Bytes(in6.sin6_addr.s6_addr);
        e.port = ntohs(in6.sin6_port);
    }
    return e;
}

QString bindErrorText(const decode::Endpoint& ep, int err)
{
    const QString where = QString::fromStdString(ep.toString());
    switch (err) {
    case EADDRINUSE:
        return QStringLiteral(
                   "cannot listen on %1: UDP port %2 is already in use by another program (another "
                   "collector such as nfcapd, or a second FlowLens); stop it or choose another port "
                   "with --listen")
            .arg(where)
            .arg(ep.port);
    case EACCES:
        return QStringLiteral(
                   "cannot listen on %1: ports below 1024 need privileges; use a port above 1024 "
                   "(FlowLens defaults to 2055, 4739, 6343) or grant the binary cap_net_bind_service "
                   "(sudo setcap cap_net_bind_service=+ep flowlens-cli)")
            .arg(where);
    case EADDRNOTAVAIL:
        return QStringLiteral("cannot listen on %1: that address is not configured on this machine")
            .arg(where);
    case EAFNOSUPPORT:
        return QStringLiteral("cannot listen on %1: IPv6 is not available on this machine").arg(where);
    default:
        return QStringLiteral("cannot listen on %1: %2")
            .arg(where, QString::fromLocal8Bit(std::strerror(err)));
    }
}

} // namespace

struct UdpReceiver::Socket
{
    int fd = -1;
    std::size_t stateIndex = 0;
    QSocketNotifier* notifier = nullptr;
    /// Datagrams the kernel dropped for this socket (receive buffer full), as last read.
    std::uint64_t drops = 0;
    std::uint32_t dropsRaw = 0; ///< the kernel's 32-bit counter (from 0 for a new socket), as last read
    void readDrops()
    {
        std::uint32_t info[SK_MEMINFO_VARS] = {};
        socklen_t len = sizeof info;
        if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) != 0 ||
            len <= SK_MEMINFO_DROPS * sizeof(info[0]))
            return;
        drops += std::uint32_t(info[SK_MEMINFO_DROPS] - dropsRaw); // modulo 2^32: survives a wrap
        dropsRaw = info[SK_MEMINFO_DROPS];
    }
    ~Socket()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

UdpReceiver::UdpReceiver(FlowQueue& queue, decode::DecoderLimits limits, int receiveBufferBytes)
    : m_queue(queue)
    , m_decoder(std::make_unique<decode::FlowDecoder>(limits))
    , m_receiveBufferBytes(receiveBufferBytes)
{
    m_buffer.resize(kRecvBatch * kMaxDatagram);
    m_batch.reserve(kHandOverFlows * 2);
}

UdpReceiver::~UdpReceiver() = default;

Result<std::vector<EndpointState>> UdpReceiver::bindAll(const std::vector<decode::Endpoint>& endpoints,
                                                        bool optionalV6)
{
    QStringList errors;
    for (const decode::Endpoint& ep : endpoints) {
        EndpointState state;
        state.endpoint = ep;
        const bool v4 = ep.address.isV4();
        const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            state.error = bindErrorText(ep, errno);
            if (!(optionalV6 && !v4))
                errors << state.error;
            m_states.push_back(state);
            continue;
        }
        auto socket = std::make_unique<Socket>();
        socket->fd = fd;
        if (!v4) {
            const int on = 1;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        }
        int want = m_receiveBufferBytes;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
        int granted = 0;
        socklen_t len = sizeof granted;
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
        state.receiveBufferBytes = granted;

        sockaddr_storage ss{};
        socklen_t ssLen = 0;
        if (v4) {
            auto& in = reinterpret_cast<sockaddr_in&>(ss);
            in.sin_family = AF_INET;
            in.sin_port = htons(ep.port);
            in.sin_addr.s_addr = htonl(ep.address.v4());
            ssLen = sizeof(sockaddr_in);
        } else {
            auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
            in6.sin6_family = AF_INET6;
            in6.sin6_port = htons(ep.port);
            std::memcpy(in6.sin6_addr.s6_addr, ep.address.bytes.data(), 16);
            ssLen = sizeof(sockaddr_in6);
        }
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), ssLen) != 0) {
            const int err = errno;
            state.error = bindErrorText(ep, err);
            const bool tolerated = optionalV6 && !v4 && (err == EAFNOSUPPORT || err == EADDRNOTAVAIL);
            if (!tolerated)
                errors << state.error;
            m_states.push_back(state);
            continue;
        }
        sockaddr_storage bound{};
        socklen_t boundLen = sizeof bound;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLen) == 0)
            state.endpoint.port = fromSockaddr(bound).port; // resolves port 0
        state.listening = true;
        socket->stateIndex = m_states.size();
        m_states.push_back(state);
        socket->notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
        Socket* raw = socket.get();
        connect(socket->notifier, &QSocketNotifier::activated, this, [this, raw] { readSocket(*raw, 16); });
        m_sockets.push_back(std::move(socket));
    }
    if (!errors.isEmpty())
        return fail(errors.join(QLatin1Char('\n')));
    if (m_sockets.empty())
        return fail(QStringLiteral("no endpoint to listen on"));
    if (!m_snapshotTimer) {
        m_snapshotTimer = new QTimer(this);
        m_snapshotTimer->setInterval(1000);
        connect(m_snapshotTimer, &QTimer::timeout, this, &UdpReceiver::emitSnapshot);
        m_snapshotTimer->start();
    }
    return m_states;
}

void UdpReceiver::readSocket(Socket& socket, int maxRounds)
{
    mmsghdr msgs[kRecvBatch];
    iovec iov[kRecvBatch];
    sockaddr_storage addrs[kRecvBatch];
    for (int round = 0; round < maxRounds; ++round) {
        // Read only what the queue can take: flows the queue refuses were decoded only to be
        // dropped, while in the socket buffer they can wait for the writer to catch up.
        // (A queue smaller than one read must be empty.)
        if (!m_closing &&
            !m_queue.hasRoomFor(std::min(m_queue.capacity(), m_batch.size() + m_flowsPerRound))) {
            handOver(false); // what was read so far, if it fits
            pause();
            return;
        }
        const std::uint64_t flowsBefore = m_flows;
        for (int i = 0; i < kRecvBatch; ++i) {
            iov[i].iov_base = m_buffer.data() + std::size_t(i) * kMaxDatagram;
            iov[i].iov_len = kMaxDatagram;
            std::memset(&msgs[i].msg_hdr, 0, sizeof(msghdr));
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &addrs[i];
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            msgs[i].msg_len = 0;
        }
        const int n = ::recvmmsg(socket.fd, msgs, kRecvBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0)
            break;
        const std::uint64_t now = realtimeNs();
        for (int i = 0; i < n; ++i) {
            const std::size_t len = msgs[i].msg_len;
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
                ++m_truncated;
            ++m_datagrams;
            m_bytes += len;
            const decode::Endpoint from = fromSockaddr(addrs[i]);
            if (!m_allow.allows(from.address)) {
                ++m_notAllowed;
                auto it = std::find_if(m_refused.begin(), m_refused.end(),
                                       [&](const auto& e) { return e.first == from; });
                if (it != m_refused.end())
                    ++it->second;
                else if (m_refused.size() < 64)
                    m_refused.emplace_back(from, 1);
                continue;
            }
            const std::span<const std::byte> payload(m_buffer.data() + std::size_t(i) * kMaxDatagram, len);
            m_flows += m_decoder->decode(payload, from, now, m_batch, &m_counters);
        }
        m_flowsPerRound = std::max<std::size_t>(m_flowsPerRound, std::size_t(m_flows - flowsBefore));
        if (m_batch.size() >= kHandOverFlows && !handOver(m_closing)) {
            pause();
            return;
        }
        if (n < kRecvBatch)
            break;
    }
    if (!handOver(m_closing))
        pause();
}

bool UdpReceiver::handOver(bool unbounded)
{
    if (m_batch.empty())
        return true;
    if (unbounded) {
        m_queue.pushUnbounded(m_batch);
        return true;
    }
    bool wake = false;
    const bool queued = m_queue.push(m_batch, wake); // copies: m_batch keeps its capacity
    if (wake)
        emit flowsAvailable();
    return queued;
}

void UdpReceiver::pause()
{
    // The writer is behind. Reading on would decode datagrams only to drop their flows, and that
    // work took CPU from the writer (at 2 M flows/s a third of what was decoded was dropped).
    // Until the queue has room, datagrams wait in the socket buffer; what does not fit there is
    // dropped by the kernel, counted per socket (SO_MEMINFO) and reported as datagramsDropped.
    if (m_paused || m_closing)
        return;
    m_paused = true;
    for (auto& socket : m_sockets)
        if (socket->notifier)
            socket->notifier->setEnabled(false);
    if (!m_resumeTimer) {
        m_resumeTimer = new QTimer(this);
        m_resumeTimer->setInterval(1);
        m_resumeTimer->setTimerType(Qt::PreciseTimer);
        connect(m_resumeTimer, &QTimer::timeout, this, &UdpReceiver::resumeWhenRoom);
    }
    m_resumeTimer->start();
}

void UdpReceiver::resumeWhenRoom()
{
    // Room for an eighth of the queue, and at least a hand-over and a read: resuming for less
    // would pause again at once.
    const std::size_t room =
        std::min(m_queue.capacity(), std::max(m_queue.capacity() / 8, kHandOverFlows + m_flowsPerRound));
    if (m_closing || !m_queue.hasRoomFor(room))
        return;
    m_resumeTimer->stop();
    m_paused = false;
    for (auto& socket : m_sockets)
        if (socket->notifier)
            socket->notifier->setEnabled(true); // level-triggered: fires at once if datagrams wait
}

ReceiverSnapshot UdpReceiver::snapshot()
{
    ReceiverSnapshot s;
    s.timeNs = realtimeNs();
    s.endpoints = m_states;
    s.datagrams = m_datagrams;
    s.bytes = m_bytes;
    s.truncatedDatagrams = m_truncated;
    s.flowsDecoded = m_flows;
    s.flowsDropped = m_queue.dropped();
    s.datagramsDropped = m_closedSocketDrops;
    for (auto& socket : m_sockets) {
        socket->readDrops();
        s.datagramsDropped += socket->drops;
    }
    s.datagramsNotAllowed = m_notAllowed;
    s.refusedSources = m_refused;
    m_decoder->forEachDomain(
        [&](const decode::DomainKey& k, const decode::DomainStats& st) { s.exporters.emplace_back(k, st); });
    s.unattributed = m_decoder->unattributedAnomalies();
    // Latest counters per interface; older samples of the same interface add nothing to health.
    std::map<std::tuple<decode::IpAddress, std::uint32_t, std::uint32_t>, std::size_t> latest;
    for (std::size_t i = 0; i < m_counters.size(); ++i)
        latest[{m_counters[i].agent, m_counters[i].subAgentId, m_counters[i].ifIndex}] = i;
    for (const auto& [key, index] : latest)
        s.interfaces.push_back(m_counters[index]);
    m_counters.clear();
    std::uint64_t signature = 0;
    for (const auto& [key, st] : s.exporters)
        signature += st.templatesLearned + st.templatesWithdrawn + st.optionsRecords;
    if (signature != m_templateSignature) {
        m_templateSignature = signature;
        s.templates = std::make_shared<const std::vector<std::byte>>(m_decoder->saveTemplates());
    }
    return s;
}

void UdpReceiver::emitSnapshot()
{
    emit snapshotReady(snapshot());
}

ReceiverSnapshot UdpReceiver::drainAndClose()
{
    m_closing = true; // hand over without a bound: nothing received before the stop is dropped
    if (m_resumeTimer)
        m_resumeTimer->stop();
    for (auto& socket : m_sockets) {
        if (socket->notifier)
            socket->notifier->setEnabled(false);
        readSocket(*socket, 1 << 20);
    }
    if (m_snapshotTimer)
        m_snapshotTimer->stop();
    for (auto& socket : m_sockets) {
        socket->readDrops();
        m_closedSocketDrops += socket->drops;
        delete socket->notifier;
        socket->notifier = nullptr;
    }
    m_sockets.clear();
    for (auto& st : m_states)
        st.listening = false;
    return snapshot();
}

} // namespace flowlens::collect
