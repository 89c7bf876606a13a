#!/usr/bin/env python3
"""PyTorch anchors for recforge's GPU benchmark (bench/native/cuda/ops_bench.cu).

Times the same operations and shapes with PyTorch on the same GPU, in the same run, so the
table that scripts/gpu-check.sh prints compares like with like: torch.matmul in fp32 (TF32
off: exact fp32, as recforge's kernel), bf16 and fp16 (cuBLAS), and the elementwise /
softmax / layer-norm / reduction / embedding / sort / top-k kernels.

With --graphs DIR (the directory cuda_gnn_bench --graphs DIR wrote) it also times the plain-
PyTorch graph anchors of graph_anchors.py (PyG-style GAT, index_add / sparse-CSR SpMM, scatter
softmax) on the same graphs, and with --balance the MultiBalance step in plain torch;
--skip-ops leaves out the GEMM / elementwise part (gpu-check.sh runs the parts as separate steps).

Usage: python3 bench/gpu/anchors.py [--json FILE] [--reps N] [--gemm-only] [--skip-ops]
                                    [--graphs DIR] [--balance]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cuda_timing  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--gemm-only", action="store_true")
    ap.add_argument("--skip-ops", action="store_true")
    ap.add_argument("--graphs")
    ap.add_argument("--balance", action="store_true")
    args = ap.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        print(f"anchors: PyTorch is not importable ({e}); no anchors", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("anchors: torch.cuda.is_available() is False; no anchors", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    print(f"PyTorch {torch.__version__} (CUDA {torch.version.cuda}) on {torch.cuda.get_device_name(0)}")
    results = []

    def time_ms(fn, reps=args.reps):
        return cuda_timing.time_ms(torch, fn, reps, warmup=1)

    def report(name, shape, ms, flops=0.0, nbytes=0.0):
        r = {"name": name, "shape": shape, "ms": ms,
             "tflops": flops / ms / 1e9 if flops else 0.0, "gbps": nbytes / ms / 1e6 if nbytes else 0.0}
        extra = (f"  {r['tflops']:8.2f} TFLOP/s" if flops else "") + (f"  {r['gbps']:8.1f} GB/s" if nbytes else "")
        print(f"{name:<28} {shape:<22} {ms:10.4f} ms{extra}", flush=True)
        results.append(r)
        if args.json:  # rewritten after every row: a step that runs out of time keeps what finished
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)

    for n in ((1024, 2048, 4096) if not args.skip_ops else ()):
        shape = f"{n}x{n}x{n}"
        flops = 2.0 * n ** 3
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        report("torch_matmul_f32", shape, time_ms(lambda: torch.matmul(a, b)), flops)
        ah, bh = a.bfloat16(), b.bfloat16()
        report("torch_matmul_bf16", shape, time_ms(lambda: torch.matmul(ah, bh)), flops)
        report("torch_matmul_bf16_tn", shape, time_ms(lambda: torch.matmul(ah.t(), bh)), flops)
        af, bf = a.half(), b.half()
        report("torch_matmul_fp16", shape, time_ms(lambda: torch.matmul(af, bf)), flops)
        del a, b, ah, bh, af, bf

    if not args.gemm_only and not args.skip_ops:
        n = 1 << 26
        x = torch.randn(n, device=dev)
        y = torch.randn(n, device=dev)
        report("torch_exp", str(n), time_ms(lambda: torch.exp(x)), 0, 8.0 * n)
        report("torch_add", str(n), time_ms(lambda: torch.add(x, y)), 0, 12.0 * n)
        report("torch_randn", str(n), time_ms(lambda: torch.randn(n, device=dev)), 0, 4.0 * n)
        rows, c = 65536, 512
        xs = x[: rows * c].view(rows, c)
        report("torch_softmax", "65536x512", time_ms(lambda: torch.softmax(xs, dim=1)), 0, 8.0 * rows * c)
        g = torch.ones(c, device=dev)
        bb = torch.zeros(c, device=dev)
        report("torch_layer_norm", "65536x512",
               time_ms(lambda: torch.nn.functional.layer_norm(xs, (c,), g, bb, 1e-5)), 0, 8.0 * rows * c)
        xm = x.view(8192, 8192)
        report("torch_sum_rows", "8192x8192", time_ms(lambda: xm.sum(dim=1)), 0, 4.0 * 8192 * 8192)
        report("torch_sum_cols", "8192x8192", time_ms(lambda: xm.sum(dim=0)), 0, 4.0 * 8192 * 8192)
        trows, d, m = 1 << 20, 64, 1 << 20
        table = x.view(trows, d)
        idx = torch.randint(0, trows, (m,), device=dev)
        report("torch_embedding_gather", "1Mx64 <- 1M", time_ms(lambda: table.index_select(0, idx)), 0, 8.0 * m * d)
        src = y.view(m, d)
        out = torch.zeros(trows, d, device=dev)
        report("torch_embedding_index_add", "1M -> 1Mx64", time_ms(lambda: out.index_add_(0, idx, src)), 0,
               12.0 * m * d)
        xs2 = x[: 1024 * 4096].view(1024, 4096)
        report("torch_sort_rows", "1024x4096", time_ms(lambda: torch.sort(xs2, dim=1, descending=True, stable=True)))
        xt = x[: 256 * 100000].view(256, 100000)
        report("torch_topk_100", "256x100000", time_ms(lambda: torch.topk(xt, 100, dim=1)))

    if args.graphs or args.balance:
        import numpy as np

        import graph_anchors
        torch.backends.cuda.matmul.allow_tf32 = False
        if args.graphs:
            graph_anchors.run_graphs(torch, np, args.graphs, time_ms, report)
        if args.balance:
            graph_anchors.run_balance(torch, time_ms, report)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
