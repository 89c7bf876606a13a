// RECFORGE_HD marks the per-element math that the CPU kernels and the CUDA kernels share
// (balance_rule.h, philox.h, optim_rule.h, adagrad_rule.h, ranking_rule.h, gru_rule.h, unary_rule.h,
// binary_rule.h, softmax_rule.h, gat_rule.h, rope_rule.h, reduce_rule.h, loss_rule.h, norm_rule.h):
// one definition, compiled for the host by the C++ compiler and for both sides by nvcc, so the two
// backends cannot drift apart.
#pragma once

#if defined(__CUDACC__)
#define RECFORGE_HD __host__ __device__
#else
#define RECFORGE_HD
#endif
