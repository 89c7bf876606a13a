// The message-passing structure of a batch of B same-size instances: the disjoint union of their
// graphs (lib/graph batchGraphs) as a destination-grouped CSR, per-edge weights w_uv in CSR order,
// and the edge → node CSR that averages per-edge features into their destination (the MPNN's
// μ-free term (1/|N(v)|) Σ_u relu(θ3 w_uv)). Edges: every pair with w_uv != 0, or, with `knn`, the
// K nearest neighbours of each node (the paper's K = 50 for n > 50), made symmetric.
import { Tensor } from "../../../tensor/tensor.js";
import type { DType } from "../../../tensor/dtype.js";
import { tensor } from "../../../ops/index.js";
import { graph, batchGraphs, toCsr, bipartiteCsr, type CsrGraph } from "../../../graph/index.js";

export interface CopGraphOptions {
  /** Keep each node's K nearest (smallest matrix entry) neighbours, symmetrised; default all non-zero pairs. */
  knn?: number;
  dtype?: DType;
}

export class CopGraphBatch {
  readonly batch: number;
  readonly n: number;
  readonly csr: CsrGraph;
  /** [E] w_uv per CSR edge. */
  readonly weight: Tensor;
  /** The same weights on the host (float64; the gain features read them). */
  readonly hostWeight: Float64Array;
  /** Edge → destination node CSR (source e = CSR edge e of `csr`). */
  readonly edgeToNode: CsrGraph;

  constructor(matrix: Float64Array, batch: number, n: number, opts: CopGraphOptions = {}) {
    if (!(matrix instanceof Float64Array) || matrix.length !== batch * n * n)
      throw new RangeError(`recforge: CopGraphBatch: matrix must be a Float64Array of B*n*n = ${batch * n * n} entries`);
    const K = opts.knn;
    if (K !== undefined && (!Number.isInteger(K) || K < 1)) throw new RangeError(`recforge: CopGraphBatch: knn must be an integer >= 1, got ${K}`);
    this.batch = batch;
    this.n = n;
    const graphs = [];
    for (let b = 0; b < batch; b++) {
      const m = matrix.subarray(b * n * n, (b + 1) * n * n);
      const keep = new Uint8Array(n * n);
      for (let u = 0; u < n; u++) {
        if (K !== undefined && K < n - 1) {
          const order = Array.from({ length: n }, (_, v) => v).filter((v) => v !== u).sort((a, c) => m[u * n + a] - m[u * n + c] || a - c);
          for (const v of order.slice(0, K)) keep[u * n + v] = keep[v * n + u] = 1;
        } else for (let v = 0; v < n; v++) if (v !== u && m[u * n + v] !== 0) keep[u * n + v] = 1;
      }
      const src: number[] = [], dst: number[] = [];
      for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) if (keep[u * n + v]) { src.push(u); dst.push(v); }
      graphs.push(graph({ numNodes: n, src, dst }));
    }
    const gb = batchGraphs(graphs);
    this.csr = toCsr(gb.graph);
    const E = this.csr.numEdges;
    const w = new Float64Array(E);
    for (let e = 0; e < E; e++) {
      const s = this.csr.src[e], d = this.csr.dst[e];
      const b = Math.floor(s / n);
      w[e] = matrix[b * n * n + (s - b * n) * n + (d - b * n)];
    }
    this.hostWeight = w;
    this.weight = tensor(w, { dtype: opts.dtype ?? "float32" }).keep();
    this.edgeToNode = bipartiteCsr({ numSrc: E, numDst: batch * n, src: Int32Array.from({ length: E }, (_, e) => e), dst: this.csr.dst });
  }

  dispose(): void {
    this.csr.dispose();
    this.edgeToNode.dispose();
    this.weight.dispose();
  }
}
