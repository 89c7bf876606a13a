#!/usr/bin/env bash
# The one script for a GPU machine (nvcc, CMake, ninja or make, PyTorch 2.x; no network). A GPU
# session is ~15 minutes of device time and returns at most 8 files from $OUT, so this script is
# built for one shot (docs/gpu-check.md):
#   1. preflight: GPU, driver, tool versions, generator (Ninja, else make), cuBLAS location, Node
#   2. CMake configure + build of what the checks need, keep-going (one broken target does not
#      block the rest); stops at once when no CUDA test or benchmark was built
#   3. every CUDA kernel test (each capped at TEST_CAP=45 s, `timeout -k`)
#   4. the JS smoke test (always; its limit from what is left): the CUDA Node addon under Node
#   5. method benchmarks: recforge's DTI attention, graph kernels and MultiBalance, then their PyTorch
#      anchors (FlexAttention / masked SDPA, plain-PyTorch GAT, SpMM, scatter softmax, balance step)
#   6. op benchmarks (GEMM, elementwise, ...) last and optional
# Work (logs, results, the unpacked Node, benchmark inputs) stays in $WORK, outside $OUT. On exit --
# normal, failure, or a TERM/INT from a timeout -- and at checkpoints after each step, $OUT gets exactly
# four files: summary.txt, results.md (test and benchmark tables), results.json (machine-readable:
# card, driver, date, commit, command, per-test status and seconds, benchmark rows) and
# gpu-check-logs.tar.gz (every log and result file; kept under 15 MiB).
# Exit status: 0 when the build, every CUDA test and the JS smoke test passed (benchmarks never fail it).
#
# Environment: OUT (default ./gpu-check-out), WORK (default ./gpu-check-work; wiped at start),
#   BUILD_DIR (default build-gpu; kept, so a rerun on a warm machine rebuilds incrementally),
#   BUDGET (seconds, default 420), DEADLINE (hard stop, default BUDGET+120: the running step is ended),
#   ARCHS (default: the GPU's compute capability, else "80;90"), GENERATOR (Ninja | "Unix Makefiles"),
#   JOBS, BUILD_CAP (360: the build's limit, also capped by BUDGET - 180), TEST_CAP (45), BENCH_STEPS ("attention gnn ops"), SMOKE (1; 0 skips it on purpose),
#   CUBLAS_ROOT (a folder with lib/libcublas.so* and include/cublas_v2.h, when CMake does not find one).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# Every external command this script calls (scripts/gpu-rehearse.sh checks the list against the script).
# REQUIRED: preflight reports any that is missing (cmake, nvcc and a generator stop the run). GUARDED: only
# called after `have NAME` (or `command -v`), with a fallback or a note.
REQUIRED_CMDS=(awk basename cat chmod cmake cp cut date dirname find grep head kill ls mkdir mv nproc nvcc python3
               readlink rm sed sleep tail tee timeout touch tr wc)
GUARDED_CMDS=(ccache g++ git gzip make ninja nvidia-smi tar xz)
OUT=${OUT:-$ROOT/gpu-check-out}
WORK=${WORK:-$ROOT/gpu-check-work}
BUILD=${BUILD_DIR:-build-gpu}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BUDGET=${BUDGET:-420}
DEADLINE=${DEADLINE:-$((BUDGET + 120))}
TEST_CAP=${TEST_CAP:-45}
BENCH_STEPS=${BENCH_STEPS:-attention gnn ops}
COMMAND_LINE="${BASH_SOURCE[0]}${*:+ $*} (BUDGET=$BUDGET BENCH_STEPS='$BENCH_STEPS'${ARCHS:+ ARCHS=$ARCHS})"
t0=$(date +%s)

mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
case "$WORK/" in "$OUT"/*) echo "WORK ($WORK) must be outside OUT ($OUT)" >&2; exit 2 ;; esac
rm -rf "$WORK"
mkdir -p "$WORK/logs" "$WORK/results" "$WORK/inputs/dti-layouts" "$WORK/inputs/gnn-graphs" "$WORK/node" || exit 2
WORK=$(cd "$WORK" && pwd)
LOGS=$WORK/logs
RES=$WORK/results
# The four files this script writes into $OUT (nothing else goes there).
OUT_FILES=(summary.txt results.md results.json gpu-check-logs.tar.gz)
for f in "${OUT_FILES[@]}"; do rm -f "$OUT/$f"; done

SUMMARY=$WORK/summary.txt
STEPS=$WORK/steps.tsv   # kind, name, status, seconds, limit, detail: read by bench/gpu/gpu_report.py
META=$WORK/meta.tsv     # key, value
: >"$SUMMARY"
: >"$STEPS"
: >"$META"
fail=0
CHILD=
now() { date +%s; }
elapsed() { echo $(($(now) - t0)); }
left() { echo $((BUDGET - $(elapsed))); }
note() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
step() { printf '\n== %s (t=%ss, %ss of %ss left)\n' "$*" "$(elapsed)" "$(left)" "$BUDGET"; }
meta() { printf '%s\t%s\n' "$1" "$(printf '%s' "$2" | tr '\t\n' '  ')" >>"$META"; }
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(printf '%s' "${6:-}" | tr '\t\n' '  ')" >>"$STEPS"; }
have() { command -v "$1" >/dev/null 2>&1; }
# cap WANT RESERVE [FLOOR]: WANT seconds, or less so that RESERVE seconds of the budget stay for later
# steps, but at least FLOOR (default 1) seconds.
cap() { local t=$(($(left) - $2)); [ "$t" -gt "$1" ] && t=$1; [ "$t" -lt "${3:-1}" ] && t=${3:-1}; echo "$t"; }
# runcap LIMIT LOG CMD...: CMD under `timeout -k 5 LIMIT`, output to LOG, in the background (a TERM to
# this script then interrupts `wait` at once). The DEADLINE watchdog stops the step that runs by killing
# the pid in $WORK/child.pid, and the script stops after it (deadline_stop): no signal to this shell is
# needed, because bash 5.2 can lose a trapped signal that arrives during a command substitution
# ("unexpected EOF while looking for matching `)'"; reproduced here 2 times in 5).
runcap() {
  local lim=$1 log=$2
  shift 2
  [ -f "$WORK/deadline" ] && deadline_stop
  timeout -k 5 "$lim" "$@" >"$log" 2>&1 </dev/null &
  CHILD=$!
  echo "$CHILD" >"$WORK/child.pid"
  wait "$CHILD"
  local rc=$?
  rm -f "$WORK/child.pid"
  CHILD=
  [ -f "$WORK/deadline" ] && deadline_stop
  return "$rc"
}
deadline_stop() {
  note "stopped: the DEADLINE (${DEADLINE}s) was reached at t=$(elapsed)s; the step that ran was ended"
  record signal deadline stopped "$(elapsed)" "$DEADLINE"
  fail=1
  exit 1
}
rcword() { case "$1" in 0) echo ok ;; 124|137) echo "TIMEOUT" ;; *) echo "FAIL (exit $1)" ;; esac; }

# ---- results into $OUT: at every checkpoint and on exit -------------------------------------------------
# A checkpoint after each step means that even a SIGKILL (which no trap sees) leaves the last one in $OUT.
archive() {  # every log and result in one tar.gz under 15 MiB (benchmark inputs are regenerated, not kept)
  local tgz=$WORK/gpu-check-logs.tar.gz limit=$((15 * 1024 * 1024)) n
  cp "$SUMMARY" "$STEPS" "$META" "$LOGS/" 2>/dev/null
  for f in "$WORK"/inputs/*/*.json; do [ -f "$f" ] && cp "$f" "$LOGS/inputs-$(basename "$f")"; done
  for n in 0 1 2; do
    if have tar && have gzip; then
      tar -C "$WORK" -czf "$tgz" logs results 2>/dev/null
    elif have python3; then
      python3 -c 'import sys,tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    [t.add(sys.argv[2] + "/" + d, d) for d in ("logs", "results")]' "$tgz" "$WORK" 2>/dev/null
    else
      return 1
    fi
    [ -f "$tgz" ] && [ "$(wc -c <"$tgz")" -lt "$limit" ] && break
    # Too big (a runaway log): keep the last 2 MiB (then 256 KiB) of every large file, then try again.
    local keep=$((n == 0 ? 2097152 : 262144))
    find "$WORK/logs" "$WORK/results" -type f -size +"$keep"c | while read -r f; do
      tail -c "$keep" "$f" >"$f.cut" && mv "$f.cut" "$f"
    done
  done
  [ -f "$tgz" ] && [ "$(wc -c <"$tgz")" -lt "$limit" ] && cp "$tgz" "$OUT/gpu-check-logs.tar.gz"
}
checkpoint() {  # $1: "final" or a step name
  meta elapsed_s "$(elapsed)"
  meta stage "$1"
  cp "$SUMMARY" "$OUT/summary.txt"
  if have python3; then
    timeout -k 2 30 python3 "$ROOT/bench/gpu/gpu_report.py" --work "$WORK" --out "$OUT" >"$LOGS/gpu_report.log" 2>&1 ||
      note "results.json: gpu_report.py failed (see gpu_report.log)"
  else
    # No Python: the raw tables as JSON strings (still machine-readable), the text as results.md.
    { printf '{"error": "no python3: raw records", "meta_tsv": "%s", "steps_tsv": "%s"}\n' \
        "$(sed 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g' "$META" | tr '\n' '\036' | sed 's/\x1e/\\n/g')" \
        "$(sed 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g' "$STEPS" | tr '\n' '\036' | sed 's/\x1e/\\n/g')"; } >"$OUT/results.json"
    { echo '```'; cat "$STEPS"; echo '```'; } >"$OUT/results.md"
  fi
  archive || note "archive: no tar/gzip and no python3"
}
finished=0
on_exit() {
  local rc=$?
  [ "$finished" = 1 ] && return
  finished=1
  kill "$(cat "$WORK/watchdog.pid" 2>/dev/null)" 2>/dev/null  # the watchdog's sleep: the watchdog then ends
  [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
  note "total: $(elapsed)s of a ${BUDGET}s budget"
  [ "$fail" -eq 0 ] && note "gpu-check: PASS" || note "gpu-check: FAIL"
  meta verdict "$([ "$fail" -eq 0 ] && echo PASS || echo FAIL)"
  checkpoint final
  ls -l "$OUT" | sed 's/^/  /'
}
on_signal() {
  note "interrupted by SIG$1 at t=$(elapsed)s (the caller's timeout?)"
  record signal "SIG$1" interrupted "$(elapsed)" "$DEADLINE"
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
  fail=1
  exit 1
}
trap on_exit EXIT
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT
trap 'on_signal HUP' HUP
# The hard stop, well inside the caller's timeout_s: at DEADLINE the watchdog marks $WORK/deadline and ends
# the step that runs (its `timeout` process); runcap then stops the script, which writes $OUT on exit.
(
  sleep "$DEADLINE" &
  echo $! >"$WORK/watchdog.pid"
  wait $! || exit 0
  touch "$WORK/deadline"
  p=$(cat "$WORK/child.pid" 2>/dev/null)
  [ -n "$p" ] && kill -TERM "$p"
) >/dev/null 2>&1 </dev/null &

# ---- 1. preflight --------------------------------------------------------------------------------------
step "1. preflight"
if ! have nvcc && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi
smi() { have nvidia-smi && timeout -k 2 20 nvidia-smi "--query-gpu=$1" --format=csv,noheader 2>/dev/null | head -n1 | sed 's/^ *//; s/ *$//'; }
GPU_NAME=$(smi name); GPU_CC=$(smi compute_cap); GPU_DRIVER=$(smi driver_version); GPU_MEM=$(smi memory.total)
ARCHS=${ARCHS:-$(printf '%s' "$GPU_CC" | tr -d ' .')}
ARCHS=${ARCHS:-80;90}
COMMIT=unknown
if have git && git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
  COMMIT=$(git -C "$ROOT" rev-parse HEAD)$([ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo " (dirty)")
elif [ -f .device/commit.txt ]; then
  COMMIT="$(head -n1 .device/commit.txt) (from .device/commit.txt, written by scripts/gpu-prepare.sh)"
fi
if [ -n "${GENERATOR:-}" ]; then :
elif [ -f "$BUILD/CMakeCache.txt" ]; then GENERATOR=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$BUILD/CMakeCache.txt")
elif have ninja; then GENERATOR=Ninja
elif have make; then GENERATOR="Unix Makefiles"
else GENERATOR=none
fi
case "$GENERATOR" in Ninja) KEEP_GOING=(-k 0) ;; *) KEEP_GOING=(-k) ;; esac
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
ver() { have "$1" && { "$@" 2>&1 | grep -m1 -iE '[0-9]+\.[0-9]+' | sed 's/^ *//'; } || echo "not found"; }
# cuBLAS: CMake's find_library looks next to the CUDA toolkit; the pip wheel (nvidia-cublas) is reported too.
cublas_where() {
  local d nv lib=""
  nv=$(command -v nvcc 2>/dev/null)
  for d in ${nv:+"$(dirname "$(readlink -f "$nv")")/../lib64" "$(dirname "$(readlink -f "$nv")")/../targets/x86_64-linux/lib"} \
           /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
    for f in "$d"/libcublas.so*; do [ -e "$f" ] && { lib=$(readlink -f "$d"); break 2; }; done
  done
  echo "toolkit: ${lib:-none}"
  have python3 && timeout -k 2 20 python3 -c 'import importlib.util as u
try:
    s = u.find_spec("nvidia.cublas")
except Exception:
    s = None
print("pip nvidia-cublas:", list(s.submodule_search_locations)[0] if s else "none")' 2>/dev/null
}
NODE_BIN=""
if [ -f .device/node.xz ]; then
  if have xz; then xz -dc .device/node.xz >"$WORK/node/node"
  elif have python3; then python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' .device/node.xz >"$WORK/node/node"
  fi
  chmod +x "$WORK/node/node" 2>/dev/null && "$WORK/node/node" --version >/dev/null 2>&1 && NODE_BIN=$WORK/node/node
fi
# PyTorch takes seconds to import: probe it in the background, read the answer before the benchmarks.
if have python3; then
  (timeout -k 2 90 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' \
    >"$LOGS/torch-probe.txt" 2>&1 || echo "PyTorch unavailable" >>"$LOGS/torch-probe.txt") &
  TORCH_PROBE=$!
else
  echo "PyTorch unavailable (no python3)" >"$LOGS/torch-probe.txt"
  TORCH_PROBE=
fi
{
  echo "gpu: ${GPU_NAME:-none} | compute capability ${GPU_CC:-?} | driver ${GPU_DRIVER:-?} | ${GPU_MEM:-?}"
  echo "archs built: $ARCHS"
  echo "commit: $COMMIT"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nvcc: $(have nvcc && nvcc --version | tail -n 2 | head -n1 || echo 'not found')"
  echo "cmake: $(ver cmake --version)"
  echo "ninja: $(ver ninja --version)"
  echo "make: $(ver make --version)"
  echo "generator: $GENERATOR (keep-going: ${KEEP_GOING[*]}), jobs $JOBS"
  echo "g++: $(ver g++ --version)"
  echo "python3: $(ver python3 --version)"
  if [ -n "$NODE_BIN" ]; then echo "node: $("$NODE_BIN" --version) (carried .device/node.xz)"
  else echo "node: none (no .device/node.xz: run scripts/gpu-prepare.sh and carry .device)"; fi
  echo "cuBLAS: $(cublas_where | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
  echo "cores: $(nproc 2>/dev/null || echo ?), memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null), load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  have nvidia-smi && timeout -k 2 20 nvidia-smi 2>&1 | head -n 20
} >"$LOGS/preflight.txt" 2>&1
head -n 12 "$LOGS/preflight.txt" | tee -a "$SUMMARY"
meta card "${GPU_NAME:-none}"; meta compute_cap "${GPU_CC:-}"; meta driver "${GPU_DRIVER:-}"; meta memory "${GPU_MEM:-}"
meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; meta commit "$COMMIT"; meta command "$COMMAND_LINE"
meta host "$(nproc 2>/dev/null) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the start"; meta budget_s "$BUDGET"; meta archs "$ARCHS"; meta generator "$GENERATOR"; meta jobs "$JOBS"
meta nvcc "$(have nvcc && nvcc --version | tail -n 2 | head -n1)"; meta cmake "$(ver cmake --version)"; meta gxx "$(ver g++ --version)"
meta node_version "${NODE_BIN:+$("$NODE_BIN" --version)}"; meta cublas_found "$(cublas_where | tr '\n' ';')"
missing_cmds=()
for c in "${REQUIRED_CMDS[@]}"; do have "$c" || missing_cmds+=("$c"); done
[ "${#missing_cmds[@]}" -gt 0 ] && note "preflight: missing commands: ${missing_cmds[*]} (the steps that use them degrade or fail)"
record preflight tools "$([ "${#missing_cmds[@]}" -eq 0 ] && echo ok || echo "missing ${missing_cmds[*]}")" "$(elapsed)" "" "$GENERATOR"
if [ "$GENERATOR" = none ] || ! have cmake || ! have nvcc; then
  note "preflight: FAILED: cmake, nvcc and ninja or make are needed (generator: $GENERATOR)"
  record build configure FAIL 0 0 "missing tools"
  fail=1
  exit 1
fi

# ---- 2. configure + build (keep-going) ---------------------------------------------------------------
# Only what the checks run: the CUDA tests and benchmarks, and the two Node addons when their headers
# were carried (node_modules/node-api-headers, node-addon-api: no cmake-js, no Node needed to build).
step "2. configure + build (archs $ARCHS, $GENERATOR)"
INC_API=node_modules/node-api-headers/include
INC_ADDON=node_modules/node-addon-api
CONF_ARGS=(-DRECFORGE_CUDA=ON -DCMAKE_BUILD_TYPE=Release "-DRECFORGE_CUDA_ARCHS=$ARCHS" -DRECFORGE_ADDON=OFF)
ADDONS=0
if [ -d "$INC_API" ] && [ -d "$INC_ADDON" ]; then
  ADDONS=1
  CONF_ARGS=(-DRECFORGE_CUDA=ON -DCMAKE_BUILD_TYPE=Release "-DRECFORGE_CUDA_ARCHS=$ARCHS" -DRECFORGE_ADDON=ON
             "-DCMAKE_JS_INC=$ROOT/$INC_API;$ROOT/$INC_ADDON" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB=
             "-DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION" "-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=$BUILD/Release")
fi
if [ -n "${CUBLAS_ROOT:-}" ]; then
  CONF_ARGS+=("-DRECFORGE_CUBLAS_LIB=$(ls "$CUBLAS_ROOT"/lib/libcublas.so* 2>/dev/null | head -n1)" "-DRECFORGE_CUBLAS_INC=$CUBLAS_ROOT/include")
fi
have ccache && CONF_ARGS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
# The targets: one per CUDA test and benchmark source (CMakeLists.txt names them cuda_<file>).
WANT_TESTS=()
for f in native/tests/cuda/*_test.cu; do WANT_TESTS+=("cuda_$(basename "$f" .cu)"); done
WANT_BENCH=()
for f in bench/native/cuda/*.cu; do WANT_BENCH+=("cuda_$(basename "$f" .cu)"); done
WANT=("${WANT_TESTS[@]}" "${WANT_BENCH[@]}")
[ "$ADDONS" = 1 ] && WANT+=(recforge_addon recforge_cuda_addon)
s=$(now)
lim=$(cap 120 240 60)
runcap "$lim" "$LOGS/cmake-configure.log" cmake -S . -B "$BUILD" -G "$GENERATOR" "${CONF_ARGS[@]}"
rc=$?
record build configure "$(rcword "$rc")" "$(($(now) - s))" "$lim" "$(grep -o 'cuBLAS: [A-Z]*' "$LOGS/cmake-configure.log" | head -n1)"
if [ "$rc" -ne 0 ]; then
  tail -n 30 "$LOGS/cmake-configure.log"
  note "configure: $(rcword "$rc") (see cmake-configure.log): nothing to build, stopping"
  fail=1
  exit 1
fi
note "configure: ok in $(($(now) - s))s ($(grep -o 'cuBLAS: [A-Z]*' "$LOGS/cmake-configure.log" | head -n1))"
meta cublas "$(grep -o 'cuBLAS: [A-Z]*' "$LOGS/cmake-configure.log" | head -n1 | cut -d' ' -f2)"
# Only targets CMake generated (an unknown target would make the whole build refuse to start): the
# "build T:" lines of build.ninja, the "T:" rules of the top Makefile.
TARGETS=()
for t in "${WANT[@]}"; do
  grep -qE "^(build )?$t:" "$BUILD/build.ninja" "$BUILD/Makefile" 2>/dev/null && TARGETS+=("$t")
done
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=(all)
[ "${#TARGETS[@]}" -lt "${#WANT[@]}" ] && note "configure: generated ${#TARGETS[@]} of the ${#WANT[@]} targets wanted"
# Remove the outputs first: whatever exists after the build was built by it (a warm machine's rerun
# must not run a stale binary whose rebuild failed).
target_file() { case "$1" in recforge_addon) echo "$BUILD/Release/recforge.node" ;; recforge_cuda_addon) echo "$BUILD/Release/recforge_cuda.node" ;; *) echo "$BUILD/$1" ;; esac; }
for t in "${WANT[@]}"; do rm -f "$(target_file "$t")"; done
s=$(now)
# The build may take what is left minus ~3 minutes for the tests and the smoke test, at most 6 minutes.
lim=$(cap "${BUILD_CAP:-360}" 180 90)
runcap "$lim" "$LOGS/cmake-build.log" cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}" -- "${KEEP_GOING[@]}"
rc=$?
secs=$(($(now) - s))
built=0
missing=()
for t in "${WANT[@]}"; do
  if [ -f "$(target_file "$t")" ]; then built=$((built + 1)); else missing+=("$t"); fi
done
record build build "$(rcword "$rc")" "$secs" "$lim" "built ${built}/${#WANT[@]}${missing[*]:+; missing: ${missing[*]}}"
if [ "$rc" -eq 0 ]; then
  note "build: ok in ${secs}s (${built}/${#WANT[@]} targets)"
else
  grep -E 'error|Error' "$LOGS/cmake-build.log" | head -n 20
  note "build: $(rcword "$rc") after ${secs}s: ${built}/${#WANT[@]} targets built; missing: ${missing[*]:-none} (see cmake-build.log)"
  fail=1
fi
n_exe=0
for t in "${WANT_TESTS[@]}" "${WANT_BENCH[@]}"; do [ -x "$BUILD/$t" ] && n_exe=$((n_exe + 1)); done
if [ "$n_exe" -eq 0 ]; then
  note "nothing built: no CUDA test or benchmark to run; stopping (no PyTorch anchors either)"
  fail=1
  exit 1
fi
checkpoint build

# ---- 3. CUDA kernel tests ----------------------------------------------------------------------------
step "3. CUDA kernel tests (each <= ${TEST_CAP}s)"
# NCCL for cuda_nccl_test (a single-rank communicator on this one GPU): the system's libnccl.so.2, else
# PyTorch's wheel (nvidia-nccl-cu12). Found: the test must use it (RECFORGE_NCCL_REQUIRED=1); not found:
# the test checks the loader's error path only, and the summary says so.
if [ -z "${RECFORGE_NCCL:-}" ]; then
  nccl_found=$(python3 -c "
import ctypes, os
try:
    ctypes.CDLL('libnccl.so.2'); print('system')
except OSError:
    try:
        import nvidia.nccl as m
        p = os.path.join(list(m.__path__)[0], 'lib', 'libnccl.so.2')
        print(p if os.path.exists(p) else '')
    except Exception:
        print('')
" 2>/dev/null)
  [ -n "$nccl_found" ] && [ "$nccl_found" != system ] && export RECFORGE_NCCL=$nccl_found
else
  nccl_found=$RECFORGE_NCCL
fi
if [ -n "$nccl_found" ]; then
  export RECFORGE_NCCL_REQUIRED=1
  note "NCCL: ${RECFORGE_NCCL:-libnccl.so.2 from the system} (cuda_nccl_test: single-rank communicator)"
else
  note "NCCL: not found on this machine (no libnccl.so.2, no nvidia-nccl wheel): cuda_nccl_test checks the error path only"
fi
passed=0
failed=0
for name in "${WANT_TESTS[@]}"; do
  exe=$BUILD/$name
  if [ ! -x "$exe" ]; then
    failed=$((failed + 1)); record test "$name" "NOT BUILT" 0 0
    note "$(printf '%-34s NOT BUILT' "$name")"
    continue
  fi
  if [ "$(left)" -lt 40 ]; then  # the smoke test and the results need the rest: a test not run counts as failed
    failed=$((failed + 1)); record test "$name" "NOT RUN" 0 0 "$(left)s of the budget left"
    note "$(printf '%-34s NOT RUN (%ss of the budget left)' "$name" "$(left)")"
    continue
  fi
  lim=$(cap "$TEST_CAP" 30)
  s=$(now)
  runcap "$lim" "$LOGS/$name.log" "$exe"
  rc=$?
  secs=$(($(now) - s))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); record test "$name" pass "$secs" "$lim"
    note "$(printf '%-34s ok      %4ss' "$name" "$secs")"
  else
    failed=$((failed + 1)); record test "$name" "$(rcword "$rc")" "$secs" "$lim" "$(tail -n 3 "$LOGS/$name.log" | tr '\n' ' ' | cut -c1-300)"
    note "$(printf '%-34s %-7s %4ss (limit %ss)' "$name" "$(rcword "$rc")" "$secs" "$lim")"
    tail -n 8 "$LOGS/$name.log" | sed 's/^/    /' | tee -a "$SUMMARY"
  fi
done
[ "$failed" -gt 0 ] && fail=1
note "CUDA tests: $passed passed, $failed failed"
checkpoint tests

# ---- 4. the JS smoke test (always) --------------------------------------------------------------------
step "4. JS smoke test"
smoke() {
  if [ "${SMOKE:-1}" = 0 ]; then note "js smoke: skipped (SMOKE=0)"; record smoke js-smoke skipped 0 0 "SMOKE=0"; return 0; fi
  local why=""
  [ -z "$NODE_BIN" ] && why="no Node: .device/node.xz was not carried (scripts/gpu-prepare.sh makes it)"
  [ -z "$why" ] && [ "$ADDONS" != 1 ] && why="node_modules/node-api-headers and node-addon-api were not carried"
  [ -z "$why" ] && [ ! -f "$BUILD/Release/recforge.node" ] && why="the CPU addon recforge.node was not built"
  [ -z "$why" ] && [ ! -f "$BUILD/Release/recforge_cuda.node" ] && why="the CUDA addon recforge_cuda.node was not built"
  [ -z "$why" ] && [ ! -f dist/index.js ] && why="dist/ was not carried (npx tsc -b tsconfig.json; scripts/gpu-prepare.sh)"
  [ -z "$why" ] && [ ! -f node_modules/node-gyp-build/index.js ] && why="node_modules/node-gyp-build was not carried"
  if [ -n "$why" ]; then
    note "js smoke: FAILED before it ran: $why"
    record smoke js-smoke "NOT RUN" 0 0 "$why"
    return 1
  fi
  # node-gyp-build loads build/Release/*.node first: the CPU addon of this build, always fresh.
  mkdir -p build/Release && cp "$BUILD/Release/recforge.node" build/Release/recforge.node
  local lim=$(($(left) - 20))
  [ "$lim" -gt 180 ] && lim=180
  [ "$lim" -lt 60 ] && lim=60
  local s
  s=$(now)
  RECFORGE_CUDA_ADDON=$BUILD/Release/recforge_cuda.node RECFORGE_POISON=1 \
    runcap "$lim" "$LOGS/js-smoke.log" "$NODE_BIN" scripts/cuda-smoke.mjs
  local rc=$? secs=$(($(now) - s)) line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGS/js-smoke.log" | tail -n1)
  if [ "$rc" -eq 0 ]; then
    note "js smoke: ok in ${secs}s ($line)"
    record smoke js-smoke pass "$secs" "$lim" "$line"
  else
    tail -n 20 "$LOGS/js-smoke.log"
    note "js smoke: $(rcword "$rc") after ${secs}s (${line:-no summary line}; see js-smoke.log)"
    record smoke js-smoke "$(rcword "$rc")" "$secs" "$lim" "${line:-} $(grep -m1 -E 'CUDA unavailable|Error' "$LOGS/js-smoke.log" | cut -c1-300)"
    return 1
  fi
}
smoke || fail=1
checkpoint smoke

# ---- 5./6. benchmarks --------------------------------------------------------------------------------
# Each runs under `timeout` with min(its cap, what is left minus a reserve for the steps after it); one
# that would get less than its minimum is skipped with a note. Every benchmark rewrites its JSON after
# each case, so one stopped by its limit keeps the cases it finished. A PyTorch anchor runs only when
# recforge's side produced rows to compare with. Benchmarks never fail the run.
bench() {  # bench NAME CAP RESERVE MIN CMD...
  local name=$1 capw=$2 reserve=$3 min=$4
  shift 4
  local t=$(($(left) - reserve))
  [ "$t" -gt "$capw" ] && t=$capw
  if [ "$t" -lt "$min" ]; then
    note "$(printf '%-26s skipped (%ss left, %ss reserved for later steps, needs %ss)' "$name" "$(left)" "$reserve" "$min")"
    record bench "$name" skipped 0 "$t" "$(left)s left"
    return 0
  fi
  local s
  s=$(now)
  # BENCH_DEADLINE_S: when to stop starting new cases (flex_anchor.py reads it), before the hard limit.
  BENCH_DEADLINE_S=$((t * 3 / 4)) runcap "$t" "$LOGS/$name.log" "$@"
  local rc=$? secs=$(($(now) - s))
  note "$(printf '%-26s %-7s %4ss (limit %ss, %s rows)' "$name" "$(rcword "$rc")" "$secs" "$t" "$(rows "$RES/$name.json")")"
  record bench "$name" "$(rcword "$rc")" "$secs" "$t" "$(tail -n 2 "$LOGS/$name.log" | tr '\n' ' ' | cut -c1-200)"
}
rows() {  # rows FILE: number of rows in a benchmark JSON (0 when missing or unreadable)
  [ -s "$1" ] || { echo 0; return; }
  have python3 && python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))))
except Exception: print(0)' "$1" 2>/dev/null || grep -c '"name"' "$1"
}
built_bench() { [ -x "$BUILD/$1" ] && return 0; note "$(printf '%-26s not built' "$1")"; record bench "$1" "NOT BUILT" 0 0; return 1; }
NOTED=" "
wanted() {
  case " $BENCH_STEPS " in *" $1 "*) return 0 ;; esac
  case "$NOTED" in *" $1 "*) ;; *) note "benchmarks $1: not in BENCH_STEPS"; NOTED="$NOTED$1 " ;; esac
  return 1
}
torch_ok() {
  [ -n "${TORCH_PROBE:-}" ] && wait "$TORCH_PROBE" 2>/dev/null
  TORCH_PROBE=
  grep -q 'available True' "$LOGS/torch-probe.txt"
}
anchor() {  # anchor NAME CAP RESERVE MIN OURS_JSON... -- CMD...: only when some OURS_JSON has rows
  local name=$1 capw=$2 reserve=$3 min=$4 n=0
  shift 4
  while [ "$1" != "--" ]; do n=$((n + $(rows "$1"))); shift; done
  shift
  if [ "$n" -eq 0 ]; then
    note "$(printf '%-26s skipped (no recforge rows to compare with)' "$name")"; record bench "$name" skipped 0 0 "no recforge rows"; return 0
  fi
  if ! torch_ok; then
    note "$(printf '%-26s skipped (%s)' "$name" "$(tail -n1 "$LOGS/torch-probe.txt" | cut -c1-120)")"; record bench "$name" skipped 0 0 "no PyTorch with CUDA"; return 0
  fi
  bench "$name" "$capw" "$reserve" "$min" "$@"
}
LAYOUTS=$WORK/inputs/dti-layouts
GRAPHS=$WORK/inputs/gnn-graphs

# The method benchmarks: recforge's side of all three first (the numbers nobody has yet; each takes
# seconds on a GPU), then the PyTorch anchors (FlexAttention's compiles are the long part).
step "5. method benchmarks: DTI attention, graph kernels, MultiBalance (recforge), then FlexAttention / SDPA and plain PyTorch"
if wanted attention; then
  built_bench cuda_attention_bench &&
    bench bench-recforge-attention 60 150 15 "$BUILD/cuda_attention_bench" --layouts "$LAYOUTS" --json "$RES/bench-recforge-attention.json"
fi
if wanted gnn; then
  built_bench cuda_gnn_bench &&
    bench bench-recforge-gnn 45 120 15 "$BUILD/cuda_gnn_bench" --graphs "$GRAPHS" --json "$RES/bench-recforge-gnn.json"
  built_bench cuda_balance_bench &&
    bench bench-recforge-balance 30 110 10 "$BUILD/cuda_balance_bench" --json "$RES/bench-recforge-balance.json"
  built_bench cuda_gru_bench &&
    bench bench-recforge-gru 30 100 10 "$BUILD/cuda_gru_bench" --json "$RES/bench-recforge-gru.json"
fi
checkpoint method-recforge
if wanted attention; then
  if [ -f "$LAYOUTS/dti_layouts.json" ]; then
    anchor bench-torch-attention 170 50 60 "$RES/bench-recforge-attention.json" -- \
      python3 bench/gpu/flex_anchor.py --layouts "$LAYOUTS" --json "$RES/bench-torch-attention.json"
  else
    note "bench-torch-attention      skipped (cuda_attention_bench wrote no layouts)"; record bench bench-torch-attention skipped 0 0 "no layouts"
  fi
  rm -f "$LAYOUTS"/check.*.f32  # cross-check tensors (8 MB): regenerated by every run
fi
if wanted gnn; then
  graph_args=(--balance)
  [ -f "$GRAPHS/graphs.json" ] && graph_args+=(--graphs "$GRAPHS")
  anchor bench-torch-gnn 60 0 20 "$RES/bench-recforge-gnn.json" "$RES/bench-recforge-balance.json" -- \
    python3 bench/gpu/anchors.py --skip-ops "${graph_args[@]}" --json "$RES/bench-torch-gnn.json"
fi
checkpoint method-torch

step "6. op benchmarks (optional: GEMM, elementwise, softmax, norms, reductions, embedding, sort)"
if wanted ops; then
  built_bench cuda_ops_bench &&
    bench bench-recforge-ops 120 30 30 "$BUILD/cuda_ops_bench" --json "$RES/bench-recforge-ops.json"
  anchor bench-torch-ops 120 0 30 "$RES/bench-recforge-ops.json" -- python3 bench/gpu/anchors.py --json "$RES/bench-torch-ops.json"
fi

step "7. results"
exit "$fail"
