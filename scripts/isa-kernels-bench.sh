#!/usr/bin/env bash
# What the baseline x86-64 build costs the CPU kernels outside the GEMM, and what their ISA variants buy
# (issue 16 item 2): bench/native/isa_kernels_bench.cc built with the addon's flags (binding.gyp: baseline
# x86-64, variants chosen at run time) and with -march=native (everything compiled for this CPU), then run
# ROUNDS times alternated: the addon-flags build with each variant forced (RECFORGE_CPU_ISA) and the
# -march=native build, one thread, own GEMM (RECFORGE_BLAS=own: the GRU's GEMMs follow RECFORGE_CPU_ISA
# too, so compare the GRU across avx2 / avx512 / native, not against "baseline"). Prints the median ms per
# kernel and column, and the load average before and after.
#   scripts/isa-kernels-bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
src="bench/native/isa_kernels_bench.cc"
for f in softmax norm gru gemm_own; do src="$src $(ls native/cpu/${f}.cc native/cpu/${f}_*.cc | tr '\n' ' ')"; done
src="$src native/cpu/optim.cc native/cpu/parallel.cc native/cpu/gemm.cc native/cpu/cblas_loader.cc native/cpu/cpu_isa.cc native/cpu/gemm_choice.cc"
flags="-std=c++17 -O3 -fno-trapping-math -fno-math-errno -pthread -Wno-psabi -Inative/include"
${CXX:-g++} $flags -mtune=generic $src -o "$out/addon_flags" -ldl
${CXX:-g++} $flags -march=native $src -o "$out/native" -ldl
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for isa in baseline avx2 avx512; do
    if RECFORGE_CPU_ISA=$isa RECFORGE_NUM_THREADS=1 RECFORGE_BLAS=own "$out/addon_flags" >"$out/run" 2>/dev/null; then
      sed "s/^/$isa /" "$out/run" >>"$out/all"
    fi
  done
  RECFORGE_NUM_THREADS=1 RECFORGE_BLAS=own "$out/native" | sed "s/^/march-native /" >>"$out/all"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(/\s+/));
const cols = [...new Set(rows.map((r) => r[0]))], names = [...new Set(rows.map((r) => r[1]))];
const med = (v) => { v = [...v].sort((a, b) => a - b); return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
console.log("ms (median of rounds)".padEnd(24) + cols.map((c) => c.padStart(14)).join(""));
for (const n of names) console.log(n.padEnd(24) + cols.map((c) => med(rows.filter((r) => r[0] === c && r[1] === n).map((r) => +r[2])).toFixed(4).padStart(14)).join(""));
' "$out/all"
