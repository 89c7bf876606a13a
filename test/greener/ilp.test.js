// ILP sentence selection: HiGHS and branch-and-bound against brute force, the LP text, errors, fallbacks.
import test from "ava";
import {
  IlpSelector, bruteForceSelect, objectiveOf, topKIndices, greedySelect, toCplexLp, loadHighs,
} from "../../dist/methods/greener/ilp.js";
import { branchAndBound } from "../../dist/methods/greener/bnb.js";
import { mulberry32 } from "../../dist/prng.js";

/** A random pool: scores in [-0.5, 1], symmetric sims in [0, 0.6] with ~20% exact zeros, and
 *  (every other pool) a coverage term over 6 attributes. */
function randomProblem(rnd, withCoverage) {
  const n = 8 + Math.floor(rnd() * 5), k = 2 + Math.floor(rnd() * 3);
  const scores = Array.from({ length: n }, () => -0.5 + 1.5 * rnd());
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    sim[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = rnd() < 0.2 ? 0 : 0.6 * rnd();
  }
  const p = { scores, sim, k, alpha: 0.5 + rnd() };
  if (withCoverage) {
    p.coverage = {
      gamma: 0.05 + 0.3 * rnd(),
      attributes: Array.from({ length: n }, () => Array.from({ length: Math.floor(rnd() * 3) }, () => Math.floor(rnd() * 6))),
      ...(rnd() < 0.5 ? { relevant: [0, 1, 2, 3] } : {}),
    };
  }
  return p;
}

let selector;
test.before(async () => {
  selector = await IlpSelector.create();
});

test("HiGHS and branch-and-bound agree with brute force on 100 random pools (8–12, K 2–4)", (t) => {
  const rnd = mulberry32(20240601);
  let checked = 0;
  for (let trial = 0; trial < 100; trial++) {
    const p = randomProblem(rnd, trial % 2 === 1);
    const bf = bruteForceSelect(p);
    const hi = selector.select(p, { solver: "highs" });
    const bb = selector.select(p, { solver: "bnb" });
    t.is(hi.status, "optimal", `trial ${trial}: ${hi.reason}`);
    t.is(hi.solver, "highs");
    t.is(bb.status, "optimal");
    t.is(hi.selected.length, p.k);
    t.is(bb.selected.length, p.k);
    // ties may give different sets; the objective values must agree
    t.true(Math.abs(hi.objective - bf.objective) <= 1e-6, `trial ${trial}: highs ${hi.objective} vs brute force ${bf.objective}`);
    t.true(Math.abs(bb.objective - bf.objective) <= 1e-6, `trial ${trial}: bnb ${bb.objective} vs brute force ${bf.objective}`);
    t.true(Math.abs(objectiveOf(p, bf.selected) - bf.objective) <= 1e-12);
    checked++;
  }
  t.is(checked, 100);
});

test("branch-and-bound agrees with brute force on larger pools (n 20, K 5)", (t) => {
  const rnd = mulberry32(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 20, k = 5;
    const scores = Array.from({ length: n }, () => 0.1 + 0.3 * rnd());
    const sim = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = 0.3 * rnd();
    const p = { scores, sim, k };
    const bb = branchAndBound({ scores, sim, k, alpha: 1, gamma: 0, attrs: null });
    t.is(bb.status, "optimal");
    t.true(Math.abs(bb.objective - bruteForceSelect(p).objective) <= 1e-9);
  }
});

test("LP text input gives the same optimum as the matrix input; column order is x, y, c", async (t) => {
  const rnd = mulberry32(99);
  for (let trial = 0; trial < 5; trial++) {
    const p = randomProblem(rnd, trial % 2 === 0);
    const a = selector.select(p, { solver: "highs", input: "matrix" });
    const b = selector.select(p, { solver: "highs", input: "lp" });
    t.true(Math.abs(a.objective - b.objective) <= 1e-6);
  }
  const highs = await loadHighs();
  const p = randomProblem(rnd, true);
  const m = highs.createModel({ format: "lp", data: toCplexLp(p) });
  try {
    t.is(m.getColName(0), "x0");
    t.is(m.getColName(p.scores.length - 1), `x${p.scores.length - 1}`);
    t.regex(m.getColName(p.scores.length), /^y0_\d+$/);
  } finally {
    m.dispose();
  }
});

// Hand-written model for 3 candidates, K = 2, α = 1, s = (1, 0.5, 0.25),
// sim_01 = 0.5, sim_02 = 0 (no y), sim_12 = 0.25:
//   y columns only for (0,1) and (1,2); RLT rows: Σ_{j: sim>0} y_ij − (K−1) x_i + Σ_{j: sim=0} x_j ≥ 0
//   optimum: {0,2} = 1.25 (vs {0,1} = 1.5 − 0.5 = 1.0, {1,2} = 0.75 − 0.25 = 0.5)
test("toCplexLp: the tight formulation with RLT rows, written out", (t) => {
  const sim = [1, 0.5, 0, 0.5, 1, 0.25, 0, 0.25, 1];
  const p = { scores: [1, 0.5, 0.25], sim, k: 2 };
  t.is(toCplexLp(p), [
    "Maximize",
    " obj: 1 x0 + 0.5 x1 + 0.25 x2 - 0.5 y0_1 - 0.25 y1_2",
    "Subject To",
    " card: x0 + x1 + x2 = 2",
    " link0_1: -x0 - x1 + y0_1 >= -1",
    " link1_2: -x1 - x2 + y1_2 >= -1",
    " rlt0: -x0 + x2 + y0_1 >= 0",
    " rlt1: -x1 + y0_1 + y1_2 >= 0",
    " rlt2: x0 - x2 + y1_2 >= 0",
    "Bounds",
    " 0 <= y0_1 <= 1",
    " 0 <= y1_2 <= 1",
    "Binary",
    " x0 x1 x2",
    "End",
    "",
  ].join("\n"));
  const r = selector.select(p, { solver: "highs" });
  t.deepEqual(r.selected, [0, 2]);
  t.is(r.objective, 1.25);
  t.deepEqual(bruteForceSelect(p), { selected: [0, 2], objective: 1.25 });
  t.deepEqual(greedySelect(p), [0, 2]);
});

test("coverage term: γ rewards covering more attributes (hand example)", (t) => {
  // s = (1, 0.9, 0.8), no redundancy, K = 2; attributes: 0 → {a}, 1 → {a}, 2 → {b}
  // γ = 0: {0,1} = 1.9; γ = 0.2: {0,1} = 1.9 + 0.2 = 2.1 < {0,2} = 1.8 + 0.4 = 2.2
  const sim = new Float64Array(9);
  const base = { scores: [1, 0.9, 0.8], sim, k: 2 };
  t.deepEqual(selector.select(base, { solver: "highs" }).selected, [0, 1]);
  const cov = { ...base, coverage: { gamma: 0.2, attributes: [[7], [7], [9]] } };
  for (const solver of ["highs", "bnb"]) {
    const r = selector.select(cov, { solver });
    t.deepEqual(r.selected, [0, 2], solver);
    t.true(Math.abs(r.objective - 2.2) < 1e-12);
  }
  // only attribute 7 counts → back to {0,1}: 1.9 + 0.2 = 2.1 vs {0,2}: 1.8 + 0.2 = 2.0
  t.deepEqual(selector.select({ ...base, coverage: { gamma: 0.2, attributes: [[7], [7], [9]], relevant: [7] } }).selected, [0, 1]);
});

test("top-P pre-selection: only the P best scores are considered, indices map back", (t) => {
  const n = 30, rnd = mulberry32(5);
  const scores = Array.from({ length: n }, () => rnd());
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = 0.5 * rnd();
  const top = new Set(topKIndices(scores, 10));
  for (const solver of ["highs", "bnb"]) {
    const r = selector.select({ scores, sim, k: 3 }, { topP: 10, solver });
    t.is(r.pool, 10);
    t.true(r.selected.every((i) => top.has(i)), solver);
  }
  t.deepEqual(topKIndices([0.1, 0.9, 0.9, 0.5], 2), [1, 2]);
});

test("bad input gives clear errors", (t) => {
  const sim = new Float64Array(9);
  const ok = { scores: [1, 2, 3], sim, k: 2 };
  t.throws(() => selector.select({ ...ok, k: 4 }), { message: /K = 4 exceeds the pool of 3 candidates/ });
  t.throws(() => selector.select({ ...ok, k: 0 }), { message: /K must be an integer >= 1/ });
  t.throws(() => selector.select({ ...ok, scores: [1, NaN, 3] }), { message: /scores\[1\] is NaN/ });
  t.throws(() => selector.select({ ...ok, sim: new Float64Array(8) }), { message: /sim must be 3×3 = 9 values.*got 8/ });
  const asym = Float64Array.from([1, 0.2, 0, 0.3, 1, 0, 0, 0, 1]);
  t.throws(() => selector.select({ ...ok, sim: asym }), { message: /not symmetric: sim\[0\]\[1\] = 0.2 but sim\[1\]\[0\] = 0.3/ });
  const neg = Float64Array.from([1, -0.2, 0, -0.2, 1, 0, 0, 0, 1]);
  t.throws(() => selector.select({ ...ok, sim: neg }), { message: /sim\[0\]\[1\] is -0.2, expected a finite number >= 0/ });
  t.throws(() => selector.select({ ...ok, alpha: -1 }), { message: /alpha must be finite and >= 0/ });
  t.throws(() => selector.select({ ...ok, coverage: { gamma: 1, attributes: [[1]] } }), { message: /one list per candidate \(3\), got 1/ });
  t.throws(() => selector.select(ok, { topP: 1 }), { message: /topP must be an integer >= K/ });
  t.throws(() => bruteForceSelect({ scores: new Array(60).fill(0), sim: new Float64Array(3600), k: 10 }), { message: /too many/ });
});

test("fallbacks are reported: HiGHS error → top-K; K = pool needs no solver", (t) => {
  const sim = new Float64Array(9);
  const p = { scores: [0.1, 0.9, 0.5], sim, k: 2 };
  const r = selector.select(p, { solver: "highs", highsOptions: { no_such_option: 1 } });
  t.is(r.status, "fallback");
  t.is(r.solver, "topk");
  t.regex(r.reason, /HiGHS threw/);
  t.deepEqual(r.selected, [1, 2]);
  const all = selector.select({ ...p, k: 3 });
  t.is(all.status, "optimal");
  t.deepEqual(all.selected, [0, 1, 2]);
});

test("time limits: HiGHS and branch-and-bound return their best solution, not worse than top-K", (t) => {
  const n = 100, rnd = mulberry32(11);
  const scores = Array.from({ length: n }, () => 0.1 + 0.3 * rnd());
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = 0.05 + 0.25 * rnd();
  const p = { scores, sim, k: 5 };
  const topK = objectiveOf(p, topKIndices(scores, 5));
  const h = selector.select(p, { solver: "highs", timeLimitSec: 0.2 });
  t.true(["time_limit", "fallback"].includes(h.status), h.status);
  t.truthy(h.reason);
  t.true(h.objective >= topK - 1e-12);
  const b = selector.select(p, { solver: "bnb", maxNodes: 10 });
  t.is(b.status, "time_limit");
  t.regex(b.reason, /node\/time limit/);
  t.true(b.objective >= topK - 1e-12);
});
