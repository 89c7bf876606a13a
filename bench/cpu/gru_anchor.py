"""PyTorch CPU anchor of `recforge bench gru` (bench/harness/gru.ts runs it in the same run, same thread count).

Times torch.nn.GRU (batch_first, float32, CPU) forward + backward — output.backward(G) with x, h0 and every
weight requiring grad, the same work recforge's fused GRU does — at the given shapes, with the given number
of intra-op threads. Prints one JSON object on stdout:
  {"torch": "<version>", "threads": n, "rows": [{"B", "T", "in", "H", "bidirectional", "times_ms": [...]}]}

  /usr/bin/python3 bench/cpu/gru_anchor.py --threads 2 --reps 3 --warmup 1 \
      --shapes '[{"B":100,"T":30,"in":50,"H":50,"bidirectional":false}]'
"""
import argparse
import json
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--shapes", required=True, help="JSON list of {B, T, in, H, bidirectional[, reps]}")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows = []
    for s in json.loads(a.shapes):
        B, T, IN, H, bi = s["B"], s["T"], s["in"], s["H"], bool(s["bidirectional"])
        D = 2 if bi else 1
        gru = torch.nn.GRU(IN, H, batch_first=True, bidirectional=bi)
        x = torch.randn(B, T, IN, requires_grad=True)
        h0 = torch.randn(D, B, H, requires_grad=True)
        g = torch.randn(B, T, D * H)

        def step():
            out, _ = gru(x, h0)
            out.backward(g)
            x.grad = None
            h0.grad = None
            gru.zero_grad(set_to_none=True)

        for _ in range(a.warmup):
            step()
        times = []
        for _ in range(int(s.get("reps", a.reps))):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        rows.append({"B": B, "T": T, "in": IN, "H": H, "bidirectional": bi, "times_ms": times})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}))


if __name__ == "__main__":
    main()
