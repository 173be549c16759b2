#pragma once

#include <QString>

#include <tl/expected.hpp>

namespace flowlens {

/// Errors that can happen are values: a message a user can act on (what failed and what to do).
template <class T>
using Result = tl::expected<T, QString>;

inline tl::unexpected<QString> fail(QString message)
{
    return tl::unexpected<QString>(std::move(message));
}

} // namespace flowlens
