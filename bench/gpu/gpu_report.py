#!/usr/bin/env python3
"""Writes results.json and results.md for scripts/gpu-check.sh (called at every checkpoint and on exit).

Usage: python3 bench/gpu/gpu_report.py --work WORK --out OUT

Reads WORK/meta.tsv (key, value: card, driver, date, commit, command, ...), WORK/steps.tsv (kind, name,
status, seconds, limit, detail: one line per preflight / build / test / smoke / benchmark step) and the
benchmark files WORK/results/bench-{recforge,torch}-*.json (lists of {name, shape, ms, tflops, gbps}
rows). Writes OUT/results.json (all of it, machine-readable; schema "recforge-gpu-check/1") and
OUT/results.md (the same as tables). Standard library only; unreadable inputs count as empty.
"""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import table  # noqa: E402


def read_tsv(path, ncols):
    rows = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue
                rows.append(parts + [""] * (ncols - len(parts)))
    except OSError:
        pass
    return rows


def num(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        try:
            return float(s)
        except (TypeError, ValueError):
            return None


def bench_rows(path):
    rows = table.load(path)
    return [r for r in rows if isinstance(r, dict) and isinstance(r.get("ms"), (int, float))
            and isinstance(r.get("name"), str) and isinstance(r.get("shape"), str)]


def build(work):
    meta = {}
    for k, v, *_ in read_tsv(os.path.join(work, "meta.tsv"), 2):
        meta[k] = v  # later lines win (elapsed_s, stage)
    steps = [{"kind": k, "name": n, "status": s, "seconds": num(sec), "limit_s": num(lim), "detail": d}
             for k, n, s, sec, lim, d in (r[:6] for r in read_tsv(os.path.join(work, "steps.tsv"), 6))]
    ours_files = sorted(glob.glob(os.path.join(work, "results", "bench-recforge-*.json")))
    torch_files = sorted(glob.glob(os.path.join(work, "results", "bench-torch-*.json")))
    ours = [dict(r, file=os.path.basename(p)) for p in ours_files for r in bench_rows(p)]
    theirs_list = [dict(r, file=os.path.basename(p)) for p in torch_files for r in bench_rows(p)]
    theirs = {(r["name"], r["shape"]): r for r in theirs_list}
    tests = [s for s in steps if s["kind"] == "test"]
    smoke = next((s for s in steps if s["kind"] == "smoke"), None)
    build_steps = [s for s in steps if s["kind"] == "build"]
    doc = {
        "schema": "recforge-gpu-check/1",
        "verdict": meta.get("verdict", "INCOMPLETE (stopped before the end: see stage)"),
        "stage": meta.get("stage"),
        "card": meta.get("card"), "compute_capability": meta.get("compute_cap"), "driver": meta.get("driver"),
        "gpu_memory": meta.get("memory"), "date": meta.get("date"), "commit": meta.get("commit"),
        "command": meta.get("command"), "host": meta.get("host"), "budget_s": num(meta.get("budget_s")), "elapsed_s": num(meta.get("elapsed_s")),
        "archs": meta.get("archs"), "generator": meta.get("generator"), "jobs": num(meta.get("jobs")),
        "tools": {k: meta.get(k) for k in ("nvcc", "cmake", "gxx", "node_version")},
        "cublas": meta.get("cublas"), "cublas_found": meta.get("cublas_found"),
        "build": build_steps,
        "tests": tests,
        "tests_passed": sum(1 for t in tests if t["status"] == "pass"),
        "tests_failed": sum(1 for t in tests if t["status"] != "pass"),
        "js_smoke": smoke,
        "steps": steps,
        "benchmarks": {"recforge": ours, "torch": theirs_list},
        "table": table.matched_rows(ours, theirs),
    }
    return doc, ours, theirs


def markdown(doc, ours, theirs):
    out = [f"# recforge gpu-check: {doc['verdict']}", ""]
    for k in ("card", "compute_capability", "driver", "gpu_memory", "date", "commit", "command", "host", "archs",
              "generator", "cublas", "budget_s", "elapsed_s", "stage"):
        out.append(f"- {k}: {doc.get(k)}")
    for k, v in doc["tools"].items():
        out.append(f"- {k}: {v}")
    out += ["", f"## Steps ({doc['tests_passed']} CUDA tests passed, {doc['tests_failed']} failed)", "",
            "| kind | name | status | seconds | limit s | detail |", "| --- | --- | --- | --- | --- | --- |"]
    for s in doc["steps"]:
        detail = (s["detail"] or "").replace("|", "\\|")[:160]
        out.append(f"| {s['kind']} | {s['name']} | {s['status']} | {s['seconds'] if s['seconds'] is not None else ''} "
                   f"| {s['limit_s'] if s['limit_s'] is not None else ''} | {detail} |")
    out += ["", "## Benchmarks (ratio = recforge ms / torch ms; below 1: recforge is faster)", "", "```"]
    out += table.format_table(ours, theirs)
    out += ["```", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    doc, ours, theirs = build(a.work)
    for name, text in (("results.json", json.dumps(doc, indent=1) + "\n"), ("results.md", markdown(doc, ours, theirs))):
        tmp = os.path.join(a.out, f".{name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(a.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
