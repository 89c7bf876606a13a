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
  // Per [SUM]: its up to three non-empty ranges, sorted by start and merged in place (no allocation
  // per [SUM]: a DTI row has hundreds of them).
  const lo = new Int32Array(3), hi = new Int32Array(3);
  let k = 0; // ranges of the current [SUM] in lo/hi[0 .. k)
  const add = (l: number, h: number) => {
    if (l >= h) return;
    let j = k++; // insertion by start
    for (; j > 0 && lo[j - 1] > l; j--) (lo[j] = lo[j - 1]), (hi[j] = hi[j - 1]);
    lo[j] = l;
    hi[j] = h;
  };
  for (let s = 0; s < S; s++) {
    const p = sumIndex[s];
    k = 0;
    add(iv[p], iv[L + p]); // prefix
    add(iv[2 * L + p], iv[3 * L + p]); // context
    add(iv[4 * L + p], p); // the target's own tokens before the [SUM]
    let m = 0; // merged ranges, in lo/hi[0 .. m)
    for (let j = 0; j < k; j++) {
      if (m > 0 && lo[j] <= hi[m - 1]) hi[m - 1] = Math.max(hi[m - 1], hi[j]);
      else (lo[m] = lo[j]), (hi[m] = hi[j]), m++;
    }
    if (m > 2) return null;
    const row = L + s;
    for (let slot = 0; slot < m; slot++) {
      out[2 * slot * n + row] = lo[slot];
      out[(2 * slot + 1) * n + row] = hi[slot];
    }
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
