// matmul (batched, broadcasting batch dims) and linear, on the single native GEMM entry
// point. Transposed views are passed to GEMM as transpose flags, never copied. Inside an
// autocast scope (lib/amp/autocast.ts), float32 products on cuda go to gemmLowp instead:
// 16-bit inputs, fp32 accumulation, float32 result; the backward GEMMs keep the forward's kind.
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastShapes, shapeStr } from "../tensor/shape.js";
import { assertFloat, assertSameDType, assertTensor, code, empty, backendFor, kernelFor } from "./core.js";
import { autocastKind } from "../amp/autocast.js";
import { add, sumTo } from "./elementwise.js";
import { expand, reshape, squeeze, transpose, unsqueeze } from "./shape.js";

interface MatArg {
  t: Tensor; // tensor actually passed (maybe a copy)
  trans: boolean;
  ld: number;
  batchStride: number;
  owned: boolean;
}

// Describes how GEMM can read the last two dims of x (rows × cols) over `batch` entries.
function matArg(x: Tensor, batchShape: number[]): MatArg {
  const nd = x.ndim;
  const rows = x.shape[nd - 2], cols = x.shape[nd - 1];
  const sr = x.strides[nd - 2], sc = x.strides[nd - 1];
  // batch dims of x aligned to batchShape
  const xb = x.shape.slice(0, nd - 2), xs = x.strides.slice(0, nd - 2);
  const lead = batchShape.length - xb.length;
  const bshape: number[] = [], bstr: number[] = [];
  for (let i = 0; i < batchShape.length; i++) {
    const j = i - lead;
    if (batchShape[i] === 1) continue;
    bshape.push(batchShape[i]);
    bstr.push(j < 0 || xb[j] === 1 ? 0 : xs[j]);
  }
  // Collapsible batch: all-zero strides, or a single stride chain.
  let batchStride = 0, ok = true;
  if (bshape.length) {
    const allZero = bstr.every((s) => s === 0);
    if (!allZero) {
      for (let i = 0; i < bshape.length - 1; i++) if (bstr[i] !== bstr[i + 1] * bshape[i + 1]) ok = false;
      batchStride = bstr[bstr.length - 1];
    }
  }
  let trans = false, ld = 0;
  if ((sc === 1 || cols <= 1) && sr >= cols) {
    ld = Math.max(sr, cols, 1);
  } else if ((sr === 1 || rows <= 1) && sc >= rows) {
    trans = true;
    ld = Math.max(sc, rows, 1);
  } else ok = false;
  if (ok) return { t: x, trans, ld, batchStride, owned: false };
  // Fallback: materialise x expanded to the full batch, row-major.
  const full = [...batchShape, rows, cols];
  const v = expand(x, full);
  const c = empty(full, x.dtype, x.device);
  backendFor(v).stridedCopy({ dtype: code(x), shape: full, src: v, srcStrides: v.strides, dst: c, dstStrides: c.strides });
  if (v !== x) v.dispose();
  return { t: c, trans: false, ld: Math.max(cols, 1), batchStride: rows * cols, owned: true };
}

/**
 * out = a @ b without recording a graph. a: [..., M, K], b: [..., K, N]. lowp: -1 for the
 * dtype's own GEMM, else the 16-bit kind (0 bfloat16, 1 float16) of gemmLowp (float32 cuda only).
 */
export function matmulRaw(a: Tensor, b: Tensor, lowp = -1): Tensor {
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
  const batch = batchShape.reduce((p, c) => p * c, 1);
  const be = backendFor(a, b); // one device, checked before the output exists
  const out = empty([...batchShape, M, N], a.dtype, a.device);
  if (out.size === 0) return out;
  if (K === 0) {
    be.fill({ dtype: code(out), n: out.size, dst: out, value: 0 });
    return out;
  }
  const gemmLowp = lowp >= 0 ? kernelFor("matmul (autocast)", "gemmLowp", a, b) : null;
  const A = matArg(a, batchShape), B = matArg(b, batchShape);
  // Two literals, not a spread of a shared one: a spread copies every property (measured: +15% of
  // the instructions of a 2x2 matmul).
  const ldc = Math.max(N, 1);
  if (gemmLowp)
    gemmLowp({ kind: lowp, transA: A.trans, transB: B.trans, M, N, K, alpha: 1, a: A.t, lda: A.ld, strideA: A.batchStride, b: B.t, ldb: B.ld,
      strideB: B.batchStride, beta: 0, c: out, ldc, strideC: M * N, batch });
  else
    be.gemm({ dtype: code(a), transA: A.trans, transB: B.trans, M, N, K, alpha: 1, a: A.t, lda: A.ld, strideA: A.batchStride, b: B.t, ldb: B.ld,
      strideB: B.batchStride, beta: 0, c: out, ldc, strideC: M * N, batch });
  if (A.owned) A.t.dispose();
  if (B.owned) B.t.dispose();
  return out;
}

function checkMatmul(a: Tensor, b: Tensor): void {
  assertTensor(a, "matmul", "a");
  assertTensor(b, "matmul", "b");
  assertFloat(a, "matmul", "a");
  assertSameDType(a, b, "matmul");
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError(`recforge: matmul: needs at least 1-d operands, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
}

/** Matrix product with NumPy semantics: 1-d operands are promoted, batch dims broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkMatmul(a, b);
  // checked here, before 1-d operands are promoted, so the message shows the caller's shapes
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim === 1 ? 0 : b.ndim - 2])
    throw new RangeError(`recforge: matmul: inner dimensions differ: ${shapeStr(a.shape)} @ ${shapeStr(b.shape)}`);
  if (a.ndim === 1 || b.ndim === 1) {
    const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
    const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
    const r = matmul(a2, b2);
    let out = r;
    if (a.ndim === 1) out = squeeze(out, -2);
    if (b.ndim === 1) {
      const o2 = squeeze(out, -1);
      if (out !== r) out.dispose();
      out = o2;
    }
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
    if (out !== r) r.dispose();
    return out;
  }
  const K = a.shape[a.ndim - 1];
  if (b.shape[b.ndim - 2] !== K)
    throw new RangeError(`recforge: matmul: inner dimensions differ: ${shapeStr(a.shape)} @ ${shapeStr(b.shape)}`);
  // A stack of rows times one matrix is a single big GEMM: fold a's batch into M.
  if (b.ndim === 2 && a.ndim > 2 && a.isContiguous) {
    // explicit row count: reshape's -1 cannot infer it when K = 0
    const a2 = reshape(a, [a.shape.slice(0, -1).reduce((p, d) => p * d, 1), K]);
    const o2 = matmul(a2, b);
    const out = reshape(o2, [...a.shape.slice(0, -1), b.shape[1]]);
    if (a2 !== a) a2.dispose();
    if (o2 !== out) o2.dispose();
    return out;
  }
  // The autocast kind is fixed here: the backward GEMMs use it whenever backward() runs.
  const lowp = autocastKind(a, b);
  const out = matmulRaw(a, b, lowp);
  if (!needsGrad(a, b)) return out;
  const as = save(a), bs = save(b);
  return record(out, "matmul", [a, b], (g) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (a.requiresGrad) {
      const bt = transpose(bs);
      const full = matmulRaw(g, bt, lowp);
      bt.dispose();
      ga = sumTo(full, a.shape);
      if (ga !== full) full.dispose();
    }
    if (b.requiresGrad) {
      const at = transpose(as);
      const full = matmulRaw(at, g, lowp);
      at.dispose();
      gb = sumTo(full, b.shape);
      if (gb !== full) full.dispose();
    }
    return [ga, gb];
  }, [as, bs]);
}

/** y = x · Wᵀ + b with W: [out, in], x: [..., in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertTensor(x, "linear", "x");
  assertTensor(weight, "linear", "weight");
  if (bias !== undefined && bias !== null) assertTensor(bias, "linear", "bias");
  assertSameDType(x, weight, "linear");
  if (bias) assertSameDType(x, bias, "linear");
  if (weight.ndim !== 2) throw new RangeError(`recforge: linear: weight must be 2-d [out, in], got ${shapeStr(weight.shape)}`);
  if (x.ndim === 0) throw new RangeError(`recforge: linear: input must be at least 1-d, got ${shapeStr(x.shape)}`);
  if (x.shape[x.ndim - 1] !== weight.shape[1])
    throw new RangeError(`recforge: linear: input ${shapeStr(x.shape)} has ${x.shape[x.ndim - 1]} features, weight ${shapeStr(weight.shape)} expects ${weight.shape[1]}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]))
    throw new RangeError(`recforge: linear: bias ${shapeStr(bias.shape)} must be [${weight.shape[0]}]`);
  const wt = transpose(weight);
  const y = matmul(x, wt);
  wt.dispose();
  if (!bias) return y;
  const out = add(y, bias);
  y.dispose();
  return out;
}
