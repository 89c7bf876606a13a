// GREENer's per-pair heterogeneous graph and the batch structure the model consumes.
//
// One graph per (user, item) pair:
//   nodes   0: the user, 1: the item, 2 .. 2+C-1: the C candidate sentences,
//           then the A attributes (the item's attributes that occur in the candidates);
//   edges   sentence–attribute (the sentence mentions it), user–attribute (the attribute is in
//           the user's profile), item–attribute (in the item's profile), each in both
//           directions, unweighted. No user–sentence or item–sentence edge: attributes are the
//           bridge. Self-loops are added by the GAT layers (GATConv addSelfLoops).
import { graph, type Graph } from "../../graph/graph.js";
import { batchGraphs, type GraphBatch } from "../../graph/batch.js";
import { toCsr, type CsrGraph } from "../../graph/csr.js";

export const NODE_TYPES = ["user", "item", "sentence", "attribute"] as const;
export const USER = 0, ITEM = 1, SENTENCE = 2, ATTRIBUTE = 3;

/** One (user, item) pair with its candidate sentences; what the graph is built from. */
export interface PairExample {
  /** row of the user / item embedding */
  user: number;
  item: number;
  /** rows of the sentence feature table, one per candidate */
  candidates: Int32Array;
  /** attribute ids mentioned by each candidate */
  candidateAttrs: readonly (readonly number[])[];
  /** the user's / item's profile: attribute ids of their training reviews */
  userAttrs: ReadonlySet<number>;
  itemAttrs: ReadonlySet<number>;
  /** training only: relevance level 0..3 per candidate (bucketed BLEU-2 + BLEU-3) */
  levels?: Uint8Array;
  /** optional per-candidate pair features, row-major [candidates × width] (profile_features.ts) */
  pairFeatures?: Float32Array;
}

/** A pair graph plus which attribute each attribute node is. */
export interface PairGraph {
  graph: Graph;
  numSentences: number;
  /** attribute id of attribute node j (node 2 + numSentences + j) */
  attrIds: Int32Array;
}

export function buildPairGraph(ex: PairExample): PairGraph {
  const C = ex.candidates.length;
  if (ex.candidateAttrs.length !== C)
    throw new RangeError(`GREENer: ${C} candidates but ${ex.candidateAttrs.length} attribute lists`);
  // Attribute nodes: the item's attributes occurring in the candidates, in first-seen order.
  const attrNode = new Map<number, number>();
  const attrIds: number[] = [];
  for (const list of ex.candidateAttrs)
    for (const a of list)
      if (ex.itemAttrs.has(a) && !attrNode.has(a)) {
        attrNode.set(a, 2 + C + attrIds.length);
        attrIds.push(a);
      }
  const src: number[] = [], dst: number[] = [];
  const both = (u: number, v: number) => {
    src.push(u, v);
    dst.push(v, u);
  };
  ex.candidateAttrs.forEach((list, s) => {
    for (const a of new Set(list)) {
      const node = attrNode.get(a);
      if (node !== undefined) both(2 + s, node);
    }
  });
  for (const [a, node] of attrNode) {
    if (ex.userAttrs.has(a)) both(USER, node);
    both(ITEM, node); // every attribute node is an item attribute by construction
  }
  const n = 2 + C + attrIds.length;
  const nodeType = new Int32Array(n);
  nodeType[0] = USER;
  nodeType[1] = ITEM;
  nodeType.fill(SENTENCE, 2, 2 + C);
  nodeType.fill(ATTRIBUTE, 2 + C);
  return { graph: graph({ numNodes: n, src, dst, nodeType, nodeTypeNames: NODE_TYPES }), numSentences: C, attrIds: Int32Array.from(attrIds) };
}

/** Many pair graphs as one disjoint graph, with the index arrays the model gathers with. */
export interface GreenerBatch {
  size: number;
  batch: GraphBatch;
  /** CSR of the batch graph (self-loops are added by the layers); dispose() frees it */
  csr: CsrGraph;
  users: Int32Array;
  items: Int32Array;
  /** [ΣC] sentence-table rows of all candidates, graph after graph */
  sentenceRows: Int32Array;
  /** [ΣA] attribute ids of all attribute nodes */
  attrIds: Int32Array;
  /** [ΣC] batch node of each candidate, and of its graph's user and item */
  sentenceNodes: Int32Array;
  userNodeOfSentence: Int32Array;
  itemNodeOfSentence: Int32Array;
  /** [ΣA] batch node of each attribute node */
  attrNodes: Int32Array;
  /** [B + 1] candidate and attribute-node offsets per graph */
  sentenceOffsets: Int32Array;
  attrOffsets: Int32Array;
  /** training only: [ΣC] relevance levels; [ΣA] 1 if the attribute is in a level-3 candidate */
  levels?: Uint8Array;
  attrLabels?: Float32Array;
  /** [ΣC × pairFeatureWidth] the candidates' pair features (width 0 and empty when the examples have none) */
  pairFeatures: Float32Array;
  pairFeatureWidth: number;
  dispose(): void;
}

export function makeBatch(examples: readonly PairExample[], graphs?: readonly PairGraph[]): GreenerBatch {
  const pgs = graphs ?? examples.map(buildPairGraph);
  const batch = batchGraphs(pgs.map((p) => p.graph));
  const B = examples.length;
  const sentenceOffsets = new Int32Array(B + 1), attrOffsets = new Int32Array(B + 1);
  pgs.forEach((p, b) => {
    sentenceOffsets[b + 1] = sentenceOffsets[b] + p.numSentences;
    attrOffsets[b + 1] = attrOffsets[b] + p.attrIds.length;
  });
  const S = sentenceOffsets[B], A = attrOffsets[B];
  const sentenceRows = new Int32Array(S), sentenceNodes = new Int32Array(S);
  const userNodeOfSentence = new Int32Array(S), itemNodeOfSentence = new Int32Array(S);
  const attrIds = new Int32Array(A), attrNodes = new Int32Array(A);
  const withLabels = examples.every((e) => e.levels);
  const levels = withLabels ? new Uint8Array(S) : undefined;
  const attrLabels = withLabels ? new Float32Array(A) : undefined;
  examples.forEach((ex, b) => {
    const p = pgs[b], base = batch.nodeOffsets[b], s0 = sentenceOffsets[b], a0 = attrOffsets[b];
    sentenceRows.set(ex.candidates, s0);
    for (let s = 0; s < p.numSentences; s++) {
      sentenceNodes[s0 + s] = base + 2 + s;
      userNodeOfSentence[s0 + s] = base + USER;
      itemNodeOfSentence[s0 + s] = base + ITEM;
    }
    attrIds.set(p.attrIds, a0);
    for (let j = 0; j < p.attrIds.length; j++) attrNodes[a0 + j] = base + 2 + p.numSentences + j;
    if (levels && attrLabels) {
      levels.set(ex.levels!, s0);
      const pos = new Set<number>();
      ex.candidateAttrs.forEach((list, s) => {
        if (ex.levels![s] === 3) for (const a of list) pos.add(a);
      });
      for (let j = 0; j < p.attrIds.length; j++) attrLabels[a0 + j] = pos.has(p.attrIds[j]) ? 1 : 0;
    }
  });
  // pair features: all examples or none, one width
  const withPf = examples.filter((e) => e.pairFeatures).length;
  if (withPf !== 0 && withPf !== B) throw new RangeError(`GREENer batch: ${withPf} of ${B} examples carry pair features; all or none must`);
  let pairFeatureWidth = 0;
  let pairFeatures = new Float32Array(0);
  if (withPf && S > 0) {
    const ex0 = examples.find((e) => e.candidates.length > 0)!;
    pairFeatureWidth = ex0.pairFeatures!.length / ex0.candidates.length;
    pairFeatures = new Float32Array(S * pairFeatureWidth);
    examples.forEach((ex, b) => {
      if (ex.pairFeatures!.length !== ex.candidates.length * pairFeatureWidth) {
        throw new RangeError(`GREENer batch: example ${b} has ${ex.pairFeatures!.length} pair feature values for ${ex.candidates.length} candidates × width ${pairFeatureWidth}`);
      }
      pairFeatures.set(ex.pairFeatures!, sentenceOffsets[b] * pairFeatureWidth);
    });
  }
  const csr = toCsr(batch.graph);
  return {
    pairFeatures, pairFeatureWidth,
    size: B, batch, csr,
    users: Int32Array.from(examples, (e) => e.user),
    items: Int32Array.from(examples, (e) => e.item),
    sentenceRows, attrIds, sentenceNodes, userNodeOfSentence, itemNodeOfSentence, attrNodes,
    sentenceOffsets, attrOffsets, levels, attrLabels,
    dispose: () => csr.dispose(),
  };
}
