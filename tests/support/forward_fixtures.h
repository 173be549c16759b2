#pragma once

#include "core/decode/flow_record.h"
#include "core/forward/forward_config.h"

#include <cstdint>

#include <QJsonObject>
#include <QList>
#include <QString>

namespace flowlens::test {

class FakeOpenObserve;

/// Now in ns since the epoch.
std::uint64_t nowNs();

/// A distinct flow: sequence_num = i (the key tests count by), 10.x source, TCP or UDP to 443,
/// sampled 1:100 for two flows out of three.
decode::FlowRecord forwardTestFlow(std::uint32_t i, std::uint64_t timeReceivedNs);

/// Stores flows [first, first + count) with FlowWriter (blocks of blockFlows) and commits.
/// Returns an error text, empty on success.
QString storeFlows(const QString& dbPath, std::uint32_t first, std::uint32_t count, std::size_t blockFlows,
                   std::uint64_t timeReceivedNs = 0, std::int64_t retentionSeconds = 0);

/// Forwarding settings for `fake` with test-sized timings (fast backoff, short flush).
forward::ForwardConfig fastForwardConfig(const FakeOpenObserve& fake);

/// Checks that the records hold each sequence_num of [first, first + count) exactly once, except
/// those in `absent` (which must not be there), and nothing else. Empty when so, else what differs.
QString exactlyOnce(const QList<QJsonObject>& records, std::uint32_t first, std::uint32_t count,
                    const QList<std::uint32_t>& absent = {});

} // namespace flowlens::test
