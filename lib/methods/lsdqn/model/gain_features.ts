// The move gains LS-DQN's Q-network may take as inputs (../shared/reference/lsdqn.md, "Cheap moves";
// the "gain features" decision in bench/results/cop.md). They are the environment's own gains
// (CopEnv.moveGains: reward of each move = objective decrease), recomputed here from the state the
// network sees, so replayed transitions and test-time search get them without extra plumbing:
//   Max-Cut flip of v: gain(v) = s_v Σ_u w_uv s_u over the network graph's edges (the graph is the
//     objective matrix for Max-Cut, so this is exactly the environment's aux);
//   TSP 2-opt (i < j): gain = d(a,b) + d(c,d) − d(a,c) − d(b,d) with Euclidean d on the network's
//     coordinates (a = L_{i−1}, b = L_i, c = L_j, d = L_{j+1}; 0 for the whole-tour reversal), which is
//     the environment's gain for uniform instances and a rescaled, unrounded one for TSPLIB.
// Scaling ("we"): one positive constant per instance, so the ranking of moves inside an instance is
// the environment's ranking, while the size of the numbers does not grow with n:
//   Max-Cut: gain / (mean over nodes of Σ_u |w_uv|), in [−n, n] and typically O(1);
//   TSP: gain · √n (coordinates in the unit square, where edges of good tours are O(1/√n)).
// Cost: O(E) for Max-Cut, O(n²) for the n² 2-opt moves (the network already spends O(n² d) on them).
import type { CopGraphBatch } from "./cop_graph.js";

/** Raw flip gains [B·n] (the environment's aux) and their per-instance scale [B]. */
export function flipGains(g: CopGraphBatch, spins: Int32Array): { gain: Float64Array; scale: Float64Array } {
  const { batch: B, n } = g;
  if (!(spins instanceof Int32Array) || spins.length !== B * n) throw new RangeError(`recforge: flipGains: spins must be an Int32Array of B*n = ${B * n} entries`);
  const gain = new Float64Array(B * n);
  const src = g.csr.src, dst = g.csr.dst, w = g.hostWeight;
  for (let e = 0; e < w.length; e++) {
    const u = src[e], v = dst[e], s = spins[u] > 0 ? 1 : -1, t = spins[v] > 0 ? 1 : -1;
    gain[v] += w[e] * s * t;
  }
  return { gain, scale: flipScale(g) };
}

// The scale depends on the graph only: computed once per graph batch (a search calls flipGains every step).
const scales = new WeakMap<CopGraphBatch, Float64Array>();
/** Per-instance flip-gain scale [B]: mean over nodes of Σ_u |w_uv| (1 where that is 0). */
export function flipScale(g: CopGraphBatch): Float64Array {
  let scale = scales.get(g);
  if (scale) return scale;
  const { batch: B, n } = g, absDeg = new Float64Array(B), dst = g.csr.dst, w = g.hostWeight;
  for (let e = 0; e < w.length; e++) absDeg[Math.floor(dst[e] / n)] += Math.abs(w[e]);
  scale = absDeg.map((x) => (x > 0 ? x / n : 1));
  scales.set(g, scale);
  return scale;
}

/** Flip gains scaled per instance [B·n]: the Max-Cut feature. */
export function flipGainFeatures(g: CopGraphBatch, spins: Int32Array): Float64Array {
  const { gain, scale } = flipGains(g, spins);
  const n = g.n;
  return gain.map((x, i) => x / scale[Math.floor(i / n)]);
}

/** Raw 2-opt gains [B·n·n] at i·n + j (i < j; 0 elsewhere) on Euclidean distances of coords [B·n·2]. */
export function twoOptGains(coords: Float64Array, tours: Int32Array, B: number, n: number): Float64Array {
  if (!(coords instanceof Float64Array) || coords.length !== B * n * 2) throw new RangeError(`recforge: twoOptGains: coords must be a Float64Array of B*n*2 = ${B * n * 2} entries`);
  if (!(tours instanceof Int32Array) || tours.length !== B * n) throw new RangeError(`recforge: twoOptGains: tours must be an Int32Array of B*n = ${B * n} entries`);
  const out = new Float64Array(B * n * n);
  const x = new Float64Array(n), y = new Float64Array(n), succ = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    // Cities in tour order, and the length of the edge leaving each position.
    for (let p = 0; p < n; p++) {
      const c = tours[b * n + p];
      if (!(c >= 0 && c < n)) throw new RangeError(`recforge: twoOptGains: instance ${b}: city ${c} at position ${p} is outside [0, ${n})`);
      x[p] = coords[(b * n + c) * 2];
      y[p] = coords[(b * n + c) * 2 + 1];
    }
    for (let p = 0; p < n; p++) { const q = (p + 1) % n; succ[p] = Math.hypot(x[p] - x[q], y[p] - y[q]); }
    const o = b * n * n;
    for (let i = 0; i < n; i++) {
      const a = (i + n - 1) % n; // position of L_{i−1}; edge (a, b) is succ[a]
      for (let j = i + 1; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        const e = (j + 1) % n;
        out[o + i * n + j] = succ[a] + succ[j] - Math.hypot(x[a] - x[j], y[a] - y[j]) - Math.hypot(x[i] - x[e], y[i] - y[e]);
      }
    }
  }
  return out;
}

/** 2-opt gains scaled by √n [B·n·n]: the TSP feature. */
export function twoOptGainFeatures(coords: Float64Array, tours: Int32Array, B: number, n: number): Float64Array {
  const s = Math.sqrt(n);
  return twoOptGains(coords, tours, B, n).map((v) => v * s);
}

/**
 * The immediate reward r(s, a) of every move for the residual Q-form (Q = r + learned remainder; "we",
 * bench/results/cop.md), in size-free units: the environment's reward (objective decrease) divided by
 * rewardUnit, i.e. exactly the gain features above: Max-Cut [B·n] flip gain / mean weighted degree, TSP
 * [B·n·n] 2-opt gain · √n on the network's unit-square coordinates (exact for uniform instances;
 * unrounded for TSPLIB). Invalid TSP slots are 0. The trainer scales its rewards the same way when the
 * network is residual, so that the network's remainder is in the same units at every n.
 */
export function immediateRewards(problem: "maxcut" | "tsp", g: CopGraphBatch, solution: Int32Array, coords?: Float64Array): Float64Array {
  return problem === "maxcut" ? flipGainFeatures(g, solution) : twoOptGainFeatures(coords!, solution, g.batch, g.n);
}

/** The divisor that puts one instance's rewards in immediateRewards' units: Max-Cut mean over nodes of Σ_u |w_uv| (1 if 0); TSP 1/√n. */
export function rewardUnit(problem: "maxcut" | "tsp", matrix: Float64Array, n: number): number {
  if (problem === "tsp") return 1 / Math.sqrt(n);
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += Math.abs(matrix[i * n + j]);
  return s > 0 ? s / n : 1;
}
