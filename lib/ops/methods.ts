// Attaches the ops as Tensor methods (x.add(y), x.sum(), ...). Declaration merging keeps
// them typed; the functions themselves live in their op files.
import { backward as runBackward, type BackwardOptions } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import type { Device, DType } from "../tensor/dtype.js";
import * as E from "./elementwise.js";
import * as S from "./shape.js";
import * as R from "./reduce.js";
import * as C from "./composite.js";
import * as M from "./matmul.js";
import * as N from "./nn.js";
import * as I from "./indexing.js";
import * as D from "./device.js";
import { code, backendFor } from "./core.js";

type Operand = Tensor | number;

declare module "../tensor/tensor.js" {
  interface Tensor {
    backward(grad?: Tensor, opts?: BackwardOptions): void;
    add(o: Operand): Tensor;
    sub(o: Operand): Tensor;
    mul(o: Operand): Tensor;
    div(o: Operand): Tensor;
    pow(o: Operand): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    square(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    eq(o: Operand): Tensor;
    ne(o: Operand): Tensor;
    lt(o: Operand): Tensor;
    le(o: Operand): Tensor;
    gt(o: Operand): Tensor;
    ge(o: Operand): Tensor;
    cast(dtype: DType): Tensor;
    /** This tensor on `device` ("cpu" or "cuda"): itself when already there, else a copy (gradients flow back). */
    to(device: Device): Tensor;
    clone(): Tensor;
    sum(axes?: number | number[], keepdim?: boolean): Tensor;
    mean(axes?: number | number[], keepdim?: boolean): Tensor;
    max(axis: number, keepdim?: boolean): R.ValuesIndices;
    min(axis: number, keepdim?: boolean): R.ValuesIndices;
    amax(axes?: number | number[], keepdim?: boolean): Tensor;
    amin(axes?: number | number[], keepdim?: boolean): Tensor;
    argmax(axis: number, keepdim?: boolean): Tensor;
    logsumexp(axes?: number | number[], keepdim?: boolean): Tensor;
    var(axes?: number | number[], keepdim?: boolean, correction?: number): Tensor;
    matmul(o: Tensor): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    reshape(shape: number[]): Tensor;
    view(shape: number[]): Tensor;
    flatten(start?: number, end?: number): Tensor;
    permute(dims: number[]): Tensor;
    transpose(a?: number, b?: number): Tensor;
    readonly T: Tensor;
    unsqueeze(axis: number): Tensor;
    squeeze(axis?: number): Tensor;
    expand(shape: number[]): Tensor;
    slice(axis: number, start: number, end?: number): Tensor;
    split(sizes: number | number[], axis?: number): Tensor[];
    contiguous(): Tensor;
    gather(axis: number, indices: Tensor): Tensor;
    indexSelect(axis: number, indices: Tensor): Tensor;
    /** @internal */ _fill(v: number): void;
    /** @internal */ _addNoGrad(o: Tensor): Tensor;
    /** @internal */ _cloneNoGrad(): Tensor;
  }
}

const P = Tensor.prototype as any;
P.backward = function (this: Tensor, grad?: Tensor, opts?: BackwardOptions) {
  runBackward(this, grad, opts);
};
P.add = function (o: Operand) { return E.add(this, o); };
P.sub = function (o: Operand) { return E.sub(this, o); };
P.mul = function (o: Operand) { return E.mul(this, o); };
P.div = function (o: Operand) { return E.div(this, o); };
P.pow = function (o: Operand) { return E.pow(this, o); };
for (const f of ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "relu", "sigmoid", "tanh", "square"] as const)
  P[f] = function () { return (E[f] as (x: Tensor) => Tensor)(this); };
P.clamp = function (a?: number, b?: number) { return E.clamp(this, a, b); };
for (const f of ["eq", "ne", "lt", "le", "gt", "ge"] as const) P[f] = function (o: Operand) { return E[f](this, o); };
P.cast = function (d: DType) { return E.cast(this, d); };
P.to = function (d: Device) { return D.to(this, d); };
P.clone = function () { return E.clone(this); };
P.sum = function (a?: number | number[], k?: boolean) { return R.sum(this, a, k); };
P.mean = function (a?: number | number[], k?: boolean) { return R.mean(this, a, k); };
P.max = function (a: number, k?: boolean) { return R.max(this, a, k); };
P.min = function (a: number, k?: boolean) { return R.min(this, a, k); };
P.amax = function (a?: number | number[], k?: boolean) { return R.amax(this, a, k); };
P.amin = function (a?: number | number[], k?: boolean) { return R.amin(this, a, k); };
P.argmax = function (a: number, k?: boolean) { return R.argmax(this, a, k); };
P.logsumexp = function (a?: number | number[], k?: boolean) { return C.logsumexp(this, a, k); };
P.var = function (a?: number | number[], k?: boolean, c?: number) { return C.variance(this, a, k, c); };
P.matmul = function (o: Tensor) { return M.matmul(this, o); };
P.softmax = function (a?: number) { return N.softmax(this, a); };
P.logSoftmax = function (a?: number) { return N.logSoftmax(this, a); };
P.reshape = function (s: number[]) { return S.reshape(this, s); };
P.view = function (s: number[]) {
  if (!this.isContiguous) throw new TypeError("recforge: view() needs a contiguous tensor; use reshape()");
  return S.reshape(this, s);
};
P.flatten = function (a?: number, b?: number) { return S.flatten(this, a, b); };
P.permute = function (d: number[]) { return S.permute(this, d); };
P.transpose = function (a?: number, b?: number) { return S.transpose(this, a, b); };
Object.defineProperty(P, "T", { get() { return S.transpose(this); } });
P.unsqueeze = function (a: number) { return S.unsqueeze(this, a); };
P.squeeze = function (a?: number) { return S.squeeze(this, a); };
P.expand = function (s: number[]) { return S.expand(this, s); };
P.slice = function (a: number, s: number, e?: number) { return S.slice(this, a, s, e); };
P.split = function (s: number | number[], a?: number) { return S.split(this, s, a); };
P.contiguous = function () { return S.contiguous(this); };
P.gather = function (a: number, i: Tensor) { return I.gather(this, a, i); };
P.indexSelect = function (a: number, i: Tensor) { return I.indexSelect(this, a, i); };
P._fill = function (this: Tensor, v: number) {
  if (!this.isContiguous) throw new Error("recforge: internal: _fill on a non-contiguous tensor");
  backendFor(this).fill({ dtype: code(this), n: this.size, dst: this, value: v });
};
P._addNoGrad = function (this: Tensor, o: Tensor) { return E.addRaw(this, o); };
P._cloneNoGrad = function (this: Tensor) {
  const out = Tensor.empty(this.shape, this.dtype, this.device);
  backendFor(this).stridedCopy({ dtype: code(this), shape: this.shape, src: this, srcStrides: this.strides, dst: out, dstStrides: out.strides });
  return out;
};

S._setSumTo(E.sumTo);
