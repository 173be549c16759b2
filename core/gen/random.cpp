#include "random.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace flowlens::gen {

namespace {

std::uint64_t splitmix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

__extension__ typedef unsigned __int128 Uint128; // GCC/Clang builtin; -Wpedantic needs the marker

std::uint64_t rotl(std::uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

} // namespace

Random::Random(std::uint64_t seed)
{
    std::uint64_t state = seed;
    for (auto& s : m_s)
        s = splitmix64(state);
}

std::uint64_t Random::next()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double Random::uniform()
{
    return double(next() >> 11) * 0x1.0p-53;
}

std::uint64_t Random::below(std::uint64_t n)
{
    // Multiply-shift: the bias is below 2^-32 for the ranges used here, which is irrelevant for
    // synthetic traffic and keeps the draw to one number (the stream stays easy to reason about).
    return static_cast<std::uint64_t>((static_cast<Uint128>(next()) * n) >> 64);
}

double Random::normal()
{
    const double u1 = 1.0 - uniform(); // (0, 1]: log() stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Random::logNormal(double median, double sigma)
{
    return median * std::exp(sigma * normal());
}

double Random::pareto(double xm, double alpha)
{
    return xm / std::pow(1.0 - uniform(), 1.0 / alpha);
}

double Random::exponential(double mean)
{
    return -mean * std::log(1.0 - uniform());
}

DiscreteDistribution::DiscreteDistribution(std::span<const double> weights)
{
    m_cumulative.reserve(weights.size());
    double sum = 0;
    for (double w : weights) {
        sum += std::max(w, 0.0);
        m_cumulative.push_back(sum);
    }
}

DiscreteDistribution DiscreteDistribution::zipf(std::size_t n, double exponent)
{
    std::vector<double> w(n);
    for (std::size_t k = 0; k < n; ++k)
        w[k] = 1.0 / std::pow(double(k + 1), exponent);
    return DiscreteDistribution(w);
}

std::size_t DiscreteDistribution::sample(Random& rng) const
{
    if (m_cumulative.empty())
        return 0;
    const double x = rng.uniform() * m_cumulative.back();
    const auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), x);
    return std::min<std::size_t>(std::size_t(it - m_cumulative.begin()), m_cumulative.size() - 1);
}

double DiscreteDistribution::probability(std::size_t i) const
{
    if (i >= m_cumulative.size() || m_cumulative.back() <= 0)
        return 0;
    const double prev = i == 0 ? 0 : m_cumulative[i - 1];
    return (m_cumulative[i] - prev) / m_cumulative.back();
}

} // namespace flowlens::gen
