#include "flow_page_query.h"

#include "core/store/flow_block.h"
#include "core/store/flow_reader.h"
#include "core/store/sqlite_db.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace flowlens::query {

using decode::FieldKind;
using decode::FlowField;
using decode::FlowRecord;

namespace {

struct BlockRef
{
    std::int64_t id = 0;
    std::uint32_t n = 0; ///< flows in the block when the snapshot was taken (blocks only grow)
    std::uint64_t tMin = 0;
    std::uint64_t tMax = 0;
    std::uint64_t matched = 0; ///< flows of the first n that match range and filter
    std::uint64_t before = 0;  ///< matched flows in earlier blocks
};

using SortKey = std::array<std::uint8_t, 16>;

SortKey keyOf(const FlowRecord& r, FlowField f)
{
    SortKey k{};
    const decode::FieldInfo& info = decode::fieldInfo(f);
    const auto* base = reinterpret_cast<const std::uint8_t*>(&r) + info.offset;
    std::uint64_t v = 0;
    switch (info.kind) {
    case FieldKind::Address:
        std::memcpy(k.data(), base, 16);
        return k;
    case FieldKind::Array32: {
        std::uint32_t first = 0;
        std::memcpy(&first, base, sizeof first);
        v = first;
        break;
    }
    case FieldKind::Unsigned:
    case FieldKind::Mac:
    case FieldKind::TimeNs:
    case FieldKind::Enum:
        v = decode::fieldValue(r, f);
        break;
    }
    for (int i = 0; i < 8; ++i)
        k[std::size_t(15 - i)] = std::uint8_t(v >> (8 * i));
    return k;
}

struct SortedEntry
{
    SortKey key;
    std::uint64_t ord; ///< block index << 32 | row: arrival order, the tie-break
    FlowRecord record;
};

} // namespace

bool flowLess(const FlowRecord& a, const FlowRecord& b, FlowField field)
{
    return keyOf(a, field) < keyOf(b, field);
}

struct FlowPageCache::Index
{
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX;
    Filter filter;
    FlowField sortField = FlowField::TimeReceived;
    bool descending = true;
    std::vector<BlockRef> blocks;
    std::uint64_t total = 0;
    bool sorted = false;
    std::vector<FlowRecord> rows; ///< sorted views: the best rows, in order
};

FlowPageCache::FlowPageCache() = default;
FlowPageCache::~FlowPageCache() = default;

std::shared_ptr<FlowPageCache::Index> FlowPageCache::find(std::uint64_t snapshot) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_indexes.find(snapshot);
    return it == m_indexes.end() ? nullptr : it->second;
}

std::uint64_t FlowPageCache::insert(std::shared_ptr<Index> index)
{
    std::lock_guard lock(m_mutex);
    const std::uint64_t id = m_next++;
    m_indexes[id] = std::move(index);
    // A few snapshots are enough: the table that is shown, and one being replaced.
    while (m_indexes.size() > 4)
        m_indexes.erase(m_indexes.begin());
    return id;
}

void FlowPageCache::replace(std::uint64_t snapshot, std::shared_ptr<Index> index)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_indexes.find(snapshot); it != m_indexes.end())
        it->second = std::move(index);
}

void FlowPageCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_indexes.clear();
}

namespace {

using Index = FlowPageCache::Index;

const QString kCancelled = QStringLiteral("cancelled");
const QString kChanged =
    QStringLiteral("the stored flows changed (retention removed old flows); reload the table");

/// Decodes the given blocks of a snapshot one at a time.
class BlockSource
{
public:
    explicit BlockSource(store::FlowReader& reader)
        : m_reader(reader)
    {}

    /// Decodes `fields` of the first block.n flows of `block` into records().
    Result<void> load(const BlockRef& block, const store::FieldMask& fields)
    {
        if (!m_select.has_value()) {
            auto st = m_reader.database().prepare("SELECT data FROM flow_blocks WHERE id = ?1");
            if (!st)
                return fail(st.error());
            m_select.emplace(std::move(*st));
        }
        store::Statement& st = *m_select;
        st.reset();
        st.bind(1, block.id);
        if (!st.step())
            return fail(st.hasError() ? st.error() : kChanged);
        if (!m_decoder.open(st.columnBlob(0)) || m_decoder.count() < block.n)
            return fail(QStringLiteral("a flow block in %1 is damaged").arg(m_reader.database().path()));
        m_records.assign(m_decoder.count(), FlowRecord{});
        store::FieldMask f = fields;
        f.set(std::size_t(FlowField::TimeReceived));
        if (!m_decoder.decode(f, m_records))
            return fail(QStringLiteral("a flow block in %1 is damaged").arg(m_reader.database().path()));
        m_records.resize(block.n);
        return {};
    }
    const std::vector<FlowRecord>& records() const { return m_records; }

private:
    store::FlowReader& m_reader;
    std::optional<store::Statement> m_select;
    store::BlockDecoder m_decoder;
    std::vector<FlowRecord> m_records;
};

bool inScope(const Index& idx, const FlowRecord& r)
{
    return r.time_received_ns >= idx.sinceNs && r.time_received_ns < idx.untilNs &&
           (idx.filter.isEmpty() || idx.filter.matches(r));
}

store::FieldMask filterFields(const Filter& filter)
{
    store::FieldMask m;
    m.set(std::size_t(FlowField::TimeReceived));
    for (FlowField f : filter.fields())
        m.set(std::size_t(f));
    return m;
}

Result<std::vector<BlockRef>> listBlocks(store::FlowReader& reader, std::uint64_t since, std::uint64_t until)
{
    auto st = reader.database().prepare(
        "SELECT id, n, t_min, t_max FROM flow_blocks WHERE t_max >= ?1 AND t_min < ?2 ORDER BY id");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(std::min<std::uint64_t>(since, INT64_MAX)));
    st->bind(2, std::int64_t(std::min<std::uint64_t>(until, INT64_MAX)));
    std::vector<BlockRef> blocks;
    while (st->step()) {
        BlockRef b;
        b.id = st->columnInt(0);
        b.n = std::uint32_t(st->columnInt(1));
        b.tMin = std::uint64_t(st->columnInt(2));
        b.tMax = std::uint64_t(st->columnInt(3));
        blocks.push_back(b);
    }
    if (st->hasError())
        return fail(st->error());
    return blocks;
}

Result<void> countArrival(store::FlowReader& reader, Index& idx, const CancelToken& cancel)
{
    BlockSource source(reader);
    const store::FieldMask fields = filterFields(idx.filter);
    std::uint64_t before = 0;
    for (BlockRef& b : idx.blocks) {
        if (cancel.isCancelled())
            return fail(kCancelled);
        b.before = before;
        if (idx.filter.isEmpty() && b.tMin >= idx.sinceNs && b.tMax < idx.untilNs) {
            b.matched = b.n;
        } else {
            if (auto r = source.load(b, fields); !r)
                return r;
            b.matched = 0;
            for (const FlowRecord& r : source.records())
                b.matched += inScope(idx, r) ? 1 : 0;
        }
        before += b.matched;
    }
    idx.total = before;
    return {};
}

/// Rows [lo, hi) in arrival order.
Result<std::vector<FlowRecord>> arrivalRows(store::FlowReader& reader, const Index& idx, std::uint64_t lo,
                                            std::uint64_t hi, const CancelToken& cancel)
{
    std::vector<FlowRecord> out;
    if (lo >= hi)
        return out;
    out.reserve(std::size_t(hi - lo));
    auto it = std::upper_bound(idx.blocks.begin(), idx.blocks.end(), lo,
                               [](std::uint64_t v, const BlockRef& b) { return v < b.before; });
    if (it == idx.blocks.begin())
        return out;
    --it;
    BlockSource source(reader);
    std::uint64_t pos = it->before;
    for (; it != idx.blocks.end() && pos < hi; ++it) {
        if (cancel.isCancelled())
            return fail(kCancelled);
        if (it->matched == 0)
            continue;
        pos = it->before;
        if (pos + it->matched <= lo)
            continue;
        if (auto r = source.load(*it, store::allFields()); !r)
            return fail(r.error());
        for (const FlowRecord& r : source.records()) {
            if (!inScope(idx, r))
                continue;
            if (pos >= lo && pos < hi)
                out.push_back(r);
            if (++pos >= hi)
                break;
        }
    }
    return out;
}

Result<void> buildSorted(store::FlowReader& reader, Index& idx, std::uint64_t keep, const CancelToken& cancel)
{
    const FlowField field = idx.sortField;
    const bool desc = idx.descending;
    auto before = [desc](const SortedEntry& a, const SortedEntry& b) {
        if (a.key != b.key)
            return desc ? a.key > b.key : a.key < b.key;
        return a.ord < b.ord;
    };
    std::vector<SortedEntry> best;
    const std::size_t slack = std::max<std::size_t>(std::size_t(keep / 2), 1024);
    best.reserve(std::size_t(keep) + slack);
    bool full = false;
    SortedEntry worst{};
    BlockSource source(reader);
    std::uint64_t total = 0;
    for (std::size_t bi = 0; bi < idx.blocks.size(); ++bi) {
        if (cancel.isCancelled())
            return fail(kCancelled);
        if (auto r = source.load(idx.blocks[bi], store::allFields()); !r)
            return r;
        const auto& records = source.records();
        for (std::size_t i = 0; i < records.size(); ++i) {
            const FlowRecord& r = records[i];
            if (!inScope(idx, r))
                continue;
            ++total;
            SortedEntry probe;
            probe.key = keyOf(r, field);
            probe.ord = (std::uint64_t(bi) << 32) | std::uint64_t(i);
            if (full && !before(probe, worst))
                continue;
            probe.record = r;
            best.push_back(probe);
            if (best.size() >= std::size_t(keep) + slack) {
                std::nth_element(best.begin(), best.begin() + std::ptrdiff_t(keep - 1), best.end(), before);
                best.resize(std::size_t(keep));
                worst = *std::max_element(best.begin(), best.end(), before);
                full = true;
            }
        }
    }
    std::sort(best.begin(), best.end(), before);
    if (best.size() > keep)
        best.resize(std::size_t(keep));
    idx.total = total;
    idx.rows.clear();
    idx.rows.reserve(best.size());
    for (const SortedEntry& e : best)
        idx.rows.push_back(e.record);
    return {};
}

std::uint64_t reachable(const Index& idx)
{
    return idx.sorted ? std::min(idx.total, kMaxSortedRows) : idx.total;
}

} // namespace

Result<FlowPage> runFlowPage(store::FlowReader& reader, const FlowPageRequest& request, FlowPageCache& cache,
                             const CancelToken& cancel)
{
    if (auto r = reader.beginSnapshot(); !r)
        return fail(r.error());
    struct EndSnapshot
    {
        store::FlowReader& r;
        ~EndSnapshot() { r.endSnapshot(); }
    } endSnapshot{reader};

    const int limit = std::clamp(request.limit, 1, kMaxPageRows);
    std::shared_ptr<Index> idx = request.snapshot ? cache.find(request.snapshot) : nullptr;
    std::uint64_t snapshot = request.snapshot;
    const std::uint64_t needed = request.offset + std::uint64_t(limit);
    if (!idx) {
        auto fresh = std::make_shared<Index>();
        fresh->sinceNs = request.sinceNs;
        fresh->untilNs = request.untilNs;
        fresh->filter = request.filter;
        fresh->sortField = request.sortField;
        fresh->descending = request.descending;
        fresh->sorted = request.sortField != FlowField::TimeReceived;
        auto blocks = listBlocks(reader, request.sinceNs, request.untilNs);
        if (!blocks)
            return fail(blocks.error());
        fresh->blocks = std::move(*blocks);
        if (fresh->sorted) {
            const std::uint64_t keep =
                std::min<std::uint64_t>(std::max<std::uint64_t>(needed * 2, 5000), kMaxSortedRows);
            if (auto r = buildSorted(reader, *fresh, keep, cancel); !r)
                return fail(r.error());
        } else if (auto r = countArrival(reader, *fresh, cancel); !r) {
            return fail(r.error());
        }
        idx = fresh;
        snapshot = cache.insert(fresh);
    } else if (idx->sorted && needed > idx->rows.size() && idx->rows.size() < reachable(*idx)) {
        // Deeper than the rows kept: sort again over the same blocks, keeping more.
        auto grown = std::make_shared<Index>(*idx);
        const std::uint64_t keep = std::min<std::uint64_t>(
            std::max<std::uint64_t>(needed * 2, idx->rows.size() * 4), kMaxSortedRows);
        if (auto r = buildSorted(reader, *grown, keep, cancel); !r)
            return fail(r.error());
        idx = grown;
        cache.replace(snapshot, grown);
    }

    FlowPage page;
    page.snapshot = snapshot;
    page.offset = request.offset;
    page.totalRows = idx->total;
    page.reachableRows = reachable(*idx);
    if (request.offset >= page.reachableRows)
        return page;
    const std::uint64_t end = std::min<std::uint64_t>(needed, page.reachableRows);
    if (idx->sorted) {
        const std::uint64_t have = std::min<std::uint64_t>(end, idx->rows.size());
        page.rows.assign(idx->rows.begin() + std::ptrdiff_t(request.offset),
                         idx->rows.begin() + std::ptrdiff_t(std::max(have, request.offset)));
        return page;
    }
    // Arrival order: descending row k is ascending row total-1-k.
    const std::uint64_t lo = idx->descending ? idx->total - end : request.offset;
    const std::uint64_t hi = idx->descending ? idx->total - request.offset : end;
    auto rows = arrivalRows(reader, *idx, lo, hi, cancel);
    if (!rows)
        return fail(rows.error());
    if (rows->size() != hi - lo)
        return fail(kChanged);
    if (idx->descending)
        std::reverse(rows->begin(), rows->end());
    page.rows = std::move(*rows);
    return page;
}

} // namespace flowlens::query
