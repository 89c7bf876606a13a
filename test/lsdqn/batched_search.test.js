// lsdqnSearch runs the R starts of one instance as one batch of the native environment and of the
// batched graph (or in chunks, option chunk). The rows are independent, so batching must not change
// any outcome: checked here that every start's best objective and move count are the same when the R
// starts run together, one by one (R = 1 each) and in chunks of odd size, for Max-Cut (residual network
// with non-zero W0, λ = 0.3, tabu guard; and the full-Q network without guard), TSP (residual + guard)
// and k-cut (the spec's network), in float32 (the evaluation dtype) and float64. Also: the cached
// edge term (ForwardCache.edgeTerm, computed once per search) gives the same Q-values as the forward
// that recomputes it, and bad chunk / start / cache arguments get a RangeError.
import test from "ava";
import * as rf from "../../dist/index.js";
import { Rng } from "../../dist/prng.js";
import { lsdqnSearch } from "../../dist/methods/lsdqn/search.js";
import { noGradOps, tidy } from "../../dist/methods/lsdqn/train/ops.js";
import { nonZeroNet } from "./nets.js";

const { lsdqn } = rf;

function instanceOf(problem, n, seed) {
  if (problem === "tsp") return lsdqn.uniformPoints(n, lsdqn.instanceRng(seed, 0));
  if (problem === "kcut") return lsdqn.gaussianClusters(3, n / 3, lsdqn.instanceRng(seed, 0));
  return lsdqn.erdosRenyi(n, lsdqn.instanceRng(seed, 0));
}

function startsOf(problem, n, R, seed) {
  const rng = new Rng(seed);
  return Array.from({ length: R }, () => (problem === "tsp" ? lsdqn.randomTour(n, rng) : problem === "kcut" ? lsdqn.randomEqualLabels(n, 3, rng) : lsdqn.randomSpins(n, rng)));
}

// A network with every parameter non-zero (test/lsdqn/nets.js).
function netOf(problem, dtype, residual) {
  return nonZeroNet({ problem, hidden: 8, rounds: 3, dtype, seed: 11, gains: problem !== "kcut", ...(problem === "kcut" ? { k: 3 } : {}) }, residual);
}

const cases = [
  { problem: "maxcut", n: 23, residual: true, opts: { tabu: 4, remainderScale: 0.3 } },
  { problem: "maxcut", n: 17, residual: false, opts: {} },
  { problem: "tsp", n: 13, residual: true, opts: { tabu: 13, remainderScale: 0.3 } },
  { problem: "kcut", n: 12, residual: false, opts: { k: 3 } },
];

for (const { problem, n, residual, opts } of cases) {
  for (const dtype of ["float32", "float64"]) {
    test(`${problem} n=${n}${residual ? " residual" : ""} ${dtype}: R starts batched = one by one = in chunks`, (t) => {
      const x = instanceOf(problem, n, 40 + n), R = 7, starts = startsOf(problem, n, R, 90 + n);
      const inst = { n, matrix: x.matrix, coords: x.coords };
      const net = netOf(problem, dtype, residual);
      try {
        const all = lsdqnSearch(net, inst, starts, opts);
        t.is(all.best.length, R);
        t.is(all.evaluations > 0, true);
        const single = starts.map((s) => lsdqnSearch(net, inst, [s], opts));
        t.deepEqual(Array.from(all.best), single.map((o) => o.best[0]), "best objective per start");
        t.deepEqual(Array.from(all.moves), single.map((o) => o.moves[0]), "moves per start");
        for (const chunk of [3, 1, R, R + 5]) {
          const c = lsdqnSearch(net, inst, starts, { ...opts, chunk });
          t.deepEqual(Array.from(c.best), Array.from(all.best), `chunk ${chunk}: best`);
          t.deepEqual(Array.from(c.moves), Array.from(all.moves), `chunk ${chunk}: moves`);
          t.is(c.evaluations, all.evaluations, `chunk ${chunk}: evaluations`);
        }
        // The episodes moved (a test where nothing moves could not tell batching apart).
        t.true(all.moves.some((m) => m > 0));
      } finally {
        net.dispose();
      }
    });
  }
}

for (const { problem, n, residual } of cases) {
  test(`${problem} n=${n}: forward with the cached edge term = forward that recomputes it`, (t) => {
    const x = instanceOf(problem, n, 60 + n), B = 3, R = startsOf(problem, n, B, 61 + n);
    const m = new Float64Array(B * n * n), sol = new Int32Array(B * n);
    const coords = x.coords ? new Float64Array(B * n * 2) : undefined;
    for (let b = 0; b < B; b++) { m.set(x.matrix, b * n * n); sol.set(R[b], b * n); coords?.set(x.coords, b * n * 2); }
    const net = netOf(problem, "float32", residual);
    const g = new lsdqn.CopGraphBatch(m, B, n, { dtype: "float32" });
    try {
      noGradOps(() => tidy(() => {
        const term = net.edgeTerm(g);
        t.deepEqual(term.shape, [B * n, 8]);
        const a = net.forward(g, sol, coords), b = net.forward(g, sol, coords, { edgeTerm: term });
        t.deepEqual(Array.from(b.moves.toTypedArray()), Array.from(a.moves.toTypedArray()));
        t.deepEqual(Array.from(b.stop.toTypedArray()), Array.from(a.stop.toTypedArray()));
        const wrong = rf.zeros([B * n + 1, 8]);
        t.throws(() => net.forward(g, sol, coords, { edgeTerm: wrong }), { instanceOf: RangeError, message: /edge term must be \[B\*n, d\]/ });
      }));
    } finally {
      g.dispose();
      net.dispose();
    }
  });
}

test("lsdqnSearch: bad chunk or start lengths get a RangeError", (t) => {
  const n = 10, x = instanceOf("maxcut", n, 5), starts = startsOf("maxcut", n, 3, 6);
  const net = netOf("maxcut", "float32", true);
  try {
    for (const chunk of [0, -1, 1.5, NaN]) t.throws(() => lsdqnSearch(net, { n, matrix: x.matrix }, starts, { chunk }), { instanceOf: RangeError, message: /chunk must be an integer >= 1/ });
    t.throws(() => lsdqnSearch(net, { n, matrix: x.matrix }, [starts[0], starts[1].subarray(0, n - 1)]), { instanceOf: RangeError, message: /start 1 must be an Int32Array of n = 10/ });
    t.throws(() => lsdqnSearch(net, { n, matrix: x.matrix }, [Array.from(starts[0])]), { instanceOf: RangeError, message: /start 0/ });
  } finally {
    net.dispose();
  }
});
