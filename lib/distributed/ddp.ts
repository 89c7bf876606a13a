// DistributedDataParallel: every rank holds the whole model, computes the gradients of its
// shard of the global batch, and the ranks sum (or average) the gradients before each
// optimiser step, so every rank takes the same step and the replicas stay identical.
//
//   const ddp = new DistributedDataParallel(model, pg);       // broadcasts rank 0's parameters
//   for (each step) {
//     for (each micro-batch but the last) ddp.noSync(() => backward(loss_i));  // local accumulation
//     backward(loss_last);                                     // buckets all-reduced while it runs
//     ddp.synchronize();                                       // wait; .grad = the reduced gradient
//     opt.step(); opt.zeroGrad();
//   }
//
// Buckets. The parameters are grouped, in reverse order (gradients arrive roughly last layer
// first), into flat buffers of about `bucketBytes`. A gradient hook on each parameter
// (Tensor.registerHook, run by the engine for every gradient contribution before it is
// accumulated) adds the contribution into the parameter's slice of its bucket. From the second
// step on, a parameter whose contributions this step reached the count seen in the first step is
// complete; a bucket whose parameters are all complete starts its non-blocking all-reduce at
// once, while backward goes on — in bucket order only, so every rank starts the same collectives
// in the same order. synchronize() starts what is left (a parameter without contributions sends
// its local .grad or zeros), waits, and writes the reduced gradients into .grad.
// A contribution that arrives after its bucket started (the graph changed) goes to a late buffer;
// synchronize() all-reduces a count of those and, if any rank has one, the late buffers too: the
// result stays exact, and the ranks agree on the collectives whatever happened.
//
// Contract (the global seed contract of shard.ts): every rank runs the same code with the same
// seed, so the same parameters are created and receive gradients, and each rank feeds its own shard.
// Every rank calls synchronize() exactly once per optimiser step, even one that had no data.
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { backendFor, code } from "../ops/internal.js";
import type { ProcessGroup, ReduceOp, Work } from "./process_group.js";

export interface DdpOptions {
  /** Approximate bytes per bucket (default 1 MiB: several buckets even for small models, so buckets overlap backward). */
  bucketBytes?: number;
  /** "mean" (default: each rank's loss is a mean over its shard) or "sum" (each rank's loss is already divided by the global count). */
  reduce?: ReduceOp;
  /** Broadcast rank 0's parameter values to every rank at construction (default true). */
  broadcastParameters?: boolean;
}

interface Bucket {
  params: number[];
  flat: Tensor;
  views: Tensor[];
  late: Tensor | null;
  lateViews: Tensor[] | null;
  pendingReady: number;
  work: Work | null;
}

export interface DdpStats {
  buckets: number;
  /** Bytes of gradient each rank all-reduces per step. */
  bytesPerStep: number;
  /** Buckets started during backward (before synchronize), summed over steps. */
  startedDuringBackward: number;
  /** Buckets started by synchronize, summed over steps. */
  startedAtSynchronize: number;
  steps: number;
}

const DTYPE_BYTES = { float32: 4, float64: 8, int32: 4 } as const;

function view(flat: Tensor, like: Tensor, offset: number): Tensor {
  return keep(new Tensor(flat._storage, like.shape, flat.dtype, undefined, flat.offset + offset, false));
}

// dst <- src (same number of elements, both contiguous).
function copyInto(dst: Tensor, src: Tensor): void {
  const s = src.isContiguous ? src : src.contiguous();
  backendFor(dst).stridedCopy({ dtype: code(dst), shape: [dst.size], src: s, srcStrides: [1], dst, dstStrides: [1] });
  if (s !== src) s.dispose();
}

// dst <- a + b. Either may be a strided view (a gradient the engine handed to .grad as it came
// out of a backward rule, e.g. a transposed product): such an operand is copied contiguous first.
function addInto(dst: Tensor, a: Tensor, b: Tensor): void {
  const ac = a.isContiguous ? a : a.contiguous();
  const bc = b.isContiguous ? b : b.contiguous();
  backendFor(dst).axpby({ dtype: code(dst), n: dst.size, x: ac, s: 1, y: bc, t: 1, out: dst });
  if (ac !== a) ac.dispose();
  if (bc !== b) bc.dispose();
}

function zero(t: Tensor): void {
  backendFor(t).fill({ dtype: code(t), n: t.size, dst: t, value: 0 });
}

export class DistributedDataParallel {
  readonly pg: ProcessGroup;
  readonly params: readonly Tensor[];
  readonly reduce: ReduceOp;
  private readonly buckets: Bucket[] = [];
  private readonly bucketOf: number[];
  private readonly slotOf: number[];
  private readonly counts: Int32Array;
  private expected: Int32Array | null = null;
  private nextStart = 0;
  private lateCount = 0;
  private inNoSync = 0;
  private readonly removeHooks: (() => void)[] = [];
  private disposed = false;
  readonly stats: DdpStats;

  constructor(model: { parameters(): Tensor[] } | readonly Tensor[], pg: ProcessGroup, opts: DdpOptions = {}) {
    const params: Tensor[] = Array.isArray(model) ? [...model] : (model as { parameters(): Tensor[] }).parameters();
    if (!params.length) throw new RangeError("recforge.distributed: DistributedDataParallel needs at least one parameter");
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError("recforge.distributed: DistributedDataParallel: parameters must be Tensors");
      p._check("parameter");
      if (!p.isContiguous) throw new TypeError("recforge.distributed: DistributedDataParallel: parameters must be contiguous");
      if (p.dtype === "int32") throw new TypeError("recforge.distributed: DistributedDataParallel: int32 parameters have no gradient");
    }
    if (new Set(params).size !== params.length) throw new RangeError("recforge.distributed: DistributedDataParallel: a parameter is listed twice");
    const reduce = opts.reduce ?? "mean";
    if (reduce !== "mean" && reduce !== "sum") throw new RangeError(`recforge.distributed: reduce must be "mean" or "sum", got ${JSON.stringify(reduce)}`);
    const bucketBytes = opts.bucketBytes ?? 1 << 20;
    if (!(bucketBytes > 0)) throw new RangeError(`recforge.distributed: bucketBytes must be > 0, got ${bucketBytes}`);
    this.pg = pg;
    this.params = params;
    this.reduce = reduce;
    this.bucketOf = new Array(params.length).fill(-1);
    this.slotOf = new Array(params.length).fill(-1);
    this.counts = new Int32Array(params.length);

    // Reverse order, one dtype and one device per bucket.
    let cur: { idx: number[]; bytes: number; key: string } | null = null;
    const groups: number[][] = [];
    for (let i = params.length - 1; i >= 0; i--) {
      const p = params[i];
      const key = `${p.dtype}/${p.device}`;
      const bytes = p.size * DTYPE_BYTES[p.dtype];
      if (!cur || cur.key !== key || (cur.bytes > 0 && cur.bytes + bytes > bucketBytes)) {
        cur = { idx: [], bytes: 0, key };
        groups.push(cur.idx);
      }
      cur.idx.push(i);
      cur.bytes += bytes;
    }
    let total = 0;
    for (const idx of groups) {
      const first = params[idx[0]];
      const n = idx.reduce((s, i) => s + params[i].size, 0);
      const flat = keep(Tensor.empty([n], first.dtype, first.device));
      const views: Tensor[] = [];
      let off = 0;
      idx.forEach((i, slot) => {
        views.push(view(flat, params[i], off));
        off += params[i].size;
        this.bucketOf[i] = this.buckets.length;
        this.slotOf[i] = slot;
      });
      total += n * DTYPE_BYTES[first.dtype];
      this.buckets.push({ params: idx, flat, views, late: null, lateViews: null, pendingReady: 0, work: null });
    }
    this.stats = { buckets: this.buckets.length, bytesPerStep: total, startedDuringBackward: 0, startedAtSynchronize: 0, steps: 0 };

    if (opts.broadcastParameters ?? true) this.broadcastParameters();
    params.forEach((p, i) => this.removeHooks.push(p.registerHook((g) => this.contribute(i, g))));
  }

  /** Copies rank 0's parameter values to every rank (bucket by bucket). */
  broadcastParameters(): void {
    this.live();
    if (this.pg.size === 1) return;
    for (const b of this.buckets) {
      b.params.forEach((i, s) => copyInto(b.views[s], this.params[i]));
      this.pg.broadcast(b.flat, 0);
      b.params.forEach((i, s) => copyInto(this.params[i], b.views[s]));
    }
  }

  /** Runs fn (backward passes) with gradients accumulated locally only: gradient accumulation. */
  noSync<T>(fn: () => T): T {
    this.live();
    this.inNoSync++;
    try {
      return fn();
    } finally {
      this.inNoSync--;
    }
  }

  private live(): void {
    if (this.disposed) throw new Error("recforge.distributed: DistributedDataParallel used after dispose()");
  }

  private contribute(i: number, g: Tensor): void {
    if (this.inNoSync > 0 || this.disposed) return;
    const b = this.buckets[this.bucketOf[i]];
    const s = this.slotOf[i];
    if (b.work) {
      // The bucket already started: keep the contribution for synchronize's late round.
      if (!b.late) {
        b.late = keep(Tensor.empty([b.flat.size], b.flat.dtype, b.flat.device));
        zero(b.late);
        b.lateViews = b.params.map((pi, k) => view(b.late!, this.params[pi], b.views[k].offset - b.flat.offset));
      }
      addInto(b.lateViews![s], b.lateViews![s], g);
      this.lateCount++;
      return;
    }
    const v = b.views[s];
    const p = this.params[i];
    if (this.counts[i] === 0) {
      if (p.grad) addInto(v, p.grad, g);
      else copyInto(v, g);
    } else addInto(v, v, g);
    this.counts[i]++;
    if (this.expected && this.counts[i] === this.expected[i]) {
      b.pendingReady--;
      if (b.pendingReady === 0) this.startReady();
    }
    // Let MPI progress the buckets already started.
    for (let k = 0; k < this.nextStart; k++) this.buckets[k].work?.test();
  }

  private startReady(): void {
    while (this.nextStart < this.buckets.length && this.buckets[this.nextStart].pendingReady === 0 && this.expected) {
      this.start(this.buckets[this.nextStart]);
      this.stats.startedDuringBackward++;
      this.nextStart++;
    }
  }

  private start(b: Bucket): void {
    b.work = this.pg.allReduceStart(b.flat, this.reduce);
  }

  /**
   * After the step's last backward (every rank, once per step): starts the buckets not yet
   * started, waits for all, and sets each parameter's .grad to the reduced gradient.
   */
  synchronize(): void {
    this.live();
    for (; this.nextStart < this.buckets.length; this.nextStart++) {
      const b = this.buckets[this.nextStart];
      b.params.forEach((i, s) => {
        if (this.counts[i] > 0) return;
        const g = this.params[i].grad;
        if (g) copyInto(b.views[s], g);
        else zero(b.views[s]);
      });
      this.start(b);
      this.stats.startedAtSynchronize++;
    }
    for (const b of this.buckets) b.work!.wait();
    // Early starts are possible only once `expected` is known: then the ranks agree on a late round.
    if (this.expected && this.pg.size > 1) {
      const late = this.pg.allReduceNumbers([this.lateCount])[0];
      if (late > 0) {
        for (const b of this.buckets) {
          if (!b.late) {
            b.late = keep(Tensor.empty([b.flat.size], b.flat.dtype, b.flat.device));
            zero(b.late);
          }
          this.pg.allReduce(b.late, this.reduce);
          addInto(b.flat, b.flat, b.late);
        }
      }
    } else if (this.lateCount > 0) {
      for (const b of this.buckets) if (b.late) addInto(b.flat, b.flat, b.late);
    }
    this.params.forEach((p, i) => {
      const b = this.buckets[this.bucketOf[i]];
      const v = b.views[this.slotOf[i]];
      if (p.grad && p.grad.isContiguous && !p.grad.isDisposed && p.grad._storage !== b.flat._storage) copyInto(p.grad, v);
      else {
        p.grad?.dispose();
        p.grad = keep(v._cloneNoGrad());
      }
    });
    // The first step that saw gradients fixes the expected contribution counts.
    if (!this.expected && this.counts.some((c) => c > 0)) this.expected = Int32Array.from(this.counts);
    this.resetStep();
    this.stats.steps++;
  }

  private resetStep(): void {
    this.counts.fill(0);
    this.nextStart = 0;
    this.lateCount = 0;
    for (const b of this.buckets) {
      b.work = null;
      b.pendingReady = this.expected ? b.params.filter((i) => this.expected![i] > 0).length : -1;
      b.lateViews?.forEach((t) => t.dispose());
      b.late?.dispose();
      b.late = null;
      b.lateViews = null;
    }
    // A bucket whose parameters received no gradient in the first step (pendingReady 0) starts
    // with the first bucket started during backward before it, in order.
  }

  /** Removes the hooks and frees the buckets; the parameters are untouched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const r of this.removeHooks) r();
    for (const b of this.buckets) {
      b.views.forEach((t) => t.dispose());
      b.lateViews?.forEach((t) => t.dispose());
      b.late?.dispose();
      b.flat.dispose();
    }
  }
}
