#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::gen {

/// A list of UDP payloads kept back to back in one buffer, so that encoding a batch costs no
/// allocation once the buffers have grown. Encoders append; senders hand the spans to sendmmsg.
class DatagramBatch
{
public:
    /// Drops every datagram but keeps the capacity.
    void clear();
    std::size_t size() const { return m_ends.size(); }
    bool empty() const { return m_ends.empty(); }
    /// Sum of all payload sizes in bytes.
    std::size_t totalBytes() const { return m_ends.empty() ? 0 : m_ends.back(); }

    std::span<const std::byte> at(std::size_t i) const;
    std::span<std::byte> mutableAt(std::size_t i);

    /// The buffer to append the next datagram to; call finishDatagram() when it is complete.
    std::vector<std::byte>& buffer() { return m_bytes; }
    /// Offset at which the datagram being written starts.
    std::size_t openOffset() const { return totalBytes(); }
    /// Bytes written so far to the datagram being built.
    std::size_t openSize() const { return m_bytes.size() - totalBytes(); }
    /// Closes the datagram being written (everything appended since the previous one).
    void finishDatagram() { m_ends.push_back(m_bytes.size()); }
    /// Removes the bytes of an unfinished datagram.
    void discardOpen() { m_bytes.resize(totalBytes()); }

private:
    std::vector<std::byte> m_bytes;
    std::vector<std::size_t> m_ends;
};

} // namespace flowlens::gen
