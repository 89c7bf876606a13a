// Ops defined by composition of other differentiable ops: their gradients come from the
// parts, so they need no backward rule of their own.
import { noGrad } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { normAxes } from "../tensor/shape.js";
import { assertFloat, assertTensor } from "./core.js";
import { add, exp, log, mul, square, sub, where, isfinite } from "./elementwise_more.js";
import { amax, mean, sum } from "./reduce.js";
import { reshape } from "./shape.js";

/** log Σ exp(x) over axes, computed stably (shifted by the max). */
export function logsumexp(x: Tensor, axes?: number | number[], keepdim = false): Tensor {
  assertTensor(x, "logsumexp");
  assertFloat(x, "logsumexp");
  const ax = normAxes(axes, x.ndim);
  const m = noGrad(() => {
    const raw = amax(x, ax, true);
    // rows that are all -inf would give inf - inf = NaN: shift those by 0 instead
    const fin = isfinite(raw);
    const r = where(fin, raw, 0);
    raw.dispose();
    fin.dispose();
    return r;
  });
  const shifted = sub(x, m);
  const e = exp(shifted);
  const s = sum(e, ax, true);
  const l = log(s);
  const out = add(l, m);
  [shifted, e, s, l, m].forEach((t) => t.dispose());
  if (keepdim) return out;
  const r = reshape(out, x.shape.filter((_, i) => !ax.includes(i)));
  if (r !== out) out.dispose();
  return r;
}

/** Variance over axes with Bessel's correction (correction = 1, as PyTorch) unless told otherwise. */
export function variance(x: Tensor, axes?: number | number[], keepdim = false, correction = 1): Tensor {
  assertTensor(x, "var");
  assertFloat(x, "var");
  const ax = normAxes(axes, x.ndim);
  const n = ax.reduce((p, a) => p * x.shape[a], 1);
  const mu = mean(x, ax, true);
  const d = sub(x, mu);
  const d2 = square(d);
  const s = sum(d2, ax, keepdim);
  const out = mul(s, 1 / Math.max(n - correction, 0));
  [mu, d, d2, s].forEach((t) => t.dispose());
  return out;
}
