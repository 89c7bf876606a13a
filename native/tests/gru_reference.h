// A plain float64 GRU, step by step, row by row (PyTorch's equations, see gru.h): the reference the
// fused kernels are tested against (gru_test.cc on the CPU, tests/cuda/gru_test.cu via the CPU
// kernel). Also random problem generation with poisoned padding. No GEMM, no threads, no reuse of
// the kernel's layout beyond the public one.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "recforge/gru.h"
#include "test_util.h"

namespace rftest {

struct GruProblem {
  recforge::GruDims d;
  bool bias = true, has_h0 = true, has_lengths = true;
  std::vector<int32_t> lengths;                           // [B] (all T when !has_lengths)
  std::vector<double> x, h0, dout, dh_n;                  // x and dout: NaN at padding
  std::vector<std::vector<double>> w_ih, w_hh, b_ih, b_hh;  // [layers*dirs]
  int64_t k_count() const { return d.layers * d.dirs; }
};

struct GruRefResult {
  std::vector<double> out, h_n;
  std::vector<double> dx, dh0;
  std::vector<std::vector<double>> dw_ih, dw_hh, db_ih, db_hh;
};

inline double ref_sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// lengths: explicit list (may include 0, 1 and T); with has_lengths false every row has T steps.
inline GruProblem make_gru_problem(Rng& rng, recforge::GruDims d, bool bias, bool has_h0,
                                   const std::vector<int32_t>& lengths) {
  GruProblem p;
  p.d = d;
  p.bias = bias;
  p.has_h0 = has_h0;
  p.has_lengths = !lengths.empty();
  p.lengths = lengths.empty() ? std::vector<int32_t>(d.B, (int32_t)d.T) : lengths;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  p.x = randn<double>(rng, d.B * d.T * d.in);
  p.dout = randn<double>(rng, d.B * d.T * d.dirs * d.H);
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t t = p.lengths[b]; t < d.T; ++t) {
      for (int64_t i = 0; i < d.in; ++i) p.x[(b * d.T + t) * d.in + i] = nan;  // padding is never read
      for (int64_t i = 0; i < d.dirs * d.H; ++i) p.dout[(b * d.T + t) * d.dirs * d.H + i] = nan;
    }
  if (has_h0) p.h0 = randn<double>(rng, p.k_count() * d.B * d.H, 0.5);
  p.dh_n = randn<double>(rng, p.k_count() * d.B * d.H);
  const double scale = 1.0 / std::sqrt((double)d.H);
  for (int64_t l = 0; l < d.layers; ++l)
    for (int dir = 0; dir < d.dirs; ++dir) {
      p.w_ih.push_back(randn<double>(rng, 3 * d.H * d.in_of(l), 2 * scale));
      p.w_hh.push_back(randn<double>(rng, 3 * d.H * d.H, 2 * scale));
      p.b_ih.push_back(bias ? randn<double>(rng, 3 * d.H, scale) : std::vector<double>());
      p.b_hh.push_back(bias ? randn<double>(rng, 3 * d.H, scale) : std::vector<double>());
    }
  return p;
}

// Forward and (when `grads`) backward of the loss Σ dout·out + Σ dh_n·h_n over real steps.
inline GruRefResult gru_reference(const GruProblem& p, bool grads = true) {
  const recforge::GruDims& d = p.d;
  const int64_t B = d.B, T = d.T, H = d.H, D = d.dirs, L = d.layers;
  GruRefResult res;
  res.h_n.assign(L * D * B * H, 0.0);
  // Per layer: its input and the per-step caches (r, z, n, hn, hp) for the backward.
  std::vector<std::vector<double>> inputs(L + 1);
  std::vector<std::vector<double>> cache(L * D);
  inputs[0] = p.x;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t in = d.in_of(l);
    std::vector<double>& X = inputs[l];
    std::vector<double>& Y = inputs[l + 1];
    Y.assign(B * T * D * H, 0.0);
    for (int dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      cache[k].assign(B * T * 5 * H, 0.0);
      for (int64_t b = 0; b < B; ++b) {
        const int64_t len = p.lengths[b];
        std::vector<double> h(H, 0.0);
        if (p.has_h0)
          for (int64_t j = 0; j < H; ++j) h[j] = p.h0[(k * B + b) * H + j];
        for (int64_t step = 0; step < len; ++step) {
          const int64_t t = dir == 0 ? step : len - 1 - step;
          const double* xt = &X[(b * T + t) * in];
          std::vector<double> hnew(H);
          double* c = &cache[k][(b * T + t) * 5 * H];
          for (int64_t j = 0; j < H; ++j) {
            double gi[3], gh[3];
            for (int q = 0; q < 3; ++q) {
              const int64_t row = q * H + j;
              gi[q] = p.bias ? p.b_ih[k][row] : 0.0;
              gh[q] = p.bias ? p.b_hh[k][row] : 0.0;
              for (int64_t i = 0; i < in; ++i) gi[q] += p.w_ih[k][row * in + i] * xt[i];
              for (int64_t i = 0; i < H; ++i) gh[q] += p.w_hh[k][row * H + i] * h[i];
            }
            const double r = ref_sigmoid(gi[0] + gh[0]), z = ref_sigmoid(gi[1] + gh[1]);
            const double n = std::tanh(gi[2] + r * gh[2]);
            hnew[j] = (1 - z) * n + z * h[j];
            c[j] = r, c[H + j] = z, c[2 * H + j] = n, c[3 * H + j] = gh[2], c[4 * H + j] = h[j];
          }
          h = hnew;
          for (int64_t j = 0; j < H; ++j) Y[(b * T + t) * D * H + dir * H + j] = h[j];
        }
        for (int64_t j = 0; j < H; ++j) res.h_n[(k * B + b) * H + j] = h[j];
      }
    }
  }
  res.out = inputs[L];
  if (!grads) return res;
  res.dh0.assign(L * D * B * H, 0.0);
  res.dw_ih.resize(L * D);
  res.dw_hh.resize(L * D);
  res.db_ih.resize(L * D);
  res.db_hh.resize(L * D);
  std::vector<double> dY = p.dout;  // NaN at padding: only real steps are read
  for (int64_t l = L - 1; l >= 0; --l) {
    const int64_t in = d.in_of(l);
    const std::vector<double>& X = inputs[l];
    std::vector<double> dX(B * T * in, 0.0);
    for (int dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      res.dw_ih[k].assign(3 * H * in, 0.0);
      res.dw_hh[k].assign(3 * H * H, 0.0);
      res.db_ih[k].assign(p.bias ? 3 * H : 0, 0.0);
      res.db_hh[k].assign(p.bias ? 3 * H : 0, 0.0);
      for (int64_t b = 0; b < B; ++b) {
        const int64_t len = p.lengths[b];
        std::vector<double> dh(H);
        for (int64_t j = 0; j < H; ++j) dh[j] = p.dh_n[(k * B + b) * H + j];
        for (int64_t step = len - 1; step >= 0; --step) {
          const int64_t t = dir == 0 ? step : len - 1 - step;
          const double* c = &cache[k][(b * T + t) * 5 * H];
          std::vector<double> dgi(3 * H), dgh(3 * H), dprev(H);
          for (int64_t j = 0; j < H; ++j) {
            const double r = c[j], z = c[H + j], n = c[2 * H + j], hn = c[3 * H + j], hp = c[4 * H + j];
            const double g = dh[j] + dY[(b * T + t) * D * H + dir * H + j];
            const double dn = g * (1 - z), dz = g * (hp - n);
            const double dan = dn * (1 - n * n);
            const double dr = dan * hn;
            dgi[j] = dr * r * (1 - r);
            dgi[H + j] = dz * z * (1 - z);
            dgi[2 * H + j] = dan;
            dgh[j] = dgi[j];
            dgh[H + j] = dgi[H + j];
            dgh[2 * H + j] = dan * r;
            dprev[j] = g * z;
          }
          const double* xt = &X[(b * T + t) * in];
          for (int64_t row = 0; row < 3 * H; ++row) {
            for (int64_t i = 0; i < in; ++i) {
              res.dw_ih[k][row * in + i] += dgi[row] * xt[i];
              dX[(b * T + t) * in + i] += p.w_ih[k][row * in + i] * dgi[row];
            }
            for (int64_t i = 0; i < H; ++i) {
              res.dw_hh[k][row * H + i] += dgh[row] * c[4 * H + i];
              dprev[i] += p.w_hh[k][row * H + i] * dgh[row];
            }
            if (p.bias) {
              res.db_ih[k][row] += dgi[row];
              res.db_hh[k][row] += dgh[row];
            }
          }
          dh = dprev;
        }
        for (int64_t j = 0; j < H; ++j) res.dh0[(k * B + b) * H + j] = dh[j];
      }
    }
    dY = dX;
  }
  res.dx = dY;
  return res;
}

}  // namespace rftest
