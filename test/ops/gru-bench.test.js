// `recforge bench gru`'s JSON contract (bench/harness/gru.ts) on a tiny shape so the suite stays fast; the
// real benchmark (the specs' shapes) is run by hand: `recforge bench gru --json`.
import test from "ava";
import { benchGru, findTorchPython, GRU_BENCH_SHAPES } from "../../dist/bench/gru.js";

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
