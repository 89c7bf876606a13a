// Usage: node scripts/lsdqn-select.mjs maxcut|tsp LR STEPS N_TRAIN N_VAL  (after npx tsc). Prints one JSON line.
// Preliminary selection on generated graphs only (seed 1): lr for the Max-Cut points model and the TSP model.
import * as rf from "../dist/index.js";
import { lsdqnSearch } from "../dist/methods/lsdqn/search.js";
import * as mc from "../dist/methods/lsdqn/baselines/maxcut.js";
import * as T from "../dist/methods/lsdqn/baselines/tsp.js";
import { Rng } from "../dist/prng.js";
const { lsdqn } = rf;
const problem = process.argv[2], lr = +process.argv[3], steps = +process.argv[4], nTrain = +process.argv[5], nVal = +process.argv[6];
const t0 = Date.now();
const r = lsdqn.trainCop({ problem, family: "points", n: nTrain, steps, lr, seed: 1 });
let ls = 0, base = 0; const G = 5, R = 5;
for (let i = 0; i < G; i++) {
  const x = lsdqn.uniformPoints(nVal, lsdqn.instanceRng(4242, i)), rng = new Rng(i);
  const starts = Array.from({ length: R }, () => problem === "tsp" ? lsdqn.randomTour(nVal, rng) : lsdqn.randomSpins(nVal, rng));
  const o = lsdqnSearch(r.net, { n: nVal, matrix: x.matrix, coords: x.coords }, starts);
  if (problem === "tsp") { ls += Math.min(...o.best) / G; base += Math.min(...starts.map((s) => T.twoOpt(x.matrix, nVal, s, 2 * nVal).best)) / G; }
  else { const g = mc.cutGraph(x.matrix, nVal); ls += (g.total - Math.min(...o.best)) / G; base += (g.total - Math.min(...starts.map((s) => mc.maxcutTabu(g, s, 2 * nVal, 5).best))) / G; }
}
console.log(JSON.stringify({ problem, lr, steps, nTrain, nVal, trainSeconds: (Date.now() - t0) / 1000, lsdqn: ls, baseline: base, baselineName: problem === "tsp" ? "2opt" : "tabu", validation: r.validation }));
