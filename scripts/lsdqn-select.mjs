// Usage: node scripts/lsdqn-select.mjs maxcut|tsp LR STEPS N_TRAIN N_VAL [FEATURES=plain|gain] [FAMILY=points|er|ba] [SEED=1] [QFORM=full|residual] [TABU=none|TENURE] [G=5] [R=5] [LAMBDAS=1]
// (after npx tsc). Prints one JSON line. Selection on generated graphs only: train one model (seed 1
// by default), then score it on G fresh generated instances of size N_VAL (R starts × 2n moves each,
// greedy in Q; with TABU the evaluation uses lsdqnSearch's tabu guard of that tenure) beside the
// baselines on the same starts (Max-Cut: greedy and tabu, tenure 5 or TABU; TSP: 2-opt and, with TABU,
// the untrained residual network under the same guard = tabu best-improvement 2-opt).
// Max-Cut values are mean cuts (larger better), TSP mean best tour lengths (smaller better).
// QFORM residual: Q = immediate reward + network (bench/results/cop.md); "untrained" is the same search
// with the untrained network (for residual: W0 = 0, i.e. greedy / 2-opt, or tabu under the guard).
// LAMBDAS (residual): comma list of remainder scales λ (Q = r + λ f) evaluated with the one trained net;
// "lsdqn" is then an object λ → value.
import * as rf from "../dist/index.js";
import { lsdqnSearch } from "../dist/methods/lsdqn/search.js";
import * as mc from "../dist/methods/lsdqn/baselines/maxcut.js";
import * as T from "../dist/methods/lsdqn/baselines/tsp.js";
import { Rng } from "../dist/prng.js";
const { lsdqn } = rf;
const [problem, lrS, stepsS, nTrainS, nValS, features = "plain", family = "points", seedS = "1", qform = "full", tabuS = "none", GS = "5", RS = "5", lamS = "1"] = process.argv.slice(2);
const lams = lamS.split(",").map(Number);
const lr = +lrS, steps = +stepsS, nTrain = +nTrainS, nVal = +nValS, seed = +seedS;
const gains = features === "gain", residual = qform === "residual";
const tabu = tabuS === "none" ? undefined : +tabuS;
const t0 = Date.now();
const r = lsdqn.trainCop({ problem, family, n: nTrain, steps, lr, seed, gains, residual });
const untrained = new lsdqn.LsdqnQNet({ problem, hidden: 64, rounds: 3, seed: 12345, gains, residual });
const gen = (i) => {
  const g = lsdqn.instanceRng(4242, i);
  return problem === "tsp" || family === "points" ? lsdqn.uniformPoints(nVal, g) : family === "er" ? lsdqn.erdosRenyi(nVal, g) : lsdqn.barabasiAlbert(nVal, g);
};
const ls = Object.fromEntries(lams.map((l) => [l, 0]));
let un = 0, greedy = 0, tabuCut = 0, two = 0, moves = 0; const G = +GS, R = +RS;
const t1 = Date.now();
for (let i = 0; i < G; i++) {
  const x = gen(i), rng = new Rng(i);
  const starts = Array.from({ length: R }, () => problem === "tsp" ? lsdqn.randomTour(nVal, rng) : lsdqn.randomSpins(nVal, rng));
  const os = lams.map((l) => lsdqnSearch(r.net, { n: nVal, matrix: x.matrix, coords: x.coords }, starts, { tabu, remainderScale: residual ? l : undefined }));
  const o = os[os.length - 1];
  const u = lsdqnSearch(untrained, { n: nVal, matrix: x.matrix, coords: x.coords }, starts, { tabu });
  moves += o.moves.reduce((a, c) => a + c, 0) / (R * G);
  if (problem === "tsp") { lams.forEach((l, k) => (ls[l] += Math.min(...os[k].best) / G)); un += Math.min(...u.best) / G; two += Math.min(...starts.map((s) => T.twoOpt(x.matrix, nVal, s, 2 * nVal).best)) / G; }
  else {
    const g = mc.cutGraph(x.matrix, nVal);
    lams.forEach((l, k) => (ls[l] += (g.total - Math.min(...os[k].best)) / G));
    un += (g.total - Math.min(...u.best)) / G;
    greedy += (g.total - Math.min(...starts.map((s) => mc.maxcutGreedy(g, s, 2 * nVal).best))) / G;
    tabuCut += (g.total - Math.min(...starts.map((s) => mc.maxcutTabu(g, s, 2 * nVal, tabu ?? 5).best))) / G;
  }
}
const base = problem === "tsp" ? { "2opt": two } : { greedy, tabu: tabuCut };
console.log(JSON.stringify({ problem, family, features, qform, guard: tabu ?? "none", lr, steps, nTrain, nVal, seed, trainSeconds: (t1 - t0) / 1000, evalSeconds: (Date.now() - t1) / 1000, lsdqn: ls, untrained: un, ...base, meanMoves: moves, limit: 2 * nVal, validation: r.validation }));
r.net.dispose();
untrained.dispose();
