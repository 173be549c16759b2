#include "datagram_batch.h"

namespace flowlens::gen {

void DatagramBatch::clear()
{
    m_bytes.clear();
    m_ends.clear();
}

std::span<const std::byte> DatagramBatch::at(std::size_t i) const
{
    const std::size_t begin = i == 0 ? 0 : m_ends[i - 1];
    return {m_bytes.data() + begin, m_ends[i] - begin};
}

std::span<std::byte> DatagramBatch::mutableAt(std::size_t i)
{
    const std::size_t begin = i == 0 ? 0 : m_ends[i - 1];
    return {m_bytes.data() + begin, m_ends[i] - begin};
}

} // namespace flowlens::gen
