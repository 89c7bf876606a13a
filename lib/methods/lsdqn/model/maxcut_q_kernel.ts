// LS-DQN's Max-Cut Q-network forward through the fused native kernel (native/include/recforge/
// lsdqn_maxcut_q.h, op lsdqnMaxCutQ), for test-time search: one graph, R spin rows per call, no autograd,
// no per-op dispatch, buffers reused between calls. It computes what LsdqnQNet.forward computes for
// problem "maxcut" (that forward is the reference: test/lsdqn/maxcut_q_kernel.test.js compares the two
// in float64 and float32 on fresh random graphs), with the parameters as they are when forward() is
// called (a search holds them fixed). The graph-only term edgeTerm(g) is computed once here, by the
// network's own code, and passed to every call.
// Incremental (default): the kernel keeps each row's intermediate values between calls (native caches, about
// (2T + 1)·n·d numbers a row) and recomputes only what a changed spin reaches — after one flip, the flipped
// node's neighbourhood, one hop more per round: much less work on sparse graphs, none on dense ones, where
// T hops reach every node and keeping the caches (1.4 MB a row at n = 800, d = 64, out of the core's cache at
// R = 50) costs more than it saves. Measured per start and move (one thread, loaded, bench/results/cop.md):
// toroidal G11 (mean degree 4) 0.35 → 0.13 ms, G18 (11.7) 0.39 → 0.41-0.45 ms, G1 (48) 0.58 → 0.65 ms. So
// the default ("auto") uses it where the mean degree is at most 8. The caches assume the parameters and the
// graph do not change between calls (a search); `reset()` makes the next call compute everything.
import { Tensor } from "../../../tensor/tensor.js";
import { DTYPE_CODE } from "../../../tensor/dtype.js";
import { native } from "../../../native.js";
import { tensor } from "../../../ops/index.js";
import { tidy } from "../../../tensor/scope.js";
import { noGrad } from "../../../autograd/engine.js";
import { CopGraphBatch } from "./cop_graph.js";
import { flipScale } from "./gain_features.js";
import type { LsdqnQNet } from "./qnet.js";

export class MaxCutQKernel {
  readonly n: number;
  private readonly net: LsdqnQNet;
  private readonly owned: Tensor[] = [];
  private readonly indptr: Tensor;
  private readonly src: Tensor;
  private readonly weight: Tensor;
  private readonly edgeTerm: Tensor;
  private readonly scale: number;
  /** "auto": incremental recomputation where the mean degree is at most this (see the header comment). */
  static readonly AUTO_MAX_DEGREE = 8;
  /** Whether this kernel keeps per-row caches between calls. */
  readonly incremental: boolean;
  private bufs: { R: number; spins: Tensor; q: Tensor; stop: Tensor; cache: Tensor | null; cacheLast: Tensor | null } | null = null;
  private disposed = false;

  /** net: a Max-Cut LsdqnQNet; graph: the network's edge weights [n·n] (every pair with w != 0 is an edge). */
  constructor(net: LsdqnQNet, graph: Float64Array, n: number, opts: { incremental?: boolean | "auto" } = {}) {
    if (net.problem !== "maxcut") throw new TypeError(`recforge: MaxCutQKernel: needs a maxcut network, got ${net.problem}`);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`recforge: MaxCutQKernel: n must be an integer >= 1, got ${n}`);
    if (!(graph instanceof Float64Array) || graph.length !== n * n) throw new RangeError(`recforge: MaxCutQKernel: graph must be a Float64Array of n*n = ${n * n} entries`);
    for (const t of this.params(net)) if (t && !t.isContiguous) throw new TypeError("recforge: MaxCutQKernel: the network's parameters must be contiguous");
    this.net = net;
    this.n = n;
    const inc = opts.incremental ?? "auto";
    if (!(inc === true || inc === false || inc === "auto")) throw new TypeError(`recforge: MaxCutQKernel: incremental must be true, false or "auto", got ${JSON.stringify(inc)}`);
    const g = new CopGraphBatch(graph, 1, n, { dtype: net.theta0.dtype });
    try {
      const keep = (t: Tensor) => { t.keep(); this.owned.push(t); return t; };
      this.indptr = keep(tensor(g.csr.rowptr, { dtype: "int32" }));
      this.src = keep(tensor(g.csr.src, { dtype: "int32" }));
      this.weight = keep(tensor(g.hostWeight, { dtype: "float64" }));
      this.edgeTerm = keep(noGrad(() => tidy(() => net.edgeTerm(g).contiguous().keep())));
      this.scale = flipScale(g)[0]; // the gain features' own scale (one instance)
      this.incremental = inc === "auto" ? g.csr.numEdges / n <= MaxCutQKernel.AUTO_MAX_DEGREE : inc;
    } catch (e) {
      this.dispose();
      throw e;
    } finally {
      g.dispose();
    }
  }

  private params(net: LsdqnQNet): (Tensor | null)[] {
    return [net.theta0, net.theta1, net.w1, net.w2, net.w0, net.wa, net.wg];
  }

  /** Q-values of every flip [R·n] and of the stop action [R] for spins [R·n] (±1). */
  forward(spins: Int32Array): { moves: Float32Array | Float64Array; stop: Float32Array | Float64Array } {
    if (this.disposed) throw new TypeError("recforge: MaxCutQKernel: used after dispose()");
    const n = this.n, net = this.net;
    if (!(spins instanceof Int32Array) || spins.length === 0 || spins.length % n !== 0) throw new RangeError(`recforge: MaxCutQKernel.forward: spins must be an Int32Array of R*n entries (n = ${n}, R >= 1), got ${spins?.length}`);
    const R = spins.length / n, dtype = net.theta0.dtype;
    if (!this.bufs || this.bufs.R !== R) {
      this.freeBuffers();
      const cache = this.incremental ? Tensor.empty([R, (2 * net.rounds + 1) * n * net.d], dtype).keep() : null;
      const cacheLast = this.incremental ? Tensor.empty([R, n + 1], "int32").keep() : null;
      this.bufs = { R, spins: Tensor.empty([R, n], "int32").keep(), q: Tensor.empty([R, n], dtype).keep(), stop: Tensor.empty([R], dtype).keep(), cache, cacheLast };
      this.reset();
    }
    const b = this.bufs;
    native.write({ handle: b.spins._h, byteOffset: 0, data: spins });
    native.lsdqnMaxCutQ({
      dtype: DTYPE_CODE[dtype], R, n, d: net.d, rounds: net.rounds, gains: net.gains, residual: net.residual,
      lambda: net.residual ? net.remainderScale : 1, scale: this.scale, indptr: this.indptr, src: this.src, weight: this.weight,
      edgeTerm: this.edgeTerm, theta0: net.theta0, theta1: net.theta1, w1: net.w1, w2: net.w2, w0: net.w0, wa: net.wa!, wg: net.wg,
      spins: b.spins, q: b.q, stop: b.stop, cache: b.cache, cacheLast: b.cacheLast,
    });
    return { moves: b.q.toTypedArray() as Float32Array | Float64Array, stop: b.stop.toTypedArray() as Float32Array | Float64Array };
  }

  /** Forgets the cached values: the next forward() computes everything. */
  reset(): void {
    const c = this.bufs?.cacheLast;
    if (c) native.write({ handle: c._h, byteOffset: 0, data: new Int32Array(c.size) });
  }

  private freeBuffers(): void {
    if (this.bufs) for (const t of [this.bufs.spins, this.bufs.q, this.bufs.stop, this.bufs.cache, this.bufs.cacheLast]) t?.dispose();
    this.bufs = null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) t.dispose();
    this.freeBuffers();
  }
}
