// Shared test helpers (not a test file: ava only runs *.test.js).
import * as rf from "../../dist/index.js";

/** Deterministic JS PRNG (mulberry32, lib/prng.ts) for reference computations. */
import { mulberry32 as prng } from "../../dist/prng.js";
export { prng };

export function randArray(rand, n, scale = 1) {
  return Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

export function maxRelErr(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** Every tensor of a state dict as a fresh typed-array copy (for before/after comparisons). */
export function snapshot(dict) {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.toTypedArray()]));
}

export function bitsEqual(a, b) {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return Buffer.compare(x, y) === 0;
}

export { rf };
