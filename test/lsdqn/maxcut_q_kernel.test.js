// The fused Max-Cut Q forward (native/include/recforge/lsdqn_maxcut_q.h, op lsdqnMaxCutQ, wrapped by
// model/maxcut_q_kernel.ts) against its reference, LsdqnQNet.forward (the generic-op network, in float64),
// on fresh random graphs: odd n, odd and even widths d (the kernel's vector path when 64 bytes of T
// divide d, its scalar path otherwise), 1-4 rounds, gain features and the residual form on and off,
// real weights with zeros, an isolated node and a one-sided solution (empty cluster). Then: outputs are
// poisoned (NaN) before the kernel runs so an unwritten element shows; the incremental mode (per-row caches
// between calls) equals computing everything along random move sequences; bad inputs get a RangeError /
// TypeError naming what is wrong; and lsdqnSearch's fast path (the default for Max-Cut) gives the same
// best objective and move count per start as the generic-op path (fast: false) on random instances.
import test from "ava";
import * as rf from "../../dist/index.js";
import { Rng } from "../../dist/prng.js";
import { native } from "../../dist/native.js";
import { lsdqnSearch } from "../../dist/methods/lsdqn/search.js";
import { MaxCutQKernel } from "../../dist/methods/lsdqn/model/maxcut_q_kernel.js";
import { CopGraphBatch } from "../../dist/methods/lsdqn/model/cop_graph.js";
import { noGradOps, tidy } from "../../dist/methods/lsdqn/train/ops.js";
import { nonZeroNet } from "./nets.js";

const { lsdqn, Tensor } = rf;

// Symmetric weights: each pair an edge with probability p, weight uniform in [-1, 1] (or ±1); node 0 isolated when asked.
function randomGraph(n, rng, { p = 0.4, signs = false, isolated = false } = {}) {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (isolated && (i === 0 || j === 0)) continue;
      if (rng.next() < p) w[i * n + j] = w[j * n + i] = signs ? (rng.next() < 0.5 ? -1 : 1) : 2 * rng.next() - 1;
    }
  return w;
}

function spinsOf(R, n, rng, oneSided = false) {
  const s = new Int32Array(R * n);
  for (let i = 0; i < s.length; i++) s[i] = oneSided && i < n ? 1 : rng.next() < 0.5 ? -1 : 1;
  return s;
}

// Every parameter non-zero (test/lsdqn/nets.js).
function netOf({ d, rounds, gains, residual, dtype, seed }) {
  return nonZeroNet({ problem: "maxcut", hidden: d, rounds, gains, dtype, seed }, residual);
}

// The reference: the network's generic-op forward on the graph replicated R times.
function reference(net, w, n, spins) {
  const R = spins.length / n, rep = new Float64Array(R * n * n);
  for (let r = 0; r < R; r++) rep.set(w, r * n * n);
  const g = new CopGraphBatch(rep, R, n, { dtype: net.theta0.dtype });
  try {
    return noGradOps(() => tidy(() => {
      const o = net.forward(g, spins);
      return { moves: o.moves.toTypedArray(), stop: o.stop.toTypedArray() };
    }));
  } finally {
    g.dispose();
  }
}

function maxRel(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

const shapes = [
  { n: 7, d: 5, rounds: 3, gains: true, residual: true, lam: 0.3 },
  { n: 13, d: 16, rounds: 1, gains: false, residual: false },
  { n: 31, d: 17, rounds: 2, gains: true, residual: false },
  { n: 29, d: 48, rounds: 4, gains: false, residual: true, lam: 1 },
  { n: 41, d: 64, rounds: 3, gains: true, residual: true, lam: 0.7, signs: true },
  { n: 9, d: 8, rounds: 3, gains: true, residual: true, lam: 0.3, isolated: true, oneSided: true },
];

for (const [i, sh] of shapes.entries()) {
  for (const dtype of ["float64", "float32"]) {
    test(`kernel = TS forward (${dtype}): n=${sh.n} d=${sh.d} T=${sh.rounds}${sh.gains ? " gains" : ""}${sh.residual ? ` residual λ=${sh.lam}` : ""}${sh.isolated ? " isolated node, one-sided row" : ""}`, (t) => {
      const rng = new Rng(1000 + 17 * i + (dtype === "float32" ? 1 : 0));
      const w = randomGraph(sh.n, rng, sh), R = 3, spins = spinsOf(R, sh.n, rng, sh.oneSided);
      const net = netOf({ ...sh, dtype, seed: 50 + i });
      if (sh.residual) net.remainderScale = sh.lam;
      const k = new MaxCutQKernel(net, w, sh.n);
      try {
        const got = k.forward(spins), want = reference(net, w, sh.n, spins);
        t.is(got.moves.length, R * sh.n);
        t.is(got.stop.length, R);
        const tol = dtype === "float64" ? 1e-12 : 2e-5;
        t.true(maxRel(got.moves, want.moves) < tol, `moves: max rel diff ${maxRel(got.moves, want.moves)}`);
        t.true(maxRel(got.stop, want.stop) < tol, `stop: max rel diff ${maxRel(got.stop, want.stop)}`);
        // The values vary (a test on constant outputs could not tell rows or nodes apart).
        t.true(new Set(Array.from(got.moves)).size > sh.n);
        // A second call with other spins (buffers reused) is again the reference's.
        const s2 = spinsOf(R, sh.n, rng);
        t.true(maxRel(k.forward(s2).moves, reference(net, w, sh.n, s2).moves) < tol);
      } finally {
        k.dispose();
        net.dispose();
      }
    });
  }
}

// Incremental recomputation (the default) against computing everything (incremental: false) and the reference,
// along random move sequences: single flips (a search), no change, several flips at once, a whole new row.
for (const sh of [shapes[0], shapes[2], shapes[4], shapes[5]]) {
  for (const dtype of ["float64", "float32"]) {
    test(`incremental = full recomputation = TS forward along move sequences (${dtype}): n=${sh.n} d=${sh.d} T=${sh.rounds}`, (t) => {
      const rng = new Rng(4000 + sh.n + sh.d), n = sh.n;
      const w = randomGraph(n, rng, { ...sh, p: 0.15 }), R = 4, spins = spinsOf(R, n, rng, sh.oneSided);
      const net = netOf({ ...sh, dtype, seed: 70 + sh.n });
      if (sh.residual) net.remainderScale = sh.lam;
      const inc = new MaxCutQKernel(net, w, n, { incremental: true }), full = new MaxCutQKernel(net, w, n, { incremental: false });
      t.true(inc.incremental);
      const auto = new MaxCutQKernel(net, w, n);
      t.is(auto.incremental, (() => { let e = 0; for (const x of w) e += x !== 0 ? 1 : 0; return e / n <= 8; })(), "auto: by mean degree");
      auto.dispose();
      const tol = dtype === "float64" ? 1e-12 : 2e-5;
      try {
        for (let step = 0; step < 25; step++) {
          for (let r = 0; r < R; r++) {
            const kind = (step + r) % 7;
            if (kind === 3) continue; // this row unchanged
            const flips = kind === 5 ? 3 : kind === 6 && step % 5 === 0 ? n : 1;
            for (let f = 0; f < flips; f++) { const v = flips === n ? f : Math.floor(rng.next() * n); spins[r * n + v] = flips === n ? (rng.next() < 0.5 ? -1 : 1) : -spins[r * n + v]; }
          }
          const a = inc.forward(spins), b = full.forward(spins);
          t.true(maxRel(a.moves, b.moves) < tol && maxRel(a.stop, b.stop) < tol, `step ${step}: incremental vs full ${maxRel(a.moves, b.moves)}`);
          if (step % 6 === 0) t.true(maxRel(a.moves, reference(net, w, n, spins).moves) < tol, `step ${step}: vs the TS forward`);
        }
        inc.reset(); // forgetting the caches gives the same values
        t.true(maxRel(inc.forward(spins).moves, full.forward(spins).moves) < tol);
      } finally {
        inc.dispose();
        full.dispose();
        net.dispose();
      }
    });
  }
}

// Raw op arguments for one call (outputs poisoned with NaN).
function rawArgs(net, w, n, spins) {
  const g = new CopGraphBatch(w, 1, n, { dtype: net.theta0.dtype });
  const R = spins.length / n, dt = net.theta0.dtype;
  const et = noGradOps(() => tidy(() => net.edgeTerm(g).contiguous().keep()));
  let abs = 0;
  for (const x of g.hostWeight) abs += Math.abs(x);
  const t = (a, dtype) => rf.tensor(a, { dtype });
  const poison = (shape) => rf.tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(NaN), { dtype: dt, shape });
  const a = {
    dtype: dt === "float64" ? 1 : 0, R, n, d: net.d, rounds: net.rounds, gains: net.gains, residual: net.residual, lambda: net.remainderScale,
    scale: abs > 0 ? abs / n : 1, indptr: t(g.csr.rowptr, "int32"), src: t(g.csr.src, "int32"), weight: t(g.hostWeight, "float64"), edgeTerm: et,
    theta0: net.theta0, theta1: net.theta1, w1: net.w1, w2: net.w2, w0: net.w0, wa: net.wa, wg: net.wg, spins: t(spins, "int32"),
    q: poison([R, n]), stop: poison([R]),
  };
  g.dispose();
  return a;
}

test("poisoned outputs: every q and stop element is written (and equals the wrapper's)", (t) => {
  for (const dtype of ["float32", "float64"]) {
    const rng = new Rng(77), n = 19, w = randomGraph(n, rng, { isolated: true }), spins = spinsOf(4, n, rng);
    const net = netOf({ d: 16, rounds: 3, gains: true, residual: true, dtype, seed: 3 });
    const a = rawArgs(net, w, n, spins);
    native.lsdqnMaxCutQ(a);
    const q = a.q.toTypedArray(), stop = a.stop.toTypedArray();
    t.true(q.every(Number.isFinite), `${dtype}: q fully written`);
    t.true(stop.every(Number.isFinite), `${dtype}: stop fully written`);
    const k = new MaxCutQKernel(net, w, n);
    const o = k.forward(spins);
    t.deepEqual(Array.from(o.moves), Array.from(q));
    k.dispose();
    net.dispose();
  }
});

test("poisoned caches: a fresh cache (valid flags 0) full of NaN is never read", (t) => {
  const rng = new Rng(78), n = 21, w = randomGraph(n, rng, { p: 0.2 }), spins = spinsOf(3, n, rng);
  const net = netOf({ d: 16, rounds: 3, gains: true, residual: true, dtype: "float32", seed: 4 });
  const a = rawArgs(net, w, n, spins), per = (2 * net.rounds + 1) * n * net.d;
  const cache = rf.tensor(new Float32Array(3 * per).fill(NaN), { dtype: "float32" }), cacheLast = rf.tensor(new Int32Array(3 * (n + 1)), { dtype: "int32" });
  native.lsdqnMaxCutQ({ ...a, cache, cacheLast });
  const q = a.q.toTypedArray();
  t.true(q.every(Number.isFinite));
  t.true(cacheLast.toTypedArray().filter((_, i) => i % (n + 1) === n).every((x) => x === 1), "every row's cache is valid afterwards");
  const k = new MaxCutQKernel(net, w, n, { incremental: false });
  t.deepEqual(Array.from(k.forward(spins).moves), Array.from(q));
  k.dispose();
  net.dispose();
});

test("bad inputs: RangeError / TypeError naming the argument and shape", (t) => {
  const rng = new Rng(5), n = 11, w = randomGraph(n, rng), spins = spinsOf(2, n, rng);
  const net = netOf({ d: 8, rounds: 2, gains: true, residual: true, dtype: "float32", seed: 9 });
  const call = (patch) => () => { const a = rawArgs(net, w, n, spins); native.lsdqnMaxCutQ({ ...a, ...patch(a) }); };
  t.throws(call(() => ({ spins: rf.tensor(new Int32Array(2 * n).fill(1).map((x, i) => (i === 5 ? 0 : x)), { dtype: "int32" }) })), { instanceOf: RangeError, message: /spins\[0, 5\] = 0/ });
  t.throws(call(() => ({ spins: rf.tensor(new Int32Array(n).fill(1), { dtype: "int32" }) })), { instanceOf: RangeError, message: /spins \[R, n\]/ });
  t.throws(call(() => ({ R: 0 })), { instanceOf: RangeError, message: /R = 0/ });
  t.throws(call(() => ({ scale: 0 })), { instanceOf: RangeError, message: /scale/ });
  t.throws(call(() => ({ lambda: NaN })), { instanceOf: RangeError, message: /lambda/ });
  t.throws(call(() => ({ indptr: rf.tensor(Int32Array.from({ length: n + 1 }, (_, i) => (i === 3 ? 0 : 5 * i)), { dtype: "int32" }) })), { instanceOf: RangeError, message: /indptr must be non-decreasing/ });
  t.throws(call((a) => ({ src: rf.tensor(a.src.toTypedArray().map((x, e) => (e === 2 ? n : x)), { dtype: "int32" }) })), { instanceOf: RangeError, message: /src\[2\] = 11 is outside \[0, n = 11\)/ });
  t.throws(call((a) => ({ weight: rf.tensor(a.weight.toTypedArray().map((x, e) => (e === 1 ? Infinity : x)), { dtype: "float64" }) })), { instanceOf: RangeError, message: /weight\[1\] is not finite/ });
  t.throws(call(() => ({ theta1: rf.tensor(new Float32Array(8 * 7), { dtype: "float32" }) })), { instanceOf: RangeError, message: /theta1 \[d, d\]/ });
  t.throws(call(() => ({ wg: null })), { instanceOf: TypeError, message: /needs wg/ });
  t.throws(call(() => ({ dtype: 2 })), { instanceOf: TypeError, message: /float32 or float64/ });
  t.throws(call((a) => ({ stop: a.q })), { instanceOf: RangeError, message: /overlap/ });
  t.throws(call((a) => ({ q: a.edgeTerm })), { instanceOf: RangeError, message: /overlaps input edgeTerm/ });
  const R = 2, per = (2 * net.rounds + 1) * n * net.d;
  t.throws(call(() => ({ cache: rf.tensor(new Float32Array(R * per), { dtype: "float32" }) })), { instanceOf: TypeError, message: /cache and cacheLast come together/ });
  t.throws(call(() => ({ cache: rf.tensor(new Float32Array(R * per - 1), { dtype: "float32" }), cacheLast: rf.tensor(new Int32Array(R * (n + 1)), { dtype: "int32" }) })), { instanceOf: RangeError, message: /cache \[R, \(2 rounds \+ 1\) n d\]/ });
  t.throws(call(() => ({ cache: rf.tensor(new Float32Array(R * per), { dtype: "float32" }), cacheLast: rf.tensor(new Int32Array(R * (n + 1)).fill(7), { dtype: "int32" }) })), { instanceOf: RangeError, message: /cacheLast\[0, n\] = 7 must be 0 or 1/ });
  t.throws(call((a) => ({ cache: a.q, cacheLast: rf.tensor(new Int32Array(R * (n + 1)), { dtype: "int32" }) })), { instanceOf: RangeError, message: /cache \[R|overlaps/ });
  const k = new MaxCutQKernel(net, w, n);
  t.throws(() => k.forward(new Int32Array(n + 1)), { instanceOf: RangeError, message: /R\*n entries \(n = 11/ });
  k.dispose();
  t.throws(() => k.forward(spins), { instanceOf: TypeError, message: /after dispose/ });
  t.throws(() => new MaxCutQKernel(net, new Float64Array(5), n), { instanceOf: RangeError, message: /n\*n = 121/ });
  t.throws(() => new MaxCutQKernel(net, w, n, { incremental: "yes" }), { instanceOf: TypeError, message: /incremental must be true, false or "auto"/ });
  const tsp = new lsdqn.LsdqnQNet({ problem: "tsp", hidden: 8, rounds: 2, seed: 1 });
  t.throws(() => new MaxCutQKernel(tsp, w, n), { instanceOf: TypeError, message: /needs a maxcut network, got tsp/ });
  tsp.dispose();
  net.dispose();
});

// The fast search against the generic-op search: the same moves, hence the same best cut and move count per start.
const searches = [
  { n: 23, d: 8, residual: true, gains: true, opts: { tabu: 4, remainderScale: 0.3 }, graph: "er" },
  { n: 17, d: 8, residual: false, gains: true, opts: {}, graph: "er" },
  { n: 31, d: 16, residual: true, gains: true, opts: { tabu: 9, remainderScale: 0.3, limit: 40 }, graph: "real" },
  { n: 15, d: 5, residual: false, gains: false, opts: { tabu: 3 }, graph: "real" },
];
for (const [i, c] of searches.entries()) {
  for (const dtype of ["float64", "float32"]) {
    test(`search: fast path = generic-op path (${dtype}, n=${c.n} d=${c.d}${c.residual ? " residual" : ""}${c.opts.tabu ? ` tabu ${c.opts.tabu}` : ""}, ${c.graph} weights)`, (t) => {
      const rng = new Rng(300 + i);
      const w = c.graph === "er" ? lsdqn.erdosRenyi(c.n, lsdqn.instanceRng(70 + i, 0)).matrix : randomGraph(c.n, rng);
      const R = 6, starts = Array.from({ length: R }, () => lsdqn.randomSpins(c.n, rng));
      const net = netOf({ d: c.d, rounds: 3, gains: c.gains, residual: c.residual, dtype, seed: 20 + i });
      try {
        const fast = lsdqnSearch(net, { n: c.n, matrix: w }, starts, c.opts);
        const slow = lsdqnSearch(net, { n: c.n, matrix: w }, starts, { ...c.opts, fast: false });
        t.deepEqual(Array.from(fast.best), Array.from(slow.best), "best objective per start");
        t.deepEqual(Array.from(fast.moves), Array.from(slow.moves), "moves per start");
        t.is(fast.evaluations, slow.evaluations);
        t.true(fast.moves.some((m) => m > 0), "the episodes moved");
        const chunked = lsdqnSearch(net, { n: c.n, matrix: w }, starts, { ...c.opts, chunk: 4 });
        t.deepEqual(Array.from(chunked.best), Array.from(fast.best), "chunks of 4 = one batch");
      } finally {
        net.dispose();
      }
    });
  }
}

test("search: TSP has no fast path (fast: true and false give the same outcome)", (t) => {
  const x = lsdqn.uniformPoints(9, lsdqn.instanceRng(4, 0)), rng = new Rng(2);
  const net = new lsdqn.LsdqnQNet({ problem: "tsp", hidden: 8, rounds: 2, seed: 4, gains: true });
  const starts = [lsdqn.randomTour(9, rng), lsdqn.randomTour(9, rng)];
  const a = lsdqnSearch(net, { n: 9, matrix: x.matrix, coords: x.coords }, starts, { fast: true });
  const b = lsdqnSearch(net, { n: 9, matrix: x.matrix, coords: x.coords }, starts, { fast: false });
  t.deepEqual(Array.from(a.best), Array.from(b.best));
  net.dispose();
});
