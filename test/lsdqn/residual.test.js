// The residual Q-form (QNetOptions.residual: Q = immediate reward + network output, W0 starting at 0)
// and the tabu guard of lsdqnSearch (option tabu). Checked here:
// - the residual equals the environment's exact move gains in size-free units: Q_residual − Q of the same
//   parameters without the residual = CopEnv.moveGains() / rewardUnit after every move of random episodes
//   (float64; rewardUnit: Max-Cut mean Σ_u|w_uv| recomputed here, TSP 1/√n);
// - an untrained residual network (W0 = 0) acts exactly as greedy: its greedy-in-Q episodes reach the
//   same best objective as maxcutGreedy / best-improvement twoOpt from the same starts, and each action
//   is the best-gain move (stop when none improves);
// - with the tabu guard the untrained residual network is the tabu baseline (maxcutTabu, same tenure);
// - finite-difference gradient of every parameter of a residual network with non-zero W0;
// - the trainer trains a residual network and refuses to resume a checkpoint of the other form.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as rf from "../../dist/index.js";
import { native } from "../../dist/native.js";
import { Rng } from "../../dist/prng.js";
import { lsdqnSearch, guardedAction } from "../../dist/methods/lsdqn/search.js";
import { greedyAction } from "../../dist/methods/lsdqn/train/moves.js";
import * as mc from "../../dist/methods/lsdqn/baselines/maxcut.js";
import * as T from "../../dist/methods/lsdqn/baselines/tsp.js";

const { lsdqn } = rf;

function instances(problem, B, n, seed) {
  const gen = (i) => (problem === "tsp" ? lsdqn.uniformPoints(n, lsdqn.instanceRng(seed, i)) : i % 2 ? lsdqn.barabasiAlbert(n, lsdqn.instanceRng(seed, i)) : lsdqn.erdosRenyi(n, lsdqn.instanceRng(seed, i)));
  const insts = Array.from({ length: B }, (_, i) => gen(i));
  const m = new Float64Array(B * n * n);
  insts.forEach((x, b) => m.set(x.matrix, b * n * n));
  const coords = problem === "tsp" ? new Float64Array(B * n * 2) : undefined;
  if (coords) insts.forEach((x, b) => coords.set(x.coords, b * n * 2));
  return { insts, m, coords };
}

const copyParams = (from, to) => to.loadStateDict(from.stateDict());

for (const problem of ["maxcut", "tsp"]) {
  for (const n of [11, 16]) {
    test(`${problem} n=${n}: Q_residual − Q_plain = environment move gains / reward unit after every move (float64)`, (t) => {
      const B = 3, { m, coords } = instances(problem, B, n, 70 + n);
      // The unit from scratch: Max-Cut Σ_{i≠j} |w_ij| / n per instance, TSP 1/√n.
      const unit = Array.from({ length: B }, (_, b) => {
        if (problem === "tsp") return 1 / Math.sqrt(n);
        let s = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += Math.abs(m[b * n * n + i * n + j]);
        return s / n;
      });
      unit.forEach((u, b) => t.true(Math.abs(u - lsdqn.rewardUnit(problem, m.subarray(b * n * n, (b + 1) * n * n), n)) < 1e-12));
      const res = new lsdqn.LsdqnQNet({ problem, hidden: 8, rounds: 2, dtype: "float64", seed: 3, gains: true, residual: true });
      const plain = new lsdqn.LsdqnQNet({ problem, hidden: 8, rounds: 2, dtype: "float64", seed: 3, gains: true });
      t.true(Array.from(res.w0.toTypedArray()).every((x) => x === 0), "W0 starts at zero");
      copyParams(plain, res); // the same non-zero parameters in both
      const env = new lsdqn.CopEnv({ problem, batch: B, n, matrix: m, limit: 1000 });
      const g = new lsdqn.CopGraphBatch(m, B, n, { dtype: "float64" });
      const rng = new Rng(5);
      try {
        const start = new Int32Array(B * n);
        for (let b = 0; b < B; b++) start.set(problem === "tsp" ? lsdqn.randomTour(n, rng) : lsdqn.randomSpins(n, rng), b * n);
        env.reset(start);
        let worst = 0, checked = 0;
        for (let step = 0; step < n; step++) {
          const sol = env.readSolution(), gains = env.moveGains();
          const [qr, qp] = [res, plain].map((net) => rf.noGrad(() => rf.tidy(() => {
            const q = net.forward(g, sol, coords);
            return { moves: Float64Array.from(q.moves.toTypedArray()), stop: Float64Array.from(q.stop.toTypedArray()) };
          })));
          t.deepEqual(Array.from(qr.stop), Array.from(qp.stop), "stop gets no reward term");
          const A = problem === "tsp" ? n * n : n;
          for (let b = 0; b < B; b++)
            for (let a = 0; a < A; a++) {
              if (problem === "tsp") { const i = Math.floor(a / n), j = a % n; if (!(i < j) || (i === 0 && j === n - 1)) continue; }
              worst = Math.max(worst, Math.abs(qr.moves[b * A + a] - qp.moves[b * A + a] - gains[b * A + a] / unit[b]));
              checked++;
            }
          const act = new Int32Array(B);
          for (let b = 0; b < B; b++) {
            if (problem === "maxcut") act[b] = Math.floor(rng.next() * n);
            else { let i, j; do { i = Math.floor(rng.next() * n); j = Math.floor(rng.next() * n); } while (i === j); act[b] = Math.min(i, j) * n + Math.max(i, j); }
          }
          env.step(act);
        }
        t.true(checked > 100);
        t.true(worst < 1e-12, `worst |Q_res − Q_plain − gain/unit| = ${worst}`);
      } finally {
        env.dispose(); g.dispose(); res.dispose(); plain.dispose();
      }
    });

    test(`${problem} n=${n}: the untrained residual network is greedy (same actions, same best objective as the baseline)`, (t) => {
      const R = 4, { insts } = instances(problem, 4, n, 90 + n);
      for (const dtype of ["float64", "float32"]) {
        const net = new lsdqn.LsdqnQNet({ problem, hidden: 8, rounds: 2, dtype, seed: 7, gains: true, residual: true });
        try {
          for (const x of insts) {
            const rng = new Rng(n);
            const starts = Array.from({ length: R }, () => (problem === "tsp" ? lsdqn.randomTour(n, rng) : lsdqn.randomSpins(n, rng)));
            const o = lsdqnSearch(net, { n, matrix: x.matrix, coords: x.coords }, starts);
            const ref = starts.map((s) => (problem === "tsp" ? T.twoOpt(x.matrix, n, s, 2 * n).best : mc.maxcutGreedy(mc.cutGraph(x.matrix, n), s, 2 * n).best));
            for (let r = 0; r < R; r++) t.true(Math.abs(o.best[r] - ref[r]) < 1e-6, `${dtype} start ${r}: lsdqn ${o.best[r]} vs greedy ${ref[r]}`);
            // Action level, on the start states: Q's argmax (with stop) is the best-gain move, or stop when none improves.
            const env = new lsdqn.CopEnv({ problem, batch: 1, n, matrix: x.matrix });
            const g = new lsdqn.CopGraphBatch(x.matrix, 1, n, { dtype });
            try {
              for (const s of starts) {
                env.reset(s);
                const gains = env.moveGains();
                const q = rf.noGrad(() => rf.tidy(() => { const v = net.forward(g, s, x.coords); return { moves: v.moves.toTypedArray(), stop: v.stop.toTypedArray() }; }));
                t.is(q.stop[0], 0);
                const A = gains.length;
                let best = A, bg = 1e-9;
                for (let a = 0; a < A; a++) {
                  if (problem === "tsp") { const i = Math.floor(a / n), j = a % n; if (!(i < j) || (i === 0 && j === n - 1)) continue; }
                  if (gains[a] > bg) { bg = gains[a]; best = a; }
                }
                t.is(greedyAction(problem, n, s, q.moves, q.stop[0]), best);
              }
            } finally {
              env.dispose(); g.dispose();
            }
          }
        } finally {
          net.dispose();
        }
      }
    });
  }
}

test("maxcut: with the tabu guard the untrained residual network is the tabu baseline (same tenure, same starts)", (t) => {
  for (const [n, tenure] of [[15, 3], [24, 5]]) {
    const { insts } = instances("maxcut", 2, n, 40 + n);
    const net = new lsdqn.LsdqnQNet({ problem: "maxcut", hidden: 8, rounds: 2, dtype: "float64", seed: 2, gains: true, residual: true });
    try {
      for (const x of insts) {
        const rng = new Rng(n), starts = Array.from({ length: 3 }, () => lsdqn.randomSpins(n, rng));
        const o = lsdqnSearch(net, { n, matrix: x.matrix }, starts, { tabu: tenure });
        const g = mc.cutGraph(x.matrix, n);
        starts.forEach((s, r) => t.true(Math.abs(o.best[r] - mc.maxcutTabu(g, s, 2 * n, tenure).best) < 1e-9, `n ${n} start ${r}`));
        t.deepEqual(Array.from(o.moves), [2 * n, 2 * n, 2 * n], "the guard never stops early");
        // Without the guard it stops at the local optimum, like greedy.
        const plain = lsdqnSearch(net, { n, matrix: x.matrix }, starts);
        starts.forEach((s, r) => t.true(Math.abs(plain.best[r] - mc.maxcutGreedy(g, s, 2 * n).best) < 1e-9));
      }
    } finally {
      net.dispose();
    }
  }
});

test("tsp: with the tabu guard the untrained residual network is tabu 2-opt (twoOptTabu, same tenure)", (t) => {
  for (const [n, tenure] of [[13, 4], [20, 7]]) {
    const { insts } = instances("tsp", 2, n, 50 + n);
    const net = new lsdqn.LsdqnQNet({ problem: "tsp", hidden: 8, rounds: 2, dtype: "float64", seed: 2, gains: true, residual: true });
    try {
      for (const x of insts) {
        const rng = new Rng(n), starts = Array.from({ length: 3 }, () => lsdqn.randomTour(n, rng));
        const o = lsdqnSearch(net, { n, matrix: x.matrix, coords: x.coords }, starts, { tabu: tenure });
        starts.forEach((s, r) => {
          const ref = T.twoOptTabu(x.matrix, n, s, 2 * n, tenure);
          t.true(Math.abs(o.best[r] - ref.best) < 1e-9, `n ${n} start ${r}: ${o.best[r]} vs ${ref.best}`);
          t.true(ref.best <= T.twoOpt(x.matrix, n, s, 2 * n).best + 1e-9, "tabu 2-opt is never worse than 2-opt on the same budget here");
        });
      }
    } finally {
      net.dispose();
    }
  }
  t.throws(() => T.twoOptTabu(new Float64Array(9), 3, Int32Array.of(0, 1, 2), 3, -1), { instanceOf: RangeError, message: /tenure/ });
});

test("guardedAction: barred moves are skipped unless they beat the best; never stop; all barred → plain argmax", (t) => {
  const q = [5, 4, 3], gain = [-1, -1, -1]; // every move worsens obj 10 (best 10): no aspiration
  t.is(guardedAction("maxcut", 3, [1, 1, 1], q, [10, 0, 0], 0, gain, 10, 10), 1); // 0 barred, no aspiration
  t.is(guardedAction("maxcut", 3, [1, 1, 1], q, [10, 0, 0], 0, [5, -1, -1], 10, 8), 0); // 10 − 5 < 8: aspiration
  t.is(guardedAction("maxcut", 3, [1, 1, 1], q, [10, 10, 10], 0, gain, 10, 10), 0); // all barred
  t.is(guardedAction("maxcut", 3, [1, 1, 1], [-5, -4, -3], [0, 0, 0], 0, gain, 10, 10), 2); // negative Q, no stop
  t.throws(() => lsdqnSearch({ problem: "maxcut", k: 2 }, { n: 3, matrix: new Float64Array(9) }, [Int32Array.of(1, 1, 1)], { tabu: -1 }), { instanceOf: RangeError, message: /tabu must be an integer >= 0/ });
  t.throws(() => new lsdqn.LsdqnQNet({ problem: "kcut", k: 2, residual: true }), { instanceOf: RangeError, message: /residual/ });
});

for (const problem of ["maxcut", "tsp"]) {
  test(`${problem}: finite-difference gradient of every parameter of a residual network (float64, W0 ≠ 0)`, (t) => {
    const B = 2, n = 5, { m, coords } = instances(problem, B, n, 12);
    const net = new lsdqn.LsdqnQNet({ problem, hidden: 3, edgeFeatures: 4, rounds: 2, dtype: "float64", seed: 9, gains: true, residual: true });
    const donor = new lsdqn.LsdqnQNet({ problem, hidden: 3, edgeFeatures: 4, rounds: 2, dtype: "float64", seed: 9, gains: true });
    copyParams(donor, net);
    donor.dispose();
    const g = new lsdqn.CopGraphBatch(m, B, n, { dtype: "float64" });
    const r = new Rng(4), sol = new Int32Array(B * n);
    for (let b = 0; b < B; b++) sol.set(problem === "tsp" ? lsdqn.randomTour(n, r) : lsdqn.randomSpins(n, r), b * n);
    const probe = rf.noGrad(() => net.forward(g, sol, coords));
    const wMoves = Float64Array.from({ length: probe.moves.size }, () => r.next() * 2 - 1);
    const wStop = Float64Array.from({ length: probe.stop.size }, () => r.next() * 2 - 1);
    probe.moves.dispose(); probe.stop.dispose();
    const L = () => rf.tidy(() => {
      const q = net.forward(g, sol, coords);
      return rf.add(rf.sum(rf.mul(q.moves, rf.tensor(wMoves, { dtype: "float64", shape: [...q.moves.shape] }))), rf.sum(rf.mul(q.stop, rf.tensor(wStop, { dtype: "float64" }))));
    });
    net.zeroGrad();
    const l0 = L();
    l0.backward();
    l0.dispose();
    const eps = 1e-6;
    let worst = { ratio: 0 }, checked = 0;
    for (const [name, p] of net.namedParameters()) {
      const base = Float64Array.from(p.toTypedArray()), grad = p.grad.toTypedArray();
      for (let j = 0; j < base.length; j++) {
        const at = (delta) => {
          native.write({ handle: p._h, byteOffset: (p.offset + j) * 8, data: Float64Array.of(base[j] + delta) });
          const l = rf.noGrad(L), v = l.item();
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
    t.true(checked > 40);
    t.true(worst.ratio <= 1, JSON.stringify(worst));
    g.dispose();
    net.dispose();
  });
}

test("trainCop: a residual network trains (TD loss finite) and a checkpoint of the other form is refused", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lsdqn-res-"));
  const ckpt = path.join(dir, "c.ckpt");
  try {
    const r = lsdqn.trainCop({ problem: "maxcut", family: "er", n: 10, steps: 40, envBatch: 2, warmup: 8, batchSize: 4, hidden: 8, rounds: 2, seed: 3, gains: true, residual: true, checkpoint: ckpt, valSize: 2 });
    t.true(r.net.residual);
    t.true(Number.isFinite(r.recentLoss));
    t.false(Array.from(r.net.w0.toTypedArray()).every((x) => x === 0), "W0 moved away from zero");
    r.net.dispose();
    t.throws(() => lsdqn.trainCop({ problem: "maxcut", family: "er", n: 10, steps: 60, envBatch: 2, warmup: 8, batchSize: 4, hidden: 8, rounds: 2, seed: 3, gains: true, residual: false, checkpoint: ckpt, resume: true, valSize: 2 }), { instanceOf: RangeError, message: /residual true, not false/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
