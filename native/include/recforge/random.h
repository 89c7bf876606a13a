// Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011): element i of a
// draw depends only on (seed, offset + i), never on thread count or machine, and the
// CUDA backend can produce the identical stream. A generator is (seed, offset); every
// draw of n elements advances offset by n.
#pragma once
#include <cstdint>

#include "recforge/enums.generated.h"

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

void philox4x32(uint64_t seed, uint64_t counter, uint32_t out[4]);

// RandomKind { Uniform [a, b), Normal (mean a, std b), Bernoulli (P(1) = a) }: enums.generated.h.
template <typename T>
void random_fill(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b);
// Integers uniform in [lo, hi).
void random_int(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi);

// ---- CUDA (native/cuda/random.cu) ----------------------------------------------------
// The same Philox stream and transforms on DEVICE memory: element i of a draw depends only
// on (seed, offset + i). Uniform, Bernoulli and random_int are bit-identical to the CPU;
// Normal uses the device's log/cos (<= 2 ulp in double from glibc's), so float results
// match except for rare last-bit roundings and double results agree to ~1e-15.
template <typename T>
void random_fill_cuda(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b,
                      CUstream_st* stream);
void random_int_cuda(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi,
                     CUstream_st* stream);

}  // namespace recforge
