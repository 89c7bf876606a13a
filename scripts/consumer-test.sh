#!/usr/bin/env bash
# The package as a user gets it: packs recforge (npm pack), installs the tarball into a fresh
# temporary project with NO compiler on PATH (gcc, g++, cc, c++, make, python, node-gyp are
# traps that record being called), and trains a tiny model through the public API
# (import "recforge"). Checks on the way: the prebuilt binary is in the tarball and is the
# binary that loads, the tarball carries no native tests or benchmarks, the install never
# called a compiler, and the prebuild holds no AVX instruction outside the run-time-chosen
# kernel variants. Ends with "consumer: N passed, N failed" (CI adds it to its total).
#
# The prebuild: `npm run prebuilds` (prebuildify --napi --strip --tag-libc) is how a release
# makes it. CI has just built the same sources with node-gyp (npm ci), so by default this script
# reuses that binary: it copies build/Release/recforge.node to the path prebuildify writes
# (prebuilds/linux-x64/recforge.glibc.node) and strips it as prebuildify --strip does, saving a
# second full compile (test/package/prebuilds.test.js, run by npm test, checks that prebuildify
# with the `prebuilds` flags writes exactly that file). CONSUMER_PREBUILDIFY=1 runs prebuildify.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  echo "consumer: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

tmp=$(mktemp -d /tmp/recforge-consumer.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prebuild=prebuilds/linux-x64/recforge.glibc.node

# ---- 1. the prebuild -------------------------------------------------------------------
if [ "${CONSUMER_PREBUILDIFY:-0}" = "1" ] || [ ! -f build/Release/recforge.node ]; then
  echo "building the prebuild with prebuildify (npm run prebuilds)"
  npm run prebuilds || { bad "npm run prebuilds failed"; finish; }
else
  mkdir -p prebuilds/linux-x64
  cp build/Release/recforge.node "$prebuild" && strip --strip-all "$prebuild" ||
    { bad "could not copy build/Release/recforge.node to $prebuild"; finish; }
  echo "prebuild: build/Release/recforge.node (built by npm ci from the same sources), stripped, as $prebuild"
fi
[ -f "$prebuild" ] && ok "prebuild $prebuild ($(stat -c %s "$prebuild") bytes)" || { bad "no $prebuild"; finish; }
# The stripped prebuild has no symbols to attribute code to: check the unstripped binary it came from.
if node scripts/check-cpu-isa.mjs build/Release/recforge.node; then ok "build/Release/recforge.node (the prebuild before strip): no AVX outside the isa_avx2/isa_avx512 kernels"; else bad "the addon holds AVX code outside the dispatched kernels"; fi

# ---- 2. the tarball ----------------------------------------------------------------------
[ -f dist/index.js ] || npx tsc -b tsconfig.json || { bad "tsc failed"; finish; }
tgz=$(npm pack --ignore-scripts --pack-destination "$tmp" 2>/dev/null | tail -n1)
if [ -z "$tgz" ] || [ ! -f "$tmp/$tgz" ]; then bad "npm pack produced no tarball"; finish; fi
tgz="$tmp/$tgz"
listing=$(tar -tzf "$tgz")
echo "tarball: $(basename "$tgz"), $(stat -c %s "$tgz") bytes, $(echo "$listing" | wc -l) files"
echo "$listing" | grep -qx "package/$prebuild" && ok "tarball carries $prebuild" || bad "tarball lacks $prebuild"
echo "$listing" | grep -qx "package/dist/index.js" && ok "tarball carries dist/index.js" || bad "tarball lacks dist/index.js"
extra=$(echo "$listing" | grep -E '^package/(native/tests/|bench/|test/|scripts/|build/|lib/)|\.map$|\.tsbuildinfo' | head -n5)
[ -z "$extra" ] && ok "tarball has no native tests, benchmarks, test files, source maps or build info" || bad "tarball ships what a consumer does not run: $extra"
# No shipped file may point at a source map (none is shipped, nor the lib/*.ts they would map to).
refs=$(tar -xzf "$tgz" -O --wildcards 'package/dist/*.js' 'package/bin/*.js' | grep -c 'sourceMappingURL' || true)
[ "$refs" = "0" ] && ok "no sourceMappingURL in the shipped JavaScript" || bad "$refs shipped JavaScript files point at source maps that are not shipped"

# ---- 3. install with no compiler on PATH ----------------------------------------------------
bin="$tmp/bin"
mkdir -p "$bin"
for t in gcc g++ cc c++ clang clang++ make gmake python python3 node-gyp cmake ninja nvcc; do
  printf '#!/bin/sh\necho "trap: %s $*" >> "%s/compiler-called"\nexit 1\n' "$t" "$tmp" > "$bin/$t"
  chmod +x "$bin/$t"
done
ln -s "$(command -v node)" "$bin/node"
for t in sh bash env tar gzip; do p=$(command -v $t) && ln -s "$p" "$bin/$t"; done
npm_cli=$(readlink -f "$(command -v npm)")
if [ -z "$npm_cli" ] || [ ! -f "$npm_cli" ]; then bad "cannot find npm-cli.js next to node"; finish; fi
app="$tmp/app"
mkdir -p "$app"
# allowScripts keys are the dependency's resolved identity: for a tarball, "file:<path>" (older npm
# ignores the field and runs install scripts anyway).
printf '{ "name": "recforge-consumer", "version": "1.0.0", "private": true, "type": "module", "allowScripts": { "recforge": true, "file:%s": true } }\n' "$tgz" > "$app/package.json"
# npm's bundled node-gyp is reached through npm_config_node_gyp: point it at the trap too.
# npm >= 11.16 skips dependencies' install scripts unless allowed: runs
# recforge's (node-gyp-build), as a user who approves it gets; the control at the end shows
# that this script does reach the (trapped) build tools when no prebuild matches.
( cd "$app" && env -i HOME="$HOME" PATH="$bin" npm_config_node_gyp="$bin/node-gyp" \
    npm_config_cache="${npm_config_cache:-$HOME/.npm}" \
    node "$npm_cli" install --no-audit --no-fund --prefer-offline "$tgz" ) > "$tmp/install.log" 2>&1
rc=$?
tail -n5 "$tmp/install.log"
if grep -q "install scripts not yet covered" "$tmp/install.log"; then bad "npm skipped recforge's install script (allowScripts not honoured): the install below proves nothing about node-gyp-build"; fi
[ $rc -eq 0 ] && ok "npm install of the tarball with no compiler on PATH" || { bad "npm install failed (rc $rc)"; cat "$tmp/install.log" | tail -n30; finish; }
if [ -f "$tmp/compiler-called" ]; then bad "the install called a build tool: $(head -n3 "$tmp/compiler-called")"; else ok "no compiler, make, python or node-gyp was called"; fi
echo "installed: $(ls "$app/node_modules" | tr '\n' ' ')($(du -sk "$app/node_modules" | cut -f1) KiB on disk)"
[ -d "$app/node_modules/recforge/build" ] && bad "the install made a build/ folder (a source build ran)" || ok "no build/ folder in the installed package"

# ---- 4. train a tiny model through the public API -------------------------------------------
cat > "$app/train.mjs" <<'JS'
import * as rf from "recforge";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const loaded = require("node-gyp-build").path(require("path").dirname(require.resolve("recforge/package.json")));
const b = rf.backends();
rf.manualSeed(0);
const model = new rf.MLP([16, 64, 1]);
const opt = new rf.AdamW(model.parameters(), { lr: 3e-3 });
const x = rf.randn([256, 16]);
const y = x.sum(1, true).gt(0);
const losses = [];
for (let step = 0; step < 150; step++) {
  losses.push(rf.tidy(() => {
    const l = rf.bceWithLogits(model.call(x), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    return l.item();
  }));
}
const acc = rf.tidy(() => model.call(x).gt(0).eq(y).cast("float32").mean().item());
console.log(JSON.stringify({ addon: loaded, isa: b.cpu.isa, isaReason: b.cpu.isaReason, gemm: b.cpu.gemm, first: losses[0], last: losses.at(-1), acc }));
JS
for mode in default baseline-own; do
  if [ "$mode" = default ]; then envs=(); else envs=(RECFORGE_CPU_ISA=baseline RECFORGE_BLAS=own); fi
  out=$(cd "$app" && env -i HOME="$HOME" PATH="$bin" "${envs[@]}" node train.mjs 2>&1)
  rc=$?
  echo "train ($mode): $out"
  if [ $rc -ne 0 ]; then bad "training ($mode) failed (rc $rc)"; continue; fi
  if echo "$out" | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8").trim().split("\n").pop());
    const want = process.argv[1];
    const okAddon = r.addon.endsWith("prebuilds/linux-x64/recforge.glibc.node");
    const okIsa = want === "default" || r.isa === "baseline";
    const okTrain = Number.isFinite(r.last) && r.last < 0.5 * r.first && r.acc > 0.9;
    if (!okAddon) console.log("the loaded addon is not the prebuild: " + r.addon);
    if (!okIsa) console.log("RECFORGE_CPU_ISA=baseline was not honoured: " + r.isa);
    if (!okTrain) console.log("did not train: loss " + r.first + " -> " + r.last + ", accuracy " + r.acc);
    process.exit(okAddon && okIsa && okTrain ? 0 : 1);
  ' "$mode"; then ok "trained through import \"recforge\" ($mode): prebuild loaded, loss fell by more than half, accuracy > 0.9"; else bad "training ($mode)"; fi
done
# A RECFORGE_CPU_ISA this package cannot honour is a JavaScript error naming it, not a crash.
out=$(cd "$app" && env -i HOME="$HOME" PATH="$bin" RECFORGE_CPU_ISA=avx9000 node -e 'import("recforge").then(() => console.log("loaded"), (e) => console.log(e.name + ": " + e.message))' 2>&1)
echo "$out" | grep -q "RangeError: recforge: RECFORGE_CPU_ISA=avx9000 is not one of" && ok "bad RECFORGE_CPU_ISA: $out" || bad "bad RECFORGE_CPU_ISA gave: $out"
# The CUDA platform package (scripts/pack-cuda-platform.sh makes it; too slow to build in CI), when
# CONSUMER_CUDA_TGZ names its tarball: installed beside recforge, it must be found, and on a machine
# without a driver say so and leave the CPU working.
if [ -n "${CONSUMER_CUDA_TGZ:-}" ]; then
  ( cd "$app" && env -i HOME="$HOME" PATH="$bin" node "$npm_cli" install --no-audit --no-fund --prefer-offline "$CONSUMER_CUDA_TGZ" ) >> "$tmp/install.log" 2>&1 ||
    bad "npm install of $CONSUMER_CUDA_TGZ failed"
  out=$(cd "$app" && env -i HOME="$HOME" PATH="$bin" node -e 'import("recforge").then((rf) => { const c = rf.backends().cuda; const a = rf.tensor([[1, 2], [3, 4]]); console.log(JSON.stringify({ cuda: c, cpu: rf.matmul(a, a).toArray() })); })' 2>&1)
  echo "with the CUDA package: $out"
  if echo "$out" | grep -q '"available":true' || echo "$out" | grep -q 'the CUDA addon is built but .*"cpu":\[\[7,10\],\[15,22\]\]'; then
    ok "CUDA platform package found (available, or a reason and the CPU still works)"
  else
    bad "CUDA platform package: $out"
  fi
fi
# Control: the same install script with the prebuild removed must try to compile (and hit the
# traps), which shows the clean install above ran it and it chose the prebuild.
rm -f "$tmp/compiler-called"
rm -rf "$app/node_modules/recforge/prebuilds"
( cd "$app" && env -i HOME="$HOME" PATH="$bin" npm_config_node_gyp="$bin/node-gyp" \
    node "$npm_cli" rebuild recforge --foreground-scripts ) > "$tmp/rebuild.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ -f "$tmp/compiler-called" ]; then
  ok "control: without the prebuild the install script calls the build tools ($(head -n1 "$tmp/compiler-called")), and fails"
else
  bad "control: without the prebuild, npm rebuild gave rc $rc and $( [ -f "$tmp/compiler-called" ] && echo "called" || echo "did not call") a build tool"
  tail -n 15 "$tmp/rebuild.log"
fi
finish
