#!/usr/bin/env python3
"""Prints recforge's GPU timings next to the PyTorch anchors (scripts/gpu-check.sh, last).

Usage: python3 bench/gpu/table.py RECFORGE_JSON [TORCH_JSON]
Rows are matched by operation: recforge "gemm_bf16_own" <-> torch "torch_matmul_bf16", etc.
ratio = recforge ms / torch ms (below 1: recforge is faster).
"""
import json
import sys

PAIRS = {
    "gemm_f32_own": "torch_matmul_f32",
    "gemm_f32_cublas": "torch_matmul_f32",
    "gemm_bf16_own": "torch_matmul_bf16",
    "gemm_bf16_own_tn": "torch_matmul_bf16_tn",
    "gemm_fp16_own": "torch_matmul_fp16",
    "gemm_fp16_cublas": "torch_matmul_fp16",
    "exp": "torch_exp",
    "add": "torch_add",
    "randn": "torch_randn",
    "softmax": "torch_softmax",
    "layer_norm": "torch_layer_norm",
    "sum_rows": "torch_sum_rows",
    "sum_cols": "torch_sum_cols",
    "embedding_gather": "torch_embedding_gather",
    "embedding_scatter_add": "torch_embedding_index_add",
    "sort_rows": "torch_sort_rows",
    "topk_100": "torch_topk_100",
}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:  # noqa: BLE001
        return []


def main():
    ours = load(sys.argv[1]) if len(sys.argv) > 1 else []
    theirs = {(r["name"], r["shape"]): r for r in (load(sys.argv[2]) if len(sys.argv) > 2 else [])}
    if not ours:
        print("(no recforge benchmark results)")
        return 0
    hdr = f"{'op':<24} {'shape':<16} {'recforge ms':>12} {'torch ms':>10} {'ratio':>7} {'recforge rate':>16}"
    print(hdr)
    print("-" * len(hdr))
    for r in ours:
        t = theirs.get((PAIRS.get(r["name"], ""), r["shape"]))
        rate = f"{r['tflops']:.1f} TFLOP/s" if r.get("tflops") else (f"{r['gbps']:.0f} GB/s" if r.get("gbps") else "")
        tm = f"{t['ms']:.4f}" if t else "-"
        ratio = f"{r['ms'] / t['ms']:.2f}" if t and t["ms"] > 0 else "-"
        print(f"{r['name']:<24} {r['shape']:<16} {r['ms']:>12.4f} {tm:>10} {ratio:>7} {rate:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
