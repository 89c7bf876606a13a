// The Tensor: a typed, strided view onto reference-counted native storage, plus the
// autograd fields (requiresGrad, grad, gradFn, hooks). Operations live in lib/ops and
// are attached as methods by lib/ops/methods.ts.
import { backend } from "../native.js";
import { DTYPE_BYTES, DTYPE_CODE, type Device, type DType, type TypedArray, isFloat, typedArrayFor } from "./dtype.js";
import { contiguousStrides, numel, shapeStr, type Shape } from "./shape.js";
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
}
