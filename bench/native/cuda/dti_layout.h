// DTI packed-prompt layouts for the GPU attention benchmark (cuda_attention_bench), built in C++
// exactly as bench/harness/dti_kernel.ts `dtiKernelLayout` builds them through the real prompt
// builder (lib/methods/dti/prompts.ts, PromptBuilder.appendDti with contextReach "window",
// isolation on, no instruction prefix), so that the GPU numbers are for the same masks as the CPU
// `recforge bench dti` numbers. Host-only (no CUDA), also used with --layouts-only on machines
// without a GPU.
//
// One user = n + k interactions; one DTI prompt per user with targets [n, n + k), so the
// context run is interactions [0, n + k - 1), each c = itemTokens + 1 tokens (item text + one
// label word), followed by k targets of t + 1 tokens (item text + [SUM]). Per token (relative to
// the prompt's first token `base`), the interval rule of prompts.ts:
//   context token of interaction p : prefix empty; context [cs[max(0, p - n)], cs[p]); self from cs[p]
//   target token of interaction j  : prefix empty; context [cs[max(0, j - n)], cs[j]); self from the
//                                    first token of tgt(j) (isolation: targets never see each other)
// cs[p] = p * c. An empty interval is stored as [base, base) (PackBuilder.token does that).
// Prompts are packed back to back; users = max(1, ceil(minTokens / prompt length)).
//
// One deliberate difference, for the GPU anchor: `truncate_to` cuts the row to exactly that many
// tokens (the last prompt loses its tail). Every interval of token i lies inside [base, i], so a
// prefix of a valid row is a valid row. With every layout at the same L, torch.compile'd
// FlexAttention compiles once per head dim instead of once per layout.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace rfbench {

struct DtiLayout {
  int n = 0, k = 0, item_tokens = 12;
  int64_t L = 0;        // tokens in the row
  int64_t prompts = 0;  // prompts (users) packed, the last one possibly truncated
  int64_t visible = 0;  // visible (query, key) pairs
  std::vector<int32_t> iv;  // int32 [5, L]: prefLo, prefHi, ctxLo, ctxHi, selfLo (interval_attention.h)
  std::string name() const { return "n" + std::to_string(n) + "k" + std::to_string(k); }
};

// Visible pairs: per query, the size of the union of the three intervals (self clipped to [selfLo, i]).
inline int64_t dti_visible_pairs(const std::vector<int32_t>& iv, int64_t L) {
  int64_t v = 0;
  for (int64_t i = 0; i < L; ++i) {
    std::pair<int64_t, int64_t> seg[3] = {{iv[i], iv[L + i]}, {iv[2 * L + i], iv[3 * L + i]}, {iv[4 * L + i], i + 1}};
    std::sort(seg, seg + 3);
    int64_t end = -1;
    for (const auto& s : seg) {
      if (s.second <= s.first) continue;
      const int64_t lo = std::max(s.first, end);
      if (s.second > lo) v += s.second - lo;
      end = std::max(end, s.second);
    }
  }
  return v;
}

inline DtiLayout dti_kernel_layout(int n, int k, int64_t min_tokens, int item_tokens = 12, int64_t truncate_to = -1) {
  DtiLayout lay;
  lay.n = n, lay.k = k, lay.item_tokens = item_tokens;
  const int64_t c = item_tokens + 1;                              // context interaction: item + label word
  const int64_t last = n + k - 1;                                 // context interactions [0, last)
  const int64_t prompt_len = last * c + (int64_t)k * (item_tokens + 1);
  const int64_t users = std::max<int64_t>(1, (min_tokens + prompt_len - 1) / prompt_len);
  int64_t L = users * prompt_len;
  if (truncate_to >= 0 && truncate_to < L) L = truncate_to;
  std::vector<int32_t> col[5];
  for (auto& cc : col) cc.reserve((size_t)(users * prompt_len));
  auto token = [&](int64_t base, int64_t ctx_lo, int64_t ctx_hi, int64_t self_lo) {
    col[0].push_back((int32_t)base);
    col[1].push_back((int32_t)base);  // no prefix: prefHi <= 0 -> empty [base, base)
    const bool ctx_empty = ctx_hi <= ctx_lo;
    col[2].push_back((int32_t)(ctx_empty ? base : base + ctx_lo));
    col[3].push_back((int32_t)(ctx_empty ? base : base + ctx_hi));
    col[4].push_back((int32_t)(base + self_lo));
  };
  for (int64_t u = 0; u < users; ++u) {
    const int64_t base = u * prompt_len;
    for (int64_t p = 0; p < last; ++p) {  // window reach: max(streamStart = 0, p - n)
      const int64_t lo = std::max<int64_t>(0, p - n);
      for (int64_t t = 0; t < c; ++t) token(base, lo * c, p * c, p * c);
    }
    int64_t at = last * c;
    for (int64_t j = n; j <= last; ++j) {
      const int64_t self_lo = at;
      const int64_t lo = std::max<int64_t>(0, j - n);
      for (int64_t t = 0; t <= item_tokens; ++t, ++at) token(base, lo * c, j * c, self_lo);
    }
  }
  lay.L = L;
  lay.prompts = (L + prompt_len - 1) / prompt_len;
  lay.iv.resize((size_t)(5 * L));
  for (int r = 0; r < 5; ++r) std::copy(col[r].begin(), col[r].begin() + L, lay.iv.begin() + r * L);
  lay.visible = dti_visible_pairs(lay.iv, L);
  return lay;
}

// Writes <dir>/dti_<name>.iv.i32 (raw little-endian int32 [5, L], the iv layout of
// interval_attention.h). Returns the file name (relative to dir), or "" on failure.
inline std::string write_layout(const DtiLayout& lay, const std::string& dir) {
  const std::string file = "dti_" + lay.name() + "_L" + std::to_string(lay.L) + ".iv.i32";
  FILE* f = std::fopen((dir + "/" + file).c_str(), "wb");
  if (!f) return "";
  const bool ok = std::fwrite(lay.iv.data(), sizeof(int32_t), lay.iv.size(), f) == lay.iv.size();
  return std::fclose(f) == 0 && ok ? file : "";
}

}  // namespace rfbench
