// The GRU built op by op from recforge's generic differentiable ops (linear, split, sigmoid, tanh,
// add, mul, sub, where, stack, concat): one cell per time step per direction per layer, autograd
// through every op. Same math, weights and lengths semantics as the fused `gru` (lib/ops/gru.ts),
// so it is the fused op's op-level cross-check and the baseline of `recforge bench gru`. About a
// dozen small ops per step each way: dispatch-bound at the sizes the sequential methods use.
// Unlike the fused op it multiplies padding steps too (then discards them with `where`), so the
// padding of x must be finite here.
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow, tidy } from "../tensor/scope.js";
import { add, mul, sub, sigmoid, tanh, where, lt } from "./elementwise_more.js";
import { linear } from "./matmul.js";
import { concat, slice, split, squeeze, stack, reshape } from "./shape.js";
import { tensor, zeros } from "./creation.js";
import type { GruOptions, GruResult, GruWeights } from "./gru.js";

/**
 * One GRU step (PyTorch's GRUCell math): x [B, in], h [B, H] → h' [B, H].
 * r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr), z likewise, n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)),
 * h' = n + z ⊙ (h − n).
 */
export function gruCellOps(x: Tensor, h: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return tidy(() => {
    const H = h.shape[h.ndim - 1];
    const [ir, iz, inn] = split(linear(x, wIh, bIh), H, -1);
    const [hr, hz, hn] = split(linear(h, wHh, bHh), H, -1);
    const r = sigmoid(add(ir, hr));
    const z = sigmoid(add(iz, hz));
    const n = tanh(add(inn, mul(r, hn)));
    return add(n, mul(z, sub(h, n)));
  });
}

/** The whole network op by op: same arguments and results as `gru`. */
export function gruReference(x: Tensor, weights: GruWeights, opts: GruOptions = {}): GruResult {
  return tidy(() =>
    disposeOnThrow(() => {
      const D = opts.bidirectional ? 2 : 1;
      const K = weights.wIh.length, L = K / D;
      const [B, T] = x.shape;
      const H = weights.wHh[0].shape[1];
      const lens = opts.lengths instanceof Tensor ? opts.lengths : opts.lengths ? tensor(Int32Array.from(opts.lengths), { device: x.device }) : null;
      const lensCol = lens ? reshape(lens, [B, 1]) : null;
      const hNs: Tensor[] = [];
      let input = x;
      for (let l = 0; l < L; l++) {
        const dirOut: Tensor[] = [];
        for (let d = 0; d < D; d++) {
          const k = l * D + d;
          let h = opts.h0 ? squeeze(slice(opts.h0, 0, k, k + 1), 0) : zeros([B, H], { dtype: x.dtype, device: x.device });
          const steps: Tensor[] = new Array(T);
          for (let s = 0; s < T; s++) {
            const t = d === 0 ? s : T - 1 - s;
            const xt = squeeze(slice(input, 1, t, t + 1), 1);
            const hNew = gruCellOps(xt, h, weights.wIh[k], weights.wHh[k], weights.bIh?.[k] ?? null, weights.bHh?.[k] ?? null);
            if (lensCol) {
              const real = lt(t, lensCol); // [B, 1]: step t is a real step of the row
              h = where(real, hNew, h);
              steps[t] = where(real, hNew, 0);
            } else {
              h = hNew;
              steps[t] = hNew;
            }
          }
          dirOut.push(T > 0 ? stack(steps, 1) : zeros([B, 0, H], { dtype: x.dtype, device: x.device }));
          hNs.push(h);
        }
        input = D === 1 ? dirOut[0] : concat(dirOut, 2);
      }
      return { output: input, hN: stack(hNs, 0) };
    }),
  );
}
