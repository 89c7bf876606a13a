// Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011): element i of a
// draw depends only on (seed, offset + i), never on thread count or machine, and the
// CUDA backend can produce the identical stream. A generator is (seed, offset); every
// draw of n elements advances offset by n.
#pragma once
#include <cstdint>

namespace recforge {

void philox4x32(uint64_t seed, uint64_t counter, uint32_t out[4]);

enum class RandomKind : int { Uniform = 0 /*[a, b)*/, Normal /*mean a, std b*/, Bernoulli /*P(1) = a*/ };
template <typename T>
void random_fill(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b);
// Integers uniform in [lo, hi).
void random_int(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi);

}  // namespace recforge
