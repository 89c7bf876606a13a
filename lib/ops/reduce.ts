// Reductions over any set of axes (keepdim optional). Adjacent axes are merged and each
// run of reduced axes becomes one [outer, r, inner] native call.
import { record } from "../autograd/engine.js";
import { Tensor, type ValuesIndices } from "../tensor/tensor.js";
import { normAxes, normAxis, shapeStr } from "../tensor/shape.js";
import { assertFloat, assertTensor, code, contiguousRaw, empty, backendFor } from "./core.js";
import { expand, reshape } from "./shape.js";

import { ReduceOp as R } from "../native_ops.generated.js";

type Axes = number | number[] | undefined | null;

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

// Reduces the contiguous tensor x over `axes`, returning the keepdim-shaped result.
function reduceRaw(op: R, x: Tensor, axes: number[]): Tensor {
  let cur = contiguousRaw(x);
  let shape = [...x.shape];
  // Process runs of adjacent axes from the last run backwards so earlier indices stay valid.
  const runs: [number, number][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a - 1) last[1] = a;
    else runs.push([a, a]);
  }
  if (runs.length === 0) {
    const out = empty(shape, x.dtype, x.device);
    backendFor(cur).stridedCopy({ dtype: code(x), shape, src: cur, srcStrides: cur.strides, dst: out, dstStrides: out.strides });
    if (cur !== x) cur.dispose();
    return out;
  }
  for (let k = runs.length - 1; k >= 0; k--) {
    const [s, e] = runs[k];
    const outer = shape.slice(0, s).reduce((p, c) => p * c, 1);
    const r = shape.slice(s, e + 1).reduce((p, c) => p * c, 1);
    const inner = shape.slice(e + 1).reduce((p, c) => p * c, 1);
    const next = shape.map((d, i) => (i >= s && i <= e ? 1 : d));
    const out = empty(next, x.dtype, x.device);
    backendFor(cur).reduce({ dtype: code(x), op, outer, r, inner, x: cur, out, indices: null });
    if (cur !== x) cur.dispose();
    cur = out;
    shape = next;
  }
  return cur;
}

function finish(out: Tensor, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  if (keepdim) return out;
  const s = x.shape.filter((_, i) => !axes.includes(i));
  const r = reshape(out, s);
  return r;
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  assertTensor(x, "sum");
  assertFloat(x, "sum");
  const ax = normAxes(axes, x.ndim);
  const k = record(reduceRaw(R.Sum, x, ax), "sum", [x], (g) => [expandCopy(g, x.shape)]);
  return finishOwned(k, x, ax, keepdim);
}

export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  assertTensor(x, "mean");
  assertFloat(x, "mean");
  const ax = normAxes(axes, x.ndim);
  const count = ax.reduce((p, a) => p * x.shape[a], 1);
  const k = record(reduceRaw(R.Mean, x, ax), "mean", [x], (g) => {
    const e = expandCopy(g, x.shape);
    backendFor(e).scaleInplace({ dtype: code(e), n: e.size, x: e, scale: 1 / count });
    return [e];
  });
  return finishOwned(k, x, ax, keepdim);
}

function finishOwned(k: Tensor, x: Tensor, ax: number[], keepdim: boolean): Tensor {
  const r = finish(k, x, ax, keepdim);
  if (r !== k) k.dispose(); // r is a view of k's storage
  return r;
}

// Materialises g (keepdim-shaped) broadcast to `shape`.
function expandCopy(g: Tensor, shape: readonly number[]): Tensor {
  const v = expand(g, shape);
  const out = empty(shape, g.dtype, g.device);
  backendFor(v).stridedCopy({ dtype: code(g), shape, src: v, srcStrides: v.strides, dst: out, dstStrides: out.strides });
  if (v !== g) v.dispose();
  return out;
}

export type { ValuesIndices } from "../tensor/tensor.js";

function extreme(name: string, op: R, x: Tensor, axis: number, keepdim: boolean): ValuesIndices {
  assertTensor(x, name);
  assertFloat(x, name);
  const a = normAxis(axis, x.ndim);
  if (x.shape[a] === 0) throw new RangeError(`recforge: ${name}: axis ${axis} of ${shapeStr(x.shape)} is empty`);
  const xc = contiguousRaw(x);
  const outer = x.shape.slice(0, a).reduce((p, c) => p * c, 1);
  const inner = x.shape.slice(a + 1).reduce((p, c) => p * c, 1);
  const ks = keptShape(x.shape, [a]);
  const vals = empty(ks, x.dtype, x.device);
  const idx = empty(ks, "int32", x.device);
  backendFor(xc).reduce({ dtype: code(x), op, outer, r: x.shape[a], inner, x: xc, out: vals, indices: idx });
  if (xc !== x) xc.dispose();
  const idxSaved = idx.detach(); // the node's own reference: callers may dispose `indices`
  const v = record(vals, name, [x], (g) => {
    const gx = empty(x.shape, x.dtype, x.device);
    backendFor(gx).fill({ dtype: code(gx), n: gx.size, dst: gx, value: 0 });
    const gc = contiguousRaw(g);
    backendFor(gx, gc, idxSaved).scatterAddAxis({ dtype: code(gx), outer, dim: x.shape[a], k: 1, inner, src: gc, indices: idxSaved, out: gx });
    if (gc !== g) gc.dispose();
    return [gx];
  }, [idxSaved]);
  if (keepdim) return { values: v, indices: idx };
  const s = x.shape.filter((_, i) => i !== a);
  const values = reshape(v, s);
  const indices = reshape(idx, s);
  if (values !== v) v.dispose();
  if (indices !== idx) idx.dispose();
  return { values, indices };
}

/** Max along one axis: values (differentiable, gradient to the first maximum) and int32 indices. */
export function max(x: Tensor, axis: number, keepdim = false): ValuesIndices {
  return extreme("max", R.Max, x, axis, keepdim);
}
export function min(x: Tensor, axis: number, keepdim = false): ValuesIndices {
  return extreme("min", R.Min, x, axis, keepdim);
}

/** Max over several axes (or all), values only. */
export function amax(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return amaxmin("amax", R.Max, x, axes, keepdim);
}
export function amin(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return amaxmin("amin", R.Min, x, axes, keepdim);
}
function amaxmin(name: string, op: R, x: Tensor, axes: Axes, keepdim: boolean): Tensor {
  assertTensor(x, name);
  assertFloat(x, name);
  const ax = normAxes(axes, x.ndim);
  // No axes (0-d input or axes = []): the identity, but as a new tensor. Returning x itself
  // made callers that dispose their result (logsumexp) dispose the caller's input.
  if (ax.length === 0) return sum(x, ax, keepdim);
  // checked for every axis first: one step at a time, a later empty axis would be reported
  // against an intermediate shape, after the earlier steps allocated their results
  for (const a of ax) if (x.shape[a] === 0) throw new RangeError(`recforge: ${name}: axis ${a} of ${shapeStr(x.shape)} is empty`);
  let cur = x;
  const owned: Tensor[] = [];
  // One axis at a time (from the last) keeps indices simple; each step is differentiable.
  for (let i = ax.length - 1; i >= 0; i--) {
    const { values, indices } = extreme(name, op, cur, ax[i], true);
    indices.dispose();
    if (cur !== x) owned.push(cur);
    cur = values;
  }
  owned.forEach((t) => t.dispose());
  return finishOwned(cur, x, ax, keepdim);
}

export function argmax(x: Tensor, axis: number, keepdim = false): Tensor {
  const { values, indices } = extreme("argmax", R.Max, x, axis, keepdim);
  values.dispose();
  return indices;
}
export function argmin(x: Tensor, axis: number, keepdim = false): Tensor {
  const { values, indices } = extreme("argmin", R.Min, x, axis, keepdim);
  values.dispose();
  return indices;
}
