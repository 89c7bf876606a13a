// Optimizer base: parameter groups with their own hyperparameters, per-parameter state,
// step() / zeroGrad(), and a state dict that checkpoints can store and restore.
//
// The update itself is one fused native kernel call per parameter tensor (see sgd.ts and
// adam.ts). Parameters must be contiguous float leaf tensors; a non-contiguous gradient is
// copied to a contiguous temporary for the call.
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { isFloat } from "../tensor/dtype.js";
import { sameShape, shapeStr } from "../tensor/shape.js";
import { contiguousRaw } from "../ops/internal.js";

/** Hyperparameters of one group: numbers and flags, always including lr. */
export type Hyper = { lr: number } & Record<string, number | boolean>;
/** A parameter group: its tensors plus its hyperparameters (mutable: schedules set lr). */
export type ParamGroup<H extends Hyper = Hyper> = H & { params: Tensor[] };
/** What a constructor accepts for a group: tensors plus overrides of the defaults. */
export type ParamGroupSpec<H extends Hyper = Hyper> = Partial<H> & { params: Iterable<Tensor> };
export type ParamsArg<H extends Hyper = Hyper> = Iterable<Tensor> | ParamGroupSpec<H>[];

/** Per-parameter state: tensors (moments, buffers) and numbers (step counts). */
export type OptimizerState = Record<string, Tensor | number>;

export interface OptimizerStateDict {
  /** "SGD", "Adam", "AdamW": a state dict only loads into the same kind. */
  type: string;
  /** Hyperparameters per group; params are indices into the flat parameter order (group by group). */
  paramGroups: SavedGroup[];
  /** State per flat parameter index (absent: no state yet). */
  state: Record<string, OptimizerState>;
}

/** One group in a state dict: hyperparameters plus the flat indices of its parameters. */
export type SavedGroup = Record<string, number | boolean | number[]> & { params: number[] };

export type StateSchema = Record<string, "tensor" | "number">;

export abstract class Optimizer<H extends Hyper = Hyper> {
  readonly defaults: Readonly<H>;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** State per parameter tensor (created lazily on its first update). */
  readonly state = new Map<Tensor, OptimizerState>();
  private _disposed = false;

  /** Name stored in state dicts. */
  abstract get kind(): string;
  /** State keys and their kinds; tensor entries have the parameter's shape and dtype. */
  protected abstract stateSchema(): StateSchema;
  /** Keys that must all be present in a non-empty state entry. */
  protected abstract requiredState(): string[];
  /** Throws a RangeError naming the bad hyperparameter. */
  protected abstract validateGroup(g: Record<string, unknown>, where: string): void;
  /** Updates p in place from its (contiguous) gradient g. */
  protected abstract update(p: Tensor, g: Tensor, group: ParamGroup<H>, state: OptimizerState): void;

  constructor(params: ParamsArg<H>, defaults: H) {
    this.defaults = Object.freeze({ ...defaults });
    const specs = toSpecs(params);
    if (specs.length === 0) throw new TypeError(`recforge: ${this.constructor.name}: got an empty parameter list`);
    for (const s of specs) this.addParamGroup(s);
  }

  /** Adds a group (tensors not already optimised), filling unspecified hyperparameters from the defaults. */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    const name = this.constructor.name;
    if (spec === null || typeof spec !== "object" || !spec.params) throw new TypeError(`recforge: ${name}: a parameter group needs a params list`);
    const params = [...spec.params];
    const where = `${name} group ${this.paramGroups.length}`;
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`recforge: ${where}: parameter ${i} is not a Tensor`);
      p._check(`${where}: parameter ${i}`);
      if (!isFloat(p.dtype)) throw new TypeError(`recforge: ${where}: parameter ${i} ${shapeStr(p.shape)} must be float32 or float64, got ${p.dtype}`);
      if (!p.isContiguous) throw new TypeError(`recforge: ${where}: parameter ${i} ${shapeStr(p.shape)} must be contiguous (the fused update walks memory linearly)`);
      if (p.gradFn) throw new TypeError(`recforge: ${where}: parameter ${i} ${shapeStr(p.shape)} is not a leaf tensor`);
      if (seen.has(p)) throw new TypeError(`recforge: ${where}: parameter ${i} ${shapeStr(p.shape)} appears more than once`);
      seen.add(p);
    });
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(spec)) {
      if (k === "params") continue;
      if (!(k in this.defaults)) throw new TypeError(`recforge: ${where}: unknown option ${JSON.stringify(k)}`);
      group[k] = v;
    }
    this.validateGroup(group, where);
    group.params = params;
    this.paramGroups.push(group as ParamGroup<H>);
  }

  /** Every optimised tensor in flat order (group by group). */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Applies one update to every parameter that has a gradient (others are skipped). */
  step(): void {
    if (this._disposed) throw new TypeError(`recforge: ${this.constructor.name}: the optimizer was disposed`);
    this.paramGroups.forEach((group, gi) => {
      this.validateGroup(group, `${this.constructor.name} group ${gi}`); // lr may have been edited
      for (const p of group.params) {
        const grad = p.grad;
        if (!grad) continue;
        p._check("optimised parameter");
        grad._check("gradient");
        if (grad.dtype !== p.dtype || !sameShape(grad.shape, p.shape))
          throw new TypeError(`recforge: ${this.constructor.name}: gradient ${shapeStr(grad.shape)} ${grad.dtype} does not match parameter ${shapeStr(p.shape)} ${p.dtype}`);
        let st = this.state.get(p);
        if (!st) this.state.set(p, (st = {}));
        const g = contiguousRaw(grad);
        try {
          this.update(p, g, group, st);
        } finally {
          if (g !== grad) g.dispose();
        }
      }
    });
  }

  /** Clears (disposes) the gradients of every optimised parameter. */
  zeroGrad(): void {
    for (const p of this.params()) p.zeroGrad();
  }

  /** Creates a zero-filled state tensor shaped like p that survives tidy() scopes. */
  protected stateTensor(p: Tensor, fill: number | null = 0): Tensor {
    const t = keep(Tensor.empty(p.shape, p.dtype, p.device));
    if (fill !== null && t.size > 0) t._fill(fill);
    return t;
  }

  /**
   * Hyperparameters and state. Tensors are the LIVE state tensors (not copies): save
   * them, do not dispose them.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    this.params().forEach((p, i) => index.set(p, i));
    const paramGroups = this.paramGroups.map((g) => {
      const out: SavedGroup = { params: g.params.map((p) => index.get(p)!) };
      for (const [k, v] of Object.entries(g)) if (k !== "params") out[k] = v as number | boolean;
      return out;
    });
    const state: Record<string, OptimizerState> = {};
    for (const [p, st] of this.state) if (index.has(p) && Object.keys(st).length) state[String(index.get(p))] = { ...st };
    return { type: this.kind, paramGroups, state };
  }

  /**
   * Checks that `sd` fits this optimizer (same kind, same group sizes, state tensors shaped
   * like their parameters, valid hyperparameters) without changing anything; throws an
   * Error that names the offending entry.
   */
  checkStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (sd === null || typeof sd !== "object") throw new TypeError(`recforge: ${name}.loadStateDict: expected a state dict object`);
    if (sd.type !== this.kind) throw new TypeError(`recforge: ${name}.loadStateDict: the state dict is for ${JSON.stringify(sd.type)}, this optimizer is ${this.kind}`);
    if (!Array.isArray(sd.paramGroups) || sd.paramGroups.length !== this.paramGroups.length)
      throw new RangeError(`recforge: ${name}.loadStateDict: the state dict has ${Array.isArray(sd.paramGroups) ? sd.paramGroups.length : "no"} parameter groups, this optimizer has ${this.paramGroups.length}`);
    const flat = this.params();
    let next = 0;
    sd.paramGroups.forEach((g, gi) => {
      const where = `${name}.loadStateDict: group ${gi}`;
      if (g === null || typeof g !== "object" || !Array.isArray(g.params)) throw new TypeError(`recforge: ${where}: missing its params list`);
      const own = this.paramGroups[gi];
      if (g.params.length !== own.params.length)
        throw new RangeError(`recforge: ${where}: has ${g.params.length} parameters, this optimizer's group has ${own.params.length}`);
      g.params.forEach((ix, j) => {
        if (ix !== next + j) throw new RangeError(`recforge: ${where}: parameter index ${ix} at position ${j} (expected ${next + j})`);
      });
      next += g.params.length;
      const merged: Record<string, unknown> = { ...own };
      for (const [k, v] of Object.entries(g)) {
        if (k === "params") continue;
        if (!(k in this.defaults)) throw new TypeError(`recforge: ${where}: unknown hyperparameter ${JSON.stringify(k)}`);
        if (typeof v !== typeof (this.defaults as Record<string, unknown>)[k])
          throw new TypeError(`recforge: ${where}: hyperparameter ${JSON.stringify(k)} must be a ${typeof (this.defaults as Record<string, unknown>)[k]}, got ${JSON.stringify(v)}`);
        merged[k] = v;
      }
      this.validateGroup(merged, where);
    });
    const schema = this.stateSchema();
    const required = this.requiredState();
    if (sd.state === null || typeof sd.state !== "object") throw new TypeError(`recforge: ${name}.loadStateDict: missing the state object`);
    for (const [key, entry] of Object.entries(sd.state)) {
      const ix = Number(key);
      if (!Number.isInteger(ix) || ix < 0 || ix >= flat.length || String(ix) !== key)
        throw new RangeError(`recforge: ${name}.loadStateDict: state for parameter index ${JSON.stringify(key)}, but there are ${flat.length} parameters`);
      const p = flat[ix];
      const where = `${name}.loadStateDict: state of parameter ${ix} ${shapeStr(p.shape)}`;
      if (entry === null || typeof entry !== "object") throw new TypeError(`recforge: ${where}: expected an object`);
      const keys = Object.keys(entry);
      if (keys.length) for (const r of required) if (!keys.includes(r)) throw new TypeError(`recforge: ${where}: missing ${JSON.stringify(r)}`);
      for (const [k, v] of Object.entries(entry)) {
        const kind = schema[k];
        if (!kind) throw new TypeError(`recforge: ${where}: unknown state ${JSON.stringify(k)}`);
        if (kind === "number") {
          if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`recforge: ${where}: ${JSON.stringify(k)} must be a finite number, got ${String(v)}`);
          if (k === "step" && (!Number.isInteger(v) || v < 0)) throw new RangeError(`recforge: ${where}: step must be a non-negative integer, got ${v}`);
        } else {
          if (!(v instanceof Tensor) || v.isDisposed) throw new TypeError(`recforge: ${where}: ${JSON.stringify(k)} must be a live Tensor`);
          if (!sameShape(v.shape, p.shape) || v.dtype !== p.dtype)
            throw new RangeError(`recforge: ${where}: ${JSON.stringify(k)} is ${shapeStr(v.shape)} ${v.dtype}, expected ${shapeStr(p.shape)} ${p.dtype}`);
        }
      }
    }
  }

  /**
   * Restores hyperparameters and state (tensors are copied; `sd` stays the caller's).
   * Everything is checked first: on error nothing has changed.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    this.checkStateDict(sd);
    const flat = this.params();
    sd.paramGroups.forEach((g, gi) => {
      const own = this.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of Object.entries(g)) if (k !== "params") own[k] = v;
    });
    this.disposeState();
    for (const [key, entry] of Object.entries(sd.state)) {
      const st: OptimizerState = {};
      for (const [k, v] of Object.entries(entry)) st[k] = v instanceof Tensor ? keep(v._cloneNoGrad()) : v;
      this.state.set(flat[Number(key)], st);
    }
  }

  private disposeState(): void {
    for (const st of this.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Frees the state tensors (not the parameters). */
  dispose(): void {
    this.disposeState();
    this._disposed = true;
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function toSpecs<H extends Hyper>(params: ParamsArg<H>): ParamGroupSpec<H>[] {
  if (params === null || typeof params !== "object" || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function")
    throw new TypeError("recforge: optimizer: params must be an iterable of Tensors or of parameter groups");
  const list = [...(params as Iterable<unknown>)];
  if (list.length && !(list[0] instanceof Tensor) && typeof list[0] === "object" && list[0] !== null && "params" in (list[0] as object))
    return list as ParamGroupSpec<H>[];
  return list.length ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>] : [];
}

// ---- shared hyperparameter checks -------------------------------------------------------
export function checkNonNeg(g: Record<string, unknown>, key: string, where: string): number {
  const v = g[key];
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`recforge: ${where}: ${key} must be a finite number >= 0, got ${String(v)}`);
  return v;
}
export function checkBool(g: Record<string, unknown>, key: string, where: string): boolean {
  const v = g[key];
  if (typeof v !== "boolean") throw new TypeError(`recforge: ${where}: ${key} must be a boolean, got ${String(v)}`);
  return v;
}
