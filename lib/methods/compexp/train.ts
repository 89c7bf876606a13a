// CompExp training in the spec's stages (../shared/reference/compexp.md "Training"):
//  "extractor": NLL of a true-review sentence inserted among the sampled candidates;
//  "pretrain":  L = 50·L_ext + L_gen, L_ext = −Σ_c p(c)·IDF-BLEU-2(c) (weights (.5, .5), BP
//               exponents 1), L_gen = teacher-forced token NLL on rewrite pairs;
//  "e2e":       REINFORCE, 5 samples per example (c ~ p, words sampled):
//               B = IDF-BLEU with (β1, β2) = (10, 0.5), weights (0.8, 0.2);
//               R_gen = B(gen) + 0.2·ExtRecall(gen; c*) (weights (0.7, 0.3)), R_ext = B(gen) + 0.2·B(c*);
//               advantage = R − mean of the example's 5 samples;
//               L = −mean(A_ext·log p(c*)) − mean(A_gen·Σ_t log p(w_t)) + 2·L_gen.
// Adam (weight decay 1e-4), grad-norm clip 1.0, ≤ itersPerEpoch batches per epoch, early stop on
// the validation score (patience 5). Each epoch writes <dir>/<stage>-last.safetensors (model,
// optimiser, epoch, best) and, when validation improves, <stage>-best.safetensors; `resume`
// continues from -last. Host randomness is re-seeded per epoch from (seed, epoch), so a resumed
// run draws what an uninterrupted one would (test/compexp/resume.test.js: bit-identical per
// stage). The training examples and rewrite pairs are shuffled afresh each epoch. At the end the
// stage puts its best validation epoch's parameters back (restoreBest, default on).
import fs from "node:fs";
import path from "node:path";
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { backward, noGrad } from "../../autograd/engine.js";
import { add, mul, sum, mean, exp, gather, tensor } from "../../ops/index.js";
import { Adam } from "../../optim/adam.js";
import { clipGradNorm } from "../../optim/clip.js";
import { saveCheckpoint, loadCheckpoint } from "../../io/checkpoint.js";
import { hash2, mulberry32 } from "../../prng.js";
import { idfBleu, extRecall, type WordIdf } from "../../text/idf_bleu.js";
import type { GreenerData } from "../greener/prepare.js";
import { sentenceTokens, type CompExpExample } from "./data.js";
import type { Vocab } from "./vocab.js";
import { CompExpModel, sampleLogProbs, type CompExpInput } from "./model.js";
import { rewritePairsSteps, type RewritePair } from "./rewrite.js";
import { buildExamples, fitVocabAndIdf } from "./data.js";
import { runSync, type Phase, type Steps } from "../step_loop.js";

/** Vocabulary, IDF and the training / validation examples of prepared data (rewrites: none yet). */
export function buildCorpus(data: GreenerData, minCount = 3): CompExpCorpus {
  return runSync(buildCorpusSteps(data, minCount));
}

/** buildCorpus as a trainer core: a "prepare" boundary (stage "corpus") after the vocabulary and after each split's examples. */
export function* buildCorpusSteps(data: GreenerData, minCount = 3): Steps<CompExpCorpus> {
  const { vocab, idf } = fitVocabAndIdf(data, minCount);
  yield { phase: "prepare", stage: "corpus", epoch: 0, step: 1, steps: 3 };
  const train = buildExamples(data, "train").examples;
  yield { phase: "prepare", stage: "corpus", epoch: 0, step: 2, steps: 3 };
  const validation = buildExamples(data, "validation").examples;
  yield { phase: "prepare", stage: "corpus", epoch: 0, step: 3, steps: 3 };
  return { data, vocab, idf, train, validation, rewrites: [] };
}

/** Rewrite pairs with the current encoder's sentence vectors (after the extractor stage). */
export function computeRewrites(model: CompExpModel, c: CompExpCorpus, chunk = 512): CompExpCorpus["rewrites"] {
  return runSync(computeRewriteSteps(model, c, chunk));
}

/** computeRewrites as a trainer core (lib/methods/step_loop.ts): a boundary after each chunk of encoded sentences. */
export function* computeRewriteSteps(model: CompExpModel, c: CompExpCorpus, chunk = 512): Steps<CompExpCorpus["rewrites"]> {
  const exampleOfReview = new Map(c.train.map((e) => [e.review, e]));
  const byItem = new Map<number, number[]>();
  for (const r of c.data.reviewsOf("train")) for (const s of c.data.sentencesOf(r)) {
    const i = c.data.reviewItem[r];
    (byItem.get(i) ?? byItem.set(i, []).get(i)!).push(s);
  }
  const all = [...byItem.values()].flat();
  const vec = new Map<number, Float64Array>();
  const H = model.config.hidden;
  for (let k = 0; k < all.length; k += chunk) {
    const ids = all.slice(k, k + chunk);
    const v = noGrad(() => tidy(() => model.encode(ids.map((s) => c.vocab.encode(sentenceTokens(c.data, s)))).toTypedArray()));
    ids.forEach((s, j) => vec.set(s, Float64Array.from(v.subarray(j * H, (j + 1) * H))));
    yield { phase: "prepare", stage: "encoding", epoch: 0, step: Math.min(all.length, k + chunk), steps: all.length };
  }
  const pairs = yield* rewritePairsSteps({
    itemSentences: [...byItem.values()],
    reviewOf: (s) => c.data.sentenceReview[s],
    tokens: (s) => sentenceTokens(c.data, s),
    attributes: (s) => c.data.sentenceAttributes(s),
    vector: (s) => vec.get(s)!,
  });
  const out: CompExpCorpus["rewrites"] = [];
  for (const pair of pairs) {
    const example = exampleOfReview.get(c.data.sentenceReview[pair.target]);
    if (example) out.push({ pair, example }); // the target's review needs references
  }
  return out;
}

export type CompExpStage = "extractor" | "pretrain" | "e2e";

export interface CompExpCorpus {
  data: GreenerData;
  vocab: Vocab;
  idf: WordIdf;
  train: CompExpExample[];
  validation: CompExpExample[];
  /** rewrite pairs with the training example of the target's review (for its references) */
  rewrites: { pair: RewritePair; example: CompExpExample }[];
}

export interface CompExpTrainOptions {
  stage: CompExpStage;
  epochs?: number;
  /** default 256 (pre-training) / 128 (end to end) */
  batchSize?: number;
  /** default 4000 (pre-training) / 2000 (end to end) */
  itersPerEpoch?: number;
  /** default 1e-3 / 1e-5 (end to end) */
  lr?: number;
  weightDecay?: number;
  clipNorm?: number;
  patience?: number;
  /** references and candidates sampled per training example (10, 10) */
  refs?: number;
  cands?: number;
  /** REINFORCE samples per example (5) */
  samples?: number;
  /**
   * The reference-free refiner (the spec's "no-reference refiner" baseline): d = 0 in training and
   * validation, v = enc(c*). The extractor still reads the references (default false).
   */
  noReference?: boolean;
  /** validation examples scored per epoch (default all) */
  validationCap?: number;
  seed?: number;
  checkpointDir?: string;
  resume?: boolean;
  /**
   * After the last epoch, put the best validation epoch's parameters back into the model
   * (default true): the stage hands on the model selected on validation, not its last epoch.
   */
  restoreBest?: boolean;
  log?: (msg: string) => void;
}

export interface CompExpTrainReport {
  stage: CompExpStage;
  /** reward: e2e only, the mean B(gen) of the sampled outputs (the spec's IDF-BLEU with (β1, β2) = (10, 0.5)) */
  epochs: { epoch: number; loss: number; validation: number; seconds: number; reward?: number }[];
  best: number;
  bestEpoch: number;
  resumedFrom: number | null;
  stoppedEarly: boolean;
}

const BLEU2 = { weights: [0.5, 0.5], bpExponents: [1, 1] as [number, number] };
const REWARD = { weights: [0.8, 0.2], bpExponents: [10, 0.5] as [number, number] };

/** A seeded permutation of xs (Fisher–Yates). */
function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** k of xs drawn without replacement (all of xs, in order, when there are at most k). */
function sampleK<T>(xs: readonly T[], k: number, rand: () => number): T[] {
  if (xs.length <= k) return xs.slice();
  const a = xs.slice();
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

/** One example's model input: up to `refs` references and `cands` candidates (sentence ids kept). */
export function sampleInput(c: CompExpCorpus, e: CompExpExample, refs: number, cands: number, rand: () => number): { input: CompExpInput; candSents: number[] } {
  const ri = sampleK(e.refs.map((_, i) => i), refs, rand);
  const candSents = sampleK(e.candidates, cands, rand);
  const enc = (s: number) => c.vocab.encode(sentenceTokens(c.data, s));
  return { input: { refs: ri.map((i) => enc(e.refs[i])), refDelta: ri.map((i) => e.refDelta[i]), cands: candSents.map(enc) }, candSents };
}

function targetsOf(c: CompExpCorpus, e: CompExpExample): string[][] {
  return e.target.map((s) => sentenceTokens(c.data, s));
}

/** L_gen on a batch of rewrite pairs: the target from the source as the only candidate. */
function rewriteLoss(model: CompExpModel, c: CompExpCorpus, pairs: CompExpCorpus["rewrites"], refs: number, rand: () => number, noReference = false): Tensor {
  const enc = (s: number) => c.vocab.encode(sentenceTokens(c.data, s));
  const inputs = pairs.map(({ pair, example }) => {
    const ri = sampleK(example.refs.map((_, i) => i), refs, rand);
    return { refs: ri.map((i) => enc(example.refs[i])), refDelta: ri.map((i) => example.refDelta[i]), cands: [enc(pair.source)] };
  });
  const v = model.refine(model.call(inputs), inputs.map(() => 0), { noReference });
  return model.tokenNll(v, pairs.map(({ pair }) => enc(pair.target)));
}

function extractorNll(model: CompExpModel, c: CompExpCorpus, batch: CompExpExample[], o: Required<Pick<CompExpTrainOptions, "refs" | "cands">>, rand: () => number): Tensor {
  const pos: number[] = [];
  const inputs = batch.map((e) => {
    const { input } = sampleInput(c, e, o.refs, o.cands - 1, rand);
    const t = e.target[Math.floor(rand() * e.target.length)];
    const p = Math.floor(rand() * (input.cands.length + 1));
    input.cands.splice(p, 0, c.vocab.encode(sentenceTokens(c.data, t)));
    pos.push(p);
    return input;
  });
  const ext = model.call(inputs);
  const picked = gather(ext.logp, 1, tensor(Int32Array.from(pos), { dtype: "int32", shape: [batch.length, 1], device: model.device }));
  return mul(mean(picked), -1);
}

function expectedBleuLoss(model: CompExpModel, c: CompExpCorpus, batch: CompExpExample[], o: Required<Pick<CompExpTrainOptions, "refs" | "cands">>, rand: () => number): Tensor {
  const sampled = batch.map((e) => sampleInput(c, e, o.refs, o.cands, rand));
  const ext = model.call(sampled.map((s) => s.input));
  const Cm = ext.logp.shape[1];
  const reward = new Float64Array(batch.length * Cm);
  batch.forEach((e, b) => {
    const refs = targetsOf(c, e);
    sampled[b].candSents.forEach((s, j) => { reward[b * Cm + j] = idfBleu(refs, sentenceTokens(c.data, s), c.idf, BLEU2); });
  });
  const r = tensor(model.config.dtype === "float64" ? reward : Float32Array.from(reward), { shape: [batch.length, Cm], device: model.device });
  return mul(mean(sum(mul(exp(ext.logp), r), 1)), -1);
}

/** REINFORCE loss of a batch (without the 2·L_gen term). */
function reinforceLoss(model: CompExpModel, c: CompExpCorpus, batch: CompExpExample[], o: Required<Pick<CompExpTrainOptions, "refs" | "cands" | "samples" | "noReference">>, rand: () => number, stats?: { reward: number; n: number }): Tensor {
  const K = o.samples;
  const sampled = batch.map((e) => sampleInput(c, e, o.refs, o.cands, rand));
  const inputs = sampled.flatMap((s) => Array.from({ length: K }, () => s.input));
  const ext = model.call(inputs);
  const lp = ext.logp.toTypedArray(), Cm = ext.logp.shape[1];
  const chosen = inputs.map((_, i) => sampleLogProbs(lp.subarray(i * Cm, i * Cm + ext.numCands[i]), rand));
  const v = model.refine(ext, chosen, { noReference: o.noReference });
  const words = model.decode(v, { rand });
  const aExt = new Float64Array(inputs.length), aGen = new Float64Array(inputs.length);
  batch.forEach((e, b) => {
    const refs = targetsOf(c, e);
    const rExt: number[] = [], rGen: number[] = [];
    for (let k = 0; k < K; k++) {
      const i = b * K + k;
      const gen = c.vocab.decode(words[i]);
      const cStar = sentenceTokens(c.data, sampled[b].candSents[chosen[i]]);
      const bGen = idfBleu(refs, gen, c.idf, REWARD);
      if (stats) { stats.reward += bGen; stats.n++; }
      rGen.push(bGen + 0.2 * extRecall(refs, gen, cStar, c.idf, { weights: [0.7, 0.3] }));
      rExt.push(bGen + 0.2 * idfBleu(refs, cStar, c.idf, REWARD));
    }
    const mg = rGen.reduce((x, y) => x + y) / K, me = rExt.reduce((x, y) => x + y) / K;
    for (let k = 0; k < K; k++) { aGen[b * K + k] = rGen[k] - mg; aExt[b * K + k] = rExt[k] - me; }
  });
  const N = inputs.length;
  const f = (a: Float64Array) => tensor(model.config.dtype === "float64" ? a : Float32Array.from(a), { shape: [N], device: model.device });
  const logPc = gather(ext.logp, 1, tensor(Int32Array.from(chosen), { dtype: "int32", shape: [N, 1], device: model.device }));
  const seqLp = model.sequenceLogProb(v, words);
  const pgExt = mean(mul(f(aExt), logPc.reshape([N])));
  const pgGen = mean(mul(f(aGen), seqLp));
  return mul(add(pgExt, pgGen), -1);
}

/** Mean greedy IDF-BLEU-2 (BP exponents 1) of the refined outputs on validation examples. */
export function validateGreedy(model: CompExpModel, c: CompExpCorpus, examples: readonly CompExpExample[], opts: { cands?: number; refs?: number; seed?: number; batchSize?: number; noReference?: boolean } = {}): number {
  return runSync(validateGreedySteps(model, c, examples, opts));
}

/** validateGreedy as a trainer core (lib/methods/step_loop.ts): a boundary after each batch. */
export function* validateGreedySteps(model: CompExpModel, c: CompExpCorpus, examples: readonly CompExpExample[], opts: { cands?: number; refs?: number; seed?: number; batchSize?: number; noReference?: boolean; phase?: Phase; epoch?: number } = {}): Steps<number> {
  if (examples.length === 0) throw new RangeError("CompExp: no validation examples");
  const rand = mulberry32(opts.seed ?? 1);
  const bs = opts.batchSize ?? 64;
  let s = 0;
  for (let k = 0; k < examples.length; k += bs) {
    const chunk = examples.slice(k, k + bs);
    noGrad(() =>
      tidy(() => {
        const sampled = chunk.map((e) => sampleInput(c, e, opts.refs ?? 10, opts.cands ?? 30, rand));
        const ext = model.call(sampled.map((x) => x.input));
        const lp = ext.logp.toTypedArray(), Cm = ext.logp.shape[1];
        const chosen = chunk.map((_, b) => { let best = 0; for (let j = 1; j < ext.numCands[b]; j++) if (lp[b * Cm + j] > lp[b * Cm + best]) best = j; return best; });
        const words = model.decode(model.refine(ext, chosen, { noReference: opts.noReference }));
        chunk.forEach((e, b) => { s += idfBleu(targetsOf(c, e), c.vocab.decode(words[b]), c.idf, BLEU2); });
      }),
    );
    yield { phase: opts.phase ?? "eval", epoch: opts.epoch ?? 0, step: Math.min(examples.length, k + bs), steps: examples.length };
  }
  return s / examples.length;
}

/** Optimiser steps a stage plans (epochs × batches per epoch, before early stopping). */
export function plannedStageSteps(c: CompExpCorpus, opts: Pick<CompExpTrainOptions, "stage" | "epochs" | "batchSize" | "itersPerEpoch">): number {
  const e2e = opts.stage === "e2e";
  const bs = opts.batchSize ?? (e2e ? 128 : 256), iters = opts.itersPerEpoch ?? (e2e ? 2000 : 4000);
  return (opts.epochs ?? 10) * Math.min(iters, Math.ceil(c.train.length / bs));
}

/** Trains one stage in place. */
export function trainCompExp(model: CompExpModel, c: CompExpCorpus, opts: CompExpTrainOptions): CompExpTrainReport {
  return runSync(trainCompExpSteps(model, c, opts));
}

/**
 * trainCompExp as a trainer core (lib/methods/step_loop.ts): a boundary after every optimiser step and
 * validation batch. Stopped early, it disposes the optimiser state (the model is the caller's).
 */
export function* trainCompExpSteps(model: CompExpModel, c: CompExpCorpus, opts: CompExpTrainOptions): Steps<CompExpTrainReport> {
  const stage = opts.stage;
  if (stage !== "extractor" && stage !== "pretrain" && stage !== "e2e") throw new RangeError(`CompExp: unknown stage ${JSON.stringify(stage)} (extractor, pretrain, e2e)`);
  if (c.train.length === 0) throw new RangeError("CompExp: no training examples (every training review lacks text, references from the same user's other training reviews, or other users' sentences of its item)");
  // checked before training, not after the first epoch
  if (c.validation.length === 0 || opts.validationCap === 0) throw new RangeError("CompExp: no validation examples (the stages select their epoch on validation)");
  if (stage !== "extractor" && c.rewrites.length === 0) (opts.log ?? (() => {}))(`compexp ${stage}: no rewrite pairs: L_gen is left out (${stage === "e2e" ? "the decoder learns from the rewards only" : "the decoder is not trained in this stage"})`);
  const e2e = stage === "e2e";
  const o = {
    epochs: opts.epochs ?? 10, batchSize: opts.batchSize ?? (e2e ? 128 : 256), itersPerEpoch: opts.itersPerEpoch ?? (e2e ? 2000 : 4000),
    lr: opts.lr ?? (e2e ? 1e-5 : 1e-3), weightDecay: opts.weightDecay ?? 1e-4, clipNorm: opts.clipNorm ?? 1, patience: opts.patience ?? 5,
    refs: opts.refs ?? 10, cands: opts.cands ?? 10, samples: opts.samples ?? 5, seed: opts.seed ?? 0, noReference: opts.noReference ?? false,
  };
  const log = opts.log ?? (() => {});
  const params = model.parameters();
  const opt = new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
  const dir = opts.checkpointDir;
  const last = dir ? path.join(dir, `${stage}-last.safetensors`) : null, bestFile = dir ? path.join(dir, `${stage}-best.safetensors`) : null;
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const report: CompExpTrainReport = { stage, epochs: [], best: -Infinity, bestEpoch: -1, resumedFrom: null, stoppedEarly: false };
  let bad = 0, start = 0;
  // host copies of the best epoch's parameters (restoreBest); after a resume, -best on disk holds them
  let bestState: Map<string, ArrayLike<number>> | null = null;
  const snapshot = () => new Map(model.namedParameters().map(([k, t]) => [k, t.toTypedArray().slice()] as [string, ArrayLike<number>]));
  if (opts.resume && last && fs.existsSync(last)) {
    const { extra } = loadCheckpoint(last, { model, optimizer: opt, generator: null });
    const x = extra as { epoch: number; best: number; bestEpoch: number; bad: number; epochs: CompExpTrainReport["epochs"] };
    start = x.epoch + 1;
    report.best = x.best;
    report.bestEpoch = x.bestEpoch;
    report.epochs = x.epochs;
    bad = x.bad;
    report.resumedFrom = x.epoch;
    log(`compexp ${stage}: resumed after epoch ${x.epoch + 1} (best ${x.best.toFixed(4)})`);
  }
  const val = opts.validationCap ? c.validation.slice(0, opts.validationCap) : c.validation;
  const planned = plannedStageSteps(c, { ...o, stage });
  let stepsDone = start * Math.min(o.itersPerEpoch, Math.ceil(c.train.length / o.batchSize));
  try {
  model.train();
  for (let ep = start; ep < o.epochs; ep++) {
    const t0 = performance.now();
    const rand = mulberry32(hash2(o.seed, ep));
    // (sampleK(xs, xs.length) would return xs unshuffled: every epoch would see the same first batches)
    const order = shuffled(c.train.map((_, i) => i), rand);
    const rw = shuffled(c.rewrites.map((_, i) => i), rand);
    let lossSum = 0, n = 0;
    const rewards = { reward: 0, n: 0 };
    for (let k = 0, it = 0; k < order.length && it < o.itersPerEpoch; k += o.batchSize, it++) {
      const batch = order.slice(k, k + o.batchSize).map((i) => c.train[i]);
      const pairs = rw.length ? Array.from({ length: Math.min(o.batchSize, rw.length) }, (_, j) => c.rewrites[rw[(it * o.batchSize + j) % rw.length]]) : [];
      const l = tidy(() => {
        let loss: Tensor;
        if (stage === "extractor") loss = extractorNll(model, c, batch, o, rand);
        else if (stage === "pretrain") {
          loss = mul(expectedBleuLoss(model, c, batch, o, rand), 50);
          if (pairs.length) loss = add(loss, rewriteLoss(model, c, pairs, o.refs, rand, o.noReference));
        } else {
          loss = reinforceLoss(model, c, batch, o, rand, rewards);
          if (pairs.length) loss = add(loss, mul(rewriteLoss(model, c, pairs, o.refs, rand, o.noReference), 2));
        }
        backward(loss);
        return loss.item();
      });
      if (o.clipNorm > 0) clipGradNorm(params, o.clipNorm);
      opt.step();
      opt.zeroGrad();
      lossSum += l;
      n++;
      yield { phase: "train", epoch: ep + 1, step: ++stepsDone, steps: planned, loss: l, ...(e2e ? { metrics: { reward: rewards.reward / Math.max(1, rewards.n) } } : {}) };
      if (n % 10 === 0) log(`compexp ${stage} epoch ${ep + 1} batch ${n}: loss ${(lossSum / n).toFixed(4)}${e2e ? `, sampled reward ${(rewards.reward / rewards.n).toFixed(4)}` : ""}`);
    }
    model.eval();
    // (the extractor's score: read inside tidy, so the loss tensor is freed, not kept)
    const score = stage === "extractor" ? -noGrad(() => tidy(() => extractorNll(model, c, val, o, mulberry32(hash2(o.seed, 0x7a1))).item())) : yield* validateGreedySteps(model, c, val, { seed: o.seed, phase: "valid", epoch: ep + 1, noReference: o.noReference });
    model.train();
    const seconds = (performance.now() - t0) / 1000;
    report.epochs.push({ epoch: ep, loss: lossSum / Math.max(1, n), validation: score, seconds, ...(e2e ? { reward: rewards.reward / Math.max(1, rewards.n) } : {}) });
    const improved = score > report.best;
    if (improved) { report.best = score; report.bestEpoch = ep; bad = 0; if (opts.restoreBest ?? true) bestState = snapshot(); } else bad++;
    log(`compexp ${stage} epoch ${ep + 1}/${o.epochs}: loss ${(lossSum / Math.max(1, n)).toFixed(4)}${e2e ? `, sampled reward ${(rewards.reward / Math.max(1, rewards.n)).toFixed(4)}` : ""}, validation ${stage === "extractor" ? "−NLL" : "IDF-BLEU-2"} ${score.toFixed(4)}${improved ? " (best)" : ""}, ${seconds.toFixed(1)} s`);
    if (improved && bestFile) saveCheckpoint(bestFile, { model, generator: null, extra: { stage, epoch: ep, score } });
    if (last) saveCheckpoint(last, { model, optimizer: opt, generator: null, extra: { epoch: ep, best: report.best, bestEpoch: report.bestEpoch, bad, epochs: report.epochs } });
    if (bad >= o.patience) { report.stoppedEarly = true; log(`compexp ${stage}: early stop (no improvement in ${o.patience} epochs)`); break; }
  }
  } finally {
    opt.dispose();
  }
  if ((opts.restoreBest ?? true) && report.bestEpoch >= 0) {
    if (bestState) {
      const own = new Map(model.namedParameters());
      noGrad(() => {
        for (const [k, v] of bestState!) {
          const t = own.get(k)!;
          const src = tensor(t.dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v), { dtype: t.dtype, shape: [...t.shape], device: t.device });
          model.loadStateDict({ [k]: src }, { strict: false });
          src.dispose();
        }
      });
    } else if (bestFile && fs.existsSync(bestFile)) loadCheckpoint(bestFile, { model, generator: null });
    if (report.bestEpoch !== report.epochs[report.epochs.length - 1]?.epoch) log(`compexp ${stage}: restored the best validation epoch ${report.bestEpoch + 1}`);
  }
  model.eval();
  return report;
}
