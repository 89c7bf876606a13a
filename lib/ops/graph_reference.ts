// Op-by-op versions of the graph ops, built only from the foundation's general ops (gather rows
// by edge, elementwise maps, scatterAdd, reductions) the way scatter-based libraries
// (PyTorch Geometric, DGL without fused kernels) compute them. They materialise per-edge
// tensors ([E, H, F] messages for GAT) and run one kernel per step.
// Used by the tests (the fused kernels must agree with them, forward and backward) and by
// `recforge bench gnn` (the baseline the fused GAT layer is timed against).
//
// Two documented simplifications, neither changes a result:
//  - The softmax shift is the per-head maximum over ALL edges (detached), not the per-
//    destination maximum PyG obtains with scatter-max (the foundation has no scatter-max).
//    Softmax is invariant to any shift, so values and gradients are the same; only a
//    destination whose scores all lie ~80 (float32) below the global maximum would underflow.
//  - segment max / min gathers each destination's edges into a padded [numDst, maxDeg, F]
//    block; it is meant for tests on small graphs (memory O(numDst · maxDegree · F)).
import { noGrad } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { add, clamp, div, exp, gt, leakyRelu, mul, sub, where } from "./elementwise.js";
import { amax, max, min, sum } from "./reduce.js";
import { concat, expand, reshape, unsqueeze } from "./shape.js";
import { indexSelect, scatterAdd } from "./indexing.js";
import { full, tensor, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import type { CsrIndex, SegmentReduce } from "./graph.js";

/** Sums rows of `values` [E, ...] into [numDst, ...] by each edge's destination (scatterAdd). */
function scatterToDst(values: Tensor, graph: CsrIndex): Tensor {
  const E = graph.numEdges;
  const rest = values.shape.slice(1);
  const idx = expand(reshape(graph.dstTensor, [E, ...rest.map(() => 1)]), [E, ...rest]);
  return scatterAdd(zeros([graph.numDst, ...rest], { dtype: values.dtype }), 0, idx, values);
}

/** segmentAggregate computed op by op. */
export function segmentAggregateReference(x: Tensor, graph: CsrIndex, reduce: SegmentReduce = "sum", opts: { weight?: Tensor | null } = {}): Tensor {
  return tidy(() => {
    const E = graph.numEdges, nd = graph.numDst;
    const rest = x.shape.slice(1);
    const F = rest.reduce((p, c) => p * c, 1);
    let msgs = indexSelect(reshape(x, [graph.numSrc, F]), 0, graph.srcTensor); // [E, F]
    if (opts.weight) msgs = mul(msgs, unsqueeze(opts.weight, 1));
    let out: Tensor;
    const deg = graph.inDegree();
    if (reduce === "sum" || reduce === "mean") {
      out = scatterToDst(msgs, graph);
      if (reduce === "mean") out = div(out, clamp(tensor(Float64Array.from(deg), { dtype: x.dtype, shape: [nd, 1] }), 1));
    } else if (reduce === "max" || reduce === "min") {
      const maxDeg = Math.max(1, ...deg);
      const slots = new Int32Array(nd * maxDeg).fill(E); // E = the padding row
      for (let d = 0; d < nd; d++) for (let k = 0; k < deg[d]; k++) slots[d * maxDeg + k] = graph.rowptr[d] + k;
      const pad = full([1, F], reduce === "max" ? -Infinity : Infinity, { dtype: x.dtype });
      const block = reshape(indexSelect(concat([msgs, pad], 0), 0, tensor(slots)), [nd, maxDeg, F]);
      const ext = (reduce === "max" ? max : min)(block, 1).values;
      const has = tensor(Float64Array.from(deg, (v) => (v > 0 ? 1 : 0)), { dtype: x.dtype, shape: [nd, 1] });
      out = where(gt(has, 0), ext, 0);
    } else throw new TypeError(`recforge: segmentAggregateReference: unknown reduce ${JSON.stringify(reduce)}`);
    return reshape(out, [nd, ...rest]);
  });
}

/** edgeSoftmax computed op by op: exp(s - shift) / scatter-sum gathered back to the edges. */
export function edgeSoftmaxReference(scores: Tensor, graph: CsrIndex): Tensor {
  if (graph.numEdges === 0) return clone(scores);
  return tidy(() => {
    const s2 = scores.ndim === 1 ? reshape(scores, [graph.numEdges, 1]) : scores;
    const shift = noGrad(() => amax(s2, 0, true)); // [1, H], a constant: see the header
    const ex = exp(sub(s2, shift));
    const den = scatterToDst(ex, graph); // [numDst, H]
    const alpha = div(ex, indexSelect(den, 0, graph.dstTensor));
    return reshape(alpha, scores.shape as number[]);
  });
}

/**
 * The GAT layer of gatAttention computed op by op, as PyG's GATConv does:
 * el/er = Σ_f Wh·a, gather both to the edges, LeakyReLU, edge softmax, gather source rows
 * [E, H, F], scale by α, scatter-add to the destinations.
 */
export function gatAttentionReference(wh: Tensor, aSrc: Tensor, aDst: Tensor, graph: CsrIndex, opts: { negativeSlope?: number } = {}): Tensor {
  const slope = opts.negativeSlope ?? 0.2;
  return tidy(() => {
    const el = sum(mul(wh, aSrc), -1); // [N, H]
    const er = sum(mul(wh, aDst), -1);
    const z = leakyRelu(add(indexSelect(el, 0, graph.srcTensor), indexSelect(er, 0, graph.dstTensor)), slope); // [E, H]
    const alpha = edgeSoftmaxReference(z, graph);
    const msg = mul(indexSelect(wh, 0, graph.srcTensor), unsqueeze(alpha, -1)); // [E, H, F]
    return scatterToDst(msg, graph);
  });
}
