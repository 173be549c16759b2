#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::gen {

/// Small, fast, seedable generator (xoshiro256**, seeded through splitmix64) with the few
/// distributions the traffic model needs. Implemented here rather than with <random>'s
/// distributions because those are implementation-defined: the same seed must give the same
/// traffic whatever standard library built it.
class Random
{
public:
    explicit Random(std::uint64_t seed);

    std::uint64_t next();
    /// Uniform in [0, 1).
    double uniform();
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    /// Uniform integer in [0, n); n == 0 gives 0.
    std::uint64_t below(std::uint64_t n);
    /// Uniform integer in [low, high].
    std::uint64_t between(std::uint64_t low, std::uint64_t high) { return low + below(high - low + 1); }
    bool chance(double p) { return uniform() < p; }
    /// Standard normal (Box-Muller, no cached second value so the stream stays simple).
    double normal();
    /// Log-normal with the given median and shape (sigma of the underlying normal).
    double logNormal(double median, double sigma);
    /// Pareto with scale xm (the minimum) and shape alpha: heavy tail for alpha near 1.
    double pareto(double xm, double alpha);
    double exponential(double mean);

private:
    std::uint64_t m_s[4];
};

/// Samples indices 0..n-1 with fixed weights (binary search over the cumulative sums).
class DiscreteDistribution
{
public:
    DiscreteDistribution() = default;
    explicit DiscreteDistribution(std::span<const double> weights);
    /// Weights 1/(k+1)^exponent: index 0 is the heaviest talker.
    static DiscreteDistribution zipf(std::size_t n, double exponent);

    std::size_t sample(Random& rng) const;
    std::size_t size() const { return m_cumulative.size(); }
    /// Probability of index i.
    double probability(std::size_t i) const;

private:
    std::vector<double> m_cumulative;
};

} // namespace flowlens::gen
