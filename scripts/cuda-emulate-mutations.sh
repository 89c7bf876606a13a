#!/usr/bin/env bash
# Checks the checker: applies one bug at a time to a CUDA kernel source, runs its test under the CUDA
# emulator (scripts/cuda-emulate.mjs) and reports whether the test caught it; the source is restored
# after each. Exit status 1 when a mutation was not caught. Needs what cuda-emulate.mjs needs.
set -uo pipefail
cd "$(dirname "$0")/.."
missed=0
run() { # file line-regex replacement test
  local f=$1 pat=$2 rep=$3 t=$4
  cp "$f" /tmp/mut.bak
  python3 - "$f" "$pat" "$rep" <<'PY'
import sys
f,pat,rep=sys.argv[1:]
s=open(f).read()
n=s.count(pat)
assert n>=1, (pat, n)
s=s.replace(pat,rep,1)
open(f,'w').write(s)
PY
  if node scripts/cuda-emulate.mjs "$t" >/tmp/mut.log 2>&1; then echo "NOT CAUGHT: $f: $pat -> $rep"; missed=$((missed + 1)); else echo "caught: $f: '$pat' -> '$rep' ($(grep -E 'mismatch|differ|deadlock|ERROR|failure|FAIL' /tmp/mut.log | head -1 | cut -c1-150))"; fi
  cp /tmp/mut.bak "$f"
}
run native/cuda/gemm.cu "    store();
    __syncthreads();
    for (int64_t k0" "    store();
    for (int64_t k0" gemm
run native/cuda/common.cuh "for (int o = 16; o > 0; o >>= 1) v +=" "for (int o = 8; o > 0; o >>= 1) v +=" reduce
run native/cuda/optim.cu "RF_GRID_STRIDE(i, n) x[i] *= s;" "RF_GRID_STRIDE(i, n - 1) x[i] *= s;" optim
run native/cuda/common.cuh "    __syncthreads();  // an earlier call may still read smem" "" norm
run native/cuda/interval_attention_kernels.cuh "(j >= sl && j <= i)" "(j >= sl && j < i)" interval_attention
run native/cuda/gat.cu "for (int32_t e = begin + lane; e < end; e += 32) mx = fmax(" "for (int32_t e = begin + lane + 1; e < end; e += 32) mx = fmax(" gat
echo "mutations not caught: $missed"
[ "$missed" -eq 0 ]
