// LS-DQN Q-network: output shapes, the whole network (MPNN + readouts) against a naive float64 JS
// reference that scores EVERY move directly (explicit H_a, per-move attention, full W2 / W_a
// products) — for TSP this is the check that the linear 2-opt decomposition equals direct scoring —
// and a finite-difference gradient check of every parameter on tiny float64 instances. The gain
// variant (option gains) is checked the same way, its gains recomputed here from scratch: Max-Cut
// x_v = [one-hot; gain(v) / mean Σ_u|w_uv|] and W2 H_a + w_g gain_a for flips and 2-opt moves.
import test from "ava";
import * as rf from "../../dist/index.js";
import { native } from "../../dist/native.js";
import { Rng } from "../../dist/prng.js";

const { lsdqn } = rf;
const relu = (x) => (x > 0 ? x : 0);

function params(net) {
  const o = {};
  for (const [name, p] of net.namedParameters()) o[name] = { data: Float64Array.from(p.toTypedArray()), shape: p.shape };
  return o;
}
// y = W x for W [rows, cols] (row-major), x a plain array; optional column offset / count.
const mv = (W, x, c0 = 0, cols = x.length) => {
  const rows = W.shape[0], C = W.shape[1], y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) { let s = 0; for (let c = 0; c < cols; c++) s += W.data[r * C + c0 + c] * x[c]; y[r] = s; }
  return y;
};
const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);

// Naive MPNN: μ [B][n][d].
function refEmbed(P, m, B, n, x, rounds) {
  const d = P.theta1.shape[0], pdim = P.theta3.data.length;
  const out = [];
  for (let b = 0; b < B; b++) {
    const W = (u, v) => m[b * n * n + u * n + v];
    const deg = Array.from({ length: n }, (_, v) => Array.from({ length: n }, (_, u) => (u !== v && W(u, v) !== 0 ? 1 : 0)).reduce((a, c) => a + c, 0));
    const fixed = [];
    for (let v = 0; v < n; v++) {
      const t3 = new Float64Array(pdim);
      for (let u = 0; u < n; u++) if (u !== v && W(u, v) !== 0) for (let q = 0; q < pdim; q++) t3[q] += relu(P.theta3.data[q] * W(u, v)) / deg[v];
      const a = mv(P.theta0, x[b * n + v]), c = mv(P.theta2, t3);
      fixed.push(a.map((val, i) => val + c[i]));
    }
    let mu = fixed.map((f) => f.map(relu));
    for (let t = 1; t < rounds; t++) {
      mu = fixed.map((f, v) => {
        const agg = new Float64Array(d);
        for (let u = 0; u < n; u++) if (u !== v && W(u, v) !== 0) for (let i = 0; i < d; i++) agg[i] += (W(u, v) * mu[u][i]) / deg[v];
        const h = mv(P.theta1, agg);
        return f.map((val, i) => relu(val + h[i]));
      });
    }
    out.push(mu);
  }
  return out;
}

// Q of one move from explicit H_s and H_a.
function refHead(P, hs, ha, gain = 0) {
  const d = P.w1.shape[0];
  const s = mv(P.w1, hs).map(relu), a = ha ? mv(P.w2, ha).map((v, i) => relu(v + (P.wg ? P.wg.data[i] * gain : 0))) : new Float64Array(d);
  return dot(P.w0.data.subarray(0, d), s) + dot(P.w0.data.subarray(d), a);
}
// Cluster attention for one action: H_s = Σ_i softmax_i(H_c(i)ᵀ W_a H_a) H_c(i) (H_a = 0: uniform).
function refClusterState(P, hc, ha) {
  const sc = hc.map((h) => (ha ? dot(h, mv(P.wa, ha)) : 0));
  const mx = Math.max(...sc), e = sc.map((s) => Math.exp(s - mx)), z = e.reduce((a, c) => a + c, 0);
  return hc[0].map((_, i) => hc.reduce((acc, h, c) => acc + (e[c] / z) * h[i], 0));
}
function clusterMeans(mu, lab, k) {
  const d = mu[0].length;
  return Array.from({ length: k }, (_, c) => {
    const idx = lab.map((l, v) => (l === c ? v : -1)).filter((v) => v >= 0);
    return Array.from({ length: d }, (_, i) => idx.reduce((a, v) => a + mu[v][i], 0) / idx.length);
  });
}

function setup(problem, { B, n, k, d = 5, seed = 3, dtype = "float64", rounds = 3, gains = false }) {
  const r = new Rng(seed);
  const insts = Array.from({ length: B }, (_, i) => (problem === "tsp" ? lsdqn.uniformPoints(n, lsdqn.instanceRng(seed, i)) : problem === "kcut" ? lsdqn.gaussianClusters(k, n / k, lsdqn.instanceRng(seed, i)) : lsdqn.erdosRenyi(n, lsdqn.instanceRng(seed, i), 0.6)));
  const m = new Float64Array(B * n * n);
  insts.forEach((x, b) => m.set(x.matrix, b * n * n));
  const coords = problem === "tsp" ? new Float64Array(B * n * 2) : undefined;
  if (coords) insts.forEach((x, b) => coords.set(x.coords, b * n * 2));
  const sol = new Int32Array(B * n);
  for (let b = 0; b < B; b++) sol.set(problem === "maxcut" ? lsdqn.randomSpins(n, r) : problem === "kcut" ? lsdqn.randomEqualLabels(n, k, r) : lsdqn.randomTour(n, r), b * n);
  const net = new lsdqn.LsdqnQNet({ problem, k, hidden: d, edgeFeatures: 4, rounds, dtype, seed, gains });
  const g = new lsdqn.CopGraphBatch(m, B, n, { dtype });
  return { m, coords, sol, net, g };
}

// Max-Cut flip gain of node v of instance b, scaled by the mean weighted degree, from scratch.
function refFlipGain(m, n, sol, b, v) {
  let g = 0, tot = 0;
  for (let u = 0; u < n; u++) g += m[b * n * n + u * n + v] * sol[b * n + u] * sol[b * n + v];
  for (let q = 0; q < n * n; q++) tot += Math.abs(m[b * n * n + q]);
  return g / (tot / n);
}
// TSP 2-opt gain of reversing positions i..j (i < j), Euclidean on coords, times √n, from scratch.
function refTwoOptGain(coords, n, tour, b, i, j) {
  if (i === 0 && j === n - 1) return 0;
  const P = (p) => { const c = tour[((p % n) + n) % n]; return [coords[(b * n + c) * 2], coords[(b * n + c) * 2 + 1]]; };
  const D = (p, q) => Math.hypot(P(p)[0] - P(q)[0], P(p)[1] - P(q)[1]);
  return Math.sqrt(n) * (D(i - 1, i) + D(j, j + 1) - D(i - 1, j) - D(i, j + 1));
}

function reference(problem, { B, n, k }, { m, coords, sol, net }) {
  const P = params(net);
  const x = [];
  for (let v = 0; v < B * n; v++) {
    if (problem === "tsp") x.push([coords[v * 2], coords[v * 2 + 1]]);
    else {
      const f = new Float64Array(problem === "maxcut" ? 2 + (net.gains ? 1 : 0) : k);
      f[problem === "maxcut" ? (sol[v] > 0 ? 1 : 0) : sol[v]] = 1;
      if (net.gains) f[2] = refFlipGain(m, n, sol, Math.floor(v / n), v % n);
      x.push(f);
    }
  }
  const mu = refEmbed(P, m, B, n, x, net.rounds);
  const moves = [], stop = [];
  for (let b = 0; b < B; b++) {
    const mub = mu[b], s = Array.from(sol.subarray(b * n, (b + 1) * n));
    if (problem === "maxcut") {
      const lab = s.map((v) => (v > 0 ? 1 : 0)), hc = clusterMeans(mub, lab, 2);
      for (let u = 0; u < n; u++) {
        const ha = [...mub[u], ...hc[1 - lab[u]]];
        moves.push(refHead(P, refClusterState(P, hc, ha), ha, net.gains ? refFlipGain(m, n, sol, b, u) : 0));
      }
      stop.push(refHead(P, refClusterState(P, hc, null), null));
    } else if (problem === "kcut") {
      const hc = clusterMeans(mub, s, k);
      for (let u = 0; u < n; u++)
        for (let v = 0; v < n; v++) {
          const ha = [...mub[u], ...mub[v], ...hc[s[u]], ...hc[s[v]]];
          moves.push(refHead(P, refClusterState(P, hc, ha), ha));
        }
      stop.push(refHead(P, refClusterState(P, hc, null), null));
    } else {
      const M = s.map((c) => mub[c]);
      const mt = rf.tensor(Float64Array.from(M.flatMap((row) => Array.from(row))), { dtype: "float64", shape: [1, n, net.d] });
      const hs = rf.noGrad(() => net.tourState(mt)).toTypedArray();
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) moves.push(refHead(P, hs, [...M[i], ...M[j], ...M[(i + n - 1) % n], ...M[(j + 1) % n]], net.gains && i < j ? refTwoOptGain(coords, n, s, b, i, j) : 0));
      stop.push(refHead(P, hs, null));
    }
  }
  return { moves, stop };
}

const CASES = [
  ["maxcut", { B: 2, n: 7 }],
  ["kcut", { B: 2, n: 6, k: 3 }],
  ["tsp", { B: 2, n: 7 }],
  ["maxcut", { B: 2, n: 7, gains: true }],
  ["tsp", { B: 2, n: 7, gains: true }],
];

for (const [problem, size] of CASES) {
  const size0 = size;
  const tag = size.gains ? `${problem} (gain features)` : problem;
  test(`${tag}: shapes, and every move's Q equals the direct float64 reference`, (t) => {
    const s = setup(problem, size);
    const q = rf.noGrad(() => s.net.forward(s.g, s.sol, s.coords));
    const { B, n } = size;
    t.deepEqual(q.moves.shape, problem === "maxcut" ? [B, n] : [B, n, n]);
    t.deepEqual(q.stop.shape, [B]);
    const ref = reference(problem, size, s);
    const got = q.moves.toTypedArray(), gs = q.stop.toTypedArray();
    let worst = 0;
    ref.moves.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v) / (1e-12 + Math.abs(v)))));
    t.true(worst < 1e-9, `worst relative difference ${worst}`);
    ref.stop.forEach((v, i) => t.true(Math.abs(gs[i] - v) < 1e-10 * (1 + Math.abs(v)), `stop ${gs[i]} vs ${v}`));
    // float32 runs and is close to float64.
    const s32 = setup(problem, { ...size, dtype: "float32" });
    const q32 = rf.noGrad(() => s32.net.forward(s32.g, s32.sol, s32.coords));
    t.deepEqual(q32.moves.shape, q.moves.shape);
    t.true(q32.moves.toTypedArray().every((v, i) => Math.abs(v - got[i]) < 1e-4 * (1 + Math.abs(got[i]))));
    for (const x of [q.moves, q.stop, q32.moves, q32.stop]) x.dispose();
    s.g.dispose(); s32.g.dispose();
  });

  test(`${tag}: finite-difference gradient of every parameter (float64, tiny instance)`, (t) => {
    const size = problem === "kcut" ? { B: 2, n: 4, k: 2 } : { B: 2, n: 5, gains: size0.gains };
    const s = setup(problem, { ...size, d: 3, rounds: 2, seed: 9 });
    const r = new Rng(4);
    // Fixed random weights on every output: L = Σ q.moves · wMoves + Σ q.stop · wStop.
    const probe = rf.noGrad(() => s.net.forward(s.g, s.sol, s.coords));
    const wMoves = Float64Array.from({ length: probe.moves.size }, () => r.next() * 2 - 1);
    const wStop = Float64Array.from({ length: probe.stop.size }, () => r.next() * 2 - 1);
    probe.moves.dispose();
    probe.stop.dispose();
    const L = () => rf.tidy(() => {
      const q = s.net.forward(s.g, s.sol, s.coords);
      return rf.add(rf.sum(rf.mul(q.moves, rf.tensor(wMoves, { dtype: "float64", shape: [...q.moves.shape] }))), rf.sum(rf.mul(q.stop, rf.tensor(wStop, { dtype: "float64" }))));
    });
    s.net.zeroGrad();
    const l0 = L();
    l0.backward();
    l0.dispose();
    const eps = 1e-6;
    let worst = { ratio: 0 };
    let checked = 0;
    for (const [name, p] of s.net.namedParameters()) {
      const base = Float64Array.from(p.toTypedArray());
      const grad = p.grad.toTypedArray();
      for (let j = 0; j < base.length; j++) {
        const at = (delta) => {
          native.write({ handle: p._h, byteOffset: (p.offset + j) * 8, data: Float64Array.of(base[j] + delta) });
          const l = rf.noGrad(L);
          const v = l.item();
          l.dispose();
          return v;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        native.write({ handle: p._h, byteOffset: (p.offset + j) * 8, data: Float64Array.of(base[j]) });
        const ratio = Math.abs(grad[j] - numeric) / (1e-6 + 1e-5 * Math.abs(numeric));
        if (ratio > worst.ratio) worst = { ratio, name, j, analytic: grad[j], numeric };
        checked++;
      }
    }
    t.true(checked > 50);
    t.true(worst.ratio <= 1, JSON.stringify(worst));
    s.g.dispose();
  });
}

test("CopGraphBatch: K-nearest-neighbour graphs are symmetric with at least K neighbours per node", (t) => {
  const inst = lsdqn.uniformPoints(12, lsdqn.instanceRng(1, 2));
  const g = new lsdqn.CopGraphBatch(inst.matrix, 1, 12, { knn: 3 });
  const deg = g.csr.inDegree();
  t.true(Array.from(deg).every((x) => x >= 3 && x < 11));
  const pairs = new Set(Array.from(g.csr.src, (s, e) => `${s},${g.csr.dst[e]}`));
  for (const p of pairs) t.true(pairs.has(p.split(",").reverse().join(",")));
  g.dispose();
  t.throws(() => new lsdqn.CopGraphBatch(new Float64Array(3), 1, 2), { instanceOf: RangeError, message: /B\*n\*n = 4/ });
});
