// Sampled softmax with a log-uniform sampler: the exact-cover identity (every item drawn once,
// no correction = full softmax cross-entropy, values and gradients), accidental hits, the
// sampler's distribution and expected counts, a finite-difference gradient check, bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { mulberry32 as prng } from "../../dist/prng.js";
import { assertGradcheck } from "../helpers/gradcheck.js";

const randn = (r, n) => Array.from({ length: n }, () => r() * 2 - 1);
function shuffled(r, n) {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
function leaves(r, B, H, N, dtype) {
  return {
    h: rf.tensor(randn(r, B * H), { dtype, shape: [B, H], requiresGrad: true }),
    w: rf.tensor(randn(r, N * H), { dtype, shape: [N, H], requiresGrad: true }),
    b: rf.tensor(randn(r, N), { dtype, shape: [N], requiresGrad: true }),
  };
}
const maxAbsDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

for (const dtype of ["float64", "float32"])
  test(`exact cover (${dtype}): every item drawn once, no correction = full softmax CE, values and gradients`, (t) => {
    const r = prng(dtype === "float64" ? 1 : 2);
    const [B, H, N] = [6, 5, 13];
    const { h, w, b } = leaves(r, B, H, N, dtype);
    const targets = Array.from({ length: B }, () => Math.floor(r() * N));
    const sample = { ids: Int32Array.from(shuffled(r, N)), sampledLogQ: null, targetLogQ: null };
    const tol = dtype === "float64" ? 1e-12 : 2e-6;

    const sampled = rf.sampledSoftmaxLoss(h, w, b, targets, sample, { correction: false });
    sampled.backward();
    const gs = [h, w, b].map((x) => Array.from(x.grad.toTypedArray()));
    [h, w, b].forEach((x) => x.zeroGrad());
    const full = rf.crossEntropy(rf.linear(h, w, b), rf.tensor(targets, { dtype: "int32" }));
    full.backward();
    const gf = [h, w, b].map((x) => Array.from(x.grad.toTypedArray()));
    t.true(Math.abs(sampled.item() - full.item()) < tol, `${sampled.item()} vs ${full.item()}`);
    gs.forEach((g, i) => t.true(maxAbsDiff(g, gf[i]) < tol, `grad ${i}: ${maxAbsDiff(g, gf[i])}`));
    // a constant correction (every item's log expected count equal) changes nothing either
    const c = { ids: sample.ids, sampledLogQ: new Float64Array(N).fill(-0.7), targetLogQ: new Float64Array(B).fill(-0.7) };
    const shifted = rf.sampledSoftmaxLoss(h, w, b, targets, c);
    t.true(Math.abs(shifted.item() - full.item()) < tol);
    // targets as an int32 tensor give the same loss
    const tt = rf.tensor(targets, { dtype: "int32" });
    const again = rf.sampledSoftmaxLoss(h, w, b, tt, sample, { correction: false });
    t.is(again.item(), sampled.item());
    for (const x of [sampled, full, shifted, again, tt, h, w, b]) x.dispose();
  });

test("accidental hits are masked and the correction is −log(expected count): float64 by hand", (t) => {
  const r = prng(5);
  const [B, H, N] = [3, 4, 9];
  const { h, w, b } = leaves(r, B, H, N, "float64");
  const targets = [2, 7, 2];
  const sampler = rf.LogUniformSampler.fromCounts([0, 5, 9, 1, 1, 3, 8, 2, 4], { exclude: [0], seed: 11 });
  const smp = sampler.sample(5, targets);
  smp.ids[1] = 2; // force an accidental hit for rows 0 and 2 (2 is not drawn elsewhere: replace its logQ too)
  for (let s = 0; s < 5; s++) if (s !== 1 && smp.ids[s] === 2) smp.ids[s] = 3;
  smp.sampledLogQ = Float64Array.from(smp.ids, (id, s) => Math.log(-Math.expm1(smp.tries * Math.log1p(-sampler.probability(id)))));
  const loss = rf.sampledSoftmaxLoss(h, w, b, targets, smp);
  const H_ = Array.from(h.toTypedArray()), W_ = Array.from(w.toTypedArray()), b_ = Array.from(b.toTypedArray());
  const logit = (row, id) => H_.slice(row * H, row * H + H).reduce((s, x, k) => s + x * W_[id * H + k], 0) + b_[id];
  let ref = 0;
  for (let row = 0; row < B; row++) {
    const l = [logit(row, targets[row]) - smp.targetLogQ[row]];
    for (let s = 0; s < 5; s++) if (smp.ids[s] !== targets[row]) l.push(logit(row, smp.ids[s]) - smp.sampledLogQ[s]);
    const m = Math.max(...l);
    ref += m + Math.log(l.reduce((a, x) => a + Math.exp(x - m), 0)) - l[0];
  }
  ref /= B;
  t.true(Math.abs(loss.item() - ref) < 1e-12, `${loss.item()} vs ${ref}`);
  for (const x of [loss, h, w, b]) x.dispose();
});

test("sampled softmax gradient check (correction, accidental hits, bias)", (t) => {
  const r = prng(8);
  const [B, H, N] = [4, 3, 11];
  const { h, w, b } = leaves(r, B, H, N, "float64");
  const targets = [1, 4, 4, 9];
  const sampler = rf.LogUniformSampler.fromCounts(Array.from({ length: N }, (_, i) => N - i), { seed: 3 });
  const smp = sampler.sample(6, targets);
  smp.ids[0] = 4; // an accidental hit for rows 1 and 2
  smp.sampledLogQ[0] = Math.log(-Math.expm1(smp.tries * Math.log1p(-sampler.probability(4))));
  assertGradcheck(t, (hh, ww, bb) => rf.sampledSoftmaxLoss(hh, ww, bb, targets, smp), [h, w, b], { what: "sampled softmax" });
  for (const x of [h, w, b]) x.dispose();
});

test("LogUniformSampler: seeded, distinct draws, Zipf over rank, expected counts", (t) => {
  const N = 50;
  const counts = Array.from({ length: N + 1 }, (_, i) => (i === 0 ? 0 : (i * 7919) % 101)); // item 0: padding
  const a = rf.LogUniformSampler.fromCounts(counts, { exclude: [0], seed: 42 });
  const b = rf.LogUniformSampler.fromCounts(counts, { exclude: [0], seed: 42 });
  const sa = a.sample(20), sb = b.sample(20);
  t.deepEqual(Array.from(sa.ids), Array.from(sb.ids));
  t.is(new Set(sa.ids).size, 20);
  t.false(sa.ids.includes(0));
  t.true(sa.tries >= 20);
  // probabilities over the candidates sum to 1; the most frequent item has rank 0
  let total = 0;
  for (let id = 0; id <= N; id++) total += a.probability(id);
  t.true(Math.abs(total - 1) < 1e-12);
  const top = counts.indexOf(Math.max(...counts));
  t.true(Math.abs(a.probability(top) - Math.log(2) / Math.log(N + 1)) < 1e-15);
  t.is(a.probability(0), 0);
  // the sample's logQ follows the unique-sampling formula 1 − (1 − p)^tries
  sa.ids.forEach((id, s) => t.true(Math.abs(sa.sampledLogQ[s] - Math.log(1 - (1 - a.probability(id)) ** sa.tries)) < 1e-12));
  // with repetition: empirical frequencies match P within sampling error
  const rep = rf.LogUniformSampler.fromCounts(counts, { exclude: [0], seed: 7, unique: false });
  const D = 200000, freq = new Map();
  const s = rep.sample(D);
  for (const id of s.ids) freq.set(id, (freq.get(id) ?? 0) + 1);
  let worst = 0;
  for (let id = 1; id <= N; id++) {
    const p = rep.probability(id), f = (freq.get(id) ?? 0) / D;
    worst = Math.max(worst, Math.abs(f - p) / Math.sqrt(p * (1 - p) / D));
  }
  t.true(worst < 5, `worst z-score ${worst}`);
  t.true(Math.abs(s.sampledLogQ[0] - Math.log(D * rep.probability(s.ids[0]))) < 1e-12);
  // state round trip continues the same stream
  const st = a.getState();
  const next = a.sample(5).ids;
  a.setState(st);
  t.deepEqual(Array.from(a.sample(5).ids), Array.from(next));
});

test("sampled softmax / sampler bad input", (t) => {
  const h = rf.zeros([2, 3]), w = rf.zeros([5, 3]), b = rf.zeros([5]);
  const smp = { ids: Int32Array.from([1, 2]), sampledLogQ: null, targetLogQ: null };
  t.throws(() => rf.sampledSoftmaxLoss(h, rf.zeros([5, 4]), b, [0, 1], smp, { correction: false }), { message: /weight must be \[items, 3\]/ });
  t.throws(() => rf.sampledSoftmaxLoss(h, w, rf.zeros([4]), [0, 1], smp, { correction: false }), { message: /bias must be \[5\] or null/ });
  t.throws(() => rf.sampledSoftmaxLoss(h, w, b, [0], smp, { correction: false }), { message: /1 targets for 2 rows/ });
  t.throws(() => rf.sampledSoftmaxLoss(h, w, b, [0, 5], smp, { correction: false }), { message: /target 5 at position 1 is out of range \[0, 5\)/ });
  t.throws(() => rf.sampledSoftmaxLoss(h, w, b, [0, 1], { ids: Int32Array.from([9]) }, { correction: false }), { message: /sampled id 9/ });
  t.throws(() => rf.sampledSoftmaxLoss(h, w, b, [0, 1], smp), { message: /correction needs sample.sampledLogQ/ });
  t.throws(() => new rf.LogUniformSampler([1, 1]), { message: /item 1 appears twice/ });
  t.throws(() => new rf.LogUniformSampler([]), { message: /at least one candidate/ });
  const s = new rf.LogUniformSampler([3, 1, 2]);
  t.throws(() => s.sample(4), { message: /4 distinct samples requested from 3 candidates/ });
  t.throws(() => s.sample(2, [0]), { message: /target item 0 is not a candidate/ });
  for (const x of [h, w, b]) x.dispose();
});
