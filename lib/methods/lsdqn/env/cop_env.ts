// LS-DQN's environments for JavaScript: a batch of B instances of one size n held in native tensors,
// moved by the CPU kernels of native/include/recforge/cop_env.h (binding native/napi/bind_cop.cc).
// CPU only. Moves are one int32 per instance: Max-Cut the node v, k-cut u·n + v (a swap across
// clusters), TSP i·n + j (reverse tour positions i..j, i < j); −1 is the stop action. reward[b] is the
// objective decrease (O is minimised: weight inside clusters, or tour length), unscaled.
import { Tensor } from "../../../tensor/tensor.js";
import { native } from "../../../native.js";
import { CopProblem as Code, type CopResetArgs } from "../../../native_ops.generated.js";

export type CopProblem = "maxcut" | "kcut" | "tsp";
const PROBLEM_CODE: Record<CopProblem, Code> = { maxcut: Code.MaxCut, kcut: Code.KCut, tsp: Code.Tsp };

function owned(shape: number[], dtype: "float64" | "int32", data?: Float64Array | Int32Array): Tensor {
  const t = Tensor.empty(shape, dtype).keep();
  if (data && data.length) native.write({ handle: t._h, byteOffset: 0, data });
  return t;
}

function readF64(t: Tensor): Float64Array {
  const a = new Float64Array(t.size);
  if (a.length) native.read({ handle: t._h, byteOffset: 0, out: a });
  return a;
}

function readI32(t: Tensor): Int32Array {
  const a = new Int32Array(t.size);
  if (a.length) native.read({ handle: t._h, byteOffset: 0, out: a });
  return a;
}

function checkInt(v: unknown, what: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new RangeError(`recforge: CopEnv: ${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

export interface CopEnvSpec {
  problem: CopProblem;
  /** Instances in the batch. */
  batch: number;
  /** Nodes (cities) per instance. */
  n: number;
  /** Clusters (k-cut only). */
  k?: number;
  /** Max-Cut / k-cut: weights [B·n·n]; TSP: distances [B·n·n] (symmetric, zero diagonal). */
  matrix: Float64Array;
  /** Moves per episode (default 2n, the spec's M). */
  limit?: number;
}

/** Everything an episode batch holds between steps (CopEnv.snapshot / restore). */
export interface CopEnvState {
  solution: Int32Array;
  aux: Float64Array | null;
  best: Int32Array;
  obj: Float64Array;
  bestObj: Float64Array;
  steps: Int32Array;
  done: Int32Array;
}

/** A batch of environments; dispose() frees its native tensors. */
export class CopEnv {
  readonly problem: CopProblem;
  readonly batch: number;
  readonly n: number;
  readonly k: number;
  readonly limit: number;
  /** Native state: data [B,n,n], solution [B,n], aux (gains [B,n] / cluster weights [B,n,k]), best [B,n], obj / bestObj / steps / done [B]. */
  readonly data: Tensor;
  readonly solution: Tensor;
  readonly aux: Tensor | null;
  readonly best: Tensor;
  readonly obj: Tensor;
  readonly bestObj: Tensor;
  readonly steps: Tensor;
  readonly done: Tensor;
  private readonly action: Tensor;
  private readonly reward: Tensor;
  private isReset = false;

  constructor(spec: CopEnvSpec) {
    if (!spec || !(spec.problem in PROBLEM_CODE)) throw new TypeError(`recforge: CopEnv: problem must be "maxcut", "kcut" or "tsp", got ${JSON.stringify(spec?.problem)}`);
    this.problem = spec.problem;
    const B = (this.batch = checkInt(spec.batch, "batch", 0));
    const n = (this.n = checkInt(spec.n, "n", 1));
    this.k = spec.problem === "kcut" ? checkInt(spec.k, "k", 2) : spec.problem === "maxcut" ? 2 : 0;
    if (this.problem === "kcut" && (this.k > n || n % this.k !== 0))
      throw new RangeError(`recforge: CopEnv: equal-size k-cut needs k (${this.k}) to divide n (${n})`);
    this.limit = spec.limit === undefined ? 2 * n : checkInt(spec.limit, "limit", 0);
    if (!(spec.matrix instanceof Float64Array) || spec.matrix.length !== B * n * n)
      throw new RangeError(`recforge: CopEnv: matrix must be a Float64Array of B*n*n = ${B * n * n} entries, got ${spec.matrix instanceof Float64Array ? spec.matrix.length : typeof spec.matrix}`);
    this.data = owned([B, n, n], "float64", spec.matrix);
    this.solution = owned([B, n], "int32");
    this.aux = this.problem === "tsp" ? null : owned(this.problem === "maxcut" ? [B, n] : [B, n, this.k], "float64");
    this.best = owned([B, n], "int32");
    this.obj = owned([B], "float64");
    this.bestObj = owned([B], "float64");
    this.steps = owned([B], "int32");
    this.done = owned([B], "int32");
    this.action = owned([B], "int32");
    this.reward = owned([B], "float64");
  }

  // The environment block every environment op starts with (native/ops.table.mjs: copEnv).
  private envArgs(): CopResetArgs {
    return { problem: PROBLEM_CODE[this.problem], B: this.batch, n: this.n, k: this.k, limit: this.limit, data: this.data, sol: this.solution,
      aux: this.aux, best: this.best, obj: this.obj, bestObj: this.bestObj, steps: this.steps, done: this.done };
  }

  /**
   * Starts an episode from `solution` [B·n]: spins ±1 (Max-Cut), labels in [0, k) with equal cluster
   * sizes (k-cut), or a permutation per instance (TSP).
   */
  reset(solution: Int32Array): void {
    if (!(solution instanceof Int32Array) || solution.length !== this.batch * this.n)
      throw new RangeError(`recforge: CopEnv.reset: solution must be an Int32Array of B*n = ${this.batch * this.n} entries`);
    if (this.problem === "kcut") this.checkEqualSizes(solution);
    native.write({ handle: this.solution._h, byteOffset: 0, data: solution });
    native.copReset(this.envArgs());
    this.isReset = true;
  }

  private checkEqualSizes(labels: Int32Array): void {
    const { n, k } = this;
    for (let b = 0; b < this.batch; b++) {
      const size = new Int32Array(k);
      for (let v = 0; v < n; v++) {
        const c = labels[b * n + v];
        if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`recforge: CopEnv.reset: instance ${b}: label ${c} of node ${v} is outside [0, ${k})`);
        size[c]++;
      }
      const bad = size.findIndex((s) => s !== n / k);
      if (bad >= 0) throw new RangeError(`recforge: CopEnv.reset: instance ${b}: cluster ${bad} has ${size[bad]} nodes, equal-size k-cut needs ${n / k}`);
    }
  }

  /** One move per instance (−1 = stop); returns the rewards (objective decreases). */
  step(actions: Int32Array): Float64Array {
    if (!this.isReset) throw new TypeError("recforge: CopEnv.step: call reset() first");
    if (!(actions instanceof Int32Array) || actions.length !== this.batch)
      throw new RangeError(`recforge: CopEnv.step: actions must be an Int32Array of ${this.batch} entries`);
    native.write({ handle: this.action._h, byteOffset: 0, data: actions });
    native.copStep({ ...this.envArgs(), action: this.action, reward: this.reward });
    return readF64(this.reward);
  }

  /** Every move's gain: Max-Cut [B·n] (flip v), k-cut / TSP [B·n·n] at u·n + v (−inf for moves that do not exist). */
  moveGains(): Float64Array {
    if (!this.isReset) throw new TypeError("recforge: CopEnv.moveGains: call reset() first");
    if (this.problem === "maxcut") return readF64(this.aux!);
    const out = Tensor.empty([this.batch, this.n, this.n], "float64");
    try {
      native.copMoveGains({ ...this.envArgs(), out });
      return readF64(out);
    } finally {
      out.dispose();
    }
  }

  /** The whole episode state (for checkpoints): restore() puts it back bit for bit. */
  snapshot(): CopEnvState {
    if (!this.isReset) throw new TypeError("recforge: CopEnv.snapshot: call reset() first");
    return { solution: this.readSolution(), aux: this.aux ? readF64(this.aux) : null, best: this.readBest(), obj: this.readObjective(), bestObj: this.readBestObjective(), steps: this.readSteps(), done: this.readDone() };
  }

  /** Restores a snapshot() of an environment of the same problem, batch and n (and the same matrix). */
  restore(st: CopEnvState): void {
    const B = this.batch, n = this.n;
    const want: [keyof CopEnvState, Tensor | null, number][] = [["solution", this.solution, B * n], ["aux", this.aux, this.aux?.size ?? 0], ["best", this.best, B * n], ["obj", this.obj, B], ["bestObj", this.bestObj, B], ["steps", this.steps, B], ["done", this.done, B]];
    for (const [key, t, len] of want) {
      const v = st[key];
      if (t === null) continue;
      if (!v || v.length !== len) throw new RangeError(`recforge: CopEnv.restore: ${key} must have ${len} entries, got ${v?.length}`);
      native.write({ handle: t._h, byteOffset: 0, data: v });
    }
    this.isReset = true;
  }

  readSolution(): Int32Array { return readI32(this.solution); }
  readBest(): Int32Array { return readI32(this.best); }
  readObjective(): Float64Array { return readF64(this.obj); }
  readBestObjective(): Float64Array { return readF64(this.bestObj); }
  readSteps(): Int32Array { return readI32(this.steps); }
  readDone(): Int32Array { return readI32(this.done); }

  dispose(): void {
    for (const t of [this.data, this.solution, this.aux, this.best, this.obj, this.bestObj, this.steps, this.done, this.action, this.reward]) t?.dispose();
  }
}

/** Distances of B point sets coords [B·n·2]: Euclidean, or TSPLIB EUC_2D (nint) when euc2d. */
export function tspDistances(coords: Float64Array, batch: number, n: number, euc2d: boolean): Float64Array {
  checkInt(batch, "batch", 0);
  checkInt(n, "n", 1);
  if (!(coords instanceof Float64Array) || coords.length !== batch * n * 2)
    throw new RangeError(`recforge: tspDistances: coords must be a Float64Array of B*n*2 = ${batch * n * 2} entries`);
  const c = owned([batch, n, 2], "float64", coords), d = owned([batch, n, n], "float64");
  try {
    native.copTspDistances({ B: batch, n, coords: c, euc2d, dist: d });
    return readF64(d);
  } finally {
    c.dispose();
    d.dispose();
  }
}
