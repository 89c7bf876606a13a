// `recforge bench gnn`: the fused GAT layer (gatAttention: one native kernel forward, one
// backward) against the op-by-op GAT built from foundation ops (gatAttentionReference: gather
// by edge, LeakyReLU, scatter softmax, [E, H, F] messages, scatterAdd — the PyG way), forward +
// backward, at GREENer's batch shape and on a large single graph. Both start from the same
// projected features Wh (the projection matmul is shared and not timed).
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { Generator } from "../tensor/random.js";
import { randn, gatAttention, gatAttentionReference } from "../ops/index.js";
import { backward } from "../autograd/engine.js";
import { graph, type Graph } from "../graph/graph.js";
import { batchGraphs } from "../graph/batch.js";
import { toCsr, type CsrGraph } from "../graph/csr.js";
import { startProvenance, type Provenance } from "../provenance.js";
import { benchProgress, log, timeIt } from "./timing.js";
import { mulberry32 } from "../prng.js";

export interface GatBenchRow {
  name: string;
  graphs: number;
  nodes: number;
  edges: number;
  heads: number;
  features: number;
  fused_ms: number;
  reference_ms: number;
  /** reference_ms / fused_ms, from the unrounded medians. */
  speedup: number;
  /** Alternated (fused, reference) pairs behind the medians. */
  runs: number;
  /** Largest |fused − reference| over the attention output, on the same inputs the timing used. */
  max_abs_diff: number;
}

export interface GnnBenchResult {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, threads) and load at start and end. */
  provenance: Provenance;
  note: string;
  gat: GatBenchRow[];
}

/**
 * A graph shaped like GREENer's per-pair graph: node 0 the user, node 1 the item, `attrs`
 * attributes, `sentences` sentences each containing 1–4 attributes; edges sentence–attribute,
 * user–attribute, item–attribute, both directions (self-loops are added later).
 */
export function greenerShapedGraph(rand: () => number, sentences: number, attrs: number): Graph {
  const src: number[] = [], dst: number[] = [];
  const both = (a: number, b: number) => {
    src.push(a, b);
    dst.push(b, a);
  };
  const attr0 = 2, sent0 = 2 + attrs;
  for (let a = 0; a < attrs; a++) {
    if (rand() < 0.5) both(0, attr0 + a);
    both(1, attr0 + a);
  }
  for (let s = 0; s < sentences; s++) {
    const k = 1 + Math.floor(rand() * 4);
    const seen = new Set<number>();
    for (let j = 0; j < k; j++) {
      // attribute popularity is skewed, as aspect words are
      const a = Math.floor(attrs * rand() * rand());
      if (seen.has(a)) continue;
      seen.add(a);
      both(sent0 + s, attr0 + a);
    }
  }
  return graph({ numNodes: sent0 + sentences, src, dst });
}

function randomGraph(rand: () => number, n: number, avgDegree: number): Graph {
  const e = n * avgDegree;
  const src = new Int32Array(e), dst = new Int32Array(e);
  for (let i = 0; i < e; i++) {
    src[i] = Math.floor(rand() * n);
    dst[i] = Math.floor(rand() * n);
  }
  return graph({ numNodes: n, src, dst });
}

function timeGat(name: string, numGraphs: number, csr: CsrGraph, H: number, F: number, quick: boolean): GatBenchRow {
  const N = csr.numNodes;
  const gen = new Generator(7);
  const wh = randn([N, H, F], { generator: gen }).requiresGrad_();
  const aSrc = randn([H, F], { generator: gen, std: 0.1 }).requiresGrad_();
  const aDst = randn([H, F], { generator: gen, std: 0.1 }).requiresGrad_();
  const G = randn([N, H, F], { generator: gen });
  const step = (fn: typeof gatAttention) => () => {
    tidy(() => {
      const out = fn(wh, aSrc, aDst, csr);
      // backward with upstream gradient G (as from a loss Σ out·G)
      backward(out, G);
    });
    for (const p of [wh, aSrc, aDst]) p.zeroGrad();
  };
  // the two must agree before their times mean anything
  const diff = tidy(() => {
    const a = gatAttention(wh, aSrc, aDst, csr).toTypedArray();
    const b = gatAttentionReference(wh, aSrc, aDst, csr).toTypedArray();
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  });
  const reps = quick ? 3 : 7;
  // interleave runs so that machine noise hits both sides alike
  const fusedTimes: number[] = [], refTimes: number[] = [];
  step(gatAttention)();
  step(gatAttentionReference)();
  for (let r = 0; r < reps; r++) {
    fusedTimes.push(timeIt(step(gatAttention), { reps: 1, warmup: 0 }));
    refTimes.push(timeIt(step(gatAttentionReference), { reps: 1, warmup: 0 }));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const fused = med(fusedTimes), ref = med(refTimes);
  [wh, aSrc, aDst, G].forEach((t: Tensor) => t.dispose());
  const row: GatBenchRow = {
    name, graphs: numGraphs, nodes: N, edges: csr.numEdges, heads: H, features: F,
    fused_ms: round(fused, 2), reference_ms: round(ref, 2), speedup: round(ref / fused, 2), runs: reps, max_abs_diff: diff,
  };
  log(`gat ${name}: ${numGraphs} graph(s), ${N} nodes, ${csr.numEdges} edges, H=${H} F=${F}: fused ${fused.toFixed(2)} ms, op-by-op ${ref.toFixed(2)} ms (${(ref / fused).toFixed(2)}x), max |diff| ${diff.toExponential(1)}`);
  return row;
}

/** `batchGraphs` (default 32) and `largeNodes` (default 20000 quick, 100000 otherwise) shrink the run for tests. */
export function benchGnn(opts: { quick?: boolean; command?: string; batchGraphs?: number; largeNodes?: number } = {}): GnnBenchResult {
  const quick = !!opts.quick;
  const done = startProvenance(opts.command);
  const rand = mulberry32(1);
  const rows: GatBenchRow[] = [];
  // GREENer's training batch: 32 graphs of ~500 nodes (≈450 sentences, 48 attributes, user, item),
  // layer 1 (4 heads × 64 = 256 hidden) and layer 2 (1 head × 256).
  const nb = opts.batchGraphs ?? 32;
  const batch = batchGraphs(Array.from({ length: nb }, () => greenerShapedGraph(rand, 450, 48)));
  const base = toCsr(batch.graph);
  const csr = base.withSelfLoops();
  benchProgress(0, 3, "greener-batch layer1");
  rows.push(timeGat("greener-batch layer1", nb, csr, 4, 64, quick));
  benchProgress(1, 3, "greener-batch layer1");
  rows.push(timeGat("greener-batch layer2", nb, csr, 1, 256, quick));
  benchProgress(2, 3, "greener-batch layer2");
  base.dispose();
  // A large single graph (random, average in-degree 10 + self-loops).
  const n = opts.largeNodes ?? (quick ? 20000 : 100000);
  const bigBase = toCsr(randomGraph(rand, n, 10));
  const big = bigBase.withSelfLoops();
  rows.push(timeGat("large single graph", 1, big, 4, 16, quick));
  benchProgress(3, 3, "large single graph");
  bigBase.dispose();
  return {
    provenance: done(),
    note: "fused_ms / reference_ms: median wall time of one forward + backward of the GAT attention layer (after the shared projection), float32, CPU; reference = op-by-op GAT from foundation ops (lib/ops/graph_reference.ts)",
    gat: rows,
  };
}

function round(v: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
