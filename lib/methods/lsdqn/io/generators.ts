// Seeded generators for the spec's random instance families (../shared/reference/lsdqn.md,
// "Instances") and random starting solutions. Instance i of family (seed) is drawn from
// Rng(hash2(seed, i)), so any instance can be regenerated alone.
import { Rng, hash2 } from "../../../prng.js";

export interface DenseInstance {
  n: number;
  /** Symmetric weights or distances [n·n], zero diagonal. */
  matrix: Float64Array;
  /** Points [n·2] for the geometric families. */
  coords?: Float64Array;
}

function checkN(n: number, what: string, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`recforge: ${what}: n must be an integer >= ${min}, got ${n}`);
}

export function instanceRng(seed: number, index: number): Rng {
  return new Rng(hash2(seed >>> 0, index >>> 0));
}

function distances(coords: Float64Array, n: number): Float64Array {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(coords[i * 2] - coords[j * 2], coords[i * 2 + 1] - coords[j * 2 + 1]);
      w[i * n + j] = w[j * n + i] = d;
    }
  return w;
}

/** Paper Max-Cut / TSP: n points uniform in [0,1]², complete graph weighted by distance. */
export function uniformPoints(n: number, rng: Rng): DenseInstance {
  checkN(n, "uniformPoints");
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < coords.length; i++) coords[i] = rng.next();
  return { n, matrix: distances(coords, n), coords };
}

/** Max k-Cut: k centroids uniform in [0,1]², m points each ~ N(c, σ²I) (σ = 0.1), weights = distances. */
export function gaussianClusters(k: number, m: number, rng: Rng, sigma = 0.1): DenseInstance {
  checkN(k, "gaussianClusters (k)", 2);
  checkN(m, "gaussianClusters (m)");
  const n = k * m, coords = new Float64Array(n * 2);
  for (let c = 0; c < k; c++) {
    const cx = rng.next(), cy = rng.next();
    for (let i = 0; i < m; i++) {
      coords[(c * m + i) * 2] = cx + sigma * rng.normal();
      coords[(c * m + i) * 2 + 1] = cy + sigma * rng.normal();
    }
  }
  return { n, matrix: distances(coords, n), coords };
}

const sign = (rng: Rng) => (rng.next() < 0.5 ? -1 : 1);

/** ECO-DQN's ER law: each pair an edge with probability p (0.15), weight ±1 with probability ½ (or 1 when `signed` is false). */
export function erdosRenyi(n: number, rng: Rng, p = 0.15, signed = true): DenseInstance {
  checkN(n, "erdosRenyi");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`recforge: erdosRenyi: p must be in [0, 1], got ${p}`);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng.next() < p) w[i * n + j] = w[j * n + i] = signed ? sign(rng) : 1;
  return { n, matrix: w };
}

/**
 * Toroidal grid: rows × cols nodes, each joined to its four grid neighbours with wrap-around, weights
 * ±1 (or 1). The law rudy's toroidal generator follows (Gset G11–G13 are 100 × 8 of it); used for
 * generated validation graphs, never fitted to Gset's files.
 */
export function torusGrid(rows: number, cols: number, rng: Rng, signed = true): DenseInstance {
  checkN(rows, "torusGrid (rows)", 3);
  checkN(cols, "torusGrid (cols)", 3);
  const n = rows * cols, w = new Float64Array(n * n);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = r * cols + c;
      for (const u of [r * cols + ((c + 1) % cols), ((r + 1) % rows) * cols + c]) w[v * n + u] = w[u * n + v] = signed ? sign(rng) : 1;
    }
  return { n, matrix: w };
}

/**
 * Sparse near-planar law: n points uniform in the unit square, each joined to its k nearest (the union
 * of the k-NN relations), weights ±1 (or 1). A stand-in for the planar-like sparse Gset graphs
 * (G14–G21, mean degree ≈ 11.7) in generated validation sets; never fitted to Gset's files.
 */
export function geometricKnn(n: number, k: number, rng: Rng, signed = true): DenseInstance {
  checkN(n, "geometricKnn", 2);
  checkN(k, "geometricKnn (k)");
  if (k >= n) throw new RangeError(`recforge: geometricKnn: k must be < n, got k = ${k}, n = ${n}`);
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) coords[i] = rng.next();
  const d = distances(coords, n), w = new Float64Array(n * n), order = Array.from({ length: n }, (_, i) => i);
  for (let v = 0; v < n; v++) {
    const near = order.filter((u) => u !== v).sort((a, b) => d[v * n + a] - d[v * n + b] || a - b).slice(0, k);
    for (const u of near) if (w[v * n + u] === 0) w[v * n + u] = w[u * n + v] = signed ? sign(rng) : 1;
  }
  return { n, matrix: w };
}

/**
 * ECO-DQN's BA law: Barabási–Albert with m edges per new node (networkx's construction: m seed
 * nodes, each new node attaches to m distinct nodes drawn in proportion to degree), weights ±1.
 */
export function barabasiAlbert(n: number, rng: Rng, m = 4): DenseInstance {
  checkN(m, "barabasiAlbert (m)");
  checkN(n, "barabasiAlbert", m + 1);
  const w = new Float64Array(n * n);
  const repeated: number[] = [];
  let targets = Array.from({ length: m }, (_, i) => i);
  for (let v = m; v < n; v++) {
    for (const u of targets) w[u * n + v] = w[v * n + u] = sign(rng);
    repeated.push(...targets, ...new Array(m).fill(v));
    const chosen = new Set<number>();
    while (chosen.size < m) chosen.add(repeated[Math.floor(rng.next() * repeated.length)]);
    targets = [...chosen];
  }
  return { n, matrix: w };
}

/** rows × cols = n for a torus of n nodes: cols the largest divisor of n in [3, √n]; null when there is none. */
export function torusShape(n: number): [number, number] | null {
  for (let c = Math.floor(Math.sqrt(n)); c >= 3; c--) if (n % c === 0) return [n / c, c];
  return null;
}

/**
 * Law i mod 5 of Gset's five kinds of graph, at n nodes: ER (edge probability p) weight 1, the same ±1, a
 * torus ±1 (rows × cols = n), geometric k-NN weight 1, the same ±1. One dispatch for the generated
 * Gset-like validation graphs (bench cop's gsetLike, n = 800) and the gsetmix training law (gsetMix).
 */
export function gsetLaw(i: number, n: number, rng: Rng, o: { p: number; torus: [number, number]; k: number }): DenseInstance {
  if (o.torus[0] * o.torus[1] !== n) throw new RangeError(`recforge: gsetLaw: the torus ${o.torus[0]} × ${o.torus[1]} does not have n = ${n} nodes`);
  const law = ((i % 5) + 5) % 5;
  if (law < 2) return erdosRenyi(n, rng, o.p, law === 1);
  if (law === 2) return torusGrid(o.torus[0], o.torus[1], rng);
  return geometricKnn(n, o.k, rng, law === 4);
}

/**
 * The Gset-like laws at a training size n, instance index i picking the law (gsetLaw): ER p = 0.15, a torus
 * of torusShape(n), k-NN with k = min(10, ⌊n/4⌋). A training family for networks meant for Gset's mixture
 * of dense, toroidal and sparse near-planar graphs.
 */
export function gsetMix(n: number, rng: Rng, i: number): DenseInstance {
  const shape = torusShape(n);
  if (!shape) throw new RangeError(`recforge: gsetMix: n must be rows × cols with both >= 3 (a torus), got ${n}`);
  return gsetLaw(i, n, rng, { p: 0.15, torus: shape, k: Math.min(10, Math.floor(n / 4)) });
}

/** Random spins ±1 [n]. */
export function randomSpins(n: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: n }, () => sign(rng));
}

/** Random equal-size labels: a random permutation of (0..k−1 repeated n/k times). */
export function randomEqualLabels(n: number, k: number, rng: Rng): Int32Array {
  if (!Number.isInteger(k) || k < 2 || n % k !== 0) throw new RangeError(`recforge: randomEqualLabels: k (${k}) must be >= 2 and divide n (${n})`);
  const p = rng.permutation(n);
  return Int32Array.from(p, (v) => v % k);
}

/** A uniformly random tour. */
export function randomTour(n: number, rng: Rng): Int32Array {
  return rng.permutation(n);
}
