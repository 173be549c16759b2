#pragma once

#include "core/decode/flow_record.h"

#include <string>
#include <vector>

namespace flowlens::query {

/// Field names in output order: goflow2's JSON order, then FlowLens's extra fields (NAT, VRF,
/// direction).
const std::vector<std::string>& flowOutputFields();

/// Appends one flow as a goflow2-style JSON object (no newline): proto, etype and type as names,
/// addresses as strings ("" when absent), src_net/dst_net as prefixes, times in ns, MACs as text,
/// lists as arrays. Counters are raw as sent; sampling_rate is beside them.
void appendFlowJson(std::string& out, const decode::FlowRecord& r);
/// The members of appendFlowJson's object without the braces (`"type":"IPFIX",...`), so that
/// callers can add fields of their own (the OpenObserve forwarder adds _timestamp and more).
void appendFlowJsonMembers(std::string& out, const decode::FlowRecord& r);
/// CSV header line for appendFlowCsv (no newline).
std::string flowCsvHeader();
/// Appends one flow as a CSV row (no newline); lists are joined with ';'.
void appendFlowCsv(std::string& out, const decode::FlowRecord& r);

/// "10.0.0.0/24" for an address and prefix length (goflow2's src_net rendering).
std::string networkText(const decode::IpAddress& addr, int prefixLength);

} // namespace flowlens::query
