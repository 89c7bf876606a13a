// Whether the loaded CBLAS is worth calling at all (gemm_detail::gemm_choice, once per process).
//
// Why: Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from the CPUID, and on a CPU it
// does not know (a Xeon with AMX) it falls back to the generic "Prescott" SSE3 kernels: measured
// there 29 GFLOP/s through the library against 106 for the own AVX2 kernels and 233 for the same
// library told its core (issue 16). So the library only gets the shapes it wins (gemm.cc) when its
// kernels are at least as wide as the own kernels' instruction set (cpu_isa()):
//
// - OpenBLAS reporting a core (openblas_get_corename): the core's vector ISA is compared with
//   cpu_isa(). Below it: own kernels for every shape. No run-time cost, and the same answer on
//   every run of the same machine (a measurement would flap under load on a shared machine).
// - A library that names no core (a reference or vendor CBLAS) or a core name this table does
//   not know: one measurement at first use, a 192³ product through each side, warm-up plus at
//   most 3 alternated pairs (about 1 ms with a fast library, at most about 30 ms with the netlib
//   reference), keeping the fastest run of each. The library keeps its shapes unless the own
//   kernels were more than 1.25× faster (a margin against noise; the cases this is for, reference
//   BLAS, are 10× apart).
//
// RECFORGE_SIMULATE_BLAS_CORE=<core name> makes the choice as if the library reported that core
// (e.g. Prescott), or "none" as if it named none (the measurement runs): for testing the dispatch
// on a machine whose OpenBLAS recognises the CPU. It changes only this choice, not the library.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <strings.h>  // strcasecmp
#include <vector>

#include "gemm_internal.h"
#include "recforge/cpu_isa.h"

namespace recforge {
namespace gemm_detail {
namespace {

// Vector ISA of OpenBLAS's x86-64 kernel sets (the names of driver/others/dynamic.c), as a level
// comparable with CpuIsa: 0 = SSE-class kernels (what the baseline build uses), 1 = AVX (no
// AVX2/FMA3 GEMM kernels), 2 = AVX2+FMA, 3 = AVX-512. -1: a name this table does not know.
struct CoreIsa {
  const char* name;
  int level;
  const char* isa;
};
constexpr CoreIsa kCores[] = {
    {"SkylakeX", 3, "avx512"},   {"Cooperlake", 3, "avx512"},  {"SapphireRapids", 3, "avx512"},
    {"Haswell", 2, "avx2"},      {"Zen", 2, "avx2"},           {"Excavator", 1, "avx"},
    {"Steamroller", 1, "avx"},   {"Piledriver", 1, "avx"},     {"Bulldozer", 1, "avx"},
    {"Sandybridge", 1, "avx"},   {"Prescott", 0, "sse3"},      {"Core2", 0, "ssse3"},
    {"Penryn", 0, "sse4.1"},     {"Dunnington", 0, "sse4.1"},  {"Nehalem", 0, "sse4.2"},
    {"Atom", 0, "ssse3"},        {"Opteron", 0, "sse2"},       {"Opteron_SSE3", 0, "sse3"},
    {"Barcelona", 0, "sse4a"},   {"Nano", 0, "sse3"},          {"Bobcat", 0, "sse4a"},
    {"Northwood", 0, "sse2"},    {"Banias", 0, "sse2"},        {"Athlon", 0, "sse2"},
    {"Katmai", 0, "sse"},        {"Coppermine", 0, "sse"},
};

const CoreIsa* find_core(const std::string& name) {
  for (const CoreIsa& c : kCores)
    if (strcasecmp(c.name, name.c_str()) == 0) return &c;
  return nullptr;
}

int isa_level(CpuIsa isa) {
  return isa == CpuIsa::Avx512 ? 3 : isa == CpuIsa::Avx2 ? 2 : 0;
}

// "OpenBLAS 0.3.21" from "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
std::string library_label(const Cblas& lib) {
  std::string cfg = lib.config;
  if (cfg.rfind("OpenBLAS", 0) == 0) {
    size_t sp = cfg.find(' ');
    size_t end = sp == std::string::npos ? std::string::npos : cfg.find(' ', sp + 1);
    return cfg.substr(0, end);
  }
  return lib.set_threads ? "OpenBLAS" : std::string(lib.name);
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// The shapes the library keeps when it is not replaced everywhere (gemm.cc's rule).
constexpr const char* kMixed =
    "library for square and large products; own GEMM for thin products (two of M, N, K <= 256, the third larger, N >= 8) "
    "and batches of small products";

// One bounded measurement (see the top of the file): own kernels vs the library on a 192³ product.
GemmChoice measure(const Cblas& lib, const std::string& why) {
  constexpr int n = 192;
  std::vector<float> A(n * n), B(n * n), C(n * n);
  uint32_t s = 12345;
  for (float& x : A) x = (float)((s = s * 1664525u + 1013904223u) >> 8) / 16777216.f - 0.5f;
  for (float& x : B) x = (float)((s = s * 1664525u + 1013904223u) >> 8) / 16777216.f - 0.5f;
  auto own = [&] { own_gemm_one<float>(false, false, n, n, n, 1.f, A.data(), n, B.data(), n, 0.f, C.data(), n, false); };
  // The library as the dispatch would call it (over recforge's pool when pooled), like the own side.
  auto blas = [&] { library_sgemm(false, false, n, n, n, 1.f, A.data(), n, B.data(), n, 0.f, C.data(), n); };
  own();
  blas();
  double t_own = 1e30, t_lib = 1e30;
  for (int r = 0; r < 3; ++r) {
    double t0 = now_s();
    own();
    double t1 = now_s();
    blas();
    double t2 = now_s();
    t_own = std::min(t_own, t1 - t0);
    t_lib = std::min(t_lib, t2 - t1);
    if (t_lib > 4 * t_own || t_own > 4 * t_lib) break;  // decided; do not spend more
  }
  const double flops = 2.0 * n * n * n;
  GemmChoice c;
  c.own_everywhere = t_lib > 1.25 * t_own;
  c.reason = why + "; measured once at load (192^3, best of <= 3 alternated runs): own " + fmt(flops / t_own * 1e-9) +
             " GFLOP/s, library " + fmt(flops / t_lib * 1e-9) + " GFLOP/s -> " +
             (c.own_everywhere ? std::string("own GEMM for every shape") : std::string(kMixed));
  return c;
}

// *same_isa: the library reports a core exactly as wide as the own kernels' ISA.
GemmChoice choose(bool* same_isa) {
  *same_isa = false;
  const Cblas& lib = cblas();
  GemmChoice c;
  if (!lib.sgemm) {
    c.own_everywhere = true;
    c.reason = std::string("no CBLAS in use (") + lib.name + ") -> own GEMM for every shape";
    return c;
  }
  std::string core = lib.core;
  std::string simulated;
  if (const char* sim = std::getenv("RECFORGE_SIMULATE_BLAS_CORE"); sim && *sim) {
    simulated = std::string(" (simulated by RECFORGE_SIMULATE_BLAS_CORE; the library runs ") +
                (core.empty() ? "unnamed kernels" : core) + ")";
    core = std::strcmp(sim, "none") == 0 ? "" : sim;
  }
  const std::string label = library_label(lib);
  const CpuIsa own = cpu_isa();
  if (core.empty()) return measure(lib, label + " names no kernel core" + simulated);
  const CoreIsa* k = find_core(core);
  if (!k) return measure(lib, label + " core " + core + simulated + " is not in recforge's table of core ISAs");
  const std::string head = label + " core " + k->name + " (" + k->isa + ")" + simulated;
  *same_isa = k->level == isa_level(own);
  if (k->level < isa_level(own)) {
    c.own_everywhere = true;
    c.reason = head + " < own kernels " + cpu_isa_name(own) +
               " -> own GEMM for every shape (the library's kernels do not use this CPU's vector width)";
  } else {
    c.reason = head + " >= own kernels " + cpu_isa_name(own) + " -> " + kMixed;
  }
  return c;
}

// Mid-size products with a pooled library of the own kernels' width. Split over the pool, the
// single-threaded library packs the whole of the other operand once per block, where its own threads
// share one packed copy; the own kernels split the same way but pack faster. Measured (`bench ops`,
// own vs the dispatched split, alternated in one loop, 2 threads): Intel Xeon (SkylakeX kernels) own
// faster at 512³ and 1024³ in 6 of 6 runs each (2–9 %), slower at 2048³ in 5 of 6 (~3 %), mixed at
// 256³ (noise of one 0.2 ms call); AMD EPYC (Cooperlake kernels) own faster at 512³, 1024³ (~9 %) and
// 2048³ (6 %) — bench/results/ops.md, sessions 8 and 9. So the band is (256, 1024] in every dimension,
// where both machines agree. RECFORGE_GEMM_OWN_MID=0 turns it off (A/B runs).
bool own_mid_enabled() {
  const char* e = std::getenv("RECFORGE_GEMM_OWN_MID");
  return !(e && std::strcmp(e, "0") == 0);
}

GemmChoice choose_and_say_threads() {
  bool same_isa = false;
  GemmChoice c = choose(&same_isa);
  if (!c.own_everywhere && cblas().pooled) {
    c.reason += "; the library single-threaded, large calls split over recforge's pool (RECFORGE_BLAS_THREADS=library: "
                "the library's own threads)";
    if (same_isa && own_mid_enabled()) {
      c.own_mid = true;
      c.reason += "; own GEMM also for mid-size products (every dimension 257..1024), measured faster than the pooled "
                  "library there (RECFORGE_GEMM_OWN_MID=0: off)";
    }
  }
  return c;
}

}  // namespace

const GemmChoice& gemm_choice() {
  static const GemmChoice c = choose_and_say_threads();  // thread-safe, once
  return c;
}

}  // namespace gemm_detail
}  // namespace recforge
