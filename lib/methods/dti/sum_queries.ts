// The last layer's [SUM]-query layout of DTIModel (model.ts): the S [SUM] queries appended after
// the L tokens as rows L .. L+S-1, so the attention kernel's query tiles hold [SUM] queries only
// (DTI's [SUM] tokens sit ~8 tokens apart: in place, each would fill a tile of otherwise masked
// rows and make the tile visit its whole window). Plain arrays; the model turns them into tensors.

/**
 * Intervals [5, L+S] of the last layer with the [SUM] queries appended (see the file comment), or
 * null when some [SUM] token's visible keys do not fit. Rows i < L see only themselves. Row L + s
 * (the query of [SUM] token p = sumIndex[s]) must see what p sees — its prefix, its context and
 * its self interval [selfLo, p] — with key p replaced by its copy at L + s, which the row's self
 * interval [L + s, L + s] covers. That leaves [prefix] ∪ [context] ∪ [selfLo, p) for the prefix
 * and context slots: it fits when these merge into at most two ranges (always without an
 * instruction prefix: context and the target's own tokens).
 */
export function sumQueryIntervals(iv: Int32Array, L: number, sumIndex: Int32Array): Int32Array | null {
  const S = sumIndex.length, n = L + S;
  const out = new Int32Array(5 * n);
  for (let i = 0; i < L; i++) out[4 * n + i] = i; // prefix [0, 0), context [0, 0), self [i, i]
  const ranges: [number, number][] = [];
  for (let s = 0; s < S; s++) {
    const p = sumIndex[s];
    ranges.length = 0;
    for (const [lo, hi] of [[iv[p], iv[L + p]], [iv[2 * L + p], iv[3 * L + p]], [iv[4 * L + p], p]]) if (lo < hi) ranges.push([lo, hi]);
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [lo, hi] of ranges) {
      const top = merged[merged.length - 1];
      if (top && lo <= top[1]) top[1] = Math.max(top[1], hi);
      else merged.push([lo, hi]);
    }
    if (merged.length > 2) return null;
    const row = L + s;
    merged.forEach(([lo, hi], slot) => {
      out[2 * slot * n + row] = lo;
      out[(2 * slot + 1) * n + row] = hi;
    });
    out[4 * n + row] = row;
  }
  return out;
}

/** Positions of the L tokens followed by those of the [SUM] tokens (the appended rows). */
export function appendedPositions(positions: Int32Array, sumIndex: Int32Array): Int32Array {
  const out = new Int32Array(positions.length + sumIndex.length);
  out.set(positions);
  sumIndex.forEach((p, s) => (out[positions.length + s] = positions[p]));
  return out;
}
