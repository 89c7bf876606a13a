// GPU benchmark of the DTI interval-attention kernels (native/cuda/interval_attention*.cu) on
// packed DTI prompt rows built exactly like bench/harness/dti_kernel.ts (dti_layout.h), run by
// scripts/gpu-check.sh. PyTorch's anchor, bench/gpu/flex_anchor.py, times FlexAttention (and
// dense SDPA with a boolean mask) on the SAME masks: this program writes every layout's intervals
// to --layouts DIR (dti_layouts.json + one raw int32 [5, L] file per layout), which the anchor
// reads. It also writes a small cross-check case (inputs and recforge's fp32 output on a prefix
// of the first layout) so that the anchor can confirm that both sides compute the same attention.
//
// Cases: (n, k) in {20, 40}², 12 tokens per item, contextReach "window", every row cut to exactly
// --tokens tokens (default 32768; see dti_layout.h why one L), H = 8 heads, head dim 64 and 128,
//   f32  : interval_attention_{forward,backward}_cuda<float>
//   bf16 : interval_attention_{forward,backward}_half_cuda(BF16) — bf16 q, k, v, dout, fp32 math
//          and fp32 out / lse / dq / dk / dv (what autocast("bf16") runs)
// timed with CUDA events (2 warm-up calls, median of --reps): forward alone, and forward +
// backward. FLOPs count visible pairs V only: 4·V·D·H forward, 14·V·D·H forward + backward.
// The fp32 inputs are bf16-representable (rounded through bf16), so the bf16 kernels see the very
// same numbers and must agree with the fp32 kernel to fp32-accumulation noise; the check is loose
// (1e-3 of the largest reference value) and its verdict is printed, not fatal.
//
// Output: one JSON object per line per case (grep '^{'), and with --json FILE the table rows.
// Usage: cuda_attention_bench [--json FILE] [--layouts DIR] [--layouts-only] [--tokens L] [--reps N]
//                             [--heads H] [--dims 64,128]
// --layouts-only writes the layout files and exits without touching a GPU (works anywhere).
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "dti_layout.h"
#include "recforge/gemm.h"
#include "recforge/interval_attention.h"
#include "recforge/random.h"

using namespace recforge;
using namespace rfbench;

namespace {

struct Options {
  const char* json = nullptr;
  std::string layouts_dir;
  bool layouts_only = false;
  int64_t tokens = 32768;
  int reps = 10;
  int64_t heads = 8;
  std::vector<int64_t> dims = {64, 128};
};

// The cross-check case: the first `tokens` tokens of the first layout, a few heads, D = 64.
constexpr int64_t kCheckTokens = 4096, kCheckHeads = 2, kCheckDim = 64;

std::vector<DtiLayout> make_layouts(const Options& o) {
  std::vector<DtiLayout> out;
  for (int n : {20, 40})
    for (int k : {20, 40}) out.push_back(dti_kernel_layout(n, k, o.tokens, 12, o.tokens));
  return out;
}

bool write_raw(const std::string& path, const void* p, size_t bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(p, 1, bytes, f) == bytes;
  return std::fclose(f) == 0 && ok;
}

// dti_layouts.json: what flex_anchor.py reads (file names relative to the directory).
bool write_index(const Options& o, const std::vector<DtiLayout>& lays, const std::vector<std::string>& files,
                 bool with_check) {
  FILE* f = std::fopen((o.layouts_dir + "/dti_layouts.json").c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "{\n \"format\": \"int32 little-endian [5, tokens]: prefLo, prefHi, ctxLo, ctxHi, selfLo\",\n");
  std::fprintf(f, " \"heads\": %lld,\n \"dims\": [", (long long)o.heads);
  for (size_t i = 0; i < o.dims.size(); ++i) std::fprintf(f, "%s%lld", i ? ", " : "", (long long)o.dims[i]);
  std::fprintf(f, "],\n \"layouts\": [\n");
  for (size_t i = 0; i < lays.size(); ++i) {
    const DtiLayout& l = lays[i];
    std::fprintf(f,
                 "  {\"name\": \"%s\", \"n\": %d, \"k\": %d, \"item_tokens\": %d, \"tokens\": %lld, \"prompts\": %lld, "
                 "\"visible_pairs\": %lld, \"file\": \"%s\"}%s\n",
                 l.name().c_str(), l.n, l.k, l.item_tokens, (long long)l.L, (long long)l.prompts,
                 (long long)l.visible, files[i].c_str(), i + 1 < lays.size() ? "," : "");
  }
  std::fprintf(f, " ]");
  if (with_check)
    std::fprintf(f,
                 ",\n \"crosscheck\": {\"layout\": \"%s\", \"tokens\": %lld, \"heads\": %lld, \"dim\": %lld, "
                 "\"scale\": %.9g, \"dtype\": \"float32 [heads, tokens, dim]\", \"iv\": \"check.iv.i32\", "
                 "\"q\": \"check.q.f32\", \"k\": \"check.k.f32\", \"v\": \"check.v.f32\", \"out\": \"check.out.f32\"}",
                 lays[0].name().c_str(), (long long)kCheckTokens, (long long)kCheckHeads, (long long)kCheckDim,
                 1.0 / std::sqrt((double)kCheckDim));
  std::fprintf(f, "\n}\n");
  return std::fclose(f) == 0;
}

// Normal(0, 1) on the device, rounded through bf16 so that the fp32 and bf16 kernels see the same values.
void bf16_representable_randn(uint64_t seed, float* x, uint16_t* bits, int64_t n, CUstream_st* s) {
  random_fill_cuda<float>(RandomKind::Normal, seed, 0, x, n, 0, 1, s);
  float_to_half_cuda(HalfKind::BF16, x, bits, n, s);
  half_to_float_cuda(HalfKind::BF16, bits, x, n, s);
}

// Cross-check files: the first kCheckTokens tokens of `lay`, recforge's fp32 forward on them.
bool write_crosscheck(const Options& o, const DtiLayout& lay, CUstream_st* s) {
  const int64_t L = std::min(kCheckTokens, lay.L), H = kCheckHeads, D = kCheckDim, n = H * L * D;
  const DtiLayout cut = dti_kernel_layout(lay.n, lay.k, L, lay.item_tokens, L);
  DevBuf<float> q(n), k(n), v(n), out(n), lse(H * L);
  DevBuf<uint16_t> bits(n);
  bf16_representable_randn(101, q.p, bits.p, n, s);
  bf16_representable_randn(102, k.p, bits.p, n, s);
  bf16_representable_randn(103, v.p, bits.p, n, s);
  DevBuf<int32_t> iv(cut.iv);
  if (!interval_attention_forward_cuda<float>(H, L, D, q.p, k.p, v.p, iv.p, nullptr, nullptr,
                                              (float)(1.0 / std::sqrt((double)D)), out.p, lse.p, s))
    return false;
  const std::string d = o.layouts_dir + "/";
  const auto hq = q.get(), hk = k.get(), hv = v.get(), ho = out.get();
  return write_raw(d + "check.iv.i32", cut.iv.data(), cut.iv.size() * 4) &&
         write_raw(d + "check.q.f32", hq.data(), hq.size() * 4) && write_raw(d + "check.k.f32", hk.data(), hk.size() * 4) &&
         write_raw(d + "check.v.f32", hv.data(), hv.size() * 4) && write_raw(d + "check.out.f32", ho.data(), ho.size() * 4);
}

struct CaseResult {
  double fwd = 0, fwd_bwd = 0;
};

void bench_layout(const Options& o, const DtiLayout& lay, int64_t D, CUstream_st* s, TableRows& table) {
  const int64_t H = o.heads, L = lay.L, n = H * L * D;
  const float scale = (float)(1.0 / std::sqrt((double)D));
  if (!interval_attention_cuda_supports(H, L, D)) {
    JsonLine().str("bench", "interval_attention").str("layout", lay.name()).num("head_dim", (double)D)
        .str("skipped", "interval_attention_cuda_supports is false").print();
    return;
  }
  DevBuf<float> q(n), k(n), v(n), dout(n), out(n), lse(H * L), dq(n), dk(n), dv(n);
  DevBuf<float> hout(n), hlse(H * L), hdq(n), hdk(n), hdv(n);
  DevBuf<uint16_t> bq(n), bk(n), bv(n), bdout(n);
  const uint64_t seed = 1000 + 10 * (uint64_t)lay.n + (uint64_t)lay.k + (uint64_t)D;
  bf16_representable_randn(seed + 1, q.p, bq.p, n, s);
  bf16_representable_randn(seed + 2, k.p, bk.p, n, s);
  bf16_representable_randn(seed + 3, v.p, bv.p, n, s);
  bf16_representable_randn(seed + 4, dout.p, bdout.p, n, s);
  DevBuf<int32_t> iv(lay.iv);
  const size_t wsb = interval_attention_backward_cuda_workspace_bytes(H, L);
  DevBuf<char> ws(wsb);
  bool refused = false;
  auto f32_fwd = [&] {
    refused |= !interval_attention_forward_cuda<float>(H, L, D, q.p, k.p, v.p, iv.p, nullptr, nullptr, scale, out.p,
                                                       lse.p, s);
  };
  auto f32_bwd = [&] {
    refused |= !interval_attention_backward_cuda<float>(H, L, D, q.p, k.p, v.p, out.p, lse.p, dout.p, iv.p, nullptr,
                                                        nullptr, scale, dq.p, dk.p, dv.p, ws.p, wsb, s);
  };
  auto bf16_fwd = [&] {
    refused |= !interval_attention_forward_half_cuda(HalfKind::BF16, H, L, D, bq.p, bk.p, bv.p, iv.p, nullptr, nullptr,
                                                     scale, hout.p, hlse.p, s);
  };
  auto bf16_bwd = [&] {
    refused |= !interval_attention_backward_half_cuda(HalfKind::BF16, H, L, D, bq.p, bk.p, bv.p, hout.p, hlse.p,
                                                      bdout.p, iv.p, nullptr, nullptr, scale, hdq.p, hdk.p, hdv.p,
                                                      ws.p, wsb, s);
  };
  const double V = (double)lay.visible;
  const std::string shape = lay.name() + " L" + std::to_string(L) + " H" + std::to_string(H) + " D" + std::to_string(D);
  struct Kind {
    const char* dtype;
    std::function<void()> fwd, bwd;
  };
  const Kind kinds[] = {{"f32", f32_fwd, f32_bwd}, {"bf16", bf16_fwd, bf16_bwd}};
  for (const Kind& kd : kinds) {
    CaseResult r;
    r.fwd = time_ms(s, kd.fwd, o.reps);
    r.fwd_bwd = time_ms(s, [&] { kd.fwd(); kd.bwd(); }, o.reps);
    const double ffwd = 4.0 * V * D * H, fall = 14.0 * V * D * H;
    JsonLine j;
    j.str("bench", "interval_attention").str("impl", "recforge").str("dtype", kd.dtype).str("layout", lay.name())
        .num("n", lay.n).num("k", lay.k).num("tokens", (double)L).num("prompts", (double)lay.prompts)
        .num("heads", (double)H).num("head_dim", (double)D).num("visible_pairs", V)
        .num("visible_fraction", V / ((double)L * (double)L)).num("ms_fwd", r.fwd).num("ms_fwd_bwd", r.fwd_bwd)
        .num("tflops_fwd", ffwd / r.fwd / 1e9).num("tflops_fwd_bwd", fall / r.fwd_bwd / 1e9);
    if (!std::strcmp(kd.dtype, "bf16")) {
      // Both kernels ran last on the same (bf16-representable) inputs: compare the results.
      const Diff d_out = max_diff(hout.get(), out.get()), d_dq = max_diff(hdq.get(), dq.get()),
                 d_dk = max_diff(hdk.get(), dk.get()), d_dv = max_diff(hdv.get(), dv.get());
      const double worst = std::max({d_out.rel(), d_dq.rel(), d_dk.rel(), d_dv.rel()});
      j.num("vs_f32_rel_out", d_out.rel()).num("vs_f32_rel_dq", d_dq.rel()).num("vs_f32_rel_dk", d_dk.rel())
          .num("vs_f32_rel_dv", d_dv.rel()).boolean("vs_f32_ok", worst <= 1e-3);
    }
    j.boolean("refused", refused).print();
    const std::string dt = kd.dtype;
    table.add("interval_attn_fwd_" + dt, shape, r.fwd, ffwd, 0);
    table.add("interval_attn_fwd_bwd_" + dt, shape, r.fwd_bwd, fall, 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--json") && more) o.json = argv[++i];
    else if (!std::strcmp(argv[i], "--layouts") && more) o.layouts_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--layouts-only")) o.layouts_only = true;
    else if (!std::strcmp(argv[i], "--tokens") && more) o.tokens = std::max<int64_t>(1, std::atoll(argv[++i]));
    else if (!std::strcmp(argv[i], "--reps") && more) o.reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--heads") && more) o.heads = std::max<int64_t>(1, std::atoll(argv[++i]));
    else if (!std::strcmp(argv[i], "--dims") && more) {
      o.dims.clear();
      for (const char* p = argv[++i]; *p;) {
        o.dims.push_back(std::atoll(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
    } else {
      std::fprintf(stderr, "unknown or incomplete argument %s\n", argv[i]);
      return 1;
    }
  }
  if (o.layouts_only && o.layouts_dir.empty()) {
    std::fprintf(stderr, "--layouts-only needs --layouts DIR\n");
    return 1;
  }
  const std::vector<DtiLayout> lays = make_layouts(o);
  std::vector<std::string> files;
  if (!o.layouts_dir.empty()) {
    for (const DtiLayout& l : lays) {
      files.push_back(write_layout(l, o.layouts_dir));
      if (files.back().empty()) {
        std::fprintf(stderr, "cannot write layout files under %s\n", o.layouts_dir.c_str());
        return 1;
      }
    }
    // The index goes out before any GPU work, so the anchor can run on these masks even if the
    // GPU part below fails; it is rewritten with the cross-check case once that exists.
    if (!write_index(o, lays, files, false)) return 1;
    if (o.layouts_only) {
      for (const DtiLayout& l : lays)
        JsonLine().str("layout", l.name()).num("tokens", (double)l.L).num("prompts", (double)l.prompts)
            .num("visible_pairs", (double)l.visible).print();
      return 0;
    }
  }
  CUstream_st* s = bench_stream();
  const CudaDeviceInfo info = cuda_device_info();
  std::printf("recforge interval-attention benchmark on %s (sm_%d%d), H=%lld, L=%lld, reps %d\n", info.name.c_str(),
              info.major, info.minor, (long long)o.heads, (long long)o.tokens, o.reps);
  if (!o.layouts_dir.empty()) {
    if (!write_crosscheck(o, lays[0], s)) std::fprintf(stderr, "cross-check files not written\n");
    else if (!write_index(o, lays, files, true)) return 1;
  }
  TableRows table;
  for (int64_t D : o.dims)
    for (const DtiLayout& lay : lays) {
      bench_layout(o, lay, D, s, table);
      if (o.json && !table.write(o.json)) return 1;  // after every case: a timeout keeps what finished
    }
  return 0;
}
