#!/usr/bin/env bash
# Builds the native kernels and their tests with CMake (no Node-API) and runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-native}
cmake -S . -B "$build" -DRECFORGE_ADDON=OFF -DRECFORGE_CUDA=${RECFORGE_CUDA:-OFF} -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "${JOBS:-2}"
ctest --test-dir "$build" --output-on-failure -j "${JOBS:-2}"
