// Prompt builders for LLM-style CTR training (shared/reference/dti.md): sliding-window (SW)
// prompts, one per target, and DTI streaming prompts, one per k consecutive targets, packed
// back to back into PackedBatch rows (no padding) with per-token positions and key intervals.
//
//   SW   [prefix] ctx(j-n) … ctx(j-1) tgt(j) [SUM]                          plain causal
//   DTI  [prefix] ctx(s-n) … ctx(s+k-2) tgt(s) [SUM] … tgt(s+k-1) [SUM]     interval rule
//
// ctx(p) = item p's tokens + its label word; tgt(j) = item j's tokens. Windows are clipped at
// the start of a user's history (a target j < n has j context interactions).
//
// Intervals (per token; see types.ts, KeyIntervals), relative to the prompt's first token:
//   SW, every token          : selfLo = 0 (causal over its own prompt only).
//   DTI prefix token         : selfLo = 0.
//   DTI context token of p   : prefix [0, P); context = interactions [reach(p), p); self = p's tokens.
//       reach(p): "causal" → the stream's first interaction (s-n); "window" → max(s-n, p-n);
//                 a number r → max(s-n, p-r);
//                 "chunk"  → max(s-n, first target's window start s-n) — with this layout the
//                 stream starts at s-n, so "chunk" gives the same intervals as "causal"; see
//                 contextReachStart for why both names exist.
//   DTI target token of j    : prefix [0, P); context = interactions [j-n, j); self = its own
//       tgt(j) [SUM] span (isolation). With isolation off, self starts at tgt(s): targets see
//       the targets before them (the naive stream; the exactness test must then fail).
// Positions (relative to the prompt's first token):
//   SW: the token index. DTI "stream": the token index. DTI "window-relative" and "alibi":
//   prefix and context tokens keep their index; target j's tokens are numbered as if tgt(j)
//   directly followed ctx(j-1), so its distances to its own context equal the SW prompt's
//   (targets share position values, harmless since they never see each other).
import type { CtrDataset, UserHistory } from "./data/dataset.js";
import type { ContextReach, PackedBatch, PositionMode } from "./types.js";

export interface PromptVocab {
  /** Token ids of each item's text, by dense item index. */
  itemTokens: Int32Array[];
  /** Token ids of the positive / negative label words ("liked" / "disliked"). */
  liked: Int32Array;
  disliked: Int32Array;
  /** The [SUM] token id. */
  sum: number;
  /** The instruction prefix's token ids (may be empty). */
  prefix: Int32Array;
}

export interface PromptOptions {
  /** Context interactions per target. */
  n: number;
  /** How far back DTI context tokens attend (default "window"). */
  contextReach?: ContextReach;
  /** DTI position numbering (default "window-relative"). */
  positions?: PositionMode;
  /** Targets never see each other (default true; false is the naive stream, for tests and ablations). */
  isolation?: boolean;
}

/** One prompt: an SW prompt for target j, or a DTI prompt for targets [start, start + count). */
export type PromptUnit =
  | { kind: "sw"; user: number; target: number }
  | { kind: "dti"; user: number; start: number; count: number };

/**
 * First interaction a DTI context token of interaction p may attend to. The stream of a DTI
 * prompt for targets s… starts at s-n, so "causal" (everything before p in the stream) and
 * "chunk" (only interactions >= s-n) coincide here; "chunk" is kept as its own name because it
 * states the guarantee (the first target is exact at every depth), which "causal" would lose on
 * a stream that started earlier. "window" bounds every context token's reach to the n
 * interactions before it — the same reach it has in an SW prompt whose window covers it.
 */
export function contextReachStart(reach: ContextReach, p: number, streamStart: number, n: number): number {
  switch (reach) {
    case "causal":
    case "chunk":
      return streamStart;
    case "window":
      return Math.max(streamStart, p - n);
    default:
      return Math.max(streamStart, p - reach);
  }
}

// A growable int32 column.
class Column {
  data: Int32Array;
  length = 0;
  constructor(cap = 1024) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  take(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Accumulates prompts back to back into one PackedBatch. */
export class PackBuilder {
  private readonly tok = new Column();
  private readonly pos = new Column();
  private readonly iv = [new Column(), new Column(), new Column(), new Column(), new Column()];
  private readonly sums = new Column(64);
  private readonly tids = new Column(64);
  private readonly labels: number[] = [];

  get length(): number {
    return this.tok.length;
  }
  get targets(): number {
    return this.sums.length;
  }

  /** Appends one token; intervals and positions are relative to `base` (the prompt start). */
  token(id: number, base: number, pos: number, prefHi: number, ctxLo: number, ctxHi: number, selfLo: number): void {
    this.tok.push(id);
    this.pos.push(pos);
    const empty = prefHi <= 0;
    this.iv[0].push(base);
    this.iv[1].push(empty ? base : base + prefHi);
    const ctxEmpty = ctxHi <= ctxLo;
    this.iv[2].push(ctxEmpty ? base : base + ctxLo);
    this.iv[3].push(ctxEmpty ? base : base + ctxHi);
    this.iv[4].push(base + selfLo);
  }

  /** Marks the token just appended as a [SUM] token scoring `targetId` with `label`. */
  markSum(targetId: number, label: number): void {
    this.sums.push(this.tok.length - 1);
    this.tids.push(targetId);
    this.labels.push(label);
  }

  build(): PackedBatch {
    const L = this.tok.length;
    const intervals = new Int32Array(5 * L);
    for (let r = 0; r < 5; r++) intervals.set(this.iv[r].data.subarray(0, L), r * L);
    return {
      tokens: this.tok.take(),
      positions: this.pos.take(),
      intervals,
      sumIndex: this.sums.take(),
      labels: Float32Array.from(this.labels),
      targetIds: this.tids.take(),
    };
  }
}

/** Builds SW and DTI prompts of one dataset with one vocabulary and one set of options. */
export class PromptBuilder {
  readonly n: number;
  readonly contextReach: ContextReach;
  readonly positions: PositionMode;
  readonly isolation: boolean;
  private readonly itemLen: Int32Array;

  constructor(readonly data: CtrDataset, readonly vocab: PromptVocab, opts: PromptOptions) {
    if (!Number.isInteger(opts.n) || opts.n < 0) throw new RangeError(`recforge: prompts: n must be an integer >= 0, got ${opts.n}`);
    this.n = opts.n;
    this.contextReach = opts.contextReach ?? "window";
    this.positions = opts.positions ?? "window-relative";
    this.isolation = opts.isolation ?? true;
    const reach = this.contextReach;
    if (typeof reach === "number" ? !(Number.isInteger(reach) && reach >= 0 && reach <= this.n) : !["causal", "window", "chunk"].includes(reach))
      throw new RangeError(`recforge: prompts: contextReach must be "causal", "window", "chunk" or an integer in [0, n = ${this.n}], got ${JSON.stringify(reach)}`);
    if (!["stream", "window-relative", "alibi"].includes(this.positions)) throw new RangeError(`recforge: prompts: positions must be "stream", "window-relative" or "alibi", got ${JSON.stringify(this.positions)}`);
    if (vocab.itemTokens.length < data.itemText.length) throw new RangeError(`recforge: prompts: the vocabulary has tokens for ${vocab.itemTokens.length} items, the data has ${data.itemText.length}`);
    this.itemLen = Int32Array.from(vocab.itemTokens, (t) => t.length);
  }

  private ctxLen(h: UserHistory, p: number): number {
    return this.itemLen[h.items[p]] + (h.labels[p] ? this.vocab.liked.length : this.vocab.disliked.length);
  }

  /** Tokens of a unit's prompt, without building it. */
  length(unit: PromptUnit): number {
    const h = this.history(unit.user);
    const P = this.vocab.prefix.length;
    let L = P;
    if (unit.kind === "sw") {
      for (let p = Math.max(0, unit.target - this.n); p < unit.target; p++) L += this.ctxLen(h, p);
      return L + this.itemLen[h.items[unit.target]] + 1;
    }
    const end = unit.start + unit.count;
    for (let p = Math.max(0, unit.start - this.n); p < end - 1; p++) L += this.ctxLen(h, p);
    for (let j = unit.start; j < end; j++) L += this.itemLen[h.items[j]] + 1;
    return L;
  }

  private history(u: number): UserHistory {
    const h = this.data.users[u];
    if (!h) throw new RangeError(`recforge: prompts: user index ${u} out of range [0, ${this.data.users.length})`);
    return h;
  }

  private pushContext(b: PackBuilder, h: UserHistory, p: number, base: number, at: number, prefHi: number, ctxLo: number, ctxHi: number, sw: boolean): number {
    const item = this.vocab.itemTokens[h.items[p]];
    const label = h.labels[p] ? this.vocab.liked : this.vocab.disliked;
    const selfLo = sw ? 0 : at;
    for (let i = 0; i < item.length; i++, at++) b.token(item[i], base, at, prefHi, ctxLo, ctxHi, selfLo);
    for (let i = 0; i < label.length; i++, at++) b.token(label[i], base, at, prefHi, ctxLo, ctxHi, selfLo);
    return at;
  }

  /** Appends the SW prompt of target j of user u. */
  appendSw(b: PackBuilder, u: number, j: number): void {
    const h = this.history(u);
    if (!(j >= 0 && j < h.items.length)) throw new RangeError(`recforge: prompts: target ${j} out of range for user ${u} (${h.items.length} interactions)`);
    const base = b.length;
    const prefix = this.vocab.prefix;
    let at = 0;
    for (let i = 0; i < prefix.length; i++, at++) b.token(prefix[i], base, at, 0, 0, 0, 0);
    for (let p = Math.max(0, j - this.n); p < j; p++) at = this.pushContext(b, h, p, base, at, 0, 0, 0, true);
    const item = this.vocab.itemTokens[h.items[j]];
    for (let i = 0; i < item.length; i++, at++) b.token(item[i], base, at, 0, 0, 0, 0);
    b.token(this.vocab.sum, base, at, 0, 0, 0, 0);
    b.markSum(this.data.offsets[u] + j, h.labels[j]);
  }

  /** Appends the DTI streaming prompt of targets [s, s + count) of user u. */
  appendDti(b: PackBuilder, u: number, s: number, count: number): void {
    const h = this.history(u);
    if (!(count >= 1 && s >= 0 && s + count <= h.items.length))
      throw new RangeError(`recforge: prompts: targets [${s}, ${s + count}) out of range for user ${u} (${h.items.length} interactions)`);
    const base = b.length;
    const prefix = this.vocab.prefix;
    const P = prefix.length;
    const first = Math.max(0, s - this.n);
    const last = s + count - 1; // context interactions are [first, last)
    // cs[p - first] = first token (relative) of ctx(p); cs[last - first] = end of the context run.
    const cs = new Int32Array(last - first + 1);
    let at = 0;
    for (let i = 0; i < P; i++, at++) b.token(prefix[i], base, at, 0, 0, 0, 0);
    // Token starts of every context interaction first (a context token's interval refers to earlier ones only).
    cs[0] = P;
    for (let p = first; p < last; p++) cs[p - first + 1] = cs[p - first] + this.ctxLen(h, p);
    for (let p = first; p < last; p++) {
      const lo = contextReachStart(this.contextReach, p, first, this.n);
      at = this.pushContext(b, h, p, base, at, P, cs[lo - first], cs[p - first], false);
    }
    const windowRelative = this.positions !== "stream";
    const firstTarget = at;
    for (let j = s; j <= last; j++) {
      const selfLo = this.isolation ? at : firstTarget;
      const ctxLo = cs[Math.max(first, j - this.n) - first], ctxHi = cs[j - first];
      let pos = windowRelative ? ctxHi : at;
      const item = this.vocab.itemTokens[h.items[j]];
      for (let i = 0; i < item.length; i++, at++, pos++) b.token(item[i], base, pos, P, ctxLo, ctxHi, selfLo);
      b.token(this.vocab.sum, base, pos, P, ctxLo, ctxHi, selfLo);
      at++;
      b.markSum(this.data.offsets[u] + j, h.labels[j]);
    }
  }

  append(b: PackBuilder, unit: PromptUnit): void {
    if (unit.kind === "sw") this.appendSw(b, unit.user, unit.target);
    else this.appendDti(b, unit.user, unit.start, unit.count);
  }

  /**
   * Packs prompts back to back into rows of at most `rowTokens` tokens (a prompt longer than
   * that gets a row of its own), in order. No padding: every token is a prompt token.
   */
  pack(units: PromptUnit[], rowTokens = Infinity): PackedBatch[] {
    const rows: PackedBatch[] = [];
    let b = new PackBuilder();
    for (const unit of units) {
      if (b.length > 0 && b.length + this.length(unit) > rowTokens) {
        rows.push(b.build());
        b = new PackBuilder();
      }
      this.append(b, unit);
    }
    if (b.length > 0) rows.push(b.build());
    return rows;
  }
}

/** SW prompt units for every target of `split`-range [lo, hi) of each user (evaluation). */
export function swUnits(data: CtrDataset, range: (u: number) => [number, number]): PromptUnit[] {
  const out: PromptUnit[] = [];
  for (let u = 0; u < data.users.length; u++) {
    const [lo, hi] = range(u);
    for (let j = lo; j < hi; j++) out.push({ kind: "sw", user: u, target: j });
  }
  return out;
}

/** The dti.md cost model: tokens per target for SW and DTI prompts (full windows). */
export function costModel(o: { P: number; n: number; k: number; c: number; t: number }): { sw: number; dti: number; ratio: number } {
  const sw = o.P + o.n * o.c + o.t + 1;
  const dti = (o.P + (o.n + o.k - 1) * o.c + o.k * (o.t + 1)) / o.k;
  return { sw, dti, ratio: sw / dti };
}
