// Index-driven ops: embedding lookup, gather / scatterAdd along an axis, indexSelect.
// Indices are int32 tensors; out-of-range indices are RangeErrors raised by the binding
// before any memory is touched (disposeOnThrow then frees the op's copies and outputs).
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow } from "../tensor/scope.js";
import { normAxis, shapeStr } from "../tensor/shape.js";
import { assertInt, assertSameDType, assertTensor, code, contiguousRaw, empty, backendFor } from "./core.js";
import { permute, reshape } from "./shape.js";

/** out[..., :] = weight[indices[...], :]  (weight: [num, dim]). Gradient: scatter-add into weight rows. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  return disposeOnThrow(() => embeddingBody(indices, weight));
}
function embeddingBody(indices: Tensor, weight: Tensor): Tensor {
  assertTensor(indices, "embedding", "indices");
  assertTensor(weight, "embedding", "weight");
  assertInt(indices, "embedding");
  if (weight.ndim !== 2) throw new RangeError(`recforge: embedding: weight must be 2-d [num, dim], got ${shapeStr(weight.shape)}`);
  const [rows, d] = weight.shape;
  const ic = contiguousRaw(indices);
  const wc = contiguousRaw(weight);
  const out = empty([...indices.shape, d], weight.dtype, weight.device);
  try {
    backendFor(wc, ic).gatherRows({ dtype: code(weight), n: indices.size, d, rows, table: wc, indices: ic, out });
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (wc !== weight) wc.dispose();
  }
  if (!needsGrad(weight)) {
    if (ic !== indices) ic.dispose();
    return out;
  }
  const is = ic !== indices ? ic : save(indices);
  return record(out, "embedding", [null, weight], (g) => {
    const gc = contiguousRaw(g);
    const gw = empty(weight.shape, weight.dtype, weight.device);
    backendFor(gw).fill({ dtype: code(gw), n: gw.size, dst: gw, value: 0 });
    backendFor(gw, gc, is).scatterAddRows({ dtype: code(gw), n: indices.size, d, rows, src: gc, indices: is, out: gw });
    if (gc !== g) gc.dispose();
    return [null, gw];
  }, [is]);
}

/** x[indices] along `axis` (indices 1-d): the selected slices, in order. */
export function indexSelect(x: Tensor, axis: number, indices: Tensor): Tensor {
  return disposeOnThrow(() => indexSelectBody(x, axis, indices));
}
function indexSelectBody(x: Tensor, axis: number, indices: Tensor): Tensor {
  assertTensor(x, "indexSelect");
  assertTensor(indices, "indexSelect", "indices");
  assertInt(indices, "indexSelect");
  if (indices.ndim !== 1) throw new RangeError(`recforge: indexSelect: indices must be 1-d, got ${shapeStr(indices.shape)}`);
  const a = normAxis(axis, x.ndim);
  // Move the axis first, view the rest as columns, and reuse the embedding kernel.
  const perm = [a, ...[...Array(x.ndim).keys()].filter((i) => i !== a)];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  const xp = permute(x, perm);
  const rest = xp.shape.slice(1);
  const x2 = reshape(xp, [xp.shape[0], rest.reduce((p, c) => p * c, 1)]);
  const sel = embedding(indices, x2);
  const r = reshape(sel, [indices.shape[0], ...rest]);
  const out = permute(r, inv);
  for (const t of [xp, x2, sel, r]) if (t !== out && t !== x) t.dispose();
  return out;
}

/** out[o, j, i] = x[o, indices[o, j, i], i] along `axis`; indices has x's shape except along axis. */
export function gather(x: Tensor, axis: number, indices: Tensor): Tensor {
  return disposeOnThrow(() => gatherBody(x, axis, indices));
}
function gatherBody(x: Tensor, axis: number, indices: Tensor): Tensor {
  assertTensor(x, "gather");
  assertTensor(indices, "gather", "indices");
  assertInt(indices, "gather");
  const a = normAxis(axis, x.ndim);
  if (indices.ndim !== x.ndim || indices.shape.some((d, i) => i !== a && d !== x.shape[i]))
    throw new RangeError(`recforge: gather: indices ${shapeStr(indices.shape)} must match x ${shapeStr(x.shape)} except along axis ${axis}`);
  const outer = x.shape.slice(0, a).reduce((p, c) => p * c, 1);
  const inner = x.shape.slice(a + 1).reduce((p, c) => p * c, 1);
  const k = indices.shape[a], dim = x.shape[a];
  const xc = contiguousRaw(x), ic = contiguousRaw(indices);
  const out = empty(indices.shape, x.dtype, x.device);
  try {
    backendFor(xc, ic).gatherAxis({ dtype: code(x), outer, dim, k, inner, x: xc, indices: ic, out });
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (xc !== x) xc.dispose();
  }
  if (!needsGrad(x)) {
    if (ic !== indices) ic.dispose();
    return out;
  }
  const is = ic !== indices ? ic : save(indices);
  return record(out, "gather", [x], (g) => {
    const gc = contiguousRaw(g);
    const gx = empty(x.shape, x.dtype, x.device);
    backendFor(gx).fill({ dtype: code(gx), n: gx.size, dst: gx, value: 0 });
    backendFor(gx, gc, is).scatterAddAxis({ dtype: code(gx), outer, dim, k, inner, src: gc, indices: is, out: gx });
    if (gc !== g) gc.dispose();
    return [gx];
  }, [is]);
}

/** A copy of x with src added at x[o, indices[o, j, i], i] along `axis`. Differentiable in x and src. */
export function scatterAdd(x: Tensor, axis: number, indices: Tensor, src: Tensor): Tensor {
  return disposeOnThrow(() => scatterAddBody(x, axis, indices, src));
}
function scatterAddBody(x: Tensor, axis: number, indices: Tensor, src: Tensor): Tensor {
  assertTensor(x, "scatterAdd");
  assertTensor(indices, "scatterAdd", "indices");
  assertTensor(src, "scatterAdd", "src");
  assertInt(indices, "scatterAdd");
  assertSameDType(x, src, "scatterAdd");
  const a = normAxis(axis, x.ndim);
  if (indices.ndim !== x.ndim || indices.shape.some((d, i) => i !== a && d !== x.shape[i]) || src.shape.some((d, i) => d !== indices.shape[i]) || src.ndim !== indices.ndim)
    throw new RangeError(`recforge: scatterAdd: indices ${shapeStr(indices.shape)} and src ${shapeStr(src.shape)} must match each other, and x ${shapeStr(x.shape)} except along axis ${axis}`);
  const outer = x.shape.slice(0, a).reduce((p, c) => p * c, 1);
  const inner = x.shape.slice(a + 1).reduce((p, c) => p * c, 1);
  const k = indices.shape[a], dim = x.shape[a];
  const out = empty(x.shape, x.dtype, x.device);
  backendFor(x).stridedCopy({ dtype: code(x), shape: x.shape, src: x, srcStrides: x.strides, dst: out, dstStrides: out.strides });
  const sc = contiguousRaw(src), ic = contiguousRaw(indices);
  try {
    backendFor(out, sc, ic).scatterAddAxis({ dtype: code(x), outer, dim, k, inner, src: sc, indices: ic, out });
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (sc !== src) sc.dispose();
  }
  if (!needsGrad(x, src)) {
    if (ic !== indices) ic.dispose();
    return out;
  }
  const is = ic !== indices ? ic : save(indices);
  return record(out, "scatterAdd", [x, src], (g) => {
    const gsrc = src.requiresGrad ? empty(indices.shape, x.dtype, x.device) : null;
    if (gsrc) {
      const gc = contiguousRaw(g);
      backendFor(gsrc, gc, is).gatherAxis({ dtype: code(x), outer, dim, k, inner, x: gc, indices: is, out: gsrc });
      if (gc !== g) gc.dispose();
    }
    return [g, gsrc];
  }, [is]);
}
