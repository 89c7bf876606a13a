// `recforge bench gru`'s JSON contract (bench/harness/gru.ts) on a tiny shape so the suite stays fast; the
// real benchmark (the specs' shapes) is run by hand: `recforge bench gru --json`.
import test from "ava";
import { benchGru, findTorchPython, GRU_BENCH_SHAPES, gruGemmFlops, gruGemms } from "../../dist/bench/gru.js";

const tiny = [{ B: 3, T: 4, in: 5, H: 6, bidirectional: true }];

test("bench gru: rows carry {B, T, in, H, bidirectional, fused_ms, op_by_op_ms, speedup, torch_ms}; --no-torch gives torch_ms null with the reason", (t) => {
  const r = benchGru({ quick: true, torch: false, shapes: tiny });
  t.is(r.rows.length, 1);
  const row = r.rows[0];
  for (const k of ["B", "T", "in", "H", "bidirectional", "fused_ms", "op_by_op_ms", "speedup", "torch_ms"]) t.true(k in row, k);
  t.deepEqual([row.B, row.T, row.in, row.H, row.bidirectional], [3, 4, 5, 6, true]);
  t.true(row.fused_ms > 0 && row.op_by_op_ms > 0);
  const near = (a, b) => Math.abs(a - b) <= 0.05 * Math.abs(b) + 0.01; // the ms are rounded to 0.01
  t.true(near(row.speedup, row.op_by_op_ms / row.fused_ms), `speedup ${row.speedup}`);
  t.true(row.max_abs_diff < 1e-5, "fused and op-by-op agree");
  t.is(row.torch_ms, null);
  t.false(r.torch.available);
  t.regex(r.torch.reason, /skipped/);
  t.is(r.provenance.machine.threads, r.provenance.machine.threads | 0);
  t.is(r.rounds, 2);
  // the floor: GEMM work at the GEMM rate measured in the same run
  t.is(row.gflop, Math.round(gruGemmFlops(row) / 1e3) / 1e6);
  t.true(row.gemm_gflops > 0 && row.floor_ms > 0, `gemm ${row.gemm_gflops} GFLOP/s, floor ${row.floor_ms} ms`);
  const rel = (a, b) => Math.abs(a - b) <= 0.05 * Math.abs(b) + 2e-3; // floor_ms, gemm_gflops are rounded
  t.true(rel(row.floor_ms, (row.gflop / row.gemm_gflops) * 1e3), `floor ${row.floor_ms}`);
  t.true(near(row.fused_fraction_of_peak, row.floor_ms / row.fused_ms), `fraction ${row.fused_fraction_of_peak}`);
  t.true(near(row.speedup_at_floor, row.op_by_op_ms / row.floor_ms), `speedup at floor ${row.speedup_at_floor}`);
});

test("bench gru: GEMM FLOPs of forward + backward = 18·D·B·T·H·(in + H); the CompExp shape is 41.47 GFLOP", (t) => {
  // Large bidirectional shape by hand: per direction 6 products of 2·B·T·3H·{in or H} each
  // (X·W_ihᵀ, dgiᵀ·X, dgi·W_ih with in; h·W_hhᵀ, dgh·W_hh, dghᵀ·h_prev with H).
  const big = { B: 256, T: 25, in: 300, H: 300, bidirectional: true };
  t.is(gruGemmFlops(big), 2 * (3 * (2 * 256 * 25 * 900 * 300) + 3 * (2 * 256 * 25 * 900 * 300)));
  t.is(gruGemmFlops(big), 41_472_000_000);
  // in != H and one direction: the in-products and H-products are told apart.
  t.is(gruGemmFlops({ B: 100, T: 8, in: 500, H: 10, bidirectional: false }), 3 * 2 * 800 * 30 * 500 + 3 * 2 * 800 * 30 * 10);
  for (const s of [{ B: 3, T: 1, in: 7, H: 5, bidirectional: true }, { B: 100, T: 30, in: 50, H: 50, bidirectional: false }, { B: 1, T: 9, in: 2, H: 13, bidirectional: true }]) {
    const D = s.bidirectional ? 2 : 1;
    t.is(gruGemmFlops(s), 18 * D * s.B * s.T * s.H * (s.in + s.H), JSON.stringify(s));
  }
  // six products per direction, two of them once per step
  const g = gruGemms({ B: 4, T: 6, in: 3, H: 2, bidirectional: false });
  t.is(g.length, 6);
  t.deepEqual(g.map((x) => x.count).sort(), [1, 1, 1, 1, 6, 6]);
});

test("bench gru: the PyTorch anchor runs in the same command when a Python with torch exists, else says why", (t) => {
  const found = findTorchPython();
  const r = benchGru({ quick: true, shapes: tiny });
  if (found.python) {
    t.true(r.torch.available, r.torch.reason ?? "");
    t.true(r.rows[0].torch_ms > 0);
    t.is(r.torch.threads, r.provenance.machine.threads, "same thread count as recforge's pool");
    const near = (a, b) => Math.abs(a - b) <= 0.05 * Math.abs(b) + 0.01;
    t.true(near(r.rows[0].torch_ratio, r.rows[0].torch_ms / r.rows[0].fused_ms), `torch_ratio ${r.rows[0].torch_ratio}`);
  } else {
    t.is(r.rows[0].torch_ms, null);
    t.regex(r.torch.reason, /python3-torch/);
  }
});

test("bench gru: the default shapes are the specs' (GatedLongRec, CTA, CompExp)", (t) => {
  t.deepEqual(GRU_BENCH_SHAPES.map((s) => [s.B, s.T, s.in, s.H, s.bidirectional]), [
    [100, 30, 50, 50, false], [100, 8, 500, 10, true], [256, 25, 300, 300, true],
  ]);
});
