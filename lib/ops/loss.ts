// Losses with fused native kernels (BCE on logits, cross-entropy) plus MSE by composition.
// reduction: "mean" (default), "sum" or "none".
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow } from "../tensor/scope.js";
import { sameShape, shapeStr } from "../tensor/shape.js";
import { assertFloat, assertInt, assertSameDType, assertTensor, backendFor, code, contiguousRaw, empty, options } from "./core.js";
import { U, addRaw, mul, mulRaw, square, sub, unaryRaw } from "./elementwise.js";
import { mean, sum } from "./reduce.js";

export type Reduction = "mean" | "sum" | "none";

function checkReduction(reduction: unknown, op: string): Reduction {
  if (reduction === undefined) return "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none")
    throw new TypeError(`recforge: ${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  return reduction;
}

function reduce(t: Tensor, reduction: Reduction, op: string): Tensor {
  if (checkReduction(reduction, op) === "none") return t;
  const r = reduction === "mean" ? mean(t) : sum(t);
  t.dispose();
  return r;
}

export interface BceOptions {
  reduction?: Reduction;
  /** Weight of the positive term (class imbalance), 1 by default. */
  posWeight?: number;
}

/** Binary cross-entropy on logits, stable for large |logit|. target in [0, 1], same shape as logits. */
export function bceWithLogits(logits: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  opts = options(opts, "bceWithLogits");
  checkReduction(opts.reduction, "bceWithLogits"); // before anything is allocated
  assertTensor(logits, "bceWithLogits", "logits");
  assertTensor(target, "bceWithLogits", "target");
  assertFloat(logits, "bceWithLogits", "logits");
  assertSameDType(logits, target, "bceWithLogits");
  if (!sameShape(logits.shape, target.shape))
    throw new RangeError(`recforge: bceWithLogits: logits ${shapeStr(logits.shape)} and target ${shapeStr(target.shape)} must have the same shape`);
  const pw = opts.posWeight ?? 1;
  if (typeof pw !== "number" || !(pw > 0)) throw new RangeError(`recforge: bceWithLogits: posWeight must be > 0, got ${pw}`);
  const be = backendFor(logits, target); // one device, checked before anything is allocated
  const xc = contiguousRaw(logits), yc = contiguousRaw(target);
  const loss = empty(logits.shape, logits.dtype, logits.device);
  be.bceLogits({ dtype: code(logits), n: logits.size, posWeight: pw, logits: xc, target: yc, loss });
  let out = loss;
  if (needsGrad(logits, target)) {
    const xs = xc !== logits ? xc : save(logits), ys = yc !== target ? yc : save(target);
    out = record(loss, "bceWithLogits", [logits, target], (g) => {
      let gx: Tensor | null = null;
      if (logits.requiresGrad) {
        const gc = contiguousRaw(g);
        gx = empty(logits.shape, logits.dtype, logits.device);
        backendFor(xs, ys, gc).bceLogitsBackward({ dtype: code(logits), n: logits.size, posWeight: pw, logits: xs, target: ys, grad: gc, gradInput: gx });
        if (gc !== g) gc.dispose();
      }
      return [gx, target.requiresGrad ? bceTargetGrad(g, xs, pw) : null];
    }, [xs, ys]);
  } else {
    if (xc !== logits) xc.dispose();
    if (yc !== target) yc.dispose();
  }
  return reduce(out, opts.reduction ?? "mean", "bceWithLogits");
}

// d loss / d target = -x + (posWeight - 1) * softplus(-x), with the stable
// softplus(-x) = relu(-x) + log(1 + exp(-|x|)). Soft targets that require grad
// (distillation from a trained teacher) used to get no gradient at all.
function bceTargetGrad(g: Tensor, x: Tensor, pw: number): Tensor {
  const tmp: Tensor[] = [];
  const t = (v: Tensor) => (tmp.push(v), v);
  const nx = t(unaryRaw(U.Neg, x));
  const e = t(unaryRaw(U.Exp, t(unaryRaw(U.Neg, t(unaryRaw(U.Abs, x))))));
  const sp = t(addRaw(t(unaryRaw(U.Relu, nx)), t(unaryRaw(U.Log, t(unaryRaw(U.AddScalar, e, 1))))));
  const d = t(addRaw(nx, t(unaryRaw(U.MulScalar, sp, pw - 1))));
  const out = mulRaw(g, d);
  tmp.forEach((v) => v.dispose());
  return out;
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Rows whose target equals this are skipped (loss 0, no gradient, not counted in the mean). */
  ignoreIndex?: number;
}

/** Cross-entropy of logits [N, C] against int32 class indices [N]. */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  return disposeOnThrow(() => crossEntropyBody(logits, target, opts));
}
function crossEntropyBody(logits: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  opts = options(opts, "crossEntropy");
  checkReduction(opts.reduction, "crossEntropy");
  assertTensor(logits, "crossEntropy", "logits");
  assertTensor(target, "crossEntropy", "target");
  assertFloat(logits, "crossEntropy", "logits");
  assertInt(target, "crossEntropy", "target");
  if (logits.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== logits.shape[0])
    throw new RangeError(`recforge: crossEntropy: logits must be [N, C] and target [N], got ${shapeStr(logits.shape)} and ${shapeStr(target.shape)}`);
  const ignore = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignore)) throw new TypeError(`recforge: crossEntropy: ignoreIndex must be an integer, got ${ignore}`);
  const [n, c] = logits.shape;
  const be = backendFor(logits, target);
  const xc = contiguousRaw(logits), tc = contiguousRaw(target);
  const loss = empty([n], logits.dtype, logits.device);
  const lse = empty([n], logits.dtype, logits.device);
  try {
    be.crossEntropy({ dtype: code(logits), n, classes: c, ignoreIndex: ignore, logits: xc, target: tc, loss, lse });
  } catch (e) {
    loss.dispose();
    lse.dispose();
    throw e;
  }
  let out = loss;
  if (needsGrad(logits)) {
    const xs = xc !== logits ? xc : save(logits), ts = tc !== target ? tc : save(target);
    out = record(loss, "crossEntropy", [logits, null], (g) => {
      const gc = contiguousRaw(g);
      const gx = empty(logits.shape, logits.dtype, logits.device);
      backendFor(xs, ts, gc).crossEntropyBackward({ dtype: code(logits), n, classes: c, ignoreIndex: ignore, logits: xs, target: ts, lse, grad: gc, gradInput: gx });
      if (gc !== g) gc.dispose();
      return [gx, null];
    }, [xs, ts, lse]);
  } else {
    if (xc !== logits) xc.dispose();
    lse.dispose();
  }
  const reduction = opts.reduction ?? "mean";
  if (reduction !== "mean") {
    if (tc !== target && !needsGrad(logits)) tc.dispose();
    return reduce(out, reduction, "crossEntropy");
  }
  // mean over the rows that are not ignored
  const t = target.toTypedArray();
  let count = 0;
  for (let i = 0; i < t.length; i++) if (t[i] !== ignore) count++;
  if (tc !== target && !needsGrad(logits)) tc.dispose();
  const s = sum(out);
  out.dispose();
  const r = mul(s, count ? 1 / count : NaN);
  s.dispose();
  return r;
}

/** Mean squared error. */
export function mse(pred: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  opts = options(opts, "mse");
  checkReduction(opts.reduction, "mse");
  assertTensor(pred, "mse", "pred");
  assertTensor(target, "mse", "target");
  assertFloat(pred, "mse", "pred");
  assertSameDType(pred, target, "mse");
  if (!sameShape(pred.shape, target.shape))
    throw new RangeError(`recforge: mse: pred ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} must have the same shape`);
  const d = sub(pred, target);
  const d2 = square(d);
  d.dispose();
  return reduce(d2, opts.reduction ?? "mean", "mse");
}
