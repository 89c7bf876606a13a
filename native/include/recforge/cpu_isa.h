// Which instruction-set variant of the hot CPU kernels runs: chosen once per process.
//
// The addon is compiled for baseline x86-64 (SSE2) so that it loads on any x86-64 CPU; the
// kernels that pay for wider vectors (the GEMM micro-kernel first) also exist as AVX2+FMA and
// AVX-512 translation units (native/cpu/*_avx2.cc, *_avx512.cc, compiled with a
// `#pragma GCC target` after their includes) and are called through cpu_isa().
//
// Choice: the widest variant the CPU and OS support (__builtin_cpu_supports, which checks
// the OS's XSAVE state too), unless RECFORGE_CPU_ISA=baseline|avx2|avx512 asks for one. An
// ISA the CPU lacks is never run: the request falls back to the best supported one, and
// cpu_isa_reason() says so (lib/native.ts turns that into a JavaScript error).
#pragma once

namespace recforge {

enum class CpuIsa { Baseline = 0, Avx2 = 1, Avx512 = 2 };

CpuIsa cpu_isa();
// "baseline", "avx2" or "avx512".
const char* cpu_isa_name(CpuIsa isa);
// Why cpu_isa() was chosen, e.g. "best the CPU supports (avx2 fma; no avx512f)" or
// "RECFORGE_CPU_ISA=avx512 asked, but the CPU lacks avx512f: using avx2". Starts with
// "error:" when RECFORGE_CPU_ISA could not be honoured.
const char* cpu_isa_reason();
// Whether this CPU can run `isa` (for tests that loop over the variants).
bool cpu_isa_supported(CpuIsa isa);

}  // namespace recforge
