// Model inputs for next-item targets (shared/reference/gatedlongrec.md, "Inputs for a target at
// position t"), as plain typed arrays the model code turns into tensors:
//   - shortWindows: the W (= 30) actions before each target — items, categories, times —
//     oldest first, padded with 0 on the right (GRU with per-row lengths) or the left (SASRec),
//     plus the targets themselves;
//   - CategoryHistory / categorySubsequences: for a target at t and a category c, the last
//     M (= 5) items of category c before t, at any distance (the short window included, as in
//     the reference code), oldest first; length 0 when the user has no earlier action in c;
//   - batchesOf: target positions cut into (optionally shuffled) batches.
// Positions are flat indices into a SeqDataset (data.ts); targets must be positions t >= 1 of
// their user (the split's targets satisfy t >= minHistory).
import { mulberry32 } from "../../prng.js";
import type { SeqDataset } from "./data.js";

export interface ShortWindowBatch {
  B: number;
  W: number;
  /** [B, W] item ids, 0 = padding. */
  items: Int32Array;
  /** [B, W] category ids, 0 = padding. */
  categories: Int32Array;
  /** [B, W] timestamps, 0 for padding. */
  times: Float64Array;
  /** [B] real actions per row: min(W, t). */
  lengths: Int32Array;
  targetItems: Int32Array;
  targetCategories: Int32Array;
  targetTimes: Float64Array;
  /** [B] user index of each row. */
  users: Int32Array;
}

function checkPositions(ds: SeqDataset, positions: ArrayLike<number>, op: string): void {
  for (let b = 0; b < positions.length; b++) {
    const p = positions[b];
    if (!Number.isInteger(p) || p < 0 || p >= ds.items.length)
      throw new RangeError(`recforge: ${op}: position ${String(p)} (row ${b}) is out of range [0, ${ds.items.length})`);
    if (p === ds.offsets[ds.userOf[p]]) throw new RangeError(`recforge: ${op}: position ${p} (row ${b}) is its user's first action: no history to predict from`);
  }
}

/** The W actions before each target position (see the file header). */
export function shortWindows(ds: SeqDataset, positions: ArrayLike<number>, W = 30, pad: "right" | "left" = "right"): ShortWindowBatch {
  if (!Number.isInteger(W) || W < 1) throw new RangeError(`recforge: shortWindows: W must be an integer >= 1, got ${String(W)}`);
  if (pad !== "right" && pad !== "left") throw new TypeError(`recforge: shortWindows: pad must be "right" or "left", got ${JSON.stringify(pad)}`);
  checkPositions(ds, positions, "shortWindows");
  const B = positions.length;
  const out: ShortWindowBatch = {
    B, W, items: new Int32Array(B * W), categories: new Int32Array(B * W), times: new Float64Array(B * W), lengths: new Int32Array(B),
    targetItems: new Int32Array(B), targetCategories: new Int32Array(B), targetTimes: new Float64Array(B), users: new Int32Array(B),
  };
  for (let b = 0; b < B; b++) {
    const p = positions[b], u = ds.userOf[p];
    const from = Math.max(ds.offsets[u], p - W), L = p - from;
    const base = b * W + (pad === "left" ? W - L : 0);
    for (let k = 0; k < L; k++) {
      out.items[base + k] = ds.items[from + k];
      out.categories[base + k] = ds.categories[from + k];
      out.times[base + k] = ds.times[from + k];
    }
    out.lengths[b] = L;
    out.targetItems[b] = ds.items[p];
    out.targetCategories[b] = ds.categories[p];
    out.targetTimes[b] = ds.times[p];
    out.users[b] = u;
  }
  return out;
}

/**
 * Per user and category, the ascending positions of the user's actions in that category: the
 * index behind categorySubsequences (built once per data set, O(actions)).
 */
export class CategoryHistory {
  readonly ds: SeqDataset;
  /** Positions grouped by (user, category), ascending within a group. */
  private readonly positions: Int32Array;
  /** (user·numCategories + category) -> [start, end) into positions. */
  private readonly groups = new Map<number, [number, number]>();

  constructor(ds: SeqDataset) {
    this.ds = ds;
    const C = ds.numCategories;
    this.positions = new Int32Array(ds.items.length);
    let w = 0;
    for (let u = 0; u < ds.userNames.length; u++) {
      const byCat = new Map<number, number[]>();
      for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) {
        const c = ds.categories[p];
        let list = byCat.get(c);
        if (!list) byCat.set(c, (list = []));
        list.push(p);
      }
      for (const [c, list] of byCat) {
        this.groups.set(u * C + c, [w, w + list.length]);
        for (const p of list) this.positions[w++] = p;
      }
    }
  }

  /**
   * Writes the last (up to) M items of category c strictly before position p (same user),
   * oldest first, into out[at .. at + M); returns how many (the rest is left as is).
   */
  lastItems(p: number, c: number, M: number, out: Int32Array, at: number): number {
    const g = this.groups.get(this.ds.userOf[p] * this.ds.numCategories + c);
    if (!g) return 0;
    // first index in the group with position >= p
    let lo = g[0], hi = g[1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.positions[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    const n = Math.min(M, lo - g[0]);
    for (let k = 0; k < n; k++) out[at + k] = this.ds.items[this.positions[lo - n + k]];
    return n;
  }

  /** Distinct categories of the user's actions before position p, in order of first occurrence. */
  categoriesBefore(p: number): number[] {
    const u = this.ds.userOf[p];
    const seen = new Set<number>();
    for (let q = this.ds.offsets[u]; q < p; q++) seen.add(this.ds.categories[q]);
    return [...seen];
  }
}

export interface CategorySubsequences {
  /** Rows: B·C (row b·C + j is target b's j-th requested category). */
  rows: number;
  M: number;
  /** [rows, M] item ids, oldest first, right-padded with 0. */
  items: Int32Array;
  /** [rows] real items per row (0: no history in that category, or category 0 requested). */
  lengths: Int32Array;
}

/**
 * Long-term inputs for a batch: for every target position positions[b] and every requested
 * category categories[b·C + j] (category 0 = an unused slot), the last M items of that category
 * before the target. One padded [B·C, M] block: one GRU call covers the batch.
 */
export function categorySubsequences(hist: CategoryHistory, positions: ArrayLike<number>, categories: ArrayLike<number>, C: number, M = 5): CategorySubsequences {
  const ds = hist.ds;
  if (!Number.isInteger(C) || C < 1) throw new RangeError(`recforge: categorySubsequences: C must be an integer >= 1, got ${String(C)}`);
  if (!Number.isInteger(M) || M < 1) throw new RangeError(`recforge: categorySubsequences: M must be an integer >= 1, got ${String(M)}`);
  checkPositions(ds, positions, "categorySubsequences");
  const B = positions.length;
  if (categories.length !== B * C) throw new RangeError(`recforge: categorySubsequences: ${categories.length} categories for ${B} targets × ${C} slots`);
  const items = new Int32Array(B * C * M), lengths = new Int32Array(B * C);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < C; j++) {
      const r = b * C + j, c = categories[r];
      if (!Number.isInteger(c) || c < 0 || c >= ds.numCategories)
        throw new RangeError(`recforge: categorySubsequences: category ${String(c)} (row ${b}, slot ${j}) is out of range [0, ${ds.numCategories})`);
      if (c > 0) lengths[r] = hist.lastItems(positions[b], c, M, items, r * M);
    }
  return { rows: B * C, M, items, lengths };
}

/** Cuts positions into batches of `size` (the last may be smaller), shuffled with `seed` when given. */
export function batchesOf(positions: Int32Array, size: number, seed?: number): Int32Array[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`recforge: batchesOf: size must be an integer >= 1, got ${String(size)}`);
  const order = Int32Array.from(positions);
  if (seed !== undefined) {
    const r = mulberry32(seed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  const out: Int32Array[] = [];
  for (let s = 0; s < order.length; s += size) out.push(order.subarray(s, Math.min(order.length, s + size)));
  return out;
}
