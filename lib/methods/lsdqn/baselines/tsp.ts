// TSP baselines of LS-DQN's harness (../shared/reference/lsdqn.md): nearest neighbour, farthest
// insertion (from a given first city), 2-opt local search with the environment's move (reverse tour
// positions i..j, i < j; best improvement, at most `steps` moves) from any tour, random 2-opt moves,
// and the exact optimum by Held-Karp dynamic programming for n <= 16 (tests, tiny instances).
// d is a symmetric distance matrix [n·n] (Euclidean, or TSPLIB EUC_2D integers).
import type { Rng } from "../../../prng.js";
import type { SearchResult } from "./maxcut.js";

export function tourLength(d: Float64Array, n: number, tour: ArrayLike<number>): number {
  let len = 0;
  for (let p = 0; p < n; p++) len += d[tour[p] * n + tour[(p + 1) % n]];
  return len;
}

function checkCity(n: number, c: number, what: string): void {
  if (!Number.isInteger(c) || c < 0 || c >= n) throw new RangeError(`recforge: ${what}: first city must be in [0, ${n}), got ${c}`);
}

export function nearestNeighbour(d: Float64Array, n: number, first = 0): Int32Array {
  checkCity(n, first, "nearestNeighbour");
  const tour = new Int32Array(n), seen = new Uint8Array(n);
  tour[0] = first;
  seen[first] = 1;
  for (let p = 1; p < n; p++) {
    const a = tour[p - 1];
    let best = -1, bd = Infinity;
    for (let c = 0; c < n; c++) if (!seen[c] && d[a * n + c] < bd) { bd = d[a * n + c]; best = c; }
    tour[p] = best;
    seen[best] = 1;
  }
  return tour;
}

/** Farthest insertion: add the city farthest from the tour at its cheapest position; O(n²). */
export function farthestInsertion(d: Float64Array, n: number, first = 0): Int32Array {
  checkCity(n, first, "farthestInsertion");
  const tour: number[] = [first], inTour = new Uint8Array(n), near = new Float64Array(n);
  inTour[first] = 1;
  for (let c = 0; c < n; c++) near[c] = d[first * n + c];
  for (let added = 1; added < n; added++) {
    let far = -1, fd = -Infinity;
    for (let c = 0; c < n; c++) if (!inTour[c] && near[c] > fd) { fd = near[c]; far = c; }
    let at = tour.length, cost = Infinity;
    for (let p = 0; p < tour.length; p++) {
      const a = tour[p], b = tour[(p + 1) % tour.length];
      const x = d[a * n + far] + d[far * n + b] - (tour.length > 1 ? d[a * n + b] : 0);
      if (x < cost) { cost = x; at = p + 1; }
    }
    tour.splice(at, 0, far);
    inTour[far] = 1;
    for (let c = 0; c < n; c++) if (d[far * n + c] < near[c]) near[c] = d[far * n + c];
  }
  return Int32Array.from(tour);
}

/** Gain (length decrease) of reversing positions i..j of the tour (0 <= i < j < n), as the environment. */
export function twoOptGain(d: Float64Array, n: number, t: ArrayLike<number>, i: number, j: number): number {
  if (i === 0 && j === n - 1) return 0;  // reversing the whole cycle changes nothing
  const a = t[(i - 1 + n) % n], b = t[i], c = t[j], e = t[(j + 1) % n];
  return d[a * n + b] + d[c * n + e] - d[a * n + c] - d[b * n + e];
}

function reverse(t: Int32Array, i: number, j: number): void {
  for (; i < j; i++, j--) {
    const x = t[i];
    t[i] = t[j];
    t[j] = x;
  }
}

function checkTour(n: number, start: Int32Array, what: string): void {
  if (!(start instanceof Int32Array) || start.length !== n) throw new RangeError(`recforge: ${what}: tour must be an Int32Array of n = ${n} cities`);
  const seen = new Uint8Array(n);
  for (const c of start) {
    if (!(c >= 0 && c < n) || seen[c]) throw new RangeError(`recforge: ${what}: tour is not a permutation of 0..${n - 1}`);
    seen[c] = 1;
  }
}

/** 2-opt local search: the best-gain reversal while one improves, at most `steps` moves. */
export function twoOpt(d: Float64Array, n: number, start: Int32Array, steps: number): SearchResult {
  checkTour(n, start, "twoOpt");
  const t = Int32Array.from(start);
  let moves = 0;
  for (; moves < steps; moves++) {
    let bi = -1, bj = -1, bg = 1e-9;
    for (let i = 0; i < n - 1; i++) {
      const a = t[(i - 1 + n) % n], b = t[i], dab = d[a * n + b];
      for (let j = i + 1; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        const c = t[j], e = t[(j + 1) % n];
        const g = dab + d[c * n + e] - d[a * n + c] - d[b * n + e];
        if (g > bg) { bg = g; bi = i; bj = j; }
      }
    }
    if (bi < 0) break;
    reverse(t, bi, bj);
  }
  return { best: tourLength(d, n, t), solution: t, moves };
}

/**
 * Tabu 2-opt: `steps` best-gain reversals (improving or not; the whole-tour reversal (0, n−1) counts
 * as a move of gain 0, as in the environment), a reversal (i, j) made in the last `tenure` steps barred
 * unless it beats the best tour (aspiration); the best tour seen. This is what LS-DQN's tabu guard
 * does with an untrained residual network (search.ts; tested equal), the baseline for that ablation.
 */
export function twoOptTabu(d: Float64Array, n: number, start: Int32Array, steps: number, tenure: number): SearchResult {
  checkTour(n, start, "twoOptTabu");
  if (!Number.isInteger(tenure) || tenure < 0) throw new RangeError(`recforge: twoOptTabu: tenure must be an integer >= 0, got ${tenure}`);
  const t = Int32Array.from(start), until = new Int32Array(n * n);
  let len = tourLength(d, n, t), best = len, bestT = Int32Array.from(t), moves = 0;
  for (; moves < steps; moves++) {
    let bi = -1, bj = -1, bg = -Infinity;
    for (let i = 0; i < n - 1; i++)
      for (let j = i + 1; j < n; j++) {
        const g = twoOptGain(d, n, t, i, j);
        if (g > bg && (moves >= until[i * n + j] || len - g < best - 1e-12)) { bg = g; bi = i; bj = j; }
      }
    if (bi < 0) break;
    len -= bg;
    reverse(t, bi, bj);
    until[bi * n + bj] = moves + 1 + tenure;
    if (len < best - 1e-12) { best = len; bestT = Int32Array.from(t); }
  }
  return { best: tourLength(d, n, bestT), solution: bestT, moves };
}

/** `steps` uniformly random reversals; the best tour seen. */
export function tspRandom(d: Float64Array, n: number, start: Int32Array, steps: number, rng: Rng): SearchResult {
  checkTour(n, start, "tspRandom");
  const t = Int32Array.from(start);
  let len = tourLength(d, n, t), best = len, bestT = Int32Array.from(t);
  for (let s = 0; s < steps; s++) {
    let i: number, j: number;
    do {
      i = Math.floor(rng.next() * n);
      j = Math.floor(rng.next() * n);
    } while (i === j);
    if (i > j) [i, j] = [j, i];
    len -= twoOptGain(d, n, t, i, j);
    reverse(t, i, j);
    if (len < best - 1e-9) {
      best = len;
      bestT = Int32Array.from(t);
    }
  }
  return { best: tourLength(d, n, bestT), solution: bestT, moves: steps };
}

/** The optimal tour by Held-Karp (O(2^n n²)); n <= 16. */
export function tspExact(d: Float64Array, n: number): SearchResult {
  if (n > 16) throw new RangeError(`recforge: tspExact: n = ${n} is too large for Held-Karp here (<= 16)`);
  if (n <= 3) {
    const t = Int32Array.from({ length: n }, (_, i) => i);
    return { best: tourLength(d, n, t), solution: t, moves: 0 };
  }
  // City n−1 is the fixed start; subsets S of the other m = n − 1 cities; dp[S·m + j] = shortest path
  // from the start through S ending at j ∈ S.
  const m = n - 1, full = 1 << m, s0 = n - 1;
  const dp = new Float64Array(full * m).fill(Infinity), from = new Int8Array(full * m).fill(-1);
  for (let j = 0; j < m; j++) dp[(1 << j) * m + j] = d[s0 * n + j];
  for (let S = 1; S < full; S++)
    for (let j = 0; j < m; j++) {
      const v = dp[S * m + j];
      if (!(S & (1 << j)) || v === Infinity) continue;
      for (let x = 0; x < m; x++) {
        if (S & (1 << x)) continue;
        const T = S | (1 << x), c = v + d[j * n + x];
        if (c < dp[T * m + x]) { dp[T * m + x] = c; from[T * m + x] = j; }
      }
    }
  let best = Infinity, last = -1;
  for (let j = 0; j < m; j++) {
    const c = dp[(full - 1) * m + j] + d[j * n + s0];
    if (c < best) { best = c; last = j; }
  }
  const tour = new Int32Array(n);
  let S = full - 1, j = last;
  for (let p = n - 1; p >= 1; p--) {
    tour[p] = j;
    const pj = from[S * m + j];
    S &= ~(1 << j);
    j = pj;
  }
  tour[0] = s0;
  return { best: tourLength(d, n, tour), solution: tour, moves: 0 };
}
