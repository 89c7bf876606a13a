#!/usr/bin/env bash
# A faithful local rehearsal of the one device call (docs/gpu-check.md), without a GPU (CI runs it):
#   1. builds a clean copy from exactly what the call carries: `git ls-files -co --exclude-standard`
#      (tracked + untracked-not-ignored) plus the paths in scripts/gpu-carry.txt, nothing else
#      (carried paths through a symbolic link -- node_modules -> ... -- are copied as the folders they
#      become on the device); checks <= 8 carry paths and everything together <= 64 MiB;
#   2. puts a fake `nvidia-smi` (an H100, compute capability 9.0) first on a PATH that lacks what the
#      device does not promise (make, xz, git, node, npm, ccache, ...; so the Ninja generator, the Python
#      lzma fallback and the carried Node are what runs), with a bash `command_not_found_handle` that
#      records every command the scripts call that does not exist (and a static scan of gpu-check.sh,
#      scripts/gpu-command-scan.py, covers the branches not taken);
#   3. runs scripts/gpu-check.sh there (BUDGET = REHEARSE_BUILD_S + 240: the 2-core build, then the
#      rest; no GPU, so every test and benchmark stops at once) and checks: the build is complete; the
#      JS smoke test got as far as "CUDA unavailable" (the carried Node, dist/ and node_modules load);
#      $OUT obeys the tool's limits (<= 8 files, each < 16 MiB, <= 64 MiB in all, <= 2 folders deep,
#      plain names, plain files) and holds summary.txt, results.md, results.json (card, driver, commit,
#      one entry per CUDA test) and the archive with every log; no command was missing;
#   4. runs every JS CUDA check once in the copy on the JS-level emulated device (RECFORGE_CUDA_EMULATE=1)
#      with the carried Node and node_modules only: every import the checks reach, dynamic ones included,
#      resolves from the carry;
#   5. two short runs for the failure paths: a failing nvcc (configure fails: stop at once, no anchors,
#      $OUT still complete) and DEADLINE=8 (the watchdog ends the running step; the script stops and
#      writes $OUT);
#   6. docs/gpu-check.md names the same carry list and timeout_s as this rehearsal.
# Last line: "gpu-rehearse: N passed, N failed" (.ci/run adds it to its total). Exit 1 when a check failed.
# Env: REHEARSE_DIR (default: a new folder under ${TMPDIR:-/tmp}; removed unless KEEP=1), REHEARSE_BUILD_S
#   (the build's allowance, default 1500), JOBS (2), REHEARSE_CCACHE=1 (keep ccache on the PATH: faster,
#   less faithful), REHEARSE_KEEP_BUILD=1 (with KEEP=1 before: an incremental build), XZ_LEVEL (for a missing .device/node.xz; the 64 MiB check is then an upper bound
#   when lower than 9).
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
T0=$(date +%s)
pass=0
failn=0
check() {  # check NAME CONDITION-STATUS [DETAIL]
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1${3:+ ($3)}"; else failn=$((failn + 1)); echo "FAIL $1${3:+ ($3)}"; fi
}
finish() {
  echo "gpu-rehearse: total $(($(date +%s) - T0)) s"
  echo "gpu-rehearse: $pass passed, $failn failed"
  [ "${KEEP:-0}" = 1 ] || rm -rf "$R"
  [ "$failn" -eq 0 ]
  exit $?
}
R=${REHEARSE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/recforge-rehearse.XXXXXX")}
# REHEARSE_KEEP_BUILD=1 (local iterations only): keep the copy's build-gpu from an earlier KEEP=1 run in the
# same REHEARSE_DIR, so the build is incremental.
kept_build=""
if [ "${REHEARSE_KEEP_BUILD:-0}" = 1 ] && [ -d "$R/tree/build-gpu" ]; then
  kept_build=$(mktemp -d "${TMPDIR:-/tmp}/recforge-rehearse-build.XXXXXX") && mv "$R/tree/build-gpu" "$kept_build/"
fi
rm -rf "$R" && mkdir -p "$R" || { echo "gpu-rehearse: 0 passed, 1 failed"; exit 1; }
R=$(cd "$R" && pwd)
COPY=$R/tree
LIMIT=$((64 * 1024 * 1024))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }

echo "== 1. the carried tree"
# What the call carries besides the tree; made here when missing (dist/: npx tsc, or npm ci's prepare).
if [ ! -f .device/node.xz ] || [ ! -f .device/commit.txt ]; then
  bash scripts/gpu-prepare.sh --no-tsc || true
else
  # The commit note must describe this tree (the device copy has no .git).
  bash scripts/gpu-prepare.sh --no-tsc >/dev/null 2>&1 || true
fi
[ -f dist/index.js ] || { echo "dist/ is missing: compiling the TypeScript"; npx tsc -b tsconfig.json; }
mapfile -t CARRY < <(grep -v '^#' scripts/gpu-carry.txt | sed '/^[[:space:]]*$/d')
missing_carry=()
for p in "${CARRY[@]}"; do [ -e "$p" ] || missing_carry+=("$p"); done
check "carry list: ${#CARRY[@]} paths (at most 8), all present" $([ "${#CARRY[@]}" -le 8 ] && [ "${#missing_carry[@]}" -eq 0 ]; echo $?) \
  "${missing_carry[*]:+missing: ${missing_carry[*]}}"
mkdir -p "$COPY"
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$COPY"
for p in "${CARRY[@]}"; do
  [ -e "$p" ] || continue
  mkdir -p "$COPY/$(dirname "$p")"
  rm -rf "${COPY:?}/$p"
  cp -rL "$p" "$COPY/$p"
done
tree_b=$(git ls-files -co --exclude-standard -z | xargs -0 stat -L -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
carry_b=$(du -sbL "${CARRY[@]}" 2>/dev/null | awk '{s += $1} END {print s + 0}')
all_b=$(du -sb "$COPY" | cut -f1)
[ -n "$kept_build" ] && mv "$kept_build/build-gpu" "$COPY/build-gpu" && rmdir "$kept_build" && echo "(reusing the build-gpu of an earlier run: REHEARSE_KEEP_BUILD=1)"
check "the call's working tree fits 64 MiB" $([ "$all_b" -le "$LIMIT" ]; echo $?) \
  "tree $(mib "$tree_b") MiB + carry $(mib "$carry_b") MiB; the copy $(mib "$all_b") MiB; node.xz $(mib "$(stat -c %s .device/node.xz 2>/dev/null || echo 0)") MiB"
[ -d "$COPY/.git" ] && check "the copy has no .git (as on the device)" 1

echo "== 2. a fake nvidia-smi and the device's PATH"
mkdir -p "$R/fakebin" "$R/pathbin"
cat >"$R/fakebin/nvidia-smi" <<'SMI'
#!/bin/sh
# Fake nvidia-smi (scripts/gpu-rehearse.sh): an H100 that the CUDA runtime will not find.
q=""
for a in "$@"; do case "$a" in --query-gpu=*) q=${a#--query-gpu=} ;; esac; done
if [ -z "$q" ]; then echo "NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   CUDA Version: 13.0 (fake, rehearsal)"; echo "|   0  NVIDIA H100 80GB HBM3   On |"; exit 0; fi
out=""
for f in $(echo "$q" | tr ',' ' '); do
  case "$f" in
    name) v="NVIDIA H100 80GB HBM3" ;; compute_cap) v="9.0" ;; driver_version) v="580.159.04" ;;
    memory.total) v="81559 MiB" ;; *) v="[N/A]" ;;
  esac
  out="${out:+$out, }$v"
done
echo "$out"
SMI
chmod +x "$R/fakebin/nvidia-smi"
# Every command of this PATH except what the device image does not promise.
DENY=" make gmake xz unxz xzcat lzma node nodejs npm npx corepack git ccache jq zstd tsc nvidia-smi "
[ "${REHEARSE_CCACHE:-0}" = 1 ] && DENY=${DENY/ ccache / }
# The device has ninja; where this machine has none, make stands in (and the Ninja path goes unchecked).
WANT_GEN=Ninja
command -v ninja >/dev/null || { DENY=${DENY/ make / }; WANT_GEN="Unix Makefiles"; echo "warning: no ninja here: make stands in"; }
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    b=$(basename "$f")
    [ -x "$f" ] && [ ! -d "$f" ] && [ ! -e "$R/pathbin/$b" ] && case "$DENY" in *" $b "*) ;; *) ln -s "$f" "$R/pathbin/$b" ;; esac
  done
done
DEVICE_PATH=$R/fakebin:$R/pathbin
# A bash child (gpu-check.sh) inherits this function: every command not found is recorded.
MISSING=$R/missing-commands.txt
: >"$MISSING"
command_not_found_handle() { printf '%s\n' "$1" >>"$MISSING"; printf 'rehearsal: command not found: %s\n' "$1" >&2; return 127; }
export -f command_not_found_handle
export MISSING
check "the device PATH has no make, xz, node or git; a fake nvidia-smi" \
  $(PATH=$DEVICE_PATH; { [ "$WANT_GEN" != Ninja ] || ! command -v make >/dev/null; } && ! command -v xz >/dev/null && ! command -v node >/dev/null && ! command -v git >/dev/null &&
    [ "$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader)" = "9.0" ]; echo $?)

echo "== 3. gpu-check.sh in the copy"
BUILD_S=${REHEARSE_BUILD_S:-1500}
OUTD=$R/out
s=$(date +%s)
env PATH="$DEVICE_PATH" OUT="$OUTD" WORK="$R/work" BUDGET=$((BUILD_S + 240)) BUILD_CAP="$BUILD_S" JOBS="${JOBS:-2}" \
  bash "$COPY/scripts/gpu-check.sh" >"$R/console.log" 2>&1
rc=$?
secs=$(($(date +%s) - s))
tail -n 45 "$R/console.log"
echo "gpu-check.sh: exit $rc after ${secs}s (no GPU here: 1 is expected)"
check "gpu-check.sh ran to its end (exit 1: no GPU)" $([ "$rc" -eq 1 ] && grep -q '^gpu-check: FAIL' "$R/console.log"; echo $?) "${secs}s"

# $OUT against the device tool's limits: <= 8 files, each < 16 MiB, <= 64 MiB, <= 2 folders deep, plain names.
out_limits() {  # out_limits DIR: prints the violations, returns their number
  local d=$1 bad=0 n=0 total=0 f rel depth size
  while IFS= read -r -d '' f; do
    rel=${f#"$d"/}
    if [ -L "$f" ] || { [ ! -f "$f" ] && [ ! -d "$f" ]; }; then echo "  not a plain file or folder: $rel"; bad=$((bad + 1)); continue; fi
    [[ "$(basename "$rel")" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "  name with other characters: $rel"; bad=$((bad + 1)); }
    [ -d "$f" ] && continue
    n=$((n + 1))
    size=$(stat -c %s "$f")
    total=$((total + size))
    [ "$size" -lt $((16 * 1024 * 1024)) ] || { echo "  over 16 MiB: $rel ($size bytes)"; bad=$((bad + 1)); }
    depth=$(($(tr -cd / <<<"$rel" | wc -c)))
    [ "$depth" -le 2 ] || { echo "  more than 2 folders deep: $rel"; bad=$((bad + 1)); }
  done < <(find "$d" -mindepth 1 -print0)
  [ "$n" -le 8 ] || { echo "  $n files (at most 8 come back)"; bad=$((bad + 1)); }
  [ "$total" -le "$LIMIT" ] || { echo "  $total bytes in all (over 64 MiB)"; bad=$((bad + 1)); }
  echo "  $n files, $(mib "$total") MiB: $(cd "$d" && find . -type f -printf '%P %s B\n' | sort | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
  return "$bad"
}
lim_out=$(out_limits "$OUTD")
check "\$OUT obeys the device tool's limits" $? "$(tail -n1 <<<"$lim_out" | sed 's/^  //')"
[ "$(wc -l <<<"$lim_out")" -gt 1 ] && echo "$lim_out"
expect=(summary.txt results.md results.json gpu-check-logs.tar.gz)
absent=()
for f in "${expect[@]}"; do [ -s "$OUTD/$f" ] || absent+=("$f"); done
check "\$OUT holds summary.txt, results.md, results.json, gpu-check-logs.tar.gz" "${#absent[@]}" "${absent[*]:+missing: ${absent[*]}}"
ntests=$(ls native/tests/cuda/*_test.cu | wc -l)
json_ok=$(python3 - "$OUTD/results.json" "$ntests" "$(head -n1 .device/commit.txt)" "$WANT_GEN" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
bad = []
if d.get("card") != "NVIDIA H100 80GB HBM3": bad.append(f"card {d.get('card')!r}")
if d.get("driver") != "580.159.04": bad.append(f"driver {d.get('driver')!r}")
if d.get("archs") != "90": bad.append(f"archs {d.get('archs')!r}")
if d.get("generator") != sys.argv[4]: bad.append(f"generator {d.get('generator')!r}, expected {sys.argv[4]}")
if not str(d.get("commit", "")).startswith(sys.argv[3]): bad.append(f"commit {d.get('commit')!r}")
for k in ("date", "command", "verdict", "tests", "steps", "benchmarks", "table", "js_smoke", "build"):
    if k not in d: bad.append(f"no {k}")
tests = d.get("tests", [])
if len(tests) != want: bad.append(f"{len(tests)} tests, {want} CUDA test sources")
if any(t.get("seconds") is None or not t.get("status") for t in tests): bad.append("a test without status or seconds")
b = [s for s in d.get("build", []) if s["name"] == "build"]
if not b or b[0]["status"] != "ok": bad.append(f"build {b[0]['status'] if b else 'missing'}: {b[0]['detail'] if b else ''}")
print("; ".join(bad) if bad else f"ok: {len(tests)} tests, build {b[0]['detail']}, verdict {d['verdict']}")
PY
)
check "results.json: card, driver, archs 90, Ninja, commit, complete build, one entry per CUDA test" $([[ "$json_ok" == ok:* ]]; echo $?) "$json_ok"
mkdir -p "$R/unpacked"
tar -xzf "$OUTD/gpu-check-logs.tar.gz" -C "$R/unpacked" 2>/dev/null
nlogs=0
for f in native/tests/cuda/*_test.cu; do [ -f "$R/unpacked/logs/cuda_$(basename "$f" .cu).log" ] && nlogs=$((nlogs + 1)); done
archive_complete() {
  local f
  [ "$nlogs" -eq "$ntests" ] || return 1
  for f in preflight.txt cmake-configure.log cmake-build.log js-smoke.log summary.txt steps.tsv meta.tsv \
           bench-recforge-attention.log bench-recforge-gnn.log bench-recforge-balance.log bench-recforge-ops.log; do
    [ -f "$R/unpacked/logs/$f" ] || { echo "missing $f"; return 1; }
  done
}
absent_logs=$(archive_complete)
check "the archive holds every log (preflight, configure, build, $ntests tests, smoke, benchmarks)" $? "$nlogs test logs${absent_logs:+; $absent_logs}"
smoke_line=$(grep -m1 'CUDA unavailable' "$R/unpacked/logs/js-smoke.log" 2>/dev/null)
check "the JS smoke test got as far as \"CUDA unavailable\" (the carry is complete)" \
  $([ -n "$smoke_line" ] && ! grep -qE 'Cannot find (module|package)|ERR_MODULE_NOT_FOUND|ERR_DLOPEN' "$R/unpacked/logs/js-smoke.log"; echo $?) \
  "${smoke_line:-$(tail -n 3 "$R/unpacked/logs/js-smoke.log" 2>/dev/null | tr '\n' ' ')}"
check "no PyTorch anchor ran without recforge rows" $(! grep -qE '^bench-torch-[a-z]+ +(ok|FAIL|TIMEOUT)' "$R/console.log"; echo $?)

scan=$(SCAN_PATH="$DEVICE_PATH" python3 scripts/gpu-command-scan.py scripts/gpu-check.sh "$(compgen -b -k | tr '\n' ' ')")
check "every external command in gpu-check.sh is in its REQUIRED_CMDS (on the device PATH) or GUARDED_CMDS (static)" $? "$scan"

echo "== 4. every JS CUDA check on the emulated device, with only the carried node_modules"
NODE_BIN=$R/work/node/node
s=$(date +%s)
(cd "$COPY" && env PATH="$DEVICE_PATH" RECFORGE_CUDA_EMULATE=1 RECFORGE_POISON=1 timeout -k 5 300 "$NODE_BIN" scripts/cuda-smoke.mjs) >"$R/emulated-smoke.log" 2>&1
rc=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$R/emulated-smoke.log" | tail -n1)
[ "$rc" -eq 0 ] || tail -n 20 "$R/emulated-smoke.log"
check "the JS checks load and pass from the carry alone (RECFORGE_CUDA_EMULATE=1)" "$rc" "${line:-no summary}; $(($(date +%s) - s))s"

echo "== 5. failure paths: a failing nvcc; the DEADLINE mid-run"
mkdir -p "$R/badnvcc"
printf '#!/bin/sh\necho "nvcc fails on purpose (rehearsal)" >&2\nexit 1\n' >"$R/badnvcc/nvcc"
chmod +x "$R/badnvcc/nvcc"
env PATH="$R/badnvcc:$DEVICE_PATH" OUT="$R/out-badnvcc" WORK="$R/work-badnvcc" BUILD_DIR="$R/build-badnvcc" BUDGET=420 \
  bash "$COPY/scripts/gpu-check.sh" >"$R/console-badnvcc.log" 2>&1
rc=$?
lim_bad=$(out_limits "$R/out-badnvcc")
lb=$?
check "a failed configure stops at once, no anchors, \$OUT complete" \
  $([ "$rc" -ne 0 ] && [ "$lb" -eq 0 ] && [ -s "$R/out-badnvcc/results.json" ] && [ -s "$R/out-badnvcc/gpu-check-logs.tar.gz" ] &&
    grep -q '^configure: FAIL.*stopping' "$R/out-badnvcc/summary.txt" && ! grep -q '^== 3' "$R/console-badnvcc.log"; echo $?) "exit $rc; $(tail -n1 <<<"$lim_bad" | sed 's/^  //')"
s=$(date +%s)
env PATH="$DEVICE_PATH" OUT="$R/out-term" WORK="$R/work-term" BUILD_DIR="$R/build-term" BUDGET=600 DEADLINE=8 \
  bash "$COPY/scripts/gpu-check.sh" >"$R/console-term.log" 2>&1
rc=$?
secs=$(($(date +%s) - s))
lim_term=$(out_limits "$R/out-term")
lt=$?
check "DEADLINE=8s: the running step ended, the script stopped within seconds and wrote \$OUT" \
  $([ "$rc" -ne 0 ] && [ "$secs" -le 40 ] && [ "$lt" -eq 0 ] && grep -q 'stopped: the DEADLINE' "$R/out-term/summary.txt" &&
    [ -s "$R/out-term/results.json" ] && [ -s "$R/out-term/gpu-check-logs.tar.gz" ]; echo $?) "exit $rc after ${secs}s; $(tail -n1 <<<"$lim_term" | sed 's/^  //')"

check "every command gpu-check.sh called in its three runs exists or is guarded (run time)" \
  $([ ! -s "$MISSING" ] && ! grep -q 'command not found' "$R"/console*.log; echo $?) "$(sort -u "$MISSING" | tr '\n' ' ')"

echo "== 6. docs/gpu-check.md names this carry list and timeout_s"
carry_json=$(printf '%s\n' "${CARRY[@]}" | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')
check "docs/gpu-check.md: carry $carry_json, timeout_s 600" $(grep -qF "$carry_json" docs/gpu-check.md && grep -qE 'timeout_s[^0-9]*600' docs/gpu-check.md; echo $?)
finish
