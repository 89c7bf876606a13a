#!/usr/bin/env python3
"""PyTorch anchor for recforge's DTI interval attention on the GPU (scripts/gpu-check.sh).

Reads the layouts cuda_attention_bench wrote (--layouts DIR: dti_layouts.json and raw int32
[5, L] interval files, see dti_layouts.py), so both sides run the identical masks, and times on
the same shapes (B = 1, H heads, L tokens, head dims from the index), bf16, forward and
forward + backward:
  torch_flex_attn_*   FlexAttention (torch.compile'd, as it must be for speed) with a BlockMask
                      from create_block_mask over mask_mod(b, h, q_idx, kv_idx) = the interval rule
  torch_sdpa_mask_*   dense scaled_dot_product_attention with a boolean [L, L] mask, memory-
                      efficient backend (the only fused SDPA backend that takes a mask), where it fits
FLOP rates count visible pairs V only, as recforge's do: 4·V·D·H forward, 14·V·D·H forward + backward.

Before timing: the numpy checks of dti_layouts.py on every layout, and the cross-check case
(recforge's fp32 output on a prefix of the first layout) against SDPA (and eager FlexAttention)
in fp32 on the same inputs: proof that both sides compute the same attention with the same mask.

One compile per head dim: every layout has the same L, and the interval tensors mask_mod reads
are one set of buffers whose contents are replaced per layout (a new closure or new tensors would
make torch.compile guard-fail and recompile).

Prints one JSON object per line (grep '^{'); --json FILE gets the table rows (bench/gpu/table.py),
rewritten after every case so a timeout keeps what finished.
Usage: python3 bench/gpu/flex_anchor.py --layouts DIR [--json FILE] [--reps N] [--no-sdpa] [--deadline S]
"""
import argparse
import json
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cuda_timing  # noqa: E402
import dti_layouts  # noqa: E402
import numpy as np  # noqa: E402

ROWS = []


def emit(obj):
    print(json.dumps(obj), flush=True)


def flush_rows(path):
    if path:
        with open(path, "w") as f:
            json.dump(ROWS, f, indent=1)


def add_row(name, shape, ms, flops):
    ROWS.append({"name": name, "shape": shape, "ms": ms, "tflops": flops / ms / 1e9 if flops and ms else 0.0,
                 "gbps": 0.0})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layouts", required=True)
    ap.add_argument("--json")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--no-sdpa", action="store_true")
    ap.add_argument("--deadline", type=float, default=float(os.environ.get("BENCH_DEADLINE_S", 0)),
                    help="seconds after start past which no new case is started (0: none; default "
                         "$BENCH_DEADLINE_S, which scripts/gpu-check.sh sets from the step's time limit)")
    args = ap.parse_args()
    t_start = time.time()

    index = dti_layouts.load_index(args.layouts)
    problems = dti_layouts.check_directory(args.layouts)
    if problems:
        emit({"bench": "interval_attention", "impl": "torch", "skipped": "layout files failed the numpy checks",
              "problems": problems})
        return 1
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        emit({"bench": "interval_attention", "impl": "torch", "skipped": f"PyTorch is not importable ({e})"})
        return 2
    if not torch.cuda.is_available():
        emit({"bench": "interval_attention", "impl": "torch", "skipped": "torch.cuda.is_available() is False"})
        return 2
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    except Exception as e:  # noqa: BLE001
        create_block_mask = flex_attention = None
        emit({"bench": "interval_attention", "impl": "torch_flex", "skipped":
              f"no FlexAttention in torch {torch.__version__} ({type(e).__name__}: {e}); needs torch >= 2.5"})
    dev = torch.device("cuda")
    print(f"PyTorch {torch.__version__} (CUDA {torch.version.cuda}) on {torch.cuda.get_device_name(0)}", flush=True)
    warnings.filterwarnings("ignore", message=".*flex_attention.*")

    def time_ms(fn, reps=args.reps, warmup=2):
        return cuda_timing.time_ms(torch, fn, reps, warmup)

    def sdpa_efficient():
        """A context manager selecting the memory-efficient SDPA backend (None when this torch has none)."""
        try:
            from torch.nn.attention import SDPBackend, sdpa_kernel
            return sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION])
        except Exception:  # noqa: BLE001
            try:
                return torch.backends.cuda.sdp_kernel(enable_flash=False, enable_math=False, enable_mem_efficient=True)
            except Exception:  # noqa: BLE001
                return None

    def block_mask_for(mask_mod, L):
        try:
            return create_block_mask(mask_mod, None, None, L, L, device="cuda", _compile=True)
        except TypeError:  # newer torch: no _compile; compiling create_block_mask is the documented way
            return torch.compile(create_block_mask)(mask_mod, None, None, L, L, device="cuda")

    def dense_mask(iv_t, L):
        i = torch.arange(L, device=dev)  # int64 indices (int32 index tensors need torch >= 2.0)
        return dti_layouts.allowed(iv_t, i[:, None], i[None, :])

    # ---- cross-check: recforge's fp32 output vs SDPA / eager FlexAttention on the same inputs ----
    cc = index.get("crosscheck")
    if cc:
        d = args.layouts
        L, H, D = cc["tokens"], cc["heads"], cc["dim"]
        ivc = torch.from_numpy(dti_layouts.load_ints(os.path.join(d, cc["iv"]), (5, L))).to(dev)
        ld = {k: torch.from_numpy(np.fromfile(os.path.join(d, cc[k]), dtype="<f4").reshape(1, H, L, D)).to(dev)
              for k in ("q", "k", "v", "out")}
        res = {"bench": "crosscheck", "layout": cc["layout"], "tokens": L, "heads": H, "head_dim": D}
        try:
            torch.backends.cuda.matmul.allow_tf32 = False
            with torch.no_grad():
                ref = torch.nn.functional.scaled_dot_product_attention(ld["q"], ld["k"], ld["v"],
                                                                       attn_mask=dense_mask(ivc, L), scale=cc["scale"])
            res["sdpa_f32_max_abs_diff"] = float((ref - ld["out"]).abs().max())
            if flex_attention is not None:
                def mm_check(b, h, q_idx, kv_idx):
                    return dti_layouts.allowed(ivc, q_idx, kv_idx)
                bm = create_block_mask(mm_check, None, None, L, L, device="cuda")
                with torch.no_grad():
                    fo = flex_attention(ld["q"], ld["k"], ld["v"], block_mask=bm, scale=cc["scale"])  # eager: reference path
                res["flex_eager_f32_max_abs_diff"] = float((fo - ld["out"]).abs().max())
            worst = max(v for k, v in res.items() if k.endswith("max_abs_diff"))
            res["ok"] = worst <= 1e-4
        except Exception as e:  # noqa: BLE001
            res["error"] = f"{type(e).__name__}: {e}"
        emit(res)

    # ---- timed cases ----
    H = index["heads"]
    lays = index["layouts"]
    L = lays[0]["tokens"]
    if any(e["tokens"] != L for e in lays):
        emit({"bench": "interval_attention", "impl": "torch", "skipped": "layouts of different lengths (one L expected)"})
        return 1
    iv_buf = torch.empty(5, L, dtype=torch.int32, device=dev)  # the one set of rows mask_mod reads

    def mask_mod(b, h, q_idx, kv_idx):
        return dti_layouts.allowed(iv_buf, q_idx, kv_idx)

    flex_c = torch.compile(flex_attention, dynamic=False) if flex_attention is not None else None
    sdpa_ctx_ok = not args.no_sdpa and sdpa_efficient() is not None
    masks = {}
    cases = [(D, e) for D in index["dims"] for e in lays]  # head dim outer: one compile per head dim
    for ci, (D, e) in enumerate(cases):
        if args.deadline and time.time() - t_start > args.deadline:
            emit({"bench": "interval_attention", "impl": "torch", "skipped":
                  f"deadline of {args.deadline:.0f}s reached; {len(cases) - ci} case(s) not run: "
                  + ", ".join(f"{x['name']} D{d}" for d, x in cases[ci:])})
            break
        iv_buf.copy_(torch.from_numpy(dti_layouts.load_layout(args.layouts, e)).to(dev))
        V = e["visible_pairs"]
        shape = f"{e['name']} L{L} H{H} D{D}"
        f_fwd, f_all = 4.0 * V * D * H, 14.0 * V * D * H
        base = {"bench": "interval_attention", "dtype": "bf16", "layout": e["name"], "n": e["n"], "k": e["k"],
                "tokens": L, "prompts": e["prompts"], "heads": H, "head_dim": D, "visible_pairs": V,
                "visible_fraction": V / (L * L)}
        g = torch.Generator(device=dev).manual_seed(1000 + 10 * e["n"] + e["k"] + D)
        q, k, v, dout = (torch.randn(1, H, L, D, device=dev, generator=g).bfloat16() for _ in range(4))
        for t in (q, k, v):
            t.requires_grad_(True)
        flex_out = None
        if flex_c is not None:
            try:
                t0 = time.time()
                # A BlockMask keeps mask_mod, which reads iv_buf when flex evaluates partial
                # blocks: a cached mask is only valid while iv_buf holds its layout, which is
                # the case here (iv_buf was just loaded with layout e).
                if e["name"] not in masks:
                    masks[e["name"]] = block_mask_for(mask_mod, L)
                bm = masks[e["name"]]
                mask_s = time.time() - t0
                t0 = time.time()
                out = flex_c(q, k, v, block_mask=bm)
                torch.autograd.grad(out, (q, k, v), dout)
                torch.cuda.synchronize()
                first_s = time.time() - t0
                ms_f = time_ms(lambda: flex_c(q, k, v, block_mask=bm))
                ms_fb = time_ms(lambda: torch.autograd.grad(flex_c(q, k, v, block_mask=bm), (q, k, v), dout))
                with torch.no_grad():
                    flex_out = flex_c(q, k, v, block_mask=bm).float()
                emit({**base, "impl": "torch_flex", "ms_fwd": ms_f, "ms_fwd_bwd": ms_fb,
                      "tflops_fwd": f_fwd / ms_f / 1e9, "tflops_fwd_bwd": f_all / ms_fb / 1e9,
                      "block_mask_s": round(mask_s, 2), "first_call_s": round(first_s, 2),
                      "block_mask_sparsity": float(bm.sparsity()) if hasattr(bm, "sparsity") else None})
                add_row("torch_flex_attn_fwd_bf16", shape, ms_f, f_fwd)
                add_row("torch_flex_attn_fwd_bwd_bf16", shape, ms_fb, f_all)
            except Exception as ex:  # noqa: BLE001
                emit({**base, "impl": "torch_flex", "error": f"{type(ex).__name__}: {str(ex)[:300]}"})
            flush_rows(args.json)
        if sdpa_ctx_ok:
            try:
                mask = dense_mask(iv_buf, L)
                with sdpa_efficient():
                    sd = torch.nn.functional.scaled_dot_product_attention
                    ms_f = time_ms(lambda: sd(q, k, v, attn_mask=mask))
                    ms_fb = time_ms(lambda: torch.autograd.grad(sd(q, k, v, attn_mask=mask), (q, k, v), dout))
                    with torch.no_grad():
                        so = sd(q, k, v, attn_mask=mask).float()
                extra = {}
                if flex_out is not None:
                    extra["flex_vs_sdpa_max_abs_diff"] = float((flex_out - so).abs().max())
                emit({**base, "impl": "torch_sdpa_mask", "ms_fwd": ms_f, "ms_fwd_bwd": ms_fb,
                      "tflops_fwd": f_fwd / ms_f / 1e9, "tflops_fwd_bwd": f_all / ms_fb / 1e9, **extra})
                add_row("torch_sdpa_mask_fwd_bf16", shape, ms_f, f_fwd)
                add_row("torch_sdpa_mask_fwd_bwd_bf16", shape, ms_fb, f_all)
                del mask
            except Exception as ex:  # noqa: BLE001 (out of memory, backend refuses the mask, ...)
                emit({**base, "impl": "torch_sdpa_mask", "skipped": f"{type(ex).__name__}: {str(ex)[:300]}"})
                torch.cuda.empty_cache()
            flush_rows(args.json)
        del q, k, v, dout, flex_out
    flush_rows(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
