// The fused GRU op over native/include/recforge/gru.h: a whole multi-layer, optionally
// bidirectional GRU over a padded batch in one native call forward and one backward (BPTT),
// PyTorch's equations and weight layout. docs/gru.md has the layout, the lengths semantics and the
// cost model; lib/ops/gru_reference.ts is the same network built op by op (the benchmark baseline).
//
// Two outputs, one node: the gradient node is recorded on `output`; `hN` gets a small node whose
// input is `output` and whose backward only hands its gradient over to output's node (and gives
// `output` a zero placeholder, so output's node runs even when only hN was used). The engine's
// reverse topological order runs hN's node before output's, so the one native backward sees both
// dOutput and dhN.
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { shapeStr } from "../tensor/shape.js";
import { assertFloat, assertInt, assertTensor, backendFor, code, contiguousRaw, describe, empty, options, scalarLike } from "./core.js";
import { expand } from "./shape.js";
import { tensor } from "./creation.js";

/** One tensor per (layer, direction), index k = layer * dirs + dir (PyTorch's parameter order). */
export interface GruWeights {
  /** weight_ih_l{k}[_reverse]: [3H, in] for layer 0, [dirs*H, ...] → [3H, dirs*H] above; rows r, z, n. */
  wIh: Tensor[];
  /** weight_hh_l{k}[_reverse]: [3H, H]. */
  wHh: Tensor[];
  /** bias_ih / bias_hh [3H] each, or null / absent for a GRU without biases (both or neither). */
  bIh?: Tensor[] | null;
  bHh?: Tensor[] | null;
}

export interface GruOptions {
  /** Two directions (weights list forward, reverse per layer). Default false. */
  bidirectional?: boolean;
  /** Initial state [layers*dirs, B, H]; default zeros. Differentiable. */
  h0?: Tensor | null;
  /**
   * Real steps per row, [B] integers in [0, T] (an int32 tensor on x's device, an Int32Array or a
   * plain array); default: every row has T steps. Steps t >= length are padding: never read, output
   * 0, zero gradient; the reverse direction starts at each row's own last step. A zero-length row
   * gives hN = h0 and an all-zero output row.
   */
  lengths?: Tensor | Int32Array | readonly number[] | null;
}

export interface GruResult {
  /** [B, T, dirs*H]: the last layer's states, directions concatenated (0 at padding). */
  output: Tensor;
  /** [layers*dirs, B, H]: every layer's and direction's state after the row's last real step. */
  hN: Tensor;
}

function lengthsTensor(v: GruOptions["lengths"], B: number, T: number, x: Tensor, op: string): Tensor | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Tensor) {
    assertTensor(v, op, "lengths");
    assertInt(v, op, "lengths");
    if (v.ndim !== 1 || v.shape[0] !== B) throw new RangeError(`recforge: ${op}: lengths ${shapeStr(v.shape)} must be [B] = [${B}] for x ${shapeStr(x.shape)}`);
    if (v.device !== x.device) throw new TypeError(`recforge: ${op}: lengths is on ${v.device} but x is on ${x.device}`);
    return v; // values checked natively (on the device: one staged copy of B int32s)
  }
  if (!(v instanceof Int32Array) && !Array.isArray(v))
    throw new TypeError(`recforge: ${op}: lengths must be an int32 Tensor, an Int32Array or an array of integers, got ${describe(v)}`);
  if (v.length !== B) throw new RangeError(`recforge: ${op}: lengths has ${v.length} entries, x ${shapeStr(x.shape)} has B = ${B} rows`);
  for (let b = 0; b < B; b++) {
    const n = v[b];
    if (!Number.isInteger(n) || n < 0 || n > T) throw new RangeError(`recforge: ${op}: lengths[${b}] = ${n} must be an integer in [0, ${T}] (T = ${T})`);
  }
  return tensor(Int32Array.from(v), { device: x.device });
}

function tensorList(v: unknown, op: string, what: string, K: number): Tensor[] {
  if (!Array.isArray(v)) throw new TypeError(`recforge: ${op}: ${what} must be an array of ${K} tensors, got ${describe(v)}`);
  if (v.length !== K) throw new RangeError(`recforge: ${op}: ${what} has ${v.length} tensors, expected layers*dirs = ${K}`);
  v.forEach((t, k) => assertTensor(t, op, `${what}[${k}]`));
  return v as Tensor[];
}

/**
 * A multi-layer GRU (PyTorch's nn.GRU math and weights) over x [B, T, in] (batch first), fused:
 * one native call forward, one backward through time. Differentiable in x, h0 and every weight.
 * Layers and hidden size come from the weights: layers = wIh.length / dirs, H = wHh[0].shape[1].
 */
export function gru(x: Tensor, weights: GruWeights, opts: GruOptions = {}): GruResult {
  const op = "gru";
  opts = options(opts, op);
  assertTensor(x, op, "x");
  assertFloat(x, op, "x");
  if (x.ndim !== 3) throw new RangeError(`recforge: ${op}: x ${shapeStr(x.shape)} must be [B, T, in] (batch first)`);
  const [B, T, inF] = x.shape;
  if (inF < 1) throw new RangeError(`recforge: ${op}: x ${shapeStr(x.shape)} has no input features`);
  if (!weights || typeof weights !== "object") throw new TypeError(`recforge: ${op}: weights must be { wIh, wHh, bIh?, bHh? }, got ${describe(weights)}`);
  const bi = opts.bidirectional ?? false;
  if (typeof bi !== "boolean") throw new TypeError(`recforge: ${op}: bidirectional must be a boolean, got ${describe(bi)}`);
  const D = bi ? 2 : 1;
  if (!Array.isArray(weights.wIh) || weights.wIh.length === 0 || weights.wIh.length % D !== 0)
    throw new RangeError(`recforge: ${op}: wIh must be a non-empty array of layers*dirs tensors (dirs = ${D}), got ${describe(weights.wIh)}`);
  const K = weights.wIh.length, L = K / D;
  const wIh = tensorList(weights.wIh, op, "wIh", K), wHh = tensorList(weights.wHh, op, "wHh", K);
  const hasBias = weights.bIh != null || weights.bHh != null;
  if (hasBias && (weights.bIh == null || weights.bHh == null)) throw new TypeError(`recforge: ${op}: give both bIh and bHh, or neither`);
  const bIh = hasBias ? tensorList(weights.bIh, op, "bIh", K) : [];
  const bHh = hasBias ? tensorList(weights.bHh, op, "bHh", K) : [];
  if (wHh[0].ndim !== 2) throw new RangeError(`recforge: ${op}: wHh[0] ${shapeStr(wHh[0].shape)} must be [3H, H]`);
  const H = wHh[0].shape[1];
  if (H < 1) throw new RangeError(`recforge: ${op}: hidden size must be >= 1 (wHh[0] is ${shapeStr(wHh[0].shape)})`);
  const name = (base: string, k: number) => `${base}[${k}] (layer ${Math.floor(k / D)}${k % D ? ", reverse" : ""})`;
  const expectShape = (t: Tensor, shape: number[], what: string) => {
    if (t.dtype !== x.dtype) throw new TypeError(`recforge: ${op}: ${what} is ${t.dtype}, x is ${x.dtype}`);
    if (t.device !== x.device) throw new TypeError(`recforge: ${op}: ${what} is on ${t.device}, x is on ${x.device}`);
    if (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i]))
      throw new RangeError(`recforge: ${op}: ${what} ${shapeStr(t.shape)} must be ${shapeStr(shape)} (H = ${H}, in = ${inF}, dirs = ${D})`);
  };
  for (let k = 0; k < K; k++) {
    const inL = k < D ? inF : D * H;
    expectShape(wIh[k], [3 * H, inL], name("wIh", k));
    expectShape(wHh[k], [3 * H, H], name("wHh", k));
    if (hasBias) {
      expectShape(bIh[k], [3 * H], name("bIh", k));
      expectShape(bHh[k], [3 * H], name("bHh", k));
    }
  }
  const h0 = opts.h0 ?? null;
  if (h0 !== null) {
    assertTensor(h0, op, "h0");
    expectShape(h0, [K, B, H], "h0");
  }
  const lens = lengthsTensor(opts.lengths, B, T, x, op);
  const ownLens = lens !== null && lens !== opts.lengths;

  const dev = x.device;
  const be = backendFor(x);
  const dims = { B, T, inSize: inF, H, layers: L, dirs: D };
  // Scratch comes from the tensor allocator (its cache reuses blocks call after call: fresh pages
  // for a heap block each call cost more than the GRU's own elementwise work at large shapes).
  const [nReserve, nFwdWs, nBwdWs] = be.gruSizes(dims);
  const params = [...wIh, ...wHh, ...bIh, ...bHh];
  const xc = contiguousRaw(x), h0c = h0 ? contiguousRaw(h0) : null;
  const pc = params.map(contiguousRaw);
  const list = (ts: Tensor[]) => {
    // the table's tensor-list order, per k: wIh, wHh, (bIh, bHh)
    const a: Tensor[] = [];
    for (let k = 0; k < K; k++) {
      a.push(ts[k], ts[K + k]);
      if (hasBias) a.push(ts[2 * K + k], ts[3 * K + k]);
    }
    return a;
  };
  const output = empty([B, T, D * H], x.dtype, dev), hN = empty([K, B, H], x.dtype, dev);
  const reserve = empty([nReserve], x.dtype, dev);
  const fws = empty([nFwdWs], x.dtype, dev);
  try {
    be.gruForward({ dtype: code(x), ...dims, bias: hasBias, x: xc, lengths: lens, h0: h0c, out: output, hN, reserve, workspace: fws,
      weights: list(pc) });
  } catch (e) {
    for (const t of [output, hN, reserve]) t.dispose();
    pc.forEach((c, i) => c !== params[i] && c.dispose());
    if (xc !== x) xc.dispose();
    if (ownLens) lens!.dispose();
    throw e;
  } finally {
    fws.dispose();
    if (h0c && h0c !== h0) h0c.dispose();
  }
  const inputs = [x, h0, ...params];
  if (!needsGrad(...inputs)) {
    pc.forEach((c, i) => c !== params[i] && c.dispose());
    if (xc !== x) xc.dispose();
    reserve.dispose();
    if (ownLens) lens!.dispose();
    return { output, hN };
  }

  // The backward reads x as laid out for the forward: the contiguous copy when x was a strided view.
  const xs = xc !== x ? xc : save(x);
  const ps = pc.map((c, i) => (c !== params[i] ? c : save(c)));
  const ls = lens ? (ownLens ? lens : save(lens)) : null;
  let dhN: Tensor | null = null; // handed over by hN's node
  let placeholder: Tensor | null = null; // the zero gradient hN's node gives `output`
  const out = record(output, op, inputs, (grad) => {
    const dout = grad === placeholder ? null : contiguousRaw(grad);
    const dhn = dhN;
    dhN = null;
    placeholder = null;
    const dx = x.requiresGrad ? empty(x.shape, x.dtype, dev) : null;
    const dh0 = h0 !== null && h0.requiresGrad ? empty(h0.shape, x.dtype, dev) : null;
    const dps = params.map((p) => empty(p.shape, p.dtype, dev));
    const bws = empty([nBwdWs], x.dtype, dev);
    try {
      be.gruBackward({ dtype: code(x), ...dims, bias: hasBias, x: xs, lengths: ls, reserve, dout, dhN: dhn, dx, dh0, workspace: bws,
        weights: list(ps), grads: list(dps) });
    } finally {
      bws.dispose();
      if (dout && dout !== grad) dout.dispose();
      dhn?.dispose();
    }
    const pg = dps.map((g, i) => (params[i].requiresGrad ? g : (g.dispose(), null)));
    return [dx, dh0, ...pg];
  }, [xs, ...ps, reserve, ...(ls ? [ls] : [])]);
  const h = record(hN, "gruHN", [out], (g) => {
    const c = contiguousRaw(g);
    dhN = c === g ? g.detach() : c; // the engine frees g when this returns
    const zero = scalarLike(0, out);
    placeholder = expand(zero, out.shape); // a stride-0 view: no [B, T, dirs*H] buffer
    zero.dispose();
    return [placeholder];
  });
  return { output: out, hN: h };
}
