// Usage: [COMPARE=PAIRS] node scripts/lsdqn-search-cost.mjs [GRAPHS=G1,G11,G14] [RS=1,10,50] [MOVES=40] (after npx tsc)
// The cost of LS-DQN's Gset search (lsdqnSearch: the R starts of a graph as one batch of the native
// environment and of the batched graph), used to size table C's R: per graph and R, wall and CPU seconds
// of MOVES moves per start, ms per start and move, and the extrapolation to one graph's full budget
// (R starts × 2n moves, one training seed). The network is the record's form (gain features, residual Q,
// d 64, T 3, λ 0.3, tabu guard of tenure 80) with random non-zero parameters: the cost does not depend on
// the weights, and no cut is printed (R is never chosen from Gset results). It also checks that each of
// the first 3 starts reaches the same best objective alone (R = 1) as inside the batch ("same_as_single").
// One JSON line per (graph, R), with the 1-minute load average: timings on a shared machine are loaded.
// COMPARE=PAIRS (env): instead, per (graph, R), PAIRS alternated runs of the generic-op search (fast: false,
// "old") and the fused native forward (default, "new") in this one process; prints wall and CPU ms per
// start and move of each, the ratio old / new (median over the pairs), and whether the two gave the same
// best objective and move count for every start (they compute the same Q-values up to float rounding).
import os from "node:os";
import path from "node:path";
import * as rf from "../dist/index.js";
import { lsdqnSearch } from "../dist/methods/lsdqn/search.js";
import { readGset, denseWeights } from "../dist/methods/lsdqn/io/gset.js";
import { Rng } from "../dist/prng.js";
const { lsdqn } = rf;
const [graphsS = "G1,G11,G14", RsS = "1,10,50", movesS = "40"] = process.argv.slice(2);
const data = process.env.RECFORGE_DATA ? path.resolve(process.env.RECFORGE_DATA) : path.resolve(import.meta.dirname, "..", "..", "shared", "data");
const moves = +movesS, Rs = RsS.split(",").map(Number);
const full = new lsdqn.LsdqnQNet({ problem: "maxcut", hidden: 64, rounds: 3, seed: 1, gains: true });
const net = new lsdqn.LsdqnQNet({ problem: "maxcut", hidden: 64, rounds: 3, seed: 1, gains: true, residual: true });
net.loadStateDict(full.stateDict()); // W0 != 0: the network's part is not skipped by anything
full.dispose();
const opts = { limit: moves, tabu: 80, remainderScale: 0.3 };
const pairs = process.env.COMPARE ? +process.env.COMPARE : 0;
const median = (a) => { const b = [...a].sort((x, y) => x - y); return b.length % 2 ? b[(b.length - 1) / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2; };
function timed(f) {
  const c0 = process.cpuUsage(), t0 = performance.now(), o = f(), wall = performance.now() - t0, c = process.cpuUsage(c0);
  return { o, wall, cpu: (c.user + c.system) / 1000 };
}
for (const name of graphsS.split(",")) {
  const wg = readGset(path.join(data, "gset", "graphs", name)), n = wg.n, w = denseWeights(wg);
  for (const R of Rs) {
    const rng = new Rng(7), starts = Array.from({ length: R }, () => lsdqn.randomSpins(n, rng));
    if (pairs) {
      const load0 = os.loadavg()[0], rows = { old: [], new: [] };
      let same = true;
      for (let i = 0; i < pairs; i++) {
        const a = timed(() => lsdqnSearch(net, { n, matrix: w }, starts, { ...opts, fast: false }));
        const b = timed(() => lsdqnSearch(net, { n, matrix: w }, starts, opts));
        rows.old.push(a);
        rows.new.push(b);
        same &&= a.o.best.every((x, r) => x === b.o.best[r]) && a.o.moves.every((x, r) => x === b.o.moves[r]);
      }
      const per = (x) => +(x / (R * moves)).toFixed(3);
      const ratio = median(rows.old.map((a, i) => a.wall / rows.new[i].wall)), ratioCpu = median(rows.old.map((a, i) => a.cpu / rows.new[i].cpu));
      console.log(JSON.stringify({ graph: name, n, edges: wg.src.length, R, moves_per_start: moves, pairs, old_ms_per_start_move: per(median(rows.old.map((a) => a.wall))), new_ms_per_start_move: per(median(rows.new.map((a) => a.wall))), old_cpu_ms_per_start_move: per(median(rows.old.map((a) => a.cpu))), new_cpu_ms_per_start_move: per(median(rows.new.map((a) => a.cpu))), speedup_wall: +ratio.toFixed(2), speedup_cpu: +ratioCpu.toFixed(2), same_best_and_moves: same, threads: rf.getNumThreads(), load_1min: [+load0.toFixed(2), +os.loadavg()[0].toFixed(2)] }));
      continue;
    }
    const load = os.loadavg()[0], c0 = process.cpuUsage(), t0 = performance.now();
    const o = lsdqnSearch(net, { n, matrix: w }, starts, opts);
    const wall = (performance.now() - t0) / 1000, c = process.cpuUsage(c0), cpu = (c.user + c.system) / 1e6;
    const same = R === 1 ? null : starts.slice(0, 3).every((s, r) => lsdqnSearch(net, { n, matrix: w }, [s], opts).best[0] === o.best[r]);
    console.log(JSON.stringify({ graph: name, n, edges: wg.src.length, R, moves_per_start: moves, wall_s: +wall.toFixed(2), cpu_s: +cpu.toFixed(2), ms_per_start_move: +((1000 * wall) / (R * moves)).toFixed(3), full_budget_s_per_graph_seed: +((wall * 2 * n) / moves).toFixed(1), same_as_single: same, load_1min: +load.toFixed(2) }));
  }
}
net.dispose();
