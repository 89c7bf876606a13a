#!/usr/bin/env python3
"""Prints recforge's GPU timings next to the PyTorch anchors (scripts/gpu-check.sh, last).

Usage: python3 bench/gpu/table.py [RECFORGE_JSON [TORCH_JSON]] [--ours FILE]... [--torch FILE]...
Every file is a list of {name, shape, ms, tflops, gbps} rows (missing or unreadable files count as
empty: a skipped step leaves its rows out). Rows are matched by operation and identical shape:
recforge "gemm_bf16_own" <-> torch "torch_matmul_bf16", etc.; an operation with several anchors
(FlexAttention and dense SDPA, index_add and sparse CSR) gets one line per anchor found.
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
    # DTI interval attention (cuda_attention_bench) vs bench/gpu/flex_anchor.py; the f32 rows have no anchor
    "interval_attn_fwd_bf16": ["torch_flex_attn_fwd_bf16", "torch_sdpa_mask_fwd_bf16"],
    "interval_attn_fwd_bwd_bf16": ["torch_flex_attn_fwd_bwd_bf16", "torch_sdpa_mask_fwd_bwd_bf16"],
    # graph kernels (cuda_gnn_bench) vs bench/gpu/graph_anchors.py
    "gat_fwd": "torch_gat_pyg_fwd",
    "gat_fwd_bwd": "torch_gat_pyg_fwd_bwd",
    "segment_sum_fwd": ["torch_index_add_sum_fwd", "torch_spmm_csr_fwd"],
    "segment_sum_fwd_bwd": ["torch_index_add_sum_fwd_bwd", "torch_spmm_csr_fwd_bwd_dx"],
    "edge_softmax_fwd": "torch_scatter_softmax_fwd",
    "edge_softmax_fwd_bwd": "torch_scatter_softmax_fwd_bwd",
    # MultiBalance (cuda_balance_bench)
    "balance_gradients": "torch_balance",
}


def load(path):
    try:
        with open(path) as f:
            rows = json.load(f)
        return rows if isinstance(rows, list) else []
    except Exception:  # noqa: BLE001
        return []


def parse_args(argv):
    ours, theirs, positional = [], [], []
    i = 0
    while i < len(argv):
        if argv[i] in ("--ours", "--torch") and i + 1 < len(argv):
            (ours if argv[i] == "--ours" else theirs).append(argv[i + 1])
            i += 2
        else:
            positional.append(argv[i])
            i += 1
    if positional:
        ours.insert(0, positional[0])
    if len(positional) > 1:
        theirs.insert(0, positional[1])
    return ours, theirs


def rate(r):
    if r.get("tflops"):
        return f"{r['tflops']:.1f} TFLOP/s"
    if r.get("gbps"):
        return f"{r['gbps']:.0f} GB/s"
    return ""


def matched_rows(ours, theirs):
    """One dict per recforge row and anchor found (a row without an anchor gets torch_* = None)."""
    out = []
    for r in ours:
        anchors = PAIRS.get(r["name"], [])
        anchors = [anchors] if isinstance(anchors, str) else anchors
        found = [(a, theirs[(a, r["shape"])]) for a in anchors if (a, r["shape"]) in theirs]
        base = {"op": r["name"], "shape": r["shape"], "recforge_ms": r["ms"], "recforge_rate": rate(r)}
        if not found:
            out.append({**base, "torch_op": None, "torch_ms": None, "ratio": None})
        for a, t in found:
            ratio = r["ms"] / t["ms"] if t["ms"] > 0 else None
            out.append({**base, "torch_op": a, "torch_ms": t["ms"], "ratio": ratio})
    return out


def format_table(ours, theirs):
    """The table as text lines (ratio = recforge ms / torch ms)."""
    if not ours:
        return ["(no recforge benchmark results)"]
    w_op = max(24, max(len(r["name"]) for r in ours))
    w_shape = max(16, max(len(r["shape"]) for r in ours))
    hdr = (f"{'op':<{w_op}} {'shape':<{w_shape}} {'recforge ms':>12} {'torch ms':>10} {'ratio':>7} "
           f"{'recforge rate':>16}  torch op")
    lines = [hdr, "-" * len(hdr)]
    prev = None
    for m in matched_rows(ours, theirs):
        first = prev != (m["op"], m["shape"], m["recforge_ms"])
        prev = (m["op"], m["shape"], m["recforge_ms"])
        if m["torch_op"] is None:
            lines.append(f"{m['op']:<{w_op}} {m['shape']:<{w_shape}} {m['recforge_ms']:>12.4f} {'-':>10} {'-':>7} "
                         f"{m['recforge_rate']:>16}")
            continue
        ratio = f"{m['ratio']:.2f}" if m["ratio"] is not None else "-"
        if first:
            lines.append(f"{m['op']:<{w_op}} {m['shape']:<{w_shape}} {m['recforge_ms']:>12.4f} {m['torch_ms']:>10.4f} "
                         f"{ratio:>7} {m['recforge_rate']:>16}  {m['torch_op']}")
        else:
            lines.append(f"{'':<{w_op}} {'':<{w_shape}} {'':>12} {m['torch_ms']:>10.4f} {ratio:>7} {'':>16}  {m['torch_op']}")
    return lines


def main():
    ours_files, theirs_files = parse_args(sys.argv[1:])
    ours = [r for p in ours_files for r in load(p)]
    theirs = {(r["name"], r["shape"]): r for p in theirs_files for r in load(p)}
    print("\n".join(format_table(ours, theirs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
