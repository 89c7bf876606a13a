#!/usr/bin/env bash
# Files the results of one device call of scripts/gpu-check.sh (docs/gpu-check.md) into the repo:
#   bench/results/gpu-<date>-<card>.json   results.json as it came back (card, driver, date, commit,
#                                          command, per-test status and seconds, every benchmark row)
#   bench/results/gpu-<date>-<card>.md     results.md and summary.txt as they came back
#   gpu-check-out/gpu-<date>-<card>/       the archive unpacked (every log; ignored by git, not committed)
# Usage: bash scripts/gpu-results.sh DIR     (DIR: where the call's files landed, the reply's files_at)
# Prints the verdict and the two files to commit. Exit 1 when results.json is missing or unreadable.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/gpu-results.sh DIR (the folder with results.json, results.md, summary.txt, gpu-check-logs.tar.gz)}
[ -f "$dir/results.json" ] || { echo "no $dir/results.json" >&2; exit 1; }
name=$(python3 - "$dir/results.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
date = (d.get("date") or "unknown-date")[:10]
card = d.get("card") or "nogpu"
m = re.search(r"\b([A-Z]\d{2,4}[A-Za-z]?)\b", card)
print(f"gpu-{date}-{(m.group(1) if m else re.sub(r'[^A-Za-z0-9]+', '-', card)).lower()}")
PY
)
base=$name
i=2
while [ -e "bench/results/$name.json" ]; do name=$base-$i; i=$((i + 1)); done
cp "$dir/results.json" "bench/results/$name.json"
{
  [ -f "$dir/results.md" ] && cat "$dir/results.md" || echo "(no results.md came back)"
  echo
  echo "## summary.txt"
  echo
  echo '```'
  [ -f "$dir/summary.txt" ] && cat "$dir/summary.txt" || echo "(no summary.txt came back)"
  echo '```'
  echo
  echo "Filed by scripts/gpu-results.sh from the files of one device call; the logs: gpu-check-logs.tar.gz of that call."
} >"bench/results/$name.md"
if [ -f "$dir/gpu-check-logs.tar.gz" ]; then
  mkdir -p "gpu-check-out/$name"
  tar -xzf "$dir/gpu-check-logs.tar.gz" -C "gpu-check-out/$name"
  echo "logs: gpu-check-out/$name/logs/ (not committed)"
fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("verdict:", d.get("verdict"), "|", d.get("card"), "|", d.get("commit"), "|", d.get("tests_passed"), "tests passed,", d.get("tests_failed"), "failed |", len(d.get("table", [])), "benchmark rows")' "bench/results/$name.json"
echo "commit: bench/results/$name.json bench/results/$name.md"
