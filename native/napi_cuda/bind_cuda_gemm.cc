// GEMM on the device for JS.
//
// gemm(dtype, transA, transB, M, N, K, alpha, a, lda, strideA, b, ldb, strideB,
//      beta, c, ldc, strideC, batch)
//   The CPU binding's arguments (recforge/gemm.h contract), device storages. Every element
//   the kernel may touch is checked to lie inside its storage first.
// gemmLowp(kind, ...the same 20 arguments after dtype...)
//   float32 device operands multiplied with 16-bit inputs (kind 0 = bfloat16, 1 = float16)
//   and fp32 accumulation: A and B are rounded to 16 bits into scratch memory first.
// gemmBackend() -> "cublas" | "own"
#include <sstream>
#include <string>

#include "cuda_common.h"
#include "recforge/gemm.h"

namespace recforge {
namespace napi {
namespace {

struct GemmArgs {
  bool tA, tB;
  int64_t M, N, K, lda, sA, ldb, sB, ldc, sC, batch;
  double alpha, beta;
  int64_t extA, extB, extC;
};

std::string dims(const GemmArgs& g) {
  std::ostringstream m;
  m << "M=" << g.M << ", N=" << g.N << ", K=" << g.K << ", lda=" << g.lda << ", ldb=" << g.ldb << ", ldc=" << g.ldc
    << ", strideA=" << g.sA << ", strideB=" << g.sB << ", strideC=" << g.sC << ", batch=" << g.batch;
  return m.str();
}

// Elements spanned by `batch` rows x cols matrices (row stride ld, batch stride s); 0 if empty.
int64_t extent(Napi::Env env, int64_t rows, int64_t cols, int64_t ld, int64_t s, const GemmArgs& g) {
  if (rows == 0 || cols == 0 || g.batch == 0) return 0;
  int64_t last = 0, tot = 0;
  if (__builtin_mul_overflow(rows - 1, ld, &last) || __builtin_add_overflow(last, cols, &last) ||
      __builtin_mul_overflow(g.batch - 1, s, &tot) || __builtin_add_overflow(tot, last, &tot) ||
      tot > (int64_t(1) << 53))
    throw_range(env, "gemm: matrix extent overflows (" + dims(g) + ")");
  return tot;
}

// gemm and gemmLowp share every argument but the first (dtype / kind).
template <typename In>
GemmArgs parse(const In& in, const char* fn) {
  const Napi::CallbackInfo& info = in.info;
  Napi::Env env = info.Env();
  if (info.Length() != In::kSlots)
    throw_type(env, std::string(fn) + ": expected " + std::to_string(In::kSlots) + " arguments, got " +
                        std::to_string(info.Length()));
  GemmArgs g;
  g.tA = bool_arg(in.transA(), "gemm transA");
  g.tB = bool_arg(in.transB(), "gemm transB");
  g.M = int_arg(in.M(), "gemm M");
  g.N = int_arg(in.N(), "gemm N");
  g.K = int_arg(in.K(), "gemm K");
  g.alpha = num_arg(in.alpha(), "gemm alpha");
  g.lda = int_arg(in.lda(), "gemm lda");
  g.sA = int_arg(in.strideA(), "gemm strideA");
  g.ldb = int_arg(in.ldb(), "gemm ldb");
  g.sB = int_arg(in.strideB(), "gemm strideB");
  g.beta = num_arg(in.beta(), "gemm beta");
  g.ldc = int_arg(in.ldc(), "gemm ldc");
  g.sC = int_arg(in.strideC(), "gemm strideC");
  g.batch = int_arg(in.batch(), "gemm batch");
  const int64_t ra = g.tA ? g.K : g.M, ca = g.tA ? g.M : g.K, rb = g.tB ? g.N : g.K, cb = g.tB ? g.K : g.N;
  if (g.M < 0 || g.N < 0 || g.K < 0 || g.batch < 1 || g.lda < ca || g.ldb < cb || g.ldc < g.N || g.sA < 0 ||
      g.sB < 0 || g.sC < 0)
    throw_range(env, std::string(fn) + ": bad sizes (" + dims(g) + ")");
  // Batch entries of C are written concurrently: they must not overlap.
  if (g.batch > 1 && g.M > 0 && g.N > 0 && g.sC < (g.M - 1) * g.ldc + g.N)
    throw_range(env, std::string(fn) + ": batch entries of C overlap (" + dims(g) + ")");
  g.extA = extent(env, ra, ca, g.lda, g.sA, g);
  g.extB = extent(env, rb, cb, g.ldb, g.sB, g);
  g.extC = extent(env, g.M, g.N, g.ldc, g.sC, g);
  return g;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::Gemm in(info);
  const int dt = dtype_arg(in.dtype());
  GemmArgs g = parse(in, "gemm");
  auto* s = stream_or_throw(env);
  if (dt == F32) {
    gemm_f32_cuda(g.tA, g.tB, g.M, g.N, g.K, (float)g.alpha, dev_span<float>(in.a(), F32, g.extA, "A"), g.lda, g.sA,
                  dev_span<float>(in.b(), F32, g.extB, "B"), g.ldb, g.sB, (float)g.beta,
                  dev_span<float>(in.c(), F32, g.extC, "C"), g.ldc, g.sC, g.batch, s);
  } else if (dt == F64) {
    gemm_f64_cuda(g.tA, g.tB, g.M, g.N, g.K, g.alpha, dev_span<double>(in.a(), F64, g.extA, "A"), g.lda, g.sA,
                  dev_span<double>(in.b(), F64, g.extB, "B"), g.ldb, g.sB, g.beta,
                  dev_span<double>(in.c(), F64, g.extC, "C"), g.ldc, g.sC, g.batch, s);
  } else {
    throw_type(env, std::string("gemm: expected a float dtype, got ") + dtype_name(dt));
  }
  check_launch(env, "gemm");
  return env.Undefined();
}

Napi::Value GemmLowp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::GemmLowp in(info);
  const int64_t kind = int_arg(in.kind(), "gemmLowp kind");
  if (kind != 0 && kind != 1) throw_range(env, "gemmLowp: kind must be 0 (bfloat16) or 1 (float16)");
  GemmArgs g = parse(in, "gemmLowp");
  auto* s = stream_or_throw(env);
  const HalfKind hk = kind == 0 ? HalfKind::BF16 : HalfKind::FP16;
  const float* a = dev_span<float>(in.a(), F32, g.extA, "A");
  const float* b = dev_span<float>(in.b(), F32, g.extB, "B");
  float* c = dev_span<float>(in.c(), F32, g.extC, "C");
  // 16-byte aligned copies so the kernel can use vector loads when lda/ldb allow.
  const int64_t bytesA = (g.extA * 2 + 255) / 256 * 256, bytesB = (g.extB * 2 + 255) / 256 * 256;
  Workspace ws(env, bytesA + bytesB, "gemmLowp");
  uint16_t* ha = ws.as<uint16_t>();
  uint16_t* hb = reinterpret_cast<uint16_t*>(ws.as<char>() + bytesA);
  float_to_half_cuda(hk, a, ha, g.extA, s);
  float_to_half_cuda(hk, b, hb, g.extB, s);
  gemm_half_cuda(hk, g.tA, g.tB, g.M, g.N, g.K, (float)g.alpha, ha, g.lda, g.sA, hb, g.ldb, g.sB, (float)g.beta, c,
                 g.ldc, g.sC, g.batch, s);
  check_launch(env, "gemmLowp");
  return env.Undefined();
}

Napi::Value Backend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), gemm_cuda_backend_name()); }

}  // namespace
RECFORGE_BIND(gemm, Gemm)
RECFORGE_BIND(gemmLowp, GemmLowp)
RECFORGE_BIND(gemmBackend, Backend)
}  // namespace napi
}  // namespace recforge
