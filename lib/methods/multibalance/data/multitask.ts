// The in-memory shape of multi-task recommendation data shared by the loaders (Census,
// synthetic) and the trainer: sparse categorical fields (one embedding table each), dense
// features, and one label per task.

export type TaskType = "binary" | "regression";

export interface TaskSpec {
  name: string;
  /** "binary": labels 0/1, BCE on logits; "regression": real labels, MSE. */
  type: TaskType;
}

export interface SparseField {
  name: string;
  /** Ids of this field lie in [0, vocabSize). */
  vocabSize: number;
}

export interface MultiTaskSchema {
  fields: SparseField[];
  denseDim: number;
  tasks: TaskSpec[];
}

/** A batch of rows, field-major so that each field's ids are one contiguous array. */
export interface MultiTaskBatch {
  size: number;
  /** sparse[f][r]: id of field f in row r. */
  sparse: Int32Array[];
  /** dense[r * denseDim + j]. */
  dense: Float32Array;
  /** labels[t][r]. */
  labels: Float32Array[];
}

/** A split (train / valid / test): rows addressed by position 0..size-1. */
export interface MultiTaskSplit {
  readonly size: number;
  /** The rows at these positions, in this order. */
  gather(positions: ArrayLike<number>): MultiTaskBatch;
}

export interface MultiTaskData {
  name: string;
  schema: MultiTaskSchema;
  train: MultiTaskSplit;
  valid: MultiTaskSplit;
  test: MultiTaskSplit;
}

/** Checks a batch against a schema; throws a RangeError naming the first mismatch. */
export function checkBatch(b: MultiTaskBatch, s: MultiTaskSchema): void {
  const n = b.size;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`recforge: batch size must be a positive integer, got ${n}`);
  if (b.sparse.length !== s.fields.length) throw new RangeError(`recforge: batch has ${b.sparse.length} sparse fields, the schema ${s.fields.length}`);
  b.sparse.forEach((ids, f) => {
    if (ids.length !== n) throw new RangeError(`recforge: field ${JSON.stringify(s.fields[f].name)} has ${ids.length} ids for a batch of ${n} rows`);
  });
  if (b.dense.length !== n * s.denseDim) throw new RangeError(`recforge: batch has ${b.dense.length} dense values, expected ${n} rows x ${s.denseDim}`);
  if (b.labels.length !== s.tasks.length) throw new RangeError(`recforge: batch has labels for ${b.labels.length} tasks, the schema has ${s.tasks.length}`);
  b.labels.forEach((y, t) => {
    if (y.length !== n)
      throw new RangeError(`recforge: task ${JSON.stringify(s.tasks[t].name)} has ${y.length} labels for a batch of ${n} rows (every task must label every row of the batch)`);
  });
}

/** A split over columnar arrays held in memory, addressed through a row index. */
export class ArraySplit implements MultiTaskSplit {
  constructor(
    private readonly rows: Int32Array,
    private readonly sparse: Int32Array[],
    private readonly dense: Float32Array,
    private readonly denseDim: number,
    private readonly labels: Float32Array[],
  ) {}
  get size(): number {
    return this.rows.length;
  }
  gather(positions: ArrayLike<number>): MultiTaskBatch {
    const n = positions.length, D = this.denseDim;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = positions[i];
      if (!(p >= 0 && p < this.rows.length)) throw new RangeError(`recforge: row position ${p} is outside the split (size ${this.rows.length})`);
      idx[i] = this.rows[p];
    }
    const sparse = this.sparse.map((col) => {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = col[idx[i]];
      return out;
    });
    const dense = new Float32Array(n * D);
    for (let i = 0; i < n; i++) dense.set(this.dense.subarray(idx[i] * D, idx[i] * D + D), i * D);
    const labels = this.labels.map((col) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = col[idx[i]];
      return out;
    });
    return { size: n, sparse, dense, labels };
  }
}
