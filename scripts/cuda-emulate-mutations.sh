#!/usr/bin/env bash
# Checks the checker: applies one bug at a time to a CUDA kernel source, runs its test under the CUDA
# emulator (scripts/cuda-emulate.mjs) and reports whether the test caught it.
#   - The source is restored after each mutant, and by a trap on exit, interrupt or kill, so a stopped
#     run never leaves a bug in the tree.
#   - Each test first runs on the unmutated source: a test that fails there cannot catch anything.
#   - A mutant that does not build (cuda-emulate.mjs exit 2, or a link failure) is NOT caught: it
#     counts as a problem (the mutation must be rewritten to compile), not as a test that noticed.
# Usage: bash scripts/cuda-emulate-mutations.sh [--sample N]   (env: MUTATION_SEED, BUILD_DIR, and what
#   cuda-emulate.mjs reads). --sample N runs N of the mutants, chosen by MUTATION_SEED (default: the
#   commit), so CI covers the list over commits while each run stays short; without it, all of them.
# Prints "mutations: N caught, N not caught, N did not build" and exits 1 unless every mutant run was caught.
set -uo pipefail
cd "$(dirname "$0")/.."
SAMPLE=0
[ "${1:-}" = "--sample" ] && SAMPLE=${2:?--sample needs a count}
BAK=$(mktemp -d)
CURRENT=""
restore() { if [ -n "$CURRENT" ] && [ -f "$BAK/src" ]; then cp "$BAK/src" "$CURRENT"; CURRENT=""; fi; }
trap 'restore; rm -rf "$BAK"' EXIT
trap 'restore; exit 130' INT TERM

# One mutant per line: file | exact text (\n for newlines) | replacement | test filter.
MUTANTS=$(cat <<'LIST'
native/cuda/gemm.cu|    store();\n    __syncthreads();\n    for (int64_t k0|    store();\n    for (int64_t k0|gemm
native/cuda/common.cuh|for (int o = 16; o > 0; o >>= 1) v +=|for (int o = 8; o > 0; o >>= 1) v +=|reduce
native/cuda/optim.cu|RF_GRID_STRIDE(i, n) x[i] *= s;|RF_GRID_STRIDE(i, n - 1) x[i] *= s;|optim
native/cuda/common.cuh|    __syncthreads();  // an earlier call may still read smem||norm
native/cuda/interval_attention_kernels.cuh|(j >= sl && j <= i)|(j >= sl && j < i)|interval_attention
native/cuda/gat.cu|for (int32_t e = begin + lane; e < end; e += 32) mx = fmax(|for (int32_t e = begin + lane + 1; e < end; e += 32) mx = fmax(|gat
LIST
)
# MUTATION_LIST=FILE replaces the list (same format): how the harness itself is checked.
[ -n "${MUTATION_LIST:-}" ] && MUTANTS=$(cat "$MUTATION_LIST")
mapfile -t ALL <<<"$MUTANTS"
PICK=("${ALL[@]}")
if [ "$SAMPLE" -gt 0 ] && [ "$SAMPLE" -lt "${#ALL[@]}" ]; then
  SEED=${MUTATION_SEED:-$(git rev-parse HEAD 2>/dev/null || echo 0)}
  mapfile -t PICK < <(printf '%s\n' "${ALL[@]}" | python3 -c "
import sys, random, hashlib
lines = [l.rstrip('\n') for l in sys.stdin if l.strip()]
r = random.Random(int(hashlib.sha256(sys.argv[1].encode()).hexdigest(), 16))
print('\n'.join(r.sample(lines, int(sys.argv[2]))))" "$SEED" "$SAMPLE")
  echo "mutations: a sample of ${#PICK[@]} of ${#ALL[@]} (seed $SEED)"
fi

caught=0; missed=0; nobuild=0
declare -A baseline
for m in "${PICK[@]}"; do
  IFS='|' read -r f pat rep t <<<"$m"
  if [ -z "${baseline[$t]:-}" ]; then
    node scripts/cuda-emulate.mjs "$t" >"$BAK/base.log" 2>&1; rc=$?
    baseline[$t]=$rc
    [ "$rc" -ne 0 ] && { echo "BASELINE FAILS: test '$t' fails on the unmutated source (exit $rc): its mutants cannot be judged"; tail -5 "$BAK/base.log"; }
  fi
  if [ "${baseline[$t]}" -ne 0 ]; then missed=$((missed + 1)); continue; fi
  cp "$f" "$BAK/src"; CURRENT=$f
  if ! python3 - "$f" "$pat" "$rep" <<'PY'
import sys
f, pat, rep = sys.argv[1:]
pat, rep = pat.replace("\\n", "\n"), rep.replace("\\n", "\n")
s = open(f).read()
if s.count(pat) < 1:
    sys.exit(f"the mutation's text is not in {f}: {pat!r}")
open(f, "w").write(s.replace(pat, rep, 1))
PY
  then echo "STALE: $f no longer holds the text of this mutant (update the list)"; missed=$((missed + 1)); restore; continue; fi
  node scripts/cuda-emulate.mjs "$t" >"$BAK/mut.log" 2>&1; rc=$?
  restore
  if [ "$rc" -eq 2 ] || grep -q '^link ' "$BAK/mut.log"; then
    echo "DID NOT BUILD (not caught): $f: '$pat' -> '$rep'"; nobuild=$((nobuild + 1))
  elif [ "$rc" -eq 0 ]; then
    echo "NOT CAUGHT: $f: '$pat' -> '$rep' (test $t passed)"; missed=$((missed + 1))
  else
    echo "caught: $f: '$pat' -> '$rep' ($(grep -E 'mismatch|differ|deadlock|ERROR|failure|FAIL' "$BAK/mut.log" | head -1 | cut -c1-150))"; caught=$((caught + 1))
  fi
done
echo "mutations: $caught caught, $missed not caught, $nobuild did not build"
[ "$missed" -eq 0 ] && [ "$nobuild" -eq 0 ] && [ "$caught" -gt 0 ]
