// collect::PcapReader on a whole capture file (pcap or pcapng; libpcap parses the file format, the
// reader the frames), as `flowlens-cli import` and the tests read them.

#include "core/collect/pcap_reader.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // One scratch file per fuzzing process (parallel jobs must not share it).
    static const std::string path = "/tmp/flowlens-fuzz-pcap-" + std::to_string(::getpid()) + ".pcap";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        std::abort();
    if (size && std::fwrite(data, 1, size, f) != size)
        std::abort();
    std::fclose(f);

    auto reader = flowlens::collect::PcapReader::open(QString::fromStdString(path));
    if (!reader)
        return 0;
    flowlens::collect::CapturedDatagram d;
    std::size_t datagrams = 0;
    while (reader->next(d)) {
        if (d.payload.size() > size)
            std::abort();
        ++datagrams;
    }
    if (datagrams + reader->framesSkipped() > reader->framesRead())
        std::abort();
    return 0;
}
