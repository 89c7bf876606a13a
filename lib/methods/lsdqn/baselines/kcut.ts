// Equal-size Max k-Cut baselines (swap two nodes of different clusters; sizes stay equal), same
// harness and budget as the learned policy: random swaps, greedy (best-gain swap while one improves),
// tabu (best non-tabu swap; both swapped nodes tabu for `tenure` moves; aspiration), and exact
// enumeration of equal partitions for tiny n (tests). O = weight inside clusters, minimised.
// Kept incrementally as cw[v·k + c] = Σ_{u: l_u = c} w_uv (as native/include/recforge/cop_env.h);
// swap (u, v), a = l_u != b = l_v: gain = cw[u,a] + cw[v,b] − cw[u,b] − cw[v,a] + 2 w_uv.
import type { Rng } from "../../../prng.js";
import type { SearchResult } from "./maxcut.js";

export function kcutObjective(w: Float64Array, n: number, label: ArrayLike<number>): number {
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (label[i] === label[j]) o += w[i * n + j];
  return o;
}

class SwapState {
  readonly l: Int32Array;
  readonly cw: Float64Array;
  obj: number;
  best: number;
  bestL: Int32Array;
  moves = 0;
  constructor(readonly w: Float64Array, readonly n: number, readonly k: number, start: Int32Array) {
    if (!(start instanceof Int32Array) || start.length !== n) throw new RangeError(`recforge: kcut baseline: start must be an Int32Array of n = ${n} labels`);
    const size = new Int32Array(k);
    for (let v = 0; v < n; v++) {
      if (!(start[v] >= 0 && start[v] < k)) throw new RangeError(`recforge: kcut baseline: label ${start[v]} of node ${v} is outside [0, ${k})`);
      size[start[v]]++;
    }
    if (size.some((c) => c !== n / k)) throw new RangeError(`recforge: kcut baseline: clusters must have n/k = ${n / k} nodes each`);
    this.l = Int32Array.from(start);
    this.cw = new Float64Array(n * k);
    for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) if (u !== v) this.cw[v * k + this.l[u]] += w[v * n + u];
    this.obj = this.best = kcutObjective(w, n, this.l);
    this.bestL = Int32Array.from(this.l);
  }
  gain(u: number, v: number): number {
    const { k, cw, l } = this, a = l[u], b = l[v];
    return cw[u * k + a] + cw[v * k + b] - cw[u * k + b] - cw[v * k + a] + 2 * this.w[u * this.n + v];
  }
  swap(u: number, v: number): void {
    const { n, k, w, cw, l } = this, a = l[u], b = l[v];
    this.obj -= this.gain(u, v);
    for (let x = 0; x < n; x++) {
      if (x !== u) { cw[x * k + a] -= w[x * n + u]; cw[x * k + b] += w[x * n + u]; }
      if (x !== v) { cw[x * k + b] -= w[x * n + v]; cw[x * k + a] += w[x * n + v]; }
    }
    l[u] = b;
    l[v] = a;
    this.moves++;
    if (this.obj < this.best - 1e-12) {
      this.best = this.obj;
      this.bestL.set(l);
    }
  }
  result(): SearchResult {
    return { best: kcutObjective(this.w, this.n, this.bestL), solution: this.bestL, moves: this.moves };
  }
}

export function kcutRandom(w: Float64Array, n: number, k: number, start: Int32Array, steps: number, rng: Rng): SearchResult {
  const st = new SwapState(w, n, k, start);
  for (let t = 0; t < steps; t++) {
    let u: number, v: number;
    do {
      u = Math.floor(rng.next() * n);
      v = Math.floor(rng.next() * n);
    } while (st.l[u] === st.l[v]);
    st.swap(u, v);
  }
  return st.result();
}

/** Best-gain swaps while one improves; with `tenure` >= 0 tabu search instead (best admissible swap, even a worsening one). */
function swapSearch(w: Float64Array, n: number, k: number, start: Int32Array, steps: number, tenure: number): SearchResult {
  const st = new SwapState(w, n, k, start);
  const tabu = tenure >= 0, until = new Int32Array(n);
  for (let t = 0; t < steps; t++) {
    let bu = -1, bv = -1, bg = tabu ? -Infinity : 1e-12;
    for (let u = 0; u < n; u++)
      for (let v = u + 1; v < n; v++) {
        if (st.l[u] === st.l[v]) continue;
        const gv = st.gain(u, v);
        if (gv <= bg) continue;
        if (tabu && (t < until[u] || t < until[v]) && !(st.obj - gv < st.best - 1e-12)) continue;
        bg = gv; bu = u; bv = v;
      }
    if (bu < 0) break;
    st.swap(bu, bv);
    if (tabu) until[bu] = until[bv] = t + 1 + tenure;
  }
  return st.result();
}

export function kcutGreedy(w: Float64Array, n: number, k: number, start: Int32Array, steps: number): SearchResult {
  return swapSearch(w, n, k, start, steps, -1);
}

export function kcutTabu(w: Float64Array, n: number, k: number, start: Int32Array, steps: number, tenure: number): SearchResult {
  if (!Number.isInteger(tenure) || tenure < 0) throw new RangeError(`recforge: kcutTabu: tenure must be an integer >= 0, got ${tenure}`);
  return swapSearch(w, n, k, start, steps, tenure);
}

/** Exact: every equal-size labelling up to relabelling (node order, the lowest free label first); n <= 12. */
export function kcutExact(w: Float64Array, n: number, k: number): SearchResult {
  if (n > 12) throw new RangeError(`recforge: kcutExact: n = ${n} is too large for enumeration (<= 12)`);
  if (n % k !== 0) throw new RangeError(`recforge: kcutExact: k (${k}) must divide n (${n})`);
  const m = n / k, l = new Int32Array(n).fill(-1), size = new Int32Array(k);
  let best = Infinity, bestL = new Int32Array(n);
  const rec = (v: number, inside: number, used: number) => {
    if (inside >= best) return;  // weights >= 0 only would make this exact pruning; checked below
    if (v === n) {
      best = inside;
      bestL = Int32Array.from(l);
      return;
    }
    for (let c = 0; c < Math.min(k, used + 1); c++) {
      if (size[c] === m) continue;
      let add = 0;
      for (let u = 0; u < v; u++) if (l[u] === c) add += w[v * n + u];
      l[v] = c;
      size[c]++;
      rec(v + 1, inside + add, Math.max(used, c + 1));
      size[c]--;
      l[v] = -1;
    }
  };
  const nonNegative = w.every((x) => x >= 0);
  if (!nonNegative) throw new RangeError("recforge: kcutExact: weights must be >= 0 (the branch and bound prunes on partial sums)");
  rec(0, 0, 0);
  return { best, solution: bestL, moves: 0 };
}
