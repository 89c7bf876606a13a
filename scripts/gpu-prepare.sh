#!/usr/bin/env bash
# Makes what the device call carries besides the working tree (scripts/gpu-carry.txt), then prints the
# device call of docs/gpu-check.md. Run it right before the call (and after any edit: dist/ and the
# commit note must match the tree that travels):
#   .device/node.xz     this machine's Node binary, xz -9 (~99 MB -> ~20 MB); gpu-check.sh unpacks it
#                       outside $OUT (xz, else Python's lzma)
#   .device/commit.txt  HEAD, the number of changed files and a hash of `git diff HEAD` (the device copy
#                       has no .git: results.json takes the commit from here)
#   dist/               the compiled TypeScript (npx tsc), unless --no-tsc
# Usage: bash scripts/gpu-prepare.sh [--no-tsc]     (env: NODE_BIN, XZ_LEVEL=9)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .device
grep -qx '/.device/' .git/info/exclude 2>/dev/null || grep -qE '^/?\.device/?$' .gitignore ||
  echo '/.device/' >>"$(git rev-parse --git-path info/exclude)"
node_bin=${NODE_BIN:-$(command -v node)}
node_bin=$(readlink -f "$node_bin")
stamp="$node_bin $(stat -c '%s %Y' "$node_bin") xz-${XZ_LEVEL:-9}"
if [ ! -f .device/node.xz ] || [ "$(cat .device/node.stamp 2>/dev/null)" != "$stamp" ]; then
  t=$(date +%s)
  if command -v xz >/dev/null; then
    xz "-${XZ_LEVEL:-9}" -T2 -c "$node_bin" >.device/node.xz.tmp
  else  # the same .xz format from Python's lzma
    python3 -c 'import lzma,shutil,sys
with open(sys.argv[1], "rb") as i, lzma.open(sys.argv[2], "wb", preset=int(sys.argv[3])) as o: shutil.copyfileobj(i, o)' \
      "$node_bin" .device/node.xz.tmp "${XZ_LEVEL:-9}"
  fi
  mv .device/node.xz.tmp .device/node.xz
  echo "$stamp" >.device/node.stamp
  echo "node.xz: $("$node_bin" --version), $(($(stat -c %s .device/node.xz) / 1048576)) MiB, $(($(date +%s) - t)) s"
fi
if [ "${1:-}" != "--no-tsc" ]; then
  npx tsc -b tsconfig.json
fi
{
  git rev-parse HEAD
  echo "changed files: $(git status --porcelain | wc -l)"
  echo "diff sha256: $(git diff HEAD | sha256sum | cut -d' ' -f1)"
  echo "prepared: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >.device/commit.txt
carry=$(grep -v '^#' scripts/gpu-carry.txt | grep -v '^$')
tree=$(git ls-files -co --exclude-standard -z | xargs -0 stat -L -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
carried=$(du -sbL $carry | awk '{s += $1} END {print s + 0}')
awk -v t="$tree" -v c="$carried" 'BEGIN {printf "travels: tree %.1f MiB + carry %.1f MiB = %.1f MiB (limit 64 MiB)\n", t / 1048576, c / 1048576, (t + c) / 1048576}'
echo "device call: command 'OUT=\$OUT bash scripts/gpu-check.sh', timeout_s 600, carry $(printf '%s\n' $carry | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')"
