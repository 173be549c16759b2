#include "flow_table_model.h"

#include "model_roles.h"

#include "core/enrich/service_names.h"

#include <cstring>

#include <QDateTime>
#include <QLocale>

namespace flowlens::ui {

using decode::FieldKind;
using decode::FlowField;
using decode::FlowRecord;

namespace {

constexpr int kFirstPage = 500;
constexpr int kNextPage = 2000;

const decode::IpAddress& addressField(const FlowRecord& r, FlowField f)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(&r) + decode::fieldInfo(f).offset;
    return *reinterpret_cast<const decode::IpAddress*>(p);
}

QString tcpFlagsText(std::uint64_t flags)
{
    // nfdump order, with ECE/CWR in front only when set.
    static const std::pair<unsigned, char> bits[] = {{0x80, 'C'}, {0x40, 'E'}, {0x20, 'U'}, {0x10, 'A'},
                                                     {0x08, 'P'}, {0x04, 'R'}, {0x02, 'S'}, {0x01, 'F'}};
    QString s;
    for (const auto& [bit, c] : bits) {
        if ((bit & 0xc0) && !(flags & 0xc0))
            continue;
        s += (flags & bit) ? QLatin1Char(c) : QLatin1Char('.');
    }
    return s;
}

QString arrayText(const FlowRecord& r, const decode::FieldInfo& info)
{
    const auto count = decode::fieldValue(r, info.countField);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&r) + info.offset;
    QStringList parts;
    const std::size_t max = info.size / sizeof(std::uint32_t);
    for (std::size_t i = 0; i < std::min<std::size_t>(count, max); ++i) {
        std::uint32_t v;
        std::memcpy(&v, p + i * sizeof v, sizeof v);
        parts << QString::number(v);
    }
    return parts.join(QLatin1Char(' '));
}

QString timeText(std::uint64_t ns)
{
    if (!ns)
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(ns / 1000000ull))
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

} // namespace

FlowTableModel::FlowTableModel(query::QueryService* service, QObject* parent)
    : QAbstractTableModel(parent)
    , m_service(service)
    , m_channel(QStringLiteral("flow-table-%1").arg(quintptr(this), 0, 16))
{
    connect(m_service, &query::QueryService::flowPageReady, this, &FlowTableModel::onPage);
}

void FlowTableModel::setQuery(std::uint64_t sinceNs, std::uint64_t untilNs, const query::Filter& filter)
{
    m_since = sinceNs;
    m_until = untilNs;
    m_filter = filter;
    reload();
}

void FlowTableModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_snapshot = 0;
    m_total = 0;
    m_reachable = 0;
    m_known = false;
    endResetModel();
    request(0, kFirstPage);
}

void FlowTableModel::request(std::uint64_t offset, int limit)
{
    query::FlowPageRequest req;
    req.sinceNs = m_since;
    req.untilNs = m_until;
    req.filter = m_filter;
    req.sortField = m_sortField;
    req.descending = m_descending;
    req.offset = offset;
    req.limit = limit;
    req.snapshot = m_snapshot;
    const bool wasLoading = isLoading();
    m_inFlight = m_service->requestFlowPage(m_channel, req);
    if (!wasLoading)
        emit loadingChanged(true);
}

void FlowTableModel::onPage(const query::FlowPageReply& reply)
{
    if (reply.channel != m_channel || reply.id != m_inFlight)
        return;
    m_inFlight = 0;
    emit loadingChanged(false);
    if (!reply.error.isEmpty()) {
        emit errorOccurred(reply.error);
        return;
    }
    const query::FlowPage& page = reply.page;
    if (page.offset != m_rows.size())
        return; // a page for rows we no longer hold (the model was reset meanwhile)
    m_snapshot = page.snapshot;
    const bool changed = !m_known || m_total != page.totalRows || m_reachable != page.reachableRows;
    m_total = page.totalRows;
    m_reachable = page.reachableRows;
    m_known = true;
    if (!page.rows.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(page.rows.size()) - 1);
        m_rows.insert(m_rows.end(), page.rows.begin(), page.rows.end());
        endInsertRows();
    }
    if (changed)
        emit totalChanged(m_total, m_reachable);
}

const FlowRecord* FlowTableModel::flow(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
}

int FlowTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FlowTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : decode::kFlowFieldCount;
}

bool FlowTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_known && !isLoading() && m_rows.size() < m_reachable;
}

void FlowTableModel::fetchMore(const QModelIndex& parent)
{
    if (canFetchMore(parent))
        request(m_rows.size(), kNextPage);
}

void FlowTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= decode::kFlowFieldCount)
        return;
    const FlowField field = fieldOf(column);
    const bool descending = order == Qt::DescendingOrder;
    if (field == m_sortField && descending == m_descending && (m_known || isLoading()))
        return;
    m_sortField = field;
    m_descending = descending;
    reload();
}

QString FlowTableModel::fieldText(const FlowRecord& r, FlowField f)
{
    const decode::FieldInfo& info = decode::fieldInfo(f);
    switch (info.kind) {
    case FieldKind::Address:
        return QString::fromStdString(addressField(r, f).toString());
    case FieldKind::Mac: {
        const std::uint64_t mac = decode::fieldValue(r, f);
        return mac ? QString::fromStdString(decode::macToString(mac)) : QString();
    }
    case FieldKind::TimeNs:
        return timeText(decode::fieldValue(r, f));
    case FieldKind::Array32:
        return arrayText(r, info);
    case FieldKind::Enum:
        return QString::fromLatin1(decode::flowTypeName(r.type).data());
    case FieldKind::Unsigned:
        break;
    }
    const std::uint64_t v = decode::fieldValue(r, f);
    switch (f) {
    case FlowField::Proto:
        return QString::fromStdString(decode::protoName(r.proto));
    case FlowField::Etype:
        return QString::fromStdString(decode::etypeName(r.etype));
    case FlowField::TcpFlags:
        return r.proto == 6 ? tcpFlagsText(v) : QString::number(v);
    case FlowField::SrcPort:
    case FlowField::DstPort: {
        const std::string_view name = enrich::serviceName(std::uint16_t(v));
        if (name.empty() || (r.proto != 6 && r.proto != 17 && r.proto != 132))
            return QString::number(v);
        return QStringLiteral("%1 (%2)").arg(v).arg(QLatin1String(name.data(), qsizetype(name.size())));
    }
    case FlowField::SrcNet:
    case FlowField::DstNet:
        return v ? QStringLiteral("/%1").arg(v) : QString();
    case FlowField::Bytes:
    case FlowField::Packets:
        return QLocale().toString(qulonglong(v));
    default:
        break;
    }
    return QString::number(v);
}

QString FlowTableModel::fieldFilterTerm(const FlowRecord& r, FlowField f)
{
    switch (f) {
    case FlowField::SrcAddr:
        return r.src_addr.isZero()
                   ? QString()
                   : QStringLiteral("src ip ") + QString::fromStdString(r.src_addr.toString());
    case FlowField::DstAddr:
        return r.dst_addr.isZero()
                   ? QString()
                   : QStringLiteral("dst ip ") + QString::fromStdString(r.dst_addr.toString());
    case FlowField::SamplerAddress:
        return r.sampler_address.isZero()
                   ? QString()
                   : QStringLiteral("exporter ") + QString::fromStdString(r.sampler_address.toString());
    case FlowField::SrcPort:
        return QStringLiteral("src port %1").arg(r.src_port);
    case FlowField::DstPort:
        return QStringLiteral("dst port %1").arg(r.dst_port);
    case FlowField::Proto:
        return QStringLiteral("proto %1").arg(r.proto);
    case FlowField::SrcAs:
        return QStringLiteral("src as %1").arg(r.src_as);
    case FlowField::DstAs:
        return QStringLiteral("dst as %1").arg(r.dst_as);
    case FlowField::InIf:
        return QStringLiteral("in if %1").arg(r.in_if);
    case FlowField::OutIf:
        return QStringLiteral("out if %1").arg(r.out_if);
    case FlowField::SrcVlan:
        return QStringLiteral("src vlan %1").arg(r.src_vlan);
    case FlowField::DstVlan:
        return QStringLiteral("dst vlan %1").arg(r.dst_vlan);
    case FlowField::IpTos:
        return QStringLiteral("tos %1").arg(r.ip_tos);
    case FlowField::NextHop:
        return r.next_hop.isZero()
                   ? QString()
                   : QStringLiteral("next ip ") + QString::fromStdString(r.next_hop.toString());
    default:
        break;
    }
    return {};
}

QVariant FlowTableModel::data(const QModelIndex& index, int role) const
{
    const FlowRecord* r = index.isValid() ? flow(index.row()) : nullptr;
    if (!r || index.column() >= decode::kFlowFieldCount)
        return {};
    const FlowField f = fieldOf(index.column());
    const decode::FieldInfo& info = decode::fieldInfo(f);
    switch (role) {
    case Qt::DisplayRole:
        return fieldText(*r, f);
    case RawRole:
        switch (info.kind) {
        case FieldKind::Address:
        case FieldKind::Mac:
        case FieldKind::Array32:
            return fieldText(*r, f);
        case FieldKind::Enum:
            return QString::fromLatin1(decode::flowTypeName(r->type).data());
        case FieldKind::Unsigned:
        case FieldKind::TimeNs:
            break;
        }
        return qulonglong(decode::fieldValue(*r, f));
    case FilterTermRole:
        return fieldFilterTerm(*r, f);
    case Qt::TextAlignmentRole:
        if (info.kind == FieldKind::Unsigned && f != FlowField::Proto && f != FlowField::Etype &&
            f != FlowField::TcpFlags && f != FlowField::SrcPort && f != FlowField::DstPort)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= decode::kFlowFieldCount)
        return {};
    const decode::FieldInfo& info = decode::fieldInfo(fieldOf(section));
    if (role == Qt::DisplayRole || role == RawRole)
        return QString::fromLatin1(info.name.data(), qsizetype(info.name.size()));
    if (role == Qt::ToolTipRole)
        return fieldOf(section) == FlowField::TimeReceived
                   ? QStringLiteral(
                         "When the collector received the flow. Sorting by it is arrival order and "
                         "pages through every flow.")
                   : QStringLiteral(
                         "Click to sort (done by a background worker; the first %L1 rows of the order "
                         "can be paged through).")
                         .arg(qulonglong(query::kMaxSortedRows));
    return {};
}

} // namespace flowlens::ui
