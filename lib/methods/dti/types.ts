// The contract between DTI's prompt builders and its model: a batch row is a packed
// token sequence (several prompts back to back, no padding) with per-token positions and
// key intervals (see ../shared/reference/dti.md, "The attention rule").

/** Per-token attention intervals: query i sees [prefLo, prefHi) ∪ [ctxLo, ctxHi) ∪ [selfLo, i]. */
export interface KeyIntervals {
  prefLo: Int32Array;
  prefHi: Int32Array;
  ctxLo: Int32Array;
  ctxHi: Int32Array;
  selfLo: Int32Array;
}

export interface PackedBatch {
  /** Token ids, length L (all prompts of the batch packed back to back). */
  tokens: Int32Array;
  /** Position id of each token (RoPE angle / ALiBi distance), length L. */
  positions: Int32Array;
  /** Key intervals of each token, as 5 rows of length L in the order prefLo, prefHi, ctxLo, ctxHi, selfLo. */
  intervals: Int32Array;
  /** Index (into the L tokens) of every [SUM] token whose hidden state is scored. */
  sumIndex: Int32Array;
  /** Label of each [SUM] target (0/1), same length as sumIndex. */
  labels: Float32Array;
  /** Which interaction (user, target position) each [SUM] belongs to, for evaluation bookkeeping. */
  targetIds: Int32Array;
}

export type Paradigm = "sliding-window" | "dti";
/**
 * How far back a DTI context token attends (shared/reference/dti.md, "hidden-state leakage"):
 * "causal" / "chunk" — everything from the stream's start; "window" — the n interactions before
 * it; a number r (0 ≤ r ≤ n) — the r interactions before it ("window" is r = n). In an SW prompt a
 * context interaction sees between 0 and n−1 earlier interactions of its window (on average
 * (n−1)/2), so "window" gives every DTI context token more reach than any SW prompt does; a
 * smaller r matches SW's average exposure and makes context attention cheaper.
 */
export type ContextReach = "causal" | "window" | "chunk" | number;
export type PositionMode = "stream" | "window-relative" | "alibi";
