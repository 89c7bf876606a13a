#!/usr/bin/env bash
# Builds the prebuilt CUDA addon (static CUDA runtime, sm_80 + sm_90, no cuBLAS) and packs the
# platform package @recforge/linux-x64-cuda (packages/linux-x64-cuda) around it. No Node headers
# download: the addon builds against node_modules/node-api-headers, as scripts/gpu-check.sh does.
#   BUILD_DIR (build-cuda-prebuild), ARCHS ("80;90"), OUT (where the .tgz goes: packages/)
# Prints the sizes of the addon and of the package, and whether the addon loads here (without a
# driver it must load and report why CUDA is unavailable, not crash).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-cuda-prebuild}
archs=${ARCHS:-80;90}
out=${OUT:-packages}
launch=()
command -v ccache >/dev/null && launch=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}" -DRECFORGE_CUDA=ON -DCMAKE_BUILD_TYPE=Release "-DRECFORGE_CUDA_ARCHS=$archs" \
  -DRECFORGE_CUBLAS=OFF -DRECFORGE_TESTS=OFF -DRECFORGE_BENCH=OFF -DRECFORGE_ADDON=ON \
  "-DCMAKE_JS_INC=$PWD/node_modules/node-api-headers/include;$PWD/node_modules/node-addon-api" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB= \
  "-DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION" "-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=$PWD/$build/Release" "${launch[@]}" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target recforge_cuda_addon
addon="$build/Release/recforge_cuda.node"
pkg=packages/linux-x64-cuda
cp "$addon" "$pkg/recforge_cuda.node"
strip --strip-all "$pkg/recforge_cuda.node"
echo "addon: $(stat -c %s "$addon") bytes unstripped, $(stat -c %s "$pkg/recforge_cuda.node") bytes stripped"
echo "dynamic libraries it needs: $(readelf -d "$pkg/recforge_cuda.node" | grep -o 'Shared library: \[[^]]*\]' | sed 's/Shared library: //' | tr '\n' ' ')"
# cuobjdump is not part of every toolkit install: the PTX targets in the fatbin and the nvcc flags stand in.
echo "PTX targets in the fatbin: $(strings -n 8 "$addon" | grep -o '\.target sm_[0-9]*' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "nvcc code generation: $(grep -o 'generate-code=arch=compute_[0-9]*,code=\[[^]]*\]' "$build/build.ninja" | sort -u | tr '\n' ' ')"
tgz=$(cd "$pkg" && npm pack --pack-destination "$PWD/../../$out" 2>/dev/null | tail -n1)
echo "package: $out/$tgz, $(stat -c %s "$out/$tgz") bytes"
RECFORGE_CUDA_ADDON="$PWD/$pkg/recforge_cuda.node" node -e '
  import("./dist/index.js").then((rf) => console.log("here: " + JSON.stringify(rf.backends().cuda)));'
