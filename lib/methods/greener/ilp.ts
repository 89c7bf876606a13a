// GREENer's ILP sentence selection: pick K of the candidates, trading each one's score
// against pairwise redundancy (and optionally rewarding attribute coverage).
//
//   maximise   Σ_i s_i x_i − α Σ_{i<j} sim_ij y_ij + γ Σ_a c_a
//   subject to Σ_i x_i = K
//              y_ij ≥ x_i + x_j − 1            (y_ij = x_i·x_j at an optimum, since α·sim ≥ 0)
//              c_a ≤ Σ_{i ∋ a} x_i,  0 ≤ c_a ≤ 1   (coverage, only when γ > 0)
//              x binary, 0 ≤ y ≤ 1
// over the top P candidates by score (P = 100 by default).
//
// Two exact solvers, same objective, cross-checked against each other and brute force:
//  - "bnb" (DEFAULT): the combinatorial branch-and-bound of bnb.ts. Milliseconds per pool of
//    100 (median ~6–20 ms on this 2-core machine under load).
//  - "highs": the MILP below in HiGHS (npm `highs`, WebAssembly). Measured here on real pools
//    with K = 5: P = 20 → ~0.4 s, P = 30 → ~1.5 s, P = 50 → ~6 s, P = 100 → 10–30 s. One LP
//    relaxation of the P = 100 model alone takes ~0.5 s, presolve removes nothing, and the
//    relaxation is weak (root bound 1.37 vs optimum 0.99 on a typical pool), so branch-and-cut
//    runs tens of thousands of simplex iterations. Options tried without a real change:
//    presolve off, heuristic effort 0, symmetry detection off, primal simplex, gap 1e-4.
// HiGHS model details: two extra valid inequalities, on by default
// ("rlt"), make the LP relaxation far tighter without changing any integer solution's
// objective: for each i,  Σ_{j≠i} y_ij ≥ (K−1)·x_i  (multiply Σ_j x_j = K by x_i: a selected
// sentence is paired with exactly K−1 others). Pairs with sim_ij = 0 carry no cost, so their
// y is dropped and the inequality becomes  Σ_{j: sim>0} y_ij ≥ (K−1)·x_i − Σ_{j: sim=0} x_j.
// They make HiGHS 2–3× faster at P = 20–50. The model is warm-started with the greedy
// solution (add the best marginal gain K times).
//
// The result says how it was obtained: "optimal" (HiGHS proved it), "time_limit" (HiGHS's
// best solution when the time limit hit, used only if it beats top-K), or "fallback"
// (top-K by score, because HiGHS failed, timed out without a better solution, or threw;
// `reason` says which). A brute-force solver is exported for small pools and tests.
import type { Highs, ModelData } from "highs";
import { importOptional, MissingOptionalDependencyError } from "../../data/optional.js";
import { branchAndBound } from "./bnb.js";

export interface IlpProblem {
  /** s_i: score of each candidate (finite) */
  scores: ArrayLike<number>;
  /** sim_ij: n×n row-major, symmetric, finite, ≥ 0 (e.g. TF-IDF cosines); diagonal ignored */
  sim: ArrayLike<number>;
  /** how many to select, 1 ≤ K ≤ n */
  k: number;
  /** redundancy weight α ≥ 0 (default 1) */
  alpha?: number;
  /** optional coverage term γ·Σ_a c_a */
  coverage?: {
    /** γ ≥ 0 */
    gamma: number;
    /** per candidate, the attribute ids it mentions */
    attributes: readonly (readonly number[])[];
    /** only these attributes count (e.g. those the attribute head predicts); default: all */
    relevant?: readonly number[];
  };
}

export interface IlpOptions {
  /** pre-select the top P candidates by score (default 100) */
  topP?: number;
  /** time limit in seconds (HiGHS default 10; branch-and-bound default none) */
  timeLimitSec?: number;
  /** branch-and-bound node limit (default 5e7) */
  maxNodes?: number;
  /** add the Σ_j y_ij ≥ (K−1)x_i inequalities (default true) */
  rlt?: boolean;
  /** warm-start HiGHS with the greedy solution (default true) */
  warmStart?: boolean;
  /** "matrix" (default): pass sparse arrays; "lp": pass CPLEX LP text (same model) */
  input?: "matrix" | "lp";
  /** extra HiGHS options (e.g. { presolve: "on" }) */
  highsOptions?: Record<string, string | number | boolean>;
  /** "bnb" (default): the exact combinatorial branch-and-bound of bnb.ts; "highs": the MILP
   *  above with HiGHS (same objective and optimum; seconds instead of milliseconds at P = 100) */
  solver?: "highs" | "bnb";
}

export type IlpStatus = "optimal" | "time_limit" | "fallback";

export interface IlpResult {
  /** selected candidate indices (into the caller's arrays), ascending */
  selected: number[];
  /** objective of `selected` on the full problem, computed here (not HiGHS's number) */
  objective: number;
  status: IlpStatus;
  /** which solver produced `selected` ("topk" for the fallback) */
  solver: "highs" | "bnb" | "topk";
  /** why the fallback was used */
  reason?: string;
  /** candidates after top-P pre-selection */
  pool: number;
  /** wall time of the whole call */
  ms: number;
}

// ---------------------------------------------------------------------------------------
// Validation and the objective

interface Checked {
  n: number;
  k: number;
  alpha: number;
  gamma: number;
  /** per candidate, the counted attribute ids (only when gamma > 0) */
  attrs: number[][] | null;
}

function check(p: IlpProblem): Checked {
  const n = p.scores?.length;
  if (typeof n !== "number") throw new TypeError("ILP: scores must be an array of numbers");
  for (let i = 0; i < n; i++) {
    if (typeof p.scores[i] !== "number" || !Number.isFinite(p.scores[i])) throw new RangeError(`ILP: scores[${i}] is ${p.scores[i]}, expected a finite number`);
  }
  if (!Number.isInteger(p.k) || p.k < 1) throw new RangeError(`ILP: K must be an integer >= 1, got ${p.k}`);
  if (p.k > n) throw new RangeError(`ILP: K = ${p.k} exceeds the pool of ${n} candidates`);
  if (!p.sim || p.sim.length !== n * n) throw new RangeError(`ILP: sim must be ${n}×${n} = ${n * n} values (row-major) for ${n} scores, got ${p.sim?.length}`);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = p.sim[i * n + j], b = p.sim[j * n + i];
      if (!Number.isFinite(a) || a < 0) throw new RangeError(`ILP: sim[${i}][${j}] is ${a}, expected a finite number >= 0`);
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) throw new RangeError(`ILP: sim is not symmetric: sim[${i}][${j}] = ${a} but sim[${j}][${i}] = ${b}`);
    }
  }
  const alpha = p.alpha ?? 1;
  if (!Number.isFinite(alpha) || alpha < 0) throw new RangeError(`ILP: alpha must be finite and >= 0, got ${alpha}`);
  let gamma = 0, attrs: number[][] | null = null;
  if (p.coverage) {
    gamma = p.coverage.gamma;
    if (!Number.isFinite(gamma) || gamma < 0) throw new RangeError(`ILP: coverage gamma must be finite and >= 0, got ${gamma}`);
    if (p.coverage.attributes?.length !== n) throw new RangeError(`ILP: coverage.attributes needs one list per candidate (${n}), got ${p.coverage.attributes?.length}`);
    const relevant = p.coverage.relevant ? new Set(p.coverage.relevant) : null;
    if (gamma > 0) attrs = p.coverage.attributes.map((l) => [...new Set(l)].filter((a) => !relevant || relevant.has(a)));
  }
  return { n, k: p.k, alpha, gamma, attrs };
}

/** The objective of a selection (indices into the problem's candidates). */
export function objectiveOf(p: IlpProblem, selected: readonly number[]): number {
  const n = p.scores.length, alpha = p.alpha ?? 1;
  let v = 0;
  for (const i of selected) v += p.scores[i];
  for (let a = 0; a < selected.length; a++) {
    for (let b = a + 1; b < selected.length; b++) v -= alpha * p.sim[selected[a] * n + selected[b]];
  }
  if (p.coverage && p.coverage.gamma > 0) {
    const relevant = p.coverage.relevant ? new Set(p.coverage.relevant) : null;
    const covered = new Set<number>();
    for (const i of selected) for (const a of p.coverage.attributes[i]) if (!relevant || relevant.has(a)) covered.add(a);
    v += p.coverage.gamma * covered.size;
  }
  return v;
}

/** Indices of the K best scores (ties → lower index), ascending. */
export function topKIndices(scores: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** Greedy: K times, add the candidate with the best marginal objective gain. */
export function greedySelect(p: IlpProblem): number[] {
  const c = check(p);
  const n = c.n;
  const chosen: number[] = [];
  const inSet = new Uint8Array(n);
  const penalty = new Float64Array(n); // α Σ_{j chosen} sim_ij
  const covered = new Set<number>();
  for (let step = 0; step < c.k; step++) {
    let best = -1, bestGain = -Infinity;
    for (let i = 0; i < n; i++) {
      if (inSet[i]) continue;
      let gain = p.scores[i] - penalty[i];
      if (c.attrs) for (const a of c.attrs[i]) if (!covered.has(a)) gain += c.gamma;
      if (gain > bestGain) { bestGain = gain; best = i; }
    }
    inSet[best] = 1;
    chosen.push(best);
    if (c.attrs) for (const a of c.attrs[best]) covered.add(a);
    for (let i = 0; i < n; i++) penalty[i] += c.alpha * p.sim[i * n + best];
  }
  return chosen.sort((a, b) => a - b);
}

/** Exhaustive search over all C(n, K) subsets (for small pools: refuses > 5e6 subsets). */
export function bruteForceSelect(p: IlpProblem): { selected: number[]; objective: number } {
  const c = check(p);
  const { n, k } = c;
  let count = 1;
  for (let i = 0; i < k; i++) count = (count * (n - i)) / (i + 1);
  if (count > 5e6) throw new RangeError(`ILP brute force: C(${n}, ${k}) = ${Math.round(count)} subsets is too many (limit 5e6)`);
  const cur = new Array<number>(k);
  let best: number[] = [], bestV = -Infinity;
  const rec = (start: number, depth: number, partial: number) => {
    if (depth === k) {
      let v = partial;
      if (c.attrs) {
        const cov = new Set<number>();
        for (const i of cur) for (const a of c.attrs[i]) cov.add(a);
        v += c.gamma * cov.size;
      }
      if (v > bestV + 1e-12) { bestV = v; best = cur.slice(); }
      return;
    }
    for (let i = start; i <= n - (k - depth); i++) {
      let add = p.scores[i];
      for (let d = 0; d < depth; d++) add -= c.alpha * p.sim[cur[d] * n + i];
      cur[depth] = i;
      rec(i + 1, depth + 1, partial + add);
    }
  };
  rec(0, 0, 0);
  return { selected: best, objective: objectiveOf(p, best) };
}

// ---------------------------------------------------------------------------------------
// The model

/** Restriction of a problem to candidates `keep` (indices into p). */
function restrict(p: IlpProblem, keep: readonly number[]): IlpProblem {
  const n = p.scores.length, m = keep.length;
  const sim = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sim[a * m + b] = p.sim[keep[a] * n + keep[b]];
  return {
    scores: keep.map((i) => p.scores[i]),
    sim,
    k: p.k,
    alpha: p.alpha,
    coverage: p.coverage ? { gamma: p.coverage.gamma, relevant: p.coverage.relevant, attributes: keep.map((i) => p.coverage!.attributes[i]) } : undefined,
  };
}

interface Built {
  model: ModelData & { colNames: string[]; rowNames: string[] };
  /** column of x_i is i; these are the y columns' (i, j) */
  pairs: [number, number][];
  /** counted attribute ids, column of c_a is n + pairs.length + index */
  attrIds: number[];
}

/** Builds the (tight + optional RLT) model as row-wise sparse arrays. Columns: x_0..x_{n−1},
 *  then y_ij for pairs with α·sim_ij > 0, then c_a for counted attributes. */
function buildModel(p: IlpProblem, rlt: boolean): Built {
  const c = check(p);
  const { n, k, alpha } = c;
  const pairs: [number, number][] = [];
  const pairCost: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = alpha * p.sim[i * n + j];
      if (w > 0) { pairs.push([i, j]); pairCost.push(w); }
    }
  }
  const attrIds: number[] = [];
  const attrCol = new Map<number, number>();
  if (c.attrs) for (const l of c.attrs) for (const a of l) if (!attrCol.has(a)) { attrCol.set(a, attrIds.length); attrIds.push(a); }
  const ny = pairs.length, na = attrIds.length, numCols = n + ny + na;
  const colCost = new Float64Array(numCols), colLower = new Float64Array(numCols), colUpper = new Float64Array(numCols).fill(1);
  for (let i = 0; i < n; i++) colCost[i] = p.scores[i];
  for (let e = 0; e < ny; e++) colCost[n + e] = -pairCost[e];
  for (let a = 0; a < na; a++) colCost[n + ny + a] = c.gamma;
  const integrality = new Int32Array(numCols);
  for (let i = 0; i < n; i++) integrality[i] = 1;
  const starts: number[] = [0], index: number[] = [], value: number[] = [], rowLower: number[] = [], rowUpper: number[] = [], rowNames: string[] = [];
  const row = (name: string, lo: number, hi: number, cols: number[], vals: number[]) => {
    for (let t = 0; t < cols.length; t++) { index.push(cols[t]); value.push(vals[t]); }
    starts.push(index.length);
    rowLower.push(lo);
    rowUpper.push(hi);
    rowNames.push(name);
  };
  // Σ x = K
  row("card", k, k, Array.from({ length: n }, (_, i) => i), new Array(n).fill(1));
  // y_ij − x_i − x_j ≥ −1
  for (let e = 0; e < ny; e++) {
    const [i, j] = pairs[e];
    row(`link${i}_${j}`, -1, Infinity, [i, j, n + e], [-1, -1, 1]);
  }
  if (rlt && k > 1) {
    // Σ_{j: y_ij exists} y_ij − (K−1) x_i + Σ_{j: no y_ij} x_j ≥ 0
    const yOf: number[][] = Array.from({ length: n }, () => []);
    const hasY = Array.from({ length: n }, () => new Set<number>());
    pairs.forEach(([i, j], e) => { yOf[i].push(n + e); yOf[j].push(n + e); hasY[i].add(j); hasY[j].add(i); });
    for (let i = 0; i < n; i++) {
      const cols: number[] = [i], vals: number[] = [-(k - 1)];
      for (let j = 0; j < n; j++) if (j !== i && !hasY[i].has(j)) { cols.push(j); vals.push(1); }
      for (const col of yOf[i]) { cols.push(col); vals.push(1); }
      // HiGHS wants column indices sorted within a row? Not required, but keep them ordered.
      const order = cols.map((_, t) => t).sort((a, b) => cols[a] - cols[b]);
      row(`rlt${i}`, 0, Infinity, order.map((t) => cols[t]), order.map((t) => vals[t]));
    }
  }
  // c_a − Σ_{i ∋ a} x_i ≤ 0
  if (c.attrs) {
    const holders: number[][] = attrIds.map(() => []);
    c.attrs.forEach((l, i) => { for (const a of l) holders[attrCol.get(a)!].push(i); });
    attrIds.forEach((a, t) => row(`cov${a}`, -Infinity, 0, [...holders[t], n + ny + t], [...holders[t].map(() => -1), 1]));
  }
  const colNames = [
    ...Array.from({ length: n }, (_, i) => `x${i}`),
    ...pairs.map(([i, j]) => `y${i}_${j}`),
    ...attrIds.map((a) => `c${a}`),
  ];
  return {
    model: {
      numCols,
      numRows: rowLower.length,
      sense: undefined as never, // set by the caller (needs the loaded module's constant)
      colCost, colLower, colUpper,
      rowLower: Float64Array.from(rowLower),
      rowUpper: Float64Array.from(rowUpper),
      matrix: { format: "csr", numRows: rowLower.length, numCols, starts: Int32Array.from(starts), indices: Int32Array.from(index), values: Float64Array.from(value) },
      integrality,
      colNames,
      rowNames,
    },
    pairs,
    attrIds,
  };
}

function num(v: number): string {
  // Shortest round-trip form; HiGHS's LP reader accepts exponents ("1e-7").
  return String(v);
}

/** The model in CPLEX LP format (what `input: "lp"` passes to HiGHS). */
export function toCplexLp(p: IlpProblem, opts: { rlt?: boolean } = {}): string {
  const { model } = buildModel(p, opts.rlt ?? true);
  const names = model.colNames;
  const terms = (cols: ArrayLike<number>, vals: ArrayLike<number>) => {
    let s = "";
    for (let t = 0; t < cols.length; t++) {
      const v = vals[t];
      if (v === 0) continue;
      s += (v < 0 ? " - " : " + ") + (Math.abs(v) === 1 ? "" : num(Math.abs(v)) + " ") + names[cols[t]];
    }
    return s.replace(/^ \+ /, " ").replace(/^ - /, " -");
  };
  const out: string[] = ["Maximize"];
  const objCols: number[] = [], objVals: number[] = [];
  for (let j = 0; j < model.numCols; j++) { objCols.push(j); objVals.push(model.colCost[j] as number); }
  // Every column appears in the objective (0 coefficients included) so the LP reader keeps
  // the column order x, y, c.
  out.push(" obj:" + objCols.map((j) => {
    const v = objVals[j];
    return (v < 0 ? " - " : " + ") + num(Math.abs(v)) + " " + names[j];
  }).join("").replace(/^ \+ /, " "));
  out.push("Subject To");
  const m = model.matrix;
  const starts = m.starts as Int32Array, indices = m.indices as Int32Array, values = m.values as Float64Array;
  for (let r = 0; r < model.numRows; r++) {
    const lo = model.rowLower[r] as number, hi = model.rowUpper[r] as number;
    const s = terms(indices.subarray(starts[r], starts[r + 1]), values.subarray(starts[r], starts[r + 1]));
    const name = model.rowNames[r];
    if (lo === hi) out.push(` ${name}:${s} = ${num(lo)}`);
    else if (Number.isFinite(lo)) out.push(` ${name}:${s} >= ${num(lo)}`);
    else out.push(` ${name}:${s} <= ${num(hi)}`);
  }
  out.push("Bounds");
  for (let j = 0; j < model.numCols; j++) if (model.integrality![j] === 0) out.push(` 0 <= ${names[j]} <= 1`);
  out.push("Binary");
  const bins: string[] = [];
  for (let j = 0; j < model.numCols; j++) if (model.integrality![j] === 1) bins.push(names[j]);
  for (let t = 0; t < bins.length; t += 20) out.push(" " + bins.slice(t, t + 20).join(" "));
  out.push("End");
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------
// The solver

let highsPromise: Promise<Highs> | null = null;

const HIGHS_USER = 'GREENer\'s MILP sentence selection (solver: "highs")';

/**
 * Loads HiGHS (WebAssembly) once per process. HiGHS is an optional peer dependency: without it
 * this rejects with a MissingOptionalDependencyError naming the package (the default solver,
 * "bnb", needs nothing). The result is typed `unknown` so recforge's declarations do not import
 * "highs" (a consumer without it must still type-check).
 */
export function loadHighs(): Promise<unknown> {
  if (!highsPromise)
    highsPromise = importOptional("highs", HIGHS_USER, () => import("highs")).then((m) =>
      (m.default as unknown as () => Promise<Highs>)(),
    );
  return highsPromise;
}

/**
 * Sentence selection: create once (async), then call select(). HiGHS is loaded when installed
 * (solver "highs"); without it the default solver "bnb" works and solver "highs" throws a
 * MissingOptionalDependencyError naming the package.
 */
export class IlpSelector {
  private constructor(
    private readonly highs: Highs | null,
    private readonly highsMissing: MissingOptionalDependencyError | null,
  ) {}

  static async create(): Promise<IlpSelector> {
    try {
      return new IlpSelector((await loadHighs()) as Highs, null);
    } catch (e) {
      if (e instanceof MissingOptionalDependencyError) {
        highsPromise = null;
        return new IlpSelector(null, e);
      }
      throw e;
    }
  }

  /** Solves one problem. Throws only on invalid input; solver trouble gives status "fallback". */
  select(p: IlpProblem, opts: IlpOptions = {}): IlpResult {
    const t0 = performance.now();
    check(p);
    const P = opts.topP ?? 100;
    if (!Number.isInteger(P) || P < p.k) throw new RangeError(`ILP: topP must be an integer >= K (${p.k}), got ${P}`);
    const n = p.scores.length;
    const keep = n > P ? topKIndices(p.scores, P) : Array.from({ length: n }, (_, i) => i);
    const sub = keep.length < n ? restrict(p, keep) : p;
    const solver = opts.solver ?? "bnb";
    const done = (local: number[], status: IlpStatus, by: IlpResult["solver"], reason?: string): IlpResult => {
      const selected = local.map((i) => keep[i]).sort((a, b) => a - b);
      return { selected, objective: objectiveOf(p, selected), status, solver: by, ...(reason ? { reason } : {}), pool: keep.length, ms: performance.now() - t0 };
    };
    const topK = () => topKIndices(sub.scores, p.k);
    if (p.k === keep.length) return done(keep.map((_, i) => i), "optimal", solver);
    if (solver === "bnb") {
      const c = check(sub);
      const r = branchAndBound({ scores: sub.scores, sim: sub.sim, k: c.k, alpha: c.alpha, gamma: c.gamma, attrs: c.attrs }, { maxNodes: opts.maxNodes, timeLimitSec: opts.timeLimitSec });
      // Stopped early: its incumbent (greedy + swaps, then improvements) is usually better
      // than top-K, but keep whichever is better.
      if (r.status === "optimal") return done(r.selected, "optimal", "bnb");
      const tk = topK();
      return objectiveOf(sub, r.selected) >= objectiveOf(sub, tk)
        ? done(r.selected, "time_limit", "bnb", "branch-and-bound hit its node/time limit; its best solution is used (not proven optimal)")
        : done(tk, "fallback", "topk", "branch-and-bound hit its node/time limit without beating top-K");
    }
    if (!this.highs) throw this.highsMissing ?? new MissingOptionalDependencyError("highs", HIGHS_USER, null);
    let solved: { x: number[]; status: "optimal" | "time_limit" } | { error: string };
    try {
      solved = this.solveWithHighs(sub, opts);
    } catch (e) {
      solved = { error: `HiGHS threw: ${(e as Error).message}` };
    }
    if ("error" in solved) return done(topK(), "fallback", "topk", solved.error);
    if (solved.status === "optimal") return done(solved.x, "optimal", "highs");
    // Time limit: keep HiGHS's incumbent only if it beats top-K.
    const tk = topK();
    if (objectiveOf(sub, solved.x) >= objectiveOf(sub, tk)) return done(solved.x, "time_limit", "highs", "HiGHS hit the time limit; its best solution is used (not proven optimal)");
    return done(tk, "fallback", "topk", "HiGHS hit the time limit without beating top-K");
  }

  private solveWithHighs(p: IlpProblem, opts: IlpOptions): { x: number[]; status: "optimal" | "time_limit" } | { error: string } {
    const h = this.highs as Highs;
    const n = p.scores.length;
    const built = buildModel(p, opts.rlt ?? true);
    const model = h.createModel(
      (opts.input ?? "matrix") === "lp"
        ? { format: "lp", data: toCplexLp(p, { rlt: opts.rlt ?? true }) }
        : ({ ...built.model, sense: h.constants.objectiveSense.maximize } as ModelData),
    );
    try {
      model.options.set({
        output_flag: false,
        time_limit: opts.timeLimitSec ?? 10,
        // Exact optimum: the default relative gap (1e-4) would stop early.
        mip_rel_gap: 0,
        mip_abs_gap: 1e-9,
        ...(opts.highsOptions ?? {}),
      });
      if (opts.warmStart ?? true) {
        const g = greedySelect(p);
        const col = new Float64Array(built.model.numCols);
        for (const i of g) col[i] = 1;
        built.pairs.forEach(([i, j], e) => { col[n + e] = col[i] * col[j]; });
        if (built.attrIds.length) {
          const covered = new Set<number>();
          for (const i of g) for (const a of p.coverage!.attributes[i]) covered.add(a);
          built.attrIds.forEach((a, t) => { col[n + built.pairs.length + t] = covered.has(a) ? 1 : 0; });
        }
        model.setSolution({ colValue: col });
      }
      const run = model.run();
      const st = run.modelStatus;
      const S = h.constants.modelStatus;
      if (st !== S.optimal && st !== S.timeLimit) return { error: `HiGHS status ${statusName(h, st)}` };
      const sol = model.getSolution();
      if (st === S.timeLimit && model.info.get("primal_solution_status") !== h.constants.solutionStatus.feasible) {
        return { error: "HiGHS hit the time limit without a feasible solution" };
      }
      const x: number[] = [];
      for (let i = 0; i < n; i++) if (sol.colValue[i] > 0.5) x.push(i);
      if (x.length !== p.k) return { error: `HiGHS returned ${x.length} selected, expected ${p.k}` };
      return { x, status: st === S.optimal ? "optimal" : "time_limit" };
    } finally {
      model.dispose();
    }
  }
}

function statusName(h: Highs, code: number): string {
  for (const [k, v] of Object.entries(h.constants.modelStatus)) if (v === code) return `${k} (${code})`;
  return String(code);
}
