// Max-Cut baselines of LS-DQN's harness (../shared/reference/lsdqn.md, "Metrics and baselines"), on
// one instance from one given start, under the same move budget as the learned policy (2n flips):
// random flips, greedy (best-gain flip until none improves), tabu search (best non-tabu flip, even a
// worsening one; a flipped node is tabu for `tenure` moves unless flipping it beats the best seen:
// MaxCut-Bench solvers/TS), and exact enumeration for n <= 24 (Gray code).
//
// Same conventions as the native environment (native/include/recforge/cop_env.h): spins ±1, the
// objective O = weight inside the two sides is minimised, gain[v] = s_v Σ_u w_uv s_u = O − O(flip v).
// cut = (Σ_{i<j} w_ij) − O. Plain JS on a neighbour list: the loops are O(deg) per flip plus O(n) per
// choice, the same work as the native step (bench cop measures both).
import type { Rng } from "../../../prng.js";

/** A Max-Cut instance prepared once for many starts: dense weights and their non-zero neighbour lists. */
export interface CutGraph {
  n: number;
  w: Float64Array;
  ptr: Int32Array;
  nbr: Int32Array;
  val: Float64Array;
  /** Σ_{i<j} w_ij (cut = total − O). */
  total: number;
}

export interface SearchResult {
  /** Best (smallest) objective seen, the start included. */
  best: number;
  solution: Int32Array;
  /** Moves made. */
  moves: number;
}

export function cutGraph(w: Float64Array, n: number): CutGraph {
  if (!(w instanceof Float64Array) || w.length !== n * n) throw new RangeError(`recforge: cutGraph: w must be a Float64Array of n*n = ${n * n} entries`);
  const ptr = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (j !== i && w[i * n + j] !== 0) c++;
    ptr[i + 1] = ptr[i] + c;
    for (let j = i + 1; j < n; j++) total += w[i * n + j];
  }
  const nbr = new Int32Array(ptr[n]), val = new Float64Array(ptr[n]);
  for (let i = 0, e = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (j !== i && w[i * n + j] !== 0) {
        nbr[e] = j;
        val[e++] = w[i * n + j];
      }
  return { n, w, ptr, nbr, val, total };
}

/** O = Σ_{i<j, s_i = s_j} w_ij from scratch. */
export function maxcutObjective(g: CutGraph, s: ArrayLike<number>): number {
  let o = 0;
  for (let i = 0; i < g.n; i++) for (let e = g.ptr[i]; e < g.ptr[i + 1]; e++) if (g.nbr[e] > i && s[g.nbr[e]] === s[i]) o += g.val[e];
  return o;
}

function checkStart(g: CutGraph, start: Int32Array): void {
  if (!(start instanceof Int32Array) || start.length !== g.n) throw new RangeError(`recforge: maxcut baseline: start must be an Int32Array of n = ${g.n} spins`);
  for (let v = 0; v < g.n; v++) if (start[v] !== 1 && start[v] !== -1) throw new RangeError(`recforge: maxcut baseline: spin ${v} is ${start[v]}, not ±1`);
}

/** Incremental state of one search: spins, gains, objective, best. */
class FlipState {
  readonly s: Int32Array;
  readonly gain: Float64Array;
  obj: number;
  best: number;
  bestS: Int32Array;
  moves = 0;
  constructor(readonly g: CutGraph, start: Int32Array) {
    checkStart(g, start);
    this.s = Int32Array.from(start);
    this.gain = new Float64Array(g.n);
    for (let v = 0; v < g.n; v++) {
      let a = 0;
      for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) a += g.val[e] * this.s[g.nbr[e]];
      this.gain[v] = this.s[v] * a;
    }
    this.obj = this.best = maxcutObjective(g, this.s);
    this.bestS = Int32Array.from(this.s);
  }
  flip(v: number): void {
    const { g, s, gain } = this;
    this.obj -= gain[v];
    const sv = s[v];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) {
      const u = g.nbr[e];
      gain[u] -= 2 * g.val[e] * s[u] * sv;
    }
    gain[v] = -gain[v];
    s[v] = -sv;
    this.moves++;
    if (this.obj < this.best - 1e-12) {
      this.best = this.obj;
      this.bestS.set(s);
    }
  }
  /** The best objective recomputed from scratch (no drift from long runs of increments). */
  result(): SearchResult {
    return { best: maxcutObjective(this.g, this.bestS), solution: this.bestS, moves: this.moves };
  }
}

/** `steps` uniformly random flips. */
export function maxcutRandom(g: CutGraph, start: Int32Array, steps: number, rng: Rng): SearchResult {
  const st = new FlipState(g, start);
  for (let t = 0; t < steps; t++) st.flip(Math.floor(rng.next() * g.n));
  return st.result();
}

/** Best-gain flips while one improves, at most `steps`. */
export function maxcutGreedy(g: CutGraph, start: Int32Array, steps: number): SearchResult {
  const st = new FlipState(g, start);
  for (let t = 0; t < steps; t++) {
    let bv = -1, bg = 1e-12;
    for (let v = 0; v < g.n; v++) if (st.gain[v] > bg) { bg = st.gain[v]; bv = v; }
    if (bv < 0) break;
    st.flip(bv);
  }
  return st.result();
}

/** Tabu search: `steps` best non-tabu flips (aspiration: a tabu flip that beats the best is allowed). */
export function maxcutTabu(g: CutGraph, start: Int32Array, steps: number, tenure: number): SearchResult {
  if (!Number.isInteger(tenure) || tenure < 0) throw new RangeError(`recforge: maxcutTabu: tenure must be an integer >= 0, got ${tenure}`);
  const st = new FlipState(g, start);
  const until = new Int32Array(g.n);  // a node is tabu while t < until[v]
  for (let t = 0; t < steps; t++) {
    let bv = -1, bg = -Infinity;
    for (let v = 0; v < g.n; v++) {
      const gv = st.gain[v];
      if (gv > bg && (t >= until[v] || st.obj - gv < st.best - 1e-12)) { bg = gv; bv = v; }
    }
    if (bv < 0) break;
    st.flip(bv);
    until[bv] = t + 1 + tenure;
  }
  return st.result();
}

/** The smallest O (largest cut) by enumerating all 2^(n−1) cuts (node n−1 fixed), Gray-code order. */
export function maxcutExact(g: CutGraph): SearchResult {
  const n = g.n;
  if (n > 24) throw new RangeError(`recforge: maxcutExact: n = ${n} is too large for enumeration (<= 24)`);
  const st = new FlipState(g, new Int32Array(n).fill(1));
  const count = 2 ** (n - 1);
  for (let i = 1; i < count; i++) {
    // Gray code: step i flips the bit of i's lowest set bit.
    let v = 0;
    while (((i >> v) & 1) === 0) v++;
    st.flip(v);
  }
  return st.result();
}
