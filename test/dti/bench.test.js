import test from "ava";
import { dtiKernelLayout, visiblePairs, promptSegments, localIntervals } from "../../dist/bench/dti_kernel.js";
import { visible } from "./helpers.js";

test("bench dti kernel layout: packed DTI prompts of the cost-model sizes; visible pairs counted exactly", (t) => {
  const lay = dtiKernelLayout(3, 4, 100, 2); // items of 2 tokens: c = 3, t + 1 = 3
  t.is(lay.tokens.length, lay.prompts * ((3 + 4 - 1) * 3 + 4 * 3));
  t.true(lay.tokens.length >= 100);
  t.is(lay.sumIndex.length, lay.prompts * 4);
  let brute = 0;
  for (let i = 0; i < lay.tokens.length; i++) brute += visible(lay, i).length;
  t.is(visiblePairs(lay.intervals, lay.tokens.length), brute);
  const big = dtiKernelLayout(40, 40, 4096);
  t.is(big.tokens.length, big.prompts * (79 * 13 + 40 * 13));
});

test("roundRobin interleaves runs in blocks of steps and lets the others finish when one ends", async (t) => {
  const { roundRobin } = await import("../../dist/bench/pace.js");
  const pace = roundRobin(3, 2);
  const order = [];
  const run = async (i, steps) => {
    for (let s = 0; s < steps; s++) {
      await pace[i](s);
      order.push(i);
      await new Promise((r) => setImmediate(r));
    }
    await pace[i](null);
  };
  await Promise.all([run(0, 5), run(1, 3), run(2, 5)]);
  t.deepEqual(order, [0, 0, 1, 1, 2, 2, 0, 0, 1, 2, 2, 0, 2]);
});

test("bench dti per-prompt split: one segment per prompt, each token's keys the same set once made local", (t) => {
  const lay = dtiKernelLayout(3, 4, 100, 2);
  const L = lay.tokens.length;
  const segs = promptSegments(lay.intervals, L);
  t.true(lay.prompts > 1);
  t.is(segs.length, lay.prompts);
  t.is(segs[0][0], 0);
  t.is(segs.at(-1)[1], L);
  for (let p = 1; p < segs.length; p++) t.is(segs[p][0], segs[p - 1][1]);
  for (const [s, e] of segs) {
    const local = { tokens: lay.tokens.subarray(s, e), intervals: localIntervals(lay.intervals, L, s, e) };
    for (let i = s; i < e; i++) t.deepEqual(visible(local, i - s).map((j) => j + s), visible(lay, i), `token ${i}`);
  }
});

test("bench dti kernel rows: speedup and GFLOP/s are their parts; fused, dense, dense per prompt and torch ran on the same inputs (agree)", async (t) => {
  const { benchKernel } = await import("../../dist/bench/dti_kernel.js");
  const { rows, torch } = benchKernel({ quick: true, minTokens: 200 });
  // The anchor runs when a Python with torch is found, and otherwise says why not.
  t.true(torch.available ? typeof torch.version === "string" && torch.threads > 0 : typeof torch.reason === "string" && torch.reason.length > 0, JSON.stringify(torch));
  t.deepEqual(rows.map((r) => [r.n, r.k]), [[20, 20], [20, 40], [40, 20], [40, 40]]);
  const H = 4, D = 64;
  for (const r of rows) {
    const lay = dtiKernelLayout(r.n, r.k, 200);
    t.is(r.tokens, lay.tokens.length);
    t.is(r.visible_pairs, visiblePairs(lay.intervals, r.tokens));
    t.true(Math.abs(r.visible_fraction - r.visible_pairs / r.tokens ** 2) <= 5e-5);
    // ms to 0.001, speedup and GFLOP/s to 0.01, all from the same unrounded times
    const rel = (a, b, tol) => Math.abs(a - b) <= tol * Math.abs(b) + 0.01;
    t.true(rel(r.speedup, r.dense_ms / r.fused_ms, 2e-3 / Math.min(r.fused_ms, r.dense_ms) + 1e-6), `speedup ${r.speedup} vs ${r.dense_ms}/${r.fused_ms}`);
    const flops = 14 * r.visible_pairs * D * H;
    t.true(rel(r.gflops, flops / (r.fused_ms * 1e6), 1e-3 / r.fused_ms + 1e-6), `gflops ${r.gflops}`);
    t.true(rel(r.dense_gflops, flops / (r.dense_ms * 1e6), 1e-3 / r.dense_ms + 1e-6), `dense gflops ${r.dense_gflops}`);
    t.true(r.max_abs_diff < 1e-3, `fused and dense attention disagree by ${r.max_abs_diff}`);
    t.true(rel(r.speedup_vs_dense_per_prompt, r.dense_per_prompt_ms / r.fused_ms, 2e-3 / r.fused_ms + 1e-6));
    t.true(r.dense_per_prompt_max_abs_diff < 1e-3, `fused and per-prompt dense attention disagree by ${r.dense_per_prompt_max_abs_diff}`);
    if (torch.available) {
      t.true(r.torch_per_prompt_ms > 0);
      t.true(rel(r.speedup_vs_torch, r.torch_per_prompt_ms / r.fused_ms, 2e-3 / r.fused_ms + 1e-6));
      t.true(r.torch_max_abs_diff < 1e-3, `torch and the fused kernel disagree by ${r.torch_max_abs_diff}`);
    } else t.deepEqual([r.torch_per_prompt_ms, r.speedup_vs_torch, r.torch_max_abs_diff], [null, null, null]);
  }
});
