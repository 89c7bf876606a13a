// Graph structures: validation at the boundary, CSR building, degrees, self-loops, batching.
import test from "ava";
import { rf, prng, randomGraph, randTensor, maxAbsDiff } from "./helpers.js";

test("graph() validates node indices and types, naming the bad entry", (t) => {
  t.throws(() => rf.graph({ numNodes: 3, src: [0, 1], dst: [1, 3] }), { instanceOf: RangeError, message: /graph: dst\[1\] = 3 is outside \[0, 3\)/ });
  t.throws(() => rf.graph({ numNodes: 3, src: [-1], dst: [0] }), { instanceOf: RangeError, message: /src\[0\] = -1 is outside \[0, 3\)/ });
  t.throws(() => rf.graph({ numNodes: 3, src: [0.5], dst: [0] }), { instanceOf: RangeError, message: /src\[0\] = 0.5/ });
  t.throws(() => rf.graph({ numNodes: 3, src: [NaN], dst: [0] }), { instanceOf: RangeError, message: /src\[0\] = NaN/ });
  t.throws(() => rf.graph({ numNodes: 3, src: [0, 1], dst: [1] }), { instanceOf: RangeError, message: /same length/ });
  t.throws(() => rf.graph({ numNodes: -1, src: [], dst: [] }), { instanceOf: RangeError, message: /numNodes/ });
  t.throws(() => rf.graph({ numNodes: 2, src: [0], dst: [1], nodeType: [0] }), { instanceOf: RangeError, message: /nodeType has 1 entries, expected 2/ });
  t.throws(() => rf.graph({ numNodes: 2, src: [0], dst: [1], nodeType: [0, 2], nodeTypeNames: ["a", "b"] }),
    { instanceOf: RangeError, message: /nodeType\[1\] = 2 is outside \[0, 2\)/ });
  t.throws(() => rf.bipartiteCsr({ numSrc: 2, numDst: 1, src: [2], dst: [0] }), { instanceOf: RangeError, message: /bipartiteCsr: src\[0\] = 2 is outside \[0, 2\)/ });
  const g = rf.graph({ numNodes: 2, src: Int32Array.of(0), dst: [1], nodeType: [0, 1], nodeTypeNames: ["user", "item"] });
  t.true(Object.isFrozen(g));
  t.deepEqual(g.nodeTypeNames, ["user", "item"]);
});

test("toCsr groups by destination (stable), keeps eid and edge types; degrees agree", (t) => {
  const g = rf.graph({ numNodes: 4, src: [0, 2, 1, 2, 0, 3, 2], dst: [1, 0, 1, 3, 0, 3, 0], edgeType: [0, 1, 2, 3, 4, 5, 6] });
  const c = rf.toCsr(g);
  t.deepEqual(Array.from(c.rowptr), [0, 3, 5, 5, 7]);
  t.deepEqual(Array.from(c.src), [2, 0, 2, 0, 1, 2, 3]);
  t.deepEqual(Array.from(c.dst), [0, 0, 0, 1, 1, 3, 3]);
  t.deepEqual(Array.from(c.eid), [1, 4, 6, 0, 2, 3, 5]);
  t.deepEqual(Array.from(c.edgeType), [1, 4, 6, 0, 2, 3, 5]);
  t.deepEqual(Array.from(c.inDegree()), Array.from(rf.inDegree(g)));
  t.deepEqual(Array.from(c.outDegree()), Array.from(rf.outDegree(g)));
  t.deepEqual(Array.from(rf.inDegree(g)), [3, 2, 0, 2]);
  t.deepEqual(Array.from(rf.outDegree(g)), [2, 1, 3, 1]);
  // the transpose groups edges by source
  t.deepEqual(Array.from(c.transpose.rowptr.toTypedArray()), [0, 2, 3, 6, 7]);
  // Graph-order edge data → CSR order
  const ord = c.edgesToCsrOrder(rf.tensor([10, 11, 12, 13, 14, 15, 16]));
  t.deepEqual(Array.from(ord.toTypedArray()), [11, 14, 16, 10, 12, 13, 15]);
  c.dispose();
  t.true(c.isDisposed);
  t.throws(() => c.srcTensor, { instanceOf: TypeError, message: /disposed/ });
  const empty = rf.toCsr(rf.graph({ numNodes: 3, src: [], dst: [] }));
  t.deepEqual(Array.from(empty.rowptr), [0, 0, 0, 0]);
  t.is(empty.numEdges, 0);
  empty.dispose();
});

test("self-loops: added once per node, existing ones replaced (or kept), typed graphs need a loop type", (t) => {
  const g = rf.graph({ numNodes: 3, src: [0, 1, 1], dst: [1, 1, 2] });
  const r = rf.addSelfLoops(g);
  t.deepEqual(Array.from(r.src), [0, 1, 0, 1, 2]);
  t.deepEqual(Array.from(r.dst), [1, 2, 0, 1, 2]);
  const k = rf.addSelfLoops(g, { existing: "keep" });
  t.is(k.src.length, 6);
  t.deepEqual(Array.from(rf.removeSelfLoops(g).src), [0, 1]);
  const typed = rf.graph({ numNodes: 2, src: [0], dst: [1], edgeType: [0], edgeTypeNames: ["a", "self"] });
  t.throws(() => rf.addSelfLoops(typed), { instanceOf: RangeError, message: /edgeType/ });
  t.deepEqual(Array.from(rf.addSelfLoops(typed, { edgeType: 1 }).edgeType), [0, 1, 1]);
  const c = rf.toCsr(g);
  const l1 = c.withSelfLoops(), l2 = c.withSelfLoops();
  t.is(l1, l2, "cached");
  t.deepEqual(Array.from(l1.inDegree()), [1, 2, 2]);
  c.dispose();
  t.true(l1.isDisposed, "the cached self-loop graph is owned by its base graph");
  const u = rf.toUndirected(rf.graph({ numNodes: 3, src: [0], dst: [2] }));
  t.deepEqual([Array.from(u.src), Array.from(u.dst)], [[0, 2], [2, 0]]);
});

test("batchGraphs / unbatchGraphs round-trip; offsets and graph index per node", (t) => {
  const rand = prng(5);
  const gs = [3, 0, 1, 5].map((n, i) => {
    const g = randomGraph(rand, { nodes: Math.max(n, 1), edges: n * 2 });
    return rf.graph({ ...g, nodeType: Array.from({ length: g.numNodes }, (_, j) => (j + i) % 2), nodeTypeNames: ["a", "b"] });
  });
  const b = rf.batchGraphs(gs);
  t.is(b.numGraphs, 4);
  t.deepEqual(Array.from(b.nodeOffsets), [0, 3, 4, 5, 10]);
  t.is(b.graph.numNodes, 10);
  t.deepEqual(Array.from(b.graphOfNode), [0, 0, 0, 1, 2, 3, 3, 3, 3, 3]);
  t.is(rf.batchNodeIndex(b, 3, 2), 7);
  t.throws(() => rf.batchNodeIndex(b, 1, 1), { instanceOf: RangeError, message: /node 1 is outside \[0, 1\) of graph 1/ });
  const back = rf.unbatchGraphs(b);
  back.forEach((g, i) => {
    t.deepEqual(Array.from(g.src), Array.from(gs[i].src));
    t.deepEqual(Array.from(g.dst), Array.from(gs[i].dst));
    t.deepEqual(Array.from(g.nodeType), Array.from(gs[i].nodeType));
  });
  // no edge crosses graphs
  for (let e = 0; e < b.graph.src.length; e++) t.is(b.graphOfNode[b.graph.src[e]], b.graphOfNode[b.graph.dst[e]]);
  t.throws(() => rf.batchGraphs([gs[0], rf.graph({ numNodes: 1, src: [], dst: [] })]), { instanceOf: TypeError, message: /node types/ });
  t.throws(() => rf.batchGraphs([]), { instanceOf: TypeError });
});

test("GAT on a batch equals GAT on each graph separately; unbatchNodes splits the rows", (t) => {
  const rand = prng(9);
  const gs = [4, 7, 1, 6].map((n) => randomGraph(rand, { nodes: n, edges: n * 2 }));
  const b = rf.batchGraphs(gs);
  const base = rf.toCsr(b.graph), bc = base.withSelfLoops();
  const H = 2, F = 3;
  const wh = randTensor(rand, [b.graph.numNodes, H, F], "float64"), a1 = randTensor(rand, [H, F]), a2 = randTensor(rand, [H, F]);
  const all = rf.gatAttention(wh, a1, a2, bc);
  const parts = rf.unbatchNodes(b, all);
  const whParts = rf.unbatchNodes(b, wh);
  gs.forEach((g, i) => {
    const c = rf.toCsr(g);
    const one = rf.gatAttention(whParts[i].contiguous(), a1, a2, c.withSelfLoops());
    t.true(maxAbsDiff(one.toTypedArray(), parts[i].toTypedArray()) < 1e-12);
    c.dispose();
  });
  t.throws(() => rf.unbatchNodes(b, rf.zeros([3])), { instanceOf: RangeError, message: /expected 18 rows/ });
  base.dispose();
});
