// balanceGradients: the MultiBalance step on per-task gradients at the shared
// representation, one fused native call (native/include/recforge/balance_gradients.h).
//
//   n_i = ||g_i||_F                                   (float64 value; float32 gradients: summed in
//                                                      float lanes, ~1e-7 relative, see the header's Precision)
//   m_i = n_i on a task's first step, else beta*m_i + (1-beta)*n_i
//   w_i = relax*(m_ref/m_i) + (1-relax)               m_ref = m[target] | mean(m) | max(m)
//         then strategy: "both" as is, "shrink" min(w_i, 1), "enlarge" max(w_i, 1)
//   out = Σ_i w_i g_i
//
// The moving averages live in a BalanceState (float64 [T] + int32 [T] flags, native
// memory the kernel updates in place); it serialises to plain JSON numbers, which round-
// trip doubles exactly, so a checkpoint restores it bit for bit.
//
// Edge rules (the kernel's): a task whose m_i is 0 gets w_i = 1; T = 1 gives out == g_0
// exactly; a NaN/Inf anywhere throws a RangeError naming the task and changes NOTHING
// (state, out). Gradients of different shapes (e.g. tasks seen with different batch
// sizes) are rejected here with both shapes in the message.
import { Tensor } from "../tensor/tensor.js";
import { contiguousStrides, sameShape, shapeStr } from "../tensor/shape.js";
import { backend, native } from "../native.js";
import type { Device } from "../tensor/dtype.js";
import { assertFloat, assertTensor, backendFor, code, contiguousRaw, empty } from "./core.js";
import { toDeviceRaw } from "./device.js";

export type BalanceReference = "target" | "mean" | "max";
export type BalanceStrategy = "both" | "shrink" | "enlarge";

export interface BalanceGradientsOptions {
  /** Moving-average factor in [0, 1) (default 0.9). */
  beta?: number;
  /** r in [0, 1] (default 0.7): 0 switches balancing off, 1 matches magnitudes fully. */
  relax?: number;
  /** Reference magnitude (default "target"). */
  reference?: BalanceReference;
  /** Task index used by reference "target" (default 0). */
  target?: number;
  /** "both" (default): rescale always; "shrink": only w <= 1; "enlarge": only w >= 1. */
  strategy?: BalanceStrategy;
  /** Write the combined gradient here (contiguous, the gradients' shape and dtype) instead of a new tensor. */
  out?: Tensor;
}

export interface BalanceResult {
  /** Σ_i w_i g_i, shaped like one task's gradient. */
  out: Tensor;
  /** w_i of this step. */
  weights: Float64Array;
  /** ||g_i|| of this step. */
  norms: Float64Array;
}

/** JSON form of a BalanceState (what checkpoints store). */
export interface BalanceStateDict {
  numTasks: number;
  /** Moving averages m_i (0 for tasks that have not had a step). */
  m: number[];
  /** 1 once task i has had its first step. */
  initialized: number[];
}

const REF_CODE: Record<BalanceReference, number> = { target: 0, mean: 1, max: 2 };
const STRATEGY_CODE: Record<BalanceStrategy, number> = { both: 0, shrink: 1, enlarge: 2 };

/**
 * The moving averages of MultiBalance for T tasks (native memory; call dispose() when done).
 * The state lives on the device of the gradients it last balanced: it starts on the cpu and
 * moves (once, a copy of 4·T numbers) when balanceGradients gets gradients on another device.
 */
export class BalanceState {
  readonly numTasks: number;
  /** @internal float64 [T] */ _m: Tensor;
  /** @internal int32 [T] */ _init: Tensor;
  /** @internal scratch outputs, float64 [T] each */ _weights: Tensor;
  /** @internal */ _norms: Tensor;

  constructor(numTasks: number) {
    if (!Number.isInteger(numTasks) || numTasks < 1)
      throw new RangeError(`recforge: BalanceState: numTasks must be an integer >= 1, got ${numTasks}`);
    this.numTasks = numTasks;
    this._m = keepTensor(Tensor.empty([numTasks], "float64"));
    this._init = keepTensor(Tensor.empty([numTasks], "int32"));
    this._weights = keepTensor(Tensor.empty([numTasks], "float64"));
    this._norms = keepTensor(Tensor.empty([numTasks], "float64"));
    this.reset();
  }

  /** Where the state lives now. */
  get device(): Device {
    return this._m.device;
  }

  /** @internal Moves the state to `device` (no-op when it is there). */
  _moveTo(device: Device): void {
    if (device === this.device) return;
    const moved = [this._m, this._init, this._weights, this._norms].map((t) => keepTensor(toDeviceRaw(t, device)));
    [this._m, this._init, this._weights, this._norms].forEach((t) => t.dispose());
    [this._m, this._init, this._weights, this._norms] = moved;
  }

  /** Forgets every moving average (the next step is every task's first). */
  reset(): void {
    this._m._fill(0);
    backendFor(this._init).fill({ dtype: code(this._init), n: this.numTasks, dst: this._init, value: 0 });
  }

  /** Current moving averages m_i (a copy). */
  get movingAverages(): Float64Array {
    return this._m.toTypedArray() as Float64Array;
  }

  /** Whether each task has had its first step. */
  get initialized(): boolean[] {
    return Array.from(this._init.toTypedArray(), (v) => v !== 0);
  }

  stateDict(): BalanceStateDict {
    return { numTasks: this.numTasks, m: Array.from(this.movingAverages), initialized: Array.from(this._init.toTypedArray()) };
  }

  /** Restores a state written by stateDict(); validates everything before changing anything. */
  loadStateDict(sd: BalanceStateDict): void {
    const where = "recforge: BalanceState.loadStateDict";
    if (sd === null || typeof sd !== "object") throw new TypeError(`${where}: expected {numTasks, m, initialized}`);
    if (sd.numTasks !== this.numTasks)
      throw new RangeError(`${where}: the state is for ${sd.numTasks} tasks, this one has ${this.numTasks}`);
    if (!Array.isArray(sd.m) || sd.m.length !== this.numTasks || !Array.isArray(sd.initialized) || sd.initialized.length !== this.numTasks)
      throw new RangeError(`${where}: m and initialized must be arrays of ${this.numTasks} numbers`);
    sd.m.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${where}: m[${i}] = ${v} must be a finite number >= 0`);
    });
    sd.initialized.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new RangeError(`${where}: initialized[${i}] = ${v} must be 0 or 1`);
    });
    const b = backend(this.device);
    b.write({ handle: this._m._h, byteOffset: 0, data: Float64Array.from(sd.m) });
    b.write({ handle: this._init._h, byteOffset: 0, data: Int32Array.from(sd.initialized) });
  }

  dispose(): void {
    for (const t of [this._m, this._init, this._weights, this._norms]) t.dispose();
  }
}

function keepTensor(t: Tensor): Tensor {
  return t.keep();
}

function checkOptions(opts: BalanceGradientsOptions, T: number): { beta: number; relax: number; ref: number; target: number; strategy: number } {
  const beta = opts.beta ?? 0.9, relax = opts.relax ?? 0.7, target = opts.target ?? 0;
  const reference = opts.reference ?? "target", strategy = opts.strategy ?? "both";
  if (typeof beta !== "number" || !(beta >= 0 && beta < 1)) throw new RangeError(`recforge: balanceGradients: beta must be in [0, 1), got ${beta}`);
  if (typeof relax !== "number" || !(relax >= 0 && relax <= 1)) throw new RangeError(`recforge: balanceGradients: relax must be in [0, 1], got ${relax}`);
  if (!(reference in REF_CODE))
    throw new RangeError(`recforge: balanceGradients: reference must be "target", "mean" or "max", got ${JSON.stringify(reference)}`);
  if (!(strategy in STRATEGY_CODE))
    throw new RangeError(`recforge: balanceGradients: strategy must be "both", "shrink" or "enlarge", got ${JSON.stringify(strategy)}`);
  if (!Number.isInteger(target) || target < 0 || target >= T)
    throw new RangeError(`recforge: balanceGradients: target must be a task index in [0, ${T}), got ${target}`);
  return { beta, relax, ref: REF_CODE[reference], target, strategy: STRATEGY_CODE[strategy] };
}

/**
 * One MultiBalance step. `grads`: T tensors of one shape (each task's gradient at the
 * representation), or one tensor [T, ...] holding them stacked. Updates `state` in place.
 */
export function balanceGradients(grads: Tensor | readonly Tensor[], state: BalanceState, opts: BalanceGradientsOptions = {}): BalanceResult {
  if (!(state instanceof BalanceState)) throw new TypeError("recforge: balanceGradients: state must be a BalanceState");
  let G: Tensor;
  let T: number;
  let shape: readonly number[];
  let ownG = false;
  if (grads instanceof Tensor) {
    assertTensor(grads, "balanceGradients", "grads");
    assertFloat(grads, "balanceGradients", "grads");
    if (grads.ndim < 1) throw new RangeError("recforge: balanceGradients: stacked grads must be [T, ...], got a 0-d tensor");
    T = grads.shape[0];
    shape = grads.shape.slice(1);
    G = contiguousRaw(grads);
    ownG = G !== grads;
  } else {
    if (!Array.isArray(grads) || grads.length === 0) throw new TypeError("recforge: balanceGradients: grads must be a non-empty array of tensors (one per task) or a stacked [T, ...] tensor");
    grads.forEach((g, i) => {
      assertTensor(g, "balanceGradients", `gradient of task ${i}`);
      assertFloat(g, "balanceGradients", `gradient of task ${i}`);
    });
    const g0 = grads[0];
    grads.forEach((g, i) => {
      if (g.dtype !== g0.dtype) throw new TypeError(`recforge: balanceGradients: task ${i} gradient is ${g.dtype}, task 0 is ${g0.dtype}`);
      if (!sameShape(g.shape, g0.shape))
        throw new RangeError(`recforge: balanceGradients: task ${i} gradient has shape ${shapeStr(g.shape)}, task 0 has ${shapeStr(g0.shape)}; every task must produce a gradient of the representation's shape (same batch, same width)`);
    });
    T = grads.length;
    shape = g0.shape;
    if (g0.device === "cpu") {
      // The CPU kernel reads the T gradients where they are (row pointers): no [T, N] stack.
      for (const g of grads) if (g.device !== "cpu") backendFor(g0, g); // the devices' TypeError
      return balanceRows(grads, T, shape, state, opts);
    }
    // Elsewhere, stack into [T, N]: the kernel's layout. One device copy of G.
    const N = g0.size;
    const b = backendFor(...grads); // every task's gradient on one device
    G = empty([T, ...shape], g0.dtype, g0.device);
    ownG = true;
    const st = contiguousStrides(shape);
    grads.forEach((g, i) => {
      if (N) b.stridedCopy({ dtype: code(g), shape: g.shape, src: g, srcStrides: g.strides, dst: { _h: G._h, offset: i * N }, dstStrides: st });
    });
  }
  try {
    if (T !== state.numTasks) throw new RangeError(`recforge: balanceGradients: got gradients of ${T} tasks, the state is for ${state.numTasks}`);
    const p = checkOptions(opts, T);
    const N = shape.reduce((a, b) => a * b, 1);
    state._moveTo(G.device);
    const out = outputFor(opts, shape, G);
    try {
      backendFor(G, out).balanceGradients({ dtype: code(G), T, N, g: G, m: state._m, init: state._init, beta: p.beta, relax: p.relax, refMode: p.ref, target: p.target, strategy: p.strategy, out, weights: state._weights, norms: state._norms });
    } catch (e) {
      if (out !== opts.out) out.dispose();
      throw e;
    }
    return { out, weights: state._weights.toTypedArray() as Float64Array, norms: state._norms.toTypedArray() as Float64Array };
  } finally {
    if (ownG) G.dispose();
  }
}

function outputFor(opts: BalanceGradientsOptions, shape: readonly number[], like: Tensor): Tensor {
  if (opts.out === undefined) return empty(shape, like.dtype, like.device);
  const out = assertTensor(opts.out, "balanceGradients", "out");
  if (!sameShape(out.shape, shape) || out.dtype !== like.dtype || !out.isContiguous || out.device !== like.device)
    throw new RangeError(`recforge: balanceGradients: out must be a contiguous ${like.dtype} tensor of shape ${shapeStr(shape)} on ${like.device}, got ${shapeStr(out.shape)} ${out.dtype} on ${out.device}`);
  return out;
}

// The CPU path of a list of gradients: balanceGradientsRows on the tensors themselves (a
// non-contiguous one is copied first). Same results as the stacked call, bit for bit: the kernel
// is the same code on row pointers.
function balanceRows(grads: readonly Tensor[], T: number, shape: readonly number[], state: BalanceState, opts: BalanceGradientsOptions): BalanceResult {
  if (T !== state.numTasks) throw new RangeError(`recforge: balanceGradients: got gradients of ${T} tasks, the state is for ${state.numTasks}`);
  const p = checkOptions(opts, T);
  const N = grads[0].size;
  const rows = grads.map(contiguousRaw);
  try {
    state._moveTo("cpu");
    const out = outputFor(opts, shape, grads[0]);
    try {
      native.balanceGradientsRows({ dtype: code(grads[0]), T, N, gs: rows, m: state._m, init: state._init, beta: p.beta, relax: p.relax, refMode: p.ref, target: p.target, strategy: p.strategy, out, weights: state._weights, norms: state._norms });
    } catch (e) {
      if (out !== opts.out) out.dispose();
      throw e;
    }
    return { out, weights: state._weights.toTypedArray() as Float64Array, norms: state._norms.toTypedArray() as Float64Array };
  } finally {
    rows.forEach((r, i) => r !== grads[i] && r.dispose());
  }
}
