// Training and validation of the Att2Seq-style baseline (att2seq.ts) with CompExp's pre-training
// recipe, so the two are compared at the same budget: Adam (lr 1e-3, weight decay 1e-4), grad-norm
// clip 1.0, ≤ itersPerEpoch batches per epoch, the training examples shuffled afresh each epoch
// (seeded by (seed, epoch)), early stop (patience) and the best epoch kept by the SAME validation
// score as CompExp's stages: mean greedy IDF-BLEU-2 (BP exponents 1) against the validation review's
// sentences. Loss: teacher-forced token NLL of one sentence of the example's own review (drawn per
// epoch), from the example's (user, item, rating): one target sentence per example, as CompExp's
// generator learns one sentence per rewrite pair.
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { backward, noGrad } from "../../autograd/engine.js";
import { tensor } from "../../ops/index.js";
import { Adam } from "../../optim/adam.js";
import { clipGradNorm } from "../../optim/clip.js";
import { hash2, mulberry32 } from "../../prng.js";
import { idfBleu } from "../../text/idf_bleu.js";
import { sentenceTokens, type CompExpExample } from "./data.js";
import { Att2SeqModel, type Att2SeqInput } from "./att2seq.js";
import type { CompExpCorpus } from "./train.js";

export interface Att2SeqTrainOptions {
  epochs?: number;
  batchSize?: number;
  itersPerEpoch?: number;
  lr?: number;
  weightDecay?: number;
  clipNorm?: number;
  patience?: number;
  validationCap?: number;
  seed?: number;
  log?: (msg: string) => void;
}

export interface Att2SeqTrainReport {
  stage: "att2seq";
  epochs: { epoch: number; loss: number; validation: number; seconds: number }[];
  best: number;
  bestEpoch: number;
  stoppedEarly: boolean;
}

const BLEU2 = { weights: [0.5, 0.5], bpExponents: [1, 1] as [number, number] };

/** The example's attributes (its rating rounded to whole stars). */
export function att2seqInput(e: CompExpExample): Att2SeqInput {
  return { user: e.user, item: e.item, rating: Math.round(e.rating) };
}

/** A model sized for the corpus (every user and item of the prepared data has a row). */
export function att2seqFor(c: CompExpCorpus, opts: { embed: number; hidden: number; seed: number; dtype?: "float32" | "float64" }): Att2SeqModel {
  return new Att2SeqModel({ vocabSize: c.vocab.size, numUsers: c.data.users.length, numItems: c.data.items.length, embedDim: opts.embed, hidden: opts.hidden, seed: opts.seed, dtype: opts.dtype });
}

/** Greedy outputs (token ids) for examples, in batches, no gradient. */
export function att2seqGenerate(model: Att2SeqModel, examples: readonly CompExpExample[], bs = 64): Int32Array[] {
  const out: Int32Array[] = [];
  noGrad(() => {
    for (let k = 0; k < examples.length; k += bs) tidy(() => { out.push(...model.decode(model.call(examples.slice(k, k + bs).map(att2seqInput)))); });
  });
  return out;
}

/** Mean greedy IDF-BLEU-2 on examples (CompExp's validation score). */
export function att2seqValidate(model: Att2SeqModel, c: CompExpCorpus, examples: readonly CompExpExample[]): number {
  if (examples.length === 0) throw new RangeError("Att2Seq: no validation examples");
  const words = att2seqGenerate(model, examples);
  let s = 0;
  examples.forEach((e, b) => { s += idfBleu(e.target.map((t) => sentenceTokens(c.data, t)), c.vocab.decode(words[b]), c.idf, BLEU2); });
  return s / examples.length;
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Trains in place; at the end the best validation epoch's parameters are put back. */
export function trainAtt2Seq(model: Att2SeqModel, c: CompExpCorpus, opts: Att2SeqTrainOptions = {}): Att2SeqTrainReport {
  if (c.train.length === 0) throw new RangeError("Att2Seq: no training examples");
  if (c.validation.length === 0 || opts.validationCap === 0) throw new RangeError("Att2Seq: no validation examples (the best epoch is chosen on validation)");
  const o = {
    epochs: opts.epochs ?? 10, batchSize: opts.batchSize ?? 256, itersPerEpoch: opts.itersPerEpoch ?? 4000, lr: opts.lr ?? 1e-3,
    weightDecay: opts.weightDecay ?? 1e-4, clipNorm: opts.clipNorm ?? 1, patience: opts.patience ?? 5, seed: opts.seed ?? 0,
  };
  const log = opts.log ?? (() => {});
  const params = model.parameters();
  const opt = new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
  const val = opts.validationCap ? c.validation.slice(0, opts.validationCap) : c.validation;
  const report: Att2SeqTrainReport = { stage: "att2seq", epochs: [], best: -Infinity, bestEpoch: -1, stoppedEarly: false };
  let best: Map<string, Float64Array> | null = null, bad = 0;
  try {
    for (let ep = 0; ep < o.epochs; ep++) {
      const t0 = performance.now();
      const rand = mulberry32(hash2(o.seed, ep));
      const order = shuffled(c.train.map((_, i) => i), rand);
      let lossSum = 0, n = 0;
      model.train();
      for (let k = 0, it = 0; k < order.length && it < o.itersPerEpoch; k += o.batchSize, it++) {
        const batch = order.slice(k, k + o.batchSize).map((i) => c.train[i]);
        const targets = batch.map((e) => c.vocab.encode(sentenceTokens(c.data, e.target[Math.floor(rand() * e.target.length)])));
        const l = tidy(() => {
          const loss: Tensor = model.tokenNll(model.call(batch.map(att2seqInput)), targets);
          backward(loss);
          return loss.item();
        });
        if (o.clipNorm > 0) clipGradNorm(params, o.clipNorm);
        opt.step();
        opt.zeroGrad();
        lossSum += l;
        n++;
      }
      model.eval();
      const score = att2seqValidate(model, c, val);
      const seconds = (performance.now() - t0) / 1000;
      report.epochs.push({ epoch: ep, loss: lossSum / Math.max(1, n), validation: score, seconds });
      const improved = score > report.best;
      if (improved) {
        report.best = score;
        report.bestEpoch = ep;
        bad = 0;
        best = new Map(model.namedParameters().map(([name, t]) => [name, Float64Array.from(t.toTypedArray())]));
      } else bad++;
      log(`att2seq epoch ${ep + 1}/${o.epochs}: loss ${(lossSum / Math.max(1, n)).toFixed(4)}, validation IDF-BLEU-2 ${score.toFixed(4)}${improved ? " (best)" : ""}, ${seconds.toFixed(1)} s`);
      if (bad >= o.patience) { report.stoppedEarly = true; break; }
    }
  } finally {
    opt.dispose();
  }
  if (best) {
    const own = new Map(model.namedParameters());
    noGrad(() => {
      for (const [name, v] of best!) {
        const t = own.get(name)!;
        const src = tensor(t.dtype === "float64" ? v : Float32Array.from(v), { dtype: t.dtype, shape: [...t.shape], device: t.device });
        model.loadStateDict({ [name]: src }, { strict: false });
        src.dispose();
      }
    });
  }
  model.eval();
  return report;
}
