// Graph structures for message passing: edge lists (COO), the destination-grouped CSR the
// kernels run on, and batching of many small graphs into one.
export {
  graph, numEdges, inDegree, outDegree, addSelfLoops, removeSelfLoops, reverseEdges, toUndirected, describeGraph,
  type Graph, type GraphSpec, type SelfLoopOptions,
} from "./graph.js";
export { CsrGraph, toCsr, bipartiteCsr } from "./csr.js";
export { batchGraphs, unbatchGraphs, unbatchNodes, batchNodeIndex, type GraphBatch } from "./batch.js";
