// Builds a SeqRecModel by name for the trainer, `recforge train seqrec` and `bench seqrec`.
// Parameters are drawn from the default generator seeded with `seed`.
import type { DType } from "../../tensor/dtype.js";
import { manualSeed } from "../../tensor/random.js";
import type { SeqDataset } from "./data.js";
import type { SeqRecModel } from "./model.js";
import { Pop } from "./pop.js";
import { Gru4Rec } from "./gru4rec.js";
import { SasRec } from "./sasrec.js";
import { GatedLongRec } from "./gatedlongrec.js";
import { Cta, type TimeUnit } from "./cta.js";
import { TiSasRec } from "./tisasrec.js";
import type { SeqLossName } from "./inbatch_loss.js";
import type { SeqOptimizerName } from "./train.js";

export const SEQ_MODELS = ["gatedlongrec", "gru4rec", "gru4rec-cat", "sasrec", "pop", "cta", "tisasrec"] as const;
export type SeqModelName = (typeof SEQ_MODELS)[number];

export interface SeqModelOptions {
  seed?: number;
  hidden?: number;
  /** Short window (default 30). */
  window?: number;
  dropout?: number;
  dtype?: DType;
  /** GatedLongRec: see GatedLongRecConfig. */
  longTerm?: boolean;
  phase2?: boolean;
  evalK?: number;
  trainK?: number;
  sampledSoftmax?: number;
  /** CTA (see CtaConfig): kernel string, context on/off, Δt unit, loss, encoder size. */
  kernels?: string;
  context?: boolean;
  timeUnit?: TimeUnit;
  loss?: SeqLossName;
  layers?: number;
  heads?: number;
  ffDim?: number;
  phase2After?: number;
}

export function createSeqModel(name: SeqModelName, ds: SeqDataset, o: SeqModelOptions = {}): SeqRecModel {
  if (!(SEQ_MODELS as readonly string[]).includes(name)) throw new RangeError(`recforge: seqrec: unknown model ${JSON.stringify(name)} (${SEQ_MODELS.join(", ")})`);
  manualSeed(o.seed ?? 0);
  const base = { numItems: ds.numItems, hidden: o.hidden, window: o.window, dtype: o.dtype };
  switch (name) {
    case "pop":
      return new Pop(ds);
    case "gru4rec":
    case "gru4rec-cat":
      return new Gru4Rec({ ...base, numCategories: ds.numCategories, withCategory: name === "gru4rec-cat", dropout: o.dropout });
    case "sasrec":
      return new SasRec({ ...base, dropout: o.dropout });
    case "gatedlongrec":
      return new GatedLongRec({ ...base, numCategories: ds.numCategories, longTerm: o.longTerm, phase2: o.phase2, evalK: o.evalK, trainK: o.trainK, sampledSoftmax: o.sampledSoftmax, phase2After: o.phase2After });
    case "tisasrec":
      return new TiSasRec({ ...base, dropout: o.dropout });
    case "cta":
      return new Cta({ ...base, dropout: o.dropout, kernels: o.kernels, context: o.context, timeUnit: o.timeUnit, loss: o.loss, layers: o.layers, heads: o.heads, ffDim: o.ffDim });
  }
}

/** The optimiser each model trains with by default: Adagrad 0.05 (GatedLongRec's code) for the GRU models, Adam 1e-3 for SASRec (its paper) and CTA (its code). */
export function defaultOptimizer(name: SeqModelName): { optimizer: SeqOptimizerName; lr: number } {
  return name === "sasrec" || name === "tisasrec" || name === "cta" ? { optimizer: "adam", lr: 1e-3 } : { optimizer: "adagrad", lr: 0.05 };
}
