// Token layouts for the attention tests (CPU and CUDA): the five per-token interval arrays
// (iv = [prefLo; prefHi; ctxLo; ctxHi; selfLo], each of length L) and positions for ALiBi.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"

namespace rftest {

struct Layout {
  std::string name;
  int64_t L = 0;
  std::vector<int32_t> iv;   // [5, L]
  std::vector<int32_t> pos;  // [L]

  void resize(int64_t n) {
    L = n;
    iv.assign(5 * n, 0);
    pos.resize(n);
    for (int64_t i = 0; i < n; ++i) pos[i] = (int32_t)i;
  }
  void set(int64_t i, int32_t pl, int32_t ph, int32_t cl, int32_t ch, int32_t sl) {
    iv[i] = pl, iv[L + i] = ph, iv[2 * L + i] = cl, iv[3 * L + i] = ch, iv[4 * L + i] = sl;
  }
  bool sees(int64_t i, int64_t j) const {
    return (j >= iv[i] && j < iv[L + i]) || (j >= iv[2 * L + i] && j < iv[3 * L + i]) || (j >= iv[4 * L + i] && j <= i);
  }
  // Appends another layout after this one (packed sequences): its intervals shift by L.
  void append(const Layout& o) {
    Layout r;
    r.name = name;
    r.resize(L + o.L);
    for (int64_t i = 0; i < L; ++i) {
      r.set(i, iv[i], iv[L + i], iv[2 * L + i], iv[3 * L + i], iv[4 * L + i]);
      r.pos[i] = pos[i];
    }
    const int32_t s = (int32_t)L;
    for (int64_t i = 0; i < o.L; ++i) {
      r.set(L + i, o.iv[i] + s, o.iv[o.L + i] + s, o.iv[2 * o.L + i] + s, o.iv[3 * o.L + i] + s, o.iv[4 * o.L + i] + s);
      r.pos[L + i] = o.pos[i];
    }
    *this = r;
  }
};

// One DTI stream: [prefix P] ctx(0) … ctx(n+k-2) tgt(0) [SUM] … tgt(k-1) [SUM].
// ctx interaction p has c_p tokens, target j has t_j item tokens + 1 [SUM] token.
// reach: 0 = causal (context sees all earlier context), 1 = window (the n interactions before it).
// window_relative: each target's positions continue from the end of its own last context item.
inline Layout dti_layout(Rng& rng, int P, int n, int k, int cmin, int cmax, int tmin, int tmax, int reach,
                         bool window_relative) {
  const int nctx = n + k - 1;
  std::vector<int> cstart(nctx + 1), tstart(k + 1);
  cstart[0] = P;
  for (int p = 0; p < nctx; ++p) cstart[p + 1] = cstart[p] + (int)rng.randint(cmin, cmax + 1);
  tstart[0] = cstart[nctx];
  for (int j = 0; j < k; ++j) tstart[j + 1] = tstart[j] + (int)rng.randint(tmin, tmax + 1) + 1;
  Layout lay;
  lay.name = "dti";
  lay.resize(tstart[k]);
  for (int i = 0; i < P; ++i) lay.set(i, 0, 0, 0, 0, 0);  // prefix: plain causal
  for (int p = 0; p < nctx; ++p) {
    const int lo = reach == 0 ? P : cstart[std::max(0, p - n)];
    for (int i = cstart[p]; i < cstart[p + 1]; ++i) lay.set(i, 0, P, lo, cstart[p], cstart[p]);
  }
  for (int j = 0; j < k; ++j)
    for (int i = tstart[j]; i < tstart[j + 1]; ++i) {
      lay.set(i, 0, P, cstart[j], cstart[j + n], tstart[j]);
      if (window_relative) lay.pos[i] = cstart[j + n] + (i - tstart[j]);
    }
  return lay;
}

// Random intervals: empty ones (lo >= hi), overlaps, arbitrary self spans and positions.
inline Layout random_layout(Rng& rng, int64_t L) {
  Layout lay;
  lay.name = "random";
  lay.resize(L);
  auto any = [&]() { return (int32_t)rng.randint(0, L + 1); };
  for (int64_t i = 0; i < L; ++i) {
    int32_t pl = any(), ph = any(), cl = any(), ch = any();  // lo >= hi half the time: empty
    if (rng.uniform() < 0.2) ph = pl;
    lay.set(i, pl, ph, cl, ch, (int32_t)rng.randint(0, i + 1));
    lay.pos[i] = (int32_t)rng.randint(-50, 50);
  }
  return lay;
}

inline Layout causal_packed(Rng& rng, int64_t L, int64_t max_seq) {
  Layout lay;
  lay.name = "packed-causal";
  lay.resize(L);
  int64_t start = 0;
  for (int64_t i = 0; i < L; ++i) {
    if (i > start && rng.uniform() < 1.0 / (double)max_seq) start = i;
    lay.set(i, 0, 0, 0, 0, (int32_t)start);
    lay.pos[i] = (int32_t)(i - start);
  }
  return lay;
}

inline Layout single_tokens(int64_t L) {
  Layout lay;
  lay.name = "single-tokens";
  lay.resize(L);
  for (int64_t i = 0; i < L; ++i) lay.set(i, 0, 0, 0, 0, (int32_t)i);
  return lay;
}

inline Layout prefix_only(Rng& rng, int64_t L) {
  Layout lay;
  lay.name = "prefix-only";
  lay.resize(L);
  const int32_t P = (int32_t)rng.randint(0, L + 1);
  for (int64_t i = 0; i < L; ++i) lay.set(i, 0, P, 0, 0, (int32_t)i);  // prefix + own token only
  return lay;
}

// Sliding context windows of W tokens (often longer than the sequence), clipped at 0, with
// a self span that overlaps the window and a prefix that overlaps both.
inline Layout overlapping_windows(Rng& rng, int64_t L) {
  Layout lay;
  lay.name = "overlapping-windows";
  lay.resize(L);
  const int64_t W = rng.randint(1, 2 * L + 2), P = rng.randint(0, L / 2 + 1), back = rng.randint(0, 8);
  for (int64_t i = 0; i < L; ++i) {
    const int32_t cl = (int32_t)std::max<int64_t>(0, i - W), ch = (int32_t)std::min<int64_t>(L, i + 1);
    const int32_t sl = (int32_t)std::max<int64_t>(0, i - back);
    lay.set(i, 0, (int32_t)std::min<int64_t>(P, L), cl, ch, sl);
  }
  return lay;
}

inline Layout small_dti(Rng& rng) {
  const int P = (int)rng.randint(0, 6), n = (int)rng.randint(1, 6), k = (int)rng.randint(1, 7);
  Layout lay = dti_layout(rng, P, n, k, 1, 5, 1, 4, (int)rng.randint(0, 2), rng.uniform() < 0.5);
  if (rng.uniform() < 0.4) {  // several streams packed back to back
    lay.append(dti_layout(rng, P, n, (int)rng.randint(1, 5), 1, 4, 1, 3, 1, true));
    lay.name = "dti-packed";
  }
  return lay;
}

}  // namespace rftest
