// The table behind Tensor's methods (x.add(y), x.sum(), x.backward(), ...): each entry is the op of
// the same name in its op file. Tensor (lib/tensor, below the ops) declares the methods and
// delegates to this table; lib/ops/index.ts installs it. No prototype is patched.
import { backward } from "../autograd/engine.js";
import { Tensor, type TensorOps } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import * as S from "./shape.js";
import * as R from "./reduce.js";
import * as C from "./composite.js";
import * as M from "./matmul.js";
import * as N from "./nn.js";
import * as I from "./indexing.js";
import * as D from "./device.js";
import { code, backendFor } from "./core.js";

export const tensorOps: TensorOps = {
  backward,
  add: E.add, sub: E.sub, mul: E.mul, div: E.div, pow: E.pow,
  neg: E.neg, exp: E.exp, log: E.log, sqrt: E.sqrt, rsqrt: E.rsqrt,
  abs: E.abs, relu: E.relu, sigmoid: E.sigmoid, tanh: E.tanh, square: E.square,
  clamp: E.clamp,
  eq: E.eq, ne: E.ne, lt: E.lt, le: E.le, gt: E.gt, ge: E.ge,
  cast: E.cast,
  to: D.to,
  clone: E.clone,
  sum: R.sum, mean: R.mean, max: R.max, min: R.min, amax: R.amax, amin: R.amin, argmax: R.argmax,
  logsumexp: C.logsumexp, variance: C.variance,
  matmul: M.matmul,
  softmax: N.softmax, logSoftmax: N.logSoftmax,
  reshape: S.reshape, flatten: S.flatten, permute: S.permute, transpose: S.transpose, unsqueeze: S.unsqueeze,
  squeeze: S.squeeze, expand: S.expand, slice: S.slice, split: S.split, contiguous: S.contiguous,
  gather: I.gather, indexSelect: I.indexSelect,
  fill(t: Tensor, v: number) {
    if (!t.isContiguous) throw new Error("recforge: internal: _fill on a non-contiguous tensor");
    backendFor(t).fill({ dtype: code(t), n: t.size, dst: t, value: v });
  },
  addNoGrad: E.addRaw,
  cloneNoGrad(t: Tensor) {
    const out = Tensor.empty(t.shape, t.dtype, t.device);
    backendFor(t).stridedCopy({ dtype: code(t), shape: t.shape, src: t, srcStrides: t.strides, dst: out, dstStrides: out.strides });
    return out;
  },
};
