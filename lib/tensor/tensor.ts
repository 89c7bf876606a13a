// The Tensor: a typed, strided view onto reference-counted native storage, plus the
// autograd fields (requiresGrad, grad, gradFn, hooks). Operations live in lib/ops, a layer
// above this one: the methods declared here (x.add(y), x.sum(), x.backward(), ...) delegate
// through a table of ops that lib/ops/index.ts installs once (installTensorOps).
import { backend } from "../native.js";
import { DTYPE_BYTES, DTYPE_CODE, type Device, type DType, type TypedArray, isFloat, typedArrayFor } from "./dtype.js";
import { contiguousStrides, numel, shapeStr } from "./shape.js";
import { Storage } from "./storage.js";
import { keep, trackBytesChanged, trackCreated, trackDisposed } from "./scope.js";

export type GradHook = (grad: Tensor) => Tensor | void | undefined;

/** One recorded operation: how to turn the gradient of its output into gradients of its inputs. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly (Tensor | null)[];
  backward: ((grad: Tensor) => (Tensor | null)[]) | null; // null once released
  saved: Tensor[]; // temporaries owned by the node, disposed when backward no longer needs them
}

/** Options of backward(): see lib/autograd/engine.ts. */
export interface BackwardOptions {
  /** Keep the graph (and saved tensors) so backward can run through it again. */
  retainGraph?: boolean;
}

/** The result of max / min along an axis. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

type Operand = Tensor | number;
type Axes = number | number[];

/**
 * What Tensor's methods call. The ops live above this layer, so they reach the class through
 * this table: lib/ops/index.ts (the ops layer's face, which every module above the ops imports
 * them through) installs it once when it is evaluated. Each entry takes the tensor first.
 */
export interface TensorOps {
  backward(t: Tensor, grad?: Tensor, opts?: BackwardOptions): void;
  add(t: Tensor, o: Operand): Tensor;
  sub(t: Tensor, o: Operand): Tensor;
  mul(t: Tensor, o: Operand): Tensor;
  div(t: Tensor, o: Operand): Tensor;
  pow(t: Tensor, o: Operand): Tensor;
  neg(t: Tensor): Tensor;
  exp(t: Tensor): Tensor;
  log(t: Tensor): Tensor;
  sqrt(t: Tensor): Tensor;
  rsqrt(t: Tensor): Tensor;
  abs(t: Tensor): Tensor;
  relu(t: Tensor): Tensor;
  sigmoid(t: Tensor): Tensor;
  tanh(t: Tensor): Tensor;
  square(t: Tensor): Tensor;
  clamp(t: Tensor, min?: number, max?: number): Tensor;
  eq(t: Tensor, o: Operand): Tensor;
  ne(t: Tensor, o: Operand): Tensor;
  lt(t: Tensor, o: Operand): Tensor;
  le(t: Tensor, o: Operand): Tensor;
  gt(t: Tensor, o: Operand): Tensor;
  ge(t: Tensor, o: Operand): Tensor;
  cast(t: Tensor, dtype: DType): Tensor;
  to(t: Tensor, device: Device): Tensor;
  clone(t: Tensor): Tensor;
  sum(t: Tensor, axes?: Axes, keepdim?: boolean): Tensor;
  mean(t: Tensor, axes?: Axes, keepdim?: boolean): Tensor;
  max(t: Tensor, axis: number, keepdim?: boolean): ValuesIndices;
  min(t: Tensor, axis: number, keepdim?: boolean): ValuesIndices;
  amax(t: Tensor, axes?: Axes, keepdim?: boolean): Tensor;
  amin(t: Tensor, axes?: Axes, keepdim?: boolean): Tensor;
  argmax(t: Tensor, axis: number, keepdim?: boolean): Tensor;
  logsumexp(t: Tensor, axes?: Axes, keepdim?: boolean): Tensor;
  variance(t: Tensor, axes?: Axes, keepdim?: boolean, correction?: number): Tensor;
  matmul(t: Tensor, o: Tensor): Tensor;
  softmax(t: Tensor, axis?: number): Tensor;
  logSoftmax(t: Tensor, axis?: number): Tensor;
  reshape(t: Tensor, shape: number[]): Tensor;
  flatten(t: Tensor, start?: number, end?: number): Tensor;
  permute(t: Tensor, dims: number[]): Tensor;
  transpose(t: Tensor, a?: number, b?: number): Tensor;
  unsqueeze(t: Tensor, axis: number): Tensor;
  squeeze(t: Tensor, axis?: number): Tensor;
  expand(t: Tensor, shape: number[]): Tensor;
  slice(t: Tensor, axis: number, start: number, end?: number): Tensor;
  split(t: Tensor, sizes: number | number[], axis?: number): Tensor[];
  contiguous(t: Tensor): Tensor;
  gather(t: Tensor, axis: number, indices: Tensor): Tensor;
  indexSelect(t: Tensor, axis: number, indices: Tensor): Tensor;
  /** Fills a contiguous tensor in place (no graph). */
  fill(t: Tensor, v: number): void;
  /** t + o outside the graph (gradient accumulation). */
  addNoGrad(t: Tensor, o: Tensor): Tensor;
  /** A contiguous copy outside the graph. */
  cloneNoGrad(t: Tensor): Tensor;
}

// Until the ops layer is loaded every method throws this (a tensor made by the tensor layer
// alone, with nothing above it imported); a Proxy keeps the installed path free of checks.
const opsMissing = new Proxy({} as TensorOps, {
  get(_target, name) {
    return () => {
      throw new Error(`recforge: Tensor.${String(name)}() needs the ops layer: import recforge (or lib/ops/index.js) first`);
    };
  },
});
let ops: TensorOps = opsMissing;

/** Installs the ops behind Tensor's methods; called once by lib/ops/index.ts. */
export function installTensorOps(table: TensorOps): void {
  ops = table;
}

let nextId = 1;

// Safety net only: a tensor that was garbage-collected without dispose() still gives its
// storage reference back. Deterministic code paths never rely on this.
const finalizer = new FinalizationRegistry<{ storage: Storage; bytes: number }>((held) => {
  trackDisposed(null, held.bytes);
  held.storage.release();
});

export class Tensor {
  readonly id: number;
  readonly shape: readonly number[];
  // Mutable only through _adoptStorage (a parameter moved to another device keeps its identity).
  strides: readonly number[];
  offset: number;
  readonly dtype: DType;
  /** @internal */ _storage: Storage;
  /** @internal */ _disposed = false;
  /** @internal */ _ownsBytes: number;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _hooks: GradHook[] | null = null;
  /** @internal */ _retainGrad = false;
  gradFn: GradNode | null = null;
  grad: Tensor | null = null;
  name?: string;

  /** @internal Use the creation functions (tensor, zeros, randn, ...) instead. */
  constructor(storage: Storage, shape: readonly number[], dtype: DType, strides?: readonly number[], offset = 0, ownsBytes = true) {
    this.id = nextId++;
    this._storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.strides = Object.freeze(strides ? strides.slice() : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtype;
    storage.retain();
    this._ownsBytes = ownsBytes ? storage.nbytes : 0;
    trackCreated(this, this._ownsBytes);
    finalizer.register(this, { storage, bytes: this._ownsBytes }, this);
  }

  /** A fresh, uninitialised contiguous tensor. */
  static empty(shape: readonly number[], dtype: DType = "float32", device: Device = "cpu"): Tensor {
    const n = numel(shape);
    return new Tensor(new Storage(n * DTYPE_BYTES[dtype], device), shape, dtype);
  }

  get device(): Device {
    return this._storage.device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return numel(this.shape);
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get isContiguous(): boolean {
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== acc) return false;
      acc *= this.shape[i];
    }
    return true;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && !isFloat(this.dtype)) throw new TypeError(`recforge: only float tensors can require gradients (got ${this.dtype})`);
    if (!v && this.gradFn) throw new TypeError("recforge: cannot clear requiresGrad on a non-leaf tensor; use detach()");
    this._requiresGrad = v;
  }
  /** Marks this tensor as a trainable leaf and returns it. */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** @internal Throws when the tensor was disposed. Every op calls it on its inputs. */
  _check(what = "tensor"): this {
    if (this._disposed) throw new TypeError(`recforge: ${what} (id ${this.id}, shape ${shapeStr(this.shape)}) was disposed`);
    return this;
  }
  /** @internal native (storage, offset) pair. */
  get _h(): number {
    this._check();
    return this._storage.handle!;
  }

  /**
   * @internal From now on this tensor's elements are those of `src`, a fresh contiguous tensor of
   * the same shape and dtype (typically a copy on another device), and it lives where src does;
   * its identity (and so every reference a module or an optimiser holds) is kept. src is consumed.
   * Views taken earlier keep the old storage. Used by Module.to(device).
   */
  _adoptStorage(src: Tensor): void {
    this._check();
    src._check();
    if (src.dtype !== this.dtype || src.shape.length !== this.shape.length || src.shape.some((d, i) => d !== this.shape[i]) || !src.isContiguous)
      throw new TypeError(`recforge: _adoptStorage: needs a contiguous ${this.dtype} ${shapeStr(this.shape)} tensor`);
    const old = this._storage, oldBytes = this._ownsBytes;
    finalizer.unregister(this);
    this._storage = src._storage;
    this._storage.retain();
    this.strides = src.strides;
    this.offset = src.offset;
    // The bytes src owned are this tensor's now; the old block's are no longer counted here.
    this._ownsBytes = src._ownsBytes;
    src._ownsBytes = 0;
    trackBytesChanged(-oldBytes);
    finalizer.register(this, { storage: this._storage, bytes: this._ownsBytes }, this);
    src.dispose();
    old.release();
  }

  /** Frees the tensor now. Idempotent. Views keep the shared storage alive until the last one is disposed. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    finalizer.unregister(this);
    trackDisposed(this, this._ownsBytes);
    this._storage.release();
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
    this._hooks = null;
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Keeps the tensor alive past enclosing tidy() scopes. */
  keep(): this {
    keep(this);
    return this;
  }

  /** Copies the elements (in logical row-major order) into a new typed array. */
  toTypedArray(): TypedArray {
    this._check();
    const n = this.size;
    const out = typedArrayFor(this.dtype, n);
    if (n === 0) return out;
    const b = backend(this.device);
    if (this.isContiguous) {
      b.read({ handle: this._storage.handle!, byteOffset: this.offset * DTYPE_BYTES[this.dtype], out });
    } else {
      const tmp = Tensor.empty(this.shape, this.dtype, this.device);
      b.stridedCopy({ dtype: DTYPE_CODE[this.dtype], shape: this.shape, src: { _h: this._storage.handle!, offset: this.offset }, srcStrides: this.strides, dst: { _h: tmp._storage.handle!, offset: 0 }, dstStrides: tmp.strides });
      b.read({ handle: tmp._storage.handle!, byteOffset: 0, out });
      tmp.dispose();
    }
    return out;
  }

  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): unknown {
    const flat = this.toTypedArray();
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return flat[off];
      const n = this.shape[dim];
      const step = numel(this.shape.slice(dim + 1));
      const res = new Array(n);
      for (let i = 0; i < n; i++) res[i] = build(dim + 1, off + i * step);
      return res;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`recforge: item() needs a tensor with one element, got shape ${shapeStr(this.shape)}`);
    return this.toTypedArray()[0];
  }

  toString(maxItems = 6): string {
    if (this._disposed) return `Tensor(disposed, id ${this.id})`;
    const flat = this.toTypedArray();
    const fmt = (v: number) => (this.dtype === "int32" ? String(v) : Number.isInteger(v) ? v.toFixed(1) : v.toPrecision(5));
    const build = (dim: number, off: number, indent: string): string => {
      if (this.shape.length === 0) return fmt(flat[0]);
      const n = this.shape[dim];
      const step = numel(this.shape.slice(dim + 1));
      const idx = n > maxItems ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
      if (dim === this.shape.length - 1) return "[" + idx.map((i) => (i < 0 ? "..." : fmt(flat[off + i]))).join(", ") + "]";
      return "[" + idx.map((i) => (i < 0 ? "..." : build(dim + 1, off + i * step, indent + " "))).join(",\n" + indent + " ") + "]";
    };
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this._requiresGrad ? ", requiresGrad" : "";
    return `Tensor(${build(0, 0, "")}, shape=${shapeStr(this.shape)}, dtype=${this.dtype}${grad})`;
  }

  /** Registers a function that sees (and may replace, by returning a tensor) the gradient flowing into this tensor. */
  registerHook(fn: GradHook): () => void {
    if (typeof fn !== "function") throw new TypeError("recforge: registerHook(fn) needs a function");
    if (!this._requiresGrad) throw new TypeError("recforge: cannot register a gradient hook on a tensor that does not require grad");
    (this._hooks ??= []).push(fn);
    return () => {
      const i = this._hooks?.indexOf(fn) ?? -1;
      if (i >= 0) this._hooks!.splice(i, 1);
    };
  }

  /** Keeps .grad on this non-leaf tensor after backward. */
  retainGrad(): this {
    this._retainGrad = true;
    return this;
  }

  /** A view of the same data outside the graph (no gradient flows through it). */
  detach(): Tensor {
    this._check();
    return new Tensor(this._storage, this.shape, this.dtype, this.strides, this.offset, false);
  }

  /** Clears .grad (disposing it). */
  zeroGrad(): void {
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  // ---- ops as methods (each is the function of the same name in lib/ops) ----
  /** Backpropagates from this tensor (see lib/autograd/engine.ts backward). */
  backward(grad?: Tensor, opts?: BackwardOptions): void { ops.backward(this, grad, opts); }
  add(o: Operand): Tensor { return ops.add(this, o); }
  sub(o: Operand): Tensor { return ops.sub(this, o); }
  mul(o: Operand): Tensor { return ops.mul(this, o); }
  div(o: Operand): Tensor { return ops.div(this, o); }
  pow(o: Operand): Tensor { return ops.pow(this, o); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  square(): Tensor { return ops.square(this); }
  clamp(min?: number, max?: number): Tensor { return ops.clamp(this, min, max); }
  eq(o: Operand): Tensor { return ops.eq(this, o); }
  ne(o: Operand): Tensor { return ops.ne(this, o); }
  lt(o: Operand): Tensor { return ops.lt(this, o); }
  le(o: Operand): Tensor { return ops.le(this, o); }
  gt(o: Operand): Tensor { return ops.gt(this, o); }
  ge(o: Operand): Tensor { return ops.ge(this, o); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  /** This tensor on `device` ("cpu" or "cuda"): itself when already there, else a copy (gradients flow back). */
  to(device: Device): Tensor { return ops.to(this, device); }
  clone(): Tensor { return ops.clone(this); }
  sum(axes?: Axes, keepdim?: boolean): Tensor { return ops.sum(this, axes, keepdim); }
  mean(axes?: Axes, keepdim?: boolean): Tensor { return ops.mean(this, axes, keepdim); }
  max(axis: number, keepdim?: boolean): ValuesIndices { return ops.max(this, axis, keepdim); }
  min(axis: number, keepdim?: boolean): ValuesIndices { return ops.min(this, axis, keepdim); }
  amax(axes?: Axes, keepdim?: boolean): Tensor { return ops.amax(this, axes, keepdim); }
  amin(axes?: Axes, keepdim?: boolean): Tensor { return ops.amin(this, axes, keepdim); }
  argmax(axis: number, keepdim?: boolean): Tensor { return ops.argmax(this, axis, keepdim); }
  logsumexp(axes?: Axes, keepdim?: boolean): Tensor { return ops.logsumexp(this, axes, keepdim); }
  var(axes?: Axes, keepdim?: boolean, correction?: number): Tensor { return ops.variance(this, axes, keepdim, correction); }
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); }
  softmax(axis?: number): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis?: number): Tensor { return ops.logSoftmax(this, axis); }
  reshape(shape: number[]): Tensor { return ops.reshape(this, shape); }
  view(shape: number[]): Tensor {
    if (!this.isContiguous) throw new TypeError("recforge: view() needs a contiguous tensor; use reshape()");
    return ops.reshape(this, shape);
  }
  flatten(start?: number, end?: number): Tensor { return ops.flatten(this, start, end); }
  permute(dims: number[]): Tensor { return ops.permute(this, dims); }
  transpose(a?: number, b?: number): Tensor { return ops.transpose(this, a, b); }
  get T(): Tensor { return ops.transpose(this); }
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  squeeze(axis?: number): Tensor { return ops.squeeze(this, axis); }
  expand(shape: number[]): Tensor { return ops.expand(this, shape); }
  slice(axis: number, start: number, end?: number): Tensor { return ops.slice(this, axis, start, end); }
  split(sizes: number | number[], axis?: number): Tensor[] { return ops.split(this, sizes, axis); }
  contiguous(): Tensor { return ops.contiguous(this); }
  gather(axis: number, indices: Tensor): Tensor { return ops.gather(this, axis, indices); }
  indexSelect(axis: number, indices: Tensor): Tensor { return ops.indexSelect(this, axis, indices); }
  /** @internal Fills this contiguous tensor in place (no graph). */
  _fill(v: number): void { ops.fill(this, v); }
  /** @internal this + o outside the graph (the engine accumulates gradients with it). */
  _addNoGrad(o: Tensor): Tensor { return ops.addNoGrad(this, o); }
  /** @internal A contiguous copy outside the graph. */
  _cloneNoGrad(): Tensor { return ops.cloneNoGrad(this); }
}
