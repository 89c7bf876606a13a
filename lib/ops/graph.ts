// Differentiable message-passing ops over the native graph kernels (message_passing.h,
// edge_softmax.h, gat.h): one fused kernel forward, one backward, on a CsrGraph.
//
// Per-edge tensors ([E] weights, [E, H] scores / attention) are in the graph's CSR order
// (CsrGraph.edgesToCsrOrder reorders Graph-order data). Each op saves detached views of the
// graph's index tensors, so disposing the CsrGraph before backward() is safe.
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { shapeStr } from "../tensor/shape.js";
import type { Device } from "../tensor/dtype.js";
import { assertFloat, assertNumber, assertSameDType, assertTensor, backendFor, code, contiguousRaw, empty } from "./core.js";

/**
 * What the graph ops read from a graph: lib/graph's CsrGraph (toCsr, bipartiteCsr) is one. The ops
 * sit below lib/graph (which builds the CSR with ops), so they name the shape they need, not the class.
 * Index tensors are int32 and owned by the graph; CSR edge order (see lib/graph/csr.ts).
 */
export interface CsrIndex {
  readonly numDst: number;
  readonly numSrc: number;
  readonly numEdges: number;
  /** [numDst + 1] on the host: the edges into d are CSR positions rowptr[d] .. rowptr[d+1]-1. */
  readonly rowptr: Int32Array;
  readonly isSquare: boolean;
  readonly isDisposed: boolean;
  /** [E] source / destination node per CSR edge, as tensors on the cpu. */
  readonly srcTensor: Tensor;
  readonly dstTensor: Tensor;
  /** Incoming edges per destination. */
  inDegree(): Int32Array;
  /** The CSR's index tensors on `device` (cached by the graph). */
  on(device: Device): { rowptr: Tensor; src: Tensor };
  /** The source-grouped transpose on `device` (for backward passes). */
  transposeOn(device: Device): { rowptr: Tensor; dst: Tensor; eid: Tensor };
}

export type SegmentReduce = "sum" | "mean" | "max" | "min";
const REDUCE_CODE: Record<SegmentReduce, number> = { sum: 0, mean: 1, max: 2, min: 3 };

function assertGraph(g: unknown, op: string): CsrIndex {
  const c = g as CsrIndex;
  if (!c || typeof c !== "object" || !(c.rowptr instanceof Int32Array) || typeof c.numEdges !== "number")
    throw new TypeError(`recforge: ${op}: graph must be a CsrGraph (toCsr(graph(...)))`);
  if (c.isDisposed) throw new TypeError(`recforge: ${op}: the CsrGraph was disposed`);
  return c;
}

export interface SegmentAggregateOptions {
  /** Per-edge weights [E] (CSR order): messages are w[e] * x[src(e)]. Differentiable. */
  weight?: Tensor | null;
}

/**
 * out[d] = reduce over the edges e into d of w[e] * x[src(e)]: "sum", "mean" (divided by the
 * in-degree), "max" / "min" (elementwise; the gradient goes to the first extreme edge).
 * x [numSrc, ...]; out [numDst, ...]. Nodes without incoming edges get 0.
 */
export function segmentAggregate(x: Tensor, graph: CsrIndex, reduce: SegmentReduce = "sum", opts: SegmentAggregateOptions = {}): Tensor {
  const op = "segmentAggregate";
  assertTensor(x, op, "x");
  assertFloat(x, op, "x");
  const g = assertGraph(graph, op);
  const rc = REDUCE_CODE[reduce];
  if (rc === undefined) throw new TypeError(`recforge: ${op}: reduce must be "sum", "mean", "max" or "min", got ${JSON.stringify(reduce)}`);
  if (x.ndim < 1 || x.shape[0] !== g.numSrc)
    throw new RangeError(`recforge: ${op}: x ${shapeStr(x.shape)} must have one row per source node (${g.numSrc})`);
  const w = opts.weight ?? null;
  if (w) {
    assertTensor(w, op, "weight");
    assertSameDType(x, w, op);
    if (w.ndim !== 1 || w.shape[0] !== g.numEdges)
      throw new RangeError(`recforge: ${op}: weight ${shapeStr(w.shape)} must be [${g.numEdges}] (one per edge, CSR order)`);
  }
  const rest = x.shape.slice(1);
  const F = rest.reduce((p, c) => p * c, 1);
  const extreme = rc >= 2;
  const be = backendFor(x, w);
  const xc = contiguousRaw(x), wc = w ? contiguousRaw(w) : null;
  const out = empty([g.numDst, ...rest], x.dtype, x.device);
  const arg = extreme ? empty([g.numDst, F], "int32", x.device) : null;
  const csr = g.on(x.device);
  be.segmentAggregate({ dtype: code(x), reduce: rc, nDst: g.numDst, nSrc: g.numSrc, F, nEdges: g.numEdges, rowptr: csr.rowptr, src: csr.src,
    x: xc, w: wc, out, arg });
  if (!needsGrad(x, w)) {
    if (xc !== x) xc.dispose();
    if (wc && wc !== w) wc.dispose();
    arg?.dispose();
    return out;
  }
  const rowptr = save(csr.rowptr), src = save(csr.src);
  const wantDx = x.requiresGrad, wantDw = !!w?.requiresGrad;
  const t = wantDx ? g.transposeOn(x.device) : null;
  const tr = t ? [save(t.rowptr), save(t.dst), save(t.eid)] : [];
  // x is needed only for the weight gradient; w for both.
  const xs = wantDw ? (xc !== x ? xc : save(x)) : null;
  if (!xs && xc !== x) xc.dispose();
  const ws = wc ? (wc !== w ? wc : save(wc)) : null;
  const saved = [rowptr, src, ...tr, ...(xs ? [xs] : []), ...(ws ? [ws] : []), ...(arg ? [arg] : [])];
  return record(out, op, [x, w], (grad) => {
    const gc = contiguousRaw(grad);
    const be = backendFor(gc, xs, ws);
    const dx = wantDx ? empty(x.shape, x.dtype, x.device) : null;
    const dw = wantDw ? empty([g.numEdges], x.dtype, x.device) : null;
    be.segmentAggregateBackward({ dtype: code(x), reduce: rc, nDst: g.numDst, nSrc: g.numSrc, F, nEdges: g.numEdges, rowptr, src,
      tRowptr: tr[0] ?? null, tDst: tr[1] ?? null, tEid: tr[2] ?? null, x: xs, w: ws, arg, dout: gc, dx, dw });
    if (gc !== grad) gc.dispose();
    return [dx, dw];
  }, saved);
}

/**
 * Softmax over the incoming edges of each destination, per head: scores [E] or [E, H] in CSR
 * order → attention of the same shape (DGL edge_softmax, PyG softmax(src, index)).
 */
export function edgeSoftmax(scores: Tensor, graph: CsrIndex): Tensor {
  const op = "edgeSoftmax";
  assertTensor(scores, op, "scores");
  assertFloat(scores, op, "scores");
  const g = assertGraph(graph, op);
  if (scores.ndim < 1 || scores.ndim > 2 || scores.shape[0] !== g.numEdges)
    throw new RangeError(`recforge: ${op}: scores ${shapeStr(scores.shape)} must be [${g.numEdges}] or [${g.numEdges}, H] (one row per edge, CSR order)`);
  const H = scores.ndim === 2 ? scores.shape[1] : 1;
  const be = backendFor(scores);
  const sc = contiguousRaw(scores);
  const alpha = empty(scores.shape, scores.dtype, scores.device);
  const csrRowptr = g.on(scores.device).rowptr;
  be.edgeSoftmax({ dtype: code(scores), nDst: g.numDst, H, nEdges: g.numEdges, rowptr: csrRowptr, scores: sc, alpha });
  if (sc !== scores) sc.dispose();
  if (!needsGrad(scores)) return alpha;
  const rowptr = save(csrRowptr), as = save(alpha);
  return record(alpha, op, [scores], (grad) => {
    const gc = contiguousRaw(grad);
    const ds = empty(scores.shape, scores.dtype, scores.device);
    backendFor(as, gc).edgeSoftmaxBackward({ dtype: code(scores), nDst: g.numDst, H, nEdges: g.numEdges, rowptr, alpha: as, dalpha: gc, dscores: ds });
    if (gc !== grad) gc.dispose();
    return [ds];
  }, [rowptr, as]);
}

export interface GatAttentionOptions {
  /** LeakyReLU slope of the attention logits (default 0.2, as GATConv). */
  negativeSlope?: number;
}

function gatImpl(wh: Tensor, aSrc: Tensor, aDst: Tensor, graph: CsrIndex, opts: GatAttentionOptions): { out: Tensor; alpha: Tensor } {
  const op = "gatAttention";
  assertTensor(wh, op, "wh");
  assertTensor(aSrc, op, "aSrc");
  assertTensor(aDst, op, "aDst");
  assertFloat(wh, op, "wh");
  assertSameDType(wh, aSrc, op);
  assertSameDType(wh, aDst, op);
  const g = assertGraph(graph, op);
  if (!g.isSquare) throw new RangeError(`recforge: ${op}: needs a graph with one node set (got ${g.numSrc} sources, ${g.numDst} destinations)`);
  const slope = assertNumber(opts.negativeSlope ?? 0.2, op, "negativeSlope");
  if (!(slope >= 0 && slope <= 1)) throw new RangeError(`recforge: ${op}: negativeSlope must be in [0, 1], got ${slope}`);
  if (wh.ndim !== 3 || wh.shape[0] !== g.numDst)
    throw new RangeError(`recforge: ${op}: wh ${shapeStr(wh.shape)} must be [N, H, F] with N = ${g.numDst} nodes`);
  const [N, H, F] = wh.shape;
  for (const [a, what] of [[aSrc, "aSrc"], [aDst, "aDst"]] as const)
    if (a.ndim !== 2 || a.shape[0] !== H || a.shape[1] !== F)
      throw new RangeError(`recforge: ${op}: ${what} ${shapeStr(a.shape)} must be [H, F] = [${H}, ${F}] for wh ${shapeStr(wh.shape)}`);
  const E = g.numEdges;
  const be = backendFor(wh, aSrc, aDst);
  const dev = wh.device;
  const whc = contiguousRaw(wh), asc = contiguousRaw(aSrc), adc = contiguousRaw(aDst);
  const out = empty([N, H, F], wh.dtype, dev), el = empty([N, H], wh.dtype, dev), er = empty([N, H], wh.dtype, dev);
  const alpha = empty([E, H], wh.dtype, dev);
  const csr = g.on(dev);
  be.gatForward({ dtype: code(wh), N, H, F, nEdges: E, negativeSlope: slope, rowptr: csr.rowptr, src: csr.src, wh: whc, aSrc: asc, aDst: adc,
    out, el, er, alpha });
  if (!needsGrad(wh, aSrc, aDst)) {
    for (const [c, o] of [[whc, wh], [asc, aSrc], [adc, aDst]]) if (c !== o) c.dispose();
    el.dispose();
    er.dispose();
    return { out, alpha };
  }
  const t = g.transposeOn(dev);
  const gs = [csr.rowptr, csr.src, t.rowptr, t.dst, t.eid].map(save);
  const keepOrSave = (c: Tensor, o: Tensor) => (c !== o ? c : save(o));
  const whs = keepOrSave(whc, wh), ass = keepOrSave(asc, aSrc), ads = keepOrSave(adc, aDst);
  const alphaS = save(alpha);
  const res = record(out, op, [wh, aSrc, aDst], (grad) => {
    const gc = contiguousRaw(grad);
    const be = backendFor(whs, gc);
    const dwh = empty([N, H, F], wh.dtype, dev), das = empty([H, F], wh.dtype, dev), dad = empty([H, F], wh.dtype, dev);
    const ws = empty([be.gatWorkspaceSize({ N, nEdges: E, H, F })], wh.dtype, dev);
    be.gatBackward({ dtype: code(wh), N, H, F, nEdges: E, negativeSlope: slope, rowptr: gs[0], src: gs[1], tRowptr: gs[2], tDst: gs[3], tEid: gs[4],
      wh: whs, aSrc: ass, aDst: ads, el, er, alpha: alphaS, dout: gc, dWh: dwh, daSrc: das, daDst: dad, workspace: ws });
    ws.dispose();
    if (gc !== grad) gc.dispose();
    const r = [wh.requiresGrad ? dwh : null, aSrc.requiresGrad ? das : null, aDst.requiresGrad ? dad : null];
    [dwh, das, dad].forEach((d, i) => r[i] === null && d.dispose());
    return r;
  }, [...gs, whs, ass, ads, el, er, alphaS]);
  return { out: res, alpha };
}

/**
 * The fused GAT attention layer after the projection Wh = h W (PyG GATConv / DGL GATConv math):
 *   e[edge s→d, h] = LeakyReLU(<Wh[s,h], aSrc[h]> + <Wh[d,h], aDst[h]>)
 *   α = softmax of e over the edges into d (per head);  out[d, h] = Σ α · Wh[s, h].
 * wh [N, H, F], aSrc / aDst [H, F] → out [N, H, F]. Self-loops are not added here (add them to
 * the graph: CsrGraph.withSelfLoops()). Nodes without incoming edges output 0. Differentiable
 * in all three inputs; no [E, H, F] tensor is ever materialised.
 */
export function gatAttention(wh: Tensor, aSrc: Tensor, aDst: Tensor, graph: CsrIndex, opts: GatAttentionOptions = {}): Tensor {
  const { out, alpha } = gatImpl(wh, aSrc, aDst, graph, opts);
  alpha.dispose(); // backward keeps its own (detached) view of the attention
  return out;
}

/** gatAttention that also returns the attention weights α [E, H] (CSR order; not differentiable). */
export function gatAttentionWithWeights(wh: Tensor, aSrc: Tensor, aDst: Tensor, graph: CsrIndex, opts: GatAttentionOptions = {}): { out: Tensor; attention: Tensor } {
  const { out, alpha } = gatImpl(wh, aSrc, aDst, graph, opts);
  return { out, attention: alpha };
}
