// Finds a CBLAS at run time with dlopen, so prebuilt binaries load (and fall back to the
// own kernels) on machines without any BLAS installed: there is no link-time dependency.
//
// Search order: $RECFORGE_BLAS (a path; the value "own" disables BLAS), libopenblas.so.0,
// libopenblas.so, libcblas.so.3, libblas.so.3. A library is accepted only if it exports
// cblas_sgemm (the reference libblas.so.3 is Fortran-only and exports none; Debian's
// OpenBLAS alternative of libblas.so.3 does).
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "gemm_internal.h"
#include "recforge/parallel.h"

namespace recforge {
namespace gemm_detail {
namespace {

Cblas g_cblas;
std::string g_name = "own";
std::string g_core, g_config;
std::once_flag g_once;

// Path of the shared object that defines `sym`, for the backend description.
std::string library_path(void* sym, const char* fallback) {
  Dl_info info;
  if (sym && dladdr(sym, &info) && info.dli_fname) return info.dli_fname;
  return fallback;
}

// Tries one library; on success fills g_cblas and returns true. RTLD_LOCAL keeps its
// symbols out of the global namespace (no clash with another BLAS the host process loads).
bool try_load(const char* lib, std::string* error) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    if (error) *error = dlerror();
    return false;
  }
  auto sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
  if (!sgemm) {
    if (error) *error = std::string(lib) + " does not export cblas_sgemm";
    dlclose(h);
    return false;
  }
  g_cblas.sgemm = sgemm;
  g_cblas.dgemm = reinterpret_cast<DgemmFn>(dlsym(h, "cblas_dgemm"));
  g_cblas.set_threads = reinterpret_cast<SetThreadsFn>(dlsym(h, "openblas_set_num_threads"));
  std::string path = library_path(reinterpret_cast<void*>(sgemm), lib);
  if (g_cblas.set_threads) {
    g_name = "openblas: " + path;
    // Which kernels OpenBLAS runs (DYNAMIC_ARCH builds pick them at load from the CPUID,
    // or OPENBLAS_CORETYPE): the GEMM dispatch compares them with the own kernels' ISA.
    using StrFn = char* (*)();
    if (auto core = reinterpret_cast<StrFn>(dlsym(h, "openblas_get_corename"))) {
      if (const char* c = core()) {
        g_core = c;
        g_name += std::string(" (") + c + ")";
      }
    }
    if (auto config = reinterpret_cast<StrFn>(dlsym(h, "openblas_get_config")))
      if (const char* c = config()) g_config = c;
  } else {
    g_name = "cblas: " + path;
  }
  return true;  // the handle stays open for the life of the process
}

// OpenBLAS's idle worker threads spin (sched_yield loop) for 2^28 TSC cycles, about 0.1 s,
// after every threaded call before they sleep. recforge's own pool runs the kernels between
// GEMMs on the same cores, and on a 2-core machine a spinning worker halves their speed
// (measured: the own SGEMM right after an OpenBLAS call ran at 0.5x). OpenBLAS reads
// OPENBLAS_THREAD_TIMEOUT (log2 cycles) once, when it is loaded: unless the user chose a
// value, we set 2^16 cycles (about 25 us) for the dlopen and remove the variable again.
constexpr const char* kThreadTimeout = "16";

void load() {
  const bool set_timeout = std::getenv("OPENBLAS_THREAD_TIMEOUT") == nullptr;
  if (set_timeout) setenv("OPENBLAS_THREAD_TIMEOUT", kThreadTimeout, 0);
  const char* env = std::getenv("RECFORGE_BLAS");
  if (env && *env) {
    if (std::strcmp(env, "own") == 0) {
      g_name = "own (RECFORGE_BLAS=own)";
    } else {
      std::string err;
      // An explicit choice that fails is reported, not silently replaced by another library.
      if (!try_load(env, &err)) g_name = "own (RECFORGE_BLAS=" + std::string(env) + " failed: " + err + ")";
    }
  } else {
    static const char* const kCandidates[] = {"libopenblas.so.0", "libopenblas.so", "libcblas.so.3",
                                              "libblas.so.3"};
    for (const char* lib : kCandidates)
      if (try_load(lib, nullptr)) break;
  }
  if (set_timeout) unsetenv("OPENBLAS_THREAD_TIMEOUT");
  // One set of worker threads, not two. OpenBLAS has its own pool beside recforge's; with both at
  // the core count, each parallel region of either may find a core taken by the other's workers, and
  // a step waits for a time slice: on the 2-core machine, Census MMoE training steps (GEMMs through
  // OpenBLAS, everything else through recforge's pool) had ~5-8% of steps 1.5-4x slower than their
  // median, and 1-4% with either pool at one thread (bench/results/balance-qps.md, session 8). So
  // OpenBLAS runs single-threaded and recforge splits its large calls over its own pool
  // (library_gemm, gemm.cc). Unless the user pinned OpenBLAS's count (OPENBLAS_NUM_THREADS) or asked
  // for the library's own threads (RECFORGE_BLAS_THREADS=library): then, as before, the library's
  // count follows recforge's pool.
  if (g_cblas.set_threads && !std::getenv("OPENBLAS_NUM_THREADS")) {
    const char* mode = std::getenv("RECFORGE_BLAS_THREADS");
    g_cblas.pooled = !(mode && std::strcmp(mode, "library") == 0);
    g_cblas.set_threads(g_cblas.pooled ? 1 : num_threads());
  }
  g_cblas.name = g_name.c_str();
  g_cblas.core = g_core.c_str();
  g_cblas.config = g_config.c_str();
}

}  // namespace

const Cblas& cblas() {
  std::call_once(g_once, load);
  return g_cblas;
}

}  // namespace gemm_detail
}  // namespace recforge
