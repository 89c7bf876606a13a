// Module: the base class of every layer and model. It owns parameters (trainable leaf
// tensors), buffers (non-trainable persistent tensors) and submodules, and gives them
// stable dotted names ("layers.0.weight") for state dicts, optimisers and checkpoints.
//
// Registration is EXPLICIT: a subclass calls this.param(name, t), this.buffer(name, t)
// and this.module(name, m) in its constructor, usually as `this.weight = this.param(...)`.
// Explicit registration (rather than scanning own properties) keeps names and order
// deterministic, never picks up temporaries or caches stored on `this`, and lets a module
// hold references to tensors it does not own.
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { isFloat } from "../tensor/dtype.js";
import { sameShape, shapeStr } from "../tensor/shape.js";
import { copyInto } from "../tensor/copy.js";
import type { Device } from "../tensor/dtype.js";
import { toDeviceRaw } from "../ops/internal.js";

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shapes and dtypes are always checked. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME_RE = /^[^.\s]+$/;

function listKeys(keys: string[], max = 8): string {
  const shown = keys.slice(0, max).map((k) => JSON.stringify(k)).join(", ");
  return keys.length > max ? `${shown} (+${keys.length - max} more)` : shown;
}

export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (dropout active); switch with train() / eval(). */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _modules = new Map<string, Module<any, any>>();
  private _disposed = false;

  abstract forward(...args: In): Out;

  /** Runs forward(). Prefer this to calling forward directly: it checks the module is still alive. */
  call(...args: In): Out {
    if (this._disposed) throw new TypeError(`recforge: ${this.constructor.name}: the module was disposed`);
    return this.forward(...args);
  }

  private checkName(name: string, kind: string): void {
    if (typeof name !== "string" || !NAME_RE.test(name))
      throw new TypeError(`recforge: ${this.constructor.name}: ${kind} name ${JSON.stringify(name)} must be a non-empty string without dots or spaces`);
    if (this._params.has(name) || this._buffers.has(name) || this._modules.has(name))
      throw new TypeError(`recforge: ${this.constructor.name}: the name ${JSON.stringify(name)} is already registered`);
  }

  /**
   * Registers a trainable parameter: a float leaf tensor that is marked requiresGrad and
   * kept alive past every tidy() scope. Returns the tensor.
   */
  protected param(name: string, t: Tensor): Tensor {
    this.checkName(name, "parameter");
    if (!(t instanceof Tensor)) throw new TypeError(`recforge: ${this.constructor.name}: parameter ${JSON.stringify(name)} must be a Tensor`);
    t._check(`parameter ${name}`);
    if (!isFloat(t.dtype)) throw new TypeError(`recforge: ${this.constructor.name}: parameter ${JSON.stringify(name)} must be float32 or float64, got ${t.dtype}`);
    if (t.gradFn) throw new TypeError(`recforge: ${this.constructor.name}: parameter ${JSON.stringify(name)} must be a leaf tensor (use detach())`);
    if (!t.isContiguous) throw new TypeError(`recforge: ${this.constructor.name}: parameter ${JSON.stringify(name)} must be contiguous`);
    t.requiresGrad = true;
    keep(t);
    this._params.set(name, t);
    return t;
  }

  /** Registers a persistent, non-trainable tensor (saved in the state dict, freed by dispose()). */
  protected buffer(name: string, t: Tensor): Tensor {
    this.checkName(name, "buffer");
    if (!(t instanceof Tensor)) throw new TypeError(`recforge: ${this.constructor.name}: buffer ${JSON.stringify(name)} must be a Tensor`);
    t._check(`buffer ${name}`);
    keep(t);
    this._buffers.set(name, t);
    return t;
  }

  /** Registers a submodule; its parameters appear under "name.". Returns the module. */
  protected module<M extends Module<any, any>>(name: string, m: M): M {
    this.checkName(name, "submodule");
    if (!(m instanceof Module)) throw new TypeError(`recforge: ${this.constructor.name}: submodule ${JSON.stringify(name)} must be a Module`);
    if (m === (this as unknown)) throw new TypeError(`recforge: ${this.constructor.name}: a module cannot contain itself`);
    this._modules.set(name, m);
    return m;
  }

  /** Direct submodules in registration order. */
  children(): Module<any, any>[] {
    return [...this._modules.values()];
  }

  /** This module ("" prefix) and every descendant, depth first, each once. */
  namedModules(prefix = ""): [string, Module<any, any>][] {
    const out: [string, Module<any, any>][] = [];
    const seen = new Set<Module<any, any>>();
    const walk = (m: Module<any, any>, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [n, c] of m._modules) walk(c, p ? `${p}.${n}` : n);
    };
    walk(this, prefix);
    return out;
  }

  /**
   * Parameters with dotted names: modules depth first, each module's own parameters (in
   * registration order) before its submodules' (the order PyTorch uses). A tensor shared
   * by several modules is listed once, under the first name it is reached by.
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [p, m] of this.namedModules())
      for (const [n, t] of m._params) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([p ? `${p}.${n}` : n, t]);
      }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) for (const [n, t] of m._buffers) out.push([p ? `${p}.${n}` : n, t]);
    return out;
  }

  /** Total number of trainable elements. */
  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /**
   * Every parameter and buffer by dotted name (shared tensors appear under each name).
   * The values are the LIVE tensors, not copies: do not dispose them; copy or save them.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of m._params) out[p ? `${p}.${n}` : n] = t;
      for (const [n, t] of m._buffers) out[p ? `${p}.${n}` : n] = t;
    }
    return out;
  }

  /**
   * Checks that `dict` can be loaded without changing anything: every value a live Tensor
   * with the expected shape and dtype, and (strict) exactly the expected keys. Throws an
   * Error naming the offending tensor; returns the missing / unexpected keys otherwise.
   */
  checkStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    if (dict === null || typeof dict !== "object") throw new TypeError("recforge: loadStateDict: expected an object of tensors");
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !Object.prototype.hasOwnProperty.call(dict, k));
    const unexpectedKeys = Object.keys(dict).filter((k) => !Object.prototype.hasOwnProperty.call(own, k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys ${listKeys(missingKeys)}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys ${listKeys(unexpectedKeys)}`);
      throw new Error(`recforge: loadStateDict into ${this.constructor.name}: ${parts.join("; ")} (pass { strict: false } to load the matching keys only)`);
    }
    for (const [k, dst] of Object.entries(own)) {
      if (!Object.prototype.hasOwnProperty.call(dict, k)) continue;
      const src = dict[k];
      if (!(src instanceof Tensor)) throw new TypeError(`recforge: loadStateDict: ${JSON.stringify(k)} must be a Tensor, got ${src === null ? "null" : typeof src}`);
      if (src.isDisposed) throw new TypeError(`recforge: loadStateDict: ${JSON.stringify(k)} was disposed`);
      if (!sameShape(src.shape, dst.shape))
        throw new RangeError(`recforge: loadStateDict: ${JSON.stringify(k)} has shape ${shapeStr(src.shape)}, the model expects ${shapeStr(dst.shape)}`);
      if (src.dtype !== dst.dtype)
        throw new TypeError(`recforge: loadStateDict: ${JSON.stringify(k)} has dtype ${src.dtype}, the model expects ${dst.dtype}`);
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Copies the values of `dict` into this module's parameters and buffers IN PLACE (the
   * tensors keep their identity, so optimisers holding them stay valid). Everything is
   * checked first (see checkStateDict): on error nothing has been changed.
   */
  loadStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const res = this.checkStateDict(dict, opts);
    const own = this.stateDict();
    for (const [k, dst] of Object.entries(own)) if (Object.prototype.hasOwnProperty.call(dict, k) && dict[k] !== dst) copyInto(dst, dict[k]);
    return res;
  }

  /**
   * Moves every parameter and buffer (and any gradient they hold) to `device` ("cpu" or "cuda")
   * IN PLACE: the tensors keep their identity, so references to them (this.weight, optimisers
   * created before) stay valid, as PyTorch's module.to(). Tensors already there are untouched.
   * Inputs must then be given on the same device. Returns this.
   */
  to(device: Device): this {
    if (this._disposed) throw new TypeError(`recforge: ${this.constructor.name}: the module was disposed`);
    if (device !== "cpu" && device !== "cuda") throw new TypeError(`recforge: ${this.constructor.name}.to: unknown device ${JSON.stringify(device)}; expected "cpu" or "cuda"`);
    const seen = new Set<Tensor>();
    for (const [, m] of this.namedModules())
      for (const t of [...m._params.values(), ...m._buffers.values()]) {
        if (seen.has(t) || t.device === device) continue;
        seen.add(t);
        t._adoptStorage(toDeviceRaw(t, device));
        if (t.grad && t.grad.device !== device) {
          const g = keep(toDeviceRaw(t.grad, device));
          t.grad.dispose();
          t.grad = g;
        }
      }
    return this;
  }

  /** The device of the parameters ("cpu" for a module without any). */
  get device(): Device {
    const p = this.parameters()[0] ?? this.namedBuffers()[0]?.[1];
    return p ? p.device : "cpu";
  }

  /** Sets training mode on this module and every descendant. Returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Clears (disposes) the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Frees every parameter and buffer of this module and its descendants. Idempotent. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const t of m._params.values()) t.dispose();
      for (const t of m._buffers.values()) t.dispose();
      m._disposed = true;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
