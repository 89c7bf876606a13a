// Graphs as edge lists (COO): the form graphs are built, batched and edited in. Kernels run
// on the destination-grouped CSR made from it by toCsr() (csr.ts).
//
// A Graph is an immutable plain object of typed arrays. Node indices are validated once, when
// the graph is made (graph()), so everything downstream can trust them; an out-of-range index
// is a RangeError that names the array, the position and the value.
export interface Graph {
  /** Number of nodes; node ids are 0 .. numNodes-1. */
  readonly numNodes: number;
  /** Edge i goes from src[i] to dst[i] (messages flow src → dst). */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** Optional node type per node (heterogeneous graphs), each in [0, nodeTypeNames.length) when names are given. */
  readonly nodeType?: Int32Array;
  /** Optional edge type per edge. */
  readonly edgeType?: Int32Array;
  readonly nodeTypeNames?: readonly string[];
  readonly edgeTypeNames?: readonly string[];
}

export interface GraphSpec {
  numNodes: number;
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  nodeType?: ArrayLike<number>;
  edgeType?: ArrayLike<number>;
  nodeTypeNames?: readonly string[];
  edgeTypeNames?: readonly string[];
}

const MAX_INDEX = 2 ** 31 - 1;

function checkCount(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_INDEX)
    throw new RangeError(`recforge: graph: ${what} must be an integer in [0, 2^31 - 1], got ${v}`);
  return v;
}

/** Copies `a` into an Int32Array, checking every entry is an integer in [0, bound). */
export function checkIndexArray(a: ArrayLike<number>, bound: number, what: string, fn = "graph"): Int32Array {
  if (a === null || typeof a !== "object" || typeof a.length !== "number")
    throw new TypeError(`recforge: ${fn}: ${what} must be an array or typed array of integers`);
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v >= 0 && v < bound) || !Number.isInteger(v))
      throw new RangeError(`recforge: ${fn}: ${what}[${i}] = ${v} is outside [0, ${bound})`);
    out[i] = v;
  }
  return out;
}

function checkTypes(a: ArrayLike<number> | undefined, n: number, names: readonly string[] | undefined, what: string): Int32Array | undefined {
  if (a === undefined) {
    if (names !== undefined) throw new TypeError(`recforge: graph: ${what}Names given without ${what}`);
    return undefined;
  }
  if (a.length !== n) throw new RangeError(`recforge: graph: ${what} has ${a.length} entries, expected ${n}`);
  if (names !== undefined && (!Array.isArray(names) || names.some((s) => typeof s !== "string")))
    throw new TypeError(`recforge: graph: ${what}Names must be an array of strings`);
  return checkIndexArray(a, names ? names.length : MAX_INDEX, what);
}

/** Makes (and validates) a graph. Arrays are copied, so the caller may reuse its own. */
export function graph(spec: GraphSpec): Graph {
  if (spec === null || typeof spec !== "object") throw new TypeError("recforge: graph: expected { numNodes, src, dst }");
  const n = checkCount(spec.numNodes, "numNodes");
  if (!spec.src || !spec.dst || spec.src.length !== spec.dst.length)
    throw new RangeError(`recforge: graph: src and dst must have the same length, got ${spec.src?.length} and ${spec.dst?.length}`);
  checkCount(spec.src.length, "number of edges");
  const src = checkIndexArray(spec.src, n, "src");
  const dst = checkIndexArray(spec.dst, n, "dst");
  const nodeType = checkTypes(spec.nodeType, n, spec.nodeTypeNames, "nodeType");
  const edgeType = checkTypes(spec.edgeType, src.length, spec.edgeTypeNames, "edgeType");
  return freeze({ numNodes: n, src, dst, nodeType, edgeType, nodeTypeNames: spec.nodeTypeNames?.slice(), edgeTypeNames: spec.edgeTypeNames?.slice() });
}

// Internal constructor for arrays already known to be valid (results of graph operations).
export function freeze(g: Graph): Graph {
  const out: { -readonly [K in keyof Graph]: Graph[K] } = { numNodes: g.numNodes, src: g.src, dst: g.dst };
  if (g.nodeType) out.nodeType = g.nodeType;
  if (g.edgeType) out.edgeType = g.edgeType;
  if (g.nodeTypeNames) out.nodeTypeNames = Object.freeze(g.nodeTypeNames.slice());
  if (g.edgeTypeNames) out.edgeTypeNames = Object.freeze(g.edgeTypeNames.slice());
  return Object.freeze(out);
}

export function numEdges(g: Graph): number {
  return g.src.length;
}

/** Number of incoming edges of each node. */
export function inDegree(g: Graph): Int32Array {
  const d = new Int32Array(g.numNodes);
  for (let i = 0; i < g.dst.length; i++) d[g.dst[i]]++;
  return d;
}

/** Number of outgoing edges of each node. */
export function outDegree(g: Graph): Int32Array {
  const d = new Int32Array(g.numNodes);
  for (let i = 0; i < g.src.length; i++) d[g.src[i]]++;
  return d;
}

/** The graph without its (n, n) edges (edge types kept for the others). */
export function removeSelfLoops(g: Graph): Graph {
  const keep: number[] = [];
  for (let i = 0; i < g.src.length; i++) if (g.src[i] !== g.dst[i]) keep.push(i);
  if (keep.length === g.src.length) return g;
  const pick = (a: Int32Array) => Int32Array.from(keep, (i) => a[i]);
  return freeze({ ...g, src: pick(g.src), dst: pick(g.dst), edgeType: g.edgeType && pick(g.edgeType) });
}

export interface SelfLoopOptions {
  /**
   * What happens to self-loops already in the graph: "replace" (default; removed first, so every
   * node ends with exactly one, as PyTorch Geometric's GATConv does) or "keep" (a loop is
   * appended to every node regardless).
   */
  existing?: "replace" | "keep";
  /** Edge type of the added loops (required when the graph has edge types). */
  edgeType?: number;
}

/** Appends one (n, n) edge per node, after the existing edges. */
export function addSelfLoops(g: Graph, opts: SelfLoopOptions = {}): Graph {
  const existing = opts.existing ?? "replace";
  if (existing !== "replace" && existing !== "keep")
    throw new TypeError(`recforge: addSelfLoops: existing must be "replace" or "keep", got ${JSON.stringify(existing)}`);
  const base = existing === "replace" ? removeSelfLoops(g) : g;
  const e = base.src.length, n = g.numNodes;
  checkCount(e + n, "number of edges with self-loops");
  const src = new Int32Array(e + n), dst = new Int32Array(e + n);
  src.set(base.src);
  dst.set(base.dst);
  for (let i = 0; i < n; i++) src[e + i] = dst[e + i] = i;
  let edgeType: Int32Array | undefined;
  if (base.edgeType) {
    const t = opts.edgeType;
    const bound = g.edgeTypeNames ? g.edgeTypeNames.length : MAX_INDEX;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= bound)
      throw new RangeError(`recforge: addSelfLoops: the graph has edge types, so opts.edgeType must be an integer in [0, ${bound}), got ${t}`);
    edgeType = new Int32Array(e + n);
    edgeType.set(base.edgeType);
    edgeType.fill(t, e);
  }
  return freeze({ ...g, src, dst, edgeType });
}

/** Reverses every edge. */
export function reverseEdges(g: Graph): Graph {
  return freeze({ ...g, src: g.dst, dst: g.src });
}

/** Adds the reverse of every edge (edge i's reverse is edge numEdges + i, same edge type). */
export function toUndirected(g: Graph): Graph {
  const e = g.src.length;
  checkCount(2 * e, "number of edges");
  const cat = (a: Int32Array, b: Int32Array) => {
    const r = new Int32Array(2 * e);
    r.set(a);
    r.set(b, e);
    return r;
  };
  return freeze({ ...g, src: cat(g.src, g.dst), dst: cat(g.dst, g.src), edgeType: g.edgeType && cat(g.edgeType, g.edgeType) });
}

/** A one-line description, for errors and logs. */
export function describeGraph(g: Graph): string {
  return `graph(${g.numNodes} nodes, ${g.src.length} edges${g.nodeType ? ", typed nodes" : ""})`;
}
