// LS-DQN's baselines (lib/methods/lsdqn/baselines): hand-checked tiny cases, the exact solvers against
// plain enumeration written here, incremental gains against the native environment's, local optimality
// of greedy / 2-opt, every reported best against its solution recomputed from scratch, and bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { Rng } from "../../dist/prng.js";
import * as mc from "../../dist/methods/lsdqn/baselines/maxcut.js";
import * as kc from "../../dist/methods/lsdqn/baselines/kcut.js";
import * as ts from "../../dist/methods/lsdqn/baselines/tsp.js";
import { lsdqnSearch } from "../../dist/methods/lsdqn/search.js";

const { lsdqn } = rf;

function randomWeights(n, rng, signed = false, density = 1) {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (rng.next() >= density) continue;
      const v = signed ? Math.round(rng.next() * 6 - 3) : rng.next();
      w[i * n + j] = w[j * n + i] = v;
    }
  return w;
}

// Plain enumeration: the largest cut over all 2^n spin vectors.
function bruteCut(w, n) {
  let best = -Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    let c = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (((mask >> i) & 1) !== ((mask >> j) & 1)) c += w[i * n + j];
    best = Math.max(best, c);
  }
  return best;
}

test("maxcut: the 4-cycle's max cut is 4 and a triangle's 2 (hand-checked), exact = enumeration on random graphs", (t) => {
  const cyc = new Float64Array(16);
  for (const [a, b] of [[0, 1], [1, 2], [2, 3], [3, 0]]) cyc[a * 4 + b] = cyc[b * 4 + a] = 1;
  const g4 = mc.cutGraph(cyc, 4);
  t.is(g4.total - mc.maxcutExact(g4).best, 4);
  const tri = new Float64Array(9).fill(1);
  for (let i = 0; i < 3; i++) tri[i * 4] = 0;
  const g3 = mc.cutGraph(tri, 3);
  t.is(g3.total - mc.maxcutExact(g3).best, 2);
  const rng = new Rng(3);
  for (const n of [5, 9, 13]) {
    for (const signed of [false, true]) {
      const w = randomWeights(n, rng, signed, 0.6), g = mc.cutGraph(w, n), ex = mc.maxcutExact(g);
      t.true(Math.abs(g.total - ex.best - bruteCut(w, n)) < 1e-9, `n ${n} signed ${signed}`);
      t.true(Math.abs(ex.best - mc.maxcutObjective(g, ex.solution)) < 1e-9);
    }
  }
});

test("maxcut: greedy ends at a local optimum, tabu / random never report worse than their start, bests match their solutions and the native environment", (t) => {
  const rng = new Rng(5);
  for (const n of [7, 16, 31]) {
    const w = randomWeights(n, rng, true, 0.5), g = mc.cutGraph(w, n);
    const env = new lsdqn.CopEnv({ problem: "maxcut", batch: 1, n, matrix: w });
    for (let r = 0; r < 4; r++) {
      const s = lsdqn.randomSpins(n, rng);
      env.reset(s);
      const start = env.readObjective()[0];
      t.true(Math.abs(start - mc.maxcutObjective(g, s)) < 1e-9, "baseline objective = native objective");
      const gr = mc.maxcutGreedy(g, s, 10 * n), tb = mc.maxcutTabu(g, s, 2 * n, 3), rd = mc.maxcutRandom(g, s, 2 * n, rng);
      for (const x of [gr, tb, rd]) {
        t.true(x.best <= start + 1e-9);
        t.true(Math.abs(x.best - mc.maxcutObjective(g, x.solution)) < 1e-9);
      }
      // No flip improves greedy's final cut: check every flip from scratch.
      for (let v = 0; v < n; v++) {
        const f = Int32Array.from(gr.solution);
        f[v] = -f[v];
        t.true(mc.maxcutObjective(g, f) >= gr.best - 1e-9, `flip ${v} improves greedy's result`);
      }
      t.true(tb.moves === 2 * n && rd.moves === 2 * n);
    }
    env.dispose();
  }
});

test("maxcut: tabu with restarts reaches the exact optimum on small random graphs where greedy does not always", (t) => {
  const rng = new Rng(8);
  let tabuHits = 0, greedyHits = 0;
  for (let i = 0; i < 12; i++) {
    const n = 14, w = randomWeights(n, rng, true, 0.4), g = mc.cutGraph(w, n), opt = mc.maxcutExact(g).best;
    const starts = Array.from({ length: 5 }, () => lsdqn.randomSpins(n, rng));
    if (Math.min(...starts.map((s) => mc.maxcutTabu(g, s, 4 * n, 2).best)) <= opt + 1e-9) tabuHits++;
    if (Math.min(...starts.map((s) => mc.maxcutGreedy(g, s, 4 * n).best)) <= opt + 1e-9) greedyHits++;
  }
  t.true(tabuHits >= 11, `tabu reached the optimum on ${tabuHits} of 12`);
  t.true(tabuHits >= greedyHits, `tabu ${tabuHits} vs greedy ${greedyHits}`);
});

function bruteKcut(w, n, k) {
  let best = Infinity;
  const l = new Int32Array(n);
  const rec = (v) => {
    if (v === n) {
      const size = new Int32Array(k);
      for (const c of l) size[c]++;
      if (size.every((s) => s === n / k)) best = Math.min(best, kc.kcutObjective(w, n, l));
      return;
    }
    for (let c = 0; c < k; c++) { l[v] = c; rec(v + 1); }
  };
  rec(0);
  return best;
}

test("kcut: exact = enumeration; swap gains = the native environment's; greedy ends at a local optimum", (t) => {
  const rng = new Rng(11);
  for (const [n, k] of [[4, 2], [6, 3], [8, 2], [9, 3]]) {
    const w = randomWeights(n, rng);
    t.true(Math.abs(kc.kcutExact(w, n, k).best - bruteKcut(w, n, k)) < 1e-9, `n ${n} k ${k}`);
  }
  // Hand-checked: two tight pairs far apart, k = 2: {0,1} {2,3} inside weight 0.2.
  const w4 = new Float64Array([0, 0.1, 5, 5, 0.1, 0, 5, 5, 5, 5, 0, 0.1, 5, 5, 0.1, 0]);
  const ex4 = kc.kcutExact(w4, 4, 2);
  t.true(Math.abs(ex4.best - 0.2) < 1e-12, `${ex4.best}`);  // {0,1} {2,3}: inside 0.1 + 0.1 (any other split: 5 + 5)
  t.is(ex4.solution[0], ex4.solution[1]);
  t.is(ex4.solution[2], ex4.solution[3]);
  const n = 12, k = 3, w = randomWeights(n, rng);
  const env = new lsdqn.CopEnv({ problem: "kcut", batch: 1, n, k, matrix: w });
  const s = lsdqn.randomEqualLabels(n, k, rng);
  env.reset(s);
  const gains = env.moveGains();
  const gr = kc.kcutGreedy(w, n, k, s, 10 * n);
  // Every swap from greedy's result, from scratch, does not improve it.
  for (let u = 0; u < n; u++)
    for (let v = u + 1; v < n; v++) {
      if (gr.solution[u] === gr.solution[v]) continue;
      const x = Int32Array.from(gr.solution);
      [x[u], x[v]] = [x[v], x[u]];
      t.true(kc.kcutObjective(w, n, x) >= gr.best - 1e-9);
    }
  // The native gains at u·n + v equal the objective change of the swap.
  for (let u = 0; u < n; u++)
    for (let v = 0; v < n; v++) {
      if (s[u] === s[v]) continue;
      const x = Int32Array.from(s);
      [x[u], x[v]] = [x[v], x[u]];
      t.true(Math.abs(gains[u * n + v] - (kc.kcutObjective(w, n, s) - kc.kcutObjective(w, n, x))) < 1e-9);
    }
  const tb = kc.kcutTabu(w, n, k, s, 2 * n, 2), rd = kc.kcutRandom(w, n, k, s, 2 * n, rng);
  for (const x of [tb, rd]) t.true(Math.abs(x.best - kc.kcutObjective(w, n, x.solution)) < 1e-9 && x.best <= kc.kcutObjective(w, n, s) + 1e-9);
  t.true(tb.best <= gr.best + 1e-9 || tb.best <= kc.kcutObjective(w, n, s));
  env.dispose();
});

function permutations(n) {
  const out = [], p = Array.from({ length: n }, (_, i) => i);
  const rec = (i) => {
    if (i === n) return void out.push(Int32Array.from(p));
    for (let j = i; j < n; j++) {
      [p[i], p[j]] = [p[j], p[i]];
      rec(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
  };
  rec(0);
  return out;
}

test("tsp: Held-Karp = enumeration; the unit square's tour is 4; nearest / farthest give permutations; 2-opt gains = the native environment's", (t) => {
  const sq = lsdqn.tspDistances(new Float64Array([0, 0, 1, 1, 1, 0, 0, 1]), 1, 4, false);
  t.true(Math.abs(ts.tspExact(sq, 4).best - 4) < 1e-12);
  t.true(Math.abs(ts.tourLength(sq, 4, ts.nearestNeighbour(sq, 4, 0)) - 4) < 1e-12);
  t.true(Math.abs(ts.tourLength(sq, 4, ts.farthestInsertion(sq, 4, 0)) - 4) < 1e-12);
  const rng = new Rng(13);
  for (const n of [5, 7, 8]) {
    const x = lsdqn.uniformPoints(n, rng);
    const brute = Math.min(...permutations(n).map((p) => ts.tourLength(x.matrix, n, p)));
    const hk = ts.tspExact(x.matrix, n);
    t.true(Math.abs(hk.best - brute) < 1e-9, `n ${n}: ${hk.best} vs ${brute}`);
    t.deepEqual([...hk.solution].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  const n = 23, x = lsdqn.uniformPoints(n, rng);
  for (const tour of [ts.nearestNeighbour(x.matrix, n, 5), ts.farthestInsertion(x.matrix, n, 7)])
    t.deepEqual([...tour].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  const env = new lsdqn.CopEnv({ problem: "tsp", batch: 1, n, matrix: x.matrix });
  const s = lsdqn.randomTour(n, rng);
  env.reset(s);
  const gains = env.moveGains();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) t.true(Math.abs(gains[i * n + j] - ts.twoOptGain(x.matrix, n, s, i, j)) < 1e-9, `(${i}, ${j})`);
  const opt = ts.twoOpt(x.matrix, n, s, 100 * n);
  t.true(opt.moves < 100 * n);
  t.true(Math.abs(opt.best - ts.tourLength(x.matrix, n, opt.solution)) < 1e-9);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) t.true(ts.twoOptGain(x.matrix, n, opt.solution, i, j) <= 1e-9);
  const rd = ts.tspRandom(x.matrix, n, s, 2 * n, rng);
  t.true(rd.best <= ts.tourLength(x.matrix, n, s) + 1e-9 && Math.abs(rd.best - ts.tourLength(x.matrix, n, rd.solution)) < 1e-9);
  env.dispose();
});

test("lsdqnSearch: R episodes of at most 2n moves, each start's best no worse than its start and equal to the environment's", (t) => {
  const rng = new Rng(17);
  for (const problem of ["maxcut", "tsp"]) {
    const n = 10, x = lsdqn.uniformPoints(n, rng);
    const net = new lsdqn.LsdqnQNet({ problem, hidden: 8, rounds: 2, seed: 3 });
    const starts = Array.from({ length: 3 }, () => (problem === "tsp" ? lsdqn.randomTour(n, rng) : lsdqn.randomSpins(n, rng)));
    const o = lsdqnSearch(net, { n, matrix: x.matrix, coords: x.coords }, starts);
    t.is(o.best.length, 3);
    const g = mc.cutGraph(x.matrix, n);
    starts.forEach((s, r) => {
      const start = problem === "tsp" ? ts.tourLength(x.matrix, n, s) : mc.maxcutObjective(g, s);
      t.true(o.best[r] <= start + 1e-9);
      t.true(o.moves[r] <= 2 * n);
    });
    t.throws(() => lsdqnSearch(net, { n, matrix: x.matrix, coords: x.coords }, []), { instanceOf: RangeError });
    net.dispose();
  }
});

test("baselines refuse bad input with clear errors", (t) => {
  const g = mc.cutGraph(new Float64Array(9), 3);
  t.throws(() => mc.cutGraph(new Float64Array(8), 3), { instanceOf: RangeError, message: /n\*n = 9/ });
  t.throws(() => mc.maxcutGreedy(g, Int32Array.of(1, 0, 1), 3), { instanceOf: RangeError, message: /not ±1/ });
  t.throws(() => mc.maxcutTabu(g, Int32Array.of(1, 1, 1), 3, -1), { instanceOf: RangeError, message: /tenure/ });
  t.throws(() => mc.maxcutExact(mc.cutGraph(new Float64Array(25 * 25), 25)), { instanceOf: RangeError, message: /too large/ });
  t.throws(() => kc.kcutGreedy(new Float64Array(16), 4, 2, Int32Array.of(0, 0, 0, 1), 3), { instanceOf: RangeError, message: /n\/k/ });
  t.throws(() => ts.twoOpt(new Float64Array(9), 3, Int32Array.of(0, 0, 1), 3), { instanceOf: RangeError, message: /permutation/ });
  t.throws(() => ts.nearestNeighbour(new Float64Array(9), 3, 3), { instanceOf: RangeError, message: /first city/ });
  t.throws(() => ts.tspExact(new Float64Array(17 * 17), 17), { instanceOf: RangeError, message: /too large/ });
});
