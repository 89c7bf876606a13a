// GEMM bindings: the dispatched batched GEMM, the own kernel alone and the library's
// cblas_sgemm alone (the last two exist for benchmarks), and the backend's name.
//
// gemm(dtype, transA, transB, M, N, K, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
//   C[b] = alpha·op(A[b])·op(B[b]) + beta·C[b], row-major, see recforge/gemm.h. Before the
//   kernel runs, every element it may touch (the last row of the last batch entry included)
//   is checked to lie inside its storage, leading dimensions must cover a stored row, and
//   the batch entries of C must not overlap (they may be computed concurrently).
// gemmOwnF32(<gemm's arguments without dtype>): the own kernel alone (float32).
// cblasSgemm(M, N, K, a, b, c) -> bool: the library alone.
// gemmBackend() -> string: "openblas: <path> (<core>)", "cblas: <path>" or "own ...".
// gemmDispatch() -> string: what gemm() sends to the library and why (recforge/gemm.h).
#include <climits>
#include <sstream>
#include <string>

#include "op_args.generated.h"
#include "recforge/cpu_isa.h"
#include "recforge/gemm.h"

namespace recforge {
namespace napi {
namespace {

struct GemmCall {
  int dtype = F32;
  bool tA = false, tB = false;
  int64_t M = 0, N = 0, K = 0, lda = 0, sA = 0, ldb = 0, sB = 0, ldc = 0, sC = 0, batch = 0;
  double alpha = 1, beta = 0;
  void *A = nullptr, *B = nullptr, *C = nullptr;
};

std::string dims(const GemmCall& g) {
  std::ostringstream m;
  m << "M=" << g.M << ", N=" << g.N << ", K=" << g.K << ", transA=" << (g.tA ? "true" : "false")
    << ", transB=" << (g.tB ? "true" : "false") << ", lda=" << g.lda << ", ldb=" << g.ldb << ", ldc=" << g.ldc
    << ", strideA=" << g.sA << ", strideB=" << g.sB << ", strideC=" << g.sC << ", batch=" << g.batch;
  return m.str();
}

// a*b + c, throwing a RangeError instead of wrapping around.
int64_t checked_mad(Napi::Env env, int64_t a, int64_t b, int64_t c, const GemmCall& g, const char* fn) {
  int64_t p, s;
  if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, &s))
    throw_range(env, std::string(fn) + ": matrix extent overflows (" + dims(g) + ")");
  return s;
}

// Elements spanned from the first element of entry 0 to the last element of the last row
// of entry batch-1: rows×cols matrices with row stride ld, batch stride s. 0 when empty.
int64_t span_elems(Napi::Env env, int64_t rows, int64_t cols, int64_t ld, int64_t s, const GemmCall& g,
                   const char* fn) {
  if (rows == 0 || cols == 0 || g.batch == 0) return 0;
  int64_t last_row = checked_mad(env, rows - 1, ld, cols, g, fn);  // (rows-1)*ld + cols
  int64_t n = checked_mad(env, g.batch - 1, s, last_row, g, fn);  // + (batch-1)*s
  // No storage is that large; the bound also keeps offset + n from overflowing later.
  if (n > (int64_t(1) << 53)) throw_range(env, std::string(fn) + ": matrix extent exceeds 2^53 elements (" + dims(g) + ")");
  return n;
}

// Parses and validates the GEMM arguments every GEMM entry point shares (args::Gemm,
// args::GemmOwnF32: transA ... batch); `dtype` has been read by the caller.
template <typename In>
GemmCall parse(const In& in, const char* fn, int dtype) {
  const Napi::CallbackInfo& info = in.info;
  Napi::Env env = info.Env();
  if (info.Length() != In::kSlots)
    throw_type(env, std::string(fn) + ": expected " + std::to_string(In::kSlots) + " arguments, got " +
                        std::to_string(info.Length()));
  GemmCall g;
  g.dtype = dtype;
  if (g.dtype != F32 && g.dtype != F64)
    throw_type(env, std::string(fn) + ": expected a float dtype, got " + dtype_name(g.dtype));
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

  if (g.M < 0 || g.N < 0 || g.K < 0 || g.batch < 0)
    throw_range(env, std::string(fn) + ": sizes must be non-negative (" + dims(g) + ")");
  if (g.sA < 0 || g.sB < 0 || g.sC < 0)
    throw_range(env, std::string(fn) + ": batch strides must be non-negative (" + dims(g) + ")");
  const int64_t rowsA = g.tA ? g.K : g.M, colsA = g.tA ? g.M : g.K;
  const int64_t rowsB = g.tB ? g.N : g.K, colsB = g.tB ? g.K : g.N;
  if (g.lda < std::max<int64_t>(1, colsA))
    throw_range(env, std::string(fn) + ": lda must be at least max(1, " + std::to_string(colsA) +
                         ") (the columns of stored A) (" + dims(g) + ")");
  if (g.ldb < std::max<int64_t>(1, colsB))
    throw_range(env, std::string(fn) + ": ldb must be at least max(1, " + std::to_string(colsB) +
                         ") (the columns of stored B) (" + dims(g) + ")");
  if (g.ldc < std::max<int64_t>(1, g.N))
    throw_range(env, std::string(fn) + ": ldc must be at least max(1, N) (" + dims(g) + ")");

  const int64_t nA = span_elems(env, rowsA, colsA, g.lda, g.sA, g, fn);
  const int64_t nB = span_elems(env, rowsB, colsB, g.ldb, g.sB, g, fn);
  const int64_t nC = span_elems(env, g.M, g.N, g.ldc, g.sC, g, fn);
  // Entries of C are written, possibly by different threads: they must be disjoint.
  if (g.batch > 1 && g.M > 0 && g.N > 0 && g.sC < (g.M - 1) * g.ldc + g.N)
    throw_range(env, std::string(fn) + ": strideC makes the batch entries of C overlap (" + dims(g) + ")");

  const std::string d = " (" + dims(g) + ")";
  g.A = span_arg(in.a(), g.dtype, nA, (std::string(fn) + " A" + d).c_str());
  g.B = span_arg(in.b(), g.dtype, nB, (std::string(fn) + " B" + d).c_str());
  g.C = span_arg(in.c(), g.dtype, nC, (std::string(fn) + " C" + d).c_str());
  return g;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const args::Gemm in(info);
  GemmCall g = parse(in, "gemm", dtype_arg(in.dtype()));
  if (g.dtype == F32)
    gemm_f32(g.tA, g.tB, g.M, g.N, g.K, (float)g.alpha, static_cast<const float*>(g.A), g.lda, g.sA,
             static_cast<const float*>(g.B), g.ldb, g.sB, (float)g.beta, static_cast<float*>(g.C), g.ldc, g.sC,
             g.batch);
  else
    gemm_f64(g.tA, g.tB, g.M, g.N, g.K, g.alpha, static_cast<const double*>(g.A), g.lda, g.sA,
             static_cast<const double*>(g.B), g.ldb, g.sB, g.beta, static_cast<double*>(g.C), g.ldc, g.sC,
             g.batch);
  return info.Env().Undefined();
}

// gemmOwnF32(transA, transB, M, N, K, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC,
// batch): gemm's arguments without the dtype (float32 implied); always the own kernel, for
// benchmarks.
Napi::Value GemmOwnF32(const Napi::CallbackInfo& info) {
  GemmCall g = parse(args::GemmOwnF32(info), "gemmOwnF32", F32);
  gemm_f32_own(g.tA, g.tB, g.M, g.N, g.K, (float)g.alpha, static_cast<const float*>(g.A), g.lda, g.sA,
               static_cast<const float*>(g.B), g.ldb, g.sB, (float)g.beta, static_cast<float*>(g.C), g.ldc, g.sC,
               g.batch);
  return info.Env().Undefined();
}

// cblasSgemm(M, N, K, a, b, c): C = A·B with contiguous row-major
// float32 A (M×K), B (K×N), C (M×N) through the library directly. false: no library.
Napi::Value CblasSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::CblasSgemm in(info);
  int64_t M = int_arg(in.M(), "cblasSgemm M"), N = int_arg(in.N(), "cblasSgemm N"), K = int_arg(in.K(), "cblasSgemm K");
  if (M < 0 || N < 0 || K < 0 || M > INT_MAX || N > INT_MAX || K > INT_MAX)
    throw_range(env, "cblasSgemm: sizes must be in [0, 2^31) (M=" + std::to_string(M) + ", N=" + std::to_string(N) +
                         ", K=" + std::to_string(K) + ")");
  // Each size is below 2^31, so each product fits in int64.
  const std::string d = " (M=" + std::to_string(M) + ", N=" + std::to_string(N) + ", K=" + std::to_string(K) + ")";
  auto* A = span<const float>(in.a(), F32, M * K, ("cblasSgemm A" + d).c_str());
  auto* B = span<const float>(in.b(), F32, K * N, ("cblasSgemm B" + d).c_str());
  auto* C = span<float>(in.c(), F32, M * N, ("cblasSgemm C" + d).c_str());
  bool ok = cblas_sgemm_direct(false, false, M, N, K, 1.f, A, std::max<int64_t>(1, K), B, std::max<int64_t>(1, N),
                               0.f, C, std::max<int64_t>(1, N));
  return Napi::Boolean::New(env, ok);
}

Napi::Value GemmBackend(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemm_backend_name());
}

Napi::Value GemmDispatch(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemm_dispatch_reason());
}

Napi::Value CpuIsaName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), cpu_isa_name(cpu_isa()));
}

Napi::Value CpuIsaReason(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), cpu_isa_reason());
}

}  // namespace
RECFORGE_BIND(gemm, Gemm)
RECFORGE_BIND(gemmOwnF32, GemmOwnF32)
RECFORGE_BIND(cblasSgemm, CblasSgemm)
RECFORGE_BIND(gemmBackend, GemmBackend)
RECFORGE_BIND(gemmDispatch, GemmDispatch)
RECFORGE_BIND(cpuIsa, CpuIsaName)
RECFORGE_BIND(cpuIsaReason, CpuIsaReason)
}  // namespace napi
}  // namespace recforge
