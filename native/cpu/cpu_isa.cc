// Run-time choice of the kernels' instruction-set variant (see recforge/cpu_isa.h).
#include "recforge/cpu_isa.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace recforge {
namespace {

// What the CPU lacks for `isa` ("" when it has everything), as the names the user can look
// up in /proc/cpuinfo.
std::string missing(CpuIsa isa) {
  std::string m;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  auto need = [&m](bool ok, const char* name) {
    if (!ok) m += (m.empty() ? "" : " ") + std::string(name);
  };
  if (isa == CpuIsa::Avx2 || isa == CpuIsa::Avx512) {
    need(__builtin_cpu_supports("avx2"), "avx2");
    need(__builtin_cpu_supports("fma"), "fma");
  }
  if (isa == CpuIsa::Avx512) {
    need(__builtin_cpu_supports("avx512f"), "avx512f");
    need(__builtin_cpu_supports("avx512bw"), "avx512bw");
    need(__builtin_cpu_supports("avx512dq"), "avx512dq");
    need(__builtin_cpu_supports("avx512vl"), "avx512vl");
  }
#else
  if (isa != CpuIsa::Baseline) m = "x86-64";
#endif
  return m;
}

struct Choice {
  CpuIsa isa = CpuIsa::Baseline;
  std::string reason;
};

Choice choose() {
  Choice c;
  CpuIsa best = CpuIsa::Baseline;
  if (missing(CpuIsa::Avx512).empty())
    best = CpuIsa::Avx512;
  else if (missing(CpuIsa::Avx2).empty())
    best = CpuIsa::Avx2;
  const char* env = std::getenv("RECFORGE_CPU_ISA");
  if (!env || !*env) {
    c.isa = best;
    c.reason = "the widest variant this CPU supports";
    if (best != CpuIsa::Avx512) c.reason += " (it lacks " + missing(best == CpuIsa::Avx2 ? CpuIsa::Avx512 : CpuIsa::Avx2) + ")";
    return c;
  }
  CpuIsa want;
  if (std::strcmp(env, "baseline") == 0)
    want = CpuIsa::Baseline;
  else if (std::strcmp(env, "avx2") == 0)
    want = CpuIsa::Avx2;
  else if (std::strcmp(env, "avx512") == 0)
    want = CpuIsa::Avx512;
  else {
    c.isa = best;
    c.reason = std::string("error: RECFORGE_CPU_ISA=") + env + " is not one of baseline, avx2, avx512";
    return c;
  }
  const std::string lacks = missing(want);
  if (!lacks.empty()) {
    c.isa = best;
    c.reason = std::string("error: RECFORGE_CPU_ISA=") + env + " asked, but this CPU lacks " + lacks;
    return c;
  }
  c.isa = want;
  c.reason = std::string("RECFORGE_CPU_ISA=") + env;
  return c;
}

const Choice& choice() {
  static const Choice c = choose();  // thread-safe, once
  return c;
}

}  // namespace

CpuIsa cpu_isa() { return choice().isa; }
const char* cpu_isa_reason() { return choice().reason.c_str(); }
bool cpu_isa_supported(CpuIsa isa) { return missing(isa).empty(); }

const char* cpu_isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512:
      return "avx512";
    case CpuIsa::Avx2:
      return "avx2";
    default:
      return "baseline";
  }
}

}  // namespace recforge
