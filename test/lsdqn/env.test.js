// LS-DQN environments through the binding (the kernels themselves are tested natively against
// from-scratch references in native/tests/cop_env_test.cc): random episodes checked move by move
// against objectives recomputed in JS, the TSPLIB EUC_2D lengths (berlin52's optimal tour = 7542,
// every opt_tours/*.tour against `solutions`), and bad input refused with clear errors.
import test from "ava";
import fs from "node:fs";
import path from "node:path";
import * as rf from "../../dist/index.js";
import { Rng } from "../../dist/prng.js";
import { dataTest } from "./data.js";

const { lsdqn } = rf;

function insideWeight(w, n, label, b = 0) {
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (label[b * n + i] === label[b * n + j]) o += w[b * n * n + i * n + j];
  return o;
}

function tourLength(d, n, tour, b = 0) {
  let o = 0;
  for (let p = 0; p < n; p++) o += d[b * n * n + tour[b * n + p] * n + tour[b * n + ((p + 1) % n)]];
  return o;
}

function batchOf(gen, B) {
  const insts = Array.from({ length: B }, (_, i) => gen(lsdqn.instanceRng(11, i)));
  const n = insts[0].n;
  const m = new Float64Array(B * n * n);
  insts.forEach((x, b) => m.set(x.matrix, b * n * n));
  return { n, m, insts };
}

test("maxcut / kcut / tsp: random episodes through the binding match JS objectives after every move", (t) => {
  const rng = new Rng(5);
  const cases = [
    { problem: "maxcut", B: 3, ...batchOf((r) => lsdqn.erdosRenyi(13, r), 3) },
    { problem: "kcut", B: 2, k: 3, ...batchOf((r) => lsdqn.gaussianClusters(3, 4, r), 2) },
    { problem: "tsp", B: 3, ...batchOf((r) => lsdqn.uniformPoints(11, r), 3) },
  ];
  for (const c of cases) {
    const { n, B, m } = c;
    const env = new lsdqn.CopEnv({ problem: c.problem, batch: B, n, k: c.k, matrix: m });
    try {
      const start = new Int32Array(B * n);
      for (let b = 0; b < B; b++) {
        const s = c.problem === "maxcut" ? lsdqn.randomSpins(n, rng) : c.problem === "kcut" ? lsdqn.randomEqualLabels(n, c.k, rng) : lsdqn.randomTour(n, rng);
        start.set(s, b * n);
      }
      env.reset(start);
      const objective = (sol, b) => (c.problem === "tsp" ? tourLength(m, n, sol, b) : insideWeight(m, n, sol, b));
      const best = Array.from({ length: B }, (_, b) => objective(start, b));
      for (let step = 0; step < 2 * n; step++) {
        const sol = env.readSolution();
        const act = new Int32Array(B);
        for (let b = 0; b < B; b++) {
          if (c.problem === "maxcut") act[b] = Math.floor(rng.next() * n);
          else if (c.problem === "kcut") {
            let u, v;
            do { u = Math.floor(rng.next() * n); v = Math.floor(rng.next() * n); } while (sol[b * n + u] === sol[b * n + v]);
            act[b] = u * n + v;
          } else {
            const i = Math.floor(rng.next() * (n - 1));
            act[b] = i * n + i + 1 + Math.floor(rng.next() * (n - 1 - i));
          }
        }
        const reward = env.step(act);
        const after = env.readSolution(), obj = env.readObjective(), bestObj = env.readBestObjective();
        for (let b = 0; b < B; b++) {
          const o = objective(after, b);
          t.true(Math.abs(obj[b] - o) < 1e-9, `${c.problem} step ${step}: ${obj[b]} vs ${o}`);
          t.true(Math.abs(reward[b] - (objective(sol, b) - o)) < 1e-9);
          best[b] = Math.min(best[b], o);
          t.true(Math.abs(bestObj[b] - best[b]) < 1e-9);
        }
      }
      t.deepEqual(Array.from(env.readDone()), new Array(B).fill(1), `${c.problem}: done after 2n moves`);
      t.deepEqual(Array.from(env.readSteps()), new Array(B).fill(2 * n));
      const frozen = env.readSolution();
      t.deepEqual(Array.from(env.step(new Int32Array(B))), new Array(B).fill(0), "a finished episode ignores moves");
      t.deepEqual(env.readSolution(), frozen);
    } finally {
      env.dispose();
    }
  }
});

test("CopEnv refuses bad input with clear errors, changing nothing", (t) => {
  const n = 4;
  const w = new Float64Array(n * n);
  w[1] = w[4] = 1;
  const env = new lsdqn.CopEnv({ problem: "maxcut", batch: 1, n, matrix: w });
  t.throws(() => env.step(new Int32Array(1)), { instanceOf: TypeError, message: /reset\(\) first/ });
  t.throws(() => env.reset(Int32Array.of(1, 0, 1, 1)), { instanceOf: RangeError, message: /spin must be -1 or \+1, found 0/ });
  env.reset(Int32Array.of(1, 1, -1, -1));
  t.throws(() => env.step(Int32Array.of(4)), { instanceOf: RangeError, message: /instance 0: action 4 is not a node in \[0, n\)/ });
  t.deepEqual(Array.from(env.readSolution()), [1, 1, -1, -1]);
  t.throws(() => env.step(new Int32Array(2)), { instanceOf: RangeError, message: /1 entries/ });
  env.dispose();
  const asym = new Float64Array(n * n);
  asym[1] = 1;
  const bad = new lsdqn.CopEnv({ problem: "maxcut", batch: 1, n, matrix: asym });
  t.throws(() => bad.reset(Int32Array.of(1, 1, 1, 1)), { instanceOf: RangeError, message: /finite and symmetric; entries \(0, 1\)/ });
  bad.dispose();
  t.throws(() => new lsdqn.CopEnv({ problem: "kcut", batch: 1, n: 5, k: 2, matrix: new Float64Array(25) }), { instanceOf: RangeError, message: /k \(2\) to divide n \(5\)/ });
  const kc = new lsdqn.CopEnv({ problem: "kcut", batch: 1, n, k: 2, matrix: new Float64Array(16) });
  t.throws(() => kc.reset(Int32Array.of(0, 0, 0, 1)), { instanceOf: RangeError, message: /cluster 0 has 3 nodes/ });
  kc.reset(Int32Array.of(0, 0, 1, 1));
  t.throws(() => kc.step(Int32Array.of(0 * n + 1)), { instanceOf: RangeError, message: /different clusters/ });
  kc.dispose();
  const tsp = new lsdqn.CopEnv({ problem: "tsp", batch: 1, n, matrix: new Float64Array(16) });
  t.throws(() => tsp.reset(Int32Array.of(0, 1, 1, 3)), { instanceOf: RangeError, message: /permutation/ });
  tsp.reset(Int32Array.of(0, 1, 2, 3));
  t.throws(() => tsp.step(Int32Array.of(2 * n + 1)), { instanceOf: RangeError, message: /0 <= i < j < n/ });
  tsp.dispose();
  t.throws(() => lsdqn.tspDistances(Float64Array.of(0, NaN), 1, 1, true), { instanceOf: RangeError, message: /not finite/ });
});

dataTest(test, "TSPLIB EUC_2D: berlin52's optimal tour measures 7542; every opt tour reproduces `solutions`", "tsplib", (t, dir) => {
  const solutions = lsdqn.readSolutions(path.join(dir, "solutions"));
  const tours = fs.readdirSync(path.join(dir, "opt_tours")).filter((f) => f.endsWith(".tour"));
  t.true(tours.includes("berlin52.opt.tour"));
  for (const f of tours) {
    const name = f.replace(/\.opt\.tour$/, "");
    const inst = lsdqn.readTsp(path.join(dir, `${name}.tsp`));
    const tour = lsdqn.readTour(path.join(dir, "opt_tours", f));
    const dist = lsdqn.tspDistances(inst.coords, 1, inst.n, true);
    const env = new lsdqn.CopEnv({ problem: "tsp", batch: 1, n: inst.n, matrix: dist });
    env.reset(tour);
    const len = env.readObjective()[0];
    env.dispose();
    t.is(len, solutions.get(name), name);
    t.is(lsdqn.euc2dLength(inst, tour), len, `${name}: JS nint length`);
    if (name === "berlin52") t.is(len, 7542);
  }
  // The spec's test instances parse, and the native EUC_2D matrix equals TSPLIB's nint in JS.
  for (const name of Object.values(lsdqn.TSPLIB_GROUPS).flat()) {
    const inst = lsdqn.readTsp(path.join(dir, `${name}.tsp`));
    const d = lsdqn.tspDistances(inst.coords, 1, inst.n, true);
    for (let i = 0; i < inst.n; i++)
      for (let j = 0; j < inst.n; j++) {
        const want = Math.floor(Math.hypot(inst.coords[i * 2] - inst.coords[j * 2], inst.coords[i * 2 + 1] - inst.coords[j * 2 + 1]) + 0.5);
        if (d[i * inst.n + j] !== want) return t.fail(`${name} (${i}, ${j}): ${d[i * inst.n + j]} vs ${want}`);
      }
    t.true(solutions.has(name), `${name} has a solutions value`);
  }
});
