// Multi-task models with an explicit cut between the shared part and the task heads:
//   bottom(batch) -> z            everything shared by the tasks (embeddings, MLP / experts)
//   heads([z_0, ..., z_{T-1}])    one output per task; head t reads only z_t
// A plain forward passes the same z to every head. A representation-level balancer passes
// per-task leaves instead (see balancers/balancer.ts), which is how one backward pass through the
// heads yields every task's gradient at z separately.
//
// Models:
//   SharedBottom: x = [emb_1(ids_1), ..., emb_F(ids_F), dense] -> MLP (ReLU) -> z; tower_t(z).
//   MMoE (Ma et al., KDD 2018): E experts (ReLU MLPs on x) and one softmax gate per task over
//     the experts; head t = tower_t(Σ_e softmax(gate_t(x))_e · expert_e(x)). The gates read x,
//     which is shared too, so z = concat([x, expert_1(x), ..., expert_E(x)]) (width in + E·de):
//     z is exactly the cut between shared and task-specific computation, and the gates' own
//     gradient into the embeddings is balanced together with the experts'.
import type { Tensor } from "../../tensor/tensor.js";
import type { Device } from "../../tensor/dtype.js";
import { Module } from "../../nn/module.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { MLP } from "../../nn/mlp.js";
import { ModuleList } from "../../nn/container.js";
import { Generator } from "../../tensor/random.js";
import { tensor, concat, reshape, slice, mul, relu, sigmoid, sum, softmax, bceWithLogits, mse } from "../../ops/index.js";
import type { MultiTaskBatch, MultiTaskSchema, TaskSpec } from "./data/multitask.js";

/** A batch as tensors: ids per field (int32 [B]), dense float32 [B, D], labels float32 [B] per task. */
export interface BatchTensors {
  size: number;
  sparse: Tensor[];
  dense: Tensor;
  labels: Tensor[];
}

/** Copies a host batch into tensors on `device` (the caller disposes them, e.g. inside tidy()). */
export function batchToTensors(b: MultiTaskBatch, denseDim: number, device: Device = "cpu"): BatchTensors {
  return {
    size: b.size,
    sparse: b.sparse.map((ids) => tensor(ids, { shape: [b.size], device })),
    dense: tensor(b.dense, { shape: [b.size, denseDim], device }),
    labels: b.labels.map((y) => tensor(y, { shape: [b.size], device })),
  };
}

export interface FeatureOptions {
  /** Embedding width per field (default 8). */
  embeddingDim?: number;
  /** Std of the normal embedding init (default 0.05). */
  embeddingStd?: number;
  generator?: Generator;
}

/** Embedding tables (one per sparse field) + dense features, concatenated: [B, F·e + D]. */
export class FeatureInput extends Module<[BatchTensors], Tensor> {
  readonly tables: ModuleList<Embedding>;
  readonly outDim: number;
  constructor(readonly schema: MultiTaskSchema, opts: FeatureOptions = {}) {
    super();
    const e = opts.embeddingDim ?? 8;
    this.tables = this.module("tables", new ModuleList(schema.fields.map((f) => new Embedding(f.vocabSize, e, { std: opts.embeddingStd ?? 0.05, generator: opts.generator }))));
    this.outDim = schema.fields.length * e + schema.denseDim;
  }
  forward(b: BatchTensors): Tensor {
    if (b.sparse.length !== this.schema.fields.length)
      throw new RangeError(`recforge: FeatureInput: batch has ${b.sparse.length} sparse fields, the model ${this.schema.fields.length}`);
    const parts = b.sparse.map((ids, f) => this.tables.at(f)!.call(ids));
    if (this.schema.denseDim > 0) parts.push(b.dense);
    const x = concat(parts, 1);
    parts.forEach((p) => p !== b.dense && p.dispose());
    return x;
  }
}

export interface MultiTaskModelOptions extends FeatureOptions {
  /** Hidden sizes of each task tower before its single output (default [32]). */
  tower?: number[];
  /** Seed of the parameter init (default 0); ignored when `generator` is given. */
  seed?: number;
}

export abstract class MultiTaskModel extends Module<[BatchTensors], Tensor[]> {
  readonly tasks: TaskSpec[];
  readonly features: FeatureInput;
  readonly towers: ModuleList<MLP>;
  /** Width of the representation z. */
  abstract readonly repDim: number;

  constructor(readonly schema: MultiTaskSchema, towerIn: number, opts: MultiTaskModelOptions, gen: Generator) {
    super();
    if (schema.tasks.length < 1) throw new RangeError("recforge: a multi-task model needs at least one task");
    this.tasks = schema.tasks.slice();
    this.features = this.module("features", new FeatureInput(schema, { ...opts, generator: gen }));
    const tower = opts.tower ?? [32];
    this.towers = this.module("towers", new ModuleList(this.tasks.map(() => new MLP([towerIn, ...tower, 1], { generator: gen }))));
  }

  /** The shared part: z [B, repDim]. */
  abstract bottom(b: BatchTensors): Tensor;
  /** Task outputs (logits for binary tasks), each [B]; head t reads zs[t] only. */
  abstract heads(zs: readonly Tensor[]): Tensor[];
  /** Parameters of head t (its tower, and its gate for MMoE). */
  abstract taskParameters(t: number): Tensor[];

  /** Parameters of the shared part (embeddings, bottom MLP / experts). */
  sharedParameters(): Tensor[] {
    const task = new Set(this.tasks.flatMap((_, t) => this.taskParameters(t)));
    return this.parameters().filter((p) => !task.has(p));
  }

  forward(b: BatchTensors): Tensor[] {
    const z = this.bottom(b);
    const out = this.heads(this.tasks.map(() => z));
    z.dispose();
    return out;
  }

  /** Per-task training losses (BCE on logits / MSE), scalars. */
  losses(outputs: readonly Tensor[], labels: readonly Tensor[]): Tensor[] {
    if (outputs.length !== this.tasks.length || labels.length !== this.tasks.length)
      throw new RangeError(`recforge: losses: ${outputs.length} outputs and ${labels.length} label sets for ${this.tasks.length} tasks`);
    return this.tasks.map((t, i) => {
      if (outputs[i].shape[0] !== labels[i].shape[0])
        throw new RangeError(`recforge: task ${JSON.stringify(t.name)}: ${outputs[i].shape[0]} predictions but ${labels[i].shape[0]} labels (tasks must see the same batch)`);
      return t.type === "binary" ? bceWithLogits(outputs[i], labels[i]) : mse(outputs[i], labels[i]);
    });
  }

  /** Predictions (probabilities for binary tasks, values for regression), no graph. */
  predict(outputs: readonly Tensor[]): Tensor[] {
    return outputs.map((o, i) => (this.tasks[i].type === "binary" ? sigmoid(o) : o));
  }

  protected tower(t: number, h: Tensor): Tensor {
    const y = this.towers.at(t)!.call(h);
    const r = reshape(y, [y.shape[0]]);
    if (r !== y) y.dispose();
    return r;
  }

  protected checkHeads(zs: readonly Tensor[]): void {
    if (zs.length !== this.tasks.length) throw new RangeError(`recforge: heads: got ${zs.length} inputs for ${this.tasks.length} tasks`);
    for (const z of zs)
      if (z.ndim !== 2 || z.shape[1] !== this.repDim) throw new RangeError(`recforge: heads: each input must be [B, ${this.repDim}], got [${z.shape.join(", ")}]`);
  }
}

function generatorFor(opts: MultiTaskModelOptions): Generator {
  return opts.generator ?? new Generator(opts.seed ?? 0);
}

export interface SharedBottomOptions extends MultiTaskModelOptions {
  /** Hidden sizes of the shared MLP; the last is the width of z (default [128, 64]). */
  bottom?: number[];
}

export class SharedBottom extends MultiTaskModel {
  readonly bottomMlp: MLP;
  readonly repDim: number;
  constructor(schema: MultiTaskSchema, opts: SharedBottomOptions = {}) {
    const gen = generatorFor(opts);
    const sizes = opts.bottom ?? [128, 64];
    if (sizes.length < 1) throw new RangeError("recforge: SharedBottom: bottom needs at least one layer size");
    super(schema, sizes[sizes.length - 1], opts, gen);
    this.repDim = sizes[sizes.length - 1];
    this.bottomMlp = this.module("bottom", new MLP([this.features.outDim, ...sizes], { activateLast: true, generator: gen }));
  }
  bottom(b: BatchTensors): Tensor {
    const x = this.features.call(b);
    const z = this.bottomMlp.call(x);
    x.dispose();
    return z;
  }
  heads(zs: readonly Tensor[]): Tensor[] {
    this.checkHeads(zs);
    return zs.map((z, t) => this.tower(t, z));
  }
  taskParameters(t: number): Tensor[] {
    return this.towers.at(t)!.parameters();
  }
}

export interface MMoEOptions extends MultiTaskModelOptions {
  /** Number of experts (default 8). */
  experts?: number;
  /** Hidden sizes inside each expert before its output (default []: one ReLU layer per expert). */
  expertHidden?: number[];
  /** Output width of each expert (default 32). */
  expertDim?: number;
}

export class MMoE extends MultiTaskModel {
  readonly numExperts: number;
  readonly expertDim: number;
  readonly inDim: number;
  readonly repDim: number;
  /** All experts as one Linear(in, E·de) when they have no hidden layer (one GEMM instead of E). */
  readonly expertsFused: Linear | null;
  readonly expertsList: ModuleList<MLP> | null;
  readonly gates: ModuleList<Linear>;

  constructor(schema: MultiTaskSchema, opts: MMoEOptions = {}) {
    const gen = generatorFor(opts);
    const E = opts.experts ?? 8, de = opts.expertDim ?? 32;
    if (!Number.isInteger(E) || E < 1) throw new RangeError(`recforge: MMoE: experts must be an integer >= 1, got ${E}`);
    super(schema, de, opts, gen);
    this.numExperts = E;
    this.expertDim = de;
    this.inDim = this.features.outDim;
    this.repDim = this.inDim + E * de;
    const hidden = opts.expertHidden ?? [];
    if (hidden.length === 0) {
      this.expertsFused = this.module("experts", new Linear(this.inDim, E * de, { generator: gen }));
      this.expertsList = null;
    } else {
      this.expertsFused = null;
      this.expertsList = this.module("experts", new ModuleList(Array.from({ length: E }, () => new MLP([this.inDim, ...hidden, de], { activateLast: true, generator: gen }))));
    }
    this.gates = this.module("gates", new ModuleList(this.tasks.map(() => new Linear(this.inDim, E, { generator: gen }))));
  }

  bottom(b: BatchTensors): Tensor {
    const x = this.features.call(b);
    let z: Tensor;
    if (this.expertsFused) {
      const h = this.expertsFused.call(x);
      const e = relu(h);
      h.dispose();
      z = concat([x, e], 1);
      e.dispose();
    } else {
      const es = [...this.expertsList!].map((m) => m.call(x));
      z = concat([x, ...es], 1);
      es.forEach((e) => e.dispose());
    }
    x.dispose();
    return z;
  }

  heads(zs: readonly Tensor[]): Tensor[] {
    this.checkHeads(zs);
    const E = this.numExperts, de = this.expertDim, inDim = this.inDim;
    return zs.map((z, t) => {
      const B = z.shape[0];
      const x = slice(z, 1, 0, inDim);
      const ex = slice(z, 1, inDim, inDim + E * de);
      const ex3 = reshape(ex, [B, E, de]);
      const logits = this.gates.at(t)!.call(x);
      const g = softmax(logits, -1);
      const g3 = reshape(g, [B, E, 1]);
      const weighted = mul(ex3, g3);
      const mix = sum(weighted, 1);
      const out = this.tower(t, mix);
      for (const v of [x, ex, ex3, logits, g, g3, weighted, mix]) v.dispose();
      return out;
    });
  }

  taskParameters(t: number): Tensor[] {
    return [...this.gates.at(t)!.parameters(), ...this.towers.at(t)!.parameters()];
  }
}

export type ModelKind = "mmoe" | "shared-bottom";

export function createModel(kind: ModelKind, schema: MultiTaskSchema, opts: MMoEOptions & SharedBottomOptions = {}): MultiTaskModel {
  if (kind === "mmoe") return new MMoE(schema, opts);
  if (kind === "shared-bottom") return new SharedBottom(schema, opts);
  throw new RangeError(`recforge: unknown model ${JSON.stringify(kind)}; expected "mmoe" or "shared-bottom"`);
}
