// Usage: node scripts/lsdqn-select.mjs maxcut|tsp LR STEPS N_TRAIN N_VAL [FEATURES=plain|gain] [FAMILY=points|er|ba] [SEED=1]
// (after npx tsc). Prints one JSON line. Selection on generated graphs only: train one model (seed 1
// by default), then score it on 5 fresh generated instances of size N_VAL (5 starts × 2n moves each,
// greedy in Q) beside the baselines on the same starts (Max-Cut: greedy and tabu, tenure 5; TSP: 2-opt).
// Max-Cut values are mean cuts (larger better), TSP mean best tour lengths (smaller better).
import * as rf from "../dist/index.js";
import { lsdqnSearch } from "../dist/methods/lsdqn/search.js";
import * as mc from "../dist/methods/lsdqn/baselines/maxcut.js";
import * as T from "../dist/methods/lsdqn/baselines/tsp.js";
import { Rng } from "../dist/prng.js";
const { lsdqn } = rf;
const [problem, lrS, stepsS, nTrainS, nValS, features = "plain", family = "points", seedS = "1"] = process.argv.slice(2);
const lr = +lrS, steps = +stepsS, nTrain = +nTrainS, nVal = +nValS, seed = +seedS;
const gains = features === "gain";
const t0 = Date.now();
const r = lsdqn.trainCop({ problem, family, n: nTrain, steps, lr, seed, gains });
const gen = (i) => {
  const g = lsdqn.instanceRng(4242, i);
  return problem === "tsp" || family === "points" ? lsdqn.uniformPoints(nVal, g) : family === "er" ? lsdqn.erdosRenyi(nVal, g) : lsdqn.barabasiAlbert(nVal, g);
};
let ls = 0, greedy = 0, tabu = 0, two = 0, moves = 0; const G = 5, R = 5;
for (let i = 0; i < G; i++) {
  const x = gen(i), rng = new Rng(i);
  const starts = Array.from({ length: R }, () => problem === "tsp" ? lsdqn.randomTour(nVal, rng) : lsdqn.randomSpins(nVal, rng));
  const o = lsdqnSearch(r.net, { n: nVal, matrix: x.matrix, coords: x.coords }, starts);
  moves += o.moves.reduce((a, c) => a + c, 0) / (R * G);
  if (problem === "tsp") { ls += Math.min(...o.best) / G; two += Math.min(...starts.map((s) => T.twoOpt(x.matrix, nVal, s, 2 * nVal).best)) / G; }
  else {
    const g = mc.cutGraph(x.matrix, nVal);
    ls += (g.total - Math.min(...o.best)) / G;
    greedy += (g.total - Math.min(...starts.map((s) => mc.maxcutGreedy(g, s, 2 * nVal).best))) / G;
    tabu += (g.total - Math.min(...starts.map((s) => mc.maxcutTabu(g, s, 2 * nVal, 5).best))) / G;
  }
}
const base = problem === "tsp" ? { "2opt": two } : { greedy, tabu };
console.log(JSON.stringify({ problem, family, features, lr, steps, nTrain, nVal, seed, trainSeconds: (Date.now() - t0) / 1000, lsdqn: ls, ...base, meanMoves: moves, limit: 2 * nVal, validation: r.validation }));
r.net.dispose();
