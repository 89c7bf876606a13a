// Batching many small graphs into one disjoint graph (the PyG / DGL way to train on many small
// graphs at once): graph b's nodes become nodeOffsets[b] .. nodeOffsets[b+1]-1 and its edges
// edgeOffsets[b] .. edgeOffsets[b+1]-1, in order, so one kernel call covers the whole batch and
// no message crosses between graphs.
import type { Tensor } from "../tensor/tensor.js";
import { slice } from "../ops/index.js";
import { type Graph, freeze } from "./graph.js";

export interface GraphBatch {
  /** The disjoint union. */
  readonly graph: Graph;
  readonly numGraphs: number;
  /** [B + 1] first node of each graph (and the total at the end). */
  readonly nodeOffsets: Int32Array;
  /** [B + 1] first edge of each graph. */
  readonly edgeOffsets: Int32Array;
  /** [N] graph index of each node. */
  readonly graphOfNode: Int32Array;
}

function sameNames(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The disjoint union of `graphs` (node and edge types kept; all graphs must agree on having them). */
export function batchGraphs(graphs: readonly Graph[]): GraphBatch {
  if (!Array.isArray(graphs) || graphs.length === 0) throw new TypeError("recforge: batchGraphs: needs a non-empty array of graphs");
  const first = graphs[0];
  let n = 0, e = 0;
  graphs.forEach((g, b) => {
    if (!g || !(g.src instanceof Int32Array)) throw new TypeError(`recforge: batchGraphs: graphs[${b}] is not a Graph made by graph()`);
    if (!!g.nodeType !== !!first.nodeType || !!g.edgeType !== !!first.edgeType)
      throw new TypeError(`recforge: batchGraphs: graphs[${b}] ${g.nodeType ? "has" : "lacks"} node types / ${g.edgeType ? "has" : "lacks"} edge types unlike graphs[0]`);
    if (!sameNames(g.nodeTypeNames, first.nodeTypeNames) || !sameNames(g.edgeTypeNames, first.edgeTypeNames))
      throw new TypeError(`recforge: batchGraphs: graphs[${b}] names its node or edge types differently from graphs[0]`);
    n += g.numNodes;
    e += g.src.length;
  });
  if (n > 2 ** 31 - 1 || e > 2 ** 31 - 1) throw new RangeError(`recforge: batchGraphs: ${n} nodes / ${e} edges exceed the int32 index range`);
  const nodeOffsets = new Int32Array(graphs.length + 1), edgeOffsets = new Int32Array(graphs.length + 1);
  const src = new Int32Array(e), dst = new Int32Array(e), graphOfNode = new Int32Array(n);
  const nodeType = first.nodeType ? new Int32Array(n) : undefined;
  const edgeType = first.edgeType ? new Int32Array(e) : undefined;
  let no = 0, eo = 0;
  graphs.forEach((g, b) => {
    nodeOffsets[b] = no;
    edgeOffsets[b] = eo;
    for (let i = 0; i < g.src.length; i++) {
      src[eo + i] = g.src[i] + no;
      dst[eo + i] = g.dst[i] + no;
    }
    graphOfNode.fill(b, no, no + g.numNodes);
    nodeType?.set(g.nodeType!, no);
    edgeType?.set(g.edgeType!, eo);
    no += g.numNodes;
    eo += g.src.length;
  });
  nodeOffsets[graphs.length] = no;
  edgeOffsets[graphs.length] = eo;
  const graph = freeze({ numNodes: n, src, dst, nodeType, edgeType, nodeTypeNames: first.nodeTypeNames, edgeTypeNames: first.edgeTypeNames });
  return Object.freeze({ graph, numGraphs: graphs.length, nodeOffsets, edgeOffsets, graphOfNode });
}

/** The graphs a batch was made of (equal to the inputs of batchGraphs). */
export function unbatchGraphs(batch: GraphBatch): Graph[] {
  const g = batch.graph;
  const out: Graph[] = [];
  for (let b = 0; b < batch.numGraphs; b++) {
    const n0 = batch.nodeOffsets[b], n1 = batch.nodeOffsets[b + 1];
    const e0 = batch.edgeOffsets[b], e1 = batch.edgeOffsets[b + 1];
    out.push(freeze({
      numNodes: n1 - n0,
      src: g.src.subarray(e0, e1).map((v) => v - n0),
      dst: g.dst.subarray(e0, e1).map((v) => v - n0),
      nodeType: g.nodeType?.slice(n0, n1),
      edgeType: g.edgeType?.slice(e0, e1),
      nodeTypeNames: g.nodeTypeNames,
      edgeTypeNames: g.edgeTypeNames,
    }));
  }
  return out;
}

/** Splits node data x [N, ...] of a batch into one view per graph (differentiable slices). */
export function unbatchNodes(batch: GraphBatch, x: Tensor): Tensor[] {
  const n = batch.nodeOffsets[batch.numGraphs];
  if (x.ndim < 1 || x.shape[0] !== n)
    throw new RangeError(`recforge: unbatchNodes: expected ${n} rows (the batch's nodes), got shape [${x.shape.join(", ")}]`);
  const out: Tensor[] = [];
  for (let b = 0; b < batch.numGraphs; b++) out.push(slice(x, 0, batch.nodeOffsets[b], batch.nodeOffsets[b + 1]));
  return out;
}

/** Global node index (in the batch) of node `local` of graph b. */
export function batchNodeIndex(batch: GraphBatch, b: number, local: number): number {
  if (!Number.isInteger(b) || b < 0 || b >= batch.numGraphs) throw new RangeError(`recforge: batchNodeIndex: graph ${b} is outside [0, ${batch.numGraphs})`);
  const n = batch.nodeOffsets[b + 1] - batch.nodeOffsets[b];
  if (!Number.isInteger(local) || local < 0 || local >= n) throw new RangeError(`recforge: batchNodeIndex: node ${local} is outside [0, ${n}) of graph ${b}`);
  return batch.nodeOffsets[b] + local;
}
