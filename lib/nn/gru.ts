// GRU layers with PyTorch's parameter names, shapes and initialisation, so that a state dict
// saved from torch.nn.GRU / torch.nn.GRUCell (e.g. as safetensors) loads with loadStateDict and
// gives the same outputs. Both run on the fused `gru` op (lib/ops/gru.ts): GRU over a whole
// padded batch, GRUCell as one step (T = 1) for decoding loops.
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { gru, reshape, permute, contiguous, type GruResult, type GruWeights } from "../ops/index.js";
import { Module } from "./module.js";
import { uniformInit, type InitOptions } from "./init.js";

export interface GRUOptions extends InitOptions {
  /** Stacked layers (default 1). Layer l > 0 reads the previous layer's output. */
  numLayers?: number;
  /** Learnable biases bias_ih / bias_hh (default true). */
  bias?: boolean;
  /** A reverse direction per layer, outputs concatenated (default false). */
  bidirectional?: boolean;
  /**
   * x and output as [B, T, ·] (default TRUE here, unlike PyTorch's default). With false they are
   * [T, B, ·] as in PyTorch's default; h0 / hN are [layers*dirs, B, H] either way.
   */
  batchFirst?: boolean;
}

export interface GRUForwardOptions {
  /** Real steps per row [B] (see GruOptions.lengths): padding is never read and outputs 0. */
  lengths?: Tensor | Int32Array | readonly number[] | null;
}

function checkSize(v: number, what: string, cls: string, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`recforge: ${cls}: ${what} must be an integer >= ${min}, got ${v}`);
}

/**
 * Multi-layer GRU: forward(x, h0?, { lengths }) → { output, hN }.
 * Parameters: weight_ih_l{k}[_reverse] [3H, in_k], weight_hh_l{k}[_reverse] [3H, H],
 * bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse] [3H]; gate rows r, z, n; all initialised
 * uniform in ±1/sqrt(H) as in PyTorch.
 */
export class GRU extends Module<[Tensor, (Tensor | null)?, GRUForwardOptions?], GruResult> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly hasBias: boolean;
  private readonly weights: GruWeights;

  constructor(inputSize: number, hiddenSize: number, opts: GRUOptions = {}) {
    super();
    checkSize(inputSize, "inputSize", "GRU", 1);
    checkSize(hiddenSize, "hiddenSize", "GRU", 1);
    const L = opts.numLayers ?? 1;
    checkSize(L, "numLayers", "GRU", 1);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = L;
    this.bidirectional = opts.bidirectional ?? false;
    this.batchFirst = opts.batchFirst ?? true;
    this.hasBias = opts.bias ?? true;
    const D = this.bidirectional ? 2 : 1, H = hiddenSize;
    const bound = 1 / Math.sqrt(H);
    const init = (shape: number[]) => uniformInit(shape, bound, opts);
    const w: GruWeights = { wIh: [], wHh: [], bIh: this.hasBias ? [] : null, bHh: this.hasBias ? [] : null };
    for (let l = 0; l < L; l++)
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? "_reverse" : ""}`;
        w.wIh.push(this.param(`weight_ih${sfx}`, init([3 * H, l === 0 ? inputSize : D * H])));
        w.wHh.push(this.param(`weight_hh${sfx}`, init([3 * H, H])));
        if (this.hasBias) {
          w.bIh!.push(this.param(`bias_ih${sfx}`, init([3 * H])));
          w.bHh!.push(this.param(`bias_hh${sfx}`, init([3 * H])));
        }
      }
    this.weights = w;
  }

  get dtype(): DType {
    return this.weights.wIh[0].dtype;
  }

  forward(x: Tensor, h0: Tensor | null = null, opts: GRUForwardOptions = {}): GruResult {
    const bi = this.bidirectional;
    if (this.batchFirst) return gru(x, this.weights, { bidirectional: bi, h0, lengths: opts.lengths });
    if (!(x instanceof Tensor) || x.ndim !== 3) return gru(x, this.weights, { bidirectional: bi, h0, lengths: opts.lengths }); // its error
    const xb = contiguous(permute(x, [1, 0, 2]));
    const r = gru(xb, this.weights, { bidirectional: bi, h0, lengths: opts.lengths });
    xb.dispose();
    const output = permute(r.output, [1, 0, 2]);
    r.output.dispose();
    return { output, hN: r.hN };
  }
}

/**
 * One GRU step (PyTorch's nn.GRUCell): forward(x [B, in], h? [B, H]) → h' [B, H].
 * Parameters weight_ih [3H, in], weight_hh [3H, H], bias_ih, bias_hh [3H]. Runs the fused op
 * with T = 1 (one native call forward, one backward).
 */
export class GRUCell extends Module<[Tensor, (Tensor | null)?], Tensor> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  private readonly weights: GruWeights;

  constructor(inputSize: number, hiddenSize: number, opts: InitOptions & { bias?: boolean } = {}) {
    super();
    checkSize(inputSize, "inputSize", "GRUCell", 1);
    checkSize(hiddenSize, "hiddenSize", "GRUCell", 1);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const H = hiddenSize, bound = 1 / Math.sqrt(H);
    const init = (shape: number[]) => uniformInit(shape, bound, opts);
    const bias = opts.bias ?? true;
    this.weights = {
      wIh: [this.param("weight_ih", init([3 * H, inputSize]))],
      wHh: [this.param("weight_hh", init([3 * H, H]))],
      bIh: bias ? [this.param("bias_ih", init([3 * H]))] : null,
      bHh: bias ? [this.param("bias_hh", init([3 * H]))] : null,
    };
  }

  forward(x: Tensor, h: Tensor | null = null): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 2)
      throw new RangeError(`recforge: GRUCell: x must be a [B, in] tensor, got ${x instanceof Tensor ? `shape [${x.shape}]` : typeof x}`);
    const [B, I] = x.shape, H = this.hiddenSize;
    if (h !== null && (!(h instanceof Tensor) || h.ndim !== 2 || h.shape[0] !== B || h.shape[1] !== H))
      throw new RangeError(`recforge: GRUCell: h must be [B, H] = [${B}, ${H}], got ${h instanceof Tensor ? `[${h.shape}]` : typeof h}`);
    const x3 = reshape(x, [B, 1, I]);
    const h3 = h ? reshape(h, [1, B, H]) : null;
    const { output, hN } = gru(x3, this.weights, { h0: h3 });
    hN.dispose(); // = y for one full step; its node would only forward to output's
    x3.dispose();
    h3?.dispose();
    const y = reshape(output, [B, H]);
    if (y !== output) output.dispose();
    return y;
  }
}
