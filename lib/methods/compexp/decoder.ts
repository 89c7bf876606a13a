// The GRU sentence decoder shared by CompExp's generator and the Att2Seq-style baseline
// (../shared/reference/compexp.md "Generator", "Baselines"): word embedding → GRU started from
// h₀ = v → Linear(H → |V|) → log-softmax. Teacher forcing runs the whole target in one fused `gru`
// call with the single-step cell's weights; decoding steps the cell (greedy or sampled).
// Functions, not a module, so each model keeps its own parameter names (checkpoints stay valid).
import type { Tensor } from "../../tensor/tensor.js";
import type { Device } from "../../tensor/dtype.js";
import { tensor, sum, div, neg, reshape, logSoftmax, crossEntropy, gru } from "../../ops/index.js";
import { noGrad } from "../../autograd/engine.js";
import type { Embedding } from "../../nn/embedding.js";
import type { Linear } from "../../nn/linear.js";
import type { GRUCell } from "../../nn/gru.js";
import { SOS, EOS, padIds } from "./vocab.js";

/** The decoder's modules inside a model (its own embedding, cell and output layer). */
export interface DecoderParts {
  decEmb: Embedding;
  cell: GRUCell;
  out: Linear;
  hidden: number;
  vocabSize: number;
  device: Device;
}

const int = (d: DecoderParts, data: Int32Array, shape: number[]) => tensor(data, { dtype: "int32", shape, device: d.device });

/** Per-sequence log p(target | v) [B] with teacher forcing (targets end with <eos>). */
export function decoderSequenceLogProb(d: DecoderParts, v: Tensor, targets: readonly Int32Array[], who = "decoder"): Tensor {
  const B = targets.length, H = d.hidden;
  if (v.ndim !== 2 || v.shape[0] !== B || v.shape[1] !== H) throw new RangeError(`${who}.sequenceLogProb: v must be [${B}, ${H}], got [${v.shape}]`);
  const inp = padIds(targets, SOS, null), tgt = padIds(targets, null, EOS);
  const T = inp.T;
  const ignore = -100;
  const tIds = Int32Array.from(tgt.ids, (id, k) => (k % T < tgt.lengths[Math.floor(k / T)] ? id : ignore));
  const x = d.decEmb.call(int(d, inp.ids, [B, T]));
  const w = new Map(d.cell.namedParameters());
  const { output } = gru(x, { wIh: [w.get("weight_ih")!], wHh: [w.get("weight_hh")!], bIh: [w.get("bias_ih")!], bHh: [w.get("bias_hh")!] }, { h0: reshape(v, [1, B, H]), lengths: inp.lengths });
  const logits = d.out.call(reshape(output, [B * T, H]));
  const nll = crossEntropy(logits, int(d, tIds, [B * T]), { reduction: "none", ignoreIndex: ignore });
  return neg(sum(reshape(nll, [B, T]), 1));
}

/** Mean token NLL of the targets (teacher forcing, <eos> counted). */
export function decoderTokenNll(d: DecoderParts, v: Tensor, targets: readonly Int32Array[], who = "decoder"): Tensor {
  const tokens = targets.reduce((s, t) => s + t.length + 1, 0);
  return div(neg(sum(decoderSequenceLogProb(d, v, targets, who))), tokens);
}

/**
 * Decodes from v [B, H] (no gradient): greedy (argmax) or sampled from the softmax with `rand`
 * (a seeded [0, 1) source). Returns token ids without <eos>, at most maxLen each.
 */
export function decoderDecode(d: DecoderParts, v: Tensor, opts: { maxLen?: number; rand?: () => number } = {}): Int32Array[] {
  const maxLen = opts.maxLen ?? 25, B = v.shape[0], V = d.vocabSize;
  const out: number[][] = Array.from({ length: B }, () => []);
  const done = new Uint8Array(B);
  noGrad(() => {
    let h = v;
    let tok = new Int32Array(B).fill(SOS);
    for (let t = 0; t < maxLen && done.some((x) => !x); t++) {
      const hNext = d.cell.call(d.decEmb.call(int(d, tok, [B])), h);
      const lp = logSoftmax(d.out.call(hNext), -1).toTypedArray();
      if (h !== v) h.dispose();
      h = hNext;
      tok = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const row = lp.subarray(b * V, (b + 1) * V);
        tok[b] = opts.rand ? sampleLogProbs(row, opts.rand) : argmaxOf(row);
        if (done[b]) continue;
        if (tok[b] === EOS) done[b] = 1;
        else out[b].push(tok[b]);
      }
    }
    if (h !== v) h.dispose();
  });
  return out.map((o) => Int32Array.from(o));
}

export function argmaxOf(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** One draw from a categorical given by log-probabilities (inverse CDF with a seeded uniform). */
export function sampleLogProbs(logp: ArrayLike<number>, rand: () => number): number {
  let m = -Infinity;
  for (let i = 0; i < logp.length; i++) m = Math.max(m, logp[i]);
  let total = 0;
  for (let i = 0; i < logp.length; i++) total += Math.exp(logp[i] - m);
  let u = rand() * total;
  for (let i = 0; i < logp.length; i++) {
    u -= Math.exp(logp[i] - m);
    if (u < 0) return i;
  }
  // rounding left u ≥ 0: the last category with mass
  for (let i = logp.length - 1; i >= 0; i--) if (logp[i] > -Infinity) return i;
  return logp.length - 1;
}
