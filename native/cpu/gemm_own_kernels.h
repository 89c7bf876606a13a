// The body of recforge's own GEMM, compiled once per instruction set: included by
// gemm_own_baseline.cc, gemm_own_avx2.cc and gemm_own_avx512.cc, each after its includes
// and its `#pragma GCC target`, with
//   RECFORGE_GEMM_ISA        the namespace of this variant (isa_baseline, isa_avx2, isa_avx512)
//   RECFORGE_GEMM_ISA_LEVEL  0 baseline (SSE2 vectors), 1 AVX2+FMA, 2 AVX-512
// Every name lives in the variant's namespace, so the three copies never meet at link time
// (scripts/check-cpu-isa.mjs checks that no function outside an isa_avx* namespace holds an
// AVX instruction). gemm_own.cc dispatches on cpu_isa().
//
// recforge's own GEMM: a packed, cache-blocked Goto/BLIS-style kernel with a
// register-blocked micro-kernel. Used when no CBLAS is found at run time, and always
// available (gemm_f32_own) so benchmarks can compare it with the library it replaces.
//
// Loop nest (per thread, on its slice of C):
//   jc over N in NC columns            B block  KC×NC  packed into NR-column panels (L3)
//     pc over K in KC                  A block  MC×KC  packed into MR-row panels    (L2)
//       ic over M in MC rows
//         jr over the block in NR      B micro-panel KC×NR stays in L1 across ir
//           ir over the block in MR    micro-kernel: MR×NR accumulators in registers
// When fewer than 17 B panels reuse an A block (N ≤ 256 per thread), A is not packed
// (unless it is stored transposed with a row stride over 512 bytes): the micro-kernel
// reads it in place through six row pointers, which on the tall-skinny products of small
// layers beats paying for the copy.
// The AVX2 micro-kernel is 6×16 for float (12 ymm accumulators + 2 B vectors + 1 broadcast
// of A = 15 of 16 registers; 12 independent FMA chains hide the 4-cycle FMA latency at two
// FMAs per cycle) and 6×8 for double; the other variants keep the shape at their width.
//
// Threads: C is split into independent slices, by rows (each thread packs its rows of A
// and all of B) or by columns (its columns of B and all of A). The split duplicates the
// packing of the smaller operand, which keeps the threads free of any barrier: one
// parallel_for per call. Small products run on the calling thread.
//
// Workspace: packing buffers are per thread, 64-byte aligned and grow-only, at most
// (MC + NC) × KC elements per thread (about 4.6 MB for float): allocated on first use and
// then reused, never on the hot path after warm-up.
//
// Vector width per variant: SSE2 4 floats (micro-tile 6×8), AVX2 8 (6×16), AVX-512 16 (6×32;
// 12 zmm accumulators of 32, twice the FLOPs per instruction of AVX2; blocking not retuned for
// it: KC×NR×4 B = 32 KB of B micro-panel in L1).
#if !defined(RECFORGE_GEMM_ISA) || !defined(RECFORGE_GEMM_ISA_LEVEL)
#error "define RECFORGE_GEMM_ISA and RECFORGE_GEMM_ISA_LEVEL before including gemm_own_kernels.h"
#endif

namespace recforge {
namespace gemm_detail {
namespace RECFORGE_GEMM_ISA {
namespace {

// ---- SIMD wrappers: one micro-kernel source for float and double, per instruction set ----
template <typename T>
struct Simd;
#if RECFORGE_GEMM_ISA_LEVEL == 0
// Baseline x86-64: GCC vector extensions of 16 bytes (SSE2); no FMA instruction, so fma is a
// multiply and an add (the compiler cannot contract it: the target has no FMA).
template <typename T>
struct SimdGeneric {
  static constexpr int W = 16 / sizeof(T);
  typedef T V __attribute__((vector_size(16)));
  static V zero() { return V{}; }
  static V load(const T* p) { V v; std::memcpy(&v, p, sizeof v); return v; }
  static V loadu(const T* p) { V v; std::memcpy(&v, p, sizeof v); return v; }
  static V bcast(const T* p) { return V{} + *p; }
  static V set1(T x) { return V{} + x; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V mul(V a, V b) { return a * b; }
  static void storeu(T* p, V v) { std::memcpy(p, &v, sizeof v); }
};
template <>
struct Simd<float> : SimdGeneric<float> {};
template <>
struct Simd<double> : SimdGeneric<double> {};
#elif RECFORGE_GEMM_ISA_LEVEL == 1
template <>
struct Simd<float> {
  using V = __m256;
  static constexpr int W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_load_ps(p); }  // packed B: 32-byte aligned
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
};
template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr int W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_load_pd(p); }
  static V loadu(const double* p) { return _mm256_loadu_pd(p); }
  static V bcast(const double* p) { return _mm256_broadcast_sd(p); }
  static V set1(double x) { return _mm256_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static void storeu(double* p, V v) { _mm256_storeu_pd(p, v); }
};

#else
template <>
struct Simd<float> {
  using V = __m512;
  static constexpr int W = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  static V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
};
template <>
struct Simd<double> {
  using V = __m512d;
  static constexpr int W = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V loadu(const double* p) { return _mm512_loadu_pd(p); }
  static V bcast(const double* p) { return _mm512_set1_pd(*p); }
  static V set1(double x) { return _mm512_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static void storeu(double* p, V v) { _mm512_storeu_pd(p, v); }
};
#endif

// ---- blocking --------------------------------------------------------------------------
// Tuned on the project's AMD EPYC (Zen 5: 48 KB L1d, 1 MB L2 per core, 32 MB L3) for AVX2:
// KC×NR×4 B = 16 KB of B micro-panel in L1; MC×KC×4 B = 144 KB of A block in L2. NR is two
// vectors of the variant; NC a multiple of NR near 4096 floats.
template <typename T>
struct Blocking;
template <>
struct Blocking<float> {
  static constexpr int MR = 6, NR = 2 * Simd<float>::W;
  static constexpr int64_t KC = 256, MC = 144, NC = 4096 - NR;
};
template <>
struct Blocking<double> {
  static constexpr int MR = 6, NR = 2 * Simd<double>::W;
  static constexpr int64_t KC = 256, MC = 72, NC = 2048 - NR;
};

// ---- per-thread packing workspace -----------------------------------------------------
struct Workspace {
  void* p = nullptr;
  size_t cap = 0;
  ~Workspace() { std::free(p); }
  void* get(size_t bytes) {
    if (bytes > cap) {
      std::free(p);
      cap = (bytes + 4095) / 4096 * 4096;
      p = std::aligned_alloc(64, cap);
      if (!p) {
        cap = 0;
        std::abort();  // out of memory for a few MB of packing space: nothing sane to do
      }
    }
    return p;
  }
};
thread_local Workspace tl_pack_a, tl_pack_b;
constexpr int64_t kPackSlack = 16;  // elements past a packed A block that packing may scribble on

// A block is packed when at least this many NR panels of B reuse it; with fewer, the
// micro-kernel reads A in place (packing would cost more than it saves: measured on
// 4096×N×K layer shapes, in place is 5-10% faster up to N = 256). The environment
// variable RECFORGE_GEMM_PACK_A_MIN_PANELS overrides it (read once; tests set 1 to run
// every shape through the packed path).
inline int64_t pack_a_min_panels() {
  static const int64_t v = [] {
    const char* e = std::getenv("RECFORGE_GEMM_PACK_A_MIN_PANELS");
    int64_t x = e ? std::atoll(e) : 0;
    return x > 0 ? x : (int64_t)17;
  }();
  return v;
}
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }
// Splits n into equal blocks of at most `max_block` (rounded up to `unit`), so that K = 300
// runs as 2 × 150 rather than 256 + 44 (a thin last block wastes the packing).
inline int64_t even_block(int64_t n, int64_t max_block, int64_t unit) {
  int64_t blocks = ceil_div(n, max_block);
  return std::min(max_block, round_up(ceil_div(n, blocks), unit));
}

// ---- packing ---------------------------------------------------------------------------
#if RECFORGE_GEMM_ISA_LEVEL >= 1
// Packs 6 float rows, 8 values of k at a time: an 8×8 transpose in registers (rows 6 and 7
// zero) and one 8-wide store per k at ap + 6k, whose last two lanes the next store
// overwrites. The store of the final k spills 2 floats past the panel: the next panel
// overwrites them, and the buffer has slack after the last one (kPackSlack). Returns how
// many values of k it packed (a multiple of 8).
inline int64_t pack_a_rows_f32(int64_t kc, const float* const rows[6], float* ap) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 r0 = _mm256_loadu_ps(rows[0] + k), r1 = _mm256_loadu_ps(rows[1] + k);
    __m256 r2 = _mm256_loadu_ps(rows[2] + k), r3 = _mm256_loadu_ps(rows[3] + k);
    __m256 r4 = _mm256_loadu_ps(rows[4] + k), r5 = _mm256_loadu_ps(rows[5] + k);
    __m256 z = _mm256_setzero_ps();
    // 8×8 transpose of (r0..r5, 0, 0).
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, z, 0x44), u5 = _mm256_shuffle_ps(t4, z, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, z, 0x44), u7 = _mm256_shuffle_ps(t5, z, 0xEE);
    float* dst = ap + k * 6;
    _mm256_storeu_ps(dst + 0 * 6, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + 1 * 6, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * 6, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * 6, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * 6, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * 6, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * 6, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * 6, _mm256_permute2f128_ps(u3, u7, 0x31));
  }
  return k;
}

#endif

// A block: mc×kc of op(A), starting at `a` = &op(A)[ic, pc]. Panels of MR rows; within a
// panel element (i, k) at k*MR + i. Rows past mc are zero so the kernel needs no M edge.
template <typename T>
void pack_a(bool transA, int64_t mc, int64_t kc, const T* a, int64_t lda, T* ap) {
  constexpr int MR = Blocking<T>::MR;
  if (transA) {
    // Stored K×M: row k of the stored block holds op(A)[ic.., k]. Walk it row by row (one
    // pass over the pages of A, not one per panel: with a wide lda every k is a new page)
    // and deal MR-wide pieces out to the panels.
    const int64_t full = mc / MR * MR;
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = a + k * lda;
      T* dst = ap + k * MR;
      int64_t i0 = 0;
      for (; i0 < full; i0 += MR, dst += MR * kc) std::memcpy(dst, src + i0, sizeof(T) * MR);
      if (i0 < mc)
        for (int r = 0; r < MR; ++r) dst[r] = i0 + r < mc ? src[i0 + r] : T(0);
    }
    return;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR, ap += MR * kc) {
    int m = (int)std::min<int64_t>(MR, mc - i0);
    // op(A) row i = stored row i: MR rows read in step along k.
    const T* rows[MR];
    for (int r = 0; r < MR; ++r) rows[r] = a + (i0 + std::min(r, m - 1)) * lda;
    if (m == MR) {
      int64_t k = 0;
#if RECFORGE_GEMM_ISA_LEVEL >= 1
      if constexpr (std::is_same_v<T, float> && MR == 6) k = pack_a_rows_f32(kc, rows, ap);
#endif
      for (; k < kc; ++k)
        for (int r = 0; r < MR; ++r) ap[k * MR + r] = rows[r][k];
    } else {
      for (int64_t k = 0; k < kc; ++k)
        for (int r = 0; r < MR; ++r) ap[k * MR + r] = r < m ? rows[r][k] : T(0);
    }
  }
}

// B block: kc×nc of op(B), starting at `b` = &op(B)[pc, jc]. Panels of NR columns; within a
// panel element (k, j) at k*NR + j. Columns past nc are zero.
template <typename T>
void pack_b(bool transB, int64_t kc, int64_t nc, const T* b, int64_t ldb, T* bp) {
  constexpr int NR = Blocking<T>::NR;
  using S = Simd<T>;
  for (int64_t j0 = 0; j0 < nc; j0 += NR, bp += NR * kc) {
    int n = (int)std::min<int64_t>(NR, nc - j0);
    if (!transB) {  // stored K×N: NR contiguous values per k
      if (n == NR) {
        for (int64_t k = 0; k < kc; ++k) {
          const T* src = b + k * ldb + j0;
          S::storeu(bp + k * NR, S::loadu(src));
          S::storeu(bp + k * NR + S::W, S::loadu(src + S::W));
        }
      } else {
        for (int64_t k = 0; k < kc; ++k) {
          const T* src = b + k * ldb + j0;
          int j = 0;
          for (; j < n; ++j) bp[k * NR + j] = src[j];
          for (; j < NR; ++j) bp[k * NR + j] = T(0);
        }
      }
    } else {  // stored N×K: column j of op(B) is stored row j, contiguous along k
      for (int j = 0; j < NR; ++j) {
        if (j < n) {
          const T* src = b + (j0 + j) * ldb;
          for (int64_t k = 0; k < kc; ++k) bp[k * NR + j] = src[k];
        } else {
          for (int64_t k = 0; k < kc; ++k) bp[k * NR + j] = T(0);
        }
      }
    }
  }
}

// ---- micro-kernel ------------------------------------------------------------------------
// C[0:mr, 0:nr] = alpha * op(A)panel · Bp + beta * C (beta == 0: C is not read).
// Bp: kc×NR packed panel (aligned). A: a packed kc×MR panel (kPackedA: element (r, k) at
// a[k*MR + r]) or read in place (element (r, k) at a[r*rs_a + k*cs_a]; rows past mr repeat
// row mr-1, so nothing outside the matrix is touched). NV: vectors of B per row, 2 for the
// full 6×16 tile, 1 for an edge panel of at most W columns (half the FMAs, e.g. N = 1..8).
// Full tiles store straight from registers; edge tiles go through a small buffer.
template <typename T, bool kPackedA, int NV>
inline void micro_kernel(int64_t kc, const T* __restrict a, int64_t rs_a, int64_t cs_a, const T* __restrict b,
                         T alpha, T beta, T* __restrict c, int64_t ldc, int mr, int nr) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int MR = Blocking<T>::MR, W = S::W, NR = Blocking<T>::NR;
  static_assert(NR == 2 * W && (NV == 1 || NV == 2), "micro-kernel holds one or two vectors per row");

  for (int r = 0; r < mr; ++r) {  // the C tile is needed at the end: start fetching it now
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + NV * W - 1), _MM_HINT_T0);
  }
  V acc[MR][NV];
#pragma GCC unroll 6
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[r][v] = S::zero();

  const T* rows[MR];  // in place only
  if constexpr (!kPackedA) {
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) rows[r] = a + (r < mr ? r : mr - 1) * rs_a;
  }
  int64_t off = 0;
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    V bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) bv[v] = S::load(b + v * W);
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      V ar = kPackedA ? S::bcast(a + r) : S::bcast(rows[r] + off);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[r][v] = S::fma(ar, bv[v], acc[r][v]);
    }
    if constexpr (kPackedA)
      a += MR;
    else
      off += cs_a;
    b += NR;
  }

  V va = S::set1(alpha);
  if (mr == MR && nr == NV * W) {
    if (beta == T(0)) {
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) S::storeu(c + r * ldc + v * W, S::mul(va, acc[r][v]));
    } else if (beta == T(1)) {
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v)
          S::storeu(c + r * ldc + v * W, S::fma(va, acc[r][v], S::loadu(c + r * ldc + v * W)));
    } else {
      V vb = S::set1(beta);
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v)
          S::storeu(c + r * ldc + v * W, S::fma(va, acc[r][v], S::mul(vb, S::loadu(c + r * ldc + v * W))));
    }
    return;
  }
  alignas(64) T tile[MR * NV * W];
#pragma GCC unroll 6
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) S::storeu(tile + (r * NV + v) * W, S::mul(va, acc[r][v]));
  for (int r = 0; r < mr; ++r) {
    T* cr = c + r * ldc;
    const T* tr = tile + r * NV * W;
    if (beta == T(0))
      for (int j = 0; j < nr; ++j) cr[j] = tr[j];
    else
      for (int j = 0; j < nr; ++j) cr[j] = tr[j] + beta * cr[j];
  }
}

// Picks the micro-kernel for one tile: two B vectors unless the panel is narrow.
template <typename T, bool kPackedA>
inline void run_tile(int64_t kc, const T* a, int64_t rs_a, int64_t cs_a, const T* b, T alpha, T beta, T* c,
                     int64_t ldc, int mr, int nr) {
  if (nr > Simd<T>::W)
    micro_kernel<T, kPackedA, 2>(kc, a, rs_a, cs_a, b, alpha, beta, c, ldc, mr, nr);
  else
    micro_kernel<T, kPackedA, 1>(kc, a, rs_a, cs_a, b, alpha, beta, c, ldc, mr, nr);
}

// ---- one thread's Goto loop nest on an M×N slice ------------------------------------------
template <typename T>
void gemm_serial(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  using P = Blocking<T>;
  constexpr int MR = P::MR, NR = P::NR;
  const int64_t kcb = even_block(K, P::KC, 1);
  const int64_t mcb = even_block(M, P::MC, MR);
  const int64_t ncb = even_block(N, P::NC, NR);
  T* ap = static_cast<T*>(tl_pack_a.get(sizeof(T) * (mcb * kcb + kPackSlack)));
  T* bp = static_cast<T*>(tl_pack_b.get(sizeof(T) * ncb * kcb));

  for (int64_t jc = 0; jc < N; jc += ncb) {
    const int64_t nc = std::min(ncb, N - jc);
    // A block reused by only a few B panels: read it in place rather than pay for
    // packing it (the tall-skinny products of small layers: K and N of 16..128).
    // Stored Aᵀ read in place touches one cache line per k at a stride of lda: beyond
    // 512 bytes that is a new page every few k and L1 set conflicts for power-of-two
    // strides (measured 0.78x on 1024×64×1024 with Aᵀ), so wide Aᵀ is packed.
    const bool pack_a_block =
        (transA && lda * (int64_t)sizeof(T) > 512) || ceil_div(nc, NR) >= pack_a_min_panels();
    for (int64_t pc = 0; pc < K; pc += kcb) {
      const int64_t kc = std::min(kcb, K - pc);
      const T beta_k = pc == 0 ? beta : T(1);  // later K blocks accumulate onto the first
      pack_b(transB, kc, nc, transB ? B + jc * ldb + pc : B + pc * ldb + jc, ldb, bp);
      for (int64_t ic = 0; ic < M; ic += mcb) {
        const int64_t mc = std::min(mcb, M - ic);
        const T* ablock = transA ? A + pc * lda + ic : A + ic * lda + pc;
        if (pack_a_block) pack_a(transA, mc, kc, ablock, lda, ap);
        // In place: op(A)(r, k) sits at r*rs + k*cs from the block origin.
        const int64_t rs = transA ? 1 : lda, cs = transA ? lda : 1;
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = (int)std::min<int64_t>(NR, nc - jr);
          const T* bpanel = bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = (int)std::min<int64_t>(MR, mc - ir);
            T* ctile = C + (ic + ir) * ldc + jc + jr;
            if (pack_a_block)
              run_tile<T, true>(kc, ap + ir * kc, 0, 0, bpanel, alpha, beta_k, ctile, ldc, mr, nr);
            else
              run_tile<T, false>(kc, ablock + ir * rs, rs, cs, bpanel, alpha, beta_k, ctile, ldc, mr, nr);
          }
        }
      }
    }
  }
}

// Below this many flops a product runs on the calling thread: waking the pool costs
// about as much as ~0.5 MFLOP of kernel time.
constexpr double kParallelFlops = 1.0 * (1 << 20);

}  // namespace

template <typename T>
void own_gemm_one(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, bool serial) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) {  // BLAS semantics: A and B are not read
    scale_c(M, N, beta, C, ldc);
    return;
  }
  using P = Blocking<T>;
  const int nt = serial ? 1 : num_threads();
  const double flops = 2.0 * (double)M * (double)N * (double)K;
  const int64_t mp = ceil_div(M, P::MR), np = ceil_div(N, P::NR);
  if (nt <= 1 || flops < kParallelFlops || (mp < 2 && np < 2)) {
    gemm_serial<T>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  // Split the dimension whose other operand is cheaper to pack twice; fall back to the
  // other one when the preferred dimension has too few panels for the threads.
  bool split_m = M >= N ? (mp >= nt || mp >= np) : !(np >= nt || np >= mp);
  if (split_m) {
    parallel_for(mp, 1, [&](int64_t b, int64_t e) {
      const int64_t i0 = b * P::MR, i1 = std::min(M, e * P::MR);
      gemm_serial<T>(transA, transB, i1 - i0, N, K, alpha, transA ? A + i0 : A + i0 * lda, lda, B, ldb, beta,
                     C + i0 * ldc, ldc);
    });
  } else {
    parallel_for(np, 1, [&](int64_t b, int64_t e) {
      const int64_t j0 = b * P::NR, j1 = std::min(N, e * P::NR);
      gemm_serial<T>(transA, transB, M, j1 - j0, K, alpha, A, lda, transB ? B + j0 * ldb : B + j0, ldb, beta,
                     C + j0, ldc);
    });
  }
}

}  // namespace RECFORGE_GEMM_ISA
}  // namespace gemm_detail
}  // namespace recforge
