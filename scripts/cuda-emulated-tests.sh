#!/usr/bin/env bash
# Builds and runs the CUDA kernels' logic tests under the CPU emulator (no GPU needed; needs the CUDA
# headers, e.g. /usr/local/cuda/include, and the CPU kernels from scripts/native-tests.sh).
# Usage: scripts/cuda-emulated-tests.sh [extra args passed to each test, e.g. a number of random cases]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-native}
cuda_inc=${CUDA_INCLUDE:-/usr/local/cuda/include}
[ -f "$build/librecforge_cpu.a" ] || { echo "build the CPU kernels first: bash scripts/native-tests.sh" >&2; exit 2; }
mkdir -p "$build/emulated"
for src in native/tests/cuda/emulated/*_emulated.cc; do
  name=$(basename "$src" .cc)
  g++ -std=c++20 -O1 -pthread -I"$cuda_inc" -Inative/include -Inative/tests "$src" "$build/librecforge_cpu.a" \
    -o "$build/emulated/$name"
  "$build/emulated/$name" "$@"
done
