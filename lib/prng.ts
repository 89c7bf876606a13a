// mulberry32: the small seeded PRNG (uniform [0, 1)) that the host-side code uses wherever a
// reproducible stream of plain numbers is needed (synthetic data, shuffles, baselines, random
// projections). Tensor randomness uses the Philox generator of lib/tensor/random.ts instead.
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
