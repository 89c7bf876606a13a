// Softmax family and normalisation layers over the last axis (other axes for softmax via
// a transpose), each one fused native kernel forward and one backward.
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { normAxis, shapeStr } from "../tensor/shape.js";
import { assertFloat, assertSameDType, assertTensor, code, contiguousRaw, empty, backendFor } from "./core.js";
import { contiguous, transpose } from "./shape.js";

function softmaxImpl(name: string, x: Tensor, axis: number, log: boolean): Tensor {
  assertTensor(x, name);
  assertFloat(x, name);
  if (x.ndim === 0) throw new RangeError(`recforge: ${name}: needs at least a 1-d tensor`);
  const a = normAxis(axis, x.ndim);
  if (a !== x.ndim - 1) {
    const t = transpose(x, a, -1);
    const y = softmaxImpl(name, t, -1, log);
    const r = transpose(y, a, -1);
    t.dispose();
    y.dispose();
    return r;
  }
  const n = x.shape[x.ndim - 1];
  const rows = n === 0 ? 0 : x.size / n;
  const xc = contiguousRaw(x);
  const y = empty(x.shape, x.dtype, x.device);
  backendFor(xc).softmax({ dtype: code(x), rows, n, log, x: xc, out: y });
  if (xc !== x) xc.dispose();
  if (!needsGrad(x)) return y;
  const ys = save(y);
  return record(y, name, [x], (g) => {
    const gc = contiguousRaw(g);
    const gx = empty(x.shape, x.dtype, x.device);
    backendFor(ys, gc).softmaxBackward({ dtype: code(x), rows, n, log, y: ys, grad: gc, gradInput: gx });
    if (gc !== g) gc.dispose();
    return [gx];
  }, [ys]);
}

export const softmax = (x: Tensor, axis = -1) => softmaxImpl("softmax", x, axis, false);
export const logSoftmax = (x: Tensor, axis = -1) => softmaxImpl("logSoftmax", x, axis, true);

function normImpl(name: string, rms: boolean, x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  assertTensor(x, name);
  assertFloat(x, name);
  if (x.ndim === 0) throw new RangeError(`recforge: ${name}: needs at least a 1-d tensor`);
  const n = x.shape[x.ndim - 1];
  for (const [p, what] of [[weight, "weight"], [bias, "bias"]] as const) {
    if (!p) continue;
    assertTensor(p, name, what);
    assertSameDType(x, p, name);
    if (p.ndim !== 1 || p.shape[0] !== n)
      throw new RangeError(`recforge: ${name}: ${what} ${shapeStr(p.shape)} must be [${n}] for input ${shapeStr(x.shape)}`);
  }
  if (typeof eps !== "number" || !(eps >= 0)) throw new RangeError(`recforge: ${name}: eps must be a number >= 0, got ${eps}`);
  const rows = n === 0 ? 0 : x.size / n;
  const be = backendFor(x, weight, bias); // one device, checked before anything is allocated
  const xc = contiguousRaw(x);
  const wc = weight ? contiguousRaw(weight) : null;
  const bc = bias ? contiguousRaw(bias) : null;
  const y = empty(x.shape, x.dtype, x.device);
  const mean = rms ? null : empty([rows], x.dtype, x.device);
  const rstd = empty([rows], x.dtype, x.device);
  be.norm({ dtype: code(x), rms, rows, n, eps, x: xc, weight: wc, bias: bc, out: y, mean, rstd });
  if (bc && bc !== bias) bc.dispose();
  if (!needsGrad(x, weight, bias)) {
    [xc !== x ? xc : null, wc !== weight ? wc : null, mean, rstd].forEach((t) => t?.dispose());
    return y;
  }
  const xs = xc !== x ? xc : save(x);
  const ws = wc ? (wc !== weight ? wc : save(wc)) : null;
  const saved = [xs, rstd, ...(ws ? [ws] : []), ...(mean ? [mean] : [])];
  return record(y, name, [x, weight, bias], (g) => {
    const gc = contiguousRaw(g);
    const gx = empty(x.shape, x.dtype, x.device);
    const gw = weight?.requiresGrad ? empty([n], x.dtype, x.device) : null;
    const gb = bias?.requiresGrad ? empty([n], x.dtype, x.device) : null;
    backendFor(xs, ws, gc).normBackward({ dtype: code(x), rms, rows, n, x: xs, weight: ws, mean, rstd, grad: gc, gradInput: gx, gradWeight: gw, gradBias: gb });
    if (gc !== g) gc.dispose();
    return [gx, gw, gb];
  }, saved);
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * weight + bias. */
export function layerNorm(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return normImpl("layerNorm", false, x, weight, bias, eps);
}
/** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) * weight. */
export function rmsNorm(x: Tensor, weight: Tensor | null = null, eps = 1e-6): Tensor {
  return normImpl("rmsNorm", true, x, weight, null, eps);
}

export { contiguous };
