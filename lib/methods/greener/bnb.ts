// Exact branch-and-bound for the ILP's objective (ilp.ts), specialised to choosing K items:
//
//   f(S) = Σ_{i∈S} s_i − α Σ_{i<j∈S} sim_ij + γ |∪_{i∈S} A_i|,   |S| = K.
//
// Why it exists: HiGHS (WebAssembly) needs seconds per pool of 100 on the pairwise model
// (one LP relaxation over the ~5000 y_ij columns alone takes ~0.5 s here, and the relaxation is
// weak, so branch-and-cut needs tens of thousands of simplex iterations). This search solves
// the same problem exactly in milliseconds because K is small.
//
// Search: candidates are relabelled by score (best first); sets are enumerated as increasing
// index sequences (each set once). At a node with chosen set C (|C| = d), every remaining j
// has the gain g_j(C) = s_j − α Σ_{c∈C} sim_cj + γ |A_j \ cov(C)|, which bounds j's marginal
// contribution in ANY extension of C (penalties only grow, coverage gains only shrink), so
//   f(C ∪ T) ≤ f(C) + Σ_{j∈T} g_j(C)  ≤  f(C) + (sum of the K − d largest g_j, j after C's last)
// and the node is pruned when that bound does not beat the incumbent. The incumbent starts as
// greedy + best-improvement swaps. Gains are updated incrementally (O(n) per node). A node
// budget or time limit turns the search into a heuristic with status "limit" (not hit on
// the data here at K = 5, P = 100; it guards pathological inputs).

export interface BnbProblem {
  scores: ArrayLike<number>;
  /** n×n row-major, symmetric, ≥ 0 */
  sim: ArrayLike<number>;
  k: number;
  alpha: number;
  /** γ and per-candidate attribute lists already restricted to the counted attributes */
  gamma: number;
  attrs: readonly (readonly number[])[] | null;
}

export interface BnbResult {
  selected: number[];
  objective: number;
  /** "limit": the node or time limit stopped the search; `selected` is the best found */
  status: "optimal" | "limit";
  nodes: number;
}

/** Solves exactly (unless maxNodes is hit). Inputs are assumed validated (see ilp.ts). */
export function branchAndBound(p: BnbProblem, limits: { maxNodes?: number; timeLimitSec?: number } = {}): BnbResult {
  const maxNodes = limits.maxNodes ?? 5e7;
  const deadline = performance.now() + 1000 * (limits.timeLimitSec ?? Infinity);
  const n0 = p.scores.length, K = p.k;
  // Relabel by score, best first (ties by index): good sets are found early.
  const order = Array.from({ length: n0 }, (_, i) => i).sort((a, b) => p.scores[b] - p.scores[a] || a - b);
  const n = n0;
  const s = Float64Array.from(order, (i) => p.scores[i]);
  const sim = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) sim[a * n + b] = p.alpha * p.sim[order[a] * n0 + order[b]];
  // Coverage: attribute → holders, per candidate a compact id list.
  const gamma = p.attrs ? p.gamma : 0;
  let attrOf: number[][] = [], holders: number[][] = [];
  if (gamma > 0 && p.attrs) {
    const id = new Map<number, number>();
    attrOf = order.map((i) => p.attrs![i].map((a) => { let v = id.get(a); if (v === undefined) id.set(a, (v = id.size)); return v; }));
    holders = Array.from({ length: id.size }, () => []);
    attrOf.forEach((l, j) => { for (const a of l) holders[a].push(j); });
  }
  const objective = (set: number[]) => {
    let v = 0;
    for (let x = 0; x < set.length; x++) {
      v += s[set[x]];
      for (let y = x + 1; y < set.length; y++) v -= sim[set[x] * n + set[y]];
    }
    if (gamma > 0) {
      const cov = new Set<number>();
      for (const j of set) for (const a of attrOf[j]) cov.add(a);
      v += gamma * cov.size;
    }
    return v;
  };

  // Incumbent: greedy, then best-improvement 1-swaps.
  let best = greedy(n, K, s, sim, gamma, attrOf, holders);
  let bestV = objective(best);
  for (let improved = true; improved;) {
    improved = false;
    let swap: [number, number] | null = null, swapV = bestV;
    const inSet = new Set(best);
    for (let a = 0; a < K; a++) {
      for (let j = 0; j < n; j++) {
        if (inSet.has(j)) continue;
        const t = best.slice();
        t[a] = j;
        const v = objective(t);
        if (v > swapV + 1e-12) { swapV = v; swap = [a, j]; }
      }
    }
    if (swap) { best[swap[0]] = swap[1]; bestV = swapV; improved = true; }
  }

  // Depth-first search with incremental gains.
  const gain = Float64Array.from(s);
  if (gamma > 0) for (let j = 0; j < n; j++) gain[j] += gamma * attrOf[j].length;
  const covCount = new Int32Array(holders.length);
  const chosen: number[] = [];
  const top = new Float64Array(K); // scratch for the top-r sum
  let nodes = 0, limitHit = false;
  const eps = 1e-12;

  const topSum = (from: number, r: number): number => {
    // sum of the r largest gain[j], j ≥ from (insertion into a small sorted buffer)
    let m = 0;
    for (let j = from; j < n; j++) {
      const g = gain[j];
      if (m < r) {
        let q = m++;
        while (q > 0 && top[q - 1] < g) { top[q] = top[q - 1]; q--; }
        top[q] = g;
      } else if (g > top[r - 1]) {
        let q = r - 1;
        while (q > 0 && top[q - 1] < g) { top[q] = top[q - 1]; q--; }
        top[q] = g;
      }
    }
    let t = 0;
    for (let q = 0; q < m; q++) t += top[q];
    return t;
  };

  const add = (c: number, sign: 1 | -1) => {
    const row = c * n;
    for (let j = 0; j < n; j++) gain[j] -= sign * sim[row + j];
    if (gamma > 0) {
      for (const a of attrOf[c]) {
        if (sign === 1) {
          if (covCount[a]++ === 0) for (const h of holders[a]) gain[h] -= gamma;
        } else if (--covCount[a] === 0) for (const h of holders[a]) gain[h] += gamma;
      }
    }
  };

  const dfs = (start: number, value: number) => {
    const r = K - chosen.length;
    if (r === 0) {
      if (value > bestV + eps) { bestV = value; best = chosen.slice(); }
      return;
    }
    if (++nodes > maxNodes || ((nodes & 4095) === 0 && performance.now() > deadline)) { limitHit = true; return; }
    if (n - start < r) return;
    if (value + topSum(start, r) <= bestV + eps) return;
    for (let j = start; j <= n - r; j++) {
      // Children in index order; the bound of the remaining siblings only falls as j grows,
      // but recomputing it per child is O(n) and pays for itself by pruning whole subtrees.
      if (r > 1 && value + gain[j] + topSum(j + 1, r - 1) <= bestV + eps) continue;
      if (r === 1) {
        const v = value + gain[j];
        if (v > bestV + eps) { bestV = v; best = [...chosen, j]; }
        continue;
      }
      const v = value + gain[j];
      chosen.push(j);
      add(j, 1);
      dfs(j + 1, v);
      add(j, -1);
      chosen.pop();
      if (limitHit) return;
    }
  };
  dfs(0, 0);
  const selected = best.map((j) => order[j]).sort((a, b) => a - b);
  return { selected, objective: objective(best), status: limitHit ? "limit" : "optimal", nodes };
}

function greedy(n: number, K: number, s: Float64Array, sim: Float64Array, gamma: number, attrOf: number[][], holders: number[][]): number[] {
  const gain = Float64Array.from(s);
  if (gamma > 0) for (let j = 0; j < n; j++) gain[j] += gamma * attrOf[j].length;
  const taken = new Uint8Array(n), covered = new Uint8Array(holders.length);
  const out: number[] = [];
  for (let step = 0; step < K; step++) {
    let b = -1;
    for (let j = 0; j < n; j++) if (!taken[j] && (b < 0 || gain[j] > gain[b])) b = j;
    taken[b] = 1;
    out.push(b);
    for (let j = 0; j < n; j++) gain[j] -= sim[b * n + j];
    if (gamma > 0) for (const a of attrOf[b]) if (!covered[a]) { covered[a] = 1; for (const h of holders[a]) gain[h] -= gamma; }
  }
  return out;
}
