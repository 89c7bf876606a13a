// Shape ops: views where the layout allows (reshape of contiguous data, transpose,
// permute, expand, squeeze, slice), copies otherwise (concat, stack, contiguous).
import { record } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow } from "../tensor/scope.js";
import { checkShape, contiguousStrides, normAxis, numel, shapeStr, type Shape } from "../tensor/shape.js";
import { assertTensor, backendFor, code, describe, empty } from "./core.js";

function view(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x._storage, shape, x.dtype, strides, offset, false);
}

export function contiguous(x: Tensor): Tensor {
  assertTensor(x, "contiguous");
  if (x.isContiguous) return x;
  const out = empty(x.shape, x.dtype, x.device);
  backendFor(x).stridedCopy({ dtype: code(x), shape: x.shape, src: x, srcStrides: x.strides, dst: out, dstStrides: out.strides });
  return record(out, "contiguous", [x], (g) => [g]);
}

/** Reshape; -1 infers one dimension. A view when x is contiguous, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, "reshape");
  if (!Array.isArray(shape)) throw new TypeError("recforge: reshape: shape must be an array");
  const s = shape.slice();
  const neg = s.indexOf(-1);
  if (s.filter((d) => d === -1).length > 1 || s.some((d) => d !== -1 && !(Number.isInteger(d) && d >= 0)))
    throw new RangeError(`recforge: reshape: bad shape ${shapeStr(shape)} for ${shapeStr(x.shape)}: sizes must be integers >= 0, with at most one -1`);
  if (neg >= 0) {
    const rest = numel(s.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest !== 0)
      throw new RangeError(`recforge: reshape: cannot reshape ${shapeStr(x.shape)} into ${shapeStr(shape)}`);
    s[neg] = x.size / rest;
  }
  checkShape(s, "reshape shape");
  if (numel(s) !== x.size)
    throw new RangeError(`recforge: reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  const src = x.isContiguous ? x : contiguous(x);
  const out = view(src, s, contiguousStrides(s), src.offset);
  if (src !== x) {
    // the copy lives on as `out`'s storage; drop our handle on it
    const r = record(out, "reshape", [src], (g) => [reshape(g, src.shape)]);
    src.dispose();
    return r;
  }
  return record(out, "reshape", [x], (g) => [reshape(g, x.shape)]);
}

export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  assertTensor(x, "flatten");
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normAxis(start, x.ndim, "start"), b = normAxis(end, x.ndim, "end");
  if (a > b) throw new RangeError(`recforge: flatten: start ${start} is after end ${end}`);
  const s = [...x.shape.slice(0, a), numel(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return reshape(x, s);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  assertTensor(x, "permute");
  if (!Array.isArray(dims) || dims.length !== x.ndim)
    throw new RangeError(`recforge: permute: dims ${JSON.stringify(dims)} must list each of the ${x.ndim} axes of ${shapeStr(x.shape)}`);
  const d = dims.map((a) => normAxis(a, x.ndim));
  if (new Set(d).size !== d.length) throw new RangeError(`recforge: permute: repeated axis in ${JSON.stringify(dims)}`);
  const out = view(x, d.map((i) => x.shape[i]), d.map((i) => x.strides[i]), x.offset);
  const inv = new Array<number>(d.length);
  d.forEach((a, i) => (inv[a] = i));
  return record(out, "permute", [x], (g) => [permute(g, inv)]);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  assertTensor(x, "transpose");
  if (x.ndim < 2) return x;
  const i = normAxis(a, x.ndim), j = normAxis(b, x.ndim);
  const d = [...Array(x.ndim).keys()];
  d[i] = j;
  d[j] = i;
  return permute(x, d);
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  assertTensor(x, "unsqueeze");
  const a = normAxis(axis, x.ndim + 1);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshapeView(x, s);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  assertTensor(x, "squeeze");
  let s: number[];
  if (axis === undefined) s = x.shape.filter((d) => d !== 1);
  else {
    const a = normAxis(axis, x.ndim);
    if (x.shape[a] !== 1) throw new RangeError(`recforge: squeeze: axis ${axis} of ${shapeStr(x.shape)} has size ${x.shape[a]}, not 1`);
    s = x.shape.filter((_, i) => i !== a);
  }
  return reshapeView(x, s);
}

// Inserting/removing size-1 dims never needs a copy, whatever the strides.
function reshapeView(x: Tensor, s: number[]): Tensor {
  const st: number[] = [];
  let k = 0;
  for (const d of s) {
    while (k < x.ndim && x.shape[k] === 1 && d !== 1) k++;
    if (d === 1 && (k >= x.ndim || x.shape[k] !== 1)) st.push(0);
    else st.push(x.strides[k++]);
  }
  const out = view(x, s, st, x.offset);
  return record(out, "reshape", [x], (g) => [reshape(g, x.shape)]);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` without copying. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, "expand");
  if (!Array.isArray(shape)) throw new TypeError(`recforge: expand: shape must be an array, got ${describe(shape)}`);
  checkShape(shape.map((d) => (d === -1 ? 1 : d)), "expand shape");
  if (shape.length < x.ndim) throw new RangeError(`recforge: expand: ${shapeStr(x.shape)} has more dims than ${shapeStr(shape)}`);
  const lead = shape.length - x.ndim;
  const s: number[] = [], st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const src = i - lead;
    const want = shape[i] === -1 ? (src >= 0 ? x.shape[src] : 1) : shape[i];
    if (src < 0) {
      s.push(want);
      st.push(0);
    } else if (x.shape[src] === want) {
      s.push(want);
      st.push(x.strides[src]);
    } else if (x.shape[src] === 1) {
      s.push(want);
      st.push(0);
    } else throw new RangeError(`recforge: expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  const out = view(x, s, st, x.offset);
  return record(out, "expand", [x], (g) => [sumToShape(g, x.shape)]);
}

let sumToShape: (g: Tensor, shape: Shape) => Tensor;
export function _setSumTo(f: (g: Tensor, shape: Shape) => Tensor): void {
  sumToShape = f;
}

/** x[start:end] along `axis` (a view). Negative bounds count from the end; bounds are clamped like Python. */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  assertTensor(x, "slice");
  const a = normAxis(axis, x.ndim);
  const n = x.shape[a];
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end)))
    throw new TypeError(`recforge: slice: bounds must be integers, got ${start}, ${end}`);
  let s = start < 0 ? start + n : start;
  let e = end === undefined ? n : end < 0 ? end + n : end;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  const shape = [...x.shape];
  shape[a] = e - s;
  const out = view(x, shape, x.strides, x.offset + s * x.strides[a]);
  return record(out, "slice", [x], (g) => {
    const be = backendFor(g, x);
    const gx = empty(x.shape, x.dtype, x.device);
    be.fill({ dtype: code(gx), n: gx.size, dst: gx, value: 0 });
    const st = contiguousStrides(x.shape);
    be.stridedCopy({ dtype: code(g), shape: g.shape, src: g, srcStrides: g.strides, dst: { _h: gx._h, offset: s * st[a] }, dstStrides: st });
    return [gx];
  });
}

export function split(x: Tensor, sizes: number | number[], axis = 0): Tensor[] {
  assertTensor(x, "split");
  const a = normAxis(axis, x.ndim);
  const n = x.shape[a];
  let parts: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new RangeError(`recforge: split: chunk size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let i = 0; i < n; i += sizes) parts.push(Math.min(sizes, n - i));
  } else {
    if (!Array.isArray(sizes) || sizes.some((p) => !Number.isInteger(p) || p < 0))
      throw new RangeError(`recforge: split: sizes ${JSON.stringify(sizes)} must be non-negative integers`);
    parts = sizes;
    const total = parts.reduce((p, c) => p + c, 0);
    if (total !== n) throw new RangeError(`recforge: split: sizes ${JSON.stringify(sizes)} sum to ${total}, axis ${axis} of ${shapeStr(x.shape)} has ${n}`);
  }
  const out: Tensor[] = [];
  let off = 0;
  for (const p of parts) {
    out.push(slice(x, a, off, off + p));
    off += p;
  }
  return out;
}

export function concat(ts: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new TypeError("recforge: concat: needs a non-empty array of tensors");
  ts.forEach((t, i) => assertTensor(t, "concat", `tensor ${i}`));
  const first = ts[0];
  const a = normAxis(axis, first.ndim);
  for (const t of ts) {
    if (t.dtype !== first.dtype) throw new TypeError(`recforge: concat: dtypes differ (${first.dtype} vs ${t.dtype})`);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i]))
      throw new RangeError(`recforge: concat: shapes ${ts.map((x) => shapeStr(x.shape)).join(", ")} differ outside axis ${axis}`);
  }
  const shape = [...first.shape];
  shape[a] = ts.reduce((p, t) => p + t.shape[a], 0);
  const be = backendFor(...ts); // one device for all, checked before the output exists
  const out = empty(shape, first.dtype, first.device);
  const st = contiguousStrides(shape);
  let off = 0;
  const offs: number[] = [];
  for (const t of ts) {
    offs.push(off);
    be.stridedCopy({ dtype: code(t), shape: t.shape, src: t, srcStrides: t.strides, dst: { _h: out._h, offset: off * st[a] }, dstStrides: st });
    off += t.shape[a];
  }
  return record(out, "concat", ts, (g) => ts.map((t, i) => contiguousCopy(slice(g, a, offs[i], offs[i] + t.shape[a]))));
}

function contiguousCopy(v: Tensor): Tensor {
  const out = empty(v.shape, v.dtype, v.device);
  backendFor(v).stridedCopy({ dtype: code(v), shape: v.shape, src: v, srcStrides: v.strides, dst: out, dstStrides: out.strides });
  v.dispose();
  return out;
}

export function stack(ts: Tensor[], axis = 0): Tensor {
  return disposeOnThrow(() => stackBody(ts, axis));
}
function stackBody(ts: Tensor[], axis: number): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new TypeError("recforge: stack: needs a non-empty array of tensors");
  ts.forEach((t, i) => assertTensor(t, "stack", `tensor ${i}`));
  const a = normAxis(axis, ts[0].ndim + 1);
  for (const t of ts)
    if (t.ndim !== ts[0].ndim || t.shape.some((d, i) => d !== ts[0].shape[i]))
      throw new RangeError(`recforge: stack: all shapes must match, got ${ts.map((x) => shapeStr(x.shape)).join(", ")}`);
  const us = ts.map((t) => unsqueeze(t, a));
  const out = concat(us, a);
  us.forEach((u) => u.dispose());
  return out;
}
