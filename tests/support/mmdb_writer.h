#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QString>

namespace flowlens::test {

/// A value of a MaxMind DB data section (the few types test databases need).
struct MmdbValue
{
    enum class Kind
    {
        String,
        Double,
        Float,
        Uint32,
        Map,
    };
    Kind kind = Kind::Map;
    std::string text;
    double number = 0;
    std::uint32_t unsignedValue = 0;
    std::vector<std::pair<std::string, MmdbValue>> map;

    static MmdbValue string(std::string s);
    static MmdbValue real(double v);
    static MmdbValue real32(float v);
    static MmdbValue uint32(std::uint32_t v);
    static MmdbValue object(std::vector<std::pair<std::string, MmdbValue>> members);
};

/// Writes small MaxMind DB files (format 2.0, IPv6 tree, 24-bit records, IPv4 under ::/96) so tests
/// can build databases in schemas no public test file covers (DB-IP's flat city schema) and
/// benchmarks can build large ones. Networks must not nest.
class MmdbWriter
{
public:
    explicit MmdbWriter(std::string databaseType);
    /// Adds a network ("81.2.69.160/27", "2a02:c7f::/32"); false when the text is not a network.
    bool insert(const std::string& cidr, const MmdbValue& record);
    QByteArray build() const;
    bool writeTo(const QString& path) const;

private:
    struct Record
    {
        enum Kind : std::uint8_t
        {
            Empty,
            Node,
            Data
        } kind = Empty;
        std::uint32_t value = 0;
    };
    std::string m_type;
    std::vector<std::pair<Record, Record>> m_nodes;
    std::string m_data;
};

} // namespace flowlens::test
