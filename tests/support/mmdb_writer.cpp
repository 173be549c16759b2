#include "mmdb_writer.h"

#include "core/collect/allowlist.h"

#include <cstring>

#include <QFile>

namespace flowlens::test {

namespace {

enum Type : int
{
    kUtf8 = 2,
    kDouble = 3,
    kUint16 = 5,
    kUint32 = 6,
    kMap = 7,
    kUint64 = 9,
    kArray = 11,
    kFloat = 15,
};

void control(std::string& out, int type, std::size_t size)
{
    std::uint8_t first = std::uint8_t((type <= 7 ? type : 0) << 5);
    std::string sizeBytes;
    if (size < 29) {
        first |= std::uint8_t(size);
    } else if (size < 29 + 256) {
        first |= 29;
        sizeBytes.push_back(char(size - 29));
    } else {
        first |= 30;
        const std::size_t v = size - 285;
        sizeBytes.push_back(char(v >> 8));
        sizeBytes.push_back(char(v & 0xff));
    }
    out.push_back(char(first));
    if (type > 7)
        out.push_back(char(type - 7));
    out += sizeBytes;
}

void putString(std::string& out, const std::string& s)
{
    control(out, kUtf8, s.size());
    out += s;
}

void putUnsigned(std::string& out, int type, std::uint64_t v)
{
    std::string bytes;
    while (v) {
        bytes.insert(bytes.begin(), char(v & 0xff));
        v >>= 8;
    }
    control(out, type, bytes.size());
    out += bytes;
}

void putValue(std::string& out, const MmdbValue& v)
{
    switch (v.kind) {
    case MmdbValue::Kind::String:
        putString(out, v.text);
        break;
    case MmdbValue::Kind::Double: {
        control(out, kDouble, 8);
        std::uint64_t bits;
        std::memcpy(&bits, &v.number, 8);
        for (int i = 7; i >= 0; --i)
            out.push_back(char(bits >> (8 * i)));
        break;
    }
    case MmdbValue::Kind::Float: {
        control(out, kFloat, 4);
        const float f = float(v.number);
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int i = 3; i >= 0; --i)
            out.push_back(char(bits >> (8 * i)));
        break;
    }
    case MmdbValue::Kind::Uint32:
        putUnsigned(out, kUint32, v.unsignedValue);
        break;
    case MmdbValue::Kind::Map:
        control(out, kMap, v.map.size());
        for (const auto& [key, value] : v.map) {
            putString(out, key);
            putValue(out, value);
        }
        break;
    }
}

} // namespace

MmdbValue MmdbValue::string(std::string s)
{
    MmdbValue v;
    v.kind = Kind::String;
    v.text = std::move(s);
    return v;
}

MmdbValue MmdbValue::real(double d)
{
    MmdbValue v;
    v.kind = Kind::Double;
    v.number = d;
    return v;
}

MmdbValue MmdbValue::real32(float f)
{
    MmdbValue v;
    v.kind = Kind::Float;
    v.number = double(f);
    return v;
}

MmdbValue MmdbValue::uint32(std::uint32_t u)
{
    MmdbValue v;
    v.kind = Kind::Uint32;
    v.unsignedValue = u;
    return v;
}

MmdbValue MmdbValue::object(std::vector<std::pair<std::string, MmdbValue>> members)
{
    MmdbValue v;
    v.kind = Kind::Map;
    v.map = std::move(members);
    return v;
}

MmdbWriter::MmdbWriter(std::string databaseType)
    : m_type(std::move(databaseType))
{
    m_nodes.emplace_back();
}

bool MmdbWriter::insert(const std::string& cidr, const MmdbValue& record)
{
    const auto net = collect::Cidr::parse(cidr);
    if (!net)
        return false;
    // IPv4 networks live under ::/96 of the IPv6 tree (where libmaxminddb looks IPv4 up).
    std::uint8_t bytes[16] = {};
    int bits = net->prefixLength;
    if (net->network.isV4()) {
        const std::uint32_t v4 = net->network.v4();
        for (int i = 0; i < 4; ++i)
            bytes[12 + i] = std::uint8_t(v4 >> (24 - 8 * i));
        bits += 96;
    } else {
        std::memcpy(bytes, net->network.bytes.data(), 16);
    }
    if (bits == 0)
        return false;
    const auto offset = std::uint32_t(m_data.size());
    putValue(m_data, record);
    std::size_t node = 0;
    for (int i = 0; i < bits; ++i) {
        const int bit = (bytes[i / 8] >> (7 - i % 8)) & 1;
        Record& r = bit ? m_nodes[node].second : m_nodes[node].first;
        if (i == bits - 1) {
            r = {Record::Data, offset};
            return true;
        }
        if (r.kind == Record::Data)
            return false; // nested networks are not supported
        if (r.kind == Record::Empty) {
            const auto next = std::uint32_t(m_nodes.size());
            r = {Record::Node, next};
            m_nodes.emplace_back(); // may move `r`'s storage: not used after this
            node = next;
        } else {
            node = r.value;
        }
    }
    return true;
}

QByteArray MmdbWriter::build() const
{
    const auto nodeCount = std::uint32_t(m_nodes.size());
    std::string out;
    auto recordValue = [&](const Record& r) -> std::uint32_t {
        switch (r.kind) {
        case Record::Node:
            return r.value;
        case Record::Data:
            return nodeCount + 16 + r.value;
        case Record::Empty:
            break;
        }
        return nodeCount;
    };
    for (const auto& [left, right] : m_nodes)
        for (const Record* r : {&left, &right}) {
            const std::uint32_t v = recordValue(*r);
            out.push_back(char(v >> 16));
            out.push_back(char(v >> 8));
            out.push_back(char(v));
        }
    out.append(16, '\0');
    out += m_data;
    out += std::string("\xAB\xCD\xEFMaxMind.com");
    std::string meta;
    control(meta, kMap, 9);
    putString(meta, "binary_format_major_version");
    putUnsigned(meta, kUint16, 2);
    putString(meta, "binary_format_minor_version");
    putUnsigned(meta, kUint16, 0);
    putString(meta, "build_epoch");
    putUnsigned(meta, kUint64, 1767225600); // 2026-01-01
    putString(meta, "database_type");
    putString(meta, m_type);
    putString(meta, "description");
    control(meta, kMap, 1);
    putString(meta, "en");
    putString(meta, "FlowLens test database");
    putString(meta, "ip_version");
    putUnsigned(meta, kUint16, 6);
    putString(meta, "languages");
    control(meta, kArray, 1);
    putString(meta, "en");
    putString(meta, "node_count");
    putUnsigned(meta, kUint32, nodeCount);
    putString(meta, "record_size");
    putUnsigned(meta, kUint16, 24);
    out += meta;
    return QByteArray(out.data(), qsizetype(out.size()));
}

bool MmdbWriter::writeTo(const QString& path) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray bytes = build();
    return f.write(bytes) == bytes.size();
}

} // namespace flowlens::test
