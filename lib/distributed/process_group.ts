// recforge.distributed's process group: the ranks of one training job, launched by `mpirun`,
// and the collectives data-parallel training needs (all-reduce, broadcast, barrier).
//
// Open MPI's libmpi is loaded at run time with dlopen (native/cpu/mpi_loader.cc), only when a
// process group of more than one rank is asked for: a single-process install needs no MPI, and a
// process not started by mpirun gets a local group of size 1 whose collectives do nothing.
//
// Every wait has a deadline (timeoutS, default $RECFORGE_DIST_TIMEOUT or 300 s): when a rank dies
// or hangs, the others throw an Error naming the collective and their rank instead of waiting for
// ever, and a process that exits with a non-zero code calls MPI_Abort, which ends the whole job
// (mpirun reports the rank). A process that exits with code 0 finalises MPI.
//
// Tensors travel in place. Host tensors go through MPI; device (cuda) tensors through NCCL
// (libnccl loaded at run time by the CUDA addon, native/cuda/nccl_comm.cu), whose communicator
// is created on the first device collective: rank 0's unique id is broadcast through MPI.
import fs from "node:fs";
import { native, cuda } from "../native.js";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { backendFor, code, tensor } from "../ops/internal.js";

export type ReduceOp = "sum" | "mean";

export interface ProcessGroupOptions {
  /** Seconds a collective may wait for the other ranks (default $RECFORGE_DIST_TIMEOUT, else 300). */
  timeoutS?: number;
  /**
   * "auto" (default): MPI when the process was started by mpirun (OMPI_COMM_WORLD_SIZE is set),
   * else a local group of one rank. "mpi": always MPI (an Error naming the package when absent).
   * "local": one rank, no MPI.
   */
  backend?: "auto" | "mpi" | "local";
}

/** A started collective; wait() blocks until it completes (or throws after the group's timeout). */
export interface Work {
  wait(): void;
  /** True once complete (polls MPI; never blocks). */
  test(): boolean;
}

const DONE: Work = { wait() {}, test: () => true };

function defaultTimeout(): number {
  const env = process.env.RECFORGE_DIST_TIMEOUT;
  if (env !== undefined && env !== "") {
    const t = Number(env);
    if (!(t > 0)) throw new RangeError(`recforge.distributed: RECFORGE_DIST_TIMEOUT must be a number of seconds > 0, got ${JSON.stringify(env)}`);
    return t;
  }
  return 300;
}

function checkTensor(t: Tensor, what: string): void {
  if (!(t instanceof Tensor)) throw new TypeError(`recforge.distributed: ${what} expects a Tensor, got ${typeof t}`);
  t._check(what);
  if (!t.isContiguous) throw new TypeError(`recforge.distributed: ${what} needs a contiguous tensor (shape [${t.shape}]); call .contiguous() first`);
}

export class ProcessGroup {
  readonly rank: number;
  readonly size: number;
  /** "mpi" or "local". */
  readonly backend: "mpi" | "local";
  /** The MPI library loaded (path and version), "" for a local group. */
  readonly library: string;
  readonly timeoutS: number;
  private closed = false;
  /** The NCCL library in use once a device collective ran ("" before). */
  ncclLibrary = "";

  /** @internal use initProcessGroup() */
  constructor(rank: number, size: number, backend: "mpi" | "local", library: string, timeoutS: number) {
    this.rank = rank;
    this.size = size;
    this.backend = backend;
    this.library = library;
    this.timeoutS = timeoutS;
  }

  get isDistributed(): boolean {
    return this.size > 1;
  }

  private live(what: string): void {
    if (this.closed) throw new Error(`recforge.distributed: ${what} on a closed process group`);
  }

  /**
   * Starts an in-place all-reduce of t (float32, float64 or int32) and returns its Work. With
   * op "mean" the sum is divided by the group size when wait() returns (floating tensors only).
   * The tensor must stay alive, and unchanged by others, until wait() returned.
   */
  allReduceStart(t: Tensor, op: ReduceOp = "sum"): Work {
    this.live("allReduce");
    checkTensor(t, "allReduce");
    if (op !== "sum" && op !== "mean") throw new RangeError(`recforge.distributed: allReduce op must be "sum" or "mean", got ${JSON.stringify(op)}`);
    if (op === "mean" && t.dtype === "int32") throw new TypeError("recforge.distributed: allReduce mean needs a float32 or float64 tensor, got int32");
    if (this.size === 1 || t.size === 0) return DONE;
    if (t.device !== "cpu") {
      const c = this.ncclAddon();
      c.ncclAllreduce({ dtype: code(t), n: t.size, x: t, average: op === "mean" });
      return this.deviceWork(c);
    }
    return this.staged(t, (h) => native.mpiAllreduceStart({ dtype: code(h), n: h.size, x: h }), op === "mean" ? 1 / this.size : 1);
  }

  /** In-place all-reduce (blocking). */
  allReduce(t: Tensor, op: ReduceOp = "sum"): Tensor {
    this.allReduceStart(t, op).wait();
    return t;
  }

  /** In-place broadcast of root's t to every rank (blocking). */
  broadcast(t: Tensor, root = 0): Tensor {
    this.live("broadcast");
    checkTensor(t, "broadcast");
    if (!Number.isInteger(root) || root < 0 || root >= this.size)
      throw new RangeError(`recforge.distributed: broadcast root must be a rank in [0, ${this.size}), got ${root}`);
    if (this.size === 1 || t.size === 0) return t;
    if (t.device !== "cpu") {
      const c = this.ncclAddon();
      c.ncclBroadcast({ dtype: code(t), n: t.size, x: t, root });
      this.deviceWork(c).wait();
      return t;
    }
    this.staged(t, (h) => native.mpiBroadcastStart({ dtype: code(h), n: h.size, x: h, root }), 1).wait();
    return t;
  }

  /** In-place broadcast of a small host byte array (configuration, NCCL's unique id). */
  broadcastBytes(data: Uint8Array, root = 0): Uint8Array {
    this.live("broadcastBytes");
    if (!(data instanceof Uint8Array)) throw new TypeError("recforge.distributed: broadcastBytes expects a Uint8Array");
    if (this.size > 1) native.mpiBroadcastBytes({ data, root, timeoutS: this.timeoutS });
    return data;
  }

  /** Blocks until every rank has reached the barrier. */
  barrier(): void {
    this.live("barrier");
    if (this.size === 1) return;
    native.mpiWait({ request: native.mpiBarrierStart(), timeoutS: this.timeoutS });
  }

  /** All-reduce of host numbers (losses, counts): returns the sums in float64. */
  allReduceNumbers(values: readonly number[] | Float64Array, op: ReduceOp = "sum"): Float64Array {
    const out = Float64Array.from(values);
    if (this.size === 1) return out;
    tidy(() => {
      const t = tensor(out, { dtype: "float64" });
      this.allReduce(t, op);
      out.set(t.toTypedArray() as Float64Array);
    });
    return out;
  }

  // The CUDA addon with this group's NCCL communicator (created on first use, on every rank:
  // every rank runs the same collectives, so every rank gets here at the same point).
  private ncclAddon(): NonNullable<typeof cuda> {
    if (!cuda) throw new TypeError("recforge.distributed: a device tensor, but the CUDA backend is not available");
    if (this.ncclLibrary) return cuda;
    const err = cuda.ncclLoadError();
    // Every rank loads NCCL before the id broadcast: a rank without it fails here with the reason
    // (the others then time out in the broadcast, or are ended by its abort).
    if (err) throw new Error(`recforge.distributed: ${err}`);
    const id = new Uint8Array(128);
    if (this.rank === 0) cuda.ncclUniqueId({ out: id });
    this.broadcastBytes(id, 0);
    this.ncclLibrary = cuda.ncclInit({ id, rank: this.rank, size: this.size });
    return cuda;
  }

  private deviceWork(c: NonNullable<typeof cuda>): Work {
    let done = false;
    const timeoutS = this.timeoutS;
    return {
      wait() {
        if (done) return;
        c.ncclWait({ timeoutS });
        done = true;
      },
      // Device collectives progress on their own; completion is known at wait().
      test: () => done,
    };
  }

  /** Finalises MPI (every rank must call it, after its last collective). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ncclLibrary && cuda) cuda.ncclDestroy();
    if (this.backend === "mpi") {
      finalizing = true;
      native.mpiFinalize();
    }
  }

  // A collective on a host tensor; scaled when the Work completes.
  private staged(t: Tensor, start: (host: Tensor) => number, scale: number): Work {
    const request = start(t);
    let done = false;
    const finish = () => {
      done = true;
      if (scale !== 1) backendFor(t).scaleInplace({ dtype: code(t), n: t.size, x: t, scale });
    };
    const timeoutS = this.timeoutS;
    return {
      wait() {
        if (done) return;
        native.mpiWait({ request, timeoutS });
        finish();
      },
      test() {
        if (done) return true;
        if (!native.mpiTest({ request })) return false;
        finish();
        return true;
      },
    };
  }
}

let theGroup: ProcessGroup | null = null;
let finalizing = false;

/** True when this process was started by Open MPI's mpirun / mpiexec. */
export function launchedByMpirun(): boolean {
  return process.env.OMPI_COMM_WORLD_SIZE !== undefined;
}

/**
 * The process group of this job (created once; later calls return it). Under mpirun it loads
 * libmpi and initialises MPI; an Error names the package to install when libmpi is absent.
 */
export function initProcessGroup(opts: ProcessGroupOptions = {}): ProcessGroup {
  if (theGroup) return theGroup;
  const backend = opts.backend ?? "auto";
  if (!["auto", "mpi", "local"].includes(backend)) throw new RangeError(`recforge.distributed: backend must be "auto", "mpi" or "local", got ${JSON.stringify(backend)}`);
  const timeoutS = opts.timeoutS ?? defaultTimeout();
  if (!(timeoutS > 0)) throw new RangeError(`recforge.distributed: timeoutS must be > 0, got ${timeoutS}`);
  if (backend === "local" || (backend === "auto" && !launchedByMpirun())) {
    theGroup = new ProcessGroup(0, 1, "local", "", timeoutS);
    return theGroup;
  }
  const w = native.mpiInit();
  if (w.error) throw new Error(`recforge.distributed: ${w.error}`);
  theGroup = new ProcessGroup(w.rank, w.size, "mpi", w.library, timeoutS);
  // A rank that fails (uncaught error: exit code != 0) aborts the job, so the others end at once
  // rather than at their timeout; a clean exit without close() still finalises.
  // Node writes an uncaught error to a piped stderr asynchronously, and MPI_Abort (below) would
  // end the process before it is flushed: write it synchronously first, naming the rank.
  process.on("uncaughtExceptionMonitor", (err) => {
    try {
      fs.writeSync(2, `recforge.distributed: rank ${w.rank} of ${w.size} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    } catch {
      // stderr closed: nothing to report to
    }
  });
  process.on("exit", (codeOut) => {
    if (finalizing) return;
    if (codeOut !== 0) {
      // Name the rank ourselves: mpirun's own report depends on its help files and can be lost
      // (seen in CI: "ORTE_ERROR_LOG: Out of resource in file show_help.c").
      try {
        fs.writeSync(2, `recforge.distributed: rank ${w.rank} of ${w.size} exited with code ${codeOut}; aborting the job\n`);
      } catch {
        // stderr closed: nothing to report to
      }
      native.mpiAbort({ code: codeOut || 1 });
    }
    else {
      finalizing = true;
      native.mpiFinalize();
    }
  });
  return theGroup;
}

/** The group initProcessGroup created, or null. */
export function currentProcessGroup(): ProcessGroup | null {
  return theGroup;
}
