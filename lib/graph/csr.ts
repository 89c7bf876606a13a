// The destination-grouped CSR every graph kernel consumes (see native graph_csr.h), built by the
// native cooToCsr, with its source-grouped transpose (csrTranspose) for race-free backward
// passes. Build it once per batch and reuse it across layers, passes and steps.
//
// EDGE ORDER: per-edge data handed to graph ops ([E] or [E, H] tensors: weights, scores,
// attention) is indexed by CSR position e, not by the order edges had in the Graph. `eid[e]`
// is the Graph edge index of CSR edge e; edgesToCsrOrder() reorders Graph-order edge data.
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { native } from "../native.js";
import { indexSelect, toDeviceRaw, type CsrIndex } from "../ops/internal.js";
import type { Device } from "../tensor/dtype.js";
import { type Graph, addSelfLoops, checkIndexArray, type SelfLoopOptions } from "./graph.js";

function intTensor(a: Int32Array): Tensor {
  const t = keep(Tensor.empty([a.length], "int32"));
  if (a.length) native.write({ handle: t._h, byteOffset: 0, data: a });
  return t;
}

function readInts(t: Tensor, n: number): Int32Array {
  const a = new Int32Array(n);
  if (n) native.read({ handle: t._h, byteOffset: 0, out: a });
  return a;
}

export class CsrGraph implements CsrIndex {
  /** Destination count (rows of the CSR). For an ordinary graph numDst = numSrc = numNodes. */
  readonly numDst: number;
  readonly numSrc: number;
  readonly numEdges: number;
  /** [numDst + 1]: the edges into d are CSR positions rowptr[d] .. rowptr[d+1]-1. */
  readonly rowptr: Int32Array;
  /** [E] source node of CSR edge e. */
  readonly src: Int32Array;
  /** [E] destination node of CSR edge e (non-decreasing). */
  readonly dst: Int32Array;
  /** [E] index, in the Graph this was built from, of CSR edge e. */
  readonly eid: Int32Array;
  /** Node types (copied from the Graph) and edge types in CSR order, when the Graph had them. */
  readonly nodeType?: Int32Array;
  readonly edgeType?: Int32Array;
  readonly nodeTypeNames?: readonly string[];
  /** The edge list this CSR was built from (for withSelfLoops and the like). */
  readonly coo: Graph | null;

  private tensors: Tensor[] = [];
  private _rowptrT: Tensor | null = null;
  private _srcT: Tensor | null = null;
  private _dstT: Tensor | null = null;
  private _eidT: Tensor | null = null;
  private _t: { rowptr: Tensor; dst: Tensor; eid: Tensor } | null = null;
  private _loops = new Map<string, CsrGraph>();
  private _uploads = new Map<string, Tensor>();
  private _disposed = false;

  /** @internal use toCsr() / bipartiteCsr() */
  constructor(numDst: number, numSrc: number, rowptr: Tensor, src: Tensor, eid: Tensor, coo: Graph | null) {
    this.numDst = numDst;
    this.numSrc = numSrc;
    this.numEdges = src.size;
    this._rowptrT = rowptr;
    this._srcT = src;
    this._eidT = eid;
    this.tensors.push(rowptr, src, eid);
    this.rowptr = readInts(rowptr, numDst + 1);
    this.src = readInts(src, this.numEdges);
    this.eid = readInts(eid, this.numEdges);
    this.dst = new Int32Array(this.numEdges);
    for (let d = 0; d < numDst; d++) this.dst.fill(d, this.rowptr[d], this.rowptr[d + 1]);
    this.coo = coo;
    if (coo?.nodeType) this.nodeType = coo.nodeType;
    if (coo?.nodeTypeNames) this.nodeTypeNames = coo.nodeTypeNames;
    if (coo?.edgeType) this.edgeType = Int32Array.from(this.eid, (i) => coo.edgeType![i]);
  }

  /** numNodes of a square graph (numSrc = numDst). */
  get numNodes(): number {
    if (this.numSrc !== this.numDst) throw new TypeError(`recforge: CsrGraph: a bipartite CSR (${this.numSrc} sources, ${this.numDst} destinations) has no single node count`);
    return this.numDst;
  }
  get isSquare(): boolean {
    return this.numSrc === this.numDst;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  private check(): void {
    if (this._disposed) throw new TypeError("recforge: CsrGraph was disposed");
  }

  /** int32 tensors of the CSR (owned by the graph: do not dispose them). */
  get rowptrTensor(): Tensor {
    this.check();
    return this._rowptrT!;
  }
  get srcTensor(): Tensor {
    this.check();
    return this._srcT!;
  }
  get eidTensor(): Tensor {
    this.check();
    return this._eidT!;
  }
  /** [E] destination per CSR edge, as a tensor (built on first use). */
  get dstTensor(): Tensor {
    this.check();
    if (!this._dstT) this.tensors.push((this._dstT = intTensor(this.dst)));
    return this._dstT;
  }

  /** The source-grouped transpose (tRowptr [numSrc+1], tDst [E], tEid [E]) for backward passes; built once. */
  get transpose(): { rowptr: Tensor; dst: Tensor; eid: Tensor } {
    this.check();
    if (!this._t) {
      const E = this.numEdges;
      const rowptr = keep(Tensor.empty([this.numSrc + 1], "int32"));
      const dst = keep(Tensor.empty([E], "int32"));
      const eid = keep(Tensor.empty([E], "int32"));
      native.csrTranspose({ nDst: this.numDst, nSrc: this.numSrc, nEdges: E, rowptr: this._rowptrT!, src: this._srcT!, tRowptr: rowptr, tDst: dst, tEid: eid });
      this._t = { rowptr, dst, eid };
      this.tensors.push(rowptr, dst, eid);
    }
    return this._t;
  }

  /**
   * The CSR's index tensors on `device`: the graph's own on the cpu, else copies uploaded on
   * first use and cached (owned by the graph, freed by dispose()). The graph ops call this with
   * their inputs' device, so one CsrGraph serves cpu and cuda tensors alike.
   */
  on(device: Device): { rowptr: Tensor; src: Tensor } {
    return { rowptr: this.upload("rowptr", this.rowptrTensor, device), src: this.upload("src", this.srcTensor, device) };
  }
  /** The transpose (see `transpose`) on `device`, uploaded once and cached like on(). */
  transposeOn(device: Device): { rowptr: Tensor; dst: Tensor; eid: Tensor } {
    const t = this.transpose;
    return { rowptr: this.upload("tRowptr", t.rowptr, device), dst: this.upload("tDst", t.dst, device), eid: this.upload("tEid", t.eid, device) };
  }

  /** dstTensor on `device` (cached like on()). */
  dstOn(device: Device): Tensor {
    return this.upload("dst", this.dstTensor, device);
  }

  private upload(name: string, t: Tensor, device: Device): Tensor {
    if (device === t.device) return t;
    const key = `${name}@${device}`;
    let d = this._uploads.get(key);
    if (!d) {
      d = keep(toDeviceRaw(t, device));
      this._uploads.set(key, d);
      this.tensors.push(d);
    }
    return d;
  }

  /** Incoming edges per destination. */
  inDegree(): Int32Array {
    const d = new Int32Array(this.numDst);
    for (let i = 0; i < this.numDst; i++) d[i] = this.rowptr[i + 1] - this.rowptr[i];
    return d;
  }
  /** Outgoing edges per source. */
  outDegree(): Int32Array {
    const d = new Int32Array(this.numSrc);
    for (let e = 0; e < this.numEdges; e++) d[this.src[e]]++;
    return d;
  }

  /**
   * This graph with one self-loop per node (by default existing loops are replaced, as GATConv
   * does), built once per option set and cached: the result is owned by this graph and disposed
   * with it. Graphs with edge types need opts.edgeType for the loops.
   */
  withSelfLoops(opts: SelfLoopOptions = {}): CsrGraph {
    this.check();
    if (!this.coo) throw new TypeError("recforge: CsrGraph.withSelfLoops: only for graphs built with toCsr()");
    const key = `${opts.existing ?? "replace"}|${opts.edgeType ?? ""}`;
    let g = this._loops.get(key);
    if (!g) this._loops.set(key, (g = toCsr(addSelfLoops(this.coo, opts))));
    return g;
  }

  /** Reorders Graph-order edge data x [E, ...] into CSR order (x[eid[e]] at row e), differentiably. */
  edgesToCsrOrder(x: Tensor): Tensor {
    this.check();
    if (x.ndim < 1 || x.shape[0] !== this.numEdges)
      throw new RangeError(`recforge: edgesToCsrOrder: expected ${this.numEdges} rows, got shape [${x.shape.join(", ")}]`);
    return indexSelect(x, 0, this.upload("eid", this._eidT!, x.device));
  }

  /** Frees the graph's tensors (and its cached self-loop version). Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    for (const t of this.tensors) t.dispose();
    this.tensors = [];
    this._uploads.clear();
    for (const g of this._loops.values()) g.dispose();
    this._loops.clear();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function build(numDst: number, numSrc: number, src: Int32Array, dst: Int32Array, coo: Graph | null): CsrGraph {
  const E = src.length;
  const s = intTensor(src), d = intTensor(dst);
  const rowptr = keep(Tensor.empty([numDst + 1], "int32"));
  const csrSrc = keep(Tensor.empty([E], "int32"));
  const eid = keep(Tensor.empty([E], "int32"));
  try {
    native.cooToCsr({ nDst: numDst, nSrc: numSrc, nEdges: E, src: s, dst: d, rowptr, csrSrc, eid });
  } catch (e) {
    [rowptr, csrSrc, eid].forEach((t) => t.dispose());
    throw e;
  } finally {
    s.dispose();
    d.dispose();
  }
  return new CsrGraph(numDst, numSrc, rowptr, csrSrc, eid, coo);
}

/** The destination-grouped CSR of a graph (stable: a node's incoming edges keep their Graph order). */
export function toCsr(g: Graph): CsrGraph {
  if (!g || !(g.src instanceof Int32Array) || !(g.dst instanceof Int32Array) || typeof g.numNodes !== "number")
    throw new TypeError("recforge: toCsr: expected a Graph made by graph()");
  return build(g.numNodes, g.numNodes, g.src, g.dst, g);
}

/**
 * A CSR between two node sets (messages from numSrc source nodes to numDst destinations), e.g.
 * node → graph pooling. Indices are validated (RangeError naming the bad entry).
 */
export function bipartiteCsr(spec: { numSrc: number; numDst: number; src: ArrayLike<number>; dst: ArrayLike<number> }): CsrGraph {
  for (const k of ["numSrc", "numDst"] as const) {
    const v = spec[k];
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw new RangeError(`recforge: bipartiteCsr: ${k} must be an integer in [0, 2^31 - 1], got ${v}`);
  }
  if (spec.src.length !== spec.dst.length)
    throw new RangeError(`recforge: bipartiteCsr: src and dst must have the same length, got ${spec.src.length} and ${spec.dst.length}`);
  const src = checkIndexArray(spec.src, spec.numSrc, "src", "bipartiteCsr");
  const dst = checkIndexArray(spec.dst, spec.numDst, "dst", "bipartiteCsr");
  return build(spec.numDst, spec.numSrc, src, dst, null);
}
