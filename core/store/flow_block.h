#pragma once

#include "column_block.h"

#include "core/decode/flow_record.h"

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::store {

using FieldMask = std::bitset<decode::kFlowFieldCount>;

/// All fields of FlowRecord.
FieldMask allFields();
FieldMask fieldMask(std::initializer_list<decode::FlowField> fields);

/// Most flows one block holds. Readers allocate a record per flow before decoding, so a damaged or
/// hostile block must not be able to ask for more (FlowWriter keeps its blocks within it).
inline constexpr std::size_t kMaxBlockFlows = std::size_t(1) << 16;

/// Raw flows are stored as compressed columnar blocks: one column per FlowRecord field. All-zero
/// columns are omitted, constant columns store their one value, address columns holding only IPv4
/// store 4 bytes a value, integer columns are byte-shuffled (time columns delta-coded first), and
/// each column is compressed with zstd on its own, so a scan decompresses only what it reads.
///
/// Layout (little endian): "FLB1" | u32 count | u16 columns | columns x {u8 field, u8 transform,
/// u32 payload size, u32 stored size} | column data in directory order. The payload is what the
/// transform produced (e.g. count x 4 bytes for IPv4-only addresses); stored is its zstd frame, or
/// the raw value for constant columns.
class BlockEncoder
{
public:
    explicit BlockEncoder(int zstdLevel = 1);
    ~BlockEncoder();
    BlockEncoder(const BlockEncoder&) = delete;
    BlockEncoder& operator=(const BlockEncoder&) = delete;

    /// Encodes `records` (at most kMaxBlockFlows of them; a longer span is cut there) into `out`
    /// (replacing its contents).
    void encode(std::span<const decode::FlowRecord> records, std::vector<std::byte>& out);
    /// Encodes flows already gathered into columns (the writer's open block; its first
    /// kMaxBlockFlows flows). The block is not changed.
    void encode(const ColumnBlock& block, std::vector<std::byte>& out);

private:
    int m_level;
    void* m_cctx;
    ColumnBlock m_gathered; ///< records given as FlowRecords, gathered into columns
    UninitializedVector<std::uint8_t> m_planes;
    UninitializedVector<std::uint8_t> m_deltas;
    UninitializedVector<std::byte> m_data;
};

/// Reads a block produced by BlockEncoder. Validates the directory on open; never reads outside
/// the blob, so a corrupt block is an error, not a crash.
class BlockDecoder
{
public:
    BlockDecoder();
    ~BlockDecoder();
    BlockDecoder(const BlockDecoder&) = delete;
    BlockDecoder& operator=(const BlockDecoder&) = delete;

    /// Parses the directory of `blob` (which must outlive the decode calls). false when corrupt,
    /// including a count above kMaxBlockFlows.
    bool open(std::span<const std::byte> blob);
    std::size_t count() const { return m_count; }
    bool hasColumn(decode::FlowField f) const { return m_columns[std::size_t(f)].present; }

    /// Fills the requested fields of records[0..count()); other fields are left as they are.
    /// Absent columns are written as zero. false when a column fails to decompress.
    bool decode(const FieldMask& fields, std::span<decode::FlowRecord> records);

private:
    struct Column
    {
        bool present = false;
        std::uint8_t transform = 0;
        std::uint32_t payloadSize = 0;
        std::size_t offset = 0;
        std::uint32_t storedSize = 0;
    };
    std::span<const std::byte> m_blob;
    std::size_t m_count = 0;
    std::array<Column, decode::kFlowFieldCount> m_columns{};
    void* m_dctx;
    std::vector<std::byte> m_payload;
};

} // namespace flowlens::store
