"""PyTorch CPU anchor of `recforge bench dti`'s kernel rows (bench/harness/dti_kernel.ts runs it in the same run,
same thread count, same prompts and same q, k, v, dout values).

What a PyTorch user runs for DTI's attention: one prompt per batch row, each with its own dense mask (the prompt's
key intervals; prompts shorter than the longest are padded, padded queries see only themselves), masked attention
forward + backward (out.backward(dout), q, k, v requiring grad), float32. torch >= 2.0:
F.scaled_dot_product_attention with the boolean mask; torch 1.13 (Debian's python3-torch) has none, so
q·kᵀ·scale → masked_fill(−inf) → softmax → ·v, what such a user writes.

  /usr/bin/python3 bench/cpu/dti_anchor.py --threads 2 --spec spec.json
spec.json: {"H", "D", "scale", "reps", "warmup", "layouts": [{"file": "<raw float32 q|k|v|dout|out_ref per prompt>",
  "prompts": [{"L": Lp, "intervals": [5*Lp ints: prefLo, prefHi, ctxLo, ctxHi, selfLo, local to the prompt]}]}]}
Each prompt's block in the file is q, k, v, dout, out_ref, each [H, Lp, D]. Prints one JSON object:
  {"torch": "<version>", "threads": n, "path": "sdpa"|"matmul-softmax", "rows": [{"times_ms": [...], "max_abs_diff_out": x}]}
"""
import argparse
import json
import time

import numpy as np
import torch


def mask_of(iv, L, Lmax):
    """Boolean [Lmax, Lmax]: query i sees [prefLo, prefHi) ∪ [ctxLo, ctxHi) ∪ [selfLo, i]; padding sees itself."""
    iv = np.asarray(iv, dtype=np.int64).reshape(5, L)
    j = np.arange(Lmax)[None, :]
    i = np.arange(L)[:, None]
    m = np.zeros((Lmax, Lmax), dtype=bool)
    m[:L] = ((j >= iv[0][:, None]) & (j < iv[1][:, None])) | ((j >= iv[2][:, None]) & (j < iv[3][:, None])) | ((j >= iv[4][:, None]) & (j <= i))
    for p in range(L, Lmax):
        m[p, p] = True
    return torch.from_numpy(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--spec", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    spec = json.load(open(a.spec))
    H, D, scale = spec["H"], spec["D"], spec["scale"]
    sdpa = getattr(torch.nn.functional, "scaled_dot_product_attention", None)
    rows = []
    for lay in spec["layouts"]:
        raw = np.fromfile(lay["file"], dtype=np.float32)
        prompts = lay["prompts"]
        B, Lmax = len(prompts), max(p["L"] for p in prompts)
        q, k, v, g, ref = (torch.zeros(B, H, Lmax, D) for _ in range(5))
        off = 0
        for b, p in enumerate(prompts):
            n = H * p["L"] * D
            for t in (q, k, v, g, ref):
                t[b, :, : p["L"]] = torch.from_numpy(raw[off : off + n].reshape(H, p["L"], D))
                off += n
        mask = torch.stack([mask_of(p["intervals"], p["L"], Lmax) for p in prompts])[:, None]  # [B, 1, L, L]
        q.requires_grad_()
        k.requires_grad_()
        v.requires_grad_()

        def attend():
            if sdpa is not None and abs(scale * D**0.5 - 1) < 1e-6:  # SDPA's default scale is 1/sqrt(D)
                return sdpa(q, k, v, attn_mask=mask)
            s = torch.matmul(q, k.transpose(-1, -2)) * scale
            s = s.masked_fill(~mask, float("-inf"))
            return torch.matmul(torch.softmax(s, dim=-1), v)

        def step():
            out = attend()
            out.backward(g)
            q.grad = k.grad = v.grad = None
            return out

        for _ in range(spec.get("warmup", 1)):
            out = step()
        diff = 0.0
        for b, p in enumerate(prompts):
            diff = max(diff, float((out[b, :, : p["L"]] - ref[b, :, : p["L"]]).abs().max()))
        times = []
        for _ in range(spec["reps"]):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        rows.append({"times_ms": times, "max_abs_diff_out": diff, "batch": B, "L": Lmax})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "path": "sdpa" if sdpa is not None and abs(spec["scale"] * spec["D"] ** 0.5 - 1) < 1e-6 else "matmul-softmax", "rows": rows}))


if __name__ == "__main__":
    main()
