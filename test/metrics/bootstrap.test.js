// Paired bootstrap of AUC / NE differences (lib/metrics/bootstrap.ts): the weighted metrics against
// the plain float64 metrics on explicitly resampled arrays, known cases (identical models → [0, 0];
// a clearly better model → the interval excludes 0), coverage on synthetic data with a known
// population difference, the across-seed interval's formula, verdicts, bad input.
import test from "ava";
import { auc, normalizedEntropy } from "../../dist/metrics/classification.js";
import {
  pairedBootstrap, weightedAuc, weightedNormalizedEntropy, bootstrapCounts, ascendingOrder, insideMargin, betterByInterval,
  tQuantile975, tInterval95, quantile, plainDiff,
} from "../../dist/metrics/bootstrap.js";
import { mulberry32 } from "../../dist/prng.js";

const sigmoid = (x) => 1 / (1 + Math.exp(-x));
function normal(next) {
  const u = 1 - next(), v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** n rows: latent x, label ~ Bernoulli(sigmoid(1.5 x)); model A sees x with noise sa, model B with noise sb. */
function synthetic(n, seed, sa = 0.5, sb = 1.2) {
  const next = mulberry32(seed);
  const labels = new Uint8Array(n), a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = normal(next);
    labels[i] = next() < sigmoid(1.5 * x) ? 1 : 0;
    a[i] = sigmoid(1.5 * x + sa * normal(next));
    b[i] = sigmoid(1.5 * x + sb * normal(next));
  }
  return { labels, a, b };
}

/** Expands rows by their counts (the explicit bootstrap sample). */
function expand(xs, w) {
  const out = [];
  for (let i = 0; i < xs.length; i++) for (let c = 0; c < w[i]; c++) out.push(xs[i]);
  return out;
}

test("weightedAuc and weightedNormalizedEntropy with bootstrap counts equal auc() / normalizedEntropy() on the resampled arrays (ties, odd sizes)", (t) => {
  const next = mulberry32(7);
  for (const n of [2, 3, 17, 101, 640]) {
    const { labels, a } = synthetic(n, n);
    // Ties: round half of the scores to 1 decimal.
    const s = a.map((v, i) => (i % 2 ? Math.round(v * 10) / 10 : v));
    for (let rep = 0; rep < 5; rep++) {
      const w = bootstrapCounts(n, next);
      t.is(w.reduce((x, y) => x + y, 0), n);
      const ys = expand(labels, w), ss = expand(s, w);
      const ref = auc(ss, ys), got = weightedAuc(s, labels, w, ascendingOrder(s));
      if (Number.isNaN(ref)) t.true(Number.isNaN(got));
      else t.true(Math.abs(got - ref) <= 1e-12, `n ${n}: ${got} vs ${ref}`);
      const refNe = normalizedEntropy(expand(a, w), ys), gotNe = weightedNormalizedEntropy(a, labels, w);
      if (Number.isNaN(refNe)) t.true(Number.isNaN(gotNe));
      else t.true(Math.abs(gotNe - refNe) <= 1e-12 * Math.abs(refNe), `n ${n}: NE ${gotNe} vs ${refNe}`);
    }
  }
  // All weights 1: the plain metrics.
  const { labels, a } = synthetic(333, 1);
  t.true(Math.abs(weightedAuc(a, labels, new Float64Array(333).fill(1)) - auc(a, labels)) <= 1e-12);
});

test("pairedBootstrap: per-seed differences are the plain metric differences on all rows; the same seed gives the same interval", (t) => {
  // One test set (data seed 99: the same labels whatever the noise levels), three seeds' model pairs on it.
  const labels = synthetic(500, 99).labels;
  const A = [0, 1, 2].map((s) => synthetic(500, 99, 0.4 + 0.1 * s, 1.0 + 0.1 * s).a);
  const B = [0, 1, 2].map((s) => synthetic(500, 99, 0.4 + 0.1 * s, 1.0 + 0.1 * s).b);
  for (const metric of ["auc", "ne"]) {
    const r = pairedBootstrap(metric, A, B, labels, { replicates: 300, seed: 5 });
    t.is(r.seeds, 3);
    t.is(r.rows, 500);
    r.per_seed.forEach((p, s) => {
      t.true(Math.abs(p.diff - plainDiff(metric, A[s], B[s], labels)) <= 1e-12, `${metric} seed ${s}`);
      t.true(p.ci[0] <= p.diff && p.diff <= p.ci[1], `${metric} seed ${s}: ${p.diff} outside ${p.ci}`);
    });
    const again = pairedBootstrap(metric, A, B, labels, { replicates: 300, seed: 5 });
    t.deepEqual(again.interval, r.interval);
    t.deepEqual(again.per_seed, r.per_seed);
    const other = pairedBootstrap(metric, A, B, labels, { replicates: 300, seed: 6 });
    t.notDeepEqual(other.rows_interval, r.rows_interval);
  }
});

test("pairedBootstrap: identical predictions give the interval [0, 0] (every kind) and verdicts 'equal', 'no winner'", (t) => {
  const { labels, a } = synthetic(400, 3);
  for (const metric of ["auc", "ne"]) {
    const r = pairedBootstrap(metric, [a, a, a], [a, a, a], labels, { replicates: 200 });
    t.is(r.mean, 0);
    t.is(r.sd, 0);
    for (const iv of [r.interval, r.rows_interval, r.two_level_interval, r.t_interval, ...r.per_seed.map((p) => p.ci)]) t.deepEqual(iv.map(Math.abs), [0, 0]);
    t.true(insideMargin(r.interval, 0));
    t.is(betterByInterval(r.interval, r.direction), null);
  }
});

test("pairedBootstrap: a clearly better model's interval excludes 0 on its side (AUC higher, NE lower)", (t) => {
  const { labels, a, b } = synthetic(2000, 21, 0.2, 2.0);
  const au = pairedBootstrap("auc", [a], [b], labels, { replicates: 500 });
  t.true(au.interval[0] > 0, `AUC interval ${au.interval}`);
  t.is(betterByInterval(au.interval, "higher_is_better"), "A");
  const ne = pairedBootstrap("ne", [a], [b], labels, { replicates: 500 });
  t.true(ne.interval[1] < 0, `NE interval ${ne.interval}`);
  t.is(betterByInterval(ne.interval, "lower_is_better"), "A");
  // Swapped: B is the better one.
  t.is(betterByInterval(pairedBootstrap("auc", [b], [a], labels, { replicates: 200 }).interval, "higher_is_better"), "B");
  t.is(betterByInterval(pairedBootstrap("ne", [b], [a], labels, { replicates: 200 }).interval, "lower_is_better"), "B");
});

test("pairedBootstrap: 95% intervals over test rows cover the population ΔAUC and ΔNE in about 95% of fresh test sets", (t) => {
  // The population differences, from one very large sample of the same generator.
  const big = synthetic(300000, 12345);
  const truth = { auc: plainDiff("auc", big.a, big.b, big.labels), ne: plainDiff("ne", big.a, big.b, big.labels) };
  t.true(truth.auc > 0.01 && truth.ne < -0.01, JSON.stringify(truth));
  const trials = 150;
  const covered = { auc: 0, ne: 0 };
  for (let k = 0; k < trials; k++) {
    const d = synthetic(400, 1000 + k);
    for (const m of ["auc", "ne"]) {
      const r = pairedBootstrap(m, [d.a], [d.b], d.labels, { replicates: 400, seed: k });
      if (r.interval[0] <= truth[m] && truth[m] <= r.interval[1]) covered[m]++;
    }
  }
  for (const m of ["auc", "ne"]) {
    const c = covered[m] / trials;
    t.true(c >= 0.88 && c <= 0.995, `${m}: coverage ${c}`);
  }
});

test("pairedBootstrap across seeds: interval = mean ± t(S−1)·√(sd²/S + v_rows); the other intervals are reported beside it", (t) => {
  const { labels } = synthetic(600, 4);
  const A = [0, 1, 2, 3, 4].map((s) => synthetic(600, 4, 0.5 + 0.15 * s, 1.0).a);
  const B = [0, 1, 2, 3, 4].map((s) => synthetic(600, 4, 0.5, 1.0 + 0.1 * s).b);
  const r = pairedBootstrap("auc", A, B, labels, { replicates: 400, seed: 1 });
  const diffs = r.per_seed.map((p) => p.diff);
  const mean = diffs.reduce((x, y) => x + y) / 5;
  const sd = Math.sqrt(diffs.reduce((x, y) => x + (y - mean) ** 2, 0) / 4);
  t.true(Math.abs(r.mean - mean) < 1e-15 && Math.abs(r.sd - sd) < 1e-15);
  const h = 2.776 * Math.sqrt((sd * sd) / 5 + r.rows_sd ** 2);
  t.true(Math.abs(r.interval[0] - (mean - h)) < 1e-12 && Math.abs(r.interval[1] - (mean + h)) < 1e-12);
  // Wider than either component alone.
  const [tlo, thi] = tInterval95(diffs);
  t.true(r.interval[0] <= tlo && r.interval[1] >= thi);
  t.true(r.interval[1] - r.interval[0] >= r.rows_interval[1] - r.rows_interval[0]);
  // One seed: the rows bootstrap's percentile interval.
  const one = pairedBootstrap("auc", [A[0]], [B[0]], labels, { replicates: 400, seed: 1 });
  t.deepEqual(one.interval, one.rows_interval);
  t.is(one.t_interval, null);
});

test("tQuantile975 and tInterval95 match the tables; quantile interpolates", (t) => {
  t.is(tQuantile975(1), 12.706);
  t.is(tQuantile975(4), 2.776);
  t.is(tQuantile975(30), 2.042);
  t.true(Math.abs(tQuantile975(60) - 2.0003) < 1e-3);
  t.true(Math.abs(tQuantile975(1000) - 1.9623) < 1e-3);
  t.throws(() => tQuantile975(0), { instanceOf: RangeError });
  const [lo, hi] = tInterval95([1, 2, 3, 4, 5]);
  const h = (2.776 * Math.sqrt(2.5)) / Math.sqrt(5);
  t.true(Math.abs(lo - (3 - h)) < 1e-12 && Math.abs(hi - (3 + h)) < 1e-12);
  t.is(tInterval95([1]), null);
  t.is(quantile([3, 1, 2, 4], 0.5), 2.5);
  t.is(quantile([5], 0.975), 5);
});

test("verdict helpers: inside a margin only when the whole interval is; a side only when 0 is excluded", (t) => {
  t.true(insideMargin([-0.004, 0.0049], 0.005));
  t.false(insideMargin([-0.0061, 0.0007], 0.005)); // a mean of −0.0027 would round inside; the interval does not
  t.true(insideMargin([-0.0061, 0.0007], 0.01));
  t.false(insideMargin([0.001, 0.02], 0.01));
  t.throws(() => insideMargin([0, 0], -1), { instanceOf: RangeError });
  t.is(betterByInterval([0.001, 0.003], "higher_is_better"), "A");
  t.is(betterByInterval([-0.003, -0.001], "higher_is_better"), "B");
  t.is(betterByInterval([-0.003, 0.001], "higher_is_better"), null);
  t.is(betterByInterval([-0.003, -0.001], "lower_is_better"), "A");
  t.is(betterByInterval([0, 0.001], "lower_is_better"), null);
});

test("pairedBootstrap: bad input is a RangeError naming the problem", (t) => {
  const { labels, a, b } = synthetic(50, 2);
  t.throws(() => pairedBootstrap("auc", [a], [b.slice(1)], labels), { instanceOf: RangeError, message: /same test rows/ });
  t.throws(() => pairedBootstrap("auc", [a, a], [b], labels), { instanceOf: RangeError, message: /per seed/ });
  t.throws(() => pairedBootstrap("mse", [a], [b], labels), { instanceOf: RangeError, message: /metric/ });
  t.throws(() => pairedBootstrap("auc", [a], [b], labels.map((y) => y * 2)), { instanceOf: RangeError, message: /labels must be 0 or 1/ });
  const nan = a.slice();
  nan[3] = NaN;
  t.throws(() => pairedBootstrap("ne", [nan], [b], labels), { instanceOf: RangeError, message: /NaN at row 3/ });
  t.throws(() => pairedBootstrap("auc", [a], [b], labels, { replicates: 5 }), { instanceOf: RangeError, message: /replicates/ });
  t.throws(() => pairedBootstrap("auc", [a], [b], new Uint8Array(50)), { instanceOf: RangeError, message: /class/ });
});
