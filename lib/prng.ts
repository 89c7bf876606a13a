// The one home of host-side (JavaScript) randomness: every reproducible stream of plain numbers
// (synthetic data, shuffles, splits, baselines, random projections, balancer sampling) comes from
// here: mulberry32 (a small seeded PRNG), Rng (mulberry32 with normals and permutations) and
// hash2 / unit (counter-based: a number from a pair of integers, no state).
// Tensor randomness is a different job with its own home: lib/tensor/random.ts holds the
// (seed, offset) state of the counter-based Philox stream that the kernels draw from
// (native/include/recforge/philox.h), the same numbers on the CPU and the GPU.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit integer hash of (a, b) (murmur3 finaliser over a mixed pair): counter-based randomness. */
export function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** A small seeded PRNG (mulberry32): next() in [0, 1). */
export class Rng {
  private readonly uniform: () => number;
  constructor(seed: number) {
    this.uniform = mulberry32(hash2(seed >>> 0, 0x5eed));
  }
  next(): number {
    return this.uniform();
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
