// Pop: every target gets the same scores, the items' action counts in the training period
// (actions with time <= T_v for the time split; otherwise the training targets' items). Nothing
// to train. Ties rank optimistically (lib/metrics/ranking.ts), which only matters among items
// with equal counts.
import type { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../ops/index.js";
import type { SeqDataset } from "./data.js";
import { SeqRecModel, type SeqInputs } from "./model.js";

/** Per-item action counts of the training period (see the file header); index = item id. */
export function trainItemCounts(ds: SeqDataset): Float64Array {
  const c = new Float64Array(ds.numItems);
  const T = ds.split.tValid;
  if (T !== null) {
    for (let p = 0; p < ds.items.length; p++) if (ds.times[p] <= T) c[ds.items[p]]++;
  } else for (const p of ds.split.train) c[ds.items[p]]++;
  return c;
}

export class Pop extends SeqRecModel {
  readonly window = 1;
  override readonly trainable = false;
  private readonly counts: Float32Array;
  constructor(ds: SeqDataset) {
    super();
    this.counts = Float32Array.from(trainItemCounts(ds));
  }
  config(): Record<string, unknown> {
    return { model: "pop" };
  }
  scores(inp: SeqInputs): Tensor {
    const B = inp.positions.length, N = this.counts.length;
    const s = new Float32Array(B * N);
    for (let b = 0; b < B; b++) s.set(this.counts, b * N);
    return tensor(s, { shape: [B, N] });
  }
  loss(): Tensor {
    throw new TypeError("recforge: Pop has nothing to train");
  }
}
