// Ordering ops (no gradient): topk and sort along the last axis (other axes by transpose).
import { Tensor } from "../tensor/tensor.js";
import { normAxis, shapeStr } from "../tensor/shape.js";
import { assertTensor, backendFor, code, contiguousRaw, describe, empty, options } from "./core.js";
import { transpose } from "./shape.js";

// Checked before any output is allocated (the binding would throw after).
function flag(v: unknown, dflt: boolean, op: string, what: string): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TypeError(`recforge: ${op}: ${what} must be a boolean, got ${describe(v)}`);
  return v;
}

function lastAxis(x: Tensor, axis: number, fn: (xl: Tensor) => [Tensor, Tensor]): [Tensor, Tensor] {
  const a = normAxis(axis, x.ndim);
  if (a === x.ndim - 1) return fn(x);
  const t = transpose(x, a, -1);
  const [v, i] = fn(t);
  t.dispose();
  const vt = transpose(v, a, -1), it = transpose(i, a, -1);
  v.dispose(); // the transposed views keep the storage
  i.dispose();
  return [vt, it];
}

export function topk(x: Tensor, k: number, opts: { axis?: number; largest?: boolean } = {}): { values: Tensor; indices: Tensor } {
  opts = options(opts, "topk");
  assertTensor(x, "topk");
  if (x.ndim === 0) throw new RangeError("recforge: topk: needs at least a 1-d tensor");
  const axis = opts.axis ?? -1;
  const largest = flag(opts.largest, true, "topk", "largest");
  const n = x.shape[normAxis(axis, x.ndim)];
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`recforge: topk: k = ${k} must be an integer in [0, ${n}] for shape ${shapeStr(x.shape)}`);
  const [values, indices] = lastAxis(x, axis, (xl) => {
    const xc = contiguousRaw(xl);
    const rows = n === 0 ? 0 : xl.size / n;
    const shape = [...xl.shape.slice(0, -1), k];
    const v = empty(shape, x.dtype, x.device), i = empty(shape, "int32", x.device);
    backendFor(xc).topk({ dtype: code(x), rows, n, k, largest, x: xc, values: v, indices: i });
    if (xc !== xl) xc.dispose();
    return [v, i];
  });
  return { values, indices };
}

export function sort(x: Tensor, opts: { axis?: number; descending?: boolean } = {}): { values: Tensor; indices: Tensor } {
  opts = options(opts, "sort");
  assertTensor(x, "sort");
  if (x.ndim === 0) throw new RangeError("recforge: sort: needs at least a 1-d tensor");
  const axis = opts.axis ?? -1;
  const descending = flag(opts.descending, false, "sort", "descending");
  const n = x.shape[normAxis(axis, x.ndim)];
  const [values, indices] = lastAxis(x, axis, (xl) => {
    const xc = contiguousRaw(xl);
    const rows = n === 0 ? 0 : xl.size / n;
    const v = empty(xl.shape, x.dtype, x.device), i = empty(xl.shape, "int32", x.device);
    backendFor(xc).sort({ dtype: code(x), rows, n, descending, x: xc, values: v, indices: i });
    if (xc !== xl) xc.dispose();
    return [v, i];
  });
  return { values, indices };
}
