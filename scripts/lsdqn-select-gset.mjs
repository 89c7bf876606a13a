// Usage (after npx tsc): node scripts/lsdqn-select-gset.mjs tenure
//                        node scripts/lsdqn-select-gset.mjs train N_TRAIN SEED [STEPS=3000] [G=10] [R=10] [LAMBDAS=0.3] [GUARDS=tenure] [FAMILY=er|gsetmix] [HIDDEN=64] [ROUNDS=3]
// Prints one JSON line. The choices table C of `bench cop` makes, on generated graphs only (never Gset):
//  - tenure: the tabu tenure grid on generated Gset-like graphs (bench cop's gsetTenure: the table's tabu
//    tenure and LS-DQN's guard there);
//  - train: one LS-DQN Gset network (the record protocol's residual gain network: ER ±1 p = 0.15 training
//    graphs of N_TRAIN nodes, lr 1e-3, STEPS steps, env batch 8) scored on G validation graphs
//    gsetLike(0x5e7, i) (n = 800, the five Gset-like laws in turn; not the tenure's graphs) with R seeded
//    starts × 1600 moves, under the tabu guard of the tuned tenure, λ 0.3 — beside tabu on the same starts.
//    ratio = LS-DQN's best cut / tabu's best cut per graph, averaged. With LAMBDAS / GUARDS (comma lists) one
//    line per (λ, guard tenure) pair, all scored with the one trained network on the same graphs and starts.
import { gsetLike, gsetTenure, GSET_LIKE_LAWS } from "../dist/bench/cop.js";
import { trainCop } from "../dist/methods/lsdqn/train/dqn.js";
import { lsdqnSearch } from "../dist/methods/lsdqn/search.js";
import { cutGraph, maxcutTabu } from "../dist/methods/lsdqn/baselines/maxcut.js";
import { randomSpins } from "../dist/methods/lsdqn/io/generators.js";
import { Rng, hash2 } from "../dist/prng.js";

const [mode, nS, seedS, stepsS = "3000", GS = "10", RS = "10", lamS = "0.3", guardS = "", family = "er", hiddenS = "64", roundsS = "3"] = process.argv.slice(2);
const t0 = performance.now();
const tune = gsetTenure();
if (mode === "tenure") {
  console.log(JSON.stringify({ mode, laws: GSET_LIKE_LAWS, tenure: tune.tenure, grid: tune.grid, seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
  process.exit(0);
}
if (mode !== "train") throw new RangeError(`lsdqn-select-gset: mode must be tenure or train, got ${mode}`);
const n = +nS, seed = +seedS, steps = +stepsS, G = +GS, R = +RS, hidden = +hiddenS, rounds = +roundsS;
// LAMBDAS and GUARDS (comma lists; default 0.3 and the tuned tabu tenure): every (λ, guard tenure) pair is
// scored with the one trained network on the same graphs and starts; tabu stays at its tuned tenure.
const lams = lamS.split(",").map(Number), guards = guardS ? guardS.split(",").map(Number) : [tune.tenure];
const r = trainCop({ problem: "maxcut", family, n, steps, seed, lr: 1e-3, envBatch: 8, gains: true, residual: true, hidden, rounds });
const trainSeconds = (performance.now() - t0) / 1000;
const settings = lams.flatMap((lambda) => guards.map((guard) => ({ lambda, guard, graphs: [] })));
for (let i = 0; i < G; i++) {
  const x = gsetLike(0x5e7, i), g = cutGraph(x.matrix, x.n), rng = new Rng(hash2(0x5e8, i));
  const starts = Array.from({ length: R }, () => randomSpins(x.n, rng));
  const tabu = Math.max(...starts.map((s) => g.total - maxcutTabu(g, s, 2 * x.n, tune.tenure).best));
  for (const st of settings) {
    const o = lsdqnSearch(r.net, { n: x.n, matrix: x.matrix }, starts, { tabu: st.guard, remainderScale: st.lambda });
    const ls = Math.max(...Array.from(o.best, (b) => g.total - b));
    st.graphs.push({ i, law: x.law, tabu, lsdqn: ls, ratio: +(ls / tabu).toFixed(5), seconds: +o.seconds.toFixed(1) });
  }
}
r.net.dispose();
for (const st of settings) {
  const ratio = st.graphs.reduce((a, x) => a + x.ratio, 0) / G;
  console.log(JSON.stringify({ mode, family, nTrain: n, seed, steps, hidden, rounds, lr: 1e-3, lambda: st.lambda, guard: st.guard, tenure: tune.tenure, G, R, ratio_to_tabu: +ratio.toFixed(5), trainSeconds: +trainSeconds.toFixed(1), validation: r.validation, graphs: st.graphs }));
}
