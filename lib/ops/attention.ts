// Attention for packed token sequences: the fused interval-attention kernel (DTI's rule: each
// query sees a prefix interval, a context interval and its own causal span, given per token;
// see native/include/recforge/interval_attention.h), the dense masked baseline with the same
// semantics, ALiBi slopes, and rotary position embeddings (RoPE, rotate-half layout).
//
// Shapes: q, k, v, out are [H, L, D] (heads, packed tokens, head dim). Intervals are int32
// [5, L] rows prefLo, prefHi, ctxLo, ctxHi, selfLo: query i attends key j iff
// j ∈ [prefLo, prefHi) ∪ [ctxLo, ctxHi) ∪ [selfLo, i].
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow } from "../tensor/scope.js";
import { type Device, type DType, isFloat } from "../tensor/dtype.js";
import { shapeStr } from "../tensor/shape.js";
import { assertFloat, assertTensor, backendFor, code, contiguousRaw, describe, empty, kernelFor, options } from "./core.js";
import type { HalfKind, IntervalAttentionBackwardArgs, IntervalAttentionForwardArgs } from "../native_ops.generated.js";
import { tensor } from "./creation.js";
import { autocastKind } from "../amp/autocast.js";

/** The five per-token interval arrays, each of length L (the layout of PackedBatch's KeyIntervals). */
export interface KeyIntervalArrays {
  prefLo: ArrayLike<number>;
  prefHi: ArrayLike<number>;
  ctxLo: ArrayLike<number>;
  ctxHi: ArrayLike<number>;
  selfLo: ArrayLike<number>;
}

/** Intervals as an int32 tensor [5, L], a flat Int32Array of 5·L (rows in order), or five arrays. */
export type IntervalsInput = Tensor | Int32Array | KeyIntervalArrays;
/** Token positions: an int32 tensor [L], an Int32Array or a plain array of integers. */
export type PositionsInput = Tensor | Int32Array | readonly number[];

export interface AttentionOptions {
  /** Logit scale (default 1/sqrt(D)). */
  scale?: number;
  /** ALiBi slope per head ([H]); logits get −slope[h]·(pos[i] − pos[j]). Needs `positions`. */
  alibiSlopes?: Tensor | ArrayLike<number>;
  /** Token positions for ALiBi ([L]); ignored without alibiSlopes. */
  positions?: PositionsInput;
}

const IV_ROWS = ["prefLo", "prefHi", "ctxLo", "ctxHi", "selfLo"] as const;

/**
 * Interval arrays as an int32 tensor [5, L] on `device` (what the attention ops take; build it
 * once per batch and pass it to every layer to avoid re-uploading). Returns `intervals` itself
 * when it already is a contiguous int32 [5, L] tensor (on whatever device it is).
 */
export function intervalsTensor(intervals: IntervalsInput, L: number, op = "intervalsTensor", device: Device = "cpu"): Tensor {
  if (intervals instanceof Tensor) {
    assertTensor(intervals, op, "intervals");
    if (intervals.dtype !== "int32") throw new TypeError(`recforge: ${op}: intervals must be int32, got ${intervals.dtype}`);
    if (intervals.ndim !== 2 || intervals.shape[0] !== 5 || intervals.shape[1] !== L)
      throw new RangeError(`recforge: ${op}: intervals ${shapeStr(intervals.shape)} must be [5, L] = [5, ${L}]`);
    return contiguousRaw(intervals);
  }
  if (intervals instanceof Int32Array) {
    if (intervals.length !== 5 * L)
      throw new RangeError(`recforge: ${op}: intervals has ${intervals.length} values, expected 5·L = ${5 * L} (rows prefLo, prefHi, ctxLo, ctxHi, selfLo)`);
    return tensor(intervals, { shape: [5, L], device });
  }
  if (intervals === null || typeof intervals !== "object")
    throw new TypeError(`recforge: ${op}: intervals must be an int32 Tensor [5, L], an Int32Array or {prefLo, prefHi, ctxLo, ctxHi, selfLo}, got ${describe(intervals)}`);
  const flat = new Int32Array(5 * L);
  IV_ROWS.forEach((name, r) => {
    const a = (intervals as KeyIntervalArrays)[name];
    if (a === undefined || a === null || typeof a.length !== "number")
      throw new TypeError(`recforge: ${op}: intervals.${name} must be an array of length L = ${L}, got ${describe(a)}`);
    if (a.length !== L) throw new RangeError(`recforge: ${op}: intervals.${name} has length ${a.length}, expected L = ${L}`);
    for (let i = 0; i < L; i++) {
      const v = a[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
        throw new RangeError(`recforge: ${op}: intervals.${name}[${i}] = ${v} is not an int32 value`);
      flat[r * L + i] = v;
    }
  });
  return tensor(flat, { shape: [5, L], device });
}

/** Token positions as an int32 tensor [L] on `device` (returns `positions` when it already is one, contiguous). */
export function positionsTensor(positions: PositionsInput, L: number, op = "positionsTensor", device: Device = "cpu"): Tensor {
  if (positions instanceof Tensor) {
    assertTensor(positions, op, "positions");
    if (positions.dtype !== "int32") throw new TypeError(`recforge: ${op}: positions must be int32, got ${positions.dtype}`);
    if (positions.ndim !== 1 || positions.shape[0] !== L)
      throw new RangeError(`recforge: ${op}: positions ${shapeStr(positions.shape)} must be [L] = [${L}]`);
    return contiguousRaw(positions);
  }
  if (!(positions instanceof Int32Array) && !Array.isArray(positions))
    throw new TypeError(`recforge: ${op}: positions must be an int32 Tensor, an Int32Array or an array of integers, got ${describe(positions)}`);
  if (positions.length !== L) throw new RangeError(`recforge: ${op}: positions has length ${positions.length}, expected L = ${L}`);
  return tensor(positions instanceof Int32Array ? positions : Int32Array.from(positions as number[], (v, i) => {
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 30) throw new RangeError(`recforge: ${op}: positions[${i}] = ${v} must be an integer in [-2^30, 2^30]`);
    return v;
  }), { device });
}

/**
 * The standard ALiBi slopes (Press et al.): for a power-of-two head count n, 2^(-8(h+1)/n);
 * otherwise those of the nearest lower power of two followed by every other slope of twice it.
 */
export function alibiSlopes(heads: number): Float64Array {
  if (!Number.isInteger(heads) || heads < 0) throw new RangeError(`recforge: alibiSlopes: heads must be a non-negative integer, got ${heads}`);
  const pow2 = (n: number) => {
    const start = 2 ** (-(2 ** -(Math.log2(n) - 3)));
    return Array.from({ length: n }, (_, i) => start * start ** i);
  };
  if (heads === 0) return new Float64Array(0);
  const p = 2 ** Math.floor(Math.log2(heads));
  const s = pow2(p);
  if (p !== heads) s.push(...pow2(2 * p).filter((_, i) => i % 2 === 0).slice(0, heads - p));
  return Float64Array.from(s);
}

function slopesTensor(s: Tensor | ArrayLike<number>, H: number, dtype: DType, op: string, device: Device): Tensor {
  if (s instanceof Tensor) {
    assertTensor(s, op, "alibiSlopes");
    if (s.dtype !== dtype) throw new TypeError(`recforge: ${op}: alibiSlopes dtype ${s.dtype} differs from q (${dtype})`);
    if (s.ndim !== 1 || s.shape[0] !== H) throw new RangeError(`recforge: ${op}: alibiSlopes ${shapeStr(s.shape)} must be [H] = [${H}]`);
    return contiguousRaw(s);
  }
  if (s === null || typeof s !== "object" || typeof (s as ArrayLike<number>).length !== "number")
    throw new TypeError(`recforge: ${op}: alibiSlopes must be a Tensor or an array of numbers, got ${describe(s)}`);
  if (s.length !== H) throw new RangeError(`recforge: ${op}: alibiSlopes has ${s.length} values, expected one per head (H = ${H})`);
  const a = Float64Array.from(s as ArrayLike<number>);
  a.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`recforge: ${op}: alibiSlopes[${i}] = ${v} must be finite`);
  });
  return tensor(a, { dtype, device });
}

// The attention entry point for these inputs: interval or dense (the dense baseline is CPU-only),
// float32 or autocast's 16-bit inputs (`lowp` a HalfKind; CUDA-only entry points taking the same
// arguments plus the kind).
function attentionKernel(op: string, dense: boolean, lowp: number, backward: boolean, inputs: (Tensor | null)[]) {
  if (dense) return backward ? kernelFor(op, "denseMaskedAttentionBackward", ...inputs) : kernelFor(op, "denseMaskedAttentionForward", ...inputs);
  if (lowp < 0) return backward ? backendFor(...inputs).intervalAttentionBackward : backendFor(...inputs).intervalAttentionForward;
  const kind = lowp as HalfKind;
  if (backward) {
    const f = kernelFor(op, "intervalAttentionBackwardLowp", ...inputs);
    return (a: IntervalAttentionBackwardArgs) => f({ ...a, kind });
  }
  const f = kernelFor(op, "intervalAttentionForwardLowp", ...inputs);
  return (a: IntervalAttentionForwardArgs) => f({ ...a, kind });
}

function attention(op: string, dense: boolean, q: Tensor, k: Tensor, v: Tensor, intervals: IntervalsInput, opts?: AttentionOptions): Tensor {
  return disposeOnThrow(() => {
    opts = options(opts, op);
    assertTensor(q, op, "q");
    assertTensor(k, op, "k");
    assertTensor(v, op, "v");
    assertFloat(q, op, "q");
    for (const [t, what] of [[k, "k"], [v, "v"]] as const)
      if (t.dtype !== q.dtype) throw new TypeError(`recforge: ${op}: ${what} is ${t.dtype}, q is ${q.dtype}`);
    if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3 || q.shape.some((d, i) => d !== k.shape[i] || d !== v.shape[i]))
      throw new RangeError(`recforge: ${op}: q, k, v must all be [H, L, D], got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
    const [H, L, D] = q.shape;
    const scale = opts.scale ?? (D > 0 ? 1 / Math.sqrt(D) : 1);
    if (typeof scale !== "number" || !Number.isFinite(scale)) throw new RangeError(`recforge: ${op}: scale must be a finite number, got ${describe(scale)}`);
    const alibi = opts.alibiSlopes !== undefined && opts.alibiSlopes !== null;
    if (alibi && (opts.positions === undefined || opts.positions === null))
      throw new TypeError(`recforge: ${op}: alibiSlopes needs positions (the position of each of the L = ${L} tokens)`);
    // Autocast (interval attention only; the dense baseline has no 16-bit kernel): the Lowp entry
    // points take the same arguments plus the 16-bit kind last; the backward keeps the forward's kind.
    const lowp = dense ? -1 : autocastKind(q, k, v);
    const inputs = [q, k, v, intervals instanceof Tensor ? intervals : null, opts.alibiSlopes instanceof Tensor ? opts.alibiSlopes : null,
      opts.positions instanceof Tensor ? opts.positions : null];
    const fwd = attentionKernel(op, dense, lowp, false, inputs) as (a: IntervalAttentionForwardArgs) => void;
    // Index arrays given as plain arrays are uploaded to q's device (tensors must already be there).
    const ivT = intervalsTensor(intervals, L, op, q.device);
    const slT = alibi ? slopesTensor(opts.alibiSlopes!, H, q.dtype, op, q.device) : null;
    const posT = alibi ? positionsTensor(opts.positions!, L, op, q.device) : null;
    const qc = contiguousRaw(q), kc = contiguousRaw(k), vc = contiguousRaw(v);
    const out = empty([H, L, D], q.dtype, q.device);
    const lse = empty([H, L], q.dtype, q.device);
    fwd({ dtype: code(q), H, L, D, q: qc, k: kc, v: vc, intervals: ivT, useAlibi: alibi, slopes: slT, pos: posT, scale, out, lse });
    // Temporaries we created are owned by the node; the caller's tensors are saved as views.
    const own = (t: Tensor | null, src: unknown) => (t === null ? null : t !== src ? t : save(t));
    if (!needsGrad(q, k, v)) {
      for (const [t, src] of [[ivT, intervals], [slT, opts.alibiSlopes], [posT, opts.positions], [qc, q], [kc, k], [vc, v]] as const)
        if (t && t !== src) t.dispose();
      lse.dispose();
      return out;
    }
    const ivS = own(ivT, intervals)!, slS = own(slT, opts.alibiSlopes), posS = own(posT, opts.positions);
    const qs = own(qc, q)!, ks = own(kc, k)!, vs = own(vc, v)!, os = save(out);
    const saved = [ivS, qs, ks, vs, os, lse, ...(slS ? [slS] : []), ...(posS ? [posS] : [])];
    return record(out, op, [q, k, v], (g) => {
      const gc = contiguousRaw(g);
      const bwd = attentionKernel(op, dense, lowp, true, [qs, gc]) as (a: IntervalAttentionBackwardArgs) => void;
      const dq = empty([H, L, D], q.dtype, q.device), dk = empty([H, L, D], q.dtype, q.device), dv = empty([H, L, D], q.dtype, q.device);
      bwd({ dtype: code(q), H, L, D, q: qs, k: ks, v: vs, out: os, lse, dout: gc, intervals: ivS, useAlibi: alibi, slopes: slS, pos: posS,
        scale, dq, dk, dv });
      if (gc !== g) gc.dispose();
      const keepIf = (t: Tensor, x: Tensor) => {
        if (x.requiresGrad) return t;
        t.dispose();
        return null;
      };
      return [keepIf(dq, q), keepIf(dk, k), keepIf(dv, v)];
    }, saved);
  });
}

/**
 * Fused interval attention over packed sequences (no L×L mask; visits only key tiles some query
 * may see). q, k, v: [H, L, D] float32/float64; returns out [H, L, D]. Differentiable in q, k, v.
 * Bad intervals (selfLo > i, a bound outside [0, L], wrong length) are RangeErrors. Inside
 * autocast("bf16" | "fp16", ...) float32 cuda inputs run the 16-bit kernel (q, k, v and the
 * output gradient rounded; fp32 softmax and accumulation; float32 out and gradients).
 */
export function intervalAttention(q: Tensor, k: Tensor, v: Tensor, intervals: IntervalsInput, opts?: AttentionOptions): Tensor {
  return attention("intervalAttention", false, q, k, v, intervals, opts);
}

/**
 * The same attention computed densely: every (query, key) pair is scored and masked with the
 * interval rule. O(H·L²·D): the benchmark baseline and a cross-check of intervalAttention.
 */
export function denseMaskedAttention(q: Tensor, k: Tensor, v: Tensor, intervals: IntervalsInput, opts?: AttentionOptions): Tensor {
  return attention("denseMaskedAttention", true, q, k, v, intervals, opts);
}

// ---- RoPE -------------------------------------------------------------------------------

/** cos/sin angle tables [L, D/2] for a set of positions; build once per batch, share across layers. */
export interface RopeTable {
  readonly cos: Tensor;
  readonly sin: Tensor;
  readonly headDim: number;
  readonly base: number;
  dispose(): void;
}

export interface RopeTableOptions {
  /** θ base (LLaMA: 10000; LLaMA-3: 500000). Default 10000. */
  base?: number;
  dtype?: DType;
  /** Where the tables live when positions are not a tensor (default "cpu"; a positions tensor's own device otherwise). */
  device?: Device;
}

/** Angle tables for RoPE: cos/sin(pos[l] · base^(−2i/D)) for i < D/2, computed in double precision. */
export function ropeTable(positions: PositionsInput, headDim: number, opts?: RopeTableOptions): RopeTable {
  return disposeOnThrow(() => {
    const o = options(opts, "ropeTable");
    const base = o.base ?? 10000;
    const dtype = o.dtype ?? "float32";
    if (!isFloat(dtype)) throw new TypeError(`recforge: ropeTable: dtype must be float32 or float64, got ${describe(dtype)}`);
    if (!Number.isInteger(headDim) || headDim < 0 || headDim % 2)
      throw new RangeError(`recforge: ropeTable: headDim must be an even non-negative integer, got ${describe(headDim)}`);
    if (typeof base !== "number" || !Number.isFinite(base) || base <= 0) throw new RangeError(`recforge: ropeTable: base must be a finite number > 0, got ${describe(base)}`);
    const L = positions instanceof Tensor ? positions.shape[0] ?? -1 : (positions as ArrayLike<number>)?.length;
    if (!Number.isInteger(L) || L < 0) throw new TypeError(`recforge: ropeTable: positions must be an int32 Tensor [L], an Int32Array or an array, got ${describe(positions)}`);
    const posT = positionsTensor(positions, L, "ropeTable", positions instanceof Tensor ? positions.device : o.device ?? "cpu");
    const be = backendFor(posT);
    const cos = empty([L, headDim / 2], dtype, posT.device), sin = empty([L, headDim / 2], dtype, posT.device);
    be.ropeTables({ dtype: code(cos), L, D: headDim, pos: posT, base, cos, sin });
    if (posT !== positions) posT.dispose();
    return {
      cos, sin, headDim, base,
      dispose() {
        cos.dispose();
        sin.dispose();
      },
    };
  });
}

export type RopeLayout = "hld" | "lhd";

export interface RopeOptions {
  /** θ base when positions (not a table) are given. Default 10000. */
  base?: number;
  /** Axis order of x: "hld" = [H, L, D] (default) or "lhd" = [L, H, D]. */
  layout?: RopeLayout;
  /** Axis order of the result (default: same as x). Lets one pass rotate and re-lay out q/k. */
  outLayout?: RopeLayout;
}

function isTable(p: unknown): p is RopeTable {
  return p !== null && typeof p === "object" && !(p instanceof Tensor) && (p as RopeTable).cos instanceof Tensor && (p as RopeTable).sin instanceof Tensor;
}

/**
 * Rotary position embedding, rotate-half layout (Hugging Face LLaMA): the pair (x[i], x[i+D/2])
 * of every head row is rotated by pos · base^(−2i/D). x: [H, L, D] or [L, H, D] (see `layout`),
 * D even; positions: [L] or a ropeTable; opts: options or just the θ base (default 10000).
 * Differentiable in x (the backward rotates by −angle).
 */
export function rope(x: Tensor, positions: PositionsInput | RopeTable, opts?: RopeOptions | number): Tensor {
  return disposeOnThrow(() => {
    const o = typeof opts === "number" ? { base: opts } : options(opts, "rope");
    assertTensor(x, "rope", "x");
    assertFloat(x, "rope", "x");
    const layout = o.layout ?? "hld", outLayout = o.outLayout ?? layout;
    for (const [l, what] of [[layout, "layout"], [outLayout, "outLayout"]] as const)
      if (l !== "hld" && l !== "lhd") throw new TypeError(`recforge: rope: ${what} must be "hld" or "lhd", got ${describe(l)}`);
    if (x.ndim !== 3) throw new RangeError(`recforge: rope: x must be 3-d (${layout === "hld" ? "[H, L, D]" : "[L, H, D]"}), got ${shapeStr(x.shape)}`);
    const [hAxis, lAxis] = layout === "hld" ? [0, 1] : [1, 0];
    const H = x.shape[hAxis], L = x.shape[lAxis], D = x.shape[2];
    if (D % 2) throw new RangeError(`recforge: rope: head dim D = ${D} must be even (x ${shapeStr(x.shape)})`);
    const be = backendFor(x, isTable(positions) ? positions.cos : positions instanceof Tensor ? positions : null);
    let table: RopeTable;
    if (isTable(positions)) {
      table = positions;
      for (const t of [table.cos, table.sin]) {
        assertTensor(t, "rope", "rope table");
        if (t.dtype !== x.dtype) throw new TypeError(`recforge: rope: table dtype ${t.dtype} differs from x (${x.dtype})`);
        if (t.ndim !== 2 || t.shape[0] !== L || t.shape[1] !== D / 2 || !t.isContiguous)
          throw new RangeError(`recforge: rope: table ${shapeStr(t.shape)} must be contiguous [L, D/2] = [${L}, ${D / 2}] for x ${shapeStr(x.shape)}`);
      }
    } else {
      const n = positions instanceof Tensor ? positions.shape[0] : (positions as ArrayLike<number>)?.length;
      if (positions instanceof Tensor ? positions.ndim !== 1 || n !== L : n !== L)
        throw new RangeError(`recforge: rope: ${positions instanceof Tensor ? `positions ${shapeStr(positions.shape)}` : `positions of length ${n}`} must be [L] = [${L}] for x ${shapeStr(x.shape)} (layout "${layout}")`);
      table = ropeTable(positions, D, { base: o.base, dtype: x.dtype, device: x.device });
    }
    const ownTable = table !== positions;
    const xc = x.strides[2] === 1 || D <= 1 ? x : contiguousRaw(x);
    const shapeOf = (l: RopeLayout) => (l === "hld" ? [H, L, D] : [L, H, D]);
    const stridesOf = (l: RopeLayout) => (l === "hld" ? [L * D, D] : [D, H * D]); // [head stride, token stride]
    const y = empty(shapeOf(outLayout), x.dtype, x.device);
    const [ysh, ysl] = stridesOf(outLayout);
    be.ropeApply({ dtype: code(x), H, L, D, x: xc, xStrideH: xc.strides[hAxis], xStrideL: xc.strides[lAxis], cos: table.cos, sin: table.sin,
      inverse: false, y, yStrideH: ysh, yStrideL: ysl });
    if (xc !== x) xc.dispose();
    if (!needsGrad(x)) {
      if (ownTable) table.dispose();
      return y;
    }
    const cs = ownTable ? table.cos : save(table.cos), ss = ownTable ? table.sin : save(table.sin);
    const [oh, ol] = outLayout === "hld" ? [0, 1] : [1, 0];
    return record(y, "rope", [x], (g) => {
      const gc = g.strides[2] === 1 || D <= 1 ? g : contiguousRaw(g);
      const gx = empty(shapeOf(layout), x.dtype, x.device);
      const [gsh, gsl] = stridesOf(layout);
      backendFor(gc, cs).ropeApply({ dtype: code(x), H, L, D, x: gc, xStrideH: gc.strides[oh], xStrideL: gc.strides[ol], cos: cs, sin: ss,
        inverse: true, y: gx, yStrideH: gsh, yStrideL: gsl });
      if (gc !== g) gc.dispose();
      return [gx];
    }, [cs, ss]);
  });
}
