// Builds the seed corpora of every fuzz target from the oracle test vectors, at run time (the vectors
// are not part of the repository): fuzz_make_seeds VECTORS_DIR CORPUS_ROOT. Each target gets a
// directory CORPUS_ROOT/<target> of inputs in the format that target reads (see fuzz_input.h); files
// are named by a hash of their content, so running it again adds nothing twice.

#include "core/collect/pcap_reader.h"
#include "core/decode/flow_decoder.h"
#include "core/store/flow_block.h"
#include "fuzz_input.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <vector>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pcap/pcap.h>

using namespace flowlens;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Frame
{
    int linkType = 0;
    Bytes data;
};

struct Datagram
{
    Bytes payload;
    std::uint8_t exporter = 0; ///< index for fuzz::exporterFor
};

using Sequence = std::vector<Datagram>;

std::span<const std::byte> asBytes(const Bytes& b)
{
    return {reinterpret_cast<const std::byte*>(b.data()), b.size()};
}

class CorpusWriter
{
public:
    explicit CorpusWriter(const QString& root)
        : m_root(root)
    {}

    void add(const char* target, const Bytes& input)
    {
        if (input.empty() || input.size() > kMaxSeed)
            return;
        std::uint64_t h = 1469598103934665603ull; // FNV-1a
        for (std::uint8_t b : input)
            h = (h ^ b) * 1099511628211ull;
        const QString dir = m_root + QLatin1Char('/') + QLatin1String(target);
        QDir().mkpath(dir);
        QFile f(dir + QLatin1Char('/') + QString::number(h, 16).rightJustified(16, QLatin1Char('0')));
        if (f.exists())
            return;
        if (f.open(QIODevice::WriteOnly)) {
            f.write(reinterpret_cast<const char*>(input.data()), qint64(input.size()));
            ++m_counts[target];
        }
    }

    void report() const
    {
        for (const auto& [target, n] : m_counts)
            std::printf("%-24s %5d new seeds\n", target.c_str(), n);
    }

private:
    static constexpr std::size_t kMaxSeed = 1 << 17;
    QString m_root;
    std::map<std::string, int> m_counts;
};

Bytes readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray a = f.readAll();
    return Bytes(a.begin(), a.end());
}

std::vector<Frame> pcapFrames(const QString& path)
{
    std::vector<Frame> out;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(QFile::encodeName(path).constData(), err);
    if (!p)
        return out;
    const int link = pcap_datalink(p);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &hdr, &data) == 1)
        out.push_back(Frame{link, Bytes(data, data + hdr->caplen)});
    pcap_close(p);
    return out;
}

Sequence pcapDatagrams(const QString& path)
{
    Sequence out;
    auto all = collect::PcapReader::readAll(path);
    if (!all)
        return out;
    std::vector<decode::Endpoint> sources;
    for (const auto& d : *all) {
        auto it = std::find(sources.begin(), sources.end(), d.from);
        if (it == sources.end())
            it = sources.insert(sources.end(), d.from);
        const auto* b = reinterpret_cast<const std::uint8_t*>(d.payload.data());
        out.push_back(Datagram{Bytes(b, b + d.payload.size()), std::uint8_t((it - sources.begin()) & 3)});
    }
    return out;
}

Bytes sequenceInput(const Sequence& s, std::uint8_t options)
{
    Bytes out{options};
    for (const Datagram& d : s)
        fuzz::appendChunk(out, d.exporter, asBytes(d.payload));
    return out;
}

decode::Protocol protocolOf(const Bytes& d)
{
    return decode::detectProtocol(asBytes(d));
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

Sequence filesInOrder(const QString& dir, const QJsonArray& names, const QString& prefix = {})
{
    Sequence s;
    for (const auto& n : names) {
        const QString path = dir + QLatin1Char('/') + prefix + n.toString();
        if (path.endsWith(QLatin1String(".pcap"))) {
            for (auto& d : pcapDatagrams(path))
                s.push_back(std::move(d));
        } else {
            Bytes b = readAll(path);
            if (!b.empty())
                s.push_back(Datagram{std::move(b), 0});
        }
    }
    return s;
}

// Ordered multi-datagram tests of the oracle: the orders the expected files give.
std::vector<Sequence> orderedTests(const QString& vectors)
{
    std::vector<Sequence> out;
    const QString logstash = vectors + QStringLiteral("/logstash-codec-netflow");
    for (const QFileInfo& fi : QDir(logstash + QStringLiteral("/expected"))
                                   .entryInfoList({QStringLiteral("*.expected.json")}, QDir::Files)) {
        const QJsonArray order =
            readJson(fi.filePath()).value(QLatin1String("input_packets_in_order")).toArray();
        out.push_back(filesInOrder(logstash + QStringLiteral("/dat"), order));
    }
    const QJsonObject akvorado = readJson(vectors + QStringLiteral("/akvorado/expected.json"));
    for (const char* kind : {"netflow", "sflow"}) {
        for (const auto& t : akvorado.value(QLatin1String(kind) + QLatin1String("_tests")).toArray()) {
            QJsonArray pcaps;
            for (const auto& ev : t.toObject().value(QLatin1String("events")).toArray())
                if (ev.toObject().contains(QLatin1String("read_pcap")))
                    pcaps.append(ev.toObject().value(QLatin1String("read_pcap")));
            out.push_back(filesInOrder(vectors + QStringLiteral("/akvorado/") + QLatin1String(kind), pcaps));
        }
    }
    const QJsonObject index = readJson(vectors + QStringLiteral("/netflow_parser_rs/INDEX.json"));
    for (const auto& t : index.value(QLatin1String("tests")).toArray())
        out.push_back(filesInOrder(vectors + QStringLiteral("/netflow_parser_rs/bin"),
                                   t.toObject().value(QLatin1String("inputs_in_order")).toArray()));
    // Directories of numbered datagrams (telegraf cases, goflow2, vflow, ...): sorted file order.
    QDirIterator dirs(vectors, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (dirs.hasNext()) {
        const QString dir = dirs.next();
        QJsonArray names;
        for (const QString& f :
             QDir(dir).entryList({QStringLiteral("*.bin"), QStringLiteral("*.dat")}, QDir::Files, QDir::Name))
            if (!f.startsWith(QLatin1String("rawheader_")))
                names.append(f);
        if (names.size() > 1)
            out.push_back(filesInOrder(dir, names));
    }
    out.erase(std::remove_if(out.begin(), out.end(), [](const Sequence& s) { return s.empty(); }), out.end());
    return out;
}

Bytes hex(const char* text)
{
    const QByteArray b = QByteArray::fromHex(text);
    return Bytes(b.begin(), b.end());
}

// Filters covering the grammar of query::Filter (see filter.h).
const char* const kFilters[] = {
    "",
    "any",
    "# only a comment",
    "src ip 10.0.0.1",
    "dst host 2001:db8::1",
    "net 10.0.0.0/8 and not port 53",
    "src net 192.168.0.0 mask 255.255.0.0",
    "ip in [ 10.0.0.1 10.0.0.0/24, 2001:db8::/32 ]",
    "port in [ 80 443 8080 ]",
    "dst port > 1024 or src port <= 80",
    "proto tcp and flags S and not flags A",
    "flags = 0x12",
    "proto icmp6 or icmp-type 8 or icmp type 3",
    "icmp-code 1",
    "tcp || udp && !sctp",
    "ipv4 and (bytes > 1k or packets >= 1.5m)",
    "inet6 and duration > 1000",
    "bps > 1g and pps < 10k and bpp != 64",
    "exporter 192.0.2.1 or router ip 192.0.2.2 or exporter net 192.0.2.0/24",
    "next ip 10.0.0.254 and bgp next ip 192.0.2.9 and next as 64500",
    "src as 64500 or dst as >= 4200000000",
    "in if 3 and out if != 4 and if 7",
    "src vlan 100 or dst vlan 200 or vlan 300",
    "src mask 24 and dst mask < 16 or mask 0",
    "src mac 00:11:22:33:44:55 or mac aa:bb:cc:dd:ee:ff",
    "tos 0x2e and ethertype 0x86dd",
    "sampled and bytes gt 100 and packets eq 3 and bytes ne 1",
    "not not not any",
    "((((port 1))))",
    "proto gre or proto esp or proto 132",
    "src ip 10.0.0.1/33",
    "port in [",
    "flags XYZ",
    "bytes > 1e",
};

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: fuzz_make_seeds VECTORS_DIR CORPUS_ROOT\n");
        return 2;
    }
    const QString vectors = QString::fromLocal8Bit(argv[1]);
    CorpusWriter corpus(QString::fromLocal8Bit(argv[2]));

    std::vector<Bytes> datagrams;
    std::vector<Frame> frames;
    std::vector<Sequence> sequences;
    if (QDir(vectors).exists()) {
        QDirIterator it(vectors, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString name = QFileInfo(path).fileName();
            if (name.endsWith(QLatin1String(".pcap"))) {
                corpus.add("pcap_file", readAll(path));
                for (Frame& f : pcapFrames(path))
                    frames.push_back(std::move(f));
                Sequence s = pcapDatagrams(path);
                for (const Datagram& d : s)
                    datagrams.push_back(d.payload);
                if (!s.empty())
                    sequences.push_back(std::move(s));
            } else if (name.startsWith(QLatin1String("rawheader_"))) {
                // sFlow raw header fragments: Ethernet ones start at L2, the others at IP or L4.
                Bytes h{std::uint8_t(name.contains(QLatin1String("ethernet")) ? 0 : 1), 0};
                const Bytes b = readAll(path);
                h.insert(h.end(), b.begin(), b.end());
                corpus.add("packet_header", h);
            } else if (name.endsWith(QLatin1String(".bin")) || name.endsWith(QLatin1String(".dat"))) {
                Bytes b = readAll(path);
                if (!b.empty())
                    datagrams.push_back(std::move(b));
            }
        }
        for (Sequence& s : orderedTests(vectors))
            sequences.push_back(std::move(s));
    } else {
        std::fprintf(stderr, "fuzz_make_seeds: no vectors at %s; only built-in seeds\n", argv[1]);
    }

    for (const Bytes& d : datagrams) {
        corpus.add("decode_datagram", d);
        sequences.push_back(Sequence{Datagram{d, 0}});
    }

    // Sequences for the decoders: all protocols, then each protocol's own datagrams.
    const std::pair<const char*, decode::Protocol> perProtocol[] = {
        {"netflow_v5", decode::Protocol::NetFlowV5},
        {"netflow_v9", decode::Protocol::NetFlowV9},
        {"ipfix", decode::Protocol::Ipfix},
        {"sflow", decode::Protocol::SFlowV5},
    };
    std::vector<decode::FlowRecord> allFlows;
    for (const Sequence& s : sequences) {
        corpus.add("decode_sequence", sequenceInput(s, 0));
        corpus.add("decode_store", sequenceInput(s, 0));
        corpus.add("decode_sequence", sequenceInput(s, 0x18)); // tight limits, no reverse records
        for (const auto& [target, protocol] : perProtocol) {
            Sequence own;
            for (const Datagram& d : s)
                if (protocolOf(d.payload) == protocol)
                    own.push_back(d);
            if (!own.empty())
                corpus.add(target, sequenceInput(own, 0));
        }
        // Saved template state after the sequence, then the sequence again on the loaded decoder.
        decode::FlowDecoder decoder;
        std::vector<decode::FlowRecord> flows;
        for (const Datagram& d : s)
            decoder.decode(asBytes(d.payload), fuzz::exporterFor(d.exporter), 1'700'000'000'000'000'000ull,
                           flows);
        const std::vector<std::byte> saved = decoder.saveTemplates();
        if (saved.size() > 10 && saved.size() < 0xFFFF) {
            Bytes in{std::uint8_t(saved.size() >> 8), std::uint8_t(saved.size())};
            for (std::byte b : saved)
                in.push_back(std::to_integer<std::uint8_t>(b));
            const Bytes seq = sequenceInput(s, 0);
            in.insert(in.end(), seq.begin(), seq.end());
            corpus.add("load_templates", in);
        }
        if (allFlows.size() < 20000)
            allFlows.insert(allFlows.end(), flows.begin(), flows.end());
    }

    // Frames: the capture parser with each frame's link type, the header parser with Ethernet ones.
    for (const Frame& f : frames) {
        const auto* pos =
            std::find(std::begin(fuzz::kPcapLinkTypes), std::end(fuzz::kPcapLinkTypes), f.linkType);
        if (pos != std::end(fuzz::kPcapLinkTypes)) {
            Bytes in{std::uint8_t(pos - std::begin(fuzz::kPcapLinkTypes))};
            in.insert(in.end(), f.data.begin(), f.data.end());
            corpus.add("pcap_frame", in);
        }
        if (f.linkType == 1) {
            Bytes in{0, 0};
            in.insert(in.end(), f.data.begin(), std::min(f.data.end(), f.data.begin() + 256));
            corpus.add("packet_header", in);
        }
    }
    // Tunnels for the decapsulation paths: [first protocol][decapsulation] header.
    const std::pair<std::uint8_t, const char*> tunnels[] = {
        {1,
         "450000300001000040040000c0000201c00002024500001c000200003f1100000a0000010a0000020400003500080000"},
        {4,
         "00112233445566778899aabb86dd6000000000342b4020010db800000000000000000000000120010db800000000000000"
         "0000000002040204000000000020010db80000000000000000000000024500001c000300003f01000008080808d5248c640"
         "8"
         "00000000010001"},
        {2,
         "00112233445566778899aabb08004500004200010000402f0000c0000201c0000202000065580200000000050200000000"
         "0608004500001c000200003f1100000a0000010a0000020400003500080000"},
        {3,
         "00112233445566778899aabb0800450000620001000040110000c0000201c0000202c73812b5004e00000800000000007b"
         "0002000000000502000000000686dd6000000000083a4020010db800040000000000000000000120010db80004000000000"
         "0"
         "00000000038000000000010001"},
        {0,
         "00112233445566778899aabb8847493ec0ff000111ff0000000002000000000502000000000608004500001c000200003f"
         "1100000a0000010a0000020400003500080000"},
    };
    for (const auto& [decap, h] : tunnels) {
        Bytes in{std::uint8_t(h[0] == '4' ? 1 : 0), decap};
        const Bytes b = hex(h);
        in.insert(in.end(), b.begin(), b.end());
        corpus.add("packet_header", in);
    }

    for (const char* f : kFilters)
        corpus.add("filter", Bytes(f, f + std::char_traits<char>::length(f) + (f[0] ? 0 : 1)));

    // Stored blocks of decoded flows, of a few sizes.
    store::BlockEncoder encoder;
    std::vector<std::byte> block;
    for (const std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(100), allFlows.size()}) {
        if (n == 0 || n > allFlows.size())
            continue;
        encoder.encode(std::span<const decode::FlowRecord>(allFlows.data(), n), block);
        const auto* b = reinterpret_cast<const std::uint8_t*>(block.data());
        corpus.add("block_decoder", Bytes(b, b + block.size()));
    }
    corpus.report();
    return 0;
}
