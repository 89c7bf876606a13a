#!/usr/bin/env bash
# The one script for a GPU machine (nvcc, CMake, PyTorch 2.x; no Node needed, no network).
# See docs/gpu-check.md. Steps, each under its own `timeout`:
#   1. environment: GPU, driver, nvcc, CMake, PyTorch
#   2. CMake build with RECFORGE_CUDA=ON for this GPU's architecture (no Node addon)
#   3. every native CUDA test (build-*/cuda_*_test: each kernel vs the CPU reference)
#   4. optional JS smoke test with a carried Node (.device/node.xz) and carried node_modules
#   5. GPU benchmarks: recforge's kernels and PyTorch anchors on the same GPU, same run:
#      5a DTI interval attention vs FlexAttention / masked SDPA (the same masks, shared as files),
#      5b GAT, segment sum, edge softmax and MultiBalance vs plain PyTorch (the same graphs),
#      5c GEMM and the other ops; each under a timeout sized from the budget left, skippable
#   6. a short table last; full logs under $OUT (default: ./gpu-check-out)
# Exit status: 0 when the build and every CUDA test passed (benchmarks never fail the run).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/gpu-check-out}
mkdir -p "$OUT"
BUILD=${BUILD_DIR:-build-gpu}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
t0=$(date +%s)
note() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
step() { printf '\n== %s (t=%ss)\n' "$*" "$(($(date +%s) - t0))"; }
fail=0
BUDGET=${BUDGET:-560}  # seconds; optional steps are skipped when too little is left
left() { echo $((BUDGET - ($(date +%s) - t0))); }
# cap WANT RESERVE: a step's time limit — WANT seconds, or less so that RESERVE seconds of the budget stay
# for the steps after it (at least 1). Every step is capped this way, so the whole run ends within
# BUDGET (plus the seconds of the final table) even when a build or a test hangs.
cap() { local t=$(( $(left) - $2 )); [ "$t" -gt "$1" ] && t=$1; [ "$t" -lt 1 ] && t=1; echo "$t"; }
# The Node addons are built in the same CMake build when their headers were carried
# (node_modules/node-api-headers and node-addon-api): no cmake-js, no Node needed to build.
INC_API=node_modules/node-api-headers/include
INC_ADDON=node_modules/node-addon-api
ADDON_ARGS=(-DRECFORGE_ADDON=OFF)
if [ -d "$INC_API" ] && [ -d "$INC_ADDON" ]; then
  ADDON_ARGS=(-DRECFORGE_ADDON=ON "-DCMAKE_JS_INC=$ROOT/$INC_API;$ROOT/$INC_ADDON" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB=
              "-DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION" "-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=$ROOT/$BUILD/Release")
fi

step "1. environment"
{
  (timeout 20 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi unavailable")
  (command -v nvcc >/dev/null && nvcc --version | tail -n 2) || echo "nvcc not on PATH"
  cmake --version | head -n 1
  (timeout 60 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 || echo "PyTorch unavailable")
} 2>&1 | tee "$OUT/env.txt"
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi
# Compile only for this GPU (halves the build); override with ARCHS=80;90.
ARCHS=${ARCHS:-$(timeout 20 nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d ' .')}
ARCHS=${ARCHS:-80;90}
note "gpu: $(timeout 20 nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n1 || echo '?'), archs built: $ARCHS"

step "2. CMake build (RECFORGE_CUDA=ON, archs $ARCHS, ${ADDON_ARGS[0]})"
if timeout "$(cap 120 300)" cmake -S . -B "$BUILD" -DRECFORGE_CUDA=ON -DCMAKE_BUILD_TYPE=Release "-DRECFORGE_CUDA_ARCHS=$ARCHS" \
     "${ADDON_ARGS[@]}" >"$OUT/cmake-configure.log" 2>&1 &&
   timeout "$(cap 300 120)" cmake --build "$BUILD" -j "$JOBS" >"$OUT/cmake-build.log" 2>&1; then
  note "build: ok ($(grep -o 'cuBLAS: [A-Z]*' "$OUT/cmake-configure.log" | head -n1))"
else
  tail -n 40 "$OUT/cmake-configure.log" "$OUT/cmake-build.log"
  note "build: FAILED (see cmake-build.log)"
  fail=1
fi

step "3. native CUDA tests"
passed=0
failed=0
shopt -s nullglob
for t in "$BUILD"/cuda_*_test; do
  name=$(basename "$t")
  start=$(date +%s)
  if [ "$(left)" -lt 70 ]; then  # keep the last minute for the table: a test not run counts as failed
    failed=$((failed + 1))
    note "$(printf '%-36s NOT RUN (%ss of the budget left)' "$name" "$(left)")"
    continue
  fi
  if timeout "$(cap 120 60)" "$t" >"$OUT/$name.log" 2>&1; then
    passed=$((passed + 1))
    note "$(printf '%-36s ok    %4ss' "$name" "$(($(date +%s) - start))")"
  else
    rc=$?
    failed=$((failed + 1))
    note "$(printf '%-36s FAIL  (exit %s)' "$name" "$rc")"
    tail -n 15 "$OUT/$name.log" | sed 's/^/    /' | tee -a "$SUMMARY"
  fi
done
if [ $((passed + failed)) -eq 0 ]; then
  note "no CUDA tests were built"
  fail=1
fi
[ "$failed" -gt 0 ] && fail=1
note "CUDA tests: $passed passed, $failed failed"

step "4. JS smoke test (optional: needs .device/node.xz and node_modules)"
smoke() {
  local node_dir=$OUT/node
  if [ ! -f .device/node.xz ]; then
    note "js smoke: skipped (no .device/node.xz: carry a Node binary to run it)"
    return 0
  fi
  mkdir -p "$node_dir"
  if command -v xz >/dev/null; then
    xz -dc .device/node.xz >"$node_dir/node"
  else
    python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' .device/node.xz >"$node_dir/node"
  fi
  chmod +x "$node_dir/node"
  export PATH=$node_dir:$PATH
  if [ "${ADDON_ARGS[0]}" != "-DRECFORGE_ADDON=ON" ]; then
    note "js smoke: skipped (node_modules/node-api-headers and node-addon-api are needed to build the addons: carry node_modules)"
    return 0
  fi
  if [ ! -f "$BUILD/Release/recforge_cuda.node" ] || [ ! -f "$BUILD/Release/recforge.node" ]; then
    note "js smoke: addons were not built (see cmake-build.log)"
    return 1
  fi
  if [ ! -f dist/index.js ]; then
    if [ -x node_modules/.bin/tsc ]; then
      timeout 120 node node_modules/.bin/tsc -p tsconfig.json >"$OUT/tsc.log" 2>&1 || { note "js smoke: tsc FAILED"; return 1; }
    else
      note "js smoke: skipped (no dist/ and no TypeScript compiler: carry dist/)"
      return 0
    fi
  fi
  # The CPU addon where node-gyp-build looks for it (kept if one is already there).
  mkdir -p build/Release
  [ -f build/Release/recforge.node ] || cp "$BUILD/Release/recforge.node" build/Release/recforge.node
  if RECFORGE_CUDA_ADDON=$ROOT/$BUILD/Release/recforge_cuda.node RECFORGE_POISON=1 \
       timeout 180 node scripts/cuda-smoke.mjs >"$OUT/js-smoke.log" 2>&1; then
    note "js smoke: ok ($(tail -n 1 "$OUT/js-smoke.log"))"
  else
    tail -n 30 "$OUT/js-smoke.log"
    note "js smoke: FAILED (see js-smoke.log)"
    return 1
  fi
}
if [ "$(left)" -lt 300 ]; then
  note "js smoke: skipped ($(left)s of the ${BUDGET}s budget left; the benchmarks need ~300s)"
else
  smoke || fail=1
fi

# Each benchmark runs under `timeout` with min(its cap, what is left minus a reserve for the steps
# after it); one that would get less than its minimum is skipped with a note. Every benchmark
# rewrites its JSON after each case, so one stopped by its timeout still leaves the cases it finished.
# Order: what the issues ask for first (DTI attention vs FlexAttention, then the graph kernels and
# MultiBalance vs plain PyTorch), then the general op benchmark (GEMM, elementwise, ...).
bench() {  # bench LOGNAME CAP RESERVE MIN CMD...: run CMD, log to $OUT/LOGNAME.log
  local name=$1 cap=$2 reserve=$3 min=$4
  shift 4
  local t=$(( $(left) - reserve ))
  [ "$t" -gt "$cap" ] && t=$cap
  if [ "$t" -lt "$min" ]; then
    note "$(printf '%-28s skipped (%ss of the budget left, %ss reserved for later steps, needs %ss)' "$name" "$(left)" "$reserve" "$min")"
    return 0
  fi
  local start
  start=$(date +%s)
  # BENCH_DEADLINE_S: when to stop starting new cases (flex_anchor.py reads it), before the hard limit.
  if BENCH_DEADLINE_S=$((t * 3 / 4)) timeout "$t" "$@" 2>&1 | tee "$OUT/$name.log"; then
    note "$(printf '%-28s ok     %4ss' "$name" "$(($(date +%s) - start))")"
  else
    note "$(printf '%-28s stopped or failed after %ss (limit %ss; see %s.log)' "$name" "$(($(date +%s) - start))" "$t" "$name")"
  fi
}
need() {  # need BINARY: true when built, else a note
  [ -x "$BUILD/$1" ] && return 0
  note "$(printf '%-28s not built' "$1")"
  return 1
}
# BENCH_STEPS picks the benchmark groups (default all three, in this order).
BENCH_STEPS=${BENCH_STEPS:-attention gnn ops}
wanted() { case " $BENCH_STEPS " in *" $1 "*) return 0 ;; esac; note "benchmarks $1: not in BENCH_STEPS"; return 1; }
LAYOUTS=$OUT/dti-layouts
GRAPHS=$BUILD/gnn-graphs
mkdir -p "$LAYOUTS" "$GRAPHS"

step "5a. DTI interval attention (recforge fp32 / bf16) vs FlexAttention and masked SDPA (bf16)"
if wanted attention; then
# cuda_attention_bench writes the layouts (and a cross-check case) to $LAYOUTS; flex_anchor.py reads them.
need cuda_attention_bench &&
  bench bench-recforge-attention 60 150 20 "$BUILD/cuda_attention_bench" --layouts "$LAYOUTS" --json "$OUT/bench-recforge-attention.json"
if [ -f "$LAYOUTS/dti_layouts.json" ]; then
  bench bench-torch-attention 170 60 90 python3 bench/gpu/flex_anchor.py --layouts "$LAYOUTS" --json "$OUT/bench-torch-attention.json"
else
  note "bench-torch-attention        skipped (no layouts: cuda_attention_bench did not write $LAYOUTS/dti_layouts.json)"
fi
rm -f "$LAYOUTS"/check.*.f32  # cross-check tensors (8 MB): regenerated by every run
fi

step "5b. graph kernels and MultiBalance (recforge) vs plain PyTorch"
if wanted gnn; then
need cuda_gnn_bench &&
  bench bench-recforge-gnn 45 45 15 "$BUILD/cuda_gnn_bench" --graphs "$GRAPHS" --json "$OUT/bench-recforge-gnn.json"
need cuda_balance_bench &&
  bench bench-recforge-balance 30 30 10 "$BUILD/cuda_balance_bench" --json "$OUT/bench-recforge-balance.json"
need cuda_gru_bench &&
  bench bench-recforge-gru 30 30 10 "$BUILD/cuda_gru_bench" --json "$OUT/bench-recforge-gru.json"
graph_args=(--balance)
[ -f "$GRAPHS/graphs.json" ] && graph_args+=(--graphs "$GRAPHS")
bench bench-torch-gnn 60 20 20 python3 bench/gpu/anchors.py --skip-ops "${graph_args[@]}" --json "$OUT/bench-torch-gnn.json"
fi

step "5c. op benchmarks (GEMM, elementwise, softmax, norms, reductions, embedding, sort): recforge, then PyTorch"
if wanted ops; then
need cuda_ops_bench &&
  bench bench-recforge 150 40 30 "$BUILD/cuda_ops_bench" --json "$OUT/bench-recforge.json"
bench bench-torch 150 5 30 python3 bench/gpu/anchors.py --json "$OUT/bench-torch.json"
fi

step "6. summary"
python3 bench/gpu/table.py \
  --ours "$OUT/bench-recforge-attention.json" --ours "$OUT/bench-recforge-gnn.json" \
  --ours "$OUT/bench-recforge-balance.json" --ours "$OUT/bench-recforge.json" \
  --torch "$OUT/bench-torch-attention.json" --torch "$OUT/bench-torch-gnn.json" --torch "$OUT/bench-torch.json" |
  tee "$OUT/bench-table.txt"
echo
cat "$SUMMARY"
note "total: $(($(date +%s) - t0))s; logs in $OUT"
[ "$fail" -eq 0 ] && note "gpu-check: PASS" || note "gpu-check: FAIL"
exit "$fail"
