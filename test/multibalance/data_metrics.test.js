// Data loaders (Census, synthetic) and metrics (AUC, NE).
import test from "ava";
import { dataTest } from "../helpers/data.js";
import { rf, prng } from "./helpers.js";

const all = (split, n = split.size) => split.gather(Int32Array.from({ length: n }, (_, i) => i));
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;

// ---- metrics --------------------------------------------------------------------------
test("auc equals the brute-force pairwise probability, ties count one half", (t) => {
  const r = prng(1);
  for (let trial = 0; trial < 5; trial++) {
    const n = 50 + trial * 7;
    const s = Array.from({ length: n }, () => Math.round(r() * 10) / 10); // many ties
    const y = Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    let num = 0, den = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (y[i] === 1 && y[j] === 0) {
          den++;
          num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    t.true(Math.abs(rf.auc(s, y) - num / den) < 1e-12);
  }
  t.is(rf.auc([0.1, 0.9], [0, 1]), 1);
  t.true(Number.isNaN(rf.auc([0.1, 0.2], [1, 1])));
  t.throws(() => rf.auc([0.1], [0, 1]), { message: /1 predictions but 2 labels/ });
  t.throws(() => rf.auc([0.1, 0.2], [0, 2]), { message: /0 or 1/ });
});

test("normalized entropy: 1 for the base rate, < 1 when informative, formula by hand", (t) => {
  const y = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
  const pbar = 0.2;
  t.true(Math.abs(rf.normalizedEntropy(new Array(10).fill(pbar), y) - 1) < 1e-12);
  const p = [0.9, 0.1, 0.2, 0.1, 0.6, 0.05, 0.1, 0.3, 0.1, 0.2];
  const ll = -y.reduce((s, yi, i) => s + (yi ? Math.log(p[i]) : Math.log(1 - p[i])), 0) / 10;
  const h = -(pbar * Math.log(pbar) + (1 - pbar) * Math.log(1 - pbar));
  t.true(Math.abs(rf.normalizedEntropy(p, y) - ll / h) < 1e-12);
  t.true(rf.normalizedEntropy(p, y) < 1);
  t.true(Number.isFinite(rf.normalizedEntropy([0, 1], [1, 0]))); // clipped, large but finite
  t.deepEqual(rf.meanStd([1, 2, 3]), { mean: 2, std: 1 });
});

// ---- synthetic ------------------------------------------------------------------------
test("synthetic: industrial shape, deterministic rows, calibrated positive rates", (t) => {
  const d = rf.syntheticMultiTask({ numTasks: 5, trainRows: 20_000, seed: 3 });
  t.is(d.schema.tasks.length, 5);
  t.is(Math.max(...d.schema.fields.map((f) => f.vocabSize)), 1_000_000);
  t.true(d.schema.fields.length >= 20);
  const b = all(d.train, 20_000);
  rf.checkBatch(b, d.schema);
  b.sparse.forEach((ids, f) => t.true(ids.every((v) => v >= 0 && v < d.schema.fields[f].vocabSize)));
  b.labels.forEach((y, k) => t.true(Math.abs(mean(y) - d.options.positiveRates[k]) < 0.01, `task ${k} rate ${mean(y)}`));
  // same seed, same rows; any position gives the same row regardless of batch composition
  const again = rf.syntheticMultiTask({ numTasks: 5, trainRows: 20_000, seed: 3 }).train.gather([17, 3]);
  t.deepEqual(Array.from(again.labels[4]), [b.labels[4][17], b.labels[4][3]]);
  t.deepEqual(Array.from(again.sparse[0]), [b.sparse[0][17], b.sparse[0][3]]);
  t.throws(() => d.train.gather([20_000]), { message: /outside the split/ });
  t.throws(() => rf.syntheticMultiTask({ numTasks: 3, conflict: 4 }), { message: /conflict/ });
});

test("synthetic: correlation and conflict control the relation between tasks", (t) => {
  const small = { vocabs: [1000, 100, 10], trainRows: 5000 };
  const hi = rf.syntheticMultiTask({ ...small, numTasks: 4, correlation: 0.95 }).scoreCorrelation();
  const lo = rf.syntheticMultiTask({ ...small, numTasks: 4, correlation: 0 }).scoreCorrelation();
  const cf = rf.syntheticMultiTask({ ...small, numTasks: 4, correlation: 0.95, conflict: 2 }).scoreCorrelation();
  t.true(hi[0][1] > 0.55, `high ${hi[0][1]}`);
  t.true(Math.abs(lo[0][1]) < hi[0][1] - 0.4, `low ${lo[0][1]}`);
  t.true(cf[0][3] < -0.5 && cf[2][3] > 0.5, `conflict ${cf[0][3]} ${cf[2][3]}`);
});

test("synthetic: regression tasks carry real-valued labels", (t) => {
  const d = rf.syntheticMultiTask({ numTasks: 3, regressionTasks: 1, vocabs: [50, 20], trainRows: 500 });
  t.deepEqual(d.schema.tasks.map((x) => x.type), ["binary", "binary", "regression"]);
  const b = all(d.train);
  t.true(b.labels[2].some((v) => v !== 0 && v !== 1));
  t.true(b.labels[0].every((v) => v === 0 || v === 1));
});

// ---- census ---------------------------------------------------------------------------
const haveCensus = rf.censusAvailable();
const censusTest = dataTest(haveCensus, `Census-Income at ${rf.censusDir()}`);

censusTest("census: 80/10/10 seeded split of 99,762 rows, both MMoE tasks, standardised dense features", (t) => {
  const d = rf.loadCensus();
  t.deepEqual([d.train.size, d.valid.size, d.test.size], [79809, 9976, 9977]);
  t.deepEqual(d.schema.tasks.map((x) => x.name), ["income", "marital"]);
  const tr = all(d.train);
  t.true(Math.abs(mean(tr.labels[0]) - 0.062) < 0.003, `income rate ${mean(tr.labels[0])}`);
  t.true(Math.abs(mean(tr.labels[1]) - 0.432) < 0.01, `marital rate ${mean(tr.labels[1])}`);
  const D = d.schema.denseDim;
  for (let j = 0; j < D; j++) {
    let s = 0, s2 = 0;
    for (let r = 0; r < tr.size; r++) {
      s += tr.dense[r * D + j];
      s2 += tr.dense[r * D + j] ** 2;
    }
    t.true(Math.abs(s / tr.size) < 1e-3 && Math.abs(s2 / tr.size - 1) < 1e-3, `dense ${j}`);
  }
  t.false(d.schema.fields.some((f) => ["marital_stat", "income_50k", "instance_weight"].includes(f.name)));
  // same seed -> same split; another seed -> another one
  const other = rf.loadCensus({ splitSeed: 7 });
  t.notDeepEqual(Array.from(all(other.test, 20).labels[1]), Array.from(all(d.test, 20).labels[1]));
  t.deepEqual(Array.from(all(rf.loadCensus().test, 20).dense), Array.from(all(d.test, 20).dense));
});

test("a missing data directory is a clear error", (t) => {
  t.throws(() => rf.loadCensus({ dir: "/nonexistent/census" }), { message: /not found at .*RECFORGE_DATA/ });
  t.false(rf.censusAvailable("/nonexistent/census"));
});
