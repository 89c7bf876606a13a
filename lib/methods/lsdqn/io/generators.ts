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

/** ECO-DQN's ER law: each pair an edge with probability p (0.15), weight ±1 with probability ½. */
export function erdosRenyi(n: number, rng: Rng, p = 0.15): DenseInstance {
  checkN(n, "erdosRenyi");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`recforge: erdosRenyi: p must be in [0, 1], got ${p}`);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng.next() < p) w[i * n + j] = w[j * n + i] = sign(rng);
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
