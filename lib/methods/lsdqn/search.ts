// LS-DQN at test time (../shared/reference/lsdqn.md, "Metrics and baselines"): per instance, R given
// starts, each an episode of at most `limit` (2n) moves greedy in Q (the stop action allowed), all R
// episodes of one instance acting as one batch of the native environment; result = the best objective
// of each episode. The environment scores with `matrix` (e.g. TSPLIB EUC_2D integer lengths), the
// network sees `graph` (default `matrix`) and `coords` (TSP, scaled into the unit square).
// Optional tabu guard (option `tabu`, "we": beyond the spec, which has no no-revisit rule; an ablation
// in bench/results/cop.md): the stop action is not taken, and a move made in the last `tabu` steps
// (Max-Cut: the node; TSP: the same (i, j) reversal, its own inverse) may not be made again unless it
// would beat the episode's best objective (aspiration, from the environment's exact move gains), as in
// the tabu baseline. Within those rules the move is still the argmax of Q.
import { CopEnv } from "./env/cop_env.js";
import { CopGraphBatch } from "./model/cop_graph.js";
import type { LsdqnQNet } from "./model/qnet.js";
import type { Tensor } from "../../tensor/tensor.js";
import { moveCount, greedyAction, envAction, isValidMove } from "./train/moves.js";
import { noGradOps, tidy } from "./train/ops.js";
import { MaxCutQKernel } from "./model/maxcut_q_kernel.js";

export interface SearchInstance {
  n: number;
  /** Objective matrix [n·n]: weights (cut problems) or distances (TSP). */
  matrix: Float64Array;
  /** The network's edge weights [n·n] (default matrix). */
  graph?: Float64Array;
  /** TSP: the network's coordinates [n·2]. */
  coords?: Float64Array;
}

export interface SearchOptions {
  /** Clusters (k-cut). */
  k?: number;
  /** Moves per episode (default 2n). */
  limit?: number;
  /** TSP: keep K nearest neighbours in the network's graph when n > K (default 50, the paper's). */
  knn?: number;
  /** Tabu guard tenure (Max-Cut / TSP): no stop, recently made moves barred unless they beat the best (default: off). */
  tabu?: number;
  /** Residual networks: Q = r + λ · network output during this search (default the net's remainderScale, 1). */
  remainderScale?: number;
  /**
   * Starts run together as one batch (default all R): the R episodes are independent rows of the native
   * environment and of the batched graph, so any chunking gives the same outcome; smaller chunks bound the
   * memory (two B·n² float64 copies of the matrix), larger ones share each forward's fixed cost.
   */
  chunk?: number;
  /**
   * Max-Cut: score moves with the fused native forward (model/maxcut_q_kernel.ts; default true). false runs
   * the network's generic-op forward (LsdqnQNet.forward, the reference): the same Q-values up to float
   * rounding, hence the same moves (test/lsdqn/batched_search.test.js), several times slower. TSP and
   * k-cut always use the generic forward.
   */
  fast?: boolean;
}

export interface SearchOutcome {
  /** Best objective of each start's episode [R]. */
  best: Float64Array;
  /** Moves made per start (the stop action ends an episode early). */
  moves: Int32Array;
  /** Q-network evaluations (one per acting batch row per step). */
  evaluations: number;
  seconds: number;
}

/** Runs the R episodes of one instance (starts: R solutions, one per row). */
export function lsdqnSearch(net: LsdqnQNet, inst: SearchInstance, starts: Int32Array[], opts: SearchOptions = {}): SearchOutcome {
  const problem = net.problem, n = inst.n, R = starts.length;
  if (R < 1) throw new RangeError("recforge: lsdqnSearch: at least one start is needed");
  if (!(inst.matrix instanceof Float64Array) || inst.matrix.length !== n * n) throw new RangeError(`recforge: lsdqnSearch: matrix must be a Float64Array of n*n = ${n * n} entries`);
  if (problem === "tsp" && !(inst.coords instanceof Float64Array && inst.coords.length === 2 * n)) throw new RangeError(`recforge: lsdqnSearch: TSP needs coords of 2n = ${2 * n} entries`);
  const tenure = opts.tabu;
  if (tenure !== undefined && !(Number.isInteger(tenure) && tenure >= 0)) throw new RangeError(`recforge: lsdqnSearch: tabu must be an integer >= 0, got ${tenure}`);
  if (tenure !== undefined && problem === "kcut") throw new RangeError("recforge: lsdqnSearch: the tabu guard exists for maxcut and tsp, not kcut");
  const lam = opts.remainderScale;
  if (lam !== undefined && !(Number.isFinite(lam) && lam >= 0)) throw new RangeError(`recforge: lsdqnSearch: remainderScale must be a finite number >= 0, got ${lam}`);
  if (lam !== undefined && !net.residual) throw new RangeError("recforge: lsdqnSearch: remainderScale needs a residual network");
  const chunk = opts.chunk ?? R;
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new RangeError(`recforge: lsdqnSearch: chunk must be an integer >= 1, got ${chunk}`);
  for (const [r, s] of starts.entries()) if (!(s instanceof Int32Array) || s.length !== n) throw new RangeError(`recforge: lsdqnSearch: start ${r} must be an Int32Array of n = ${n} entries`);
  if (chunk >= R) return searchBatch(net, inst, starts, opts);
  const t0 = performance.now(), best = new Float64Array(R), moves = new Int32Array(R);
  let evaluations = 0;
  for (let c = 0; c < R; c += chunk) {
    const o = searchBatch(net, inst, starts.slice(c, c + chunk), opts);
    best.set(o.best, c);
    moves.set(o.moves, c);
    evaluations += o.evaluations;
  }
  return { best, moves, evaluations, seconds: (performance.now() - t0) / 1000 };
}

/** One batch of starts (validated by lsdqnSearch). */
function searchBatch(net: LsdqnQNet, inst: SearchInstance, starts: Int32Array[], opts: SearchOptions): SearchOutcome {
  const problem = net.problem, n = inst.n, R = starts.length, A = moveCount(problem, n), tenure = opts.tabu, lam = opts.remainderScale;
  const lam0 = net.remainderScale;
  if (lam !== undefined) net.remainderScale = lam;
  const t0 = performance.now();
  const rep = (m: Float64Array) => {
    const out = new Float64Array(R * m.length);
    for (let r = 0; r < R; r++) out.set(m, r * m.length);
    return out;
  };
  const k = problem === "kcut" ? (opts.k ?? net.k) : undefined;
  const fast = problem === "maxcut" && opts.fast !== false;
  let env: CopEnv | undefined, g: CopGraphBatch | undefined, kernel: MaxCutQKernel | undefined;
  const coords = inst.coords ? rep(inst.coords) : undefined;
  let evaluations = 0;
  let edgeTerm: Tensor | undefined;
  try {
    env = new CopEnv({ problem, batch: R, n, k, matrix: rep(inst.matrix), limit: opts.limit });
    if (fast) kernel = new MaxCutQKernel(net, inst.graph ?? inst.matrix, n); // one copy of the graph for all R rows
    else {
      const knn = opts.knn ?? 50;
      g = new CopGraphBatch(rep(inst.graph ?? inst.matrix), R, n, { knn: problem === "tsp" && n > knn ? knn : undefined, dtype: net.theta0.dtype });
      // Parameters are fixed during a search: the MPNN's graph-only term once, not once per step.
      edgeTerm = noGradOps(() => tidy(() => net.edgeTerm(g!).keep()));
    }
    const start = new Int32Array(R * n);
    starts.forEach((s, r) => start.set(s, r * n));
    env.reset(start);
    const until = tenure === undefined ? null : new Int32Array(R * A); // move a of row r is barred while t < until
    for (let t = 0; t < env.limit; t++) {
      const done = env.readDone();
      if (done.every((x) => x)) break;
      const sol = env.readSolution();
      const q = kernel ? kernel.forward(sol) : noGradOps(() => tidy(() => {
        const out = net.forward(g!, sol, coords, { edgeTerm });
        return { moves: out.moves.toTypedArray(), stop: out.stop.toTypedArray() };
      }));
      evaluations += R;
      const act = new Int32Array(R);
      const guard = until ? { gains: env.moveGains(), obj: env.readObjective(), best: env.readBestObjective() } : null;
      for (let r = 0; r < R; r++) {
        if (done[r]) { act[r] = -1; continue; }
        const s = sol.subarray(r * n, (r + 1) * n), qr = q.moves.subarray(r * A, (r + 1) * A);
        if (!guard) { act[r] = envAction(greedyAction(problem, n, s, qr, q.stop[r]), A); continue; }
        const a = guardedAction(problem, n, s, qr, until!.subarray(r * A, (r + 1) * A), t, guard.gains.subarray(r * A, (r + 1) * A), guard.obj[r], guard.best[r]);
        until![r * A + a] = t + 1 + tenure!;
        act[r] = a;
      }
      env.step(act);
    }
    return { best: env.readBestObjective(), moves: env.readSteps(), evaluations, seconds: (performance.now() - t0) / 1000 };
  } finally {
    net.remainderScale = lam0;
    edgeTerm?.dispose();
    kernel?.dispose();
    env?.dispose();
    g?.dispose();
  }
}

/**
 * The tabu guard's choice for one row: argmax of Q over valid moves that are not barred (barred: t <
 * until[a], unless obj − gain[a] beats best: aspiration); never the stop action. If every valid move is
 * barred, the argmax over all valid moves.
 */
export function guardedAction(problem: "maxcut" | "kcut" | "tsp", n: number, sol: ArrayLike<number>, q: ArrayLike<number>, until: ArrayLike<number>, t: number, gain: ArrayLike<number>, obj: number, best: number): number {
  let a = -1, bv = -Infinity;
  for (let m = 0; m < q.length; m++) {
    if (!(q[m] > bv) || !isValidMove(problem, n, sol, m)) continue;
    if (t < until[m] && !(obj - gain[m] < best - 1e-12)) continue;
    bv = q[m];
    a = m;
  }
  return a >= 0 ? a : greedyAction(problem, n, sol, q, 0, false);
}
