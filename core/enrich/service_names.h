#pragma once

#include <cstdint>
#include <string_view>

namespace flowlens::enrich {

/// IANA service name of a well-known port ("https" for 443), or empty when the port has none in
/// the built-in table. The table is small and fixed so that names never depend on /etc/services.
std::string_view serviceName(std::uint16_t port);

} // namespace flowlens::enrich
